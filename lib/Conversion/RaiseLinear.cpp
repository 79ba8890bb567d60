//===- RaiseLinear.cpp - weights: embeddings, linears
//-----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Raising, ops with float weights: Gather on a constant table, MatMul and
// Gemm on a constant weight (bnq.embedding, bnq.linear), the bias folded
// into the linear; MatMul of two activations to bnq.batch_matmul.
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

/// Gather(table, ids) with a constant f32 [V, H] table -> bnq.embedding.
struct RaiseEmbedding : OpRewritePattern<ox::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::GatherOp gather,
                                PatternRewriter &rewriter) const override {
    auto table = staticType(gather.getData());
    if (gather.getAxis() != 0 || !constantOf(gather.getData()) || !table ||
        table.getRank() != 2 || !isF32(gather.getData()) ||
        !llvm::isa<IntegerType>(getElementTypeOrSelf(gather.getIndices())))
      return rewriter.notifyMatchFailure(gather,
                                         "not a Gather of rows from a constant "
                                         "f32 [V, H] table by integer ids");
    rewriter.replaceOpWithNewOp<bnq::EmbeddingOp>(
        gather, gather.getType(), gather.getData(), gather.getIndices());
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
      return rewriter.notifyMatchFailure(op,
                                         "operands are not static f32 tensors");
    if (ElementsAttr w = matmulWeight(op)) {
      Value weight = transposedWeight(rewriter, op.getB().getLoc(), w);
      if (!weight)
        return rewriter.notifyMatchFailure(
            op, "the constant weight cannot be read");
      rewriter.replaceOpWithNewOp<bnq::LinearOp>(op, op.getType(), op.getA(),
                                                 weight, Value());
      return success();
    }
    if (a.getRank() < 3 || a.getRank() != b.getRank() ||
        a.getShape().drop_back(2) != b.getShape().drop_back(2))
      return rewriter.notifyMatchFailure(
          op, "not a linear (constant weight) nor a batch matmul (equal batch "
              "dims, rank >= 3)");
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
      return rewriter.notifyMatchFailure(
          op, "not alpha = beta = 1, no transA, constant f32 B");
    Value bias = op.getC();
    auto biasType = bias ? staticType(bias) : RankedTensorType();
    if (bias && (!biasType || biasType.getRank() != 1))
      return rewriter.notifyMatchFailure(op, "bias is not a static [N] tensor");
    Value weight = op.getTransB()
                       ? op.getB()
                       : transposedWeight(rewriter, op.getB().getLoc(), w);
    if (!weight)
      return rewriter.notifyMatchFailure(op,
                                         "the constant weight cannot be read");
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
      return rewriter.notifyMatchFailure(add, "no bnq.linear operand");
    auto [linear, bias] = *linearAndBias;
    auto biasType = staticType(bias);
    auto weightType = staticType(linear.getWeight());
    if (linear.getBias() || !linear->hasOneUse() || !constantOf(bias) ||
        !biasType || !weightType || biasType.getRank() != 1 ||
        biasType.getDimSize(0) != weightType.getDimSize(0) ||
        add.getType() != linear.getType())
      return rewriter.notifyMatchFailure(
          add, "not a constant [N] bias added to the linear's only use");
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(
        add, add.getType(), linear.getInput(), linear.getWeight(), bias);
    return success();
  }
};

} // namespace

void bnbert::raise::populateRaiseLinearPatterns(RewritePatternSet &compound,
                                                RewritePatternSet &oneToOne,
                                                RewritePatternSet &cleanup) {
  compound.add<RaiseEmbedding>(compound.getContext());
  oneToOne.add<ConvertMatMul, ConvertGemm>(oneToOne.getContext());
  cleanup.add<FoldBiasIntoLinear>(cleanup.getContext());
}
