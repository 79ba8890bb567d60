//===- RaiseMasks.cpp - attention masks, position ids
//-----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Raising, what exports compute from the attention mask and the ids:
// BERT's additive mask, DistilBERT's masked_fill, Hugging Face's expanded
// 4-D mask, bnbert's length mask, RoBERTa's position ids.
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
      return rewriter.notifyMatchFailure(
          where,
          "not Where(Less(positions, lengths), 0, filter) on static f32");
    ElementsAttr positions = constantOf(less.getA());
    auto column = staticType(less.getB());
    if (!positions || positions.getNumElements() != result.getDimSize(1) ||
        !column ||
        column.getShape() != ArrayRef<int64_t>{result.getDimSize(0), 1})
      return rewriter.notifyMatchFailure(
          where,
          "positions are not a constant [S] / [1, S] or lengths not [B, 1]");
    auto values = bnq::getElementValues<float>(positions);
    if (failed(values) || !positions.getElementType().isF32())
      return rewriter.notifyMatchFailure(where,
                                         "positions are not f32 constants");
    for (int64_t j = 0; j < values->size(); ++j)
      if ((*values)[j] != float(j))
        return rewriter.notifyMatchFailure(where, "positions are not 0 .. S-1");
    Operation *unsqueeze = less.getB().getDefiningOp();
    if (!unsqueeze || !isa<ox::UnsqueezeOp, ox::ReshapeOp>(unsqueeze))
      return rewriter.notifyMatchFailure(
          where, "lengths are not unsqueezed/reshaped to [B, 1]");
    Value lengths = unsqueeze->getOperand(0);
    auto lengthsType = staticType(lengths);
    if (!lengthsType || lengthsType.getRank() != 1)
      return rewriter.notifyMatchFailure(where, "lengths are not [B]");
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

