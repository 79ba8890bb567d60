//===- sgemm_neon.cpp - float GEMM, NEON: four q registers per 16 lanes ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/sgemm_impl.h"

#include <arm_neon.h>

namespace bnrt {
namespace {

struct NeonLanes {
  static constexpr bool kTrees4x4 = false;
  struct Vec {
    float32x4_t q[4]; // lanes 4i .. 4i + 3
  };
  static Vec zero() {
    Vec v;
    for (auto &q : v.q)
      q = vdupq_n_f32(0.0f);
    return v;
  }
  static Vec load(const float *p) {
    Vec v;
    for (int i = 0; i < 4; ++i)
      v.q[i] = vld1q_f32(p + 4 * i);
    return v;
  }
  static Vec loadPart(const float *p, int count) {
    float lanes[kSgemmLanes] = {};
    for (int l = 0; l < count; ++l)
      lanes[l] = p[l];
    return load(lanes);
  }
  static Vec fma(const Vec &a, const Vec &b, Vec acc) {
    for (int i = 0; i < 4; ++i)
      acc.q[i] = vfmaq_f32(acc.q[i], a.q[i], b.q[i]);
    return acc;
  }
  static float tree(const Vec &v) {
    float32x4_t s4 = vaddq_f32(vaddq_f32(v.q[0], v.q[2]),  // l + 8
                               vaddq_f32(v.q[1], v.q[3])); // l + 4
    float32x2_t s2 = vadd_f32(vget_low_f32(s4), vget_high_f32(s4));
    return vget_lane_f32(s2, 0) + vget_lane_f32(s2, 1);
  }
};

} // namespace

// 2 x 2 blocks: 16 q accumulators, 16 for the loaded rows.
void sgemmNeon(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmTiles<NeonLanes, 2, 2>(args, n0, n1);
}

} // namespace bnrt
