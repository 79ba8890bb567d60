//===- igemm_avx512.cpp - int8 GEMM with AVX-512 VNNI ---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// vpdpbusd multiplies unsigned by signed bytes: the row of a goes in the
// unsigned slot as a + 128 (a XOR 0x80), so each lane gets
// sum (a + 128) b = sum a b + 128 colsum(b), and the store subtracts
// 128 colsum(b). One zmm accumulates 16 columns of one row.
//
//===----------------------------------------------------------------------===//
#include "igemm_impl.h"
#include "vnni.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Avx512 {
  using Acc = __m512i;
  using A = __m512i;
  using B = __m512i;
  static Acc zero() { return _mm512_setzero_si512(); }
  static B load(const int8_t *p) { return _mm512_loadu_si512(p); }
  static A broadcast(int32_t piece) {
    return _mm512_set1_epi32(piece ^ static_cast<int32_t>(0x80808080u));
  }
  static void step(Acc &acc, A a, B b) { dpbusd(acc, a, b); }
  static void store(Acc acc, const int32_t *colSums, int32_t *out, int count) {
    __mmask16 valid =
        count == 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
    __m512i sums =
        _mm512_mullo_epi32(_mm512_loadu_si512(colSums), _mm512_set1_epi32(128));
    _mm512_mask_storeu_epi32(out, valid, _mm512_sub_epi32(acc, sums));
  }
};

} // namespace

void igemmAvx512(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  igemmLoop<Avx512>(args, m0, m1);
}

} // namespace bnrt
