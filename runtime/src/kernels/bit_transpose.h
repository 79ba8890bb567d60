//===- bit_transpose.h - transposing a 64 x 64 bit matrix -------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Bit c of word r is element (r, c). Six rounds of block swaps (32 x 32,
// then 16 x 16, ... 1 x 1 quadrants) leave bit c of word r = element
// (c, r): 192 swaps instead of 4096 single-bit moves.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_KERNELS_BIT_TRANSPOSE_H
#define BNRT_SRC_KERNELS_BIT_TRANSPOSE_H

#include <cstdint>

namespace bnrt {

inline void transposeBits64(uint64_t a[64]) {
  uint64_t m = 0x00000000FFFFFFFFull; // columns c with (c & j) == 0
  for (int j = 32; j != 0; j >>= 1, m ^= m << j)
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      // Row k's columns c + j swap with row k + j's columns c.
      uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
}

} // namespace bnrt

#endif // BNRT_SRC_KERNELS_BIT_TRANSPOSE_H
