//===- RaiseQdq.cpp - QuantizeLinear / DequantizeLinear
//---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Raising, QDQ pairs: an activation's QuantizeLinear/DequantizeLinear pair
// to bnq.quantize/dequantize with its static clip; a DequantizeLinear of a
// constant folded to its float values (RaiseQuantizedWeights.cpp keeps
// quantized MatMul and Gather weights quantized instead).
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
        rewriter.getI32IntegerAttr(bits),
        rewriter.getF32FloatAttr(float(clip)));
    rewriter.replaceOpWithNewOp<bnq::DequantizeOp>(
        dq, type, quantize.getResult(), quantize.getScale());
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
  compound.add<RaiseQdqPair, FoldConstantDequantize>(compound.getContext());
}
