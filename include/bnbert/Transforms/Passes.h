//===- Passes.h - bnq passes ------------------------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TRANSFORMS_PASSES_H
#define BNBERT_TRANSFORMS_PASSES_H

#include "bnbert/Conversion/Passes.h"
#include "bnbert/Quant/WeightQuantizers.h"
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

/// What the quantization pipeline does to a float bnq function: the one
/// definition bnbert-compile and the registered pipelines share.
struct QuantizationRecipe {
  enum class Weights { Fp32, Int8, Ternary, Binary, AsStored };
  Weights weights = Weights::Binary;
  /// With Binary: ternarize (keeping latents), then split each ternary
  /// weight into two binary planes (TWS).
  bool splitTernary = false;
  quant::Granularity granularity = quant::Granularity::PerTensor;
  int actBits = 8; // 32: activations stay float
};

/// Weight quantization (or none: Fp32, AsStored), activation quantizers
/// (bnq-quantize-activations), bit packing and canonicalization.
void addQuantizationPipeline(mlir::OpPassManager &pm,
                             const QuantizationRecipe &recipe);

/// Registers the named pipelines `bnq-from-onnx`, `bnq-quantize`,
/// `bnq-binarybert` and `bnq-binarize-direct`.
void registerBnbertPipelines();

} // namespace bnbert

#endif // BNBERT_TRANSFORMS_PASSES_H
