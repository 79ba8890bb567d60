//===- xgemm_impl.h - fully binary GEMM: layout and loop nest ---*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every path counts the same bits exactly (int) and finishes each output
// with the same float operations in the same order (finishBinary), so all
// ISAs give identical results.
//
// The SIMD paths read the panel layout (bnrt_xgemm_pack): for each plane,
// block of 8 weight rows and 64-bit word t, the 8 rows' word t (zero past
// n), 64 bytes. Broadcasting one activation word against a block's vector
// puts the 8 weight rows in lanes: no horizontal sums, and the outputs come
// out consecutive for the epilogue.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_KERNELS_XGEMM_IMPL_H
#define BNRT_SRC_KERNELS_XGEMM_IMPL_H

#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "kernels/mca.h"

#include <algorithm>
#include <cstdint>

namespace bnrt {

using XgemmFn = void (*)(const bnrt_xgemm_args &, int64_t m0, int64_t m1,
                         int64_t n0, int64_t n1);

void xgemmScalar(const bnrt_xgemm_args &, int64_t, int64_t, int64_t, int64_t);
#if defined(__x86_64__)
void xgemmAvx2(const bnrt_xgemm_args &, int64_t, int64_t, int64_t, int64_t);
/// AVX-512 with VPOPCNTDQ; the AVX-512 path takes AVX2's kernel without it.
void xgemmAvx512(const bnrt_xgemm_args &, int64_t, int64_t, int64_t, int64_t);
#endif
#if defined(__aarch64__)
void xgemmNeon(const bnrt_xgemm_args &, int64_t, int64_t, int64_t, int64_t);
#endif

constexpr int kXgemmBlock = 8;     // weight rows per panel block
constexpr int kXgemmMaxPairs = 16; // x_planes * planes
static inline int64_t xgemmBlocks(int64_t n) {
  return (n + kXgemmBlock - 1) / kXgemmBlock;
}
void xgemmPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
               uint64_t *panels);

/// The shared epilogue: y = sum_i sum_p (x_scale[i] * alpha_p(n)) *
/// dots[i * planes + p] + bias[n]. (static: each file is compiled for its
/// own ISA, and a shared inline definition could be taken from the wrong
/// one at link time.)
static inline float finishBinary(const bnrt_xgemm_args &a, int64_t n,
                                 const int32_t *dots) {
  float acc = 0.0f;
  for (int32_t i = 0; i < a.x_planes; ++i)
    for (int32_t p = 0; p < a.planes; ++p) {
      float alpha = a.per_row ? a.alpha[p * a.n + n] : a.alpha[p];
      acc +=
          (a.x_scale[i] * alpha) * static_cast<float>(dots[i * a.planes + p]);
    }
  return a.bias ? acc + a.bias[n] : acc;
}

/// What a word of activation bits x (with mask m) and of weight bits w
/// count: x XOR w (signed), x AND w (non-negative), m AND (x XOR w)
/// (ternary).
enum class XgemmOp { Xor, And, MaskedXor };

/// The constant of row m's dots with activation plane i: k (signed), or
/// the popcount of the row (non-negative) or of its mask (ternary).
static inline int32_t xgemmRowBase(const bnrt_xgemm_args &a, int32_t i,
                                   int64_t m, int64_t words) {
  if (a.x_signed && !a.x_mask)
    return static_cast<int32_t>(a.k);
  const uint64_t *x = (a.x_mask ? a.x_mask : a.x) + (i * a.m + m) * words;
  int32_t ones = 0;
  for (int64_t t = 0; t < words; ++t)
    ones += __builtin_popcountll(x[t]);
  return ones;
}

