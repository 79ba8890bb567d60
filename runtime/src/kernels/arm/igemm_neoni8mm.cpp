//===- igemm_neoni8mm.cpp - int8 GEMM with smmla (FEAT_I8MM) --------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// smmla multiplies a 2 x 8 int8 matrix by an 8 x 2 one into 2 x 2 int32:
// 32 multiply-adds, twice sdot's 16. Its operands are two rows of a and
// two columns of b, 8 k each. The rows of a are interleaved in pairs once
// per call (one load per operand after that); the shared packed layout of
// b (igemm_impl.h) holds a column's k in groups of 4, so the 8 k of
// columns j, j + 1 are one zip of two consecutive groups' 4-column
// quarters. Tiles of 8 rows x 8 columns (4 x 4 accumulators of 2 x 2)
// reuse each zipped column pair across 4 row pairs. Compiled with +i8mm;
// selected only when HWCAP2 reports it. The same integer sums as every
// path.
//
//===----------------------------------------------------------------------===//
#include "kernels/arm/row_pairs.h"
#include "kernels/igemm_impl.h"
#include "kernels/mca.h"

#include <arm_neon.h>

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

constexpr int kPairs = 4; // row pairs per tile, and column pairs

/// Adds the products of one chunk of 8 k to the tile's accumulators: the
/// chunk's row pairs (16 bytes apart by `stride`) against the column pairs
/// of `w`, a block's 64-byte group at 8 k read from its `quarter` on (and
/// the next group, unless Half: the last of an odd number).
template <int MP, bool Half>
inline void i8mmStep(int32x4_t (&acc)[kPairs][kPairs], const int8_t *x,
                     int64_t stride, const int8_t *w) {
  int8x16_t g0a = vld1q_s8(w), g0b = vld1q_s8(w + 16);
  int8x16_t g1a = vdupq_n_s8(0), g1b = vdupq_n_s8(0);
  if constexpr (!Half) {
    g1a = vld1q_s8(w + 64), g1b = vld1q_s8(w + 80);
  }
  int32x4_t a32 = vreinterpretq_s32_s8(g0a), b32 = vreinterpretq_s32_s8(g1a);
  int32x4_t c32 = vreinterpretq_s32_s8(g0b), d32 = vreinterpretq_s32_s8(g1b);
  int8x16_t cols[kPairs] = {vreinterpretq_s8_s32(vzip1q_s32(a32, b32)),
                            vreinterpretq_s8_s32(vzip2q_s32(a32, b32)),
                            vreinterpretq_s8_s32(vzip1q_s32(c32, d32)),
                            vreinterpretq_s8_s32(vzip2q_s32(c32, d32))};
#pragma GCC unroll 4
  for (int i = 0; i < MP; ++i) {
    int8x16_t a = vld1q_s8(x + i * stride);
#pragma GCC unroll 4
    for (int j = 0; j < kPairs; ++j)
      acc[i][j] = vmmlaq_s32(acc[i][j], a, cols[j]);
  }
}

/// Rows [m, m + count) (count <= 2 MP, pairs from `x`) x columns
/// [n, n + 8) of block `block` (half 0 or 1 of its 16 columns).
template <int MP>
void i8mmTile(const bnrt_igemm_args &args, const IgemmPacked &b,
              const int8_t *x, int64_t m, int64_t count, int64_t block,
              int half) {
  int64_t n = block * kIgemmCols + 8 * half;
  int width = static_cast<int>(std::min<int64_t>(8, args.n - n));
  if (width <= 0)
    return;
  int64_t chunks = (b.groups + 1) / 2, stride = chunks * 16;
  // Every loop over the accumulators unrolled whole, so each stays a
  // register (bench/arm-mca.sh shows them on the stack otherwise).
  int32x4_t acc[kPairs][kPairs];
#pragma GCC unroll 4
  for (int i = 0; i < kPairs; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < kPairs; ++j)
      acc[i][j] = vdupq_n_s32(0);
  const int8_t *w = b.group(block, 0) + 32 * half;
  int64_t g = 0;
  for (; g + 2 <= b.groups; g += 2, w += 128, x += 16) {
    if constexpr (MP == kPairs) {
      BNRT_MCA_BEGIN("int8-smmla macs=512");
    }
    i8mmStep<MP, false>(acc, x, stride, w);
    if constexpr (MP == kPairs) {
      BNRT_MCA_END();
    }
  }
  if (g < b.groups)
    i8mmStep<MP, true>(acc, x, stride, w);
    // acc[i][j] holds rows 2i, 2i + 1 x columns 2j, 2j + 1, row-major.
#pragma GCC unroll 4
  for (int i = 0; i < MP; ++i) {
    int32_t out[2][8];
#pragma GCC unroll 4
    for (int j = 0; j < kPairs; ++j) {
      vst1_s32(out[0] + 2 * j, vget_low_s32(acc[i][j]));
      vst1_s32(out[1] + 2 * j, vget_high_s32(acc[i][j]));
    }
    for (int h = 0; h < 2 && 2 * i + h < count; ++h)
      std::memcpy(args.c + (m + 2 * i + h) * args.ldc + n, out[h],
                  width * sizeof(int32_t));
  }
}

} // namespace

void igemmNeonI8mm(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  IgemmPacked b(args.packed_b, args.k, args.n);
  int64_t chunks = (b.groups + 1) / 2, stride = chunks * 16; // per pair
  const int8_t *pairs =
      rowPairs(args.a, args.lda, m0, m1, 4 * b.groups, chunks);
  constexpr int64_t tileRows = 2 * kPairs;
  for (int64_t m = m0; m < m1; m += tileRows) {
    const int8_t *x = pairs + (m - m0) / 2 * stride;
    int64_t count = std::min(tileRows, m1 - m);
    for (int64_t block = 0; block < b.blocks; ++block)
      for (int half = 0; half < 2; ++half) {
        if (count > 4)
          i8mmTile<4>(args, b, x, m, count, block, half);
        else if (count > 2)
          i8mmTile<2>(args, b, x, m, count, block, half);
        else
          i8mmTile<1>(args, b, x, m, count, block, half);
      }
  }
}

} // namespace bnrt
