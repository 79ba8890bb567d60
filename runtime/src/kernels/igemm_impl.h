//===- igemm_impl.h - int8 GEMM: packed layout and the loop nest -*- C++
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//-*-===//
//
// The right-hand side b[k, n] is packed (bnrt_igemm_pack) into blocks of
// 16 columns: for each group of 4 rows k, 64 bytes where byte 4j + t is
// b[4g + t][16 blk + j] (zero past k and n). One 32-bit lane then holds the
// 4 products a column needs from one broadcast 4-byte piece of a row of a,
// the shape of vpdpbusd and sdot.
//
// Every path sums the same integer products exactly, so all ISAs give
// identical results.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_IGEMM_IMPL_H
#define BNRT_SRC_IGEMM_IMPL_H

#include "bnrt/kernels.h"
#include "kernels/mca.h"

#include <algorithm>
#include <cstring>

namespace bnrt {

using IgemmFn = void (*)(const bnrt_igemm_args &, int64_t m0, int64_t m1);

void igemmScalar(const bnrt_igemm_args &, int64_t, int64_t);
#if defined(__x86_64__)
void igemmAvx2(const bnrt_igemm_args &, int64_t, int64_t);
void igemmAvxVnni(const bnrt_igemm_args &, int64_t, int64_t);
void igemmAvx512(const bnrt_igemm_args &, int64_t, int64_t);
#endif
#if defined(__aarch64__)
void igemmNeon(const bnrt_igemm_args &, int64_t, int64_t);
void igemmNeonDot(const bnrt_igemm_args &, int64_t, int64_t);
void igemmNeonI8mm(const bnrt_igemm_args &, int64_t, int64_t);
#endif

// Internal linkage: each file is compiled for its own ISA, and a shared
// inline definition could be taken from the wrong one at link time.
namespace {

constexpr int64_t kIgemmCols = 16; // columns per packed block

/// Views the packed buffer of a [k, n] right-hand side.
struct IgemmPacked {
  int64_t blocks, groups;
  const int8_t *data; // [blocks][groups][64]

  IgemmPacked(const void *packed, int64_t k, int64_t n)
      : blocks((n + kIgemmCols - 1) / kIgemmCols), groups((k + 3) / 4),
        data(static_cast<const int8_t *>(packed)) {}
  const int8_t *group(int64_t block, int64_t g) const {
    return data + (block * groups + g) * 64;
  }
};

/// The SIMD loop nest, for an ISA's `V`: V::Acc accumulates 16 columns of
/// one row, V::B holds one 64-byte group of a block, V::A one broadcast
/// 4-byte piece of a row; V::step(acc, a, b) adds their products and
/// V::store(acc, out, count) writes `count` <= 16 results.
template <class V, int MB, int NB>
void igemmTile(const bnrt_igemm_args &args, const IgemmPacked &b, int64_t m,
               int64_t block) {
  typename V::Acc acc[MB][NB];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j)
      acc[i][j] = V::zero();
  for (int64_t g = 0; g < b.groups; ++g) {
    if constexpr (MB == 4 && NB == 2) {
      BNRT_MCA_BEGIN("int8 macs=512");
    } else if constexpr (MB == 4 && NB == 1) {
      BNRT_MCA_BEGIN("int8 macs=256");
    }
    typename V::B w[NB];
    for (int j = 0; j < NB; ++j)
      w[j] = V::load(b.group(block + j, g));
    for (int i = 0; i < MB; ++i) {
      int32_t piece;
      std::memcpy(&piece, args.a + (m + i) * args.lda + 4 * g, 4);
      typename V::A av = V::broadcast(piece);
      for (int j = 0; j < NB; ++j)
        V::step(acc[i][j], av, w[j]);
    }
    if constexpr (MB == 4 && NB <= 2) {
      BNRT_MCA_END();
    }
  }
  for (int j = 0; j < NB; ++j) {
    int64_t n = (block + j) * kIgemmCols;
    int count = static_cast<int>(std::min<int64_t>(kIgemmCols, args.n - n));
    for (int i = 0; i < MB; ++i)
      V::store(acc[i][j], args.c + (m + i) * args.ldc + n, count);
  }
}

template <class V, int MB, int NB>
void igemmRows(const bnrt_igemm_args &args, const IgemmPacked &b, int64_t m) {
  int64_t block = 0;
  for (; block + NB <= b.blocks; block += NB)
    igemmTile<V, MB, NB>(args, b, m, block);
  for (; block < b.blocks; ++block)
    igemmTile<V, MB, 1>(args, b, m, block);
}

/// Tiles of 4 rows x NB blocks of 16 columns (their accumulators should
/// fit the ISA's registers).
template <class V, int NB = 2>
void igemmLoop(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  IgemmPacked b(args.packed_b, args.k, args.n);
  int64_t m = m0;
  for (; m + 4 <= m1; m += 4)
    igemmRows<V, 4, NB>(args, b, m);
  for (; m < m1; ++m)
    igemmRows<V, 1, NB>(args, b, m);
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_IGEMM_IMPL_H