namespace {

/// Writes to counts[r][j] the popcounts of rows [m, m + MR) of activation
/// plane `x` against weight rows 8 b + j of blocks [b, b + NB) of weight
/// plane `w` (panel layout) by `Op` (`xm`: the activations' mask plane,
/// MaskedXor only). V::kLanes 64-bit lanes a vector; V::count(acc, bits)
/// adds the lanes' counts of bits to acc (64-bit lanes, or bytes that V::addTo
/// must fold every V::kChunkWords words before they can overflow);
/// V::store(acc, out, add) writes the kLanes counts to out[0 .. kLanes), or
/// adds them (later chunks). Full tiles are V::kRows x V::kBlocks (as many
/// accumulators as the ISA's registers hold).
template <class V, XgemmOp Op, int MR, int NB>
void xgemmCounts(const uint64_t *x, const uint64_t *xm, const uint64_t *w,
                 int64_t words, int64_t m, int64_t b,
                 int32_t (*counts)[NB * kXgemmBlock]) {
  constexpr int kVecs = NB * kXgemmBlock / V::kLanes;
  const uint64_t *panel = w + b * words * kXgemmBlock;
  for (int64_t t0 = 0; t0 < words; t0 += V::kChunkWords) {
    int64_t t1 = std::min<int64_t>(words, t0 + V::kChunkWords);
    typename V::Acc acc[MR][kVecs];
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
      for (int q = 0; q < kVecs; ++q)
        acc[r][q] = V::zero();
    for (int64_t t = t0; t < t1; ++t) {
      if constexpr (MR == V::kRows && NB == V::kBlocks) {
        V::mcaBegin(); // the tile's multiply-adds in its name
      }
      typename V::Vec wv[kVecs];
#pragma GCC unroll 16
      for (int q = 0; q < kVecs; ++q) {
        int j = q * V::kLanes / kXgemmBlock, s = q * V::kLanes % kXgemmBlock;
        wv[q] = V::load(panel + (j * words + t) * kXgemmBlock + s);
      }
#pragma GCC unroll 4
      for (int r = 0; r < MR; ++r) {
        typename V::Vec xb = V::broadcast(x[(m + r) * words + t]);
        if constexpr (Op == XgemmOp::MaskedXor) {
          typename V::Vec mb = V::broadcast(xm[(m + r) * words + t]);
#pragma GCC unroll 16
          for (int q = 0; q < kVecs; ++q)
            acc[r][q] = V::count(acc[r][q], V::maskedXor(mb, xb, wv[q]));
        } else {
#pragma GCC unroll 16
          for (int q = 0; q < kVecs; ++q)
            acc[r][q] =
                V::count(acc[r][q], Op == XgemmOp::Xor ? V::bitXor(xb, wv[q])
                                                       : V::bitAnd(xb, wv[q]));
        }
      }
      if constexpr (MR == V::kRows && NB == V::kBlocks) {
        BNRT_MCA_END();
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
      for (int q = 0; q < kVecs; ++q)
        V::store(acc[r][q], counts[r] + q * V::kLanes, t0 > 0);
  }
}

/// Rows [m, m + MR) x weight rows [8 b, min(8 (b + NB), n1)): every pair
/// of planes' counts, then the epilogue over the tile's outputs; base[i][r]
/// is the constant of row m + r's dots with activation plane i.
template <class V, int MR, int NB>
void xgemmTile(const bnrt_xgemm_args &a, const uint64_t *panels, int64_t m,
               int64_t b, int64_t n1, const int32_t (*base)[MR]) {
  constexpr int kWidth = NB * kXgemmBlock;
  int64_t words = bnrt_bitpack_row_words(a.k), blocks = xgemmBlocks(a.n);
  int32_t counts[kXgemmMaxPairs][MR][kWidth]; // written by xgemmCounts
  for (int32_t i = 0; i < a.x_planes; ++i) {
    const uint64_t *x = a.x + i * a.m * words;
    const uint64_t *xm = a.x_mask ? a.x_mask + i * a.m * words : nullptr;
    for (int32_t p = 0; p < a.planes; ++p) {
      const uint64_t *w = panels + p * blocks * words * kXgemmBlock;
      int32_t(*c)[kWidth] = counts[i * a.planes + p];
      if (xm)
        xgemmCounts<V, XgemmOp::MaskedXor, MR, NB>(x, xm, w, words, m, b, c);
      else if (a.x_signed)
        xgemmCounts<V, XgemmOp::Xor, MR, NB>(x, xm, w, words, m, b, c);
      else
        xgemmCounts<V, XgemmOp::And, MR, NB>(x, xm, w, words, m, b, c);
    }
  }
  int64_t n = b * kXgemmBlock;
  int width = static_cast<int>(std::min<int64_t>(kWidth, n1 - n));
  for (int r = 0; r < MR; ++r) {
    float *y = a.y + (m + r) * a.ldy + n;
    // Per output, finishBinary's operations in its order; the loop over
    // outputs inside, so it vectorizes.
    float acc[kWidth] = {};
    for (int32_t i = 0; i < a.x_planes; ++i)
      for (int32_t p = 0; p < a.planes; ++p) {
        const int32_t *c = counts[i * a.planes + p][r];
        int32_t dotBase = base[i][r];
        const float *alpha = a.alpha + (a.per_row ? p * a.n + n : p);
        float scale = a.x_scale[i];
        if (a.per_row && width == kWidth)
          for (int j = 0; j < kWidth; ++j)
            acc[j] +=
                (scale * alpha[j]) * static_cast<float>(dotBase - 2 * c[j]);
        else if (a.per_row) // past n: no scale to read
          for (int j = 0; j < width; ++j)
            acc[j] +=
                (scale * alpha[j]) * static_cast<float>(dotBase - 2 * c[j]);
        else
          for (int j = 0; j < kWidth; ++j)
            acc[j] +=
                (scale * alpha[0]) * static_cast<float>(dotBase - 2 * c[j]);
      }
    if (a.bias)
      for (int j = 0; j < width; ++j)
        y[j] = acc[j] + a.bias[n + j];
    else
      for (int j = 0; j < width; ++j)
        y[j] = acc[j];
  }
}

template <class V, int MR>
void xgemmRows(const bnrt_xgemm_args &a, const uint64_t *panels, int64_t m,
               int64_t n0, int64_t n1) {
  // A dot's constant, once per row for all weight tiles: k (signed), or
  // the popcount of the activation row (non-negative) or of its mask
  // (ternary).
  int64_t words = bnrt_bitpack_row_words(a.k);
  int32_t base[kXgemmMaxPairs][MR];
  for (int32_t i = 0; i < a.x_planes; ++i)
    for (int r = 0; r < MR; ++r)
      base[i][r] = xgemmRowBase(a, i, m + r, words);
  int64_t b = n0 / kXgemmBlock, end = xgemmBlocks(n1);
  for (; b + V::kBlocks <= end; b += V::kBlocks)
    xgemmTile<V, MR, V::kBlocks>(a, panels, m, b, n1, base);
  for (; b < end; ++b)
    xgemmTile<V, MR, 1>(a, panels, m, b, n1, base);
}

/// The loop nest of a SIMD path over the panel layout; the scalar kernel
/// where it cannot run (no layout, n0 inside a block, too many planes).
template <class V>
void xgemmLoop(const bnrt_xgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  const auto *panels = static_cast<const uint64_t *>(a.packed);
  if (!panels || n0 % kXgemmBlock != 0 ||
      a.x_planes * a.planes > kXgemmMaxPairs)
    return xgemmScalar(a, m0, m1, n0, n1);
  int64_t m = m0;
  for (; m + V::kRows <= m1; m += V::kRows)
    xgemmRows<V, V::kRows>(a, panels, m, n0, n1);
  for (; m < m1; ++m)
    xgemmRows<V, 1>(a, panels, m, n0, n1);
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_KERNELS_XGEMM_IMPL_H
