//===- xgemm_neon.cpp - fully binary GEMM on NEON -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A q register holds 2 weight rows' word, four a panel block: veor (vand),
// vcnt counts each byte and vadd accumulates the byte counts for up to 31
// words, then pairwise widening adds fold them into each lane's count.
// Tiles of 4 activation rows x 8 weight rows (16 accumulators). Baseline
// Advanced SIMD: every AArch64 path runs it.
//
//===----------------------------------------------------------------------===//
#include "kernels/xgemm_impl.h"

#include <arm_neon.h>

namespace bnrt {
namespace {

struct Q {
  // 4 rows x 8 weight rows: 16 byte accumulators of the 32 q registers.
  static constexpr int kLanes = 2, kRows = 4, kBlocks = 1;
  // A byte's count grows by at most 8 a word: 31 words stay below 256.
  static constexpr int64_t kChunkWords = 31;
  using Vec = uint64x2_t;
  using Acc = uint8x16_t;
  static void mcaBegin() { BNRT_MCA_BEGIN("xnor-popcount macs=2048"); }
  static Acc zero() { return vdupq_n_u8(0); }
  static Vec load(const uint64_t *p) { return vld1q_u64(p); }
  static Vec broadcast(uint64_t x) { return vdupq_n_u64(x); }
  static Vec bitXor(Vec x, Vec w) { return veorq_u64(x, w); }
  static Vec bitAnd(Vec x, Vec w) { return vandq_u64(x, w); }
  static Vec maskedXor(Vec m, Vec x, Vec w) {
    return vandq_u64(m, veorq_u64(x, w));
  }
  static Acc count(Acc acc, Vec bits) {
    return vaddq_u8(acc, vcntq_u8(vreinterpretq_u8_u64(bits)));
  }
  static void store(Acc acc, int32_t *out, bool add) {
    // Each 64-bit lane's 8 byte counts summed (< 2^31 in all).
    int32x2_t counts = vreinterpret_s32_u32(
        vmovn_u64(vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(acc)))));
    vst1_s32(out, add ? vadd_s32(vld1_s32(out), counts) : counts);
  }
};

} // namespace

void xgemmNeon(const bnrt_xgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  xgemmLoop<Q>(a, m0, m1, n0, n1);
}

} // namespace bnrt
