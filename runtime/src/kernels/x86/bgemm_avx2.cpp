//===- bgemm_avx2.cpp - bit-plane GEMM with AVX2 --------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// With the mask layout (bnrt_bgemm_pack; bgemm_impl.h), vectorized over N
// as the AVX-512 kernel: each 32-bit half of a group's mask is spread to
// 32 bytes b = (s + 1) / 2 in {0, 1} (8 weight rows x 4 columns, one int32
// lane per row; 4 ops), and vpmaddubsw multiplies them by the broadcast 4
// activation bytes into int16 pairs. Pairs are at most 2 * 127, so the
// int16 accumulators take kFlush groups before vpmaddwd widens them; the
// epilogue forms sum s x = 2 sum b x - rowsum(x). 4 activation rows x 16
// weight rows keep 8 accumulators in registers; weights are never
// expanded in memory.
//
// Without the mask layout (`packed` NULL), a K-vectorized kernel reads the
// canonical planes: 32 bits spread to +1/-1 bytes applied to the
// activations with vpsignb, vpmaddubsw + vpmaddwd into int32 lanes, one
// horizontal sum per output.
//
//===----------------------------------------------------------------------===//
#include "bnrt/bitpack.h"
#include "kernels/x86/bgemm_avx2_common.h"
#include "scratch.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace bnrt {
namespace {

/// +1/-1 bytes for 32 sign bits (bit 1 -> -1).
inline __m256i expandSigns(uint32_t bits, __m256i spread, __m256i bitSelect,
                           __m256i ones) {
  __m256i v =
      _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), spread);
  __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(v, bitSelect), bitSelect);
  return _mm256_or_si256(set, ones);
}

