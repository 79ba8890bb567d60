//===- Pipelines.cpp - named bnq pipelines --------------------------------===//
#include "bnbert/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
  Option<int> actBits{*this, "act-bits",
                      llvm::cl::desc("activation bits: 8 or 4 (or any of "
                                     "2..8); 32 keeps activations float"),
                      llvm::cl::init(8)};
  Option<std::string> granularity{
      *this, "granularity",
      llvm::cl::desc("scale granularity of linear weights: tensor or row"),
      llvm::cl::init("tensor")};
};

/// Activation quantization, packing and cleanup shared by both pipelines.
void addQuantizeAndPack(OpPassManager &pm, const PipelineOptions &options) {
  if (options.actBits != 32) {
    bnbert::BnqQuantizeActivationsOptions act;
    act.bits = options.actBits;
    pm.addNestedPass<func::FuncOp>(bnbert::createBnqQuantizeActivations(act));
  }
  pm.addNestedPass<func::FuncOp>(bnbert::createBnqPackBits());
  pm.addPass(createCanonicalizerPass());
}
} // namespace

void bnbert::addRaiseOnnxPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createOnnxSpecializeShapes());
  pm.addNestedPass<func::FuncOp>(createBnqRaiseOnnx());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createBnqFuseAttention());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass()); // one mask reshape for all layers
}

void bnbert::registerBnbertPipelines() {
  PassPipelineRegistration<>(
      "bnq-from-onnx",
      "Imported onnx ops to float bnq: specialize shapes, raise, fuse "
      "attention",
      [](OpPassManager &pm) { addRaiseOnnxPipeline(pm); });
  PassPipelineRegistration<PipelineOptions>(
      "bnq-binarybert",
      "BinaryBERT: ternarize (TWN, keeping latents), split ternary weights "
      "(TWS), quantize activations, pack bits",
      [](OpPassManager &pm, const PipelineOptions &options) {
        BnqTernarizeOptions ternarize;
        ternarize.linearGranularity = options.granularity;
        ternarize.keepLatent = true;
        pm.addNestedPass<func::FuncOp>(createBnqTernarize(ternarize));
        pm.addNestedPass<func::FuncOp>(createBnqSplitTernary());
        addQuantizeAndPack(pm, options);
      });
  PassPipelineRegistration<PipelineOptions>(
      "bnq-binarize-direct",
      "BWN straight from fp32: binarize, quantize activations, pack bits",
      [](OpPassManager &pm, const PipelineOptions &options) {
        BnqBinarizeOptions binarize;
        binarize.linearGranularity = options.granularity;
        pm.addNestedPass<func::FuncOp>(createBnqBinarize(binarize));
        addQuantizeAndPack(pm, options);
      });
}
