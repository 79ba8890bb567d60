//===- RaiseOnnx.cpp - bnq-raise-onnx -------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "RaiseUtils.h"
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bnbert {
#define GEN_PASS_DEF_BNQRAISEONNX
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::raise;
namespace ox = bnbert::onnxir;

namespace {

/// Whether `reduce` is a mean over the last axis of `x` keeping dims.
bool isLastAxisMean(ox::ReduceMeanOp reduce, Value x) {
  if (!reduce || reduce.getData() != x || !reduce.getKeepdims())
    return false;
  auto type = staticType(x);
  auto axes = reduce.getAxes();
  if (!type || !axes || axes->size() != 1)
    return false;
  int64_t axis = (*axes)[0];
  return axis == -1 || axis == type.getRank() - 1;
}

//===----------------------------------------------------------------------===//
// Phase 1: compound patterns
//===----------------------------------------------------------------------===//

/// Add(Mul(Div(Sub(x, mean(x)), Sqrt(Add(mean(Pow(Sub, 2)), eps))), gamma),
/// beta) -> bnq.layer_norm, in any operand order of Add and Mul.
struct RaiseDecomposedLayerNorm : OpRewritePattern<ox::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::AddOp add,
                                PatternRewriter &rewriter) const override {
    auto mulAndBeta = operandOf<ox::MulOp>(add);
    if (!mulAndBeta)
      return failure();
    auto [mul, beta] = *mulAndBeta;
    auto divAndGamma = operandOf<ox::DivOp>(mul);
    if (!divAndGamma)
      return failure();
    auto [div, gamma] = *divAndGamma;
    auto centered = div.getA().getDefiningOp<ox::SubOp>();
    auto sqrt = div.getB().getDefiningOp<ox::SqrtOp>();
    if (!centered || !sqrt)
      return failure();
    Value x = centered.getA();
    if (!isLastAxisMean(centered.getB().getDefiningOp<ox::ReduceMeanOp>(), x))
      return failure();
    auto varPlusEps = sqrt.getX().getDefiningOp<ox::AddOp>();
    if (!varPlusEps)
      return failure();
    auto varAndEps = operandOf<ox::ReduceMeanOp>(varPlusEps);
    if (!varAndEps)
      return failure();
    auto [var, epsValue] = *varAndEps;
    std::optional<double> eps = scalarOf(epsValue);
    auto pow = var.getData().getDefiningOp<ox::PowOp>();
    if (!eps || *eps <= 0 || !pow || pow.getA() != centered ||
        !isScalar(pow.getB(), 2.0) || !isLastAxisMean(var, pow))
      return failure();
    auto xType = staticType(x), gType = staticType(gamma),
         bType = staticType(beta);
    if (!xType || !gType || !bType || !isF32(x) || gType.getRank() != 1 ||
        bType.getRank() != 1 ||
        gType.getDimSize(0) != xType.getShape().back() ||
        bType.getDimSize(0) != xType.getShape().back() ||
        add.getType() != x.getType())
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(
        add, x.getType(), x, gamma, beta, rewriter.getF32FloatAttr(*eps));
    return success();
  }
};

/// x^3 as Mul(x, Mul(x, x)) (torch) or Pow(x, 3).
bool isCube(Value v, Value x) {
  if (auto pow = v.getDefiningOp<ox::PowOp>())
    return pow.getA() == x && isScalar(pow.getB(), 3.0);
  auto mul = v.getDefiningOp<ox::MulOp>();
  if (!mul)
    return false;
  auto square = operandOf<ox::MulOp>(mul);
  return square && square->second == x && square->first.getA() == x &&
         square->first.getB() == x;
}

/// `v` == `scalar` * `other` (either operand order); returns `other`.
Value scaledBy(Value v, double scalar, double tolerance) {
  auto mul = v.getDefiningOp<ox::MulOp>();
  if (!mul)
    return {};
  if (isScalar(mul.getA(), scalar, tolerance))
    return mul.getB();
  if (isScalar(mul.getB(), scalar, tolerance))
    return mul.getA();
  return {};
}

