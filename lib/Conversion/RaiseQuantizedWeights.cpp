//===- RaiseQuantizedWeights.cpp - QDQ weights stay quantized -------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Quantization-aware training exports a weight as
// DequantizeLinear(int8 constant, scale, 0) (python/bnbert/export.py, and
// any standard QDQ tool). The codes say the format: {-1, +1} is binary,
// {-1, 0, +1} ternary, anything else in [-127, 127] int8. These patterns
// raise such a weight straight to bnq.quant_weight, before the generic
// DequantizeLinear folding could turn it into a float constant, so the
// weight passes never see (and never re-quantize) it: the compiler deploys
// exactly the codes and scales that were trained.
//
// A fine-tuned TWS layer is two binary linears on one input, summed; its
// halves have their own scales. That becomes one two-plane bitplane_weight.
//
//===----------------------------------------------------------------------===//
#include "RaiseUtils.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace bnbert;
using namespace bnbert::raise;
namespace ox = bnbert::onnxir;

namespace {

/// The int8 codes and scales of `dq` = DequantizeLinear(c, s, 0) with c a
/// constant 2-D int8 tensor, s one scale or one per coordinate of
/// `rowAxis`, as a quant_weight in [rows, cols] layout (`rowAxis` 1 means c
/// is [K, N] and is transposed). Fails with the reason.
FailureOr<bnq::QuantWeightOp> quantWeightOf(PatternRewriter &rewriter,
                                            Operation *user,
                                            ox::DequantizeLinearOp dq,
                                            int64_t rowAxis) {
  ElementsAttr codes = constantOf(dq.getX()),
               scale = constantOf(dq.getXScale());
  auto type = staticType(dq.getX());
  if (!codes || !scale || !type || type.getRank() != 2 ||
      !type.getElementType().isSignlessInteger(8) ||
      !scale.getElementType().isF32())
    return rewriter.notifyMatchFailure(
        user, "weight is not DequantizeLinear of a constant 2-D int8 tensor "
              "with f32 scales");
  if (dq.getXZeroPoint()) {
    ElementsAttr zero = constantOf(dq.getXZeroPoint());
    bool allZero = zero && zero.getElementType().isSignlessInteger(8);
    auto zeros = allZero ? bnq::getElementValues<int8_t>(zero)
                         : FailureOr<bnq::ElementValues<int8_t>>(failure());
    allZero = succeeded(zeros);
    for (int64_t i = 0; allZero && i < zeros->size(); ++i)
      allZero = (*zeros)[i] == 0;
    if (!allZero)
      return rewriter.notifyMatchFailure(user, "weight zero point is not 0");
  }
  auto q = bnq::getElementValues<int8_t>(codes);
  auto s = bnq::getElementValues<float>(scale);
  if (failed(q) || failed(s))
    return rewriter.notifyMatchFailure(user, "cannot read the weight's data");
  int64_t rows = type.getDimSize(rowAxis), cols = type.getDimSize(1 - rowAxis);
  int64_t axis = static_cast<int64_t>(dq.getAxis());
  if (axis < 0)
    axis += 2;
  if (s->size() != 1 &&
      (axis != rowAxis || static_cast<int64_t>(s->size()) != rows))
    return rewriter.notifyMatchFailure(
        user, "weight scales are neither per tensor nor one per output row");
  std::vector<float> scales(s->size());
  for (int64_t i = 0; i < s->size(); ++i) {
    scales[i] = (*s)[i];
    if (!std::isfinite(scales[i]) || scales[i] < 0)
      return rewriter.notifyMatchFailure(user, "weight scale not finite, >= 0");
  }

  std::vector<int8_t> values(rows * cols);
  bool hasZero = false, onlySigns = true;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      int8_t v = rowAxis == 0 ? (*q)[r * cols + c] : (*q)[c * rows + r];
      if (v == -128)
        return rewriter.notifyMatchFailure(user,
                                           "weight code -128 (not symmetric)");
      hasZero |= v == 0;
      onlySigns &= v == 1 || v == -1 || v == 0;
      values[r * cols + c] = v;
    }
  bnq::WeightFormat format = !onlySigns ? bnq::WeightFormat::int8
                             : hasZero  ? bnq::WeightFormat::ternary
                                        : bnq::WeightFormat::binary;
  auto resultType = RankedTensorType::get({rows, cols}, rewriter.getF32Type());
  return rewriter.create<bnq::QuantWeightOp>(
      dq.getLoc(), resultType, format,
      DenseElementsAttr::get(resultType.clone(rewriter.getI8Type()),
                             ArrayRef<int8_t>(values)),
      DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(scales.size())},
                                rewriter.getF32Type()),
          ArrayRef<float>(scales)),
      ElementsAttr());
}

