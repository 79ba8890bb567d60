//===- bgemm_lut_avx2.cpp - bit-plane GEMM for A4 codes by table lookup ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// T-MAC style: with 4-bit (or narrower) activation codes, the sum
// T[pattern] = sum_t bit_t(pattern) x[4g + t] over a group of 4 columns
// fits in a byte (|T| <= 28), so each activation row gets, per group, a
// 16-entry table of all sign patterns, and vpshufb looks up 32 weight rows
// at once: the 4-bit pattern of a weight row in a group is exactly one
// nibble of the x86 mask layout (bnrt_bgemm_pack: bit 4i + t = row i,
// column t). One lookup does the work of 128 multiply-adds.
//
// Per group: the two 64-bit masks of a pair of 16-row blocks become 32
// nibble indices (rows 0, 2, .., 14, 1, 3, .., 15 of each block, one block
// per 128-bit lane, as vpshufb looks up within lanes); each of 4 activation
// rows broadcasts its table and adds 32 lookups into int8 accumulators,
// widened to int16 every few groups before they can overflow, and to int32
// at the end. Dots are exact: sum s x = 2 sum b x - rowsum(x), identical to
// every other path, and the shared epilogue follows. One plane only: for
// ternary / TWS weights the merged-panel kernel measured faster than two
// sets of lookups (bgemm_avx2.cpp). Measured 1.3x the A8 kernel at
// M128 K768 N3072 (docs/kernels.md).
//
//===----------------------------------------------------------------------===//
#include "kernels/x86/bgemm_avx2_common.h"
#include "scratch.h"

#include <cstring>
#include <vector>

namespace bnrt {
namespace {

constexpr int kRows = 4; // activation rows per tile

/// Tables of `rows` activation rows: 16 bytes per (row, group), stored
/// twice (one per 128-bit lane) so a plain 256-bit load broadcasts them.
void buildTables(const bnrt_bgemm_args &a, int64_t m, int rows, int64_t count,
                 __m256i *tables) {
  // bitMask[t] byte p = 0xFF when bit t of pattern p is set.
  static const __m128i bitMask[4] = {
      _mm_setr_epi8(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1),
      _mm_setr_epi8(0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1),
      _mm_setr_epi8(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, -1, -1, -1, -1),
      _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1)};
  static const __m128i splat[4] = {_mm_set1_epi8(0), _mm_set1_epi8(1),
                                   _mm_set1_epi8(2), _mm_set1_epi8(3)};
  for (int i = 0; i < rows; ++i)
    for (int64_t g = 0; g < count; ++g) {
      int32_t x4;
      std::memcpy(&x4, a.x + (m + i) * a.lda + 4 * g, 4);
      __m128i v = _mm_set1_epi32(x4), table = _mm_setzero_si128();
      for (int t = 0; t < 4; ++t)
        table = _mm_add_epi8(
            table, _mm_and_si128(_mm_shuffle_epi8(v, splat[t]), bitMask[t]));
      tables[i * count + g] = _mm256_set_m128i(table, table);
    }
}

/// 32 nibble indices from the masks of blocks b (lane 0) and b + 1.
inline __m256i indices(uint64_t maskLo, uint64_t maskHi) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  __m128i lo = _mm_cvtsi64_si128(static_cast<long long>(maskLo));
  __m128i hi = _mm_cvtsi64_si128(static_cast<long long>(maskHi));
  // Per lane: the 8 mask bytes (low nibbles: even rows), then the same
  // bytes shifted down 4 (odd rows).
  lo = _mm_unpacklo_epi64(lo, _mm_srli_epi16(lo, 4));
  hi = _mm_unpacklo_epi64(hi, _mm_srli_epi16(hi, 4));
  return _mm256_and_si256(_mm256_set_m128i(hi, lo), nibble);
}

/// The row in its block of lookup lane position q.
constexpr int64_t rowOfPosition(int q) {
  return q < 8 ? 2 * q : 2 * (q - 8) + 1;
}

