//===- sgemm_neon.cpp - float GEMM, NEON: 4 outputs per q register --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/sgemm_impl.h"

#include <arm_neon.h>

namespace bnrt {
namespace {

// 6 x 4 blocks: 24 q accumulators, 4 for the panel's row, 1 broadcast.
struct NeonLanes {
  using Vec = float32x4_t;
  static constexpr int kLanes = 4, kRows = 6, kCols = 4;
  static constexpr bool kMcaBlock = true;
  static Vec zero() { return vdupq_n_f32(0.0f); }
  static Vec load(const float *p) { return vld1q_f32(p); }
  static Vec loadPart(const float *p, int count) {
    if (count == kLanes)
      return load(p);
    float lanes[kLanes] = {};
    for (int l = 0; l < count; ++l)
      lanes[l] = p[l];
    return load(lanes);
  }
  static void storePart(float *p, Vec v, int count) {
    if (count == kLanes)
      return vst1q_f32(p, v);
    float lanes[kLanes];
    vst1q_f32(lanes, v);
    for (int l = 0; l < count; ++l)
      p[l] = lanes[l];
  }
  static Vec broadcast(const float *p) { return vld1q_dup_f32(p); }
  static Vec fma(Vec a, Vec b, Vec acc) { return vfmaq_f32(acc, a, b); }
  static Vec add(Vec a, Vec b) { return vaddq_f32(a, b); }
};

} // namespace

void sgemmNeon(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmPanels<NeonLanes>(args, n0, n1);
}

} // namespace bnrt
