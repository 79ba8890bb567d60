//===- igemm.cpp - int8 GEMM: packing, scalar reference, dispatch ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/dispatch.h"
#include "kernels/igemm_impl.h"

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

extern "C" void bnrt_igemm_pack(const int8_t *src, int64_t k, int64_t n,
                                int64_t stride_k, int64_t stride_n, void *out) {
  bnrt::IgemmPacked b(out, k, n);
  auto *data = const_cast<int8_t *>(b.data);
  constexpr int64_t cols = bnrt::kIgemmCols;
  // In the order of the layout, so every byte (padding included) is
  // written once, sequentially: attention packs K and V every run.
  for (int64_t block = 0; block < b.blocks; ++block) {
    int64_t width = std::min(cols, n - block * cols);
    const int8_t *from = src + block * cols * stride_n;
    for (int64_t g = 0; g < b.groups; ++g) {
      int8_t *to = data + (block * b.groups + g) * 64;
      if (width == cols && 4 * g + 4 <= k) { // whole group: no bounds
        if (stride_k == 1) // 4 consecutive source bytes per column (K^T)
          for (int64_t j = 0; j < cols; ++j)
            std::memcpy(to + 4 * j, from + j * stride_n + 4 * g, 4);
        else
          for (int t = 0; t < 4; ++t)
            for (int64_t j = 0; j < cols; ++j)
              to[4 * j + t] = from[(4 * g + t) * stride_k + j * stride_n];
        for (int i = 0; i < 64; ++i)
          to[i] = std::max<int8_t>(to[i], -127);
        continue;
      }
      for (int t = 0; t < 4; ++t) {
        int64_t row = 4 * g + t;
        for (int64_t j = 0; j < cols; ++j) {
          // -128 has no negation in int8 (the AVX2 path negates weights).
          int8_t v =
              row < k && j < width
                  ? std::max<int8_t>(from[row * stride_k + j * stride_n], -127)
                  : 0;
          to[4 * j + t] = v;
        }
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