/// 0.5 * x * (1 + erf(x / sqrt(2))) -> bnq.gelu erf, and
/// 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) -> bnq.gelu tanh,
/// with the three factors in any order (x / sqrt(2) also as x * (1/sqrt(2))).
struct RaiseGelu : OpRewritePattern<ox::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MulOp root,
                                PatternRewriter &rewriter) const override {
    // The three factors: root = Mul(Mul(a, b), c) or Mul(a, Mul(b, c)).
    SmallVector<Value, 3> factors;
    for (Value v : root->getOperands()) {
      auto inner = v.getDefiningOp<ox::MulOp>();
      if (inner && factors.size() < 2 && inner->hasOneUse()) {
        factors.push_back(inner.getA());
        factors.push_back(inner.getB());
      } else {
        factors.push_back(v);
      }
    }
    if (factors.size() != 3)
      return failure();
    for (int half = 0; half < 3; ++half) {
      if (!isScalar(factors[half], 0.5))
        continue;
      for (int sum = 0; sum < 3; ++sum) {
        if (sum == half)
          continue;
        Value x = factors[3 - half - sum];
        if (!isF32(x) || x.getType() != root.getType())
          continue;
        std::optional<bnq::GeluApproximation> kind = onePlus(factors[sum], x);
        if (!kind)
          continue;
        rewriter.replaceOpWithNewOp<bnq::GeluOp>(
            root, x.getType(), x,
            bnq::GeluApproximationAttr::get(getContext(), *kind));
        return success();
      }
    }
    return failure();
  }

  /// Which GELU `v` == 1 + erf(x / sqrt(2)) or 1 + tanh(...) belongs to.
  static std::optional<bnq::GeluApproximation> onePlus(Value v, Value x) {
    auto add = v.getDefiningOp<ox::AddOp>();
    if (!add)
      return std::nullopt;
    if (auto erfAndOne = operandOf<ox::ErfOp>(add);
        erfAndOne && isScalar(erfAndOne->second, 1.0) &&
        isXOverSqrt2(erfAndOne->first.getX(), x))
      return bnq::GeluApproximation::erf;
    if (auto tanhAndOne = operandOf<ox::TanhOp>(add);
        tanhAndOne && isScalar(tanhAndOne->second, 1.0)) {
      Value inner =
          scaledBy(tanhAndOne->first.getX(), std::sqrt(2.0 / M_PI), 1e-5);
      auto sum = inner ? inner.getDefiningOp<ox::AddOp>() : ox::AddOp();
      if (!sum || (sum.getA() != x && sum.getB() != x))
        return std::nullopt;
      Value cube =
          scaledBy(sum.getA() == x ? sum.getB() : sum.getA(), 0.044715, 1e-7);
      if (cube && isCube(cube, x))
        return bnq::GeluApproximation::tanh;
    }
    return std::nullopt;
  }

  static bool isXOverSqrt2(Value v, Value x) {
    if (auto div = v.getDefiningOp<ox::DivOp>())
      return div.getA() == x && isScalar(div.getB(), std::sqrt(2.0), 1e-5);
    return scaledBy(v, 1.0 / std::sqrt(2.0), 1e-5) == x;
  }
};

/// Gather(table, ids) with a constant f32 [V, H] table -> bnq.embedding.
struct RaiseEmbedding : OpRewritePattern<ox::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::GatherOp gather,
                                PatternRewriter &rewriter) const override {
    auto table = staticType(gather.getData());
    if (gather.getAxis() != 0 || !constantOf(gather.getData()) || !table ||
        table.getRank() != 2 || !isF32(gather.getData()) ||
        !llvm::isa<IntegerType>(getElementTypeOrSelf(gather.getIndices())))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::EmbeddingOp>(
        gather, gather.getType(), gather.getData(), gather.getIndices());
    return success();
  }
};

/// Gather(x, i) of one constant index along an axis (the pooler's x[:, 0])
/// -> bnq.slice (+ bnq.reshape dropping the axis for a scalar index).
struct RaiseGatherOne : OpRewritePattern<ox::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::GatherOp gather,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(gather.getData());
    auto result = staticType(gather.getResult());
    std::optional<double> index = scalarOf(gather.getIndices());
    auto indexType = staticType(gather.getIndices());
    if (!input || !result || !index || !indexType || !isF32(gather.getData()))
      return failure();
    int64_t rank = input.getRank();
    int64_t axis = gather.getAxis(); // the I64Attr getter is unsigned
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return failure();
    int64_t i = static_cast<int64_t>(*index);
    if (i < 0)
      i += input.getDimSize(axis);
    if (i < 0 || i >= input.getDimSize(axis))
      return failure();
    SmallVector<int64_t> offsets(rank, 0), sizes(input.getShape());
    offsets[axis] = i;
    sizes[axis] = 1;
    auto sliceType = RankedTensorType::get(sizes, input.getElementType());
    Value slice = rewriter.create<bnq::SliceOp>(gather.getLoc(), sliceType,
                                                gather.getData(), offsets);
    if (sliceType != result)
      slice = rewriter.create<bnq::ReshapeOp>(gather.getLoc(), result, slice);
    rewriter.replaceOp(gather, slice);
    return success();
  }
};

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
      return failure();
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

