//===- igemm_neon_common.h - int8 GEMM lanes for NEON -----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Four q registers hold 16 columns; each 16-byte quarter of a packed group
// is 4 columns x 4 rows, so Step::dot(acc, b, a) adds, per int32 lane, the
// 4 products of one column with the broadcast 4-byte piece of a. Tiles of
// 4 rows x 16 columns.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_IGEMM_NEON_COMMON_H
#define BNRT_SRC_IGEMM_NEON_COMMON_H

#include "kernels/igemm_impl.h"

#include <arm_neon.h>

#include <algorithm>
#include <cstring>

namespace bnrt {

/// The loop nest for NEON with the accumulators as plain vectors: MB rows
/// x 16 columns in 4 * MB q registers. (Through igemmTile's Acc structs
/// GCC keeps them on the stack, a load and a store per dot product:
/// bench/arm-mca.sh showed it, 4.5x slower on Neoverse-N1's model.)
template <class Step, int MB>
void neonIgemmTile(const bnrt_igemm_args &args, const IgemmPacked &b, int64_t m,
                   int64_t block) {
  // Every loop over the accumulators unrolled whole, so each stays a
  // register (one loop left rolled puts them all on the stack).
  int32x4_t acc[MB][4];
#pragma GCC unroll 4
  for (int i = 0; i < MB; ++i)
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r)
      acc[i][r] = vdupq_n_s32(0);
  const int8_t *w = b.group(block, 0);
  for (int64_t g = 0; g < b.groups; ++g, w += 64) {
    if constexpr (MB == 4) {
      BNRT_MCA_BEGIN("int8 macs=256");
    }
    int8x16_t q[4];
    for (int r = 0; r < 4; ++r)
      q[r] = vld1q_s8(w + 16 * r);
#pragma GCC unroll 4
    for (int i = 0; i < MB; ++i) {
      int32_t piece;
      std::memcpy(&piece, args.a + (m + i) * args.lda + 4 * g, 4);
      int8x16_t a = vreinterpretq_s8_s32(vdupq_n_s32(piece));
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r)
        acc[i][r] = Step::dot(acc[i][r], q[r], a);
    }
    if constexpr (MB == 4) {
      BNRT_MCA_END();
    }
  }
  int64_t n = block * kIgemmCols;
  int count = static_cast<int>(std::min<int64_t>(kIgemmCols, args.n - n));
#pragma GCC unroll 4
  for (int i = 0; i < MB; ++i) {
    int32_t out[16];
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r)
      vst1q_s32(out + 4 * r, acc[i][r]);
    std::memcpy(args.c + (m + i) * args.ldc + n, out, count * sizeof(int32_t));
  }
}

template <class Step>
void neonIgemm(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  IgemmPacked b(args.packed_b, args.k, args.n);
  int64_t m = m0;
  for (; m + 4 <= m1; m += 4)
    for (int64_t block = 0; block < b.blocks; ++block)
      neonIgemmTile<Step, 4>(args, b, m, block);
  for (; m < m1; ++m)
    for (int64_t block = 0; block < b.blocks; ++block)
      neonIgemmTile<Step, 1>(args, b, m, block);
}

} // namespace bnrt

#endif // BNRT_SRC_IGEMM_NEON_COMMON_H
