//===- bgemm_lut3_avx512.cpp - ternary bit-plane GEMM by lookup, AVX-512 --===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Two planes sharing their scale (ternary weights, TWS before fine-tuning)
// are one ternary weight w = (s_1 + s_2) / 2 in {-1, 0, 1}. For each
// activation row and group of 3 columns a table holds the 27 sums
// sum_t w_t x[3 g + t] (|sum| <= 384: int16, one zmm), and a weight row's
// 3 ternary digits are its index (the ternary layout, bgemm_impl.h: 32
// weight rows' indices are one vector of 32 uint16, three groups a word).
// One vpermw (one table, not destroyed) looks up 32 weight rows = 96
// ternary multiply-adds, i.e. both planes' 192, and a vpaddw accumulates:
// two instructions where the binary kernel needs six for two planes.
//
// Tiles of 4 activation rows x 160 weight rows keep 20 int16 accumulators
// in registers, widened to int32 every 28 words (84 lookups of at most 384
// fit int16); the tables of all of K for the 4 rows are built once and read
// by each vpermw from L1. The planes' summed dot is twice the ternary one,
// and the epilogue is the VNNI kernel's: bit-identical results.
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

constexpr int kTableWords = 32;     // int16 entries, 27 used
constexpr int64_t kWidenWords = 28; // 84 lookups of <= 384 fit int16

/// table[i] = sum_t w_t(i) x_t, w_t(i) = (digit t of i in base 3) - 1, as
/// vpmaddubsw on the biased codes u = x + 128: the pairs (u_0, u_1) and
/// (u_2, u_3) against the weights' bytes (u_3's weight is 0), minus
/// 128 sum_t w_t(i).
struct TableWeights {
  __m512i pair01, pair23, bias;
};

TableWeights makeTableWeights() {
  alignas(64) int8_t w01[64] = {}, w23[64] = {};
  alignas(64) int16_t bias[32] = {};
  for (int i = 0; i < 27; ++i) {
    int w0 = i % 3 - 1, w1 = i / 3 % 3 - 1, w2 = i / 9 - 1;
    w01[2 * i] = static_cast<int8_t>(w0),
            w01[2 * i + 1] = static_cast<int8_t>(w1);
    w23[2 * i] = static_cast<int8_t>(w2);
    bias[i] = static_cast<int16_t>(128 * (w0 + w1 + w2));
  }
  return {_mm512_load_si512(w01), _mm512_load_si512(w23),
          _mm512_load_si512(bias)};
}

/// Tables of all `groups` groups of rows r0..r0+3 (rows past m and columns
/// past k read as zeros), a group's 4 tables side by side:
/// tables[(4 g + r) * 32 + i].
void buildTables(const bnrt_bgemm_args &a, int64_t r0, int64_t groups,
                 uint8_t *biased, int16_t *tables) {
  static const TableWeights weights = makeTableWeights();
  int64_t width = groups * kTernaryGroup;
  for (int r = 0; r < kTileRows; ++r) {
    biasedRow(a, r0 + r, width + 1, biased); // + the last pair's 0 weight
    int16_t *table = tables + r * kTableWords;
    for (int64_t g = 0; g < groups; ++g, table += kTileRows * kTableWords) {
      const uint8_t *u = biased + kTernaryGroup * g;
      int16_t u01, u23;
      std::memcpy(&u01, u, 2);
      std::memcpy(&u23, u + 2, 2);
      __m512i sums = _mm512_add_epi16(
          _mm512_maddubs_epi16(_mm512_set1_epi16(u01), weights.pair01),
          _mm512_maddubs_epi16(_mm512_set1_epi16(u23), weights.pair23));
      _mm512_store_si512(table, _mm512_sub_epi16(sums, weights.bias));
    }
  }
}

/// Where a tile's lookups come from and go: words [j0, j1) of lookup tile
/// `tile`, the tables, and dots of 4 rows `dotStride` apart (added to, or
/// stored when `first`), or, in the last pass over K (`finish`), `out`.
struct TileWork {
  const uint16_t *patterns;
  int64_t words, tile, j0, j1;
  const int16_t *tables;
  int32_t *dots;
  int64_t dotStride;
  bool first, finish;
  TileOutputs out;

  void end(const __m512i (&acc)[kTileRows][kTileBlocks]) const {
    if (finish)
      finishTileSums(acc, dots, dotStride, first, tile, out);
    else
      widenTile(acc, dots, dotStride, first);
  }

  const uint16_t *patternsAt(int64_t j) const {
    return patterns + (tile * words + j) * kLookupTileRowsN;
  }
  const int16_t *tablesAt(int64_t g) const {
    return tables + g * kTileRows * kTableWords;
  }
};