/// The values of an 8/32/64-bit integer constant (signed or unsigned);
/// failure for a null or non-integer attribute.
FailureOr<std::vector<int64_t>> integerValues(ElementsAttr attr) {
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(attr);
  auto type = dense ? llvm::dyn_cast<IntegerType>(dense.getElementType())
                    : IntegerType();
  if (!type)
    return failure();
  std::vector<int64_t> values;
  values.reserve(dense.getNumElements());
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(type.isUnsigned() ? int64_t(v.getZExtValue())
                                       : v.getSExtValue());
  return values;
}

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
      return failure();
    auto q = integerValues(x);
    auto s = bnq::getElementValues<float>(scale);
    FailureOr<std::vector<int64_t>> z =
        zero ? integerValues(zero)
             : std::vector<int64_t>(scale.getNumElements(), 0);
    if (failed(q) || failed(s) || failed(z) ||
        s->size() != static_cast<int64_t>(z->size()))
      return failure();
    // Per-axis: the scale index is the coordinate along `axis`.
    int64_t rank = type.getRank(), axis = dq.getAxis();
    if (axis < 0)
      axis += rank;
    int64_t inner = 1, channels = 1;
    if (s->size() != 1) {
      if (axis < 0 || axis >= rank ||
          type.getDimSize(axis) != static_cast<int64_t>(s->size()))
        return failure();
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

/// Where(Less(positions, lengths[:, None]), 0, f) with constant positions
/// 0..S-1 ([S] or [1, S]) -> bnq.length_mask(lengths) {filter_value = f}
/// (how bnbert exports length_mask).
struct RaiseLengthMask : OpRewritePattern<ox::WhereOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::WhereOp where,
                                PatternRewriter &rewriter) const override {
    auto less = where.getCondition().getDefiningOp<ox::LessOp>();
    auto result = staticType(where.getOutput());
    std::optional<double> filter = scalarOf(where.getY());
    if (!less || !result || result.getRank() != 2 ||
        !isScalar(where.getX(), 0.0) || !filter || !isF32(where.getOutput()))
      return failure();
    ElementsAttr positions = constantOf(less.getA());
    auto column = staticType(less.getB());
    if (!positions || positions.getNumElements() != result.getDimSize(1) ||
        !column ||
        column.getShape() != ArrayRef<int64_t>{result.getDimSize(0), 1})
      return failure();
    auto values = bnq::getElementValues<float>(positions);
    if (failed(values) || !positions.getElementType().isF32())
      return failure();
    for (int64_t j = 0; j < values->size(); ++j)
      if ((*values)[j] != float(j))
        return failure();
    Operation *unsqueeze = less.getB().getDefiningOp();
    if (!unsqueeze || !isa<ox::UnsqueezeOp, ox::ReshapeOp>(unsqueeze))
      return failure();
    Value lengths = unsqueeze->getOperand(0);
    auto lengthsType = staticType(lengths);
    if (!lengthsType || lengthsType.getRank() != 1)
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LengthMaskOp>(
        where, result, lengths, rewriter.getF32FloatAttr(float(*filter)));
    return success();
  }
};

/// Whether `v` holds integers other than booleans (a mask, ids, counts).
bool isWideInteger(Value v) {
  Type t = getElementTypeOrSelf(v);
  return t.isSignlessInteger() && !t.isInteger(1);
}

/// fill * hit as an f32 tensor of `shape`, hit = [m == k] (or [m != k])
/// for an integer tensor m of the same element count, computed exactly:
/// relu(1 - (m - k)^2) is 1 at m == k and 0 at any other integer.
Value maskBias(PatternRewriter &rewriter, Location loc, Value ints, double k,
               bool equalMeansHit, float fill, ArrayRef<int64_t> shape) {
  auto intsType = cast<RankedTensorType>(ints.getType());
  auto maskType =
      RankedTensorType::get(intsType.getShape(), rewriter.getF32Type());
  Value t = rewriter.create<bnq::CastOp>(loc, maskType, ints);
  if (k != 0)
    t = rewriter.create<bnq::SubOp>(loc, maskType, t,
                                    floatConstant(rewriter, loc, float(k)));
  Value one = floatConstant(rewriter, loc, 1.0f);
  Value equal = rewriter.create<bnq::UnaryOp>(
      loc, maskType,
      rewriter.create<bnq::SubOp>(
          loc, maskType, one, rewriter.create<bnq::MulOp>(loc, maskType, t, t)),
      bnq::UnaryFunctionAttr::get(rewriter.getContext(),
                                  bnq::UnaryFunction::relu));
  Value hit = equalMeansHit
                  ? equal
                  : rewriter.create<bnq::SubOp>(loc, maskType, one, equal);
  Value bias = rewriter.create<bnq::MulOp>(loc, maskType, hit,
                                           floatConstant(rewriter, loc, fill));
  if (intsType.getShape() != shape)
    bias = rewriter.create<bnq::ReshapeOp>(
        loc, RankedTensorType::get(shape, rewriter.getF32Type()), bias);
  return bias;
}

