//===- bgemm_lut4_avx512.cpp - A4 bit-plane GEMM by byte lookup (VBMI) ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Codes of at most 4 bits (|x| <= 7) keep the signed sums of a group of 4
// columns within a byte (|sum| <= 28). For each activation row and quad of
// 16 columns, one zmm table holds the 16 sums of each of the quad's 4
// groups: byte 16 q + p = sum_t s_t(p) x[16 qd + 4 q + t], s_t(p) = +1
// when bit t of p is set, else -1. A weight row's sign nibbles in the quad
// (the nibble layout, bgemm_impl.h: byte 4 i + q = 16 q + nibble) index
// it, so one vpermb looks up 16 weight rows x 4 groups = 256 multiply-adds
// of one activation row, and vpdpbusd against a vector of ones adds each
// weight row's 4 bytes into its int32 lane: exact, nothing to widen, two
// instructions a lookup (the A8 kernel takes three for 192).
//
// Tiles of 4 activation rows x 80 weight rows keep 20 int32 accumulators
// in registers over all of K; the tables of all of K for 4 rows (16 K
// bytes) are built once and stay in L1 while the weight tiles stream past.
// Planes sharing their scale are summed lookups; planes with their own
// scales (a fine-tuned TWS split) two passes over the tables. The epilogue
// is the VNNI kernel's: bit-identical results.
//
//===----------------------------------------------------------------------===//
#include "kernels/bgemm_impl.h"
#include "kernels/x86/bgemm_avx512_epilogue.h"
#include "kernels/x86/bgemm_lookup_avx512.h"
#include "scratch.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

/// For each t, the shuffle that puts column t of group q under every
/// table byte 16 q + p (a quad's 16 codes sit in each 128-bit lane), and
/// the table bytes whose pattern p has bit t set.
struct TableSelect {
  __m512i column[4];
  __mmask64 plus[4];
};

TableSelect makeTableSelect() {
  TableSelect s;
  for (int t = 0; t < 4; ++t) {
    alignas(64) int8_t index[64];
    uint64_t plus = 0;
    for (int b = 0; b < 64; ++b) {
      index[b] = static_cast<int8_t>(4 * ((b / 16) % 4) + t);
      if ((b % 16) >> t & 1)
        plus |= uint64_t(1) << b;
    }
    s.column[t] = _mm512_load_si512(index);
    s.plus[t] = plus;
  }
  return s;
}

/// Tables of all `quads` quads of rows r0..r0+3 (rows past m zero; codes
/// past k are zero by the padding contract), a quad's 4 tables side by
/// side: tables[(4 qd + r) * 64 + 16 q + p].
void buildTables(const bnrt_bgemm_args &a, int64_t r0, int64_t quads,
                 int8_t *tables) {
  static const TableSelect select = makeTableSelect();
  for (int r = 0; r < kTileRows; ++r) {
    int8_t *table = tables + r * 64;
    if (r0 + r >= a.m) {
      for (int64_t qd = 0; qd < quads; ++qd)
        std::memset(table + qd * kTileRows * 64, 0, 64);
      continue;
    }
    const int8_t *x = a.x + (r0 + r) * a.lda;
    for (int64_t qd = 0; qd < quads; ++qd, table += kTileRows * 64) {
      __m512i codes = _mm512_broadcast_i32x4(
          _mm_loadu_si128(reinterpret_cast<const __m128i *>(x + 16 * qd)));
      __m512i sums = _mm512_setzero_si512();
      for (int t = 0; t < 4; ++t) {
        __m512i column = _mm512_shuffle_epi8(codes, select.column[t]);
        sums = _mm512_mask_add_epi8(_mm512_sub_epi8(sums, column),
                                    select.plus[t], sums, column);
      }
      _mm512_store_si512(table, sums);
    }
  }
}

/// Where a tile's lookups come from and go: quads of planes [p0, p1)
/// (summed) of nibble tile `tile`, and int32 dots [4 rows][80].
struct TileWork {
  const uint8_t *nibbles;
  int64_t planeBytes, quads, tile;
  int p0, p1;
  const int8_t *tables;
  int32_t *dots;

  const uint8_t *nibblesAt(int p, int64_t qd) const {
    return nibbles + p * planeBytes +
           (tile * quads + qd) * kTileBlocks * int64_t(64);
  }
};

#ifdef BNRT_AVX512_EMULATED
void lookupTile(const TileWork &w) {
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i acc[kTileRows][kTileBlocks];
  for (auto &row : acc)
    for (auto &v : row)
      v = _mm512_setzero_si512();
  for (int64_t qd = 0; qd < w.quads; ++qd)
    for (int p = w.p0; p < w.p1; ++p) {
      const uint8_t *pat = w.nibblesAt(p, qd);
      for (int r = 0; r < kTileRows; ++r) {
        __m512i table = _mm512_load_si512(w.tables + (qd * kTileRows + r) * 64);
        for (int q = 0; q < kTileBlocks; ++q)
          acc[r][q] = _mm512_dpbusd_epi32(
              acc[r][q], ones,
              _mm512_permutexvar_epi8(_mm512_loadu_si512(pat + q * 64), table));
      }
    }
  for (int r = 0; r < kTileRows; ++r)
    for (int q = 0; q < kTileBlocks; ++q)
      _mm512_storeu_si512(w.dots + (r * kTileBlocks + q) * 16, acc[r][q]);
}
#else
// asm over 20 named accumulators (GCC 12 spills an array of them): one
// row's lookups of the 5 blocks, the table read from L1 by each vpermb.
#define BNRT_LOOKUP4(q)                                                        \
  "vpermb (%[t]), %[p" #q "], %[tmp]\n\t"                                      \
  "vpdpbusd %[tmp], %[ones], %[a" #q "]\n\t"
