//===- bgemm_impl.h - per-ISA bit-plane GEMM entry points -------*- C++ -*-===//
//
// Every path computes each plane's dot product sum_k x[m,k] * B_p[n,k]
// exactly in int32, then applies the same float epilogue (finishRow), so
// all ISAs produce bit-identical outputs and tests compare them exactly.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_IMPL_H
#define BNRT_SRC_BGEMM_IMPL_H

#include "bnrt/kernels.h"

namespace bnrt {

using BgemmFn = void (*)(const bnrt_bgemm_args &, int64_t m0, int64_t m1,
                         int64_t n0, int64_t n1);

void bgemmScalar(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
#if defined(__x86_64__)
void bgemmAvx2(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmAvx512(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
int64_t bgemmAvx512PackedBytes(int64_t n, int64_t k, int32_t planes);
void bgemmAvx512Pack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                     void *out);
#endif
#if defined(__aarch64__)
void bgemmNeon(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmNeonDot(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
#endif

/// The shared epilogue: y = x_scale * sum_p alpha_p(n) * dots[p] + bias[n].
inline float finishRow(const bnrt_bgemm_args &a, int64_t n,
                       const int32_t *dots) {
  float acc = 0.0f;
  for (int32_t p = 0; p < a.planes; ++p) {
    float alpha = a.per_row ? a.alpha[p * a.n + n] : a.alpha[p];
    acc += alpha * static_cast<float>(dots[p]);
  }
  float y = a.x_scale * acc;
  return a.bias ? y + a.bias[n] : y;
}

} // namespace bnrt

#endif // BNRT_SRC_BGEMM_IMPL_H
