//===- OnnxExporter.h - bnq module to ONNX ----------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_EXPORT_ONNXEXPORTER_H
#define BNBERT_EXPORT_ONNXEXPORTER_H

#include "mlir/IR/BuiltinOps.h"

namespace bnbert {

/// Writes the module's @main (or only) function as an ONNX model (opset 17)
/// for fine-tuning: latent fp32 weights, one linear per weight plane (a
/// TWS-split weight becomes two linears with half the bias each, summed),
/// static activation clips as Clip + QuantizeLinear/DequantizeLinear.
/// Diagnostics name the op that cannot be exported.
mlir::LogicalResult exportOnnxFile(mlir::ModuleOp module, llvm::StringRef path);

} // namespace bnbert

#endif // BNBERT_EXPORT_ONNXEXPORTER_H
