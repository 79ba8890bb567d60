//===- igemm_avxvnni.cpp - int8 GEMM with AVX-VNNI ------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The AVX2 kernel with vpdpbusd on 256 bits where the CPU has AVX-VNNI:
// |a| in the unsigned slot and b with a's sign in the signed one, four
// products straight into each int32 lane (no int16 pairs to widen), one
// instruction where vpmaddubsw + vpmaddwd + vpaddd took three.
//
//===----------------------------------------------------------------------===//
#include "kernels/x86/igemm_avx2.h"
#include "kernels/x86/vnni.h"

namespace bnrt {
namespace {

struct AvxVnni : Avx2 {
  static void step(Acc &acc, A a, B b) {
    acc.lo =
        dpbusdAvxValue(acc.lo, a.magnitude, _mm256_sign_epi8(b.lo, a.value));
    acc.hi =
        dpbusdAvxValue(acc.hi, a.magnitude, _mm256_sign_epi8(b.hi, a.value));
  }
};

} // namespace

void igemmAvxVnni(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  // 4 rows x 1 block: 8 accumulators and the operands fit the 16 ymm
  // registers VEX can name (4 x 2 kept half of them on the stack).
  igemmLoop<AvxVnni, 1>(args, m0, m1);
}

} // namespace bnrt
