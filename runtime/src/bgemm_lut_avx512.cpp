//===- bgemm_lut_avx512.cpp - bit-plane GEMM by table lookup, AVX-512 -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The Vec-LUT form for many activation rows: no multiplies. For a block of
// 32 activation rows and each group of 4 columns, a table holds the 16
// possible signed sums sum_t +-x[r][4g + t] of every row, as one vector of
// 32 int16 per sign pattern (|sum| <= 508). A weight row's 4 signs in that
// group are one nibble of the mask layout (bnrt_bgemm_pack), so
//   dot[n][r..r+31] += T_g[nibble(n, g)]
// is one vpaddw of 32 rows x 4 columns. The tables of all of K for a row
// block are built once (L2); passes of 16 groups (16 KB of tables) run over
// tiles of 8 weight blocks whose int32 dots (16 KB) stay in L1. The int16
// sums take at most 32 lookups (2 planes x 16 groups; |sum| <= 16256)
// before they are widened, so every dot is exact and the epilogue is the
// VNNI kernel's: bit-identical results. Opt-in (BNRT_BGEMM_LOOKUP=1): on
// the cores measured VNNI is faster (docs/kernels.md).
//
//===----------------------------------------------------------------------===//
#include "bgemm_avx512_epilogue.h"
#include "bgemm_impl.h"
#include "scratch.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

constexpr int kLutRows = 32;         // activation rows per table (int16 lanes)
constexpr int64_t kBlockGroups = 16; // groups per pass (16 KB of tables)
constexpr int64_t kTileBlocks = 8;   // weight blocks per tile (16 KB of dots)

/// Byte offset of weight row i's pattern in a group's table (64 bytes a
/// pattern): nibble i of the mask, times 64.
inline uint64_t patternOffset(uint64_t mask, int i) {
  return ((mask >> (4 * i)) & 15) * 64;
}

#ifndef BNRT_AVX512_EMULATED
// Eight of a group's 16 lookups: acc_i += table[offset of row i], the
// offset being rorx(mask, 4i - 6) & 0x3C0 (two scalar operations). asm over
// named accumulators: GCC 12 compiles the intrinsic form into a copy or a
// spill of every accumulator per lookup.
#define BNRT_LUT_ADD(k, rot)                                                   \
  "rorx $" #rot ", %[mask], %%rcx\n\t"                                         \
  "and $0x3c0, %%ecx\n\t"                                                      \
  "vpaddw (%[table],%%rcx), %[a" #k "], %[a" #k "]\n\t"
#define BNRT_LUT_ADD8(r0, r1, r2, r3, r4, r5, r6, r7, b0, b1, b2, b3, b4, b5,  \
                      b6, b7, mask, table)                                     \
  asm(BNRT_LUT_ADD(0, r0) BNRT_LUT_ADD(1, r1) BNRT_LUT_ADD(2, r2)              \
          BNRT_LUT_ADD(3, r3) BNRT_LUT_ADD(4, r4) BNRT_LUT_ADD(5, r5)          \
              BNRT_LUT_ADD(6, r6) BNRT_LUT_ADD(7, r7)                          \
      : [a0] "+v"(b0), [a1] "+v"(b1), [a2] "+v"(b2), [a3] "+v"(b3),            \
        [a4] "+v"(b4), [a5] "+v"(b5), [a6] "+v"(b6), [a7] "+v"(b7)             \
      : [mask] "r"(mask), [table] "r"(table)                                   \
      : "rcx", "memory")
#endif

/// Tables of groups [g0, g0 + count) for rows r0..r0+31 of x (rows past m
/// read as zeros): table[g][p] = sum_t (bit t of p ? x : -x)[4g + t].
void buildTables(const bnrt_bgemm_args &a, int64_t r0, int64_t g0,
                 int64_t count, __m512i *tables) {
  for (int64_t g = 0; g < count; ++g) {
    // The 4 codes of each row in this group, one int32 per row.
    int32_t quad[kLutRows];
    for (int r = 0; r < kLutRows; ++r) {
      quad[r] = 0;
      if (r0 + r < a.m)
        std::memcpy(&quad[r], a.x + (r0 + r) * a.lda + 4 * (g0 + g), 4);
    }
    __m512i lo = _mm512_loadu_si512(quad), hi = _mm512_loadu_si512(quad + 16);
    __m512i x[4]; // column t of the 32 rows, int16
    for (int t = 0; t < 4; ++t) {
      __m512i l = _mm512_srai_epi32(_mm512_slli_epi32(lo, 24 - 8 * t), 24);
      __m512i h = _mm512_srai_epi32(_mm512_slli_epi32(hi, 24 - 8 * t), 24);
      x[t] =
          _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(l)),
                             _mm512_cvtepi32_epi16(h), 1);
    }
    __m512i *table = tables + g * 16;
    table[0] = _mm512_sub_epi16(_mm512_setzero_si512(),
                                _mm512_add_epi16(_mm512_add_epi16(x[0], x[1]),
                                                 _mm512_add_epi16(x[2], x[3])));
    for (int p = 1; p < 16; ++p) { // flip the lowest set bit's sign
      int t = __builtin_ctz(p);
      table[p] =
          _mm512_add_epi16(table[p & (p - 1)], _mm512_add_epi16(x[t], x[t]));
    }
  }
}

