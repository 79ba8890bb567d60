//===- bgemm_f32_neon.cpp - float x bit planes by tbl lookups, NEON -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A group's 16-entry table is 64 bytes, four q registers, and one tbl
// (vqtbl4q_u8) looks up 4 weight rows' entries: each row's pattern q
// becomes the byte indices 4q .. 4q + 3 of its float. Tiles of 4
// activation rows x 16 weight rows (16 q accumulators).
//
//===----------------------------------------------------------------------===//
#include "kernels/bgemm_f32_impl.h"
#include "kernels/mca.h"

#include <arm_neon.h>

namespace bnrt {
namespace {

struct NeonLookup {
  static constexpr int kRows = kBgemmF32Rows, kBlocks = 1;

  static void buildTables(const float *x, int64_t k, float *out) {
    uint32x4_t sign[4][4]; // [quarter of the entries][t]
    for (unsigned j = 0; j < 4; ++j)
      for (int t = 0; t < 4; ++t) {
        uint32_t s[4];
        for (unsigned e = 0; e < 4; ++e)
          s[e] = ((4 * j + e) >> t) & 1 ? 0x80000000u : 0u;
        sign[j][t] = vld1q_u32(s);
      }
    for (int64_t g = 0; 4 * g < k; ++g) {
      float v[4] = {};
      for (int t = 0; t < 4 && 4 * g + t < k; ++t)
        v[t] = x[4 * g + t];
      for (int j = 0; j < 4; ++j) {
        auto term = [&](int t) {
          return vreinterpretq_f32_u32(
              veorq_u32(vreinterpretq_u32_f32(vdupq_n_f32(v[t])), sign[j][t]));
        };
        float32x4_t table =
            vaddq_f32(vaddq_f32(vaddq_f32(term(0), term(1)), term(2)), term(3));
        vst1q_f32(out + 16 * g + 4 * j, table);
      }
    }
  }

  template <int R, int C>
  static void tile(const F32Patterns &layout, const float *tables,
                   const uint8_t *patterns, float (*dots)[kBlocks * 16]) {
    static_assert(C == 1, "one block of 16 weight rows");
    float32x4_t acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j)
        acc[r][j] = vdupq_n_f32(0.0f);
    int64_t rowTables = layout.groups * 16;
    // Quarter j of the rows: each row's pattern byte 4 times, then 4q + e.
    uint8x16_t spread[4];
    for (int j = 0; j < 4; ++j) {
      uint8_t s[16];
      for (int e = 0; e < 16; ++e)
        s[e] = static_cast<uint8_t>(4 * j + e / 4);
      spread[j] = vld1q_u8(s);
    }
    const uint8x16_t byteOfFloat = {0, 1, 2, 3, 0, 1, 2, 3,
                                    0, 1, 2, 3, 0, 1, 2, 3};
    auto lookup = [&](uint8x16_t signs, int64_t g) {
      uint8x16_t index[4];
      for (int j = 0; j < 4; ++j)
        index[j] =
            vaddq_u8(vshlq_n_u8(vqtbl1q_u8(signs, spread[j]), 2), byteOfFloat);
      for (int r = 0; r < R; ++r) {
        uint8x16x4_t table =
            vld1q_u8_x4(reinterpret_cast<const uint8_t *>(tables) +
                        4 * (r * rowTables + 16 * g));
        for (int j = 0; j < 4; ++j)
          acc[r][j] = vaddq_f32(
              acc[r][j], vreinterpretq_f32_u8(vqtbl4q_u8(table, index[j])));
      }
    };
    for (int64_t h = 0; h < layout.pairs; ++h) {
      if constexpr (R == kRows) {
        BNRT_MCA_BEGIN("weight-only-float macs=512");
      }
      uint8x16_t both = vld1q_u8(patterns + 16 * h);
      lookup(vandq_u8(both, vdupq_n_u8(15)), 2 * h);
      if (2 * h + 1 < layout.groups)
        lookup(vshrq_n_u8(both, 4), 2 * h + 1);
      if constexpr (R == kRows) {
        BNRT_MCA_END();
      }
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j)
        vst1q_f32(dots[r] + 4 * j, acc[r][j]);
  }
};

} // namespace

void bgemmF32Neon(const bnrt_bgemm_f32_args &args, int64_t n0, int64_t n1) {
  bgemmF32Tiles<NeonLookup>(args, n0, n1);
}

} // namespace bnrt
