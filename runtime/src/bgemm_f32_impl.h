//===- bgemm_f32_impl.h - float activations x bit planes -------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnrt_bgemm_f32 (bnrt/kernels.h): weight-only binary, ternary and TWS
// layers keep their packed signs, so dot = sum_k s_k x_k is computed with
// no multiply and no expanded weight as dot = S - 2 N, S the row's plain
// sum (once per row) and N the sum of x over the -1 columns, whose mask is
// the packed bits themselves (16 columns = 16 bits, one 16-bit load). Both use
// sgemm_impl.h's order: 16 lanes of float adds over k = l, l + 16, ...
// (zero-padded), then the fixed tree; adding a masked-off +0 and skipping
// a lane give the same bits (a lane's sum is never -0), so each ISA may
// do either. The ISA's lane type adds to V (sgemm_impl.h):
// V::addWhere(acc, x, mask16), adding x on the lanes whose bit is set.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_F32_IMPL_H
#define BNRT_SRC_BGEMM_F32_IMPL_H

#include "sgemm_impl.h"

#include <cstring>

namespace bnrt {

using BgemmF32Fn = void (*)(const bnrt_bgemm_f32_args &, int64_t n0,
                            int64_t n1);

void bgemmF32Scalar(const bnrt_bgemm_f32_args &, int64_t, int64_t);
#if defined(__x86_64__)
void bgemmF32Avx2(const bnrt_bgemm_f32_args &, int64_t, int64_t);
void bgemmF32Avx512(const bnrt_bgemm_f32_args &, int64_t, int64_t);
#endif
#if defined(__aarch64__)
void bgemmF32Neon(const bnrt_bgemm_f32_args &, int64_t, int64_t);
#endif

namespace {

/// tree(S) of row i (its plain sum, in the lane order).
template <class V> float rowSum(const bnrt_bgemm_f32_args &g, int64_t i) {
  typename V::Vec acc = V::zero();
  for (int64_t t = 0; t < g.k; t += kSgemmLanes) {
    int count = static_cast<int>(std::min<int64_t>(kSgemmLanes, g.k - t));
    acc = V::addWhere(acc, V::loadPart(g.x + i * g.ldx + t, count), 0xFFFF);
  }
  return V::tree(acc);
}

/// tree(N) of rows i.. x weight rows j.. in plane p: the sums of x over
/// each weight row's -1 columns, whose 16-column masks are 16 bits of its
/// packed row (1 = -1, padding 0), one 16-bit load each.
template <class V, int R, int C>
void negativeSums(const bnrt_bgemm_f32_args &g, int64_t i, int64_t j, int32_t p,
                  float (&trees)[R][C]) {
  int64_t words = (g.k + 63) / 64;
  const float *x[R];
  const char *signs[C];
  for (int r = 0; r < R; ++r)
    x[r] = g.x + (i + r) * g.ldx;
  for (int c = 0; c < C; ++c)
    signs[c] =
        reinterpret_cast<const char *>(g.bits + (p * g.n + j + c) * words);
  typename V::Vec acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      acc[r][c] = V::zero();
  auto step = [&](int64_t t, const typename V::Vec(&xs)[R]) {
    for (int c = 0; c < C; ++c) {
      uint16_t mask;
      std::memcpy(&mask, signs[c] + t / 8, 2);
      for (int r = 0; r < R; ++r)
        acc[r][c] = V::addWhere(acc[r][c], xs[r], mask);
    }
  };
  int64_t t = 0;
  for (; t + kSgemmLanes <= g.k; t += kSgemmLanes) {
    typename V::Vec xs[R];
    for (int r = 0; r < R; ++r)
      xs[r] = V::load(x[r] + t);
    step(t, xs);
  }
  if (t < g.k) {
    typename V::Vec xs[R];
    for (int r = 0; r < R; ++r)
      xs[r] = V::loadPart(x[r] + t, static_cast<int>(g.k - t));
    step(t, xs);
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      trees[r][c] = V::tree(acc[r][c]);
}

/// Outputs (i..i+R-1) x (j..j+C-1); `sums`: rowSum of each of the R rows.
template <class V, int R, int C>
void bgemmF32Block(const bnrt_bgemm_f32_args &g, int64_t i, int64_t j,
                   const float *sums) {
  float out[R][C] = {};
  for (int32_t p = 0; p < g.planes; ++p) {
    float negative[R][C];
    negativeSums<V, R, C>(g, i, j, p, negative);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        float alpha = g.alpha[g.per_row ? p * g.n + j + c : p];
        float dot = sums[r] - 2.0f * negative[r][c];
        out[r][c] = out[r][c] + alpha * dot;
      }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      g.y[(i + r) * g.ldy + j + c] =
          g.bias ? out[r][c] + g.bias[j + c] : out[r][c];
}

/// Outputs [0, m) x [n0, n1) in R x C blocks, rows outermost so each row
/// block's plain sums are computed once (the packed weight rows are small:
/// all of [n0, n1) stays in cache while a row block passes).
template <class V, int R, int C>
void bgemmF32Tiles(const bnrt_bgemm_f32_args &g, int64_t n0, int64_t n1) {
  for (int64_t i = 0; i < g.m; i += R) {
    float sums[R];
    for (int64_t r = 0; r < std::min<int64_t>(R, g.m - i); ++r)
      sums[r] = rowSum<V>(g, i + r);
    for (int64_t j = n0; j < n1; j += C)
      withBlockShape<R, C>(g.m - i, n1 - j, [&](auto r, auto c) {
        bgemmF32Block<V, decltype(r)::value, decltype(c)::value>(g, i, j, sums);
      });
  }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_BGEMM_F32_IMPL_H
