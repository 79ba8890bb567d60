//===- igemm_neon.cpp - int8 GEMM with baseline NEON ----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/arm/igemm_neon_common.h"

namespace bnrt {
namespace {

struct WideningStep {
  /// Widening multiplies (exact in int16), then two pairwise adds bring
  /// each column's 4 products into one int32 lane.
  static int32x4_t dot(int32x4_t acc, int8x16_t b, int8x16_t a) {
    int16x8_t lo = vmull_s8(vget_low_s8(b), vget_low_s8(a));
    int16x8_t hi = vmull_high_s8(b, a);
    return vaddq_s32(acc, vpaddq_s32(vpaddlq_s16(lo), vpaddlq_s16(hi)));
  }
};

} // namespace

void igemmNeon(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  neonIgemm<WideningStep>(args, m0, m1);
}

} // namespace bnrt