/// Cast(Not(b) -> T) of a boolean b that is not a comparison (a mask given
/// as bool, inverted before use: `(~padding).long()`): 1 - b, computed in
/// f32 (exact for 0 and 1), cast to T. Applies when every user of the Not
/// is such a Cast (a Where on it is RaiseMaskedFill's).
struct RaiseBoolNot : OpRewritePattern<ox::NotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::NotOp op,
                                PatternRewriter &rewriter) const override {
    auto type = staticType(op.getX());
    if (!type || !type.getElementType().isInteger(1))
      return rewriter.notifyMatchFailure(op, "input is not a static bool");
    // Not(Equal(...)) belongs to the patterns that read the comparison
    // (RoBERTa's position ids, masked_fill).
    if (op.getX().getDefiningOp<ox::EqualOp>())
      return rewriter.notifyMatchFailure(op, "input is a comparison");
    SmallVector<ox::CastOp> casts;
    for (Operation *user : op->getUsers()) {
      auto cast = dyn_cast<ox::CastOp>(user);
      if (!cast || !isSupportedCast(op.getX(), cast.getOutput()))
        return rewriter.notifyMatchFailure(
            op, "a user is not a Cast to f32, i32 or i64");
      casts.push_back(cast);
    }
    if (casts.empty())
      return rewriter.notifyMatchFailure(op, "no users");
    Location loc = op.getLoc();
    auto f32 = type.clone(rewriter.getF32Type());
    Value asFloat = rewriter.create<bnq::CastOp>(loc, f32, op.getX());
    Value inverted = rewriter.create<bnq::SubOp>(
        loc, f32, floatConstant(rewriter, loc, 1.0f), asFloat);
    for (ox::CastOp cast : casts) {
      auto to = llvm::cast<RankedTensorType>(cast.getOutput().getType());
      Value result = to.getElementType().isF32()
                         ? inverted
                         : rewriter.create<bnq::CastOp>(loc, to, inverted);
      rewriter.replaceOp(cast, result);
    }
    rewriter.eraseOp(op);
    return success();
  }
};

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
      return rewriter.notifyMatchFailure(where, "result is not static f32");
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
      return rewriter.notifyMatchFailure(
          where, "fill is not a constant or the kept operand's type differs");
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
      return rewriter.notifyMatchFailure(where, "condition is not static");
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
        return rewriter.notifyMatchFailure(where, "Equal has no constant side");
      k = b ? *b : *a;
    } else if (auto cast = source.getDefiningOp<ox::CastOp>()) {
      if (!getElementTypeOrSelf(cast.getOutput()).isInteger(1))
        return rewriter.notifyMatchFailure(where, "Cast is not to bool");
      ints = cast.getInput(); // true where m != 0
      equalMeansHit = !equalMeansHit;
    } else if (getElementTypeOrSelf(source).isInteger(1)) {
      ints = source; // a boolean mask itself (a graph input): true where 1
      equalMeansHit = !equalMeansHit;
    } else {
      return rewriter.notifyMatchFailure(
          where, "condition is not Equal, Not(Equal) or Cast(-> bool) of "
                 "integers, nor a boolean mask");
    }
    auto intsType = staticType(ints);
    if (!intsType ||
        !(isWideInteger(ints) || getElementTypeOrSelf(ints).isInteger(1)) ||
        intsType.getNumElements() != condType.getNumElements() ||
        std::nearbyint(k) != k)
      return rewriter.notifyMatchFailure(where,
                                         "compared constant is not an integer");

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
      return rewriter.notifyMatchFailure(
          where, "not HF's expanded 4-D mask: Where(bool(1 - m), c, 1 - m) "
                 "with finite c");
    auto inverted = where.getY().getDefiningOp<ox::SubOp>();
    std::optional<double> k =
        inverted ? scalarOf(inverted.getA()) : std::nullopt;
    auto toFloat =
        inverted ? inverted.getB().getDefiningOp<ox::CastOp>() : ox::CastOp();
    if (!k || std::nearbyint(*k) != *k || !toFloat)
      return rewriter.notifyMatchFailure(
          where, "not 1 - Cast(m) with an integer constant");
    auto expand = toFloat.getInput().getDefiningOp<ox::ExpandOp>();
    int64_t batch = result.getDimSize(0), keys = result.getDimSize(3);
    // The mask varies along the keys only ([B, 1, Sk, 1] would mask
    // queries).
    auto expandIn = expand ? staticType(expand.getInput()) : nullptr;
    if (!expandIn ||
        expandIn.getShape() != ArrayRef<int64_t>{batch, 1, 1, keys})
      return rewriter.notifyMatchFailure(where,
                                         "Expand input is not [B, 1, 1, Sk]");
    Value ints = expand.getInput();
    while (Operation *def = ints.getDefiningOp()) {
      if (!isa<ox::ReshapeOp, ox::UnsqueezeOp>(def))
        break;
      ints = def->getOperand(0);
    }
    auto intsType = staticType(ints);
    if (!intsType || !isWideInteger(ints) ||
        intsType.getShape() != ArrayRef<int64_t>{batch, keys})
      return rewriter.notifyMatchFailure(where, "mask is not integers [B, Sk]");
    // Every user adds the mask to an operand of its own (full) shape.
    for (Operation *user : where.getOutput().getUsers()) {
      auto add = dyn_cast<ox::AddOp>(user);
      if (!add || add.getA() == add.getB())
        return rewriter.notifyMatchFailure(
            where, "mask feeds no Add with another operand");
      Value other = add.getA() == where.getOutput() ? add.getB() : add.getA();
      if (other.getType() != add.getC().getType() || !staticType(other) ||
          staticType(other).getRank() != 4)
        return rewriter.notifyMatchFailure(
            where, "the other Add operand is not a static rank-4 tensor of the "
                   "sum's type");
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
      return rewriter.notifyMatchFailure(add, "not an integer [B, S] result");
    std::optional<double> pad = scalarOf(add.getB());
    Value counted = add.getA();
    if (!pad) {
      pad = scalarOf(add.getA());
      counted = add.getB();
    }
    if (!pad || *pad < 0 || std::nearbyint(*pad) != *pad)
      return rewriter.notifyMatchFailure(
          add, "padding index is not a non-negative integer constant");
    auto mul = skipIntNoOps(counted).getDefiningOp<ox::MulOp>();
    if (!mul)
      return rewriter.notifyMatchFailure(add, "no Mul(CumSum(m), m)");
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
      return rewriter.notifyMatchFailure(
          add, "not CumSum(m, axis 1) of the non-padding indicator");
    auto cast = indicator.getDefiningOp<ox::CastOp>();
    auto negate = cast ? cast.getInput().getDefiningOp<ox::NotOp>() : nullptr;
    auto equal = negate ? negate.getX().getDefiningOp<ox::EqualOp>() : nullptr;
    if (!equal)
      return rewriter.notifyMatchFailure(
          add, "indicator is not Not(Equal(ids, pad))");
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
      return rewriter.notifyMatchFailure(
          add, "ids or padding index do not match the result");
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

} // namespace

void bnbert::raise::populateRaiseMaskPatterns(RewritePatternSet &compound) {
  compound.add<RaiseLengthMask, RaiseExpandedMask, RaiseMaskedFill,
               RaiseBoolNot, RaisePositionIds>(compound.getContext());
}
