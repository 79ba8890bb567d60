//===- igemm.cpp - int8 GEMM: packing, scalar reference, dispatch ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "igemm_impl.h"

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
  return blocks * bnrt::kIgemmCols * 4 + blocks * ((k + 3) / 4) * 64;
}

extern "C" void bnrt_igemm_pack(const int8_t *src, int64_t k, int64_t n,
                                int64_t stride_k, int64_t stride_n, void *out) {
  std::memset(out, 0, bnrt_igemm_packed_bytes(k, n));
  bnrt::IgemmPacked b(out, k, n);
  auto *sums = const_cast<int32_t *>(b.colSums);
  auto *data = const_cast<int8_t *>(b.data);
  for (int64_t col = 0; col < n; ++col) {
    int64_t block = col / bnrt::kIgemmCols, j = col % bnrt::kIgemmCols;
    for (int64_t row = 0; row < k; ++row) {
      // -128 has no negation in int8 (the AVX2 path negates weights).
      int8_t v = std::max<int8_t>(src[row * stride_k + col * stride_n], -127);
      data[(block * b.groups + row / 4) * 64 + 4 * j + row % 4] = v;
      sums[col] += v;
    }
  }
}

extern "C" void bnrt_igemm(const bnrt_igemm_args *args, bnrt_isa isa,
                           int64_t m_begin, int64_t m_end) {
  bnrt::IgemmFn fn = bnrt::igemmScalar;
  switch (isa) {
#if defined(__x86_64__)
  case BNRT_ISA_AVX2:
    fn = bnrt::igemmAvx2;
    break;
  case BNRT_ISA_AVX512:
    fn = bnrt::igemmAvx512;
    break;
#endif
#if defined(__aarch64__)
  case BNRT_ISA_NEON:
    fn = bnrt::igemmNeon;
    break;
  case BNRT_ISA_NEONDOT:
    fn = bnrt::igemmNeonDot;
    break;
#endif
  default:
    break;
  }
  if (m_begin < m_end && args->n > 0)
    fn(*args, m_begin, m_end);
}
