//===- bgemm_lut_avx512.cpp - bit-plane GEMM by table lookup, AVX-512 -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// No multiplies: tables in registers, vectorized over N (the T-MAC form,
// for many activation rows). For each activation row and group of 6
// columns, a table holds the 64 signed sums sum_t +-x[6g + t] of that row
// (|sum| <= 768: int16), as two zmm of 32 int16. A weight row's 6 signs in
// the group are its pattern (the lookup layout, bgemm_impl.h: 32 weight
// rows' patterns are one vector of 32 uint16), so one vpermt2w looks up 32
// weight rows' partial dots of one activation row = 192 multiply-adds,
// and a vpaddw accumulates them. A Zen 5 core issues about 1.5 of these a
// cycle against two vpdpbusd (64 multiply-adds each): the lookups pass
// the int8 dot-product ceiling (docs/kernels.md).
//
// Tiles of 4 activation rows x 160 weight rows keep 20 int16 accumulators
// in registers; they are widened into int32 dots before they can overflow
// (every 42 groups for one plane, 20 for two summed planes). The tables of
// all of K for the 4 rows are built once (L2) and serve every weight tile
// and every plane: two planes with their own scales (a fine-tuned TWS
// split) are two sets of dots, two sharing their scale on some tiles only
// summed lookups there (layers whose planes all share it take the ternary
// kernel, bgemm_lut3_avx512.cpp). Dots are exact and the epilogue is the
// VNNI kernel's, so outputs are bit-identical.
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

constexpr int kTableWords = 64; // int16 entries per (row, group) table

/// The constants of the table build: table[p] = sum_t s_t(p) x_t with
/// s_t(p) = +1 when bit t of p is set, else -1, computed by vpmaddubsw on
/// the biased codes u = x + 128 (unsigned bytes) as
///   sum over pairs (t, t+1) of s_t u_t + s_{t+1} u_{t+1}  -  128 sum_t s_t.
/// Patterns 0..31 are one zmm (lo), 32..63 the other (hi); bits 0-3 of a
/// pattern repeat in both, so pairs (0,1) and (2,3) share their signs.
struct TableSigns {
  __m512i pair01, pair23, pair45lo, pair45hi, biasLo, biasHi;
};

TableSigns makeTableSigns() {
  alignas(64) int8_t s01[64], s23[64], s45lo[64], s45hi[64];
  alignas(64) int16_t bLo[32], bHi[32];
  auto sign = [](int p, int t) -> int8_t { return (p >> t) & 1 ? 1 : -1; };
  for (int p = 0; p < 32; ++p) {
    s01[2 * p] = sign(p, 0), s01[2 * p + 1] = sign(p, 1);
    s23[2 * p] = sign(p, 2), s23[2 * p + 1] = sign(p, 3);
    s45lo[2 * p] = sign(p, 4), s45lo[2 * p + 1] = -1;
    s45hi[2 * p] = sign(p, 4), s45hi[2 * p + 1] = 1;
    int lo = 0;
    for (int t = 0; t < 5; ++t)
      lo += sign(p, t);
    bLo[p] = static_cast<int16_t>(128 * (lo - 1));
    bHi[p] = static_cast<int16_t>(128 * (lo + 1));
  }
  return {_mm512_load_si512(s01),   _mm512_load_si512(s23),
          _mm512_load_si512(s45lo), _mm512_load_si512(s45hi),
          _mm512_load_si512(bLo),   _mm512_load_si512(bHi)};
}

/// Tables of all `groups` groups of rows r0..r0+3 of x (rows past m and
/// columns past k read as zeros), a group's 4 tables side by side:
/// tables[(4 g + r) * 64 + p].
void buildTables(const bnrt_bgemm_args &a, int64_t r0, int64_t groups,
                 uint8_t *biased, int16_t *tables) {
  static const TableSigns signs = makeTableSigns();
  int64_t width = groups * kLookupGroup;
  for (int r = 0; r < kTileRows; ++r) {
    biasedRow(a, r0 + r, width, biased);
    int16_t *table = tables + r * kTableWords;
    for (int64_t g = 0; g < groups; ++g, table += kTileRows * kTableWords) {
      const uint8_t *u = biased + kLookupGroup * g;
      auto pair = [&](int t) {
        int16_t v;
        std::memcpy(&v, u + t, 2);
        return _mm512_set1_epi16(v);
      };
      __m512i low4 =
          _mm512_add_epi16(_mm512_maddubs_epi16(pair(0), signs.pair01),
                           _mm512_maddubs_epi16(pair(2), signs.pair23));
      __m512i u45 = pair(4);
      __m512i lo =
          _mm512_add_epi16(low4, _mm512_maddubs_epi16(u45, signs.pair45lo));
      __m512i hi =
          _mm512_add_epi16(low4, _mm512_maddubs_epi16(u45, signs.pair45hi));
      _mm512_store_si512(table, _mm512_sub_epi16(lo, signs.biasLo));
      _mm512_store_si512(table + 32, _mm512_sub_epi16(hi, signs.biasHi));
    }
  }
}

