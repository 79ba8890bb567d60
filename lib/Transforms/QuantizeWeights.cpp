//===- QuantizeWeights.cpp - bnq-ternarize and bnq-binarize ---------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Replaces float weight constants feeding bnq.linear (and the word-embedding
// table feeding bnq.embedding) by bnq.quant_weight. The two passes differ
// only in the quantizer and the resulting format.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Quant/WeightQuantizers.h"
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace bnbert {
#define GEN_PASS_DEF_BNQTERNARIZE
#define GEN_PASS_DEF_BNQBINARIZE
#define GEN_PASS_DEF_BNQQUANTIZEINT8
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::bnq;

namespace {

using Quantizer = quant::QuantizedWeight (*)(const quant::WeightReader &,
                                             int64_t, int64_t,
                                             quant::Granularity);

struct SelectionOptions {
  quant::Granularity linear;
  quant::Granularity embedding;
  bool quantizeEmbeddings;
  bool keepOutputLinears;
  bool keepLatent;
};

/// The f32 rank-2 constant feeding `operand`, or null.
arith::ConstantOp floatWeightConstant(OpOperand &operand) {
  auto constant = operand.get().getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return nullptr;
  auto type = llvm::dyn_cast<RankedTensorType>(constant.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
      !type.getElementType().isF32() ||
      !llvm::isa<ElementsAttr>(constant.getValue()))
    return nullptr;
  return constant;
}

bool isReturnedDirectly(Value v) {
  return llvm::any_of(v.getUsers(), [](Operation *user) {
    return user->hasTrait<OpTrait::ReturnLike>();
  });
}

/// Picks the operands to quantize, keyed by the constant they read, with the
/// granularity each constant gets.
llvm::MapVector<arith::ConstantOp,
                std::pair<quant::Granularity, SmallVector<OpOperand *>>>
selectWeights(func::FuncOp func, const SelectionOptions &options) {
  llvm::MapVector<arith::ConstantOp,
                  std::pair<quant::Granularity, SmallVector<OpOperand *>>>
      selected;
  auto add = [&](OpOperand &operand, quant::Granularity granularity) {
    if (arith::ConstantOp constant = floatWeightConstant(operand)) {
      auto &entry = selected[constant];
      entry.first = granularity;
      entry.second.push_back(&operand);
    }
  };
  func.walk([&](LinearOp linear) {
    if (!(options.keepOutputLinears && isReturnedDirectly(linear)))
      add(linear.getWeightMutable(), options.linear);
  });
  if (options.quantizeEmbeddings) {
    // The word-embedding table is the one with the most rows: vocabularies
    // are far larger than position or token-type tables. Ties are all
    // selected (the two halves of an exported TWS-split table).
    int64_t mostRows = -1;
    SmallVector<EmbeddingOp> words;
    func.walk([&](EmbeddingOp embedding) {
      auto type =
          llvm::dyn_cast<RankedTensorType>(embedding.getTable().getType());
      if (!type || type.getRank() != 2 || type.getDimSize(0) < mostRows)
        return;
      if (type.getDimSize(0) > mostRows)
        words.clear();
      mostRows = type.getDimSize(0);
      words.push_back(embedding);
    });
    for (EmbeddingOp word : words)
      add(word.getTableMutable(), options.embedding);
  }
  return selected;
}

LogicalResult quantizeWeights(func::FuncOp func,
                              const SelectionOptions &options,
                              WeightFormat format, Quantizer quantizer) {
  for (auto &[constant, use] : selectWeights(func, options)) {
    auto &[granularity, operands] = use;
    auto type = llvm::cast<RankedTensorType>(constant.getType());
    auto elements = llvm::cast<ElementsAttr>(constant.getValue());
    auto values = getElementValues<float>(elements);
    if (failed(values))
      return constant.emitError(
          "cannot read the weight's data (elided or unsupported storage)");
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    quant::QuantizedWeight q = quantizer(
        [&](int64_t i) { return (*values)[i]; }, rows, cols, granularity);

    OpBuilder builder(constant);
    auto valuesAttr = DenseElementsAttr::get(
        RankedTensorType::get(type.getShape(), builder.getI8Type()),
        ArrayRef<int8_t>(q.values));
    auto scaleAttr = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(q.scales.size())},
                              builder.getF32Type()),
        ArrayRef<float>(q.scales));
    auto weight = builder.create<QuantWeightOp>(
        constant.getLoc(), type, format, valuesAttr, scaleAttr,
        options.keepLatent ? elements : ElementsAttr());
    for (OpOperand *operand : operands)
      operand->set(weight);
    if (constant->use_empty())
      constant->erase();
  }
  return success();
}

template <typename Derived, typename Base> struct WeightQuantizerPass : Base {
  using Base::Base;
  LogicalResult initialize(MLIRContext *) override {
    options = {this->linearGranularity, this->embeddingGranularity,
               this->quantizeEmbeddings, this->keepOutputLinears,
               this->keepLatent};
    return success();
  }

  void runOnOperation() override {
    if (failed(quantizeWeights(this->getOperation(), options, Derived::format,
                               Derived::quantizer)))
      this->signalPassFailure();
  }

  SelectionOptions options{};
};

struct BnqTernarizePass
    : WeightQuantizerPass<BnqTernarizePass,
                          bnbert::impl::BnqTernarizeBase<BnqTernarizePass>> {
  using WeightQuantizerPass::WeightQuantizerPass;
  static constexpr WeightFormat format = WeightFormat::ternary;
  static constexpr Quantizer quantizer = quant::ternarize;
};

struct BnqBinarizePass
    : WeightQuantizerPass<BnqBinarizePass,
                          bnbert::impl::BnqBinarizeBase<BnqBinarizePass>> {
  using WeightQuantizerPass::WeightQuantizerPass;
  static constexpr WeightFormat format = WeightFormat::binary;
  static constexpr Quantizer quantizer = quant::binarize;
};

struct BnqQuantizeInt8Pass
    : WeightQuantizerPass<
          BnqQuantizeInt8Pass,
          bnbert::impl::BnqQuantizeInt8Base<BnqQuantizeInt8Pass>> {
  using WeightQuantizerPass::WeightQuantizerPass;
  static constexpr WeightFormat format = WeightFormat::int8;
  static constexpr Quantizer quantizer = quant::quantizeInt8;
};

} // namespace
