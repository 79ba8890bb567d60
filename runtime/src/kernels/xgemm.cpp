//===- xgemm.cpp - fully binary GEMM: scalar reference and dispatch -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/dispatch.h"
#include "kernels/quantizer.h"
#include "kernels/xgemm_impl.h"

#include <vector>

namespace bnrt {

void xgemmScalar(const bnrt_xgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                 int64_t n1) {
  int64_t words = bnrt_bitpack_row_words(a.k);
  std::vector<int32_t> dots(a.x_planes * a.planes);
  for (int64_t m = m0; m < m1; ++m)
    for (int64_t n = n0; n < n1; ++n) {
      for (int32_t i = 0; i < a.x_planes; ++i)
        for (int32_t p = 0; p < a.planes; ++p) {
          const uint64_t *x = a.x + (i * a.m + m) * words;
          const uint64_t *xm =
              a.x_mask ? a.x_mask + (i * a.m + m) * words : nullptr;
          const uint64_t *w = a.bits + (p * a.n + n) * words;
          int32_t counted = 0;
          for (int64_t t = 0; t < words; ++t)
            counted += __builtin_popcountll(
                xm ? xm[t] & (x[t] ^ w[t])
                   : (a.x_signed ? x[t] ^ w[t] : x[t] & w[t]));
          dots[i * a.planes + p] = xgemmRowBase(a, i, m, words) - 2 * counted;
        }
      a.y[m * a.ldy + n] = finishBinary(a, n, dots.data());
    }
}

void xgemmPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
               uint64_t *panels) {
  int64_t words = bnrt_bitpack_row_words(k), blocks = xgemmBlocks(n);
  for (int32_t p = 0; p < planes; ++p)
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t t = 0; t < words; ++t)
        for (int j = 0; j < kXgemmBlock; ++j) {
          int64_t row = b * kXgemmBlock + j;
          *panels++ = row < n ? bits[(p * n + row) * words + t] : 0;
        }
}

} // namespace bnrt

extern "C" void bnrt_binarize_rows(const float *x, int64_t rows, int64_t k,
                                   int64_t ldx, float alpha, float beta,
                                   int x_signed, uint64_t *out) {
  int64_t words = bnrt_bitpack_row_words(k);
  for (int64_t r = 0; r < rows; ++r, x += ldx, out += words) {
    for (int64_t t = 0; t < words; ++t)
      out[t] = 0;
    for (int64_t j = 0; j < k; ++j)
      if (bnrt::binarizedBit(x[j], alpha, beta, x_signed))
        out[j / 64] |= uint64_t(1) << (j % 64);
  }
}

extern "C" int64_t bnrt_xgemm_packed_bytes(const bnrt_xgemm_args *args,
                                           bnrt_isa isa) {
  if (isa <= BNRT_ISA_SCALAR || isa >= BNRT_ISA_COUNT) // scalar reads bits
    return 0;
  return args->planes * bnrt::xgemmBlocks(args->n) *
         bnrt_bitpack_row_words(args->k) * bnrt::kXgemmBlock * 8;
}

extern "C" void bnrt_xgemm_pack(const bnrt_xgemm_args *args, bnrt_isa isa,
                                void *out) {
  if (bnrt_xgemm_packed_bytes(args, isa) > 0)
    bnrt::xgemmPack(args->bits, args->n, args->k, args->planes,
                    static_cast<uint64_t *>(out));
}

extern "C" void bnrt_xgemm(const bnrt_xgemm_args *args, bnrt_isa isa,
                           int64_t m_begin, int64_t m_end, int64_t n_begin,
                           int64_t n_end) {
  if (m_begin < m_end && n_begin < n_end)
    bnrt::isaKernels(isa).xgemm(*args, m_begin, m_end, n_begin, n_end);
}
