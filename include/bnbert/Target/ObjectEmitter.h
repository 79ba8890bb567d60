//===- ObjectEmitter.h - a bundle's program as an AOT object ----*- C++ -*-===//
#ifndef BNBERT_TARGET_OBJECTEMITTER_H
#define BNBERT_TARGET_OBJECTEMITTER_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bnbert {

struct AotObject {
  std::string object; // ELF object file bytes
  std::string header; // the C header declaring its entry point
};

/// Compiles the program of `bundle` (writeBundle's output) ahead of time:
/// an MLIR LLVM-dialect module with the bundle's constants as a global and
/// an entry point `<name>_run` that calls the runtime's kernels op by op
/// (runtime/include/bnrt/aot.h), translated to LLVM IR and emitted as an
/// object for `target` ("x86_64" or "aarch64") by LLVM's target machine.
/// `source` is named in the header. Errors go to `error`.
mlir::FailureOr<AotObject>
emitAotObject(mlir::MLIRContext &context, const std::vector<uint8_t> &bundle,
              llvm::StringRef target, llvm::StringRef name,
              llvm::StringRef source, std::string &error);

/// A C identifier made from a file name ("models/bert-8.o" -> "bert_8").
std::string aotNameFromPath(llvm::StringRef path);

} // namespace bnbert

#endif // BNBERT_TARGET_OBJECTEMITTER_H
