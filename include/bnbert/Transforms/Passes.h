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

#include <optional>
#include <string>

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
  /// GELU, softmax and layer norm in I-BERT's integer forms.
  bool integerNonlinear = false;
};

/// A weight format's name, as bnbert-compile's --weights and the
/// bnq-quantize pipeline's weights= spell it (one table for both).
struct WeightsName {
  QuantizationRecipe::Weights weights;
  llvm::StringLiteral name, description;
  /// Only a model that stores quantized weights deploys them as stored:
  /// bnbert-compile chooses that mode itself, never from --weights.
  bool userChoice;
};
llvm::ArrayRef<WeightsName> weightsNames();
/// The user's choices among weightsNames() ("fp32, int8, ternary or
/// binary").
std::string weightsChoices();
/// The weight format named `name` among the user's choices.
std::optional<QuantizationRecipe::Weights> weightsNamed(llvm::StringRef name);

/// A scale granularity's name (--granularity, granularity=).
struct GranularityName {
  quant::Granularity granularity;
  llvm::StringLiteral name, description;
};
llvm::ArrayRef<GranularityName> granularityNames();

/// The names above as an option's values, as llvm::cl::values would give
/// them: `cl::opt<Granularity> g("granularity", GranularityValues())`.
struct WeightsValues {
  template <typename Opt> void apply(Opt &option) const {
    for (const WeightsName &w : weightsNames())
      option.getParser().addLiteralOption(w.name, w.weights, w.description);
  }
};
struct GranularityValues {
  template <typename Opt> void apply(Opt &option) const {
    for (const GranularityName &g : granularityNames())
      option.getParser().addLiteralOption(g.name, g.granularity, g.description);
  }
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
