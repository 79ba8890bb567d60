//===- bgemm_neoni8mm.cpp - bit-plane GEMM with smmla (FEAT_I8MM) ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// As the dot-product kernel, each block of 16 weight rows is decoded once
// into a panel of +1/-1 bytes that all activation rows stream over, but
// the panel's vectors are smmla operands: 2 weight rows x 8 columns, read
// straight from the pair layout (bnrt_bgemm_pack; bgemm_impl.h), so one
// smmla adds 32 products where sdot adds 16. Two activation rows x 8
// columns are the other operand; tiles of 4 activation rows x 16 weight
// rows keep 16 accumulators of 2 x 2. Planes sharing a scale are summed
// into one panel (bytes in [-P, P]). Compiled with +i8mm; selected only
// when HWCAP2 reports it.
//
//===----------------------------------------------------------------------===//
#include "kernels/arm/bgemm_neon_common.h"
#include "kernels/arm/row_pairs.h"
#include "kernels/bgemm_impl.h"
#include "kernels/mca.h"
#include "scratch.h"

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

constexpr int kMaxPlanes = 8;
constexpr int kOperands = kMaskRows / 2; // weight-row pairs of a block
constexpr int kChunkBytes = 16 * kOperands;

/// Adds the +1/-1 bytes of one plane's pair masks (bit set = +1) to a
/// panel of `chunks` x 8 operands.
void addPlane(const uint64_t *pairs, int64_t chunks, int8_t *panel) {
  for (int64_t c = 0; c < chunks; ++c)
    for (int v = 0; v < kOperands; ++v) {
      BNRT_MCA_BEGIN("bitplane-smmla-decode macs=0"); // per 16 bytes
      uint8x16_t set = spreadBits(
          static_cast<uint32_t>(pairs[2 * c + v / 4] >> (16 * (v % 4))));
      int8x16_t s = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(set, vdupq_n_u8(2))),
                             vdupq_n_s8(1));
      int8_t *at = panel + c * kChunkBytes + v * 16;
      vst1q_s8(at, vaddq_s8(vld1q_s8(at), s));
      BNRT_MCA_END();
    }
}

/// Activation rows [m, m + count) (count <= 2 MP; their pairs from
/// `pairs`, rowPairs' layout) against weight block b.
template <int MP>
void panelRows(const bnrt_bgemm_args &a, const int8_t *panels, int64_t chunks,
               int32_t panelCount, const int8_t *pairs, int64_t m,
               int64_t count, int64_t b, int64_t n1) {
  int32_t dots[2 * MP][kMaskRows][kMaxPlanes] = {};
  for (int32_t p = 0; p < panelCount; ++p) {
    const int8_t *panel = panels + p * chunks * kChunkBytes;
    int32x4_t acc[MP][kOperands];
#pragma GCC unroll 2
    for (int i = 0; i < MP; ++i)
#pragma GCC unroll 8
      for (int v = 0; v < kOperands; ++v)
        acc[i][v] = vdupq_n_s32(0);
    const int8_t *xs = pairs;
    for (int64_t c = 0; c < chunks; ++c, panel += kChunkBytes, xs += 16) {
      if constexpr (MP == 2) {
        BNRT_MCA_BEGIN("bitplane-smmla-panels macs=512");
      }
      int8x16_t x[MP];
#pragma GCC unroll 2
      for (int i = 0; i < MP; ++i)
        x[i] = vld1q_s8(xs + i * chunks * 16);
#pragma GCC unroll 8
      for (int v = 0; v < kOperands; ++v) {
        int8x16_t w = vld1q_s8(panel + 16 * v);
#pragma GCC unroll 2
        for (int i = 0; i < MP; ++i)
          acc[i][v] = vmmlaq_s32(acc[i][v], x[i], w);
      }
      if constexpr (MP == 2) {
        BNRT_MCA_END();
      }
    }
    // acc[i][v]: activation rows 2i, 2i + 1 x weight rows 2v, 2v + 1.
    for (int i = 0; i < MP; ++i)
      for (int v = 0; v < kOperands; ++v) {
        int32_t lanes[4];
        vst1q_s32(lanes, acc[i][v]);
        for (int q = 0; q < 4; ++q)
          dots[2 * i + q / 2][2 * v + q % 2][p] = lanes[q];
      }
  }
  for (int64_t row = 0; row < kMaskRows && b * kMaskRows + row < n1; ++row)
    for (int r = 0; r < count; ++r)
      a.y[(m + r) * a.ldy + b * kMaskRows + row] =
          finishRow(a, b * kMaskRows + row, dots[r][row]);
}

void pairGemm(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
              int64_t n1) {
  const uint64_t *packed = static_cast<const uint64_t *>(a.packed);
  int64_t blocks = maskBlocks(a.n), chunks = pairChunks(a.k);
  bool merged = a.planes > 1 && sharedScales(a, n0, n1);
  int32_t panelCount = merged ? 1 : a.planes;
  size_t panelBytes = panelCount * chunks * kChunkBytes;
  auto *panels = threadScratch<int8_t>(ScratchSlot::BgemmPanels, panelBytes);
  // Rows are zero past k up to the packed columns' end (bnrt_bgemm_args).
  const int8_t *pairs = rowPairs(a.x, a.lda, m0, m1, 8 * chunks, chunks);
  for (int64_t b = n0 / kMaskRows; b * kMaskRows < n1; ++b) {
    std::memset(panels, 0, panelBytes);
    for (int32_t p = 0; p < a.planes; ++p)
      addPlane(packed + 2 * (p * blocks + b) * chunks, chunks,
               panels + (merged ? 0 : p * chunks * kChunkBytes));
    for (int64_t m = m0; m < m1; m += 4) {
      const int8_t *x = pairs + (m - m0) / 2 * chunks * 16;
      if (m1 - m > 2)
        panelRows<2>(a, panels, chunks, panelCount, x, m,
                     std::min<int64_t>(4, m1 - m), b, n1);
      else
        panelRows<1>(a, panels, chunks, panelCount, x, m, m1 - m, b, n1);
    }
  }
}

} // namespace

void bgemmNeonI8mmPanels(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                         int64_t n0, int64_t n1) {
  if (a.packed && n0 % kMaskRows == 0 && a.planes <= kMaxPlanes)
    return pairGemm(a, m0, m1, n0, n1);
  // Without the pair layout: the dot-product path on the bits.
  bnrt_bgemm_args bits = a;
  bits.packed = nullptr;
  bgemmNeonDotPanels(bits, m0, m1, n0, n1);
}

void bgemmNeonI8mm(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                   int64_t n1) {
  neonBgemmRun(BNRT_ISA_NEONI8MM, a, m0, m1, n0, n1);
}

} // namespace bnrt
