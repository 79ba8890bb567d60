//===- bgemm_lut_neon.cpp - bit-plane GEMM by table lookup (tbl) ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// For codes of at most 4 bits (|x| <= 7; act_bits 2..4), T-MAC style: per
// activation row and group of 4 columns, a 16-byte table holds the row's
// dot with all 16 sign patterns of 4 weights (|entry| <= 28), and the
// weights' 4-bit patterns (the nibble layout, bgemm_impl.h: one byte per
// weight row holds two groups') index it: one tbl looks up 16 weight
// rows' sums of 4 products. Two groups' lookups are added in bytes
// (|sum| <= 56), two such steps again (<= 112) and then widened into int16
// lanes (saddw), which are widened to int32 every kFlushSteps: per 16
// weight rows x 16 columns of a row, 4 tbl, 3 add and 2 saddw, the index
// bytes shared by 4 activation rows. Only single-register tbl: LLVM's
// models give two-register tbl 5 uops on Cortex-A76 and Neoverse-N1.
// Plain Advanced SIMD: every AArch64 path may run it (bgemm_choice.cpp
// decides by timing).
//
//===----------------------------------------------------------------------===//
#include "kernels/bgemm_impl.h"
#include "kernels/mca.h"
#include "scratch.h"

#include <arm_neon.h>

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

constexpr int kRows = 4; // activation rows per tile: tables built once
constexpr int kMaxPlanes = 8;
constexpr int64_t kFlushSteps = 512; // int16 lanes: 512 * 56 < 32767

/// tables[16 g + i] = sum_t (bit t of i ? x[4 g + t] : -x[4 g + t]).
void buildTables(const int8_t *x, int64_t groups, int8_t *tables) {
  int8_t sign[4][16];
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 16; ++i)
      sign[t][i] = (i >> t & 1) ? 1 : -1;
  int8x16_t s0 = vld1q_s8(sign[0]), s1 = vld1q_s8(sign[1]),
            s2 = vld1q_s8(sign[2]), s3 = vld1q_s8(sign[3]);
  for (int64_t g = 0; g < groups; ++g, x += 4) {
    BNRT_MCA_BEGIN("bitplane-lookup-table macs=0"); // per table
    int8x16_t t = vmulq_s8(vdupq_n_s8(x[0]), s0);
    t = vmlaq_s8(t, vdupq_n_s8(x[1]), s1);
    t = vmlaq_s8(t, vdupq_n_s8(x[2]), s2);
    t = vmlaq_s8(t, vdupq_n_s8(x[3]), s3);
    vst1q_s8(tables + 16 * g, t);
    BNRT_MCA_END();
  }
}

/// One or (Two) two steps of activation rows i < R (their tables at
/// `tables`, `groups` x 16 bytes apart) with a block's nibble bytes `w`:
/// the lookups summed in bytes, then widened into lo (weight rows 0-7) and
/// hi (8-15).
template <int R, bool Two>
inline void lookupSteps(int16x8_t (&lo)[R], int16x8_t (&hi)[R],
                        const int8_t *tables, int64_t groups,
                        const uint8_t *w) {
  const uint8x16_t low = vdupq_n_u8(15);
  uint8x16_t v0 = vld1q_u8(w), v1 = Two ? vld1q_u8(w + 16) : v0;
  uint8x16_t idx[4] = {vandq_u8(v0, low), vshrq_n_u8(v0, 4), vandq_u8(v1, low),
                       vshrq_n_u8(v1, 4)};
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i) {
    const int8_t *t = tables + i * groups * 16;
    int8x16_t sum = vaddq_s8(vqtbl1q_s8(vld1q_s8(t), idx[0]),
                             vqtbl1q_s8(vld1q_s8(t + 16), idx[1]));
    if constexpr (Two)
      sum = vaddq_s8(sum, vaddq_s8(vqtbl1q_s8(vld1q_s8(t + 32), idx[2]),
                                   vqtbl1q_s8(vld1q_s8(t + 48), idx[3])));
    lo[i] = vaddw_s8(lo[i], vget_low_s8(sum));
    hi[i] = vaddw_high_s8(hi[i], sum);
  }
}