/// Exact dots of MB activation rows with weight blocks b and b + 1, then
/// the epilogue.
template <int MB>
void tile(const bnrt_bgemm_args &a, const __m256i *tables, int64_t count,
          int64_t m, int64_t b, int64_t n1, const int32_t *rowSums) {
  const uint64_t *packed = static_cast<const uint64_t *>(a.packed);
  int64_t blocks = maskBlocks(a.n);
  bool second = b + 1 < blocks && (b + 1) * kMaskRows < n1;
  const uint64_t *lo = packed + b * count, *hi = lo + count;
  // int8 sums take kWiden groups (|lookup| <= 28); int16 sums take 256
  // such widenings (256 * 4 * 28 < 2^15) before going to int32.
  constexpr int kWiden = 4;
  __m256i wide[MB][2];
  int32_t sums[MB][2 * kMaskRows] = {};
  for (int i = 0; i < MB; ++i)
    wide[i][0] = wide[i][1] = _mm256_setzero_si256();
  int widenings = 0;
  for (int64_t g0 = 0; g0 < count; g0 += kWiden) {
    int64_t g1 = std::min<int64_t>(count, g0 + kWiden);
    __m256i acc[MB];
    for (int i = 0; i < MB; ++i)
      acc[i] = _mm256_setzero_si256();
    for (int64_t g = g0; g < g1; ++g) {
      __m256i idx = indices(lo[g], second ? hi[g] : 0);
      for (int i = 0; i < MB; ++i)
        acc[i] = _mm256_add_epi8(
            acc[i], _mm256_shuffle_epi8(tables[i * count + g], idx));
    }
    for (int i = 0; i < MB; ++i) {
      wide[i][0] = _mm256_add_epi16(
          wide[i][0], _mm256_cvtepi8_epi16(_mm256_castsi256_si128(acc[i])));
      wide[i][1] = _mm256_add_epi16(
          wide[i][1],
          _mm256_cvtepi8_epi16(_mm256_extracti128_si256(acc[i], 1)));
    }
    if (++widenings == 256 || g1 == count) {
      widenings = 0;
      for (int i = 0; i < MB; ++i)
        for (int h = 0; h < 2; ++h) {
          alignas(32) int16_t lanes[16];
          _mm256_store_si256(reinterpret_cast<__m256i *>(lanes), wide[i][h]);
          for (int q = 0; q < 16; ++q)
            sums[i][h * 16 + q] += lanes[q];
          wide[i][h] = _mm256_setzero_si256();
        }
    }
  }
  // sum s x = 2 sum b x - rowsum(x).
  int32_t dots[1][MB][kMaskRows];
  for (int h = 0; h < (second ? 2 : 1); ++h) {
    for (int i = 0; i < MB; ++i)
      for (int q = 0; q < 16; ++q)
        dots[0][i][rowOfPosition(q)] = 2 * sums[i][h * 16 + q] - rowSums[i];
    finishBlock<MB>(a, dots, m, b + h, n1);
  }
}

} // namespace

void bgemmLutAvx2(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                  int64_t n1) {
  int64_t count = maskGroups(a.k);
  auto *tables =
      threadScratch<__m256i>(ScratchSlot::LookupTables, kRows * count);
  for (int64_t m = m0; m < m1;) {
    int rows = m1 - m >= kRows ? kRows : 1;
    int32_t rowSums[kRows];
    for (int i = 0; i < rows; ++i)
      rowSums[i] = codeRowSum(a, m + i);
    buildTables(a, m, rows, count, tables);
    for (int64_t b = n0 / kMaskRows; b * kMaskRows < n1; b += 2) {
      if (rows == kRows)
        tile<kRows>(a, tables, count, m, b, n1, rowSums);
      else
        tile<1>(a, tables, count, m, b, n1, rowSums);
    }
    m += rows;
  }
}

} // namespace bnrt
