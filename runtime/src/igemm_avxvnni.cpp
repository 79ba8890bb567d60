//===- igemm_avxvnni.cpp - int8 GEMM with AVX-VNNI ------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The AVX2 kernel with vpdpbusd on 256 bits where the CPU has AVX-VNNI:
// |a| in the unsigned slot and b with a's sign in the signed one, four
// products straight into each int32 lane (no int16 pairs to widen), one
// instruction where vpmaddubsw + vpmaddwd + vpaddd took three.
//
//===----------------------------------------------------------------------===//
#include "igemm_avx2.h"
#include "vnni.h"

namespace bnrt {
namespace {

struct AvxVnni : Avx2 {
  static void step(Acc &acc, A a, B b) {
    dpbusdAvx(acc.lo, a.magnitude, _mm256_sign_epi8(b.lo, a.value));
    dpbusdAvx(acc.hi, a.magnitude, _mm256_sign_epi8(b.hi, a.value));
  }
};

} // namespace

void igemmAvxVnni(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  igemmLoop<AvxVnni>(args, m0, m1);
}

} // namespace bnrt