/// Where a tile's lookups come from and go: group pairs [j0, j1) of
/// planes [p0, p1) (summed) of lookup tile `tile`, the tables, and dots of
/// 4 rows `dotStride` apart (added to, or stored when `first`). With
/// `finish` (the last pass over K of a tile whose planes share their
/// scale) the dots go on to `out` instead.
struct TileWork {
  const uint16_t *patterns;
  int64_t planeWords, pairs, tile, j0, j1;
  int p0, p1;
  const int16_t *tables;
  int32_t *dots;
  int64_t dotStride;
  bool first, finish;
  TileOutputs out;

  /// The 5 pattern vectors of plane p, pair j.
  const uint16_t *patternsAt(int p, int64_t j) const {
    return patterns + p * planeWords + (tile * pairs + j) * kLookupTileRowsN;
  }
  /// The 4 rows' tables of group g, 64 int16 apart.
  const int16_t *tablesAt(int64_t g) const {
    return tables + g * kTileRows * kTableWords;
  }
};

/// A tile's int16 sums: widened into its dots, or, with `finish`, on to
/// the outputs.
void endTile(const __m512i (&acc)[kTileRows][kTileBlocks], const TileWork &w) {
  if (w.finish)
    finishTileSums(acc, w.dots, w.dotStride, w.first, w.tile, w.out);
  else
    widenTile(acc, w.dots, w.dotStride, w.first);
}

#ifdef BNRT_AVX512_EMULATED
void lookupTile(const TileWork &w) {
  __m512i acc[kTileRows][kTileBlocks];
  for (auto &row : acc)
    for (auto &v : row)
      v = _mm512_setzero_si512();
  for (int64_t j = w.j0; j < w.j1; ++j)
    for (int p = w.p0; p < w.p1; ++p) {
      __m512i pat[kTileBlocks];
      for (int q = 0; q < kTileBlocks; ++q)
        pat[q] = _mm512_loadu_si512(w.patternsAt(p, j) + q * kLookupRows);
      for (int h = 0; h < 2; ++h) {
        const int16_t *t = w.tablesAt(2 * j + h);
        for (int r = 0; r < kTileRows; ++r) {
          __m512i lo = _mm512_load_si512(t + r * kTableWords);
          __m512i hi = _mm512_load_si512(t + r * kTableWords + 32);
          for (int q = 0; q < kTileBlocks; ++q)
            acc[r][q] = _mm512_add_epi16(
                acc[r][q], _mm512_permutex2var_epi16(lo, pat[q], hi));
        }
        for (int q = 0; q < kTileBlocks; ++q) // the pair's second group
          pat[q] = _mm512_srli_epi16(pat[q], kLookupGroup);
      }
    }
  endTile(acc, w);
}
#else
// A tile (4 rows x 5 blocks) in asm over 20 named accumulators: GCC 12
// keeps an array of them (or named ones across intrinsics) on the stack and
// reloads them around every lookup. One row of one group: the table's two
// halves into registers, then per block acc += vpermt2w(table, pattern).
#define BNRT_LOOKUP(q)                                                         \
  "vmovdqa64 %[lo], %[tmp]\n\t"                                                \
  "vpermt2w %[hi], %[p" #q "], %[tmp]\n\t"                                     \
  "vpaddw %[tmp], %[a" #q "], %[a" #q "]\n\t"
#define BNRT_LOOKUP_ROW(table, c0, c1, c2, c3, c4)                             \
  asm("vmovdqa64 (%[t]), %[lo]\n\t"                                            \
      "vmovdqa64 64(%[t]), %[hi]\n\t" BNRT_LOOKUP(0) BNRT_LOOKUP(1)            \
          BNRT_LOOKUP(2) BNRT_LOOKUP(3) BNRT_LOOKUP(4)                         \
      : [a0] "+v"(c0), [a1] "+v"(c1), [a2] "+v"(c2), [a3] "+v"(c3),            \
        [a4] "+v"(c4), [lo] "=&v"(lo), [hi] "=&v"(hi), [tmp] "=&v"(tmp)        \
      : [p0] "v"(p0), [p1] "v"(p1), [p2] "v"(p2), [p3] "v"(p3), [p4] "v"(p4),  \
        [t] "r"(table), "m"(*(const int16_t(*)[kTableWords])(table)))

