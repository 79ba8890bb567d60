//===- bgemm_avx2.cpp - bit-plane GEMM with AVX2 --------------------------===//
//
// Per 32 columns: the 32 bits are spread to bytes (broadcast, byte shuffle,
// bit test), turned into +1/-1 (bit 1 -> -1), and vpsignb applies them to
// the activations; vpmaddubsw + vpmaddwd sum the bytes into int32 lanes.
// A block of 2 activation rows x 4 weight rows keeps 8 accumulators.
//
//===----------------------------------------------------------------------===//
#include "bgemm_impl.h"
#include "bnrt/bitpack.h"

#include <immintrin.h>

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

} // namespace

void bgemmAvx2(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  if (a.planes > 8)
    return bgemmScalar(a, m0, m1, n0, n1);
  int64_t words = bnrt_bitpack_row_words(a.k);
  int64_t m = m0;
  for (; m + 2 <= m1; m += 2)
    rowBlock<2>(a, m, n0, n1, words);
  for (; m < m1; ++m)
    rowBlock<1>(a, m, n0, n1, words);
}

} // namespace bnrt
