//===- sgemm_impl.h - float GEMM: one summation order, every ISA -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// y[m, n] = sum_k x[m, k] w[n, k] (+ bias[n]) in one fixed order, so every
// ISA path gives the scalar reference's bits: each output is one chain of
// fused multiply-adds over k in ascending order from 0, then + bias.
//
// The SIMD paths vectorize across outputs, not along k (the outer-product
// form of BLIS and MLAS): an R x C block of accumulators takes each x[i, t]
// broadcast once for the C vectors of a panel's row t, the values w[j.., t]
// of NR = C x lanes weight rows. Weights in the panel layout (a bundle's
// LinearF32) or stored [k, n] are read in place; [n, k] rows are first
// copied transposed into a scratch panel ([t][NR], K block by K block, so
// it stays in L1/L2), as are the panels at the edges. A block's chain
// continues across K blocks through y (a float store and load are exact),
// so the order is the definition's whatever the blocking.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_SGEMM_IMPL_H
#define BNRT_SRC_SGEMM_IMPL_H

#include "bnrt/kernels.h"
#include "bnrt/sgemm_panels.h"
#include "kernels/mca.h"
#include "scratch.h"

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

/// Weight rows a SIMD path's panel may hold at most; the parallel split
/// gives threads whole multiples of it.
constexpr int64_t kSgemmPanelRows = sgemm_panels::kWidth;

// Internal linkage: each file is compiled for its own ISA.
namespace {

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

// Panel rows of t per K block: a 64-wide panel is 64 KB.
constexpr int64_t kSgemmDepth = 256;

/// w[row, t] in any layout.
inline float sgemmWeight(const bnrt_sgemm_args &g, int64_t row, int64_t t) {
  switch (g.w_layout) {
  case BNRT_SGEMM_W_COLUMNS:
    return g.w[t * g.ldw + row];
  case BNRT_SGEMM_W_PANELS:
    return g.w[sgemm_panels::offset(row, t, g.n, g.k)];
  default:
    return g.w[row * g.ldw + t];
  }
}

/// The panel of weight rows [j, j + cols) over columns [t0, t1), `width`
/// (>= cols) floats a row: panel[(t - t0) * width + c] = w[j + c, t],
/// zeros for c >= cols.
inline void sgemmPackPanel(const bnrt_sgemm_args &g, int64_t j, int64_t cols,
                           int64_t width, int64_t t0, int64_t t1,
                           float *panel) {
  int64_t c = 0;
  if (g.w_layout == BNRT_SGEMM_W_ROWS)
    // Eight weight rows at a time: eight sequential reads, each written
    // row of the panel gets eight adjacent floats.
    for (; c + 8 <= cols; c += 8) {
      const float *w = g.w + (j + c) * g.ldw;
      for (int64_t t = t0; t < t1; ++t) {
        float *p = panel + (t - t0) * width + c;
        for (int u = 0; u < 8; ++u)
          p[u] = w[u * g.ldw + t];
      }
    }
  for (; c < cols; ++c)
    for (int64_t t = t0; t < t1; ++t)
      panel[(t - t0) * width + c] = sgemmWeight(g, j + c, t);
  for (int64_t t = t0; t < t1; ++t)
    for (int64_t z = cols; z < width; ++z)
      panel[(t - t0) * width + z] = 0.0f;
}

/// Where the panel of the NR weight rows at j is for [t0, ...): its row t0
/// and the floats between rows, in place when the layout has it so
/// (nullptr: it must be packed).
template <int NR>
const float *sgemmPanelInPlace(const bnrt_sgemm_args &g, int64_t j, int64_t t0,
                               int64_t &stride) {
  if (j + NR > g.n)
    return nullptr;
  if (g.w_layout == BNRT_SGEMM_W_COLUMNS) {
    stride = g.ldw;
    return g.w + t0 * g.ldw + j;
  }
  constexpr int64_t W = sgemm_panels::kWidth;
  if (g.w_layout == BNRT_SGEMM_W_PANELS && j % W + NR <= W &&
      j + NR <= g.n / W * W) {
    stride = W;
    return g.w + sgemm_panels::offset(j, t0, g.n, g.k);
  }
  return nullptr;
}

/// Rows [i, i + R) x the panel's `cols` outputs at column j over [t0, t1)
/// (the panel's row t at panel + (t - t0) stride), for an ISA's `V`: V::Vec
/// holds V::kLanes floats; V::loadPart / V::storePart touch the first `count`
/// (<= lanes) of them; V::broadcast(p) is *p in every lane; V::fma(a, b, acc) =
/// a * b + acc fused. The chain starts at 0 when t0 = 0, else from y.
template <class V, int R, int C>
void sgemmPanelRows(const bnrt_sgemm_args &g, const float *panel,
                    int64_t stride, int64_t i, int64_t j, int64_t cols,
                    int64_t t0, int64_t t1) {
  constexpr int L = V::kLanes, NR = C * L;
  int count[C];
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c)
    count[c] = static_cast<int>(std::clamp<int64_t>(cols - c * L, 0, L));
  typename V::Vec acc[R][C];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      acc[r][c] =
          t0 == 0 ? V::zero()
                  : V::loadPart(g.y + (i + r) * g.ldy + j + c * L, count[c]);
  const float *x = g.x + i * g.ldx;
  for (int64_t t = t0; t < t1; ++t) {
    // bench/arm-mca.sh times the NEON path's whole block (6 x 16).
    if constexpr (V::kMcaBlock && R == V::kRows && C == V::kCols) {
      static_assert(R * NR == 96);
      BNRT_MCA_BEGIN("float macs=96");
    }
    const float *b = panel + (t - t0) * stride;
    typename V::Vec ws[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      ws[c] = V::load(b + c * L);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      typename V::Vec a = V::broadcast(x + r * g.ldx + t);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c)
        acc[r][c] = V::fma(a, ws[c], acc[r][c]);
    }
    if constexpr (V::kMcaBlock && R == V::kRows && C == V::kCols) {
      BNRT_MCA_END();
    }
  }
  bool last = t1 == g.k;
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c) {
    if (!count[c])
      continue;
    typename V::Vec bias =
        last && g.bias ? V::loadPart(g.bias + j + c * L, count[c]) : V::zero();
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      float *y = g.y + (i + r) * g.ldy + j + c * L;
      V::storePart(y, last && g.bias ? V::add(acc[r][c], bias) : acc[r][c],
                   count[c]);
    }
  }
}

