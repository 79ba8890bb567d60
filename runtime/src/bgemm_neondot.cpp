//===- bgemm_neondot.cpp - bit-plane GEMM with NEON dot product -----------===//
//
// As bgemm_neon.cpp, but the +1/-1 bytes (bit 1 -> -1) go to sdot, which
// multiplies and sums 4 byte pairs per int32 lane in one instruction.
// Compiled with +dotprod; selected only when HWCAP reports it.
//
//===----------------------------------------------------------------------===//
#include "bgemm_impl.h"
#include "bgemm_neon_common.h"

namespace bnrt {
namespace {

struct DotStep {
  static int32x4_t step(int32x4_t acc, int8x16_t x, uint8x16_t set) {
    int8x16_t s = vreinterpretq_s8_u8(vorrq_u8(set, vdupq_n_u8(1)));
    return vdotq_s32(acc, x, s);
  }
};

} // namespace

void bgemmNeonDot(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                  int64_t n1) {
  neonBgemm<DotStep>(a, m0, m1, n0, n1);
}

} // namespace bnrt
