//===- igemm_avx512.cpp - int8 GEMM with AVX-512 VNNI ---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// vpdpbusd multiplies unsigned by signed bytes: the packed b goes in the
// unsigned slot as b + 128 (b XOR 0x80, once per loaded vector) and the
// row of a in the signed slot, broadcast 4 bytes at a time straight from
// memory ({1to16}), so each lane gets sum a (b + 128) = sum a b +
// 128 rowsum(a), and the store subtracts 128 rowsum(a) (the row's bytes up
// to 4 ceil(k / 4), which the padded rows of b multiply too). Tiles of 4
// rows x 4 blocks of 16 columns: 16 accumulators, 4 loads, 4 XORs and 16
// vpdpbusd per 4 columns of k (the 4 short GEMMs of attention, k = 64 or
// 128, are what this serves).
//
//===----------------------------------------------------------------------===//
#include "kernels/igemm_impl.h"
#include "kernels/x86/vnni.h"

#include <immintrin.h>

namespace bnrt {
namespace {

/// acc += a's 4 bytes at `piece` (broadcast, signed) . `u8` per lane.
inline void dpbusdBroadcast(__m512i &acc, __m512i u8, const int8_t *piece) {
#ifdef BNRT_AVX512_EMULATED
  int32_t bytes;
  std::memcpy(&bytes, piece, 4);
  acc = _mm512_dpbusd_epi32(acc, u8, _mm512_set1_epi32(bytes));
#else
  asm("vpdpbusd %2%{1to16%}, %1, %0"
      : "+v"(acc)
      : "v"(u8), "m"(*reinterpret_cast<const int32_t *>(piece)));
#endif
}

/// 128 times the sum of a row's 4 * groups bytes (vpdpbusd with ones).
int32_t biasOfRow(const int8_t *row, int64_t groups) {
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i sum = _mm512_setzero_si512();
  for (int64_t t = 0; t < 4 * groups; t += 64) {
    int64_t left = 4 * groups - t;
    __mmask64 valid = left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1;
    dpbusd(sum, ones, _mm512_maskz_loadu_epi8(valid, row + t));
  }
  return 128 * _mm512_reduce_add_epi32(sum);
}

/// Stores acc (16 columns of row m + i at block `block`) minus its bias.
inline void storeBlock(const bnrt_igemm_args &args, int64_t m, int64_t block,
                       __m512i acc, int32_t bias) {
  int64_t n = block * kIgemmCols;
  int count = static_cast<int>(std::min<int64_t>(kIgemmCols, args.n - n));
  auto valid = static_cast<__mmask16>((1u << count) - 1);
  _mm512_mask_storeu_epi32(args.c + m * args.ldc + n, valid,
                           _mm512_sub_epi32(acc, _mm512_set1_epi32(bias)));
}

inline __m512i biasedGroup(const IgemmPacked &b, int64_t block, int64_t g) {
  return _mm512_xor_si512(_mm512_loadu_si512(b.group(block, g)),
                          _mm512_set1_epi8(static_cast<char>(0x80)));
}

/// Any MB x NB tile at the grid's edges.
template <int MB, int NB>
void edgeTile(const bnrt_igemm_args &args, const IgemmPacked &b, int64_t m,
              int64_t block, const int32_t (&bias)[4]) {
  __m512i acc[MB][NB];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      acc[i][j] = _mm512_setzero_si512();
  for (int64_t g = 0; g < b.groups; ++g)
    for (int j = 0; j < NB; ++j) {
      __m512i w = biasedGroup(b, block + j, g);
      for (int i = 0; i < MB; ++i)
        dpbusdBroadcast(acc[i][j], w, args.a + (m + i) * args.lda + 4 * g);
    }
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      storeBlock(args, m + i, block + j, acc[i][j], bias[i]);
}

#ifndef BNRT_AVX512_EMULATED
/// Rows x0, x1 (4 broadcast bytes each) against blocks w0..w3.
inline void twoRows(__m512i &a00, __m512i &a01, __m512i &a02, __m512i &a03,
                    __m512i &a10, __m512i &a11, __m512i &a12, __m512i &a13,
                    __m512i w0, __m512i w1, __m512i w2, __m512i w3,
                    const int32_t *x0, const int32_t *x1) {
  asm("vpdpbusd %[x0]%{1to16%}, %[w0], %[a00]\n\t"
      "vpdpbusd %[x0]%{1to16%}, %[w1], %[a01]\n\t"
      "vpdpbusd %[x0]%{1to16%}, %[w2], %[a02]\n\t"
      "vpdpbusd %[x0]%{1to16%}, %[w3], %[a03]\n\t"
      "vpdpbusd %[x1]%{1to16%}, %[w0], %[a10]\n\t"
      "vpdpbusd %[x1]%{1to16%}, %[w1], %[a11]\n\t"
      "vpdpbusd %[x1]%{1to16%}, %[w2], %[a12]\n\t"
      "vpdpbusd %[x1]%{1to16%}, %[w3], %[a13]"
      : [a00] "+v"(a00), [a01] "+v"(a01), [a02] "+v"(a02), [a03] "+v"(a03),
        [a10] "+v"(a10), [a11] "+v"(a11), [a12] "+v"(a12), [a13] "+v"(a13)
      : [w0] "v"(w0), [w1] "v"(w1), [w2] "v"(w2), [w3] "v"(w3), [x0] "m"(*x0),
        [x1] "m"(*x1));
}
#endif

/// 4 rows x 4 blocks in 16 named accumulators, one asm block per 4
/// columns of k (GCC 12 keeps an array of them in memory, reloading and
/// storing around every vpdpbusd: 3x slower).
void tile4x4(const bnrt_igemm_args &args, const IgemmPacked &b, int64_t m,
             int64_t block, const int32_t (&bias)[4]) {
  const __m512i zero = _mm512_setzero_si512();
  __m512i a00 = zero, a01 = zero, a02 = zero, a03 = zero, a10 = zero,
          a11 = zero, a12 = zero, a13 = zero, a20 = zero, a21 = zero,
          a22 = zero, a23 = zero, a30 = zero, a31 = zero, a32 = zero,
          a33 = zero;
  const int8_t *row[4];
  for (int i = 0; i < 4; ++i)
    row[i] = args.a + (m + i) * args.lda;
  for (int64_t g = 0; g < b.groups; ++g) {
    __m512i w0 = biasedGroup(b, block, g), w1 = biasedGroup(b, block + 1, g),
            w2 = biasedGroup(b, block + 2, g),
            w3 = biasedGroup(b, block + 3, g);
    const auto *x0 = reinterpret_cast<const int32_t *>(row[0] + 4 * g);
    const auto *x1 = reinterpret_cast<const int32_t *>(row[1] + 4 * g);
    const auto *x2 = reinterpret_cast<const int32_t *>(row[2] + 4 * g);
    const auto *x3 = reinterpret_cast<const int32_t *>(row[3] + 4 * g);
#ifdef BNRT_AVX512_EMULATED
    __m512i *acc[4][4] = {{&a00, &a01, &a02, &a03},
                          {&a10, &a11, &a12, &a13},
                          {&a20, &a21, &a22, &a23},
                          {&a30, &a31, &a32, &a33}};
    const __m512i w[4] = {w0, w1, w2, w3};
    const int32_t *x[4] = {x0, x1, x2, x3};
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        dpbusdBroadcast(*acc[i][j], w[j],
                        reinterpret_cast<const int8_t *>(x[i]));
#else
    // Two rows per block: asm takes at most 30 operands.
    twoRows(a00, a01, a02, a03, a10, a11, a12, a13, w0, w1, w2, w3, x0, x1);
    twoRows(a20, a21, a22, a23, a30, a31, a32, a33, w0, w1, w2, w3, x2, x3);
#endif
  }
  const __m512i acc[4][4] = {{a00, a01, a02, a03},
                             {a10, a11, a12, a13},
                             {a20, a21, a22, a23},
                             {a30, a31, a32, a33}};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      storeBlock(args, m + i, block + j, acc[i][j], bias[i]);
}

template <int MB>
void rows(const bnrt_igemm_args &args, const IgemmPacked &b, int64_t m) {
  int32_t bias[4];
  for (int i = 0; i < MB; ++i)
    bias[i] = biasOfRow(args.a + (m + i) * args.lda, b.groups);
  int64_t block = 0;
  for (; block + 4 <= b.blocks; block += 4) {
    if constexpr (MB == 4)
      tile4x4(args, b, m, block, bias);
    else
      edgeTile<MB, 4>(args, b, m, block, bias);
  }
  for (; block < b.blocks; ++block)
    edgeTile<MB, 1>(args, b, m, block, bias);
}

} // namespace

void igemmAvx512(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  IgemmPacked b(args.packed_b, args.k, args.n);
  int64_t m = m0;
  for (; m + 4 <= m1; m += 4)
    rows<4>(args, b, m);
  for (; m < m1; ++m)
    rows<1>(args, b, m);
}

} // namespace bnrt
