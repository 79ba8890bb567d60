//===- bgemm_avx512.cpp - bit-plane GEMM with AVX-512 VNNI ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Vectorized over N like an int8 VNNI GEMM, so no horizontal reductions:
// one 512-bit accumulator holds 16 outputs (16 weight rows) of one
// activation row. The weights are repacked once (bnrt_bgemm_pack): for each
// block of 16 rows and group of 4 columns, a 64-bit mask whose bit 4i + t
// is set when W[row i][col t] = +1. `vpmovm2b`-style masked moves turn it
// into bytes {2, 0} = s + 1, which go in vpdpbusd's unsigned slot; the
// signed activations go in the other, broadcast 4 bytes at a time, so
//   sum_k (s + 1) x = sum_k s x + rowsum(x),
// and the kernel subtracts rowsum(x) per activation row. Blocks of 8
// activation rows x 32 weight rows keep 16 accumulators in registers.
// Two planes sharing their scale on every row of a block (ternary, TWS
// before fine-tuning) are one pass: the bytes of both masks are added
// ({0, 2, 4}) and fed to one vpdpbusd, minus 2 rowsum(x).
//
//===----------------------------------------------------------------------===//
#include "bnrt/bitpack.h"
#include "kernels/bgemm_impl.h"
#include "kernels/x86/bgemm_avx512_epilogue.h"
#include "kernels/x86/vnni.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

constexpr int kRows = kMaskRows; // one zmm of outputs per mask block

int64_t rowBlocks(int64_t n) { return maskBlocks(n); }
int64_t groups(int64_t k) { return maskGroups(k); }

/// Integer dots of MB activation rows x NB blocks of 16 weight rows, over
/// all column groups of `Planes` planes summed (planes that share their
/// scale: one vpdpbusd on the sum of their {2, 0} bytes, so a ternary or
/// TWS-split layer costs one pass, not two; the sum fits a byte).
template <int MB, int NB, int Planes>
void dots(const bnrt_bgemm_args &a, const uint64_t *masks, int64_t m,
          int64_t block, const int32_t *rowSums, __m512i out[MB][NB]) {
  const __m512i twos = _mm512_set1_epi8(2);
  int64_t count = groups(a.k), planeWords = rowBlocks(a.n) * count;
  __m512i acc[MB][NB];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      acc[i][j] = _mm512_setzero_si512();
  const uint64_t *blockMasks[NB];
  for (int j = 0; j < NB; ++j)
    blockMasks[j] = masks + (block + j) * count;
  for (int64_t c = 0; c < count; ++c) {
    __m512i w[NB];
    for (int j = 0; j < NB; ++j) {
      w[j] = _mm512_maskz_mov_epi8(blockMasks[j][c], twos);
      for (int p = 1; p < Planes; ++p)
        w[j] = _mm512_add_epi8(
            w[j],
            _mm512_maskz_mov_epi8(blockMasks[j][p * planeWords + c], twos));
    }
    for (int i = 0; i < MB; ++i) {
      int32_t x4;
      std::memcpy(&x4, a.x + (m + i) * a.lda + 4 * c, 4);
      __m512i xv = _mm512_set1_epi32(x4);
      for (int j = 0; j < NB; ++j)
        acc[i][j] = dpbusdValue(acc[i][j], w[j], xv);
    }
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      out[i][j] =
          _mm512_sub_epi32(acc[i][j], _mm512_set1_epi32(Planes * rowSums[i]));
}

template <int MB, int NB>
void block(const bnrt_bgemm_args &a, int64_t m, int64_t block, int64_t n1,
           const int32_t *rowSums) {
  const uint64_t *packed = static_cast<const uint64_t *>(a.packed);
  int64_t blocks = rowBlocks(a.n), count = groups(a.k);
  // Planes sharing their scale on every row of the block: one pass over
  // both (finishRow's shared form); otherwise one pass per plane.
  if (a.planes == 2 &&
      sharedScales(a, block * kRows, std::min(a.n, (block + NB) * kRows))) {
    __m512i d[MB][NB];
    dots<MB, NB, 2>(a, packed, m, block, rowSums, d);
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j)
        storeRow(a, m + i, block + j, n1,
                 finishDots(a, (block + j) * kRows, &d[i][j], 1, true));
    return;
  }
  PlaneSum sum[MB][NB];
  for (int32_t p = 0; p < a.planes; ++p) {
    __m512i d[MB][NB];
    dots<MB, NB, 1>(a, packed + p * blocks * count, m, block, rowSums, d);
    for (int j = 0; j < NB; ++j) {
      __m512 alpha = alphaOf(a, p, (block + j) * kRows);
      for (int i = 0; i < MB; ++i)
        sum[i][j].add(alpha, d[i][j]);
    }
  }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      storeRow(a, m + i, block + j, n1, sum[i][j].result());
}

template <int MB>
void rows(const bnrt_bgemm_args &a, int64_t m, int64_t b0, int64_t b1,
          int64_t n1, const int32_t *rowSums) {
  int64_t b = b0;
  for (; b + 2 <= b1; b += 2)
    block<MB, 2>(a, m, b, n1, rowSums);
  for (; b < b1; ++b)
    block<MB, 1>(a, m, b, n1, rowSums);
}

} // namespace

void bgemmAvx512(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                 int64_t n1) {
  bgemmAvx512Choosing(a, m0, m1, n0, n1,
                      bgemmLookupRows(a, BNRT_ISA_AVX512) != 0);
}

void bgemmAvx512Choosing(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                         int64_t n0, int64_t n1, bool lookup) {
  if (!a.packed || n0 % kRows != 0)
    return bgemmAvx2(a, m0, m1, n0, n1);
  // Tiles of activation rows by table lookup (the rest by VNNI).
  Avx512Layouts layouts = lookup ? avx512Layouts(a) : Avx512Layouts{};
  if (int64_t lut = (m1 - m0) / kLookupTileRows * kLookupTileRows;
      lut > 0 && (layouts.patterns || layouts.nibbles || layouts.ternary)) {
    if (layouts.nibbles)
      bgemmLut4Avx512(a, m0, m0 + lut, n0, n1);
    else if (layouts.ternary)
      bgemmLut3Avx512(a, m0, m0 + lut, n0, n1);
    else
      bgemmLutAvx512(a, m0, m0 + lut, n0, n1);
    m0 += lut;
  }
  // rowsum(x) per activation row, to remove the +1 of the weights.
  int32_t sums[8];
  int64_t b0 = n0 / kRows, b1 = rowBlocks(n1);
  for (int64_t m = m0; m < m1;) {
    int take = m1 - m >= 8 ? 8 : m1 - m >= 4 ? 4 : m1 - m >= 2 ? 2 : 1;
    for (int i = 0; i < take; ++i)
      sums[i] = codeRowSum(a, m + i);
    switch (take) {
    case 8:
      rows<8>(a, m, b0, b1, n1, sums);
      break;
    case 4:
      rows<4>(a, m, b0, b1, n1, sums);
      break;
    case 2:
      rows<2>(a, m, b0, b1, n1, sums);
      break;
    default:
      rows<1>(a, m, b0, b1, n1, sums);
    }
    m += take;
  }
}

} // namespace bnrt
