//===- FuseAttention.cpp - bnq-fuse-attention -----------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The chain torch exports for BERT self-attention, after raising:
//   Qh = transpose(reshape(Q, [B, S, H, D]), [0, 2, 1, 3])
//   Kt = transpose(reshape(K, [B, S, H, D]), [0, 2, 3, 1])
//   Vh = transpose(reshape(V, [B, S, H, D]), [0, 2, 1, 3])
//   P  = softmax(batch_matmul(Qh, Kt) / c + mask[B, 1, 1, S], axis -1)
//        (or batch_matmul(Qh / c, Kt), as DistilBERT scales the query, or
//        batch_matmul(Qh * a, Kt * a), as torch exports SDPA)
//   out = reshape(transpose(batch_matmul(P, Vh), [0, 2, 1, 3]), [B, S, E])
// becomes bnq.attention(Q, K, V, mask[B, S]) {num_heads = H, scale = 1/c}.
// P may be fake-quantized with a static clip (dequantize(quantize(P))):
// that becomes prob_bits / prob_clip; binarized (dequantize(binarize(P)),
// non-negative codes) it becomes prob_alpha / prob_beta. A clamp on P (a
// learned probability clip written as Clip(-c, c) or Clip(0, c)) is kept as
// prob_clip when it leaves P unchanged (c >= 1) or when the quantizer after it
// saturates at or below c.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace bnbert {
#define GEN_PASS_DEF_BNQFUSEATTENTION
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::bnq;

namespace {

/// If `v` = transpose(reshape(x, [B, S, H, D]), perm), returns x and H.
std::optional<std::pair<Value, int64_t>> splitHeads(Value v,
                                                    ArrayRef<int64_t> perm) {
  auto transpose = v.getDefiningOp<TransposeOp>();
  if (!transpose || transpose.getPermutation() != perm)
    return std::nullopt;
  auto reshape = transpose.getInput().getDefiningOp<ReshapeOp>();
  if (!reshape)
    return std::nullopt;
  auto in = llvm::dyn_cast<RankedTensorType>(reshape.getInput().getType());
  auto out = llvm::dyn_cast<RankedTensorType>(reshape.getType());
  if (!in || !out || in.getRank() != 3 || out.getRank() != 4 ||
      !in.hasStaticShape() || !out.hasStaticShape() ||
      in.getDimSize(0) != out.getDimSize(0) ||
      in.getDimSize(1) != out.getDimSize(1) ||
      out.getDimSize(2) * out.getDimSize(3) != in.getDimSize(2))
    return std::nullopt;
  return std::pair{reshape.getInput(), out.getDimSize(2)};
}

std::optional<float> scalarConstant(Value v) {
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APFloat>().begin()).convertToFloat();
}

/// If `v` = v' / c or v' * c with a positive scalar constant c, folds c
/// into `scale` and sets `v` to v'; fails on another constant.
LogicalResult takeScale(Value &v, float &scale) {
  if (auto div = v.getDefiningOp<DivOp>()) {
    auto c = scalarConstant(div.getRhs());
    if (!c || *c <= 0)
      return failure();
    scale /= *c;
    v = div.getLhs();
  } else if (auto mul = v.getDefiningOp<MulOp>()) {
    auto c = scalarConstant(mul.getRhs());
    if (!c || *c <= 0)
      return failure();
    scale *= *c;
    v = mul.getLhs();
  }
  return success();
}

