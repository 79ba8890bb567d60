//===- ObjectEmitter.h - a bundle's program as an AOT object ----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TARGET_OBJECTEMITTER_H
#define BNBERT_TARGET_OBJECTEMITTER_H

#include "bnbert/Target/BundleWriter.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bnbert {

struct AotObject {
  std::string object; // ELF object file bytes
  std::string header; // the C header defining <name>_model
};

/// The bundle `bundle` (writeBundleParts' output) as an object for
/// `target` ("x86_64" or "aarch64"): its program and its constants as two
/// read-only globals, built in MLIR's LLVM dialect and emitted by LLVM's
/// target machine, plus the header describing them to bnrt_model_load_aot
/// (runtime/include/bnrt/aot.h). `source` is named in the header. Errors
/// go to `error`.
mlir::FailureOr<AotObject>
emitAotObject(mlir::MLIRContext &context, const BundleParts &bundle,
              llvm::StringRef target, llvm::StringRef name,
              llvm::StringRef source, std::string &error);

/// A C identifier made from a file name ("models/bert-8.o" -> "bert_8").
std::string aotNameFromPath(llvm::StringRef path);

} // namespace bnbert

#endif // BNBERT_TARGET_OBJECTEMITTER_H