/// Where(cond, c, x) / Where(cond, x, c) with a constant c, an f32 x of the
/// result's shape and cond = Equal(m, k) (or Not of it, or Cast(m -> bool)
/// = m != 0) of an integer tensor m and a constant k, through reshapes and
/// an Expand: masked_fill, as DistilBERT writes its attention mask. Becomes
/// x + c * hit, hit in {0, 1} computed exactly from m in f32 arithmetic
/// (eq = relu(1 - t^2), t = m - k: integers differ by >= 1), so it adds
/// to the attention pattern like BERT's (1 - mask) * c. Differs from Where
/// only where x is not finite, or where |x| is not negligible against c
/// (masks use c = -10000, the float minimum or -inf).
struct RaiseMaskedFill : OpRewritePattern<ox::WhereOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::WhereOp where,
                                PatternRewriter &rewriter) const override {
    auto result = staticType(where.getOutput());
    if (!result || !isF32(where.getOutput()))
      return failure();
    bool fillWhenTrue = true;
    std::optional<double> fill = scalarOf(where.getX());
    Value kept = where.getY();
    if (!fill) {
      fill = scalarOf(where.getY());
      kept = where.getX();
      fillWhenTrue = false;
    }
    if (!fill || std::isnan(*fill) ||
        kept.getType() != where.getOutput().getType())
      return failure();
    // 0 * inf would be NaN: an infinite fill becomes the largest finite
    // float of its sign (softmax gives masked keys 0 either way; only a
    // row with every key masked differs: uniform here, NaN in torch).
    float fillValue =
        std::isinf(*fill)
            ? std::copysign(std::numeric_limits<float>::max(), float(*fill))
            : float(*fill);
    // The condition before broadcasting, and the comparison behind it.
    Value cond = where.getCondition();
    if (auto expand = cond.getDefiningOp<ox::ExpandOp>())
      cond = expand.getInput();
    auto condType = staticType(cond);
    if (!condType)
      return failure();
    Value source = cond;
    while (Operation *def = source.getDefiningOp()) {
      if (!isa<ox::ReshapeOp, ox::UnsqueezeOp, ox::SqueezeOp>(def))
        break;
      source = def->getOperand(0);
    }
    bool equalMeansHit = fillWhenTrue;
    if (auto negate = source.getDefiningOp<ox::NotOp>()) {
      source = negate.getX();
      equalMeansHit = !equalMeansHit;
    }
    Value ints;
    double k = 0;
    if (auto equal = source.getDefiningOp<ox::EqualOp>()) {
      std::optional<double> b = scalarOf(equal.getB()), a;
      ints = equal.getA();
      if (!b) {
        a = scalarOf(equal.getA());
        ints = equal.getB();
      }
      if (!a && !b)
        return failure();
      k = b ? *b : *a;
    } else if (auto cast = source.getDefiningOp<ox::CastOp>()) {
      if (!getElementTypeOrSelf(cast.getOutput()).isInteger(1))
        return failure();
      ints = cast.getInput(); // true where m != 0
      equalMeansHit = !equalMeansHit;
    } else {
      return failure();
    }
    auto intsType = staticType(ints);
    if (!intsType || !isWideInteger(ints) ||
        intsType.getNumElements() != condType.getNumElements() ||
        std::nearbyint(k) != k)
      return failure();

    Value bias = maskBias(rewriter, where.getLoc(), ints, k, equalMeansHit,
                          fillValue, condType.getShape());
    rewriter.replaceOpWithNewOp<bnq::AddOp>(where, result, kept, bias);
    return success();
  }
};

/// Hugging Face's expanded 4-D mask (_expand_mask, used with SDPA):
///   inv = 1 - Cast(Expand(Unsqueeze(Unsqueeze(m)), [B, 1, Sq, Sk]))
///   Where(Cast(inv -> bool), c, inv)
/// is c where m != 1 and 0 where m == 1: the [B, 1, 1, Sk] bias of
/// maskBias, which every user - an Add onto a full-shaped operand - can
/// broadcast itself, so attention fuses as with BERT's mask.
struct RaiseExpandedMask : OpRewritePattern<ox::WhereOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::WhereOp where,
                                PatternRewriter &rewriter) const override {
    auto result = staticType(where.getOutput());
    std::optional<double> fill = scalarOf(where.getX());
    auto toBool = where.getCondition().getDefiningOp<ox::CastOp>();
    if (!result || result.getRank() != 4 || !isF32(where.getOutput()) ||
        !fill || !std::isfinite(*fill) || !toBool ||
        toBool.getInput() != where.getY())
      return failure();
    auto inverted = where.getY().getDefiningOp<ox::SubOp>();
    std::optional<double> k =
        inverted ? scalarOf(inverted.getA()) : std::nullopt;
    auto toFloat =
        inverted ? inverted.getB().getDefiningOp<ox::CastOp>() : ox::CastOp();
    if (!k || std::nearbyint(*k) != *k || !toFloat)
      return failure();
    auto expand = toFloat.getInput().getDefiningOp<ox::ExpandOp>();
    int64_t batch = result.getDimSize(0), keys = result.getDimSize(3);
    // The mask varies along the keys only ([B, 1, Sk, 1] would mask
    // queries).
    auto expandIn = expand ? staticType(expand.getInput()) : nullptr;
    if (!expandIn ||
        expandIn.getShape() != ArrayRef<int64_t>{batch, 1, 1, keys})
      return failure();
    Value ints = expand.getInput();
    while (Operation *def = ints.getDefiningOp()) {
      if (!isa<ox::ReshapeOp, ox::UnsqueezeOp>(def))
        break;
      ints = def->getOperand(0);
    }
    auto intsType = staticType(ints);
    if (!intsType || !isWideInteger(ints) ||
        intsType.getShape() != ArrayRef<int64_t>{batch, keys})
      return failure();
    // Every user adds the mask to an operand of its own (full) shape.
    for (Operation *user : where.getOutput().getUsers()) {
      auto add = dyn_cast<ox::AddOp>(user);
      if (!add || add.getA() == add.getB())
        return failure();
      Value other = add.getA() == where.getOutput() ? add.getB() : add.getA();
      if (other.getType() != add.getC().getType() || !staticType(other) ||
          staticType(other).getRank() != 4)
        return failure();
    }
    // k - m != 0 exactly when m != k: the fill goes where m differs from k.
    Value bias =
        maskBias(rewriter, where.getLoc(), ints, *k,
                 /*equalMeansHit=*/false, float(*fill), {batch, 1, 1, keys});
    rewriter.replaceAllUsesWith(where.getOutput(), bias);
    rewriter.eraseOp(where);
    return success();
  }
};

