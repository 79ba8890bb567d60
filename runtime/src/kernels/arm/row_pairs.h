//===- row_pairs.h - activation rows interleaved for smmla ------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_SRC_KERNELS_ARM_ROW_PAIRS_H
#define BNRT_SRC_KERNELS_ARM_ROW_PAIRS_H

#include "scratch.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace bnrt {

/// Rows [m0, m1) of int8 `a` (row stride lda, `bytes` readable per row)
/// in pairs, the left operand of smmla: 16 bytes per pair i and chunk c of
/// 8 columns at (i * chunks + c) * 16, rows 2 i and 2 i + 1's bytes 8 c ..
/// 8 c + 7, zero past `bytes` and for a missing second row. Interleaved
/// once per call, so each operand is then one load. In the calling
/// thread's scratch.
inline const int8_t *rowPairs(const int8_t *a, int64_t lda, int64_t m0,
                              int64_t m1, int64_t bytes, int64_t chunks) {
  int64_t pairs = (m1 - m0 + 1) / 2;
  auto *out = threadScratch<int8_t>(ScratchSlot::RowPairs,
                                    static_cast<size_t>(pairs * chunks * 16));
  for (int64_t i = 0; i < pairs; ++i)
    for (int h = 0; h < 2; ++h) {
      int64_t row = m0 + 2 * i + h;
      int8_t *to = out + i * chunks * 16 + 8 * h;
      for (int64_t c = 0; c < chunks; ++c, to += 16) {
        int64_t n = row < m1 ? std::clamp<int64_t>(bytes - 8 * c, 0, 8) : 0;
        if (n > 0)
          std::memcpy(to, a + row * lda + 8 * c, n);
        std::memset(to + n, 0, 8 - n);
      }
    }
  return out;
}

} // namespace bnrt

#endif // BNRT_SRC_KERNELS_ARM_ROW_PAIRS_H
