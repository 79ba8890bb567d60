//===- RaiseQdq.cpp - QuantizeLinear / DequantizeLinear
//---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Raising, QDQ pairs: an activation's QuantizeLinear/DequantizeLinear pair
// to bnq.quantize/dequantize with its static clip; the trainer's elastic
// binarization (1-bit activations) to bnq.binarize/dequantize; a
// DequantizeLinear of a constant folded to its float values
// (RaiseQuantizedWeights.cpp keeps quantized MatMul and Gather weights
// quantized instead).
//
//===----------------------------------------------------------------------===//
#include "RaiseUtils.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace bnbert;
using namespace bnbert::raise;
namespace ox = bnbert::onnxir;

namespace {

/// The per-tensor scale and zero point of a QuantizeLinear or
/// DequantizeLinear, when both are constant scalars.
std::optional<std::pair<double, double>> scalarQuantParams(Value scale,
                                                           Value zeroPoint) {
  std::optional<double> s = scalarOf(scale);
  std::optional<double> zp = zeroPoint ? scalarOf(zeroPoint) : 0.0;
  if (!s || !zp || !(*s > 0) || !std::isfinite(*s))
    return std::nullopt;
  return std::pair{*s, *zp};
}

/// (c, x) when `v` = clamp(x, -c, c) with c > 0 (onnx.Clip with constant
/// bounds, before or after raising).
std::optional<std::pair<double, Value>> symmetricClip(Value v) {
  double lo, hi;
  Value x;
  if (auto clamp = v.getDefiningOp<bnq::ClampOp>()) {
    lo = clamp.getMin().convertToFloat();
    hi = clamp.getMax().convertToFloat();
    x = clamp.getInput();
  } else if (auto clip = v.getDefiningOp<ox::ClipOp>()) {
    auto min = clip.getMin() ? scalarOf(clip.getMin()) : std::nullopt;
    auto max = clip.getMax() ? scalarOf(clip.getMax()) : std::nullopt;
    if (!min || !max)
      return std::nullopt;
    lo = *min;
    hi = *max;
    x = clip.getInput();
  } else {
    return std::nullopt;
  }
  if (!(hi > 0) || lo != -hi)
    return std::nullopt;
  return std::pair{hi, x};
}

/// DequantizeLinear(QuantizeLinear(x, s, 0), s, 0) on an activation, with an
/// int8 per-tensor scale s (quantization-aware training's QDQ pair) ->
/// bnq.quantize {bits = 8, clip = 127 s} + bnq.dequantize: the model's
/// static scale, which bnq-quantize-activations then keeps. With x =
/// clamp(y, -c, c) and c = (2^(b-1) - 1) s: bits = b, clip = c.
struct RaiseQdqPair : OpRewritePattern<ox::DequantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::DequantizeLinearOp dq,
                                PatternRewriter &rewriter) const override {
    auto q = dq.getX().getDefiningOp<ox::QuantizeLinearOp>();
    if (!q || !isF32(q.getX()) || !staticType(q.getX()) ||
        !getElementTypeOrSelf(q.getY()).isSignlessInteger(8))
      return rewriter.notifyMatchFailure(
          dq,
          "not DequantizeLinear(QuantizeLinear(static f32 x)) with int8 codes");
    auto qParams = scalarQuantParams(q.getYScale(), q.getYZeroPoint());
    auto dqParams = scalarQuantParams(dq.getXScale(), dq.getXZeroPoint());
    if (!qParams || qParams != dqParams || qParams->second != 0)
      return rewriter.notifyMatchFailure(dq, "not a symmetric per-tensor "
                                             "int8 QDQ pair");
    // A symmetric clamp at c = qmax * s in front narrows the codes to
    // `bits` < 8 (how bnbert exports 4-bit clips).
    // The quantizer saturates at the clip, so the clamp is subsumed.
    int bits = 8;
    double clip = 127.0 * qParams->first;
    Value input = q.getX();
    if (auto clamped = symmetricClip(input))
      for (int b = 2; b <= 8; ++b)
        if (std::fabs(clamped->first / qParams->first - ((1 << (b - 1)) - 1)) <
            1e-3) {
          bits = b;
          clip = clamped->first;
          input = clamped->second;
          break;
        }
    auto type = llvm::cast<RankedTensorType>(input.getType());
    auto quantize = rewriter.create<bnq::QuantizeOp>(
        q.getLoc(), type.clone(rewriter.getI8Type()),
        RankedTensorType::get({}, rewriter.getF32Type()), input, Value(),
        rewriter.getI32IntegerAttr(bits), rewriter.getF32FloatAttr(float(clip)),
        bnq::GeluApproximationAttr(), /*input_gelu_integer=*/UnitAttr());
    rewriter.replaceOpWithNewOp<bnq::DequantizeOp>(
        dq, type, quantize.getResult(), quantize.getScale());
    return success();
  }
};

/// The f32 value of a one-element constant, when it is one exactly.
std::optional<float> floatScalar(Value v) {
  std::optional<double> d = scalarOf(v);
  if (!d || double(float(*d)) != *d)
    return std::nullopt;
  return float(*d);
}

