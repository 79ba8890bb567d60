//===- bgemm_avx2_common.h - shared parts of the AVX2 GEMMs -----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The epilogue and helpers of the AVX2 bit-plane GEMMs (bgemm_avx2.cpp,
// bgemm_lut_avx2.cpp). Internal linkage: included by AVX2-compiled files
// only.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_AVX2_COMMON_H
#define BNRT_SRC_BGEMM_AVX2_COMMON_H

#include "kernels/bgemm_impl.h"

#include <immintrin.h>

#include <algorithm>

namespace bnrt {
namespace {

constexpr int kMaxPlanes = 8;

/// finishRow for 8 outputs n.. n+7 of activation row i, vectorized with
/// the same operations in the same order.
template <int MB>
void finish8(const bnrt_bgemm_args &a, int64_t n,
             const int32_t dots[][MB][kMaskRows], int i, int64_t r, float *y) {
  __m256 acc = _mm256_setzero_ps(), alpha0 = _mm256_setzero_ps();
  __m256 shared = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  __m256i sum = _mm256_setzero_si256();
  for (int32_t p = 0; p < a.planes; ++p) {
    __m256 alpha = a.per_row ? _mm256_loadu_ps(a.alpha + p * a.n + n)
                             : _mm256_set1_ps(a.alpha[p]);
    alpha0 = p == 0 ? alpha : alpha0;
    shared = _mm256_and_ps(shared, _mm256_cmp_ps(alpha, alpha0, _CMP_EQ_OQ));
    __m256i d =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(dots[p][i] + r));
    sum = _mm256_add_epi32(sum, d);
    acc = _mm256_add_ps(acc, _mm256_mul_ps(alpha, _mm256_cvtepi32_ps(d)));
  }
  __m256 combined = _mm256_add_ps(
      _mm256_setzero_ps(), _mm256_mul_ps(alpha0, _mm256_cvtepi32_ps(sum)));
  acc = _mm256_blendv_ps(acc, combined, shared);
  __m256 out = _mm256_mul_ps(_mm256_set1_ps(a.x_scale), acc);
  if (a.bias)
    out = _mm256_add_ps(out, _mm256_loadu_ps(a.bias + n));
  _mm256_storeu_ps(y, out);
}

/// y for activation rows m.. m+MB-1 and the weight rows of block b below
/// n1, from the integer dots of each plane (`dots[p][i][row in block]`).
template <int MB>
void finishBlock(const bnrt_bgemm_args &a, const int32_t dots[][MB][kMaskRows],
                 int64_t m, int64_t b, int64_t n1) {
  int64_t rows = std::min<int64_t>(kMaskRows, n1 - b * kMaskRows);
  for (int i = 0; i < MB; ++i)
    for (int64_t r = 0; r < rows; r += 8) {
      int64_t n = b * kMaskRows + r;
      if (rows - r >= 8) {
        finish8(a, n, dots, i, r, a.y + (m + i) * a.ldy + n);
        continue;
      }
      for (int64_t t = r; t < rows; ++t) {
        int32_t planeDots[kMaxPlanes];
        for (int32_t p = 0; p < a.planes; ++p)
          planeDots[p] = dots[p][i][t];
        a.y[(m + i) * a.ldy + n - r + t] = finishRow(a, n - r + t, planeDots);
      }
    }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_BGEMM_AVX2_COMMON_H