inline int32_t horizontalSum(__m256i v) {
  __m128i s =
      _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

template <int MB, int NB>
void block(const bnrt_bgemm_args &a, int64_t m, int64_t n, int64_t words) {
  const __m256i spread =
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
                       2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const __m256i bitSelect =
      _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
  const __m256i ones8 = _mm256_set1_epi8(1);
  const __m256i ones16 = _mm256_set1_epi16(1);
  int32_t dots[MB][NB][8];
  for (int32_t p = 0; p < a.planes; ++p) {
    const uint64_t *rows[NB];
    for (int j = 0; j < NB; ++j)
      rows[j] = a.bits + (p * a.n + n + j) * words;
    __m256i acc[MB][NB];
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        acc[i][j] = _mm256_setzero_si256();
    for (int64_t w = 0; w < words; ++w) {
      for (int half = 0; half < 2; ++half) {
        int64_t col = w * 64 + half * 32;
        __m256i xv[MB];
        for (int i = 0; i < MB; ++i)
          xv[i] = _mm256_loadu_si256(
              reinterpret_cast<const __m256i *>(a.x + (m + i) * a.lda + col));
        for (int j = 0; j < NB; ++j) {
          __m256i s =
              expandSigns(static_cast<uint32_t>(rows[j][w] >> (32 * half)),
                          spread, bitSelect, ones8);
          for (int i = 0; i < MB; ++i) {
            __m256i prod = _mm256_sign_epi8(xv[i], s);
            __m256i pairs = _mm256_maddubs_epi16(ones8, prod);
            acc[i][j] =
                _mm256_add_epi32(acc[i][j], _mm256_madd_epi16(pairs, ones16));
          }
        }
      }
    }
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        dots[i][j][p] = horizontalSum(acc[i][j]);
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      a.y[(m + i) * a.ldy + n + j] = finishRow(a, n + j, dots[i][j]);
}

template <int MB>
void rowBlock(const bnrt_bgemm_args &a, int64_t m, int64_t n0, int64_t n1,
              int64_t words) {
  int64_t n = n0;
  for (; n + 4 <= n1; n += 4)
    block<MB, 4>(a, m, n, words);
  for (; n < n1; ++n)
    block<MB, 1>(a, m, n, words);
}

// Groups per int16 accumulation: a pair of panel bytes <= B times codes
// <= 127 sums to at most 2 * B * 127; 64 * 508 and 16 * 2032 < 2^15.
inline int64_t flushGroups(int32_t panelMax) { return panelMax <= 2 ? 64 : 16; }

/// {1, 0} bytes for 32 mask bits (byte j <- bit j) read from memory.
inline __m256i spreadMask(const void *bits) {
  const __m256i spread =
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
                       2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const __m256i bitSelect =
      _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
  int32_t word;
  std::memcpy(&word, bits, 4);
  __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(word), spread);
  return _mm256_min_epu8(_mm256_and_si256(v, bitSelect), _mm256_set1_epi8(1));
}

/// acc += b in place (the tied operand keeps GCC 12 from rotating the
/// accumulators through copies every iteration).
inline void addInPlace(__m256i &acc, __m256i b) {
  asm("vpaddw %1, %0, %0" : "+x"(acc) : "x"(b));
}

/// Exact dots of MB activation rows (from m) with a decoded panel:
/// out[i][row] = sum s x = 2 sum b x - rowsum(x).
template <int MB>
void panelDots(const bnrt_bgemm_args &a, const __m256i *panel, int64_t count,
               int64_t flush, int64_t m, const int32_t *rowSums,
               int32_t out[][kMaskRows]) {
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i wide[MB][2];
  for (int i = 0; i < MB; ++i)
    wide[i][0] = wide[i][1] = _mm256_setzero_si256();
  const int8_t *x = a.x + m * a.lda;
  for (int64_t c0 = 0; c0 < count; c0 += flush) {
    int64_t c1 = c0 + flush < count ? c0 + flush : count;
    __m256i acc[MB][2];
    for (int i = 0; i < MB; ++i)
      acc[i][0] = acc[i][1] = _mm256_setzero_si256();
    for (int64_t c = c0; c < c1; ++c) {
      __m256i lo = _mm256_load_si256(panel + 2 * c);
      __m256i hi = _mm256_load_si256(panel + 2 * c + 1);
      for (int i = 0; i < MB; ++i) {
        int32_t x4;
        std::memcpy(&x4, x + i * a.lda + 4 * c, 4);
        __m256i xv = _mm256_set1_epi32(x4);
        addInPlace(acc[i][0], _mm256_maddubs_epi16(lo, xv));
        addInPlace(acc[i][1], _mm256_maddubs_epi16(hi, xv));
      }
    }
    for (int i = 0; i < MB; ++i)
      for (int h = 0; h < 2; ++h)
        wide[i][h] =
            _mm256_add_epi32(wide[i][h], _mm256_madd_epi16(acc[i][h], ones16));
  }
  for (int i = 0; i < MB; ++i)
    for (int h = 0; h < 2; ++h) {
      __m256i dots = _mm256_sub_epi32(_mm256_slli_epi32(wide[i][h], 1),
                                      _mm256_set1_epi32(rowSums[i]));
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(out[i] + 8 * h), dots);
    }
}

/// Adds the {0, 1} bytes of one plane's masks to a panel of `count` groups
/// x 64 bytes (rows 0-7, then 8-15): one plane decoded, or the byte sum of
/// planes sharing a scale.
void addPlane(const uint64_t *masks, int64_t count, __m256i *panel) {
  for (int64_t c = 0; c < count; ++c) {
    const char *mask = reinterpret_cast<const char *>(masks + c);
    panel[2 * c] = _mm256_add_epi8(panel[2 * c], spreadMask(mask));
    panel[2 * c + 1] = _mm256_add_epi8(panel[2 * c + 1], spreadMask(mask + 4));
  }
}

