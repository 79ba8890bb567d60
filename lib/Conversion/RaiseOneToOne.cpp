//===- RaiseOneToOne.cpp - the DRR rules of RaiseOneToOne.td --------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "RaiseUtils.h"
#include "bnq/BnqOps.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace {
#include "RaiseOneToOne.inc"
} // namespace

void bnbert::raise::populateRaiseOneToOnePatterns(RewritePatternSet &oneToOne) {
  populateWithGenerated(oneToOne);
}