#ifdef BNRT_AVX512_EMULATED
void lookupTile(const TileWork &w) {
  __m512i acc[kTileRows][kTileBlocks];
  for (auto &row : acc)
    for (auto &v : row)
      v = _mm512_setzero_si512();
  for (int64_t j = w.j0; j < w.j1; ++j) {
    __m512i pat[kTileBlocks];
    for (int q = 0; q < kTileBlocks; ++q)
      pat[q] = _mm512_loadu_si512(w.patternsAt(j) + q * kLookupRows);
    for (int g = 0; g < 3; ++g) {
      const int16_t *t = w.tablesAt(3 * j + g);
      for (int r = 0; r < kTileRows; ++r) {
        __m512i table = _mm512_load_si512(t + r * kTableWords);
        for (int q = 0; q < kTileBlocks; ++q)
          acc[r][q] = _mm512_add_epi16(acc[r][q],
                                       _mm512_permutexvar_epi16(pat[q], table));
      }
      for (int q = 0; q < kTileBlocks; ++q) // the word's next group
        pat[q] = _mm512_srli_epi16(pat[q], 5);
    }
  }
  w.end(acc);
}
#else
// asm over 20 named accumulators (GCC 12 spills an array of them): one
// row's lookups of the 5 blocks, the table read from L1 by each vpermw.
#define BNRT_LOOKUP3(q)                                                        \
  "vpermw (%[t]), %[p" #q "], %[tmp]\n\t"                                      \
  "vpaddw %[tmp], %[a" #q "], %[a" #q "]\n\t"
#define BNRT_LOOKUP3_ROW(table, c0, c1, c2, c3, c4)                            \
  asm(BNRT_LOOKUP3(0) BNRT_LOOKUP3(1) BNRT_LOOKUP3(2) BNRT_LOOKUP3(3)          \
          BNRT_LOOKUP3(4)                                                      \
      : [a0] "+v"(c0), [a1] "+v"(c1), [a2] "+v"(c2), [a3] "+v"(c3),            \
        [a4] "+v"(c4), [tmp] "=&v"(tmp)                                        \
      : [p0] "v"(p0), [p1] "v"(p1), [p2] "v"(p2), [p3] "v"(p3), [p4] "v"(p4),  \
        [t] "r"(table), "m"(*(const int16_t(*)[kTableWords])(table)))

void lookupTile(const TileWork &w) {
  BNRT_TILE_ACCUMULATORS;
  for (int64_t j = w.j0; j < w.j1; ++j) {
    const uint16_t *pat = w.patternsAt(j);
    __m512i p0 = _mm512_loadu_si512(pat),
            p1 = _mm512_loadu_si512(pat + kLookupRows),
            p2 = _mm512_loadu_si512(pat + 2 * kLookupRows),
            p3 = _mm512_loadu_si512(pat + 3 * kLookupRows),
            p4 = _mm512_loadu_si512(pat + 4 * kLookupRows);
    for (int g = 0; g < 3; ++g) {
      const int16_t *t = w.tablesAt(3 * j + g);
      __m512i tmp;
      BNRT_LOOKUP3_ROW(t, a00, a01, a02, a03, a04);
      BNRT_LOOKUP3_ROW(t + kTableWords, a10, a11, a12, a13, a14);
      BNRT_LOOKUP3_ROW(t + 2 * kTableWords, a20, a21, a22, a23, a24);
      BNRT_LOOKUP3_ROW(t + 3 * kTableWords, a30, a31, a32, a33, a34);
      p0 = _mm512_srli_epi16(p0, 5); // the word's next group
      p1 = _mm512_srli_epi16(p1, 5);
      p2 = _mm512_srli_epi16(p2, 5);
      p3 = _mm512_srli_epi16(p3, 5);
      p4 = _mm512_srli_epi16(p4, 5);
    }
  }
  BNRT_TILE_ARRAY(acc);
  w.end(acc);
}
#undef BNRT_LOOKUP3_ROW
#undef BNRT_LOOKUP3
#endif

} // namespace

void bgemmLut3Avx512(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                     int64_t n0, int64_t n1) {
  int64_t words = ternaryWords(a.k), groups = 3 * words;
  int64_t tableWords = kTileRows * groups * kTableWords;
  auto *tables = threadScratch<int16_t>(ScratchSlot::LookupTables,
                                        tableWords + groups * 2 + 32);
  auto *biased = reinterpret_cast<uint8_t *>(tables + tableWords);
  // The lookup tiles holding [n0, n1); int32 dots of 4 rows x their columns.
  int64_t t0 = n0 / kLookupTileRowsN, t1 = lookupTiles(n1);
  int64_t cols = (t1 - t0) * kLookupTileRowsN;
  auto *dots =
      threadScratch<int32_t>(ScratchSlot::BgemmPanels, kTileRows * cols);
  TileWork w{ternaryPatterns(a),
             words,
             0,
             0,
             0,
             tables,
             nullptr,
             cols,
             true,
             false,
             {&a, m0, m1, n0, n1, true}};
  for (int64_t r0 = m0; r0 < m1; r0 += kTileRows) {
    w.out.row0 = r0;
    buildTables(a, r0, groups, biased, tables);
    // Passes over K in steps of 28 words (10.5 KB of tables, in L1 while
    // every weight tile streams past them); the last ends in the outputs
    // (the planes' summed dots are twice the ternary ones).
    for (w.j0 = 0; w.j0 < words; w.j0 += kWidenWords) {
      w.j1 = std::min(words, w.j0 + kWidenWords);
      w.first = w.j0 == 0;
      w.finish = w.j1 == words;
      for (w.tile = t0; w.tile < t1; ++w.tile) {
        w.dots = dots + (w.tile - t0) * kLookupTileRowsN;
        lookupTile(w);
      }
    }
  }
}

} // namespace bnrt