/// `v` without integer-to-integer Casts and additions of 0 (torch's
/// type_as and `+ past_key_values_length` when that is 0).
Value skipIntNoOps(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto cast = dyn_cast<ox::CastOp>(def);
        cast && isWideInteger(cast.getInput()) &&
        isWideInteger(cast.getOutput())) {
      v = cast.getInput();
    } else if (auto add = dyn_cast<ox::AddOp>(def);
               add && isScalar(add.getB(), 0.0) &&
               add.getA().getType() == add.getC().getType()) {
      v = add.getA();
    } else {
      break;
    }
  }
  return v;
}

/// Add(Mul(CumSum(m, axis 1), m), pad) with m = Cast(Not(Equal(ids, pad)))
/// (integer casts and + 0 anywhere between) -> bnq.position_ids(ids)
/// {padding_idx = pad}: Hugging Face's create_position_ids_from_input_ids,
/// how RoBERTa-family models number their positions.
struct RaisePositionIds : OpRewritePattern<ox::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::AddOp add,
                                PatternRewriter &rewriter) const override {
    auto result = staticType(add.getC());
    if (!result || result.getRank() != 2 ||
        !result.getElementType().isSignlessInteger())
      return failure();
    std::optional<double> pad = scalarOf(add.getB());
    Value counted = add.getA();
    if (!pad) {
      pad = scalarOf(add.getA());
      counted = add.getB();
    }
    if (!pad || *pad < 0 || std::nearbyint(*pad) != *pad)
      return failure();
    auto mul = skipIntNoOps(counted).getDefiningOp<ox::MulOp>();
    if (!mul)
      return failure();
    ox::CumSumOp cumsum;
    Value indicator;
    for (int i = 0; i < 2 && !cumsum; ++i) {
      cumsum = skipIntNoOps(mul->getOperand(i)).getDefiningOp<ox::CumSumOp>();
      indicator = skipIntNoOps(mul->getOperand(1 - i));
    }
    std::optional<double> axis =
        cumsum ? scalarOf(cumsum.getAxis()) : std::nullopt;
    if (!cumsum || !axis || (*axis != 1 && *axis != -1) ||
        cumsum.getExclusive() != 0 || cumsum.getReverse() != 0 ||
        skipIntNoOps(cumsum.getX()) != indicator)
      return failure();
    auto cast = indicator.getDefiningOp<ox::CastOp>();
    auto negate = cast ? cast.getInput().getDefiningOp<ox::NotOp>() : nullptr;
    auto equal = negate ? negate.getX().getDefiningOp<ox::EqualOp>() : nullptr;
    if (!equal)
      return failure();
    Value ids = equal.getA();
    std::optional<double> key = scalarOf(equal.getB());
    if (!key) {
      ids = equal.getB();
      key = scalarOf(equal.getA());
    }
    auto idsType = staticType(ids);
    if (!key || *key != *pad || !idsType ||
        idsType.getShape() != result.getShape() ||
        !(idsType.getElementType().isSignlessInteger(32) ||
          idsType.getElementType().isSignlessInteger(64)))
      return failure();
    auto i64Type =
        RankedTensorType::get(result.getShape(), rewriter.getI64Type());
    Value positions = rewriter.create<bnq::PositionIdsOp>(
        add.getLoc(), i64Type, ids, rewriter.getI64IntegerAttr(int64_t(*pad)));
    if (result != i64Type)
      positions = rewriter.create<bnq::CastOp>(add.getLoc(), result, positions);
    rewriter.replaceOp(add, positions);
    return success();
  }
};

