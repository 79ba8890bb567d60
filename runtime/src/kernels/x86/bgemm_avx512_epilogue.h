//===- bgemm_avx512_epilogue.h - AVX-512 bit-plane GEMM epilogue -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What the AVX-512 bit-plane kernels (VNNI and lookup) do with their
// integer dots: finishRow's arithmetic 16 outputs at a time.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_AVX512_EPILOGUE_H
#define BNRT_SRC_BGEMM_AVX512_EPILOGUE_H

#include "kernels/bgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

/// Plane p's scales of the 16 rows from n (zero past the last row).
inline __m512 alphaOf(const bnrt_bgemm_args &a, int32_t p, int64_t n) {
  if (!a.per_row)
    return _mm512_set1_ps(a.alpha[p]);
  __mmask16 valid = n + kMaskRows <= a.n ? 0xFFFF
                    : n < a.n            ? (__mmask16)((1u << (a.n - n)) - 1)
                                         : 0;
  return _mm512_maskz_loadu_ps(valid, a.alpha + p * a.n + n);
}

/// finishRow's sum over planes for 16 outputs, fed one plane's dots at a
/// time: sum_p alpha_p * dots_p in plane order, or, on the lanes where
/// every plane has plane 0's scale, alpha_0 * (sum_p dots_p).
class PlaneSum {
public:
  void add(__m512 alpha, __m512i dots) {
    __m512 term = _mm512_mul_ps(alpha, _mm512_cvtepi32_ps(dots));
    if (first) {
      acc = term, sum = dots, alpha0 = alpha, shared = 0xFFFF, first = false;
      return;
    }
    shared &= _mm512_cmp_ps_mask(alpha, alpha0, _CMP_EQ_OQ);
    acc = _mm512_add_ps(acc, term);
    sum = _mm512_add_epi32(sum, dots);
  }
  __m512 result() const {
    __m512 combined = _mm512_add_ps(
        _mm512_setzero_ps(), _mm512_mul_ps(alpha0, _mm512_cvtepi32_ps(sum)));
    return _mm512_mask_mov_ps(acc, shared, combined);
  }

private:
  __m512 acc, alpha0;
  __m512i sum;
  __mmask16 shared;
  bool first = true;
};

/// The 16 outputs from n of `planes` planes whose dots are d[0..planes),
/// or, when `summed` (planes sharing their scale), whose dots' sum is d[0].
inline __m512 finishDots(const bnrt_bgemm_args &a, int64_t n, const __m512i *d,
                         int32_t planes, bool summed) {
  if (summed) // finishRow's shared form, directly
    return _mm512_add_ps(
        _mm512_setzero_ps(),
        _mm512_mul_ps(alphaOf(a, 0, n), _mm512_cvtepi32_ps(d[0])));
  PlaneSum sum;
  for (int32_t p = 0; p < planes; ++p)
    sum.add(alphaOf(a, p, n), d[p]);
  return sum.result();
}

/// y[m, 16 block .. ] = x_scale * acc + bias, for the outputs below n1.
inline void storeRow(const bnrt_bgemm_args &a, int64_t m, int64_t block,
                     int64_t n1, __m512 acc) {
  int64_t n = block * kMaskRows;
  if (n >= n1)
    return;
  __mmask16 valid =
      n + kMaskRows <= n1 ? 0xFFFF : (__mmask16)((1u << (n1 - n)) - 1);
  __m512 y = _mm512_mul_ps(_mm512_set1_ps(a.x_scale), acc);
  if (a.bias)
    y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(valid, a.bias + n));
  _mm512_mask_storeu_ps(a.y + m * a.ldy + n, valid, y);
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_BGEMM_AVX512_EPILOGUE_H