void lookupTile(const TileWork &w) {
  BNRT_TILE_ACCUMULATORS;
  for (int64_t j = w.j0; j < w.j1; ++j)
    for (int p = w.p0; p < w.p1; ++p) {
      const uint16_t *pat = w.patternsAt(p, j);
      __m512i p0 = _mm512_loadu_si512(pat),
              p1 = _mm512_loadu_si512(pat + kLookupRows),
              p2 = _mm512_loadu_si512(pat + 2 * kLookupRows),
              p3 = _mm512_loadu_si512(pat + 3 * kLookupRows),
              p4 = _mm512_loadu_si512(pat + 4 * kLookupRows);
      for (int h = 0; h < 2; ++h) {
        const int16_t *t = w.tablesAt(2 * j + h);
        __m512i lo, hi, tmp;
        BNRT_LOOKUP_ROW(t, a00, a01, a02, a03, a04);
        BNRT_LOOKUP_ROW(t + kTableWords, a10, a11, a12, a13, a14);
        BNRT_LOOKUP_ROW(t + 2 * kTableWords, a20, a21, a22, a23, a24);
        BNRT_LOOKUP_ROW(t + 3 * kTableWords, a30, a31, a32, a33, a34);
        p0 = _mm512_srli_epi16(p0, kLookupGroup); // the pair's second group
        p1 = _mm512_srli_epi16(p1, kLookupGroup);
        p2 = _mm512_srli_epi16(p2, kLookupGroup);
        p3 = _mm512_srli_epi16(p3, kLookupGroup);
        p4 = _mm512_srli_epi16(p4, kLookupGroup);
      }
    }
  BNRT_TILE_ARRAY(acc);
  endTile(acc, w);
}
#undef BNRT_LOOKUP_ROW
#undef BNRT_LOOKUP
#endif

/// Group pairs whose lookups of `planes` summed planes fit int16: a
/// lookup is at most 6 * 128 = 768 in magnitude, 42 of them 32256.
int64_t widenPairs(int planes) { return 21 / planes; }

} // namespace

void bgemmLutAvx512(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                    int64_t n0, int64_t n1) {
  int64_t pairs = lookupPairs(a.k), groups = 2 * pairs;
  int64_t tableWords = kTileRows * groups * kTableWords;
  auto *tables = threadScratch<int16_t>(ScratchSlot::LookupTables,
                                        tableWords + groups * 64);
  auto *biased = reinterpret_cast<uint8_t *>(tables + tableWords);
  // The lookup tiles holding [n0, n1); int32 dots of 4 rows x their
  // columns, per plane when planes have their own scales.
  int64_t t0 = n0 / kLookupTileRowsN, t1 = lookupTiles(n1);
  int64_t cols = (t1 - t0) * kLookupTileRowsN, setWords = kTileRows * cols;
  auto *dots =
      threadScratch<int32_t>(ScratchSlot::BgemmPanels, a.planes * setWords);
  auto tileSummed = [&](int64_t t) {
    return a.planes == 1 ||
           sharedScales(a, t * kLookupTileRowsN,
                        std::min(a.n, (t + 1) * kLookupTileRowsN));
  };
  TileWork w{lookupPatterns(a),
             lookupTiles(a.n) * pairs * kLookupTileRowsN,
             pairs,
             0,
             0,
             0,
             0,
             0,
             tables,
             nullptr,
             cols,
             true,
             false,
             {&a, m0, m1, n0, n1, false}};
  // A tile whose planes have their own scales: its two sets of dots
  // through the VNNI kernel's epilogue after its last pass over K, while
  // they are in L1 (16 outputs at a time, as endTile).
  auto finishTile = [&](int64_t r0, int64_t t) {
    int64_t rows = std::min<int64_t>(kTileRows, m1 - r0);
    int64_t c1 = std::min(n1, (t + 1) * kLookupTileRowsN);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = std::max(t * kLookupTileRowsN, n0); c < c1; c += 16) {
        __m512i d[2];
        for (int p = 0; p < a.planes; ++p)
          d[p] = _mm512_loadu_si512(dots + p * setWords + r * cols +
                                    (c - t0 * kLookupTileRowsN));
        storeRow(a, r0 + r, c / kMaskRows, n1,
                 finishDots(a, c, d, a.planes, false));
      }
  };
  for (int64_t r0 = m0; r0 < m1; r0 += kTileRows) {
    w.out.row0 = r0;
    buildTables(a, r0, groups, biased, tables);
    // Passes over K in steps whose tables (<= 21 KB) stay in L1 while
    // every weight tile streams past them.
    int64_t step = widenPairs(a.planes);
    for (w.j0 = 0; w.j0 < pairs; w.j0 += step) {
      w.j1 = std::min(pairs, w.j0 + step);
      w.first = w.j0 == 0;
      for (w.tile = t0; w.tile < t1; ++w.tile) {
        int32_t *tileDots = dots + (w.tile - t0) * kLookupTileRowsN;
        if (tileSummed(w.tile)) {
          w.p0 = 0, w.p1 = a.planes, w.dots = tileDots;
          w.finish = w.j1 == pairs;
          lookupTile(w);
        } else {
          w.finish = false;
          for (int p = 0; p < a.planes; ++p) {
            w.p0 = p, w.p1 = p + 1, w.dots = tileDots + p * setWords;
            lookupTile(w);
          }
          if (w.j1 == pairs)
            finishTile(r0, w.tile);
        }
      }
    }
  }
}

} // namespace bnrt
