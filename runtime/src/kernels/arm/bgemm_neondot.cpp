//===- bgemm_neondot.cpp - bit-plane GEMM with NEON dot product -----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// With the mask layout (bnrt_bgemm_pack; bgemm_impl.h): like the AVX2
// kernel, each block of 16 weight rows is decoded once into a panel, here
// of +1/-1 bytes (sdot is signed x signed, so no rowsum correction), and
// all activation rows stream over it: a broadcast 4-byte piece of a row
// against 4 panel vectors (4 weight rows x 4 columns each) is 4 sdot into
// int32 lanes = weight rows. Planes sharing a scale are summed into one
// panel (bytes in [-P, P]); 4 activation rows x 16 weight rows keep 16
// accumulators. Without the layout: the K-vectorized loop of
// bgemm_neon_common.h with the +1/-1 bytes to sdot. Compiled with
// +dotprod; selected only when HWCAP reports it.
//
//===----------------------------------------------------------------------===//
#include "kernels/arm/bgemm_neon_common.h"
#include "kernels/bgemm_impl.h"
#include "kernels/mca.h"
#include "scratch.h"

#include <cstring>
#include <vector>

namespace bnrt {
namespace {

constexpr int kMaxPlanes = 8;

struct DotStep {
  static int32x4_t step(int32x4_t acc, int8x16_t x, uint8x16_t set) {
    int8x16_t s = vreinterpretq_s8_u8(vorrq_u8(set, vdupq_n_u8(1)));
    return vdotq_s32(acc, x, s);
  }
};

/// Adds the +1/-1 bytes of one plane's masks (bit set = +1) to a panel of
/// `count` groups x 64 bytes (4 vectors of 4 rows x 4 columns).
void addPlane(const uint64_t *masks, int64_t count, int8_t *panel) {
  for (int64_t c = 0; c < count; ++c)
    for (int r = 0; r < 4; ++r) {
      BNRT_MCA_BEGIN("bitplane-sdot-decode macs=0"); // per 16 bytes
      uint8x16_t set = spreadBits(static_cast<uint32_t>(masks[c] >> (16 * r)));
      int8x16_t s = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(set, vdupq_n_u8(2))),
                             vdupq_n_s8(1));
      int8_t *at = panel + c * 64 + r * 16;
      vst1q_s8(at, vaddq_s8(vld1q_s8(at), s));
      BNRT_MCA_END();
    }
}

template <int MB>
void panelRows(const bnrt_bgemm_args &a, const int8_t *panels, int64_t count,
               int32_t panelCount, int64_t m, int64_t b, int64_t n1) {
  int32_t dots[MB][kMaskRows][kMaxPlanes] = {};
  for (int32_t p = 0; p < panelCount; ++p) {
    const int8_t *panel = panels + p * count * 64;
    int32x4_t acc[MB][4];
    for (int i = 0; i < MB; ++i)
      for (int r = 0; r < 4; ++r)
        acc[i][r] = vdupq_n_s32(0);
    for (int64_t c = 0; c < count; ++c) {
      if constexpr (MB == 4) {
        BNRT_MCA_BEGIN("bitplane-sdot-panels macs=256");
      }
      int8x16_t w[4];
      for (int r = 0; r < 4; ++r)
        w[r] = vld1q_s8(panel + c * 64 + r * 16);
      for (int i = 0; i < MB; ++i) {
        int32_t x4;
        std::memcpy(&x4, a.x + (m + i) * a.lda + 4 * c, 4);
        int8x16_t xv = vreinterpretq_s8_s32(vdupq_n_s32(x4));
        for (int r = 0; r < 4; ++r)
          acc[i][r] = vdotq_s32(acc[i][r], w[r], xv);
      }
      if constexpr (MB == 4) {
        BNRT_MCA_END();
      }
    }
    for (int i = 0; i < MB; ++i)
      for (int r = 0; r < 4; ++r) {
        int32_t lanes[4];
        vst1q_s32(lanes, acc[i][r]);
        for (int q = 0; q < 4; ++q)
          dots[i][4 * r + q][p] = lanes[q]; // merged: the sum, others 0
      }
  }
  for (int64_t row = 0; row < kMaskRows && b * kMaskRows + row < n1; ++row)
    for (int i = 0; i < MB; ++i)
      a.y[(m + i) * a.ldy + b * kMaskRows + row] =
          finishRow(a, b * kMaskRows + row, dots[i][row]);
}

void maskGemm(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
              int64_t n1) {
  const uint64_t *packed = static_cast<const uint64_t *>(a.packed);
  int64_t blocks = maskBlocks(a.n), count = maskGroups(a.k);
  bool merged = a.planes > 1 && sharedScales(a, n0, n1);
  int32_t panelCount = merged ? 1 : a.planes;
  size_t panelBytes = panelCount * count * 64;
  auto *panels = threadScratch<int8_t>(ScratchSlot::BgemmPanels, panelBytes);
  for (int64_t b = n0 / kMaskRows; b * kMaskRows < n1; ++b) {
    std::memset(panels, 0, panelBytes);
    for (int32_t p = 0; p < a.planes; ++p)
      addPlane(packed + (p * blocks + b) * count, count,
               panels + (merged ? 0 : p * count * 64));
    int64_t m = m0;
    for (; m + 4 <= m1; m += 4)
      panelRows<4>(a, panels, count, panelCount, m, b, n1);
    for (; m < m1; ++m)
      panelRows<1>(a, panels, count, panelCount, m, b, n1);
  }
}

} // namespace

void bgemmNeonDotPanels(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                        int64_t n0, int64_t n1) {
  if (a.packed && n0 % kMaskRows == 0 && a.planes <= kMaxPlanes)
    return maskGemm(a, m0, m1, n0, n1);
  neonBgemm<DotStep>(a, m0, m1, n0, n1);
}

void bgemmNeonDot(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                  int64_t n1) {
  neonBgemmRun(BNRT_ISA_NEONDOT, a, m0, m1, n0, n1);
}

} // namespace bnrt
