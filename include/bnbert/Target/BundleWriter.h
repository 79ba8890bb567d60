//===- BundleWriter.h - bnq function to the runtime's bundle ----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TARGET_BUNDLEWRITER_H
#define BNBERT_TARGET_BUNDLEWRITER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <vector>

namespace bnbert {

/// Serializes `func` (bnq ops with static shapes, after
/// -bnq-lower-to-runtime) as a .bnb bundle (runtime/schema/bundle.fbs) for
/// `target` ("x86_64" or "aarch64"). Diagnostics name the op that has no
/// runtime form.
mlir::FailureOr<std::vector<uint8_t>> writeBundle(mlir::func::FuncOp func,
                                                  llvm::StringRef target);

/// The same bundle with its constants apart: the program (a bundle whose
/// data is empty) and the bytes its constant values point into. An AOT
/// object holds the two as globals.
struct BundleParts {
  std::vector<uint8_t> program;
  std::vector<uint8_t> constants;
};
mlir::FailureOr<BundleParts> writeBundleParts(mlir::func::FuncOp func,
                                              llvm::StringRef target);

} // namespace bnbert

#endif // BNBERT_TARGET_BUNDLEWRITER_H
