//===- SplitTernary.cpp - bnq-split-ternary (TWS) -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Quant/TernarySplit.h"
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "mlir/IR/Builders.h"

namespace bnbert {
#define GEN_PASS_DEF_BNQSPLITTERNARY
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::bnq;

namespace {

LogicalResult splitWeight(QuantWeightOp op) {
  if (op.getFormat() != WeightFormat::ternary)
    return op.emitOpError("cannot split a ")
           << stringifyWeightFormat(op.getFormat())
           << " weight: TWS splits ternary weights (run bnq-ternarize first)";
  if (!op.getLatent())
    return op.emitOpError("has no latent weight to split: run bnq-ternarize "
                          "with keep-latent=true");
  auto latent = getElementValues<float>(*op.getLatent());
  auto ternary = getElementValues<int8_t>(op.getValues());
  if (failed(latent) || failed(ternary))
    return op.emitOpError("cannot read the weight's data");

  auto type = llvm::cast<RankedTensorType>(op.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  quant::Granularity granularity = op.getScale().getNumElements() == 1
                                       ? quant::Granularity::PerTensor
                                       : quant::Granularity::PerRow;
  quant::SplitWeight split = quant::splitTernary(
      [&](int64_t i) { return (*latent)[i]; }, rows, cols, granularity);
  // TWS is exact only for T = TWN(W); anything else would silently change
  // what the model computes.
  for (int64_t i = 0; i < rows * cols; ++i)
    if (split.ternary.values[i] != (*ternary)[i])
      return op.emitOpError("ternary values are not the TWN ternarization "
                            "of the latent weight (first difference at "
                            "element ")
             << i << "); TWS cannot reproduce them";

  int64_t groups = static_cast<int64_t>(split.scales[0].size());
  std::vector<int8_t> planes(split.signs[0]);
  planes.insert(planes.end(), split.signs[1].begin(), split.signs[1].end());
  std::vector<float> scales(split.scales[0]);
  scales.insert(scales.end(), split.scales[1].begin(), split.scales[1].end());
  std::vector<float> halves(split.latent[0]);
  halves.insert(halves.end(), split.latent[1].begin(), split.latent[1].end());

  OpBuilder b(op);
  auto planesType = RankedTensorType::get({2, rows, cols}, b.getI8Type());
  auto bitplane = b.create<BitplaneWeightOp>(
      op.getLoc(), type,
      DenseElementsAttr::get(planesType, ArrayRef<int8_t>(planes)),
      DenseElementsAttr::get(RankedTensorType::get({2, groups}, b.getF32Type()),
                             ArrayRef<float>(scales)),
      DenseElementsAttr::get(planesType.clone(b.getF32Type()),
                             ArrayRef<float>(halves)));
  op.replaceAllUsesWith(bitplane.getResult());
  op.erase();
  return success();
}

struct BnqSplitTernaryPass
    : bnbert::impl::BnqSplitTernaryBase<BnqSplitTernaryPass> {
  void runOnOperation() override {
    SmallVector<QuantWeightOp> weights;
    getOperation().walk([&](QuantWeightOp op) { weights.push_back(op); });
    for (QuantWeightOp op : weights)
      if (failed(splitWeight(op)))
        return signalPassFailure();
  }
};

} // namespace