/// Clip(x, min, max) with constant (or absent) bounds -> bnq.clamp.
struct RaiseClip : OpRewritePattern<ox::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::ClipOp clip,
                                PatternRewriter &rewriter) const override {
    if (!isF32(clip.getInput()) || !staticType(clip.getInput()))
      return failure();
    double lo = -std::numeric_limits<float>::infinity(),
           hi = std::numeric_limits<float>::infinity();
    if (Value min = clip.getMin()) {
      auto v = scalarOf(min);
      if (!v)
        return rewriter.notifyMatchFailure(clip, "min is not a constant");
      lo = *v;
    }
    if (Value max = clip.getMax()) {
      auto v = scalarOf(max);
      if (!v)
        return rewriter.notifyMatchFailure(clip, "max is not a constant");
      hi = *v;
    }
    if (!(lo <= hi))
      return rewriter.notifyMatchFailure(clip, "min > max");
    rewriter.replaceOpWithNewOp<bnq::ClampOp>(
        clip, clip.getInput().getType(), clip.getInput(),
        rewriter.getF32FloatAttr(float(lo)),
        rewriter.getF32FloatAttr(float(hi)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Phase 2: one-to-one conversions
//===----------------------------------------------------------------------===//

struct ConvertConstant : OpRewritePattern<ox::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(),
                                                   op.getValue());
    return success();
  }
};

template <typename From, typename To>
struct ConvertFloatBinary : OpRewritePattern<From> {
  using OpRewritePattern<From>::OpRewritePattern;
  LogicalResult matchAndRewrite(From op,
                                PatternRewriter &rewriter) const override {
    if (!isF32(op.getA()) || !isF32(op.getB()) || !staticType(op.getC()))
      return failure();
    rewriter.replaceOpWithNewOp<To>(op, op.getType(), op.getA(), op.getB());
    return success();
  }
};

struct ConvertTanh : OpRewritePattern<ox::TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::TanhOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32(op.getX()))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::TanhOp>(op, op.getType(), op.getX());
    return success();
  }
};

struct ConvertSoftmax : OpRewritePattern<ox::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getInput());
    if (!input || !isF32(op.getInput()))
      return failure();
    if (auto legacy = op.getLegacyAxis()) {
      // Opset < 13 flattens at legacy_axis: one-axis only if it is the last.
      int64_t axis = *legacy, rank = input.getRank();
      if ((axis < 0 ? axis + rank : axis) != rank - 1)
        return failure();
    }
    rewriter.replaceOpWithNewOp<bnq::SoftmaxOp>(op, op.getType(), op.getInput(),
                                                int64_t(op.getAxis()));
    return success();
  }
};

struct ConvertLayerNormalization : OpRewritePattern<ox::LayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::LayerNormalizationOp op,
                                PatternRewriter &rewriter) const override {
    auto x = staticType(op.getX());
    int64_t axis = op.getAxis();
    if (!x || !isF32(op.getX()) || (axis != -1 && axis != x.getRank() - 1))
      return failure();
    Value beta = op.getB();
    if (!beta) {
      auto type =
          RankedTensorType::get({x.getShape().back()}, rewriter.getF32Type());
      beta = rewriter.create<arith::ConstantOp>(
          op.getLoc(), type, DenseElementsAttr::get(type, 0.0f));
    }
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(
        op, op.getType(), op.getX(), op.getScale(), beta, op.getEpsilonAttr());
    return success();
  }
};

/// Reshape, Unsqueeze, Squeeze and Identity: same elements, static type.
template <typename From> struct ConvertReshapeLike : OpRewritePattern<From> {
  using OpRewritePattern<From>::OpRewritePattern;
  LogicalResult matchAndRewrite(From op,
                                PatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    if (!staticType(op->getResult(0)) || !staticType(input))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::ReshapeOp>(op, op->getResult(0).getType(),
                                                input);
    return success();
  }
};

struct ConvertTranspose : OpRewritePattern<ox::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getData());
    if (!input || !isF32(op.getData()))
      return failure();
    SmallVector<int64_t> perm;
    if (auto attr = op.getPerm())
      perm.assign(attr->begin(), attr->end());
    else
      for (int64_t i = input.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    rewriter.replaceOpWithNewOp<bnq::TransposeOp>(op, op.getType(),
                                                  op.getData(), perm);
    return success();
  }
};

struct ConvertCast : OpRewritePattern<ox::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::CastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = getElementTypeOrSelf(op.getInput());
    Type to = getElementTypeOrSelf(op.getOutput());
    if (!(to.isF32() || to.isSignlessInteger(32) || to.isSignlessInteger(64)) ||
        !(from.isSignlessInteger() || from.isF32()) ||
        !staticType(op.getOutput()))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::CastOp>(op, op.getType(), op.getInput());
    return success();
  }
};

