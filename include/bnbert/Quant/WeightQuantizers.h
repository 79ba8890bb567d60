//===- WeightQuantizers.h - TWN / BWN on plain arrays -----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The weight quantizers of TernaryBERT / BinaryBERT as plain functions over a
// row-major [rows, cols] float array, so passes and unit tests share them.
// Arithmetic is in double, as the authors' conversion code does.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_QUANT_WEIGHTQUANTIZERS_H
#define BNBERT_QUANT_WEIGHTQUANTIZERS_H

#include <cstdint>
#include <functional>
#include <vector>

namespace bnbert::quant {

enum class Granularity { PerTensor, PerRow };

/// Integer values (row-major, same shape as the input) and their scales: one
/// scale per tensor or one per row.
struct QuantizedWeight {
  std::vector<int8_t> values;
  std::vector<float> scales;
};

/// Element accessor: weights may live in a splat or a resource blob, so the
/// quantizers read through a function rather than a pointer.
using WeightReader = std::function<double(int64_t)>;

/// TWN: Delta = 0.7 mean|W|; T = sign(W) where |W| > Delta else 0;
/// alpha = mean |W_i| over |W_i| > Delta (0 when no element exceeds Delta).
QuantizedWeight ternarize(const WeightReader &w, int64_t rows, int64_t cols,
                          Granularity granularity);

/// BWN: B = +1 where W >= 0 else -1; alpha = mean|W|.
QuantizedWeight binarize(const WeightReader &w, int64_t rows, int64_t cols,
                         Granularity granularity);

/// Symmetric int8: scale = max|W| / 127 (0 when W = 0, then all values 0);
/// q = clamp(round_half_even(W / scale), -127, 127).
QuantizedWeight quantizeInt8(const WeightReader &w, int64_t rows, int64_t cols,
                             Granularity granularity);

} // namespace bnbert::quant

#endif // BNBERT_QUANT_WEIGHTQUANTIZERS_H
