//===- bgemm_avxvnni.cpp - the AVX2 bit-plane panels by AVX-VNNI ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The AVX2 kernel's panel sweep (bgemm_avx2.cpp) with vpdpbusd on 256 bits
// where the CPU has AVX-VNNI: the panel's {0, 1} bytes (or the byte sums of
// planes sharing a scale) in the unsigned slot, 4 broadcast activation
// codes in the signed one, straight into int32 lanes - one instruction per
// 32 multiply-adds where vpmaddubsw + vpaddw took two, and no int16 sums to
// widen. Same exact dots, so the same bits.
//
//===----------------------------------------------------------------------===//
#include "kernels/bgemm_impl.h"
#include "kernels/x86/vnni.h"

#include <cstring>

namespace bnrt {
namespace {

/// Rows 0-7 and 8-15 of the block: out[0..8) and out[8..16) of one row.
void storeDots(__m256i lo, __m256i hi, int32_t rowSum, int32_t *out) {
  __m256i sums = _mm256_set1_epi32(rowSum);
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(out),
                      _mm256_sub_epi32(_mm256_slli_epi32(lo, 1), sums));
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + 8),
                      _mm256_sub_epi32(_mm256_slli_epi32(hi, 1), sums));
}

// Named accumulators (an array of them GCC 12 keeps on the stack, loading
// and storing around every vpdpbusd: 2.5x slower).
template <int MB>
void panelDots(const bnrt_bgemm_args &a, const __m256i *panel, int64_t count,
               int64_t m, const int32_t *rowSums, int32_t (*out)[kMaskRows]) {
  __m256i lo0 = _mm256_setzero_si256(), hi0 = lo0, lo1 = lo0, hi1 = lo0,
          lo2 = lo0, hi2 = lo0, lo3 = lo0, hi3 = lo0;
  const int8_t *x = a.x + m * a.lda;
  auto codes = [&](int i, int64_t c) {
    int32_t x4;
    std::memcpy(&x4, x + i * a.lda + 4 * c, 4);
    return _mm256_set1_epi32(x4);
  };
  for (int64_t c = 0; c < count; ++c) {
    __m256i bLo = _mm256_load_si256(panel + 2 * c);
    __m256i bHi = _mm256_load_si256(panel + 2 * c + 1);
    __m256i x0 = codes(0, c);
    dpbusdAvx(lo0, bLo, x0);
    dpbusdAvx(hi0, bHi, x0);
    if constexpr (MB >= 2) {
      __m256i x1 = codes(1, c);
      dpbusdAvx(lo1, bLo, x1);
      dpbusdAvx(hi1, bHi, x1);
    }
    if constexpr (MB == 4) {
      __m256i x2 = codes(2, c), x3 = codes(3, c);
      dpbusdAvx(lo2, bLo, x2);
      dpbusdAvx(hi2, bHi, x2);
      dpbusdAvx(lo3, bLo, x3);
      dpbusdAvx(hi3, bHi, x3);
    }
  }
  storeDots(lo0, hi0, rowSums[0], out[0]);
  if constexpr (MB >= 2)
    storeDots(lo1, hi1, rowSums[1], out[1]);
  if constexpr (MB == 4) {
    storeDots(lo2, hi2, rowSums[2], out[2]);
    storeDots(lo3, hi3, rowSums[3], out[3]);
  }
}

} // namespace

void panelDotsAvxVnni(const bnrt_bgemm_args &a, const void *panel,
                      int64_t count, int64_t m, int rows,
                      const int32_t *rowSums, int32_t (*out)[kMaskRows]) {
  const auto *p = static_cast<const __m256i *>(panel);
  switch (rows) {
  case 4:
    return panelDots<4>(a, p, count, m, rowSums, out);
  case 2:
    return panelDots<2>(a, p, count, m, rowSums, out);
  default:
    return panelDots<1>(a, p, count, m, rowSums, out);
  }
}

} // namespace bnrt