/// Erf, Sqrt, Neg, Relu, Sigmoid outside a recognised block -> bnq.unary.
template <typename From, bnq::UnaryFunction Function>
struct ConvertUnary : OpRewritePattern<From> {
  using OpRewritePattern<From>::OpRewritePattern;
  LogicalResult matchAndRewrite(From op,
                                PatternRewriter &rewriter) const override {
    Value x = op->getOperand(0);
    if (!isF32(x) || !staticType(x) ||
        x.getType() != op->getResult(0).getType())
      return failure();
    rewriter.replaceOpWithNewOp<bnq::UnaryOp>(
        op, x.getType(), x,
        bnq::UnaryFunctionAttr::get(rewriter.getContext(), Function));
    return success();
  }
};

/// ReduceMean over constant axes -> bnq.reduce_mean (+ bnq.reshape when
/// keepdims = 0).
struct ConvertReduceMean : OpRewritePattern<ox::ReduceMeanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::ReduceMeanOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getData());
    auto result = staticType(op.getReduced());
    if (!input || !result || !isF32(op.getData()))
      return failure();
    int64_t rank = input.getRank();
    SmallVector<int64_t> axes;
    if (auto attr = op.getAxes())
      for (int64_t a : *attr)
        axes.push_back(a < 0 ? a + rank : a);
    else
      for (int64_t a = 0; a < rank; ++a)
        axes.push_back(a);
    llvm::sort(axes);
    SmallVector<int64_t> kept(input.getShape());
    for (int64_t a : axes) {
      if (a < 0 || a >= rank)
        return failure();
      kept[a] = 1;
    }
    auto keptType = RankedTensorType::get(kept, rewriter.getF32Type());
    Value mean = rewriter.create<bnq::ReduceMeanOp>(op.getLoc(), keptType,
                                                    op.getData(), axes);
    if (keptType != result)
      mean = rewriter.create<bnq::ReshapeOp>(op.getLoc(), result, mean);
    rewriter.replaceOp(op, mean);
    return success();
  }
};

/// Slice with constant starts/axes and unit steps -> bnq.slice (the sizes
/// are the static result type's).
struct ConvertSlice : OpRewritePattern<ox::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::SliceOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getData());
    auto result = staticType(op.getOutput());
    ElementsAttr startsAttr = constantOf(op.getStarts());
    if (!input || !result || !isF32(op.getData()) || !startsAttr)
      return failure();
    auto starts = integerValues(startsAttr);
    if (failed(starts))
      return failure();
    int64_t rank = input.getRank();
    std::vector<int64_t> axes(starts->size());
    for (size_t i = 0; i < axes.size(); ++i)
      axes[i] = int64_t(i);
    if (Value a = op.getAxes()) {
      auto values = integerValues(constantOf(a));
      if (failed(values) || values->size() != starts->size())
        return failure();
      axes = *values;
    }
    if (Value steps = op.getSteps()) {
      auto values = integerValues(constantOf(steps));
      if (failed(values) ||
          llvm::any_of(*values, [](int64_t s) { return s != 1; }))
        return failure();
    }
    SmallVector<int64_t> offsets(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (axis < 0 || axis >= rank)
        return failure();
      int64_t dim = input.getDimSize(axis), start = (*starts)[i];
      if (start < 0)
        start += dim;
      offsets[axis] = std::clamp<int64_t>(start, 0, dim);
    }
    for (int64_t d = 0; d < rank; ++d)
      if (offsets[d] + result.getDimSize(d) > input.getDimSize(d))
        return failure();
    rewriter.replaceOpWithNewOp<bnq::SliceOp>(op, result, op.getData(),
                                              offsets);
    return success();
  }
};

/// MatMul with a constant weight -> bnq.linear; between activations of
/// equal rank >= 3 and equal batch dimensions -> bnq.batch_matmul.
struct ConvertMatMul : OpRewritePattern<ox::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto a = staticType(op.getA()), b = staticType(op.getB());
    if (!a || !b || !isF32(op.getA()) || !isF32(op.getB()) ||
        !staticType(op.getY()))
      return failure();
    if (ElementsAttr w = matmulWeight(op)) {
      Value weight = transposedWeight(rewriter, op.getB().getLoc(), w);
      if (!weight)
        return failure();
      rewriter.replaceOpWithNewOp<bnq::LinearOp>(op, op.getType(), op.getA(),
                                                 weight, Value());
      return success();
    }
    if (a.getRank() < 3 || a.getRank() != b.getRank() ||
        a.getShape().drop_back(2) != b.getShape().drop_back(2))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::BatchMatmulOp>(op, op.getType(), op.getA(),
                                                    op.getB());
    return success();
  }
};

/// Gemm(A, B, C) with alpha = beta = 1, no transA, constant B and a [N]
/// bias -> bnq.linear.
struct ConvertGemm : OpRewritePattern<ox::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::GemmOp op,
                                PatternRewriter &rewriter) const override {
    ElementsAttr w = constantOf(op.getB());
    if (!w || op.getTransA() || op.getAlpha().convertToFloat() != 1.0f ||
        op.getBeta().convertToFloat() != 1.0f || !isF32(op.getA()) ||
        !w.getElementType().isF32() || !staticType(op.getY()))
      return failure();
    Value bias = op.getC();
    auto biasType = bias ? staticType(bias) : RankedTensorType();
    if (bias && (!biasType || biasType.getRank() != 1))
      return failure();
    Value weight = op.getTransB()
                       ? op.getB()
                       : transposedWeight(rewriter, op.getB().getLoc(), w);
    if (!weight)
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(op, op.getType(), op.getA(),
                                               weight, bias);
    return success();
  }
};

