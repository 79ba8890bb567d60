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
#include "kernels/mca.h"

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
// Columns per K block (a multiple of the lanes): a block of 4 rows of x is
// 12 KB, in L1 beside the weight rows' stream.
constexpr int64_t kSgemmDepth = 768;

/// Columns [t0, t1) of an R x C block of outputs at (i, j), for an ISA's
/// `V`: V::Vec holds 16 lanes; V::load / V::loadPart (the first `count`
/// lanes, zeros after) read them, V::fma(a, b, acc) = a * b + acc fused.
/// `acc` carries each output's 16 lane sums from the columns before t0, so
/// a K split into blocks (t0 a multiple of 16) keeps the order.
template <class V, int R, int C>
void sgemmBlockSpan(const bnrt_sgemm_args &g, int64_t i, int64_t j, int64_t t0,
                    int64_t t1, typename V::Vec (&acc)[R][C]) {
  const float *x = g.x + i * g.ldx, *w = g.w + j * g.ldw;
  int64_t t = t0;
  for (; t + kSgemmLanes <= t1; t += kSgemmLanes) {
    if constexpr (R == 2 && C == 2) {
      BNRT_MCA_BEGIN("float macs=64");
    }
    typename V::Vec xs[R], ws[C];
    for (int r = 0; r < R; ++r)
      xs[r] = V::load(x + r * g.ldx + t);
    for (int c = 0; c < C; ++c)
      ws[c] = V::load(w + c * g.ldw + t);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        acc[r][c] = V::fma(xs[r], ws[c], acc[r][c]);
    if constexpr (R == 2 && C == 2) {
      BNRT_MCA_END();
    }
  }
  if (t < t1) {
    int count = static_cast<int>(t1 - t);
    typename V::Vec xs[R], ws[C];
    for (int r = 0; r < R; ++r)
      xs[r] = V::loadPart(x + r * g.ldx + t, count);
    for (int c = 0; c < C; ++c)
      ws[c] = V::loadPart(w + c * g.ldw + t, count);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        acc[r][c] = V::fma(xs[r], ws[c], acc[r][c]);
  }
}

/// Writes the R x C outputs at (i, j) from their lane sums: V::tree(acc)
/// adds the lanes in the tree order; V::trees4x4, where V::kTrees4x4, does
/// the trees of a 4 x 4 block together (the same additions, fewer
/// shuffles).
template <class V, int R, int C>
void sgemmStore(const bnrt_sgemm_args &g, int64_t i, int64_t j,
                const typename V::Vec (&acc)[R][C]) {
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

/// Outputs [0, m) x [n0, n1) in R x C blocks. Weight rows go chunk by
/// chunk (they stay in L2 while every row block of x passes), and K block
/// by block within a row block, so its R rows of x stay in L1 while the
/// chunk's weight rows pass (K = 3072: 4 rows are all of L1); the blocks'
/// lane sums wait in `carried` between K blocks.
template <class V, int R, int C>
void sgemmTiles(const bnrt_sgemm_args &g, int64_t n0, int64_t n1) {
  constexpr int kBlocks = (kSgemmChunk + C - 1) / C;
  typename V::Vec carried[kBlocks][R][C];
  for (int64_t c0 = n0; c0 < n1; c0 += kSgemmChunk) {
    int64_t c1 = std::min(n1, c0 + kSgemmChunk);
    for (int64_t i = 0; i < g.m; i += R)
      for (int64_t t0 = 0; t0 < g.k; t0 += kSgemmDepth) {
        int64_t t1 = std::min(g.k, t0 + kSgemmDepth);
        for (int64_t j = c0; j < c1; j += C)
          withBlockShape<R, C>(g.m - i, c1 - j, [&](auto r, auto c) {
            constexpr int Rb = decltype(r)::value, Cb = decltype(c)::value;
            auto &saved = carried[(j - c0) / C];
            typename V::Vec acc[Rb][Cb];
            for (int a = 0; a < Rb; ++a)
              for (int b = 0; b < Cb; ++b)
                acc[a][b] = t0 == 0 ? V::zero() : saved[a][b];
            sgemmBlockSpan<V, Rb, Cb>(g, i, j, t0, t1, acc);
            if (t1 == g.k)
              sgemmStore<V, Rb, Cb>(g, i, j, acc);
            else
              for (int a = 0; a < Rb; ++a)
                for (int b = 0; b < Cb; ++b)
                  saved[a][b] = acc[a][b];
          });
      }
  }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_SGEMM_IMPL_H
