//===- ModelQuantization.cpp ----------------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Transforms/ModelQuantization.h"
#include "bnq/BnqOps.h"

#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace bnbert::bnq;

namespace bnbert {

ModelQuantization findModelQuantization(func::FuncOp func) {
  ModelQuantization found;
  llvm::MapVector<StringRef, int64_t> formats;
  func.walk([&](Operation *op) {
    if (auto weight = dyn_cast<QuantWeightOp>(op))
      ++formats[stringifyWeightFormat(weight.getFormat())];
    else if (isa<BitplaneWeightOp, PackedWeightOp>(op))
      ++formats["bit-plane"];
    else if (isa<QuantizeOp, BinarizeOp>(op))
      ++found.activations;
  });
  for (auto &[format, count] : formats) {
    found.weights += count;
    found.weightFormats += (found.weightFormats.empty() ? "" : ", ") +
                           std::to_string(count) + " " + format.str();
  }
  return found;
}

} // namespace bnbert