/// Widens 16 rows of int16 sums (32 lanes each) into dots[16][32] int32.
void addWidened(const __m512i (&acc)[16], int32_t *dots) {
  for (int i = 0; i < 16; ++i) {
    __m512i lo = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(acc[i]));
    __m512i hi = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(acc[i], 1));
    int32_t *d = dots + i * kLutRows;
    _mm512_storeu_si512(d, _mm512_add_epi32(_mm512_loadu_si512(d), lo));
    _mm512_storeu_si512(d + 16,
                        _mm512_add_epi32(_mm512_loadu_si512(d + 16), hi));
  }
}

/// Adds the lookups of weight block `block` (16 rows), groups
/// [g0, g0 + count) of `planes` planes, into dots[16 rows][32 lanes].
template <int Planes>
void lookupBlock(const uint64_t *masks, int64_t planeWords, int64_t groups,
                 int64_t block, int64_t g0, int64_t count,
                 const __m512i *tables, int32_t *dots) {
  const uint64_t *blockMasks = masks + block * groups + g0;
  const char *table = reinterpret_cast<const char *>(tables);
  __m512i acc[16];
#ifndef BNRT_AVX512_EMULATED
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0,
          a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0,
          a12 = a0, a13 = a0, a14 = a0, a15 = a0;
  for (int64_t g = 0; g < count; ++g, table += 16 * 64)
    for (int p = 0; p < Planes; ++p) {
      uint64_t mask = blockMasks[p * planeWords + g];
      BNRT_LUT_ADD8(58, 62, 2, 6, 10, 14, 18, 22, a0, a1, a2, a3, a4, a5, a6,
                    a7, mask, table);
      BNRT_LUT_ADD8(26, 30, 34, 38, 42, 46, 50, 54, a8, a9, a10, a11, a12, a13,
                    a14, a15, mask, table);
    }
  const __m512i sums[16] = {a0, a1, a2,  a3,  a4,  a5,  a6,  a7,
                            a8, a9, a10, a11, a12, a13, a14, a15};
  std::copy(sums, sums + 16, acc);
#else
  for (auto &v : acc)
    v = _mm512_setzero_si512();
  for (int64_t g = 0; g < count; ++g, table += 16 * 64)
    for (int p = 0; p < Planes; ++p)
      for (int i = 0; i < 16; ++i)
        acc[i] = _mm512_add_epi16(
            acc[i],
            _mm512_load_si512(
                table + patternOffset(blockMasks[p * planeWords + g], i)));
#endif
  addWidened(acc, dots);
}

} // namespace

bool bgemmLutAvx512Applies(const bnrt_bgemm_args &a) {
  return a.packed && a.act_bits <= 8 &&
         (a.planes == 1 || (a.planes == 2 && sharedScales(a, 0, a.n)));
}

void bgemmLutAvx512(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                    int64_t n0, int64_t n1) {
  const uint64_t *masks = static_cast<const uint64_t *>(a.packed);
  int64_t groups = maskGroups(a.k), planeWords = maskBlocks(a.n) * groups;
  int64_t b0 = n0 / kMaskRows, b1 = maskBlocks(n1);
  // All of K's tables for 32 rows (L2); the dots of a tile of weight
  // blocks, which stay in L1 next to the tables of one group block.
  auto *tables = threadScratch<__m512i>(ScratchSlot::LookupTables, groups * 16);
  auto *dots = threadScratch<int32_t>(ScratchSlot::BgemmPanels,
                                      kTileBlocks * kMaskRows * kLutRows);
  for (int64_t r0 = m0; r0 < m1; r0 += kLutRows) {
    buildTables(a, r0, 0, groups, tables);
    int64_t rows = std::min<int64_t>(kLutRows, m1 - r0);
    for (int64_t t0 = b0; t0 < b1; t0 += kTileBlocks) {
      int64_t t1 = std::min(b1, t0 + kTileBlocks);
      std::memset(dots, 0, (t1 - t0) * kMaskRows * kLutRows * 4);
      for (int64_t g0 = 0; g0 < groups; g0 += kBlockGroups) {
        int64_t count = std::min(kBlockGroups, groups - g0);
        for (int64_t b = t0; b < t1; ++b) {
          int32_t *d = dots + (b - t0) * kMaskRows * kLutRows;
          if (a.planes == 2)
            lookupBlock<2>(masks, planeWords, groups, b, g0, count,
                           tables + g0 * 16, d);
          else
            lookupBlock<1>(masks, planeWords, groups, b, g0, count,
                           tables + g0 * 16, d);
        }
      }
      // Each row's dots, 16 outputs at a time, through the VNNI kernel's
      // epilogue (one plane, or two sharing their scale: their sum).
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t b = t0; b < t1; ++b) {
          int32_t lane[kMaskRows];
          const int32_t *d = dots + (b - t0) * kMaskRows * kLutRows + r;
          for (int i = 0; i < kMaskRows; ++i)
            lane[i] = d[i * kLutRows];
          __m512 acc = _mm512_add_ps(
              _mm512_setzero_ps(),
              _mm512_mul_ps(alphaOf(a, 0, b * kMaskRows),
                            _mm512_cvtepi32_ps(_mm512_loadu_si512(lane))));
          storeRow(a, r0 + r, b, n1, acc);
        }
    }
  }
}

} // namespace bnrt
