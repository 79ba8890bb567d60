/*===- bnrt/bitpack.h - the one definition of the packed weight layout ---===*
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Shared by the compiler (bnq-pack-bits, the packed_weight verifier) and the
 * runtime kernels, so the two can never disagree about where a bit lives.
 * Plain C99, header-only, no dependencies.
 *
 * Layout version 1: a sign plane B in {-1,+1}^{N x K} is stored row by row.
 * Row n occupies bnrt_bitpack_row_words(K) little-endian 64-bit words; bit
 * (k % 64) of word (k / 64) is 1 when B[n][k] == -1 and 0 when it is +1
 * (Larq's convention: the bit is the sign bit, so a binary dot product is
 * K - 2 * popcount(a XOR w)). Bits past K in the last word are 0. Planes
 * follow each other: plane p, row n starts at word (p * N + n) * W.
 *===----------------------------------------------------------------------===*/
#ifndef BNRT_BITPACK_H
#define BNRT_BITPACK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BNRT_BITPACK_LAYOUT_VERSION 1
#define BNRT_BITPACK_WORD_BITS 64

/* Number of 64-bit words holding one packed row of k signs. */
static inline int64_t bnrt_bitpack_row_words(int64_t k) {
  return (k + BNRT_BITPACK_WORD_BITS - 1) / BNRT_BITPACK_WORD_BITS;
}

/* Mask of the bits of the last word of a row that hold data (all ones when
 * k is a multiple of 64). Bits outside it must be zero. */
static inline uint64_t bnrt_bitpack_last_word_mask(int64_t k) {
  int64_t used = k % BNRT_BITPACK_WORD_BITS;
  return used == 0 ? ~(uint64_t)0 : (((uint64_t)1 << used) - 1);
}

/* Packs k signs (any value < 0 counts as -1, anything else as +1) into
 * bnrt_bitpack_row_words(k) words at out. */
static inline void bnrt_bitpack_row(const int8_t *signs, int64_t k,
                                    uint64_t *out) {
  int64_t words = bnrt_bitpack_row_words(k);
  for (int64_t w = 0; w < words; ++w)
    out[w] = 0;
  for (int64_t i = 0; i < k; ++i)
    if (signs[i] < 0)
      out[i / BNRT_BITPACK_WORD_BITS] |= (uint64_t)1
                                         << (i % BNRT_BITPACK_WORD_BITS);
}

/* The sign (+1 or -1) of element i of a packed row. */
static inline int bnrt_bitpack_sign(const uint64_t *row, int64_t i) {
  return ((row[i / BNRT_BITPACK_WORD_BITS] >> (i % BNRT_BITPACK_WORD_BITS)) & 1)
             ? -1
             : 1;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_BITPACK_H */
