//===- RaiseOnnxContrib.cpp - com.microsoft fused ops to bnq --------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// ONNX Runtime's fused transformer operators, expanded into the same bnq
// building blocks a torch export raises to: an optimized file and the plain
// export of the same model give the same bnq graph (up to operand order), so
// every later pass treats them alike.
//
//===----------------------------------------------------------------------===//
#include "RaiseUtils.h"
#include "bnq/BnqOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;
using namespace bnbert::raise;
namespace ox = bnbert::onnxir;
namespace bnq = bnbert::bnq;

namespace {

Value addF32(PatternRewriter &rewriter, Location loc, Value a, Value b) {
  auto type = llvm::cast<RankedTensorType>(a.getType());
  auto bType = llvm::cast<RankedTensorType>(b.getType());
  // Broadcast result: the higher-rank operand's shape (bias vectors and
  // [S, H] tables broadcast into [B, S, H]).
  RankedTensorType result = type.getRank() >= bType.getRank() ? type : bType;
  return rewriter.create<bnq::AddOp>(loc, result, a, b);
}

bnq::GeluApproximationAttr geluKind(MLIRContext *context, bool tanh) {
  return bnq::GeluApproximationAttr::get(context,
                                         tanh ? bnq::GeluApproximation::tanh
                                              : bnq::GeluApproximation::erf);
}

/// Gelu(X), BiasGelu(A, B) and FastGelu(X, bias) -> [bnq.add] + bnq.gelu.
template <typename OpTy, bool Tanh>
struct RaiseMsGelu : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value x = op->getOperand(0);
    auto type = staticType(op->getResult(0));
    if (!type || !staticType(x) || !isF32(x))
      return rewriter.notifyMatchFailure(op,
                                         "input is not a static f32 tensor");
    if (op->getNumOperands() == 2) {
      Value bias = op->getOperand(1);
      if (!staticType(bias) || !isF32(bias))
        return rewriter.notifyMatchFailure(op,
                                           "bias is not a static f32 tensor");
      x = addF32(rewriter, op.getLoc(), x, bias);
    }
    rewriter.replaceOpWithNewOp<bnq::GeluOp>(
        op, type, x, geluKind(rewriter.getContext(), Tanh),
        /*integer=*/UnitAttr());
    return success();
  }
};

/// SkipLayerNormalization -> bnq.layer_norm((input + bias) + skip).
struct RaiseMsSkipLayerNorm : OpRewritePattern<ox::MsSkipLayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MsSkipLayerNormalizationOp op,
                                PatternRewriter &rewriter) const override {
    auto type = staticType(op.getOutput());
    if (!type || !isF32(op.getOutput()) || !staticType(op.getInput()) ||
        !staticType(op.getSkip()) || op.getInput().getType() != type)
      return rewriter.notifyMatchFailure(
          op, "input, skip or output is not static f32 of one type");
    Location loc = op.getLoc();
    Value x = op.getInput();
    if (Value bias = op.getBias())
      x = addF32(rewriter, loc, x, bias);
    x = addF32(rewriter, loc, x, op.getSkip());
    Value beta = op.getBeta();
    if (!beta)
      beta = floatConstant(rewriter, loc, 0.0f, {type.getShape().back()});
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(op, type, x, op.getGamma(),
                                                  beta, /*residual=*/Value(),
                                                  op.getEpsilonAttr(),
                                                  /*integer=*/UnitAttr());
    return success();
  }
};

/// EmbedLayerNormalization -> bnq.embedding of words, positions (the
/// table's first S rows when no position_ids) and segments, summed, then
/// bnq.layer_norm. Its mask_index must already be consumed (RaiseMsAttention
/// reads the mask directly).
struct RaiseMsEmbedLayerNorm
    : OpRewritePattern<ox::MsEmbedLayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MsEmbedLayerNormalizationOp op,
                                PatternRewriter &rewriter) const override {
    auto type = staticType(op.getOutput());
    auto ids = staticType(op.getInputIds());
    auto positions = staticType(op.getPositionEmbedding());
    if (!type || !ids || !positions || !op.getMaskIndex().use_empty() ||
        ids.getRank() != 2 || positions.getRank() != 2 ||
        positions.getDimSize(0) < ids.getDimSize(1))
      return rewriter.notifyMatchFailure(
          op, "not ids [B, S] and a position table with an unused mask output");
    Location loc = op.getLoc();
    Value sum = rewriter.create<bnq::EmbeddingOp>(
        loc, type, op.getWordEmbedding(), op.getInputIds());
    Value position;
    if (Value positionIds = op.getPositionIds()) {
      auto posType = staticType(positionIds);
      if (!posType)
        return rewriter.notifyMatchFailure(
            op, "position embeddings are not static");
      SmallVector<int64_t> shape(posType.getShape());
      shape.push_back(type.getShape().back());
      position = rewriter.create<bnq::EmbeddingOp>(
          loc, RankedTensorType::get(shape, rewriter.getF32Type()),
          op.getPositionEmbedding(), positionIds);
    } else {
      position = rewriter.create<bnq::SliceOp>(
          loc,
          RankedTensorType::get({ids.getDimSize(1), type.getShape().back()},
                                rewriter.getF32Type()),
          op.getPositionEmbedding(), ArrayRef<int64_t>{0, 0});
    }
    sum = addF32(rewriter, loc, sum, position);
    if (Value segments = op.getSegmentIds()) {
      if (!op.getSegmentEmbedding())
        return rewriter.notifyMatchFailure(op, "no segment embedding");
      sum = addF32(rewriter, loc, sum,
                   rewriter.create<bnq::EmbeddingOp>(
                       loc, type, op.getSegmentEmbedding(), segments));
    }
    Value norm = rewriter.create<bnq::LayerNormOp>(
        loc, type, sum, op.getGamma(), op.getBeta(), /*residual=*/Value(),
        op.getEpsilonAttr(),
        /*integer=*/UnitAttr());
    rewriter.replaceAllUsesWith(op.getOutput(), norm);
    rewriter.eraseOp(op);
    return success();
  }
};

