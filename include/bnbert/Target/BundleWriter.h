//===- BundleWriter.h - bnq function to the runtime's bundle ----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TARGET_BUNDLEWRITER_H
#define BNBERT_TARGET_BUNDLEWRITER_H

#include "bnbert/Target/ShapeRange.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bnbert {

/// A shape range: the model compiled at the probe sizes of its symbols
/// (the function given to the writers is compiled at their maxima).
struct ShapeRangeProbe {
  std::vector<RangeSymbol> symbols;
  mlir::func::FuncOp probe;
};

/// What a bundle carries for text in (bundle.fbs, table Text): the
/// tokenizer file's bytes as given, its case rule, the label names.
struct BundleText {
  std::vector<uint8_t> tokenizer;
  std::vector<uint8_t> merges; // a vocab.json's merges.txt
  bool fairseq = false;        // XLM-R's sentencepiece.bpe.model
  bool lowercase = true;
  std::vector<std::string> labels;
};

/// Serializes `func` (bnq ops with static shapes, after
/// -bnq-lower-to-runtime) as a .bnb bundle (runtime/schema/bundle.fbs) for
/// `target` ("x86_64" or "aarch64"), running every shape of `range` when
/// given. Diagnostics name the op that has no runtime form, or the value
/// whose shape the range cannot express.
mlir::FailureOr<std::vector<uint8_t>>
writeBundle(mlir::func::FuncOp func, llvm::StringRef target,
            const ShapeRangeProbe *range = nullptr,
            const BundleText *text = nullptr);

/// The same bundle with its constants apart: the program (a bundle whose
/// data is empty) and the bytes its constant values point into. An AOT
/// object holds the two as globals.
struct BundleParts {
  std::vector<uint8_t> program;
  std::vector<uint8_t> constants;
};
mlir::FailureOr<BundleParts>
writeBundleParts(mlir::func::FuncOp func, llvm::StringRef target,
                 const ShapeRangeProbe *range = nullptr,
                 const BundleText *text = nullptr);

} // namespace bnbert

#endif // BNBERT_TARGET_BUNDLEWRITER_H