/// MatMul(x, DequantizeLinear(W [K, N] int8, s)) -> bnq.linear(x,
/// quant_weight [N, K]).
struct RaiseQuantizedMatMul : OpRewritePattern<ox::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    auto dq = matmul.getB().getDefiningOp<ox::DequantizeLinearOp>();
    if (!dq || !isF32(matmul.getA()) || !staticType(matmul.getY()))
      return rewriter.notifyMatchFailure(
          matmul, "not an f32 MatMul on a DequantizeLinear weight");
    auto weight = quantWeightOf(rewriter, matmul, dq, /*rowAxis=*/1);
    if (failed(weight))
      return rewriter.notifyMatchFailure(
          matmul,
          "weight is not DequantizeLinear of int8 binary/ternary/int8 codes");
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(matmul, matmul.getType(),
                                               matmul.getA(), *weight, Value());
    return success();
  }
};

/// Gather(DequantizeLinear(T [V, H] int8, s), ids) -> bnq.embedding of a
/// quant_weight (per-row scales index the table's rows).
struct RaiseQuantizedGather : OpRewritePattern<ox::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::GatherOp gather,
                                PatternRewriter &rewriter) const override {
    auto dq = gather.getData().getDefiningOp<ox::DequantizeLinearOp>();
    if (!dq || gather.getAxis() != 0 ||
        !llvm::isa<IntegerType>(getElementTypeOrSelf(gather.getIndices())))
      return rewriter.notifyMatchFailure(
          gather, "not a row gather from a DequantizeLinear table");
    auto table = quantWeightOf(rewriter, gather, dq, /*rowAxis=*/0);
    if (failed(table))
      return rewriter.notifyMatchFailure(
          gather, "table is not DequantizeLinear of int8 codes");
    rewriter.replaceOpWithNewOp<bnq::EmbeddingOp>(gather, gather.getType(),
                                                  *table, gather.getIndices());
    return success();
  }
};

/// The planes of a binary quant_weight feeding `linear`, or null.
bnq::QuantWeightOp binaryWeightOf(bnq::LinearOp linear) {
  auto weight = linear ? linear.getWeight().getDefiningOp<bnq::QuantWeightOp>()
                       : bnq::QuantWeightOp();
  if (!weight || weight.getFormat() != bnq::WeightFormat::binary)
    return {};
  return weight;
}

/// add(linear(x, B1), linear(x, B2)) with binary B1, B2 of one shape and
/// granularity (at most one bias) -> linear(x, bitplane_weight [B1; B2]):
/// the layer a TWS split becomes after binary fine-tuning.
struct MergeBinaryPair : OpRewritePattern<bnq::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(bnq::AddOp add,
                                PatternRewriter &rewriter) const override {
    auto lhs = add.getLhs().getDefiningOp<bnq::LinearOp>();
    auto rhs = add.getRhs().getDefiningOp<bnq::LinearOp>();
    bnq::QuantWeightOp w1 = binaryWeightOf(lhs), w2 = binaryWeightOf(rhs);
    if (!w1 || !w2)
      return rewriter.notifyMatchFailure(add, "not a sum of binary linears");
    if (lhs.getInput() != rhs.getInput() || w1.getType() != w2.getType() ||
        w1.getScale().getNumElements() != w2.getScale().getNumElements() ||
        (lhs.getBias() && rhs.getBias()) || add.getType() != lhs.getType() ||
        !lhs->hasOneUse() || !rhs->hasOneUse())
      return rewriter.notifyMatchFailure(
          add, "binary halves differ in input, shape, granularity or bias");
    auto v1 = bnq::getElementValues<int8_t>(w1.getValues());
    auto v2 = bnq::getElementValues<int8_t>(w2.getValues());
    auto s1 = bnq::getElementValues<float>(w1.getScale());
    auto s2 = bnq::getElementValues<float>(w2.getScale());
    if (failed(v1) || failed(v2) || failed(s1) || failed(s2))
      return rewriter.notifyMatchFailure(add, "cannot read the halves");
    std::vector<int8_t> planes;
    for (const auto &v : {*v1, *v2})
      for (int64_t i = 0; i < v.size(); ++i)
        planes.push_back(v[i]);
    std::vector<float> scales;
    for (const auto &v : {*s1, *s2})
      for (int64_t i = 0; i < v.size(); ++i)
        scales.push_back(v[i]);
    auto type = llvm::cast<RankedTensorType>(w1.getType());
    auto planesType = RankedTensorType::get(
        {2, type.getDimSize(0), type.getDimSize(1)}, rewriter.getI8Type());
    auto bitplane = rewriter.create<bnq::BitplaneWeightOp>(
        w1.getLoc(), type,
        DenseElementsAttr::get(planesType, ArrayRef<int8_t>(planes)),
        DenseElementsAttr::get(
            RankedTensorType::get({2, s1->size()}, rewriter.getF32Type()),
            ArrayRef<float>(scales)),
        ElementsAttr());
    Value bias = lhs.getBias() ? lhs.getBias() : rhs.getBias();
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(add, add.getType(),
                                               lhs.getInput(), bitplane, bias);
    return success();
  }
};

} // namespace

namespace bnbert::raise {

void populateRaiseQuantizedWeightPatterns(RewritePatternSet &weights,
                                          RewritePatternSet &cleanup) {
  weights.add<RaiseQuantizedMatMul, RaiseQuantizedGather>(weights.getContext());
  cleanup.add<MergeBinaryPair>(cleanup.getContext());
}

} // namespace bnbert::raise
