//===- Passes.h - onnx to bnq conversion passes -----------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_CONVERSION_PASSES_H
#define BNBERT_CONVERSION_PASSES_H

#include "bnq/BnqDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "onnxir/OnnxOps.h"

namespace bnbert {

#define GEN_PASS_DECL
#include "bnbert/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "bnbert/Conversion/Passes.h.inc"

} // namespace bnbert

#endif // BNBERT_CONVERSION_PASSES_H
