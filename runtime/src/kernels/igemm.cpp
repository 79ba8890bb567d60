//===- igemm.cpp - int8 GEMM: packing, scalar reference, dispatch ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/dispatch.h"
#include "kernels/igemm_impl.h"

#include <algorithm>
#include <cstring>

namespace bnrt {

void igemmScalar(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  IgemmPacked b(args.packed_b, args.k, args.n);
  for (int64_t m = m0; m < m1; ++m) {
    const int8_t *a = args.a + m * args.lda;
    for (int64_t n = 0; n < args.n; ++n) {
      int64_t block = n / kIgemmCols, j = n % kIgemmCols;
      int32_t acc = 0;
      for (int64_t k = 0; k < args.k; ++k)
        acc += a[k] * b.group(block, k / 4)[4 * j + k % 4];
      args.c[m * args.ldc + n] = acc;
    }
  }
}

} // namespace bnrt

extern "C" int64_t bnrt_igemm_packed_bytes(int64_t k, int64_t n) {
  int64_t blocks = (n + bnrt::kIgemmCols - 1) / bnrt::kIgemmCols;
  return blocks * ((k + 3) / 4) * 64;
}

namespace {

// 16 bytes or 4 int32 as one value: GCC's vector extension, so the shuffles
// below compile to the baseline's own (SSE2 unpacks, NEON zips).
typedef int8_t Bytes16 __attribute__((vector_size(16)));
typedef int32_t Words4 __attribute__((vector_size(16)));

template <typename V> V load16(const int8_t *p) {
  V v;
  std::memcpy(&v, p, 16);
  return v;
}

/// Stores 16 packed bytes, -128 raised to -127 (it has no negation in
/// int8, and the AVX2 path negates weights).
template <typename V> void store16(int8_t *p, V v) {
  Bytes16 b;
  std::memcpy(&b, &v, 16);
  const Bytes16 floor = Bytes16{} - 127;
  b = b < floor ? floor : b;
  std::memcpy(p, &b, 16);
}

// The interleaving shuffles: elements 0-7 (low) or 8-15 (high) of a and b
// alternating as bytes, as byte pairs; int32 elements 0-1 / 2-3
// alternating, as int32 pairs.
Bytes16 lowBytes(Bytes16 a, Bytes16 b) {
  return __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21,
                                 6, 22, 7, 23);
}
Bytes16 highBytes(Bytes16 a, Bytes16 b) {
  return __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13,
                                 29, 14, 30, 15, 31);
}
Bytes16 lowBytePairs(Bytes16 a, Bytes16 b) {
  return __builtin_shufflevector(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21,
                                 6, 7, 22, 23);
}
Bytes16 highBytePairs(Bytes16 a, Bytes16 b) {
  return __builtin_shufflevector(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28,
                                 29, 14, 15, 30, 31);
}
Words4 lowWords(Words4 a, Words4 b) {
  return __builtin_shufflevector(a, b, 0, 4, 1, 5);
}
Words4 highWords(Words4 a, Words4 b) {
  return __builtin_shufflevector(a, b, 2, 6, 3, 7);
}
Words4 lowWordPairs(Words4 a, Words4 b) {
  return __builtin_shufflevector(a, b, 0, 1, 4, 5);
}
Words4 highWordPairs(Words4 a, Words4 b) {
  return __builtin_shufflevector(a, b, 2, 3, 6, 7);
}

/// One whole group of a whole block from rows 4g..4g+3 that are 16
/// consecutive bytes each (V's form: stride_n 1): bytes interleaved 4 ways.
void packRowsGroup(const int8_t *from, int64_t strideK, int8_t *to) {
  Bytes16 r0 = load16<Bytes16>(from), r1 = load16<Bytes16>(from + strideK),
          r2 = load16<Bytes16>(from + 2 * strideK),
          r3 = load16<Bytes16>(from + 3 * strideK);
  Bytes16 lo01 = lowBytes(r0, r1), hi01 = highBytes(r0, r1),
          lo23 = lowBytes(r2, r3), hi23 = highBytes(r2, r3);
  store16(to, lowBytePairs(lo01, lo23));
  store16(to + 16, highBytePairs(lo01, lo23));
  store16(to + 32, lowBytePairs(hi01, hi23));
  store16(to + 48, highBytePairs(hi01, hi23));
}

/// Four whole groups of columns j..j+3 whose 16 bytes (4 groups of 4) are
/// consecutive in each column (K^T's form: stride_k 1): a 4 x 4 transpose
/// of int32; group q goes to to + 64 q.
void packColumnsGroups(const int8_t *from, int64_t strideN, int8_t *to) {
  Words4 c0 = load16<Words4>(from), c1 = load16<Words4>(from + strideN),
         c2 = load16<Words4>(from + 2 * strideN),
         c3 = load16<Words4>(from + 3 * strideN);
  Words4 lo01 = lowWords(c0, c1), lo23 = lowWords(c2, c3),
         hi01 = highWords(c0, c1), hi23 = highWords(c2, c3);
  store16(to, lowWordPairs(lo01, lo23));
  store16(to + 64, highWordPairs(lo01, lo23));
  store16(to + 128, lowWordPairs(hi01, hi23));
  store16(to + 192, highWordPairs(hi01, hi23));
}

} // namespace

extern "C" void bnrt_igemm_pack(const int8_t *src, int64_t k, int64_t n,
                                int64_t stride_k, int64_t stride_n, void *out) {
  bnrt::IgemmPacked b(out, k, n);
  auto *data = const_cast<int8_t *>(b.data);
  constexpr int64_t cols = bnrt::kIgemmCols;
  static_assert(cols == 16, "the shuffles pack blocks of 16 columns");
  // Attention packs K and V every run: whole groups of whole blocks by
  // 16-byte shuffles (each byte loaded and stored once, in registers:
  // storing bytes and re-reading them to clamp stalls on store
  // forwarding), the edges one byte at a time.
  for (int64_t block = 0; block < b.blocks; ++block) {
    int64_t width = std::min(cols, n - block * cols);
    const int8_t *from = src + block * cols * stride_n;
    int8_t *blockData = data + block * b.groups * 64;
    int64_t g = 0;
    if (width == cols && stride_n == 1)
      for (; 4 * g + 4 <= k; ++g)
        packRowsGroup(from + 4 * g * stride_k, stride_k, blockData + g * 64);
    if (width == cols && stride_k == 1)
      for (; 4 * g + 16 <= k; g += 4)
        for (int64_t j = 0; j < cols; j += 4)
          packColumnsGroups(from + j * stride_n + 4 * g, stride_n,
                            blockData + g * 64 + 4 * j);
    for (; g < b.groups; ++g) {
      int8_t *to = blockData + g * 64;
      for (int t = 0; t < 4; ++t) {
        int64_t row = 4 * g + t;
        for (int64_t j = 0; j < cols; ++j)
          to[4 * j + t] =
              row < k && j < width
                  ? std::max<int8_t>(from[row * stride_k + j * stride_n], -127)
                  : 0;
      }
    }
  }
}

extern "C" void bnrt_igemm(const bnrt_igemm_args *args, bnrt_isa isa,
                           int64_t m_begin, int64_t m_end) {
  bnrt::IgemmFn fn = bnrt::isaKernels(isa).igemm;
  if (m_begin < m_end && args->n > 0)
    fn(*args, m_begin, m_end);
}