#define BNRT_LOOKUP4_ROW(table, c0, c1, c2, c3, c4)                            \
  asm(BNRT_LOOKUP4(0) BNRT_LOOKUP4(1) BNRT_LOOKUP4(2) BNRT_LOOKUP4(3)          \
          BNRT_LOOKUP4(4)                                                      \
      : [a0] "+v"(c0), [a1] "+v"(c1), [a2] "+v"(c2), [a3] "+v"(c3),            \
        [a4] "+v"(c4), [tmp] "=&v"(tmp)                                        \
      : [p0] "v"(p0), [p1] "v"(p1), [p2] "v"(p2), [p3] "v"(p3), [p4] "v"(p4),  \
        [ones] "v"(ones), [t] "r"(table), "m"(*(const int8_t(*)[64])(table)))

void lookupTile(const TileWork &w) {
  const __m512i ones = _mm512_set1_epi8(1);
  BNRT_TILE_ACCUMULATORS;
  for (int64_t qd = 0; qd < w.quads; ++qd)
    for (int p = w.p0; p < w.p1; ++p) {
      const uint8_t *pat = w.nibblesAt(p, qd);
      __m512i p0 = _mm512_loadu_si512(pat), p1 = _mm512_loadu_si512(pat + 64),
              p2 = _mm512_loadu_si512(pat + 128),
              p3 = _mm512_loadu_si512(pat + 192),
              p4 = _mm512_loadu_si512(pat + 256);
      const int8_t *t = w.tables + qd * kTileRows * 64;
      __m512i tmp;
      BNRT_LOOKUP4_ROW(t, a00, a01, a02, a03, a04);
      BNRT_LOOKUP4_ROW(t + 64, a10, a11, a12, a13, a14);
      BNRT_LOOKUP4_ROW(t + 128, a20, a21, a22, a23, a24);
      BNRT_LOOKUP4_ROW(t + 192, a30, a31, a32, a33, a34);
    }
  BNRT_TILE_ARRAY(acc);
  for (int r = 0; r < kTileRows; ++r)
    for (int q = 0; q < kTileBlocks; ++q)
      _mm512_storeu_si512(w.dots + (r * kTileBlocks + q) * 16, acc[r][q]);
}
#undef BNRT_LOOKUP4_ROW
#undef BNRT_LOOKUP4
#endif

} // namespace

void bgemmLut4Avx512(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                     int64_t n0, int64_t n1) {
  int64_t quads = nibbleQuads(a.k);
  auto *tables =
      threadScratch<int8_t>(ScratchSlot::LookupTables, quads * kTileRows * 64);
  constexpr int64_t kDots = kTileRows * kNibbleTileRowsN;
  alignas(64) int32_t dots[2][kDots];
  TileWork w{nibblePatterns(a),
             nibbleTiles(a.n) * quads * kTileBlocks * 64,
             quads,
             0,
             0,
             0,
             tables,
             nullptr};
  int64_t t0 = n0 / kNibbleTileRowsN, t1 = nibbleTiles(n1);
  for (int64_t r0 = m0; r0 < m1; r0 += kTileRows) {
    buildTables(a, r0, quads, tables);
    int64_t rows = std::min<int64_t>(kTileRows, m1 - r0);
    for (w.tile = t0; w.tile < t1; ++w.tile) {
      int64_t c0 = w.tile * kNibbleTileRowsN;
      // Planes sharing their scale on this tile: one set of summed dots.
      bool summed = a.planes == 1 ||
                    sharedScales(a, c0, std::min(a.n, c0 + kNibbleTileRowsN));
      int sets = summed ? 1 : a.planes;
      for (int s = 0; s < sets; ++s) {
        w.p0 = summed ? 0 : s, w.p1 = summed ? a.planes : s + 1;
        w.dots = dots[s];
        lookupTile(w);
      }
      // 16 outputs at a time through the VNNI kernel's epilogue, from the
      // first 16-row block at or after n0 (a multiple of 16).
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = std::max(c0, n0);
             c < std::min(n1, c0 + kNibbleTileRowsN); c += 16) {
          __m512i d[2];
          for (int s = 0; s < sets; ++s)
            d[s] = _mm512_load_si512(dots[s] + r * kNibbleTileRowsN + (c - c0));
          storeRow(a, r0 + r, c / kMaskRows, n1,
                   finishDots(a, c, d, a.planes, summed));
        }
    }
  }
}

} // namespace bnrt