/// bnq.add(bnq.linear(x, W), bias) with a constant [N] bias and no bias on
/// the linear -> bnq.linear(x, W, bias): the runtime fuses the bias into the
/// GEMM (ONNX Runtime's fused ops carry the bias separately).
struct FoldBiasIntoLinear : OpRewritePattern<bnq::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(bnq::AddOp add,
                                PatternRewriter &rewriter) const override {
    auto linearAndBias = operandOf<bnq::LinearOp>(add);
    if (!linearAndBias)
      return failure();
    auto [linear, bias] = *linearAndBias;
    auto biasType = staticType(bias);
    auto weightType = staticType(linear.getWeight());
    if (linear.getBias() || !linear->hasOneUse() || !constantOf(bias) ||
        !biasType || !weightType || biasType.getRank() != 1 ||
        biasType.getDimSize(0) != weightType.getDimSize(0) ||
        add.getType() != linear.getType())
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(
        add, add.getType(), linear.getInput(), linear.getWeight(), bias);
    return success();
  }
};

struct BnqRaiseOnnxPass : bnbert::impl::BnqRaiseOnnxBase<BnqRaiseOnnxPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    func::FuncOp func = getOperation();

    RewritePatternSet compound(context);
    compound.add<RaiseDecomposedLayerNorm, RaiseGelu, RaiseEmbedding,
                 RaiseGatherOne, RaiseQdqPair, FoldConstantDequantize,
                 RaiseClip, RaiseLengthMask, RaiseExpandedMask, RaiseMaskedFill,
                 RaisePositionIds>(context);
    RewritePatternSet simple(context);
    simple.add<
        ConvertConstant, ConvertTanh, ConvertSoftmax, ConvertLayerNormalization,
        ConvertReshapeLike<ox::ReshapeOp>, ConvertReshapeLike<ox::UnsqueezeOp>,
        ConvertReshapeLike<ox::SqueezeOp>, ConvertReshapeLike<ox::IdentityOp>,
        ConvertTranspose, ConvertCast, ConvertMatMul, ConvertGemm, ConvertSlice,
        ConvertFloatBinary<ox::AddOp, bnq::AddOp>,
        ConvertFloatBinary<ox::SubOp, bnq::SubOp>,
        ConvertFloatBinary<ox::MulOp, bnq::MulOp>,
        ConvertFloatBinary<ox::DivOp, bnq::DivOp>,
        ConvertFloatBinary<ox::PowOp, bnq::PowOp>, FoldBiasIntoLinear,
        ConvertReduceMean, ConvertUnary<ox::ErfOp, bnq::UnaryFunction::erf>,
        ConvertUnary<ox::SqrtOp, bnq::UnaryFunction::sqrt>,
        ConvertUnary<ox::NegOp, bnq::UnaryFunction::neg>,
        ConvertUnary<ox::ReluOp, bnq::UnaryFunction::relu>,
        ConvertUnary<ox::SigmoidOp, bnq::UnaryFunction::sigmoid>>(context);
    populateRaiseContribPatterns(compound, simple);
    RewritePatternSet weights(context);
    populateRaiseQuantizedWeightPatterns(weights, simple);
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true;
    if (failed(
            applyPatternsAndFoldGreedily(func, std::move(weights), config)) ||
        failed(
            applyPatternsAndFoldGreedily(func, std::move(compound), config)) ||
        failed(applyPatternsAndFoldGreedily(func, std::move(simple), config)))
      return signalPassFailure();

    // What nothing reads any more goes (e.g. the rest of a mask chain a
    // compound pattern replaced as a whole; onnx ops are Pure).
    SmallVector<Operation *> all;
    func.walk([&](Operation *op) { all.push_back(op); });
    for (Operation *op : llvm::reverse(all))
      if (isOpTriviallyDead(op))
        op->erase();

    // Anything left would be dropped by the runtime: say which node it is
    // (the first one in program order; the rest usually follow from it).
    SmallVector<Operation *> leftovers;
    func.walk([&](Operation *op) {
      if (llvm::isa<ox::OnnxDialect>(op->getDialect()))
        leftovers.push_back(op);
    });
    if (leftovers.empty())
      return;
    InFlightDiagnostic diag = leftovers.front()->emitError()
                              << "cannot raise '"
                              << leftovers.front()->getName()
                              << "' to bnq: no bnq form for it in this context";
    if (leftovers.size() > 1)
      diag.attachNote() << leftovers.size() - 1
                        << " more onnx ops are left (shapes that are still "
                           "dynamic are a common cause: fix them with "
                           "--shape)";
    signalPassFailure();
  }
};

} // namespace
