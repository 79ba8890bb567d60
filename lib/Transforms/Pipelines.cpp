//===- Pipelines.cpp - named bnq pipelines --------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The raising and quantization pipelines, built once here: bnbert-compile
// calls the same builders that bnbert-opt's named pipelines register.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using Weights = bnbert::QuantizationRecipe::Weights;

namespace {
/// Options every quantization pipeline takes.
template <typename Derived>
struct CommonOptions : PassPipelineOptions<Derived> {
  using Base = PassPipelineOptions<Derived>;
  typename Base::template Option<int> actBits{
      *this, "act-bits",
      llvm::cl::desc("activation bits: 8 or 4 (or any of 2..8); 32 keeps "
                     "activations float"),
      llvm::cl::init(8)};
  typename Base::template Option<bnbert::quant::Granularity> granularity{
      *this, "granularity",
      llvm::cl::desc("scale granularity of linear weights: tensor or row"),
      llvm::cl::init(bnbert::quant::Granularity::PerTensor),
      bnbert::GranularityValues()};
};

struct PipelineOptions : CommonOptions<PipelineOptions> {};

struct QuantizeOptions : CommonOptions<QuantizeOptions> {
  Option<Weights> weights{*this, "weights", llvm::cl::desc("weight format"),
                          llvm::cl::init(Weights::Binary),
                          bnbert::WeightsValues()};
  Option<bool> splitTernary{
      *this, "split-ternary",
      llvm::cl::desc("with weights=binary: ternarize, then split (TWS)"),
      llvm::cl::init(false)};
};
} // namespace

llvm::ArrayRef<bnbert::WeightsName> bnbert::weightsNames() {
  static const WeightsName names[] = {
      {Weights::Fp32, "fp32", "keep float weights", true},
      {Weights::Int8, "int8", "symmetric int8", true},
      {Weights::Ternary, "ternary", "TWN", true},
      {Weights::Binary, "binary", "BWN (TWS with split-ternary)", true},
      {Weights::AsStored, "model", "the model's own quantized weights", false}};
  return names;
}

std::string bnbert::weightsChoices() {
  std::vector<llvm::StringRef> names;
  for (const WeightsName &w : weightsNames())
    if (w.userChoice)
      names.push_back(w.name);
  std::string text;
  for (size_t i = 0; i < names.size(); ++i)
    text += (i == 0                  ? ""
             : i + 1 == names.size() ? " or "
                                     : ", ") +
            names[i].str();
  return text;
}

std::optional<Weights> bnbert::weightsNamed(llvm::StringRef name) {
  for (const WeightsName &w : weightsNames())
    if (w.userChoice && w.name == name)
      return w.weights;
  return std::nullopt;
}

llvm::ArrayRef<bnbert::GranularityName> bnbert::granularityNames() {
  using bnbert::quant::Granularity;
  static const GranularityName names[] = {
      {Granularity::PerTensor, "tensor", "one scale per tensor"},
      {Granularity::PerRow, "row", "one scale per output row"}};
  return names;
}

void bnbert::addRaiseOnnxPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createOnnxSpecializeShapes());
  pm.addNestedPass<func::FuncOp>(createBnqRaiseOnnx());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createBnqFuseAttention());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass()); // one mask reshape for all layers
}

void bnbert::addQuantizationPipeline(OpPassManager &pm,
                                     const QuantizationRecipe &recipe) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  if (recipe.integerNonlinear)
    fpm.addPass(createBnqIntegerNonlinear());
  switch (recipe.weights) {
  case Weights::Fp32:
  case Weights::AsStored: // the raised quant_weight / bitplane_weight ops
    break;
  case Weights::Int8: {
    BnqQuantizeInt8Options o;
    o.linearGranularity = recipe.granularity;
    fpm.addPass(createBnqQuantizeInt8(o));
    break;
  }
  case Weights::Ternary:
  case Weights::Binary:
    if (recipe.weights == Weights::Ternary || recipe.splitTernary) {
      BnqTernarizeOptions o;
      o.linearGranularity = recipe.granularity;
      o.keepLatent = recipe.splitTernary; // TWS splits the latent weight
      fpm.addPass(createBnqTernarize(o));
      if (recipe.splitTernary)
        fpm.addPass(createBnqSplitTernary());
    } else {
      BnqBinarizeOptions o;
      o.linearGranularity = recipe.granularity;
      fpm.addPass(createBnqBinarize(o));
    }
    break;
  }
  if (recipe.actBits != 32) {
    BnqQuantizeActivationsOptions o;
    o.bits = recipe.actBits;
    fpm.addPass(createBnqQuantizeActivations(o));
  }
  if (recipe.weights != Weights::Fp32)
    fpm.addPass(createBnqPackBits());
  pm.addPass(createCanonicalizerPass());
}

void bnbert::registerBnbertPipelines() {
  PassPipelineRegistration<>(
      "bnq-from-onnx",
      "Imported onnx ops to float bnq: specialize shapes, raise, fuse "
      "attention",
      [](OpPassManager &pm) { addRaiseOnnxPipeline(pm); });
  PassPipelineRegistration<QuantizeOptions>(
      "bnq-quantize",
      "What bnbert-compile runs after raising: quantize weights (weights=), "
      "activations (act-bits=), pack bits",
      [](OpPassManager &pm, const QuantizeOptions &options) {
        addQuantizationPipeline(pm, {options.weights, options.splitTernary,
                                     options.granularity, options.actBits});
      });
  PassPipelineRegistration<PipelineOptions>(
      "bnq-binarybert",
      "BinaryBERT: ternarize (TWN, keeping latents), split ternary weights "
      "(TWS), quantize activations, pack bits",
      [](OpPassManager &pm, const PipelineOptions &options) {
        addQuantizationPipeline(pm, {Weights::Binary, /*splitTernary=*/true,
                                     options.granularity, options.actBits});
      });
  PassPipelineRegistration<PipelineOptions>(
      "bnq-binarize-direct",
      "BWN straight from fp32: binarize, quantize activations, pack bits",
      [](OpPassManager &pm, const PipelineOptions &options) {
        addQuantizationPipeline(pm, {Weights::Binary, /*splitTernary=*/false,
                                     options.granularity, options.actBits});
      });
}
