//===- sgemm_avx512.cpp - float GEMM, AVX-512: 16 outputs per zmm ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/sgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

// 6 x 4 blocks: 24 zmm accumulators, 4 for the panel's row, 1 broadcast.
struct Avx512Lanes {
  using Vec = __m512;
  static constexpr int kLanes = 16, kRows = 6, kCols = 4;
  static constexpr bool kMcaBlock = false;
  static __mmask16 first(int count) {
    return static_cast<__mmask16>((1u << count) - 1);
  }
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec load(const float *p) { return _mm512_loadu_ps(p); }
  static Vec loadPart(const float *p, int count) {
    return _mm512_maskz_loadu_ps(first(count), p);
  }
  static void storePart(float *p, Vec v, int count) {
    _mm512_mask_storeu_ps(p, first(count), v);
  }
  static Vec broadcast(const float *p) { return _mm512_set1_ps(*p); }
  static Vec fma(Vec a, Vec b, Vec acc) { return _mm512_fmadd_ps(a, b, acc); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
};

} // namespace

void sgemmAvx512(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmPanels<Avx512Lanes>(args, n0, n1);
}

} // namespace bnrt
