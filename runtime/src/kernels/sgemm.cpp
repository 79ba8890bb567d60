//===- sgemm.cpp - float GEMM: the scalar reference and dispatch ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/dispatch.h"
#include "kernels/sgemm_impl.h"

#include <cmath>

namespace bnrt {

/// The definition (bnrt/kernels.h) written out: one chain per output.
void sgemmScalar(const bnrt_sgemm_args &g, int64_t n0, int64_t n1) {
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = n0; j < n1; ++j) {
      const float *x = g.x + i * g.ldx;
      float sum = 0.0f;
      for (int64_t t = 0; t < g.k; ++t)
        sum = std::fma(x[t], sgemmWeight(g, j, t), sum);
      g.y[i * g.ldy + j] = g.bias ? sum + g.bias[j] : sum;
    }
}

} // namespace bnrt

extern "C" void bnrt_sgemm(const bnrt_sgemm_args *args, bnrt_isa isa,
                           int64_t n_begin, int64_t n_end) {
  if (n_begin >= n_end || args->m <= 0)
    return;
  // k = 0: every path's answer is the bias (or 0); the SIMD paths, which
  // write y after a K block, have none.
  if (args->k <= 0)
    return bnrt::sgemmScalar(*args, n_begin, n_end);
  bnrt::isaKernels(isa).sgemm(*args, n_begin, n_end);
}
