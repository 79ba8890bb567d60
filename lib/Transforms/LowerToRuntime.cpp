//===- LowerToRuntime.cpp - bnq-lower-to-runtime --------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The one place that decides which quantized patterns run as the runtime's
// integer kernels. Each rule matches a float op whose operands are
// dequantized codes (and packed or int8 weights) and replaces it by the
// runtime-level op reading the codes directly; the weights become
// constants in the form the kernel reads. What no rule matches stays a
// float op.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace bnbert {
#define GEN_PASS_DEF_BNQLOWERTORUNTIME
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert::bnq;

namespace {

/// The dequantize that makes `v` from quantized codes, when v =
/// dequantize(quantize(x)); null otherwise.
DequantizeOp dequantizedCodes(Value v) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  return dq && dq.getInput().getDefiningOp<QuantizeOp>() ? dq : DequantizeOp();
}

/// The binarize behind `v` when v = dequantize(binarize(x)); null
/// otherwise.
BinarizeOp binarizedInput(Value v) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  return dq ? dq.getInput().getDefiningOp<BinarizeOp>() : BinarizeOp();
}

/// A weight attribute as a constant named after its weight op (`suffix`
/// tells the parts apart in bundle value names).
Value weightConstant(PatternRewriter &rewriter, Operation *weight,
                     ElementsAttr attr, StringRef suffix) {
  std::string name = "weight";
  if (auto named = llvm::dyn_cast<NameLoc>(weight->getLoc()))
    name = named.getName().str();
  Location loc =
      NameLoc::get(rewriter.getStringAttr(name + suffix), weight->getLoc());
  return rewriter.create<arith::ConstantOp>(loc, llvm::cast<TypedAttr>(attr));
}

/// A packed weight's signs [P, N, W] and plane scales as constants.
std::pair<Value, Value> packedConstants(PatternRewriter &rewriter,
                                        PackedWeightOp packed) {
  return {weightConstant(rewriter, packed, packed.getBits(), ""),
          weightConstant(rewriter, packed, packed.getScales(), ".scales")};
}

/// A linear of packed planes keeps the signs packed: linear_binarized on
/// the float x of dequantize(binarize(x)) (fully binary), linear_bits on
/// the codes of dequantize(quantize(x)), linear_bits_f32 on a float x (a
/// weight-only model).
struct LinearToLinearBits : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    auto packed = op.getWeight().getDefiningOp<PackedWeightOp>();
    if (!packed)
      return rewriter.notifyMatchFailure(op, "weight is not packed planes");
    auto [bits, scales] = packedConstants(rewriter, packed);
    if (BinarizeOp binarize = binarizedInput(op.getInput())) {
      // A GELU only this binarization reads is folded in: the runtime
      // binarizes GELU(x) by comparing x with two bounds.
      Value input = binarize.getInput();
      GeluApproximationAttr gelu;
      UnitAttr integer;
      if (auto g = input.getDefiningOp<GeluOp>(); g && g->hasOneUse()) {
        input = g.getInput();
        gelu = g.getApproximationAttr();
        integer = g.getIntegerAttr();
      }
      rewriter.replaceOpWithNewOp<LinearBinarizedOp>(
          op, op.getType(), input, bits, scales, op.getBias(),
          binarize.getAlphaAttr(), binarize.getBetaAttr(),
          binarize.getSignedCodesAttr(), gelu, integer);
    } else if (DequantizeOp dq = dequantizedCodes(op.getInput())) {
      auto q = dq.getInput().getDefiningOp<QuantizeOp>();
      rewriter.replaceOpWithNewOp<LinearBitsOp>(op, op.getType(), dq.getInput(),
                                                dq.getScale(), bits, scales,
                                                op.getBias(), q.getBitsAttr());
    } else {
      rewriter.replaceOpWithNewOp<LinearBitsF32Op>(
          op, op.getType(), op.getInput(), bits, scales, op.getBias());
    }
    return success();
  }
};

struct LinearToLinearI8 : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    auto weight = op.getWeight().getDefiningOp<QuantWeightOp>();
    if (!weight)
      return rewriter.notifyMatchFailure(op, "weight is not a quant_weight");
    DequantizeOp dq = dequantizedCodes(op.getInput());
    if (!dq)
      return rewriter.notifyMatchFailure(
          op, "input is not dequantize(quantize(x))");
    Value values =
        weightConstant(rewriter, weight, weight.getValues(), "/values");
    Value scale = weightConstant(rewriter, weight, weight.getScale(), "/scale");
    rewriter.replaceOpWithNewOp<LinearI8Op>(op, op.getType(), dq.getInput(),
                                            dq.getScale(), values, scale,
                                            op.getBias());
    return success();
  }
};