/// Adds to dots[i][r] the dots of activation rows i < R (tables `groups`
/// x 16 bytes apart) with weight rows r of block b: one plane's nibble
/// layout `layout` (steps x 16 bytes per block).
template <int R>
void lookupTile(const int8_t *tables, int64_t groups, const uint8_t *layout,
                int64_t steps, int64_t b, int32_t (*dots)[kMaskRows]) {
  const uint8_t *w = layout + b * steps * 16;
  for (int64_t s0 = 0; s0 < steps; s0 += kFlushSteps) {
    int64_t s1 = std::min(steps, s0 + kFlushSteps), s = s0;
    int16x8_t lo[R], hi[R];
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i)
      lo[i] = hi[i] = vdupq_n_s16(0);
    for (; s + 2 <= s1; s += 2) {
      if constexpr (R == kRows) {
        BNRT_MCA_BEGIN("bitplane-lookup-tbl macs=1024");
      }
      lookupSteps<R, true>(lo, hi, tables + 32 * s, groups, w + 16 * s);
      if constexpr (R == kRows) {
        BNRT_MCA_END();
      }
    }
    if (s < s1)
      lookupSteps<R, false>(lo, hi, tables + 32 * s, groups, w + 16 * s);
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) {
      int16_t lanes[16];
      vst1q_s16(lanes, lo[i]);
      vst1q_s16(lanes + 8, hi[i]);
      for (int r = 0; r < kMaskRows; ++r)
        dots[i][r] += lanes[r];
    }
  }
}

template <int R>
void lookupRows(const bnrt_bgemm_args &a, const uint8_t *layout,
                const int8_t *tables, int64_t m, int64_t n0, int64_t n1) {
  int64_t groups = maskGroups(a.k), steps = groups / 2,
          blocks = maskBlocks(a.n);
  for (int64_t b = n0 / kMaskRows; b * kMaskRows < n1; ++b) {
    int32_t dots[kMaxPlanes][kRows][kMaskRows] = {};
    for (int32_t p = 0; p < a.planes; ++p)
      lookupTile<R>(tables, groups, layout + p * blocks * steps * 16, steps, b,
                    dots[p]);
    for (int64_t r = 0; r < kMaskRows && b * kMaskRows + r < n1; ++r)
      for (int i = 0; i < R; ++i) {
        int32_t planeDots[kMaxPlanes];
        for (int32_t p = 0; p < a.planes; ++p)
          planeDots[p] = dots[p][i][r];
        a.y[(m + i) * a.ldy + b * kMaskRows + r] =
            finishRow(a, b * kMaskRows + r, planeDots);
      }
  }
}

} // namespace

bool neonLookupRuns(const bnrt_bgemm_args &a, int64_t n0) {
  return a.packed && a.act_bits >= 2 && a.act_bits <= 4 &&
         a.planes <= kMaxPlanes && n0 % kMaskRows == 0;
}

void bgemmLutNeon(const bnrt_bgemm_args &a, const uint8_t *layout, int64_t m0,
                  int64_t m1, int64_t n0, int64_t n1) {
  int64_t groups = maskGroups(a.k);
  auto *tables = threadScratch<int8_t>(
      ScratchSlot::LookupTables, static_cast<size_t>(kRows * groups * 16));
  for (int64_t m = m0; m < m1; m += kRows) {
    int rows = static_cast<int>(std::min<int64_t>(kRows, m1 - m));
    for (int i = 0; i < rows; ++i)
      buildTables(a.x + (m + i) * a.lda, groups, tables + i * groups * 16);
    switch (rows) {
    case 4:
      lookupRows<4>(a, layout, tables, m, n0, n1);
      break;
    case 3:
      lookupRows<3>(a, layout, tables, m, n0, n1);
      break;
    case 2:
      lookupRows<2>(a, layout, tables, m, n0, n1);
      break;
    default:
      lookupRows<1>(a, layout, tables, m, n0, n1);
    }
  }
}

} // namespace bnrt
