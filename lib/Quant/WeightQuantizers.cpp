//===- WeightQuantizers.cpp -----------------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Quant/WeightQuantizers.h"

#include <algorithm>
#include <cmath>

namespace bnbert::quant {

/// Calls `fn(begin, end)` for each group of elements sharing one scale.
template <typename Fn>
static void forEachGroup(int64_t rows, int64_t cols, Granularity granularity,
                         Fn fn) {
  if (granularity == Granularity::PerTensor) {
    fn(int64_t{0}, rows * cols);
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    fn(r * cols, (r + 1) * cols);
}

QuantizedWeight ternarize(const WeightReader &w, int64_t rows, int64_t cols,
                          Granularity granularity) {
  QuantizedWeight q;
  q.values.assign(rows * cols, 0);
  forEachGroup(rows, cols, granularity, [&](int64_t begin, int64_t end) {
    double sumAbs = 0;
    for (int64_t i = begin; i < end; ++i)
      sumAbs += std::fabs(w(i));
    double delta = 0.7 * sumAbs / static_cast<double>(end - begin);
    double keptAbs = 0;
    int64_t kept = 0;
    for (int64_t i = begin; i < end; ++i) {
      double v = w(i);
      if (std::fabs(v) > delta) {
        q.values[i] = v > 0 ? 1 : -1;
        keptAbs += std::fabs(v);
        ++kept;
      }
    }
    q.scales.push_back(kept ? static_cast<float>(keptAbs / kept) : 0.0f);
  });
  return q;
}

QuantizedWeight binarize(const WeightReader &w, int64_t rows, int64_t cols,
                         Granularity granularity) {
  QuantizedWeight q;
  q.values.assign(rows * cols, 1);
  forEachGroup(rows, cols, granularity, [&](int64_t begin, int64_t end) {
    double sumAbs = 0;
    for (int64_t i = begin; i < end; ++i) {
      double v = w(i);
      sumAbs += std::fabs(v);
      if (v < 0)
        q.values[i] = -1;
    }
    q.scales.push_back(static_cast<float>(sumAbs / (end - begin)));
  });
  return q;
}

QuantizedWeight quantizeInt8(const WeightReader &w, int64_t rows, int64_t cols,
                             Granularity granularity) {
  QuantizedWeight q;
  q.values.assign(rows * cols, 0);
  forEachGroup(rows, cols, granularity, [&](int64_t begin, int64_t end) {
    double maxAbs = 0;
    for (int64_t i = begin; i < end; ++i)
      maxAbs = std::max(maxAbs, std::fabs(w(i)));
    // The float scale is what dequantization uses, so round with it.
    float scale = static_cast<float>(maxAbs / 127.0);
    for (int64_t i = begin; scale > 0 && i < end; ++i) {
      double v = std::nearbyint(w(i) / static_cast<double>(scale));
      q.values[i] = static_cast<int8_t>(std::min(std::max(v, -127.0), 127.0));
    }
    q.scales.push_back(scale);
  });
  return q;
}

} // namespace bnbert::quant
