//===- igemm_avx2.h - the AVX2 int8 GEMM's vector operations ---*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// igemmLoop's operations on 256-bit vectors (igemm_impl.h), shared by the
// AVX2 kernel and its AVX-VNNI form, which replaces only `step`.
// vpmaddubsw multiplies unsigned by signed bytes into saturating int16
// pairs: |a| goes in the unsigned slot and b takes a's sign (vpsignb), so
// no pair exceeds 2 * 128 * 127 < 2^15 (packing maps -128 in b to -127).
// vpmaddwd against ones widens the pairs to the 4-product int32 lane.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_IGEMM_AVX2_H
#define BNRT_SRC_IGEMM_AVX2_H

#include "kernels/igemm_impl.h"

#include <immintrin.h>

#include <cstring>

namespace bnrt {
namespace {

struct Avx2 {
  struct Acc {
    __m256i lo, hi; // columns 0-7, 8-15
  };
  struct A {
    __m256i value, magnitude;
  };
  using B = Acc;
  static Acc zero() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
  static B load(const int8_t *p) {
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 32))};
  }
  static A broadcast(int32_t piece) {
    __m256i v = _mm256_set1_epi32(piece);
    return {v, _mm256_abs_epi8(v)};
  }
  static __m256i dot(A a, __m256i b) {
    __m256i pairs =
        _mm256_maddubs_epi16(a.magnitude, _mm256_sign_epi8(b, a.value));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  }
  static void step(Acc &acc, A a, B b) {
    acc.lo = _mm256_add_epi32(acc.lo, dot(a, b.lo));
    acc.hi = _mm256_add_epi32(acc.hi, dot(a, b.hi));
  }
  static void store(Acc acc, int32_t *out, int count) {
    if (count == 16) {
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), acc.lo);
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + 8), acc.hi);
      return;
    }
    alignas(32) int32_t tmp[16];
    _mm256_store_si256(reinterpret_cast<__m256i *>(tmp), acc.lo);
    _mm256_store_si256(reinterpret_cast<__m256i *>(tmp + 8), acc.hi);
    std::memcpy(out, tmp, count * sizeof(int32_t));
  }
};

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_IGEMM_AVX2_H
