//===- bnrt/sgemm_panels.h - the float GEMM's panel layout -----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// BNRT_SGEMM_W_PANELS (bnrt/kernels.h): the layout in which the bundle
// writer stores LinearF32 weights, so that the float GEMM's SIMD paths,
// which take one row of k for many weight rows at a time, read them in
// order instead of transposing them on every call. Rows [0, full) of an
// [n, k] weight (full = 64 floor(n / 64)) go in panels of 64 rows, each
// stored [k][64]; the rows after them stay [rows][k]. No padding: the
// layout holds n k floats, as the rows do.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SGEMM_PANELS_H
#define BNRT_SGEMM_PANELS_H

#include <cstdint>

namespace bnrt::sgemm_panels {

/// Weight rows per panel.
constexpr int64_t kWidth = 64;

/// Where w[row, t] of an [n, k] weight is in the panel layout.
inline int64_t offset(int64_t row, int64_t t, int64_t n, int64_t k) {
  int64_t full = n / kWidth * kWidth;
  if (row >= full)
    return row * k + t;
  return row / kWidth * kWidth * k + t * kWidth + row % kWidth;
}

/// The [n, k] rows `w` in the panel layout, into `panels` (n k floats).
template <typename T> void pack(const T *w, int64_t n, int64_t k, T *panels) {
  for (int64_t row = 0; row < n; ++row)
    for (int64_t t = 0; t < k; ++t)
      panels[offset(row, t, n, k)] = w[row * k + t];
}

} // namespace bnrt::sgemm_panels

#endif // BNRT_SGEMM_PANELS_H
