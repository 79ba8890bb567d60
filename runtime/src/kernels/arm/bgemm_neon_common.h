//===- bgemm_neon_common.h - the NEON bit-plane GEMM loop nest --*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Shared by the baseline and the dot-product kernels, which differ only in
// Step::step(acc, x, set): how 16 activation bytes and their sign mask
// (0xFF where the weight is -1) are accumulated into 4 int32 lanes. Blocks
// of 4 activation rows x 4 weight rows keep 16 accumulators in registers.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_NEON_COMMON_H
#define BNRT_SRC_BGEMM_NEON_COMMON_H

#include "bnrt/bitpack.h"
#include "kernels/bgemm_impl.h"
#include "kernels/mca.h"

#include <arm_neon.h>

namespace bnrt {

/// 0xFF in byte i where bit i of `bits` (16 bits) is set.
inline uint8x16_t spreadBits(uint32_t bits) {
  static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128,
                                   1, 2, 4, 8, 16, 32, 64, 128};
  uint8x16_t v = vcombine_u8(vdup_n_u8(static_cast<uint8_t>(bits)),
                             vdup_n_u8(static_cast<uint8_t>(bits >> 8)));
  return vtstq_u8(v, vld1q_u8(kBit));
}

template <typename Step, int MB, int NB>
void neonBlock(const bnrt_bgemm_args &a, int64_t m, int64_t n, int64_t words) {
  int32_t dots[MB][NB][8];
  for (int32_t p = 0; p < a.planes; ++p) {
    const uint64_t *rows[NB];
    for (int j = 0; j < NB; ++j)
      rows[j] = a.bits + (p * a.n + n + j) * words;
    int32x4_t acc[MB][NB];
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        acc[i][j] = vdupq_n_s32(0);
    for (int64_t w = 0; w < words; ++w) {
      if constexpr (MB == 4 && NB == 4) {
        BNRT_MCA_BEGIN("bitplane-bytes macs=1024");
      }
      for (int q = 0; q < 4; ++q) {
        int64_t col = w * 64 + q * 16;
        int8x16_t xv[MB];
        for (int i = 0; i < MB; ++i)
          xv[i] = vld1q_s8(a.x + (m + i) * a.lda + col);
        for (int j = 0; j < NB; ++j) {
          uint8x16_t set =
              spreadBits(static_cast<uint32_t>(rows[j][w] >> (16 * q)));
          for (int i = 0; i < MB; ++i)
            acc[i][j] = Step::step(acc[i][j], xv[i], set);
        }
      }
      if constexpr (MB == 4 && NB == 4) {
        BNRT_MCA_END();
      }
    }
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        dots[i][j][p] = vaddvq_s32(acc[i][j]);
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      a.y[(m + i) * a.ldy + n + j] = finishRow(a, n + j, dots[i][j]);
}

template <typename Step, int MB>
void neonRows(const bnrt_bgemm_args &a, int64_t m, int64_t n0, int64_t n1,
              int64_t words) {
  int64_t n = n0;
  for (; n + 4 <= n1; n += 4)
    neonBlock<Step, MB, 4>(a, m, n, words);
  for (; n < n1; ++n)
    neonBlock<Step, MB, 1>(a, m, n, words);
}

template <typename Step>
void neonBgemm(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  if (a.planes > 8)
    return bgemmScalar(a, m0, m1, n0, n1);
  int64_t words = bnrt_bitpack_row_words(a.k);
  int64_t m = m0;
  for (; m + 4 <= m1; m += 4)
    neonRows<Step, 4>(a, m, n0, n1, words);
  for (; m < m1; ++m)
    neonRows<Step, 1>(a, m, n0, n1, words);
}

} // namespace bnrt

#endif // BNRT_SRC_BGEMM_NEON_COMMON_H
