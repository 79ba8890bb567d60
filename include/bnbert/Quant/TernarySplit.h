//===- TernarySplit.h - ternary weight splitting (TWS) ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// BinaryBERT's ternary weight splitting: a latent weight W with TWN
// ternarization (T, alpha) becomes two latent halves W1 + W2 = W whose
// BWN binarizations sum to T * alpha. Computed in double, as the authors
// note an exact conversion needs.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_QUANT_TERNARYSPLIT_H
#define BNBERT_QUANT_TERNARYSPLIT_H

#include "bnbert/Quant/WeightQuantizers.h"

namespace bnbert::quant {

/// The two halves; plane p has latent `latent[p]`, signs `signs[p]` and
/// one scale per group `scales[p]` (per tensor or per row).
struct SplitWeight {
  QuantizedWeight ternary; // TWN of the input: what the split must reproduce
  std::vector<float> latent[2];
  std::vector<int8_t> signs[2];
  std::vector<float> scales[2];
};

/// Per group (tensor or row) with n elements, Z the positions where T = 0:
///   b = (alpha n - sum|W|) / (2 |Z|)
///   T = 0:  W1 = (W > 0 ? W + b : b),  W2 = (W < 0 ? W - b : -b)
///   T != 0: W1 = a W,  W2 = (1 - a) W, with
///   a = (sum_{T!=0}|W| + sum_Z|W2| - sum_Z|W1|) / (2 sum_{T!=0}|W|)
/// then each half is binarized with its own mean-|.| scale (= alpha / 2).
SplitWeight splitTernary(const WeightReader &w, int64_t rows, int64_t cols,
                         Granularity granularity);

} // namespace bnbert::quant

#endif // BNBERT_QUANT_TERNARYSPLIT_H
