//===- Passes.h - bnq passes ------------------------------------*- C++ -*-===//
#ifndef BNBERT_TRANSFORMS_PASSES_H
#define BNBERT_TRANSFORMS_PASSES_H

#include "bnq/BnqDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "onnxir/OnnxOps.h"

namespace bnbert {

#define GEN_PASS_DECL
#include "bnbert/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "bnbert/Transforms/Passes.h.inc"

/// Registers the named pipelines `bnq-binarybert` and `bnq-binarize-direct`.
void registerBnbertPipelines();

} // namespace bnbert

#endif // BNBERT_TRANSFORMS_PASSES_H