struct FuseAttention : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp merge,
                                PatternRewriter &rewriter) const override {
    auto mergeHeads = merge.getInput().getDefiningOp<TransposeOp>();
    if (!mergeHeads ||
        mergeHeads.getPermutation() != ArrayRef<int64_t>{0, 2, 1, 3})
      return rewriter.notifyMatchFailure(
          merge, "not merge-heads Transpose(0, 2, 1, 3) of a result");
    auto context = mergeHeads.getInput().getDefiningOp<BatchMatmulOp>();
    if (!context || context.getTransposeRhs())
      return rewriter.notifyMatchFailure(
          merge, "not P V: no BatchMatmul (untransposed) under the merge");
    auto value = splitHeads(context.getRhs(), {0, 2, 1, 3});
    // Probabilities fake-quantized with a static clip (an exported
    // prob_bits) before the second product.
    Value probs = context.getLhs();
    IntegerAttr probBits;
    FloatAttr probClip, probAlpha, probBeta;
    if (auto dq = probs.getDefiningOp<DequantizeOp>();
        dq && dq.getInput().getDefiningOp<BinarizeOp>()) {
      // Binarized probabilities (BiT): non-negative codes.
      auto binarize = dq.getInput().getDefiningOp<BinarizeOp>();
      if (binarize.getSignedCodes() || dq.getScale() != binarize.getScale())
        return rewriter.notifyMatchFailure(
            merge, "binarized probabilities with signed codes or another "
                   "scale");
      probAlpha = binarize.getAlphaAttr();
      probBeta = binarize.getBetaAttr();
      probs = binarize.getInput();
    } else if (dq) {
      auto q = dq.getInput().getDefiningOp<QuantizeOp>();
      if (!q || !q.getClip() || dq.getScale() != q.getScale())
        return rewriter.notifyMatchFailure(
            merge,
            "quantized probabilities without a static clip of their own scale");
      probBits = q.getBitsAttr();
      probClip = q.getClipAttr();
      probs = q.getInput();
    }
    if (auto clamp = probs.getDefiningOp<ClampOp>()) {
      // P is in [0, 1]: the clamp is the identity below its maximum.
      float lo = clamp.getMin().convertToFloat();
      float hi = clamp.getMax().convertToFloat();
      if (lo > 0 || !std::isfinite(hi))
        return rewriter.notifyMatchFailure(
            merge, "clamp on the probabilities has a positive minimum or no "
                   "finite maximum");
      if (probClip ? probClip.getValueAsDouble() > hi : hi < 1.0f)
        return rewriter.notifyMatchFailure(
            merge, "probability clamp below 1 without a quantizer that "
                   "saturates at or below it");
      if (!probClip)
        probClip = clamp.getMaxAttr();
      probs = clamp.getInput();
    }
    auto softmax = probs.getDefiningOp<SoftmaxOp>();
    if (!value || !softmax)
      return rewriter.notifyMatchFailure(merge, "no Softmax(scores) and V");
    auto scoresType = llvm::cast<RankedTensorType>(softmax.getType());
    if (softmax.getAxis() != -1 && softmax.getAxis() != 3)
      return rewriter.notifyMatchFailure(merge,
                                         "softmax is not over the last axis");

    // Optional additive mask [B, 1, 1, Sk].
    Value scaled = softmax.getInput(), mask;
    if (auto add = scaled.getDefiningOp<AddOp>()) {
      for (int i = 0; i < 2; ++i) {
        auto maskType =
            llvm::dyn_cast<RankedTensorType>(add->getOperand(1 - i).getType());
        if (add->getOperand(i).getType() == scoresType && maskType &&
            maskType.hasStaticShape() &&
            maskType.getShape() ==
                ArrayRef<int64_t>{scoresType.getDimSize(0), 1, 1,
                                  scoresType.getDimSize(3)}) {
          scaled = add->getOperand(i);
          mask = add->getOperand(1 - i);
          break;
        }
      }
      if (!mask)
        return rewriter.notifyMatchFailure(
            merge, "the mask added to the scores is not a [B, 1, 1, S] bias");
    }
    // Scaling by a constant: divide by c (torch) or multiply by 1/c.
    float scale = 1.0f;
    Value scores = scaled;
    if (failed(takeScale(scores, scale)))
      return rewriter.notifyMatchFailure(
          merge, "scores are scaled by a non-positive constant");
    auto product = scores.getDefiningOp<BatchMatmulOp>();
    if (!product || product.getTransposeRhs())
      return rewriter.notifyMatchFailure(merge,
                                         "scores are not Q K^T (BatchMatmul)");
    // Query and key may be scaled before the product instead: the query
    // (DistilBERT), or both by sqrt(scale) (torch's SDPA export).
    Value queryHeads = product.getLhs(), keyHeads = product.getRhs();
    if (failed(takeScale(queryHeads, scale)) ||
        failed(takeScale(keyHeads, scale)))
      return rewriter.notifyMatchFailure(
          merge, "Q or K is scaled by a non-positive constant");
    auto query = splitHeads(queryHeads, {0, 2, 1, 3});
    auto key = splitHeads(keyHeads, {0, 2, 3, 1});
    if (!query || !key || query->second != key->second ||
        key->second != value->second ||
        merge.getType() != query->first.getType())
      return rewriter.notifyMatchFailure(
          merge, "Q, K and V are not split heads of one [B, S, E] shape");

    if (mask) {
      auto maskType = llvm::cast<RankedTensorType>(mask.getType());
      mask = rewriter.create<ReshapeOp>(
          merge.getLoc(),
          RankedTensorType::get(
              {maskType.getDimSize(0), maskType.getDimSize(3)},
              maskType.getElementType()),
          mask);
    }
    rewriter.replaceOpWithNewOp<AttentionOp>(
        merge, merge.getType(), query->first, key->first, value->first, mask,
        rewriter.getI64IntegerAttr(query->second),
        rewriter.getF32FloatAttr(scale), probBits, probClip, probAlpha,
        probBeta, softmax.getIntegerAttr());
    return success();
  }
};

struct BnqFuseAttentionPass
    : bnbert::impl::BnqFuseAttentionBase<BnqFuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttention>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
