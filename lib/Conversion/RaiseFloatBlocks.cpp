//===- RaiseFloatBlocks.cpp - float blocks: norms, activations
//--------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Raising, float blocks: LayerNorm (decomposed or LayerNormalization),
// GELU (erf and tanh forms), Clip, Softmax and ReduceMean to their bnq ops.
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
      return rewriter.notifyMatchFailure(
          add,
          "not (x - mean) / sqrt(var + eps) * gamma + beta: no Mul operand");
    auto [mul, beta] = *mulAndBeta;
    auto divAndGamma = operandOf<ox::DivOp>(mul);
    if (!divAndGamma)
      return rewriter.notifyMatchFailure(
          add, "not a LayerNorm: the Mul has no Div operand");
    auto [div, gamma] = *divAndGamma;
    auto centered = div.getA().getDefiningOp<ox::SubOp>();
    auto sqrt = div.getB().getDefiningOp<ox::SqrtOp>();
    if (!centered || !sqrt)
      return rewriter.notifyMatchFailure(
          add, "not a LayerNorm: no Sub(x, mean) / Sqrt(...)");
    Value x = centered.getA();
    if (!isLastAxisMean(centered.getB().getDefiningOp<ox::ReduceMeanOp>(), x))
      return rewriter.notifyMatchFailure(
          add, "not a LayerNorm: the mean is not over x's last axis");
    auto varPlusEps = sqrt.getX().getDefiningOp<ox::AddOp>();
    if (!varPlusEps)
      return rewriter.notifyMatchFailure(
          add, "not a LayerNorm: Sqrt of no Add(var, eps)");
    auto varAndEps = operandOf<ox::ReduceMeanOp>(varPlusEps);
    if (!varAndEps)
      return rewriter.notifyMatchFailure(
          add, "not a LayerNorm: no ReduceMean variance");
    auto [var, epsValue] = *varAndEps;
    std::optional<double> eps = scalarOf(epsValue);
    auto pow = var.getData().getDefiningOp<ox::PowOp>();
    if (!eps || *eps <= 0 || !pow || pow.getA() != centered ||
        !isScalar(pow.getB(), 2.0) || !isLastAxisMean(var, pow))
      return rewriter.notifyMatchFailure(
          add,
          "not a LayerNorm: variance, eps or Pow(x - mean, 2) do not match");
    auto xType = staticType(x), gType = staticType(gamma),
         bType = staticType(beta);
    if (!xType || !gType || !bType || !isF32(x) || gType.getRank() != 1 ||
        bType.getRank() != 1 ||
        gType.getDimSize(0) != xType.getShape().back() ||
        bType.getDimSize(0) != xType.getShape().back() ||
        add.getType() != x.getType())
      return rewriter.notifyMatchFailure(
          add,
          "LayerNorm operands are not f32 x [..., H] with gamma, beta [H]");
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(
        add, x.getType(), x, gamma, beta, /*residual=*/Value(),
        rewriter.getF32FloatAttr(*eps),
        /*integer=*/UnitAttr());
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
      return rewriter.notifyMatchFailure(
          root, "not a GELU: not a product of three factors");
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
            bnq::GeluApproximationAttr::get(getContext(), *kind),
            /*integer=*/UnitAttr());
        return success();
      }
    }
    return rewriter.notifyMatchFailure(
        root, "not a GELU: no 0.5 * x * (1 + erf|tanh(...)) among the factors");
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

/// Clip(x, min, max) with constant (or absent) bounds -> bnq.clamp.
struct RaiseClip : OpRewritePattern<ox::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::ClipOp clip,
                                PatternRewriter &rewriter) const override {
    if (!isF32(clip.getInput()) || !staticType(clip.getInput()))
      return rewriter.notifyMatchFailure(clip,
                                         "input is not a static f32 tensor");
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

struct ConvertSoftmax : OpRewritePattern<ox::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getInput());
    if (!input || !isF32(op.getInput()))
      return rewriter.notifyMatchFailure(op,
                                         "input is not a static f32 tensor");
    if (auto legacy = op.getLegacyAxis()) {
      // Opset < 13 flattens at legacy_axis: one-axis only if it is the last.
      int64_t axis = *legacy, rank = input.getRank();
      if ((axis < 0 ? axis + rank : axis) != rank - 1)
        return rewriter.notifyMatchFailure(
            op, "opset < 13 softmax over more than the last axis");
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
      return rewriter.notifyMatchFailure(
          op, "input is not static f32 or the axis is not the last");
    Value beta = op.getB();
    if (!beta) {
      auto type =
          RankedTensorType::get({x.getShape().back()}, rewriter.getF32Type());
      beta = rewriter.create<arith::ConstantOp>(
          op.getLoc(), type, DenseElementsAttr::get(type, 0.0f));
    }
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(
        op, op.getType(), op.getX(), op.getScale(), beta, /*residual=*/Value(),
        op.getEpsilonAttr(),
        /*integer=*/UnitAttr());
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
      return rewriter.notifyMatchFailure(
          op, "input or result is not a static f32 tensor");
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
        return rewriter.notifyMatchFailure(op, "axis out of range");
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

} // namespace

void bnbert::raise::populateRaiseFloatBlockPatterns(
    RewritePatternSet &compound, RewritePatternSet &oneToOne) {
  compound.add<RaiseDecomposedLayerNorm, RaiseGelu, RaiseClip>(
      compound.getContext());
  oneToOne.add<ConvertSoftmax, ConvertLayerNormalization, ConvertReduceMean>(
      oneToOne.getContext());
}
