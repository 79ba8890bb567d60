//===- onnx_import_fuzzer.cpp - libFuzzer harness for the ONNX importer ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Each input is written to model.onnx in this process's own directory and
// imported as bnbert-compile does (binary protobuf, or ONNX text when it
// starts with '<' or '#'), so external-data locations resolve inside that
// directory. The importer's contract is checked, not just its survival: a
// failed import reports an error, and a module it returns verifies.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Import/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

const std::string &modelPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/bnbert-fuzz-import-XXXXXX";
    if (!mkdtemp(dir))
      std::abort();
    return std::string(dir) + "/model.onnx";
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = modelPath();
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);

  // A fresh context per input: imported weights live in the context.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  bool reportedError = false;
  mlir::ScopedDiagnosticHandler quiet(&context, [&](mlir::Diagnostic &d) {
    reportedError |= d.getSeverity() == mlir::DiagnosticSeverity::Error;
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      bnbert::importOnnxFile(path, context, bnbert::OnnxImportOptions());
  if (!module && !reportedError)
    __builtin_trap(); // a failure that says nothing
  if (module && mlir::failed(mlir::verify(*module)))
    __builtin_trap(); // the importer returned an invalid module
  return 0;
}
