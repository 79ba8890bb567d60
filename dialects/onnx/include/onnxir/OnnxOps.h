//===- OnnxOps.h - the onnx dialect -----------------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef ONNXIR_ONNXOPS_H
#define ONNXIR_ONNXOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "onnxir/OnnxDialect.h.inc"

#define GET_OP_CLASSES
#include "onnxir/OnnxOps.h.inc"

#endif // ONNXIR_ONNXOPS_H