/// MB activation rows from m against weight block b: `panels` holds one
/// panel per plane, or (`merged`) one panel of all planes' byte sums;
/// `vnni`: by AVX-VNNI.
template <int MB>
void panelRows(const bnrt_bgemm_args &a, const __m256i *panels, int64_t count,
               bool merged, bool vnni, int64_t m, int64_t b, int64_t n1,
               const int32_t *rowSums) {
  int32_t dots[kMaxPlanes][MB][kMaskRows];
  auto sweep = [&](const __m256i *panel, int32_t panelMax, int32_t p) {
    if (vnni)
      panelDotsAvxVnni(a, panel, count, m, MB, rowSums + m, dots[p]);
    else
      panelDots<MB>(a, panel, count, flushGroups(panelMax), m, rowSums + m,
                    dots[p]);
  };
  if (merged) { // sum_p dots_p in plane 0's slot, zeros in the others
    sweep(panels, a.planes, 0);
    for (int32_t p = 1; p < a.planes; ++p)
      std::memset(dots[p], 0, sizeof(dots[p]));
  } else {
    for (int32_t p = 0; p < a.planes; ++p)
      sweep(panels + p * 2 * count, 1, p);
  }
  finishBlock<MB>(a, dots, m, b, n1);
}

/// The packed path: per block of 16 weight rows, decode its planes once
/// into an L1/L2-resident panel (16 x K bytes, never the whole weight),
/// then sweep every activation row over it, 4 at a time. Planes that share
/// their scales (ternary, TWS) are summed into one panel: one pass.
void maskGemm(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
              int64_t n1) {
  const uint64_t *packed = static_cast<const uint64_t *>(a.packed);
  int64_t blocks = maskBlocks(a.n), count = maskGroups(a.k);
  bool merged = a.planes > 1 && sharedScales(a, n0, n1);
  bool vnni = avxVnniUsed();
  int32_t panelCount = merged ? 1 : a.planes;
  auto *panels =
      threadScratch<__m256i>(ScratchSlot::BgemmPanels, panelCount * count * 2);
  int32_t *rowSums = threadScratch<int32_t>(ScratchSlot::BgemmRowSums, m1);
  for (int64_t m = m0; m < m1; ++m) {
    int32_t s = codeRowSum(a, m);
    // sum_p dots_p = 2 sum (sum_p b_p) x - planes rowsum when merged.
    rowSums[m] = merged ? a.planes * s : s;
  }
  for (int64_t b = n0 / kMaskRows; b * kMaskRows < n1; ++b) {
    std::memset(panels, 0, panelCount * count * 64);
    for (int32_t p = 0; p < a.planes; ++p)
      addPlane(packed + (p * blocks + b) * count, count,
               panels + (merged ? 0 : p * 2 * count));
    int64_t m = m0;
    for (; m + 4 <= m1; m += 4)
      panelRows<4>(a, panels, count, merged, vnni, m, b, n1, rowSums);
    for (; m + 2 <= m1; m += 2)
      panelRows<2>(a, panels, count, merged, vnni, m, b, n1, rowSums);
    for (; m < m1; ++m)
      panelRows<1>(a, panels, count, merged, vnni, m, b, n1, rowSums);
  }
}

} // namespace

void bgemmAvx2(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  if (a.planes > kMaxPlanes)
    return bgemmScalar(a, m0, m1, n0, n1);
  if (a.packed && n0 % kMaskRows == 0) {
    // A4 and narrower codes on binary weights: table lookups.
    if (bgemmLookupRows(a, BNRT_ISA_AVX2))
      return bgemmLutAvx2(a, m0, m1, n0, n1);
    return maskGemm(a, m0, m1, n0, n1);
  }
  int64_t words = bnrt_bitpack_row_words(a.k);
  int64_t m = m0;
  for (; m + 2 <= m1; m += 2)
    rowBlock<2>(a, m, n0, n1, words);
  for (; m < m1; ++m)
    rowBlock<1>(a, m, n0, n1, words);
}

} // namespace bnrt
