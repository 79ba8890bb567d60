//===- bgemm_lookup_avx512.h - the AVX-512 lookup tiles -----*- C++ -*-===//
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The lookup kernels (bgemm_lut*_avx512.cpp) accumulate a tile of 4
// activation rows x 5 weight blocks in 20 zmm registers. GCC 12 keeps an
// array of accumulators (or named ones updated through intrinsics) in
// memory around every update, so the kernels update named locals in asm
// blocks; these macros declare them and gather them for the epilogue.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_LOOKUP_AVX512_H
#define BNRT_SRC_BGEMM_LOOKUP_AVX512_H

#include "kernels/bgemm_impl.h"
#include "kernels/x86/bgemm_avx512_epilogue.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

constexpr int kTileRows = static_cast<int>(kLookupTileRows);
constexpr int kTileBlocks = kLookupTileBlocks;
static_assert(kNibbleTileBlocks == kTileBlocks, "one tile shape");

/// a<row><block>: the tile's 20 accumulators, zero.
#define BNRT_TILE_ACCUMULATORS                                                 \
  const __m512i zero = _mm512_setzero_si512();                                 \
  __m512i a00 = zero, a01 = zero, a02 = zero, a03 = zero, a04 = zero,          \
          a10 = zero, a11 = zero, a12 = zero, a13 = zero, a14 = zero,          \
          a20 = zero, a21 = zero, a22 = zero, a23 = zero, a24 = zero,          \
          a30 = zero, a31 = zero, a32 = zero, a33 = zero, a34 = zero
/// The 20 accumulators as acc[row][block].
#define BNRT_TILE_ARRAY(acc)                                                   \
  const __m512i acc[kTileRows][kTileBlocks] = {{a00, a01, a02, a03, a04},      \
                                               {a10, a11, a12, a13, a14},      \
                                               {a20, a21, a22, a23, a24},      \
                                               {a30, a31, a32, a33, a34}}

/// Activation row `row` of `a` as biased codes x + 128 (the unsigned
/// bytes vpmaddubsw reads) into `width` >= k bytes: 128 (code 0) past k
/// and for rows past m.
inline void biasedRow(const bnrt_bgemm_args &a, int64_t row, int64_t width,
                      uint8_t *biased) {
  int64_t take = row < a.m ? a.k : 0;
  const int8_t *x = a.x + row * a.lda;
  for (int64_t k = 0; k < take; ++k)
    biased[k] = static_cast<uint8_t>(x[k] ^ 0x80);
  std::memset(biased + take, 0x80, width - take);
}

/// dots[r * stride + 32 q + i] (+)= the int16 sums acc[r][q] lane i (the
/// 32-row blocks of the int16 kernels), stored when `first`.
inline void widenTile(const __m512i (&acc)[kTileRows][kTileBlocks],
                      int32_t *dots, int64_t stride, bool first) {
  for (int r = 0; r < kTileRows; ++r)
    for (int q = 0; q < kTileBlocks; ++q) {
      int32_t *d = dots + r * stride + q * kLookupRows;
      __m512i lo = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(acc[r][q]));
      __m512i hi =
          _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(acc[r][q], 1));
      if (!first) {
        lo = _mm512_add_epi32(_mm512_loadu_si512(d), lo);
        hi = _mm512_add_epi32(_mm512_loadu_si512(d + 16), hi);
      }
      _mm512_storeu_si512(d, lo);
      _mm512_storeu_si512(d + 16, hi);
    }
}

/// Where a tile's outputs go when its last pass over K ends in registers:
/// rows row0.. below m1, columns [n0, n1), its dots doubled when `twice`
/// (the ternary kernel's summed planes are twice its dots).
struct TileOutputs {
  const bnrt_bgemm_args *args;
  int64_t row0, m1, n0, n1;
  bool twice;
};

/// The last pass over K of lookup tile `tile` whose planes share their
/// scale: the int16 sums plus the earlier passes' dots (none when
/// `first`) through the VNNI kernel's epilogue straight to the outputs,
/// 16 at a time from the first 16-row block at or after n0 (a multiple of
/// 16): no dots are written and read back.
inline void finishTileSums(const __m512i (&acc)[kTileRows][kTileBlocks],
                           const int32_t *dots, int64_t stride, bool first,
                           int64_t tile, const TileOutputs &o) {
  const bnrt_bgemm_args &a = *o.args;
  int64_t rows = std::min<int64_t>(kTileRows, o.m1 - o.row0);
  for (int r = 0; r < rows; ++r)
    for (int q = 0; q < kTileBlocks; ++q)
      for (int h = 0; h < 2; ++h) {
        int64_t c = tile * kLookupTileRowsN + q * kLookupRows + 16 * h;
        if (c < o.n0 || c >= o.n1)
          continue;
        __m512i d =
            _mm512_cvtepi16_epi32(h ? _mm512_extracti64x4_epi64(acc[r][q], 1)
                                    : _mm512_castsi512_si256(acc[r][q]));
        if (!first)
          d = _mm512_add_epi32(
              _mm512_loadu_si512(dots + r * stride + q * kLookupRows + 16 * h),
              d);
        if (o.twice) // a scalar test: no vector register held for it
          d = _mm512_add_epi32(d, d);
        storeRow(a, o.row0 + r, c / kMaskRows, o.n1,
                 finishDots(a, c, &d, a.planes, true));
      }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_BGEMM_LOOKUP_AVX512_H
