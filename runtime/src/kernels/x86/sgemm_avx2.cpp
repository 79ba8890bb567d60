//===- sgemm_avx2.cpp - float GEMM, AVX2 + FMA: 8 outputs per ymm ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/sgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

// 6 x 2 blocks: 12 ymm accumulators, 2 for the panel's row, 1 broadcast
// (16 registers).
struct Avx2Lanes {
  using Vec = __m256;
  static constexpr int kLanes = 8, kRows = 6, kCols = 2;
  static constexpr bool kMcaBlock = false;
  static __m256i first(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec load(const float *p) { return _mm256_loadu_ps(p); }
  static Vec loadPart(const float *p, int count) {
    return count == kLanes ? load(p) : _mm256_maskload_ps(p, first(count));
  }
  static void storePart(float *p, Vec v, int count) {
    if (count == kLanes)
      _mm256_storeu_ps(p, v);
    else
      _mm256_maskstore_ps(p, first(count), v);
  }
  static Vec broadcast(const float *p) { return _mm256_broadcast_ss(p); }
  static Vec fma(Vec a, Vec b, Vec acc) { return _mm256_fmadd_ps(a, b, acc); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
};

} // namespace

void sgemmAvx2(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmPanels<Avx2Lanes>(args, n0, n1);
}

} // namespace bnrt