/// The query, key and value sizes of an Attention's packed weight.
SmallVector<int64_t, 3> qkvSizes(ox::MsAttentionOp op, int64_t total) {
  SmallVector<int64_t, 3> sizes(3, total / 3);
  if (auto hidden = op.getQkvHiddenSizes())
    sizes.assign(hidden->begin(), hidden->end());
  return sizes;
}

/// Why an Attention has no bnq form whatever its context, or "" (its
/// weights may still not be constants: that is a matter of context).
std::string unsupportedAttention(ox::MsAttentionOp op) {
  auto input = staticType(op.getInput());
  if (!input || input.getRank() != 3 || !isF32(op.getInput()) ||
      !staticType(op.getOutput()))
    return "its input is not a static [batch, sequence, hidden] f32 tensor";
  if (op.getUnidirectional() != 0)
    return "unidirectional (causal) attention is not supported: bnbert "
           "compiles encoders";
  auto wType = llvm::dyn_cast<RankedTensorType>(op.getWeights().getType());
  if (!wType || wType.getRank() != 2 || !wType.hasStaticShape() ||
      !wType.getElementType().isF32())
    return "its weights are not a static 2-D f32 tensor";
  int64_t total = wType.getDimSize(1), heads = op.getNumHeads();
  SmallVector<int64_t, 3> sizes = qkvSizes(op, total);
  if (sizes.size() != 3 || sizes[0] + sizes[1] + sizes[2] != total ||
      sizes[0] != sizes[1])
    return "query/key/value sizes that are not [q, q, v] summing to the "
           "weight's " +
           std::to_string(total) + " columns are not supported";
  if (heads <= 0 || sizes[0] % heads != 0 || sizes[2] % heads != 0)
    return "num_heads " + std::to_string(heads) +
           " does not divide the query/key/value sizes (" +
           std::to_string(sizes[0]) + ", " + std::to_string(sizes[1]) + ", " +
           std::to_string(sizes[2]) + ")";
  if (Value index = op.getMaskIndex()) {
    auto type = staticType(index);
    int64_t batch = input.getDimSize(0), seq = input.getDimSize(1);
    bool raw = type && type.getRank() == 2 && type.getDimSize(0) == batch &&
               type.getDimSize(1) == seq;
    bool lengths = type && type.getRank() == 1 && type.getDimSize(0) == batch;
    if (!raw && !lengths) {
      std::string shape;
      llvm::raw_string_ostream os(shape);
      os << index.getType();
      return "mask_index of type " + shape +
             " is not supported (a [batch, sequence] 0/1 mask or [batch] "
             "lengths are)";
    }
  }
  return "";
}

} // namespace

LogicalResult bnbert::raise::diagnoseUnraisable(Operation *op) {
  if (auto attention = dyn_cast<ox::MsAttentionOp>(op)) {
    std::string why = unsupportedAttention(attention);
    if (!why.empty())
      return op->emitError("com.microsoft.Attention: ") << why;
  }
  return success();
}

