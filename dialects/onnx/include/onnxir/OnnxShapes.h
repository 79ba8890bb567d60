//===- OnnxShapes.h - static result shapes of onnx ops ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef ONNXIR_ONNXSHAPES_H
#define ONNXIR_ONNXSHAPES_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace bnbert::onnxir {

/// The static shape of `op`'s first result computed from its operands'
/// static shapes and constant operands (ONNX semantics), or nullopt when
/// that is not yet known.
std::optional<llvm::SmallVector<int64_t>> inferStaticShape(mlir::Operation *op);

} // namespace bnbert::onnxir

#endif // ONNXIR_ONNXSHAPES_H
