//===- bgemm_neon.cpp - bit-plane GEMM with AArch64 NEON ------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Per 16 columns: the 16 sign bits are spread to bytes (vtst against the bit
// of each lane) and select -x or x (bit 1 -> -x); pairwise widening adds
// (vpaddl, vpadal) sum the bytes into int32 lanes. Baseline Advanced SIMD,
// for cores without the dot-product extension (Cortex-A53/A72).
//
//===----------------------------------------------------------------------===//
#include "kernels/arm/bgemm_neon_common.h"
#include "kernels/bgemm_impl.h"

namespace bnrt {
namespace {

struct NeonStep {
  static int32x4_t step(int32x4_t acc, int8x16_t x, uint8x16_t set) {
    int8x16_t signedX = vbslq_s8(set, vnegq_s8(x), x);
    return vpadalq_s16(acc, vpaddlq_s8(signedX));
  }
};

} // namespace

void bgemmNeonBytes(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                    int64_t n0, int64_t n1) {
  neonBgemm<NeonStep>(a, m0, m1, n0, n1);
}

void bgemmNeon(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  neonBgemmRun(BNRT_ISA_NEON, a, m0, m1, n0, n1);
}

} // namespace bnrt