namespace {

/// Attention -> three bnq.linear (the packed QKV weight split into query,
/// key and value projections, so each is quantized like a torch export's)
/// and bnq.attention, with the mask as an additive bias.
struct RaiseMsAttention : OpRewritePattern<ox::MsAttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MsAttentionOp op,
                                PatternRewriter &rewriter) const override {
    // Everything is checked before any op is created.
    std::string why = unsupportedAttention(op);
    if (!why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto input = staticType(op.getInput());
    auto result = staticType(op.getOutput());
    ElementsAttr weights = constantOf(op.getWeights());
    ElementsAttr bias = op.getBias() ? constantOf(op.getBias()) : nullptr;
    if (!weights || (op.getBias() && !bias))
      return rewriter.notifyMatchFailure(op,
                                         "weights or bias are not constants");
    auto wType = llvm::cast<RankedTensorType>(weights.getType());
    SmallVector<int64_t, 3> sizes = qkvSizes(op, wType.getDimSize(1));
    int64_t heads = op.getNumHeads();
    if (op.getMaskIndex() &&
        op.getMaskIndex().getDefiningOp<ox::MsEmbedLayerNormalizationOp>()) {
      auto embed =
          op.getMaskIndex().getDefiningOp<ox::MsEmbedLayerNormalizationOp>();
      auto maskType = embed.getMask() ? staticType(embed.getMask()) : nullptr;
      if (embed.getMask() && (!maskType || maskType.getRank() != 2))
        return rewriter.notifyMatchFailure(op, "mask is not [B, S]");
    }

    Location loc = op.getLoc();
    int64_t batch = input.getDimSize(0), seq = input.getDimSize(1);
    SmallVector<Value, 3> projections;
    int64_t begin = 0;
    for (int64_t size : sizes) {
      Value w = transposedColumns(rewriter, loc, weights, begin, size);
      Value b = bias ? vectorSlice(rewriter, loc, bias, begin, size) : Value();
      if (!w || (bias && !b))
        return rewriter.notifyMatchFailure(op,
                                           "weights or bias are not constants");
      projections.push_back(rewriter.create<bnq::LinearOp>(
          loc, RankedTensorType::get({batch, seq, size}, rewriter.getF32Type()),
          op.getInput(), w, b));
      begin += size;
    }
    FailureOr<Value> mask = maskBias(rewriter, op, batch, seq);
    if (failed(mask))
      return rewriter.notifyMatchFailure(op, "unsupported mask_index form");
    float scale = op.getScale() ? op.getScale()->convertToFloat()
                                : 1.0f / std::sqrt(float(sizes[0] / heads));
    rewriter.replaceOpWithNewOp<bnq::AttentionOp>(
        op, result, projections[0], projections[1], projections[2], *mask,
        rewriter.getI64IntegerAttr(heads), rewriter.getF32FloatAttr(scale),
        IntegerAttr(), FloatAttr(), FloatAttr(), FloatAttr(),
        /*integer=*/UnitAttr());
    return success();
  }

  /// The [B, S] additive mask for the op's mask_index, null without one.
  static FailureOr<Value> maskBias(PatternRewriter &rewriter,
                                   ox::MsAttentionOp op, int64_t batch,
                                   int64_t seq) {
    Value index = op.getMaskIndex();
    if (!index)
      return Value();
    Location loc = op.getLoc();
    float filter = op.getMaskFilterValue().convertToFloat();
    auto biasType = RankedTensorType::get({batch, seq}, rewriter.getF32Type());
    auto type = staticType(index);
    if (!type)
      return rewriter.notifyMatchFailure(op, "result is not static");
    auto castF32 = [&](Value v) -> Value {
      auto t = llvm::cast<RankedTensorType>(v.getType());
      return rewriter.create<bnq::CastOp>(loc, t.clone(rewriter.getF32Type()),
                                          v);
    };
    if (type.getRank() == 2 && type.getShape() == biasType.getShape()) {
      // Raw mask: 1 keeps a key, 0 masks it -> (1 - mask) * filter.
      Value keep = castF32(index);
      Value masked = rewriter.create<bnq::SubOp>(
          loc, biasType, floatConstant(rewriter, loc, 1.0f), keep);
      return Value(rewriter.create<bnq::MulOp>(
          loc, biasType, masked, floatConstant(rewriter, loc, filter)));
    }
    if (type.getRank() != 1 || type.getDimSize(0) != batch)
      return rewriter.notifyMatchFailure(
          op, "mask index is not one length per sequence");
    Value lengths = index;
    if (auto embed = index.getDefiningOp<ox::MsEmbedLayerNormalizationOp>()) {
      // Its mask_index counts the ones of each mask row; no mask means
      // lengths 0, which masks every key alike: the same as no mask.
      Value rowMask = embed.getMask();
      if (!rowMask)
        return Value();
      auto maskType = staticType(rowMask);
      if (!maskType || maskType.getRank() != 2)
        return rewriter.notifyMatchFailure(op, "mask is not [B, S]");
      lengths = rewriter.create<bnq::ReduceSumOp>(
          loc, RankedTensorType::get({batch}, rewriter.getF32Type()),
          castF32(rowMask));
    }
    return Value(rewriter.create<bnq::LengthMaskOp>(
        loc, biasType, lengths, rewriter.getF32FloatAttr(filter)));
  }
};

} // namespace

namespace bnbert::raise {

void populateRaiseContribPatterns(RewritePatternSet &compound,
                                  RewritePatternSet &oneToOne) {
  MLIRContext *context = compound.getContext();
  compound.add<RaiseMsAttention>(context);
  oneToOne.add<RaiseMsEmbedLayerNorm, RaiseMsSkipLayerNorm,
               RaiseMsGelu<ox::MsGeluOp, false>,
               RaiseMsGelu<ox::MsBiasGeluOp, false>,
               RaiseMsGelu<ox::MsFastGeluOp, true>>(context);
}

} // namespace bnbert::raise
