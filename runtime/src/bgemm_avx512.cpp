//===- bgemm_avx512.cpp - bit-plane GEMM with AVX-512 VNNI ----------------===//
//
// Per 64 columns: the packed word is a k-mask; one blend turns it into
// +1/-1 bytes in a register (bit 1 -> -1) and vpdpbusd multiplies them with
// the activations. vpdpbusd wants unsigned activations, so it sees x + 128
// (x xor 0x80) and the kernel subtracts 128 * sum_k B[n, k] =
// 128 * (64 W - 2 popcount(row)) afterwards. Padded columns (x = 0, bit 0)
// contribute 128 to both sides and cancel. A block of 4 activation rows x 4
// weight rows keeps 16 accumulators in registers.
//
//===----------------------------------------------------------------------===//
#include "bgemm_impl.h"
#include "bnrt/bitpack.h"

#include <immintrin.h>

namespace bnrt {
namespace {

template <int MB, int NB>
void block(const bnrt_bgemm_args &a, int64_t m, int64_t n, int64_t words) {
  const __m512i plus = _mm512_set1_epi8(1), minus = _mm512_set1_epi8(-1);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  int32_t dots[MB][NB][8];
  for (int32_t p = 0; p < a.planes; ++p) {
    const uint64_t *rows[NB];
    int64_t ones[NB];
    for (int j = 0; j < NB; ++j) {
      rows[j] = a.bits + (p * a.n + n + j) * words;
      ones[j] = 0;
      for (int64_t w = 0; w < words; ++w)
        ones[j] += __builtin_popcountll(rows[j][w]);
    }
    __m512i acc[MB][NB];
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        acc[i][j] = _mm512_setzero_si512();
    for (int64_t w = 0; w < words; ++w) {
      __m512i xv[MB];
      for (int i = 0; i < MB; ++i)
        xv[i] = _mm512_xor_si512(
            _mm512_loadu_si512(a.x + (m + i) * a.lda + w * 64), flip);
      for (int j = 0; j < NB; ++j) {
        __m512i s = _mm512_mask_blend_epi8(rows[j][w], plus, minus);
        for (int i = 0; i < MB; ++i)
          acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], xv[i], s);
      }
    }
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        dots[i][j][p] = _mm512_reduce_add_epi32(acc[i][j]) -
                        128 * static_cast<int32_t>(64 * words - 2 * ones[j]);
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      a.y[(m + i) * a.ldy + n + j] = finishRow(a, n + j, dots[i][j]);
}

/// Rows [m0, m1) against weight rows [n0, n1) in NB-wide column blocks.
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

void bgemmAvx512(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                 int64_t n1) {
  if (a.planes > 8)
    return bgemmScalar(a, m0, m1, n0, n1);
  int64_t words = bnrt_bitpack_row_words(a.k);
  int64_t m = m0;
  for (; m + 4 <= m1; m += 4)
    rowBlock<4>(a, m, n0, n1, words);
  for (; m < m1; ++m)
    rowBlock<1>(a, m, n0, n1, words);
}

} // namespace bnrt
