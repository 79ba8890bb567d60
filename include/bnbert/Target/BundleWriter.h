//===- BundleWriter.h - bnq function to the runtime's bundle ----*- C++ -*-===//
#ifndef BNBERT_TARGET_BUNDLEWRITER_H
#define BNBERT_TARGET_BUNDLEWRITER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <vector>

namespace bnbert {

/// Serializes `func` (bnq ops with static shapes) as a .bnb bundle
/// (runtime/schema/bundle.fbs) for `target` ("x86_64" or "aarch64").
/// Diagnostics name the op that has no runtime form.
mlir::FailureOr<std::vector<uint8_t>> writeBundle(mlir::func::FuncOp func,
                                                  llvm::StringRef target);

} // namespace bnbert

#endif // BNBERT_TARGET_BUNDLEWRITER_H
