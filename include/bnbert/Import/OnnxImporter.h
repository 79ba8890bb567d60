//===- OnnxImporter.h - ONNX model to the onnx dialect ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Reads a binary .onnx (with external data) or ONNX text syntax, fixes the
// shapes the user gives, runs ONNX's checker and shape inference, and builds
// a func.func @main of onnx ops. Weights become dense_resource blobs, copied
// once. Errors name the ONNX node and are reported through the context's
// diagnostic handler; the result is then null. Never throws.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_IMPORT_ONNXIMPORTER_H
#define BNBERT_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace bnbert {

struct OnnxImportOptions {
  /// Graph input name -> the static shape to give it (`--shape NAME=DxD`;
  /// a range's upper end for `LO..HI`).
  std::map<std::string, std::vector<int64_t>> shapes;
  /// The same inputs' smallest sizes (equal to `shapes` but for ranges).
  std::map<std::string, std::vector<int64_t>> minShapes;

  bool hasRanges() const { return shapes != minShapes; }
};

/// Parses `NAME=D0xD1x...` (each dimension a size or a range `LO..HI`)
/// into `options`; returns an error message, or an empty string on
/// success.
std::string addShapeOption(llvm::StringRef spec, OnnxImportOptions &options);

/// The ONNX metadata key (value "1") by which the trainer marks a model
/// trained with integer nonlinearities; the import sets the same name as a
/// unit attribute on the module.
constexpr const char *kIntegerNonlinearKey = "bnbert.integer_nonlinear";

mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
               const OnnxImportOptions &options);

} // namespace bnbert

#endif // BNBERT_IMPORT_ONNXIMPORTER_H
