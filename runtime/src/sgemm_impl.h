//===- sgemm_impl.h - float GEMM: one summation order, every ISA -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// y[m, n] = sum_k x[m, k] w[n, k] (+ bias[n]) in one fixed order, so every
// ISA path gives the scalar reference's bits: each output keeps 16 partial
// sums, lane l a fused multiply-add chain over k = l, l + 16, ... in
// ascending k (rows zero-padded to a multiple of 16), and the lanes are
// added by the tree of vec_kernels' laneTree (l += l + 8, then + 4, + 2,
// + 1). A 16-lane accumulator is one zmm, two ymm or four NEON q
// registers; a kernel keeps an R x C block of them (R rows of x, C rows of
// w) so each loaded vector feeds several FMAs.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_SGEMM_IMPL_H
#define BNRT_SRC_SGEMM_IMPL_H

#include "bnrt/kernels.h"

#include <algorithm>
#include <type_traits>

namespace bnrt {

using SgemmFn = void (*)(const bnrt_sgemm_args &, int64_t n0, int64_t n1);

void sgemmScalar(const bnrt_sgemm_args &, int64_t, int64_t);
#if defined(__x86_64__)
void sgemmAvx2(const bnrt_sgemm_args &, int64_t, int64_t);
void sgemmAvx512(const bnrt_sgemm_args &, int64_t, int64_t);
#endif
#if defined(__aarch64__)
void sgemmNeon(const bnrt_sgemm_args &, int64_t, int64_t);
#endif

// Internal linkage: each file is compiled for its own ISA.
namespace {

constexpr int kSgemmLanes = 16;
// Weight rows per chunk: they stay in L2 while every row of x passes.
constexpr int64_t kSgemmChunk = 64;

/// One R x C block of outputs at (i, j), for an ISA's `V`: V::Vec holds 16
/// lanes; V::load / V::loadPart (the first `count` lanes, zeros after)
/// read them, V::fma(a, b, acc) = a * b + acc fused, V::tree(acc) adds the
/// lanes in the tree order; V::trees4x4, where V::kTrees4x4, does the
/// trees of a 4 x 4 block together (the same additions, fewer shuffles).
template <class V, int R, int C>
void sgemmBlock(const bnrt_sgemm_args &g, int64_t i, int64_t j) {
  typename V::Vec acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      acc[r][c] = V::zero();
  const float *x = g.x + i * g.ldx, *w = g.w + j * g.ldw;
  int64_t t = 0;
  for (; t + kSgemmLanes <= g.k; t += kSgemmLanes) {
    typename V::Vec xs[R], ws[C];
    for (int r = 0; r < R; ++r)
      xs[r] = V::load(x + r * g.ldx + t);
    for (int c = 0; c < C; ++c)
      ws[c] = V::load(w + c * g.ldw + t);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        acc[r][c] = V::fma(xs[r], ws[c], acc[r][c]);
  }
  if (t < g.k) {
    int count = static_cast<int>(g.k - t);
    typename V::Vec xs[R], ws[C];
    for (int r = 0; r < R; ++r)
      xs[r] = V::loadPart(x + r * g.ldx + t, count);
    for (int c = 0; c < C; ++c)
      ws[c] = V::loadPart(w + c * g.ldw + t, count);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        acc[r][c] = V::fma(xs[r], ws[c], acc[r][c]);
  }
  float sums[R][C];
  if constexpr (R == 4 && C == 4 && V::kTrees4x4)
    V::trees4x4(acc, sums);
  else
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        sums[r][c] = V::tree(acc[r][c]);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      g.y[(i + r) * g.ldy + j + c] =
          g.bias ? sums[r][c] + g.bias[j + c] : sums[r][c];
}

/// fn(integral_constant<R'>, integral_constant<C'>) with the block shape
/// of `rows` <= R by `cols` <= C outputs (R x C inside the grid, smaller
/// at its edges), so kernels are instantiated for every edge shape.
template <int R, int C, class Fn>
void withBlockShape(int64_t rows, int64_t cols, const Fn &fn) {
  if constexpr (R > 1)
    if (rows < R)
      return withBlockShape<R - 1, C>(rows, cols, fn);
  if constexpr (C > 1)
    if (cols < C)
      return withBlockShape<R, C - 1>(rows, cols, fn);
  fn(std::integral_constant<int, R>{}, std::integral_constant<int, C>{});
}

/// Outputs [0, m) x [n0, n1) in R x C blocks, weight rows chunk by chunk.
template <class V, int R, int C>
void sgemmTiles(const bnrt_sgemm_args &g, int64_t n0, int64_t n1) {
  for (int64_t c0 = n0; c0 < n1; c0 += kSgemmChunk) {
    int64_t c1 = std::min(n1, c0 + kSgemmChunk);
    for (int64_t i = 0; i < g.m; i += R)
      for (int64_t j = c0; j < c1; j += C)
        withBlockShape<R, C>(g.m - i, c1 - j, [&](auto r, auto c) {
          sgemmBlock<V, decltype(r)::value, decltype(c)::value>(g, i, j);
        });
  }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_SGEMM_IMPL_H
