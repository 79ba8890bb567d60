//===- igemm_neondot.cpp - int8 GEMM with NEON dot product ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/arm/igemm_neon_common.h"

namespace bnrt {
namespace {

struct SdotStep {
  static int32x4_t dot(int32x4_t acc, int8x16_t b, int8x16_t a) {
    return vdotq_s32(acc, b, a);
  }
};

} // namespace

void igemmNeonDot(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  neonIgemm<SdotStep>(args, m0, m1);
}

} // namespace bnrt
