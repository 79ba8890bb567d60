//===- sgemm_avx2.cpp - float GEMM, AVX2 + FMA: two ymm per 16 lanes ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/sgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Avx2Lanes {
  static constexpr bool kTrees4x4 = false;
  struct Vec {
    __m256 lo, hi; // lanes 0-7, 8-15
  };
  static Vec zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
  static Vec load(const float *p) {
    return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)};
  }
  static __m256 part8(const float *p, int count) {
    if (count <= 0)
      return _mm256_setzero_ps();
    __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(count), index);
    return _mm256_maskload_ps(p, mask);
  }
  static Vec loadPart(const float *p, int count) {
    return {part8(p, count), part8(p + 8, count - 8)};
  }
  static Vec fma(const Vec &a, const Vec &b, const Vec &acc) {
    return {_mm256_fmadd_ps(a.lo, b.lo, acc.lo),
            _mm256_fmadd_ps(a.hi, b.hi, acc.hi)};
  }
  static float tree(const Vec &v) {
    __m256 s8 = _mm256_add_ps(v.lo, v.hi); // l + 8
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8),
                           _mm256_extractf128_ps(s8, 1)); // l + 4
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));    // l + 2
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
  }
};

} // namespace

// 3 x 2 blocks: 12 ymm accumulators (measured best of 2x2, 2x3, 3x2).
void sgemmAvx2(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmTiles<Avx2Lanes, 3, 2>(args, n0, n1);
}

} // namespace bnrt
