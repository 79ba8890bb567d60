//===- Passes.h - bnq passes ------------------------------------*- C++ -*-===//
#ifndef BNBERT_TRANSFORMS_PASSES_H
#define BNBERT_TRANSFORMS_PASSES_H

#include "bnq/BnqDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "onnxir/OnnxOps.h"

namespace bnbert {

#define GEN_PASS_DECL
#include "bnbert/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "bnbert/Transforms/Passes.h.inc"

/// onnx-specialize-shapes, bnq-raise-onnx and bnq-fuse-attention with
/// canonicalization between: imported onnx ops to float bnq.
void addRaiseOnnxPipeline(mlir::OpPassManager &pm);

/// Registers the named pipelines `bnq-from-onnx`, `bnq-binarybert` and
/// `bnq-binarize-direct`.
void registerBnbertPipelines();

} // namespace bnbert

#endif // BNBERT_TRANSFORMS_PASSES_H