/// The trainer's export of BiT's elastic binarization (quantizers.py,
/// _ExportBinarize), v = Div(Sub(x, beta), alpha):
///   signed:       Where(Less(v, 0), -alpha, alpha)
///   non-negative: Where(Less(0.5, v), alpha, 0)
/// -> dequantize(binarize(x) {alpha, beta, signed_codes}), the same values.
struct RaiseBinarize : OpRewritePattern<ox::WhereOp> {
  RaiseBinarize(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(ox::WhereOp where,
                                PatternRewriter &rewriter) const override {
    auto less = where.getCondition().getDefiningOp<ox::LessOp>();
    if (!less)
      return rewriter.notifyMatchFailure(where, "condition is not a Less");
    std::optional<float> lhs = floatScalar(less.getA()),
                         rhs = floatScalar(less.getB());
    std::optional<float> onTrue = floatScalar(where.getX()),
                         onFalse = floatScalar(where.getY());
    bool isSigned = !lhs && rhs && *rhs == 0.0f;
    bool nonNegative = lhs && *lhs == 0.5f && !rhs;
    if (!(isSigned || nonNegative) || !onTrue || !onFalse)
      return rewriter.notifyMatchFailure(
          where, "not Where(Less(v, 0), c, d) or Where(Less(0.5, v), c, d) "
                 "with constant c, d");
    auto div =
        (isSigned ? less.getA() : less.getB()).getDefiningOp<ox::DivOp>();
    auto sub = div ? div.getA().getDefiningOp<ox::SubOp>() : ox::SubOp();
    std::optional<float> alpha = div ? floatScalar(div.getB()) : std::nullopt;
    std::optional<float> beta = sub ? floatScalar(sub.getB()) : std::nullopt;
    if (!sub || !alpha || !beta)
      return rewriter.notifyMatchFailure(
          where, "compared value is not Div(Sub(x, beta), alpha) with "
                 "constant alpha, beta");
    // The selected values must be the codes times alpha.
    bool valuesMatch = isSigned ? *onTrue == -*alpha && *onFalse == *alpha
                                : *onTrue == *alpha && *onFalse == 0.0f;
    Value x = sub.getA();
    auto type = staticType(x);
    if (!valuesMatch || !(*alpha > 0) || !std::isfinite(*alpha) ||
        !std::isfinite(*beta) || !type || !isF32(x) ||
        where.getOutput().getType() != x.getType())
      return rewriter.notifyMatchFailure(
          where, "selected values are not alpha times the codes, alpha is "
                 "not positive and finite, or x is not static f32 of the "
                 "result's type");
    auto binarize = rewriter.create<bnq::BinarizeOp>(
        where.getLoc(), type.clone(rewriter.getI8Type()),
        RankedTensorType::get({}, rewriter.getF32Type()), x,
        rewriter.getF32FloatAttr(*alpha), rewriter.getF32FloatAttr(*beta),
        rewriter.getBoolAttr(isSigned));
    rewriter.replaceOpWithNewOp<bnq::DequantizeOp>(
        where, type, binarize.getResult(), binarize.getScale());
    return success();
  }
};

/// DequantizeLinear of a constant (a weight stored quantized) -> the f32
/// constant scale * (q - zero_point), per tensor or per axis; the weight
/// quantizers then find its values and re-quantize them idempotently.
struct FoldConstantDequantize : OpRewritePattern<ox::DequantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::DequantizeLinearOp dq,
                                PatternRewriter &rewriter) const override {
    ElementsAttr x = constantOf(dq.getX()), scale = constantOf(dq.getXScale());
    ElementsAttr zero =
        dq.getXZeroPoint() ? constantOf(dq.getXZeroPoint()) : nullptr;
    auto type = staticType(dq.getX());
    if (!x || !scale || (dq.getXZeroPoint() && !zero) || !type ||
        !scale.getElementType().isF32())
      return rewriter.notifyMatchFailure(
          dq, "not a constant weight with a constant f32 scale and zero point");
    auto q = integerValues(x);
    auto s = bnq::getElementValues<float>(scale);
    FailureOr<std::vector<int64_t>> z =
        zero ? integerValues(zero)
             : std::vector<int64_t>(scale.getNumElements(), 0);
    if (failed(q) || failed(s) || failed(z) ||
        s->size() != static_cast<int64_t>(z->size()))
      return rewriter.notifyMatchFailure(
          dq,
          "quantized values, scales or zero points cannot be read or disagree");
    // Per-axis: the scale index is the coordinate along `axis`.
    int64_t rank = type.getRank(), axis = dq.getAxis();
    if (axis < 0)
      axis += rank;
    int64_t inner = 1, channels = 1;
    if (s->size() != 1) {
      if (axis < 0 || axis >= rank ||
          type.getDimSize(axis) != static_cast<int64_t>(s->size()))
        return rewriter.notifyMatchFailure(
            dq, "axis out of range or scales do not match its length");
      channels = type.getDimSize(axis);
      for (int64_t d = axis + 1; d < rank; ++d)
        inner *= type.getDimSize(d);
    }
    std::vector<float> values(q->size());
    for (size_t i = 0; i < values.size(); ++i) {
      size_t c = (i / inner) % channels;
      values[i] = (*s)[c] * float((*q)[i] - (*z)[c]);
    }
    auto resultType = type.clone(rewriter.getF32Type());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        dq, resultType,
        DenseElementsAttr::get(resultType, ArrayRef<float>(values)));
    return success();
  }
};

} // namespace

void bnbert::raise::populateRaiseQdqPatterns(RewritePatternSet &compound) {
  compound.add<RaiseQdqPair, RaiseBinarize, FoldConstantDequantize>(
      compound.getContext());
}