/// Outputs [0, m) x [n0, n1): panels of V::kCols vectors, V::kRows rows of
/// x at a time, K block by K block within a panel (the panel stays in
/// L1/L2 while every row block of x passes; their chains wait in y between
/// K blocks).
template <class V>
void sgemmPanels(const bnrt_sgemm_args &g, int64_t n0, int64_t n1) {
  constexpr int R = V::kRows, C = V::kCols;
  constexpr int64_t NR = C * V::kLanes;
  static_assert(NR <= kSgemmPanelRows && kSgemmPanelRows % NR == 0);
  // Taken whether or not this call packs, so the first run's high-water
  // mark covers a later run that does (scratch.h: no allocation after it).
  float *scratch =
      threadScratch<float>(ScratchSlot::SgemmPanel, kSgemmDepth * NR);
  for (int64_t j = n0; j < n1; j += NR) {
    int64_t cols = std::min(NR, n1 - j);
    for (int64_t t0 = 0; t0 < g.k; t0 += kSgemmDepth) {
      int64_t t1 = std::min(g.k, t0 + kSgemmDepth), stride = NR;
      const float *panel =
          cols == NR ? sgemmPanelInPlace<NR>(g, j, t0, stride) : nullptr;
      // A narrower edge panel takes only the vectors its rows need.
      int vectors = static_cast<int>((cols + V::kLanes - 1) / V::kLanes);
      if (!panel) {
        stride = vectors * V::kLanes;
        sgemmPackPanel(g, j, cols, stride, t0, t1, scratch);
        panel = scratch;
      }
      for (int64_t i = 0; i < g.m; i += R)
        withBlockShape<R, C>(g.m - i, vectors, [&](auto rows, auto width) {
          sgemmPanelRows<V, decltype(rows)::value, decltype(width)::value>(
              g, panel, stride, i, j, cols, t0, t1);
        });
    }
  }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_SGEMM_IMPL_H
