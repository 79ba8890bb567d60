//===- TernarySplit.cpp ---------------------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Quant/TernarySplit.h"

#include <cmath>

namespace bnbert::quant {

SplitWeight splitTernary(const WeightReader &w, int64_t rows, int64_t cols,
                         Granularity granularity) {
  SplitWeight split;
  split.ternary = ternarize(w, rows, cols, granularity);
  const std::vector<int8_t> &t = split.ternary.values;
  int64_t size = rows * cols;
  std::vector<double> half1(size), half2(size);

  int64_t groups = granularity == Granularity::PerRow ? rows : 1;
  int64_t groupSize = size / groups;
  for (int64_t g = 0; g < groups; ++g) {
    int64_t begin = g * groupSize, end = begin + groupSize;
    double alpha = split.ternary.scales[g];
    double sumAbs = 0, sumAbsNonZero = 0;
    int64_t zeros = 0;
    for (int64_t i = begin; i < end; ++i) {
      double a = std::fabs(w(i));
      sumAbs += a;
      if (t[i])
        sumAbsNonZero += a;
      else
        ++zeros;
    }
    double b = zeros ? (alpha * groupSize - sumAbs) / (2.0 * zeros) : 0.0;
    double sumZero1 = 0, sumZero2 = 0;
    for (int64_t i = begin; i < end; ++i) {
      if (t[i])
        continue;
      double v = w(i);
      half1[i] = v > 0 ? v + b : b;
      half2[i] = v < 0 ? v - b : -b;
      sumZero1 += std::fabs(half1[i]);
      sumZero2 += std::fabs(half2[i]);
    }
    // All-zero groups have no nonzero part; any a works there.
    double a = sumAbsNonZero > 0 ? (sumAbsNonZero + sumZero2 - sumZero1) /
                                       (2.0 * sumAbsNonZero)
                                 : 0.5;
    for (int64_t i = begin; i < end; ++i) {
      if (!t[i])
        continue;
      double v = w(i);
      half1[i] = a * v;
      half2[i] = (1.0 - a) * v;
    }
  }

  // Binarize each half in double (before rounding the latents to float).
  for (int p = 0; p < 2; ++p) {
    const std::vector<double> &half = p == 0 ? half1 : half2;
    QuantizedWeight bin =
        binarize([&](int64_t i) { return half[i]; }, rows, cols, granularity);
    split.signs[p] = std::move(bin.values);
    split.scales[p] = std::move(bin.scales);
    split.latent[p].assign(half.begin(), half.end());
  }
  return split;
}

} // namespace bnbert::quant
