//===- igemm_neon_common.h - int8 GEMM lanes for NEON -----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Four q registers hold 16 columns; each 16-byte quarter of a packed group
// is 4 columns x 4 rows, so Step::dot(acc, b, a) adds, per int32 lane, the
// 4 products of one column with the broadcast 4-byte piece of a.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_IGEMM_NEON_COMMON_H
#define BNRT_SRC_IGEMM_NEON_COMMON_H

#include "kernels/igemm_impl.h"

#include <arm_neon.h>

namespace bnrt {

template <class Step> struct NeonLanes {
  struct Acc {
    int32x4_t q[4];
  };
  struct B {
    int8x16_t q[4];
  };
  using A = int8x16_t;
  static Acc zero() {
    return {{vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)}};
  }
  static B load(const int8_t *p) {
    return {
        {vld1q_s8(p), vld1q_s8(p + 16), vld1q_s8(p + 32), vld1q_s8(p + 48)}};
  }
  static A broadcast(int32_t piece) {
    return vreinterpretq_s8_s32(vdupq_n_s32(piece));
  }
  static void step(Acc &acc, A a, const B &b) {
    for (int r = 0; r < 4; ++r)
      acc.q[r] = Step::dot(acc.q[r], b.q[r], a);
  }
  static void store(const Acc &acc, int32_t *out, int count) {
    int32_t tmp[16];
    for (int r = 0; r < 4; ++r)
      vst1q_s32(tmp + 4 * r, acc.q[r]);
    std::memcpy(out, tmp, count * sizeof(int32_t));
  }
};

} // namespace bnrt

#endif // BNRT_SRC_IGEMM_NEON_COMMON_H