struct AttentionToAttentionI8 : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getProbBits())
      return rewriter.notifyMatchFailure(op, "probabilities stay float");
    SmallVector<Value, 6> codes;
    for (Value v : {op.getQuery(), op.getKey(), op.getValue()}) {
      DequantizeOp dq = dequantizedCodes(v);
      if (!dq)
        return rewriter.notifyMatchFailure(
            op, "q, k or v is not dequantize(quantize(x))");
      codes.append({dq.getInput(), dq.getScale()});
    }
    float clip = op.getProbClip() ? op.getProbClip()->convertToFloat() : 1.0f;
    rewriter.replaceOpWithNewOp<AttentionI8Op>(
        op, op.getType(), codes[0], codes[1], codes[2], codes[3], codes[4],
        codes[5], op.getMaskBias(), op.getNumHeadsAttr(), op.getScaleAttr(),
        op.getProbBitsAttr(), rewriter.getF32FloatAttr(clip),
        op.getIntegerAttr());
    return success();
  }
};

/// Binarized probabilities with signed binarized q, k and v: both
/// products run on bits (attention_binary).
struct AttentionToAttentionBinary : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getProbAlpha())
      return rewriter.notifyMatchFailure(op, "probabilities not binarized");
    SmallVector<BinarizeOp, 3> inputs;
    for (Value v : {op.getQuery(), op.getKey(), op.getValue()}) {
      BinarizeOp binarize = binarizedInput(v);
      if (!binarize || !binarize.getSignedCodes())
        return rewriter.notifyMatchFailure(
            op, "q, k or v is not dequantize(binarize(x)) with signed codes");
      inputs.push_back(binarize);
    }
    rewriter.replaceOpWithNewOp<AttentionBinaryOp>(
        op, op.getType(), inputs[0].getInput(), inputs[1].getInput(),
        inputs[2].getInput(), op.getMaskBias(), op.getNumHeadsAttr(),
        op.getScaleAttr(), inputs[0].getAlphaAttr(), inputs[0].getBetaAttr(),
        inputs[1].getAlphaAttr(), inputs[1].getBetaAttr(),
        inputs[2].getAlphaAttr(), inputs[2].getBetaAttr(),
        op.getProbAlphaAttr(), op.getProbBetaAttr());
    return success();
  }
};

/// quantize(gelu(x)) when the GELU has no other use: with a static clip
/// the runtime finds the codes by comparing x with bounds; with a dynamic
/// one it takes the clip from x's largest values and computes GELU once,
/// in blocks, into the codes (the GELU is never stored). Not the integer
/// GELU with a dynamic clip: its clip needs every GELU computed first.
struct GeluIntoQuantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto gelu = op.getInput().getDefiningOp<GeluOp>();
    if (!gelu || op.getInputGelu())
      return rewriter.notifyMatchFailure(op, "input is not a GELU");
    if (!gelu->hasOneUse())
      return rewriter.notifyMatchFailure(op, "the GELU has other uses");
    if (!op.getClip() && gelu.getInteger())
      return rewriter.notifyMatchFailure(op, "dynamic clip of an integer GELU");
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(gelu.getInput());
      op.setInputGeluAttr(gelu.getApproximationAttr());
      op.setInputGeluIntegerAttr(gelu.getIntegerAttr());
    });
    rewriter.eraseOp(gelu);
    return success();
  }
};

/// layer_norm(add(a, b)) when the add has no other use and does not
/// broadcast: the runtime adds each row as it normalizes it (the residual
/// connection), so the sum is never stored.
struct ResidualIntoLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getResidual())
      return rewriter.notifyMatchFailure(op, "already adds a residual");
    auto add = op.getInput().getDefiningOp<AddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(op, "input is not an add");
    if (!add->hasOneUse())
      return rewriter.notifyMatchFailure(op, "the add has other uses");
    if (add.getLhs().getType() != add.getType() ||
        add.getRhs().getType() != add.getType())
      return rewriter.notifyMatchFailure(op, "the add broadcasts");
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(add.getLhs());
      op.getResidualMutable().assign(add.getRhs());
    });
    rewriter.eraseOp(add);
    return success();
  }
};

struct EmbeddingToEmbeddingBits : OpRewritePattern<EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    auto packed = op.getTable().getDefiningOp<PackedWeightOp>();
    if (!packed)
      return rewriter.notifyMatchFailure(op, "table is not packed planes");
    auto [bits, scales] = packedConstants(rewriter, packed);
    rewriter.replaceOpWithNewOp<EmbeddingBitsOp>(op, op.getType(), bits, scales,
                                                 op.getIds());
    return success();
  }
};

struct BnqLowerToRuntime
    : bnbert::impl::BnqLowerToRuntimeBase<BnqLowerToRuntime> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LinearToLinearBits, LinearToLinearI8, AttentionToAttentionI8,
                 AttentionToAttentionBinary, GeluIntoQuantize,
                 ResidualIntoLayerNorm, EmbeddingToEmbeddingBits>(
        &getContext());
    // Dead dequantize and weight ops go; equal constants are shared.
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
