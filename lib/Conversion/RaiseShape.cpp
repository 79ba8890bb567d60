//===- RaiseShape.cpp - data movement
//---------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Raising, data movement: Transpose, Slice and the one-index Gather
// (x[:, 0]) to bnq.transpose / bnq.slice (reshape-like ops are DRR rules,
// RaiseOneToOne.td).
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
      return rewriter.notifyMatchFailure(
          gather, "not a static f32 gather of one constant index");
    int64_t rank = input.getRank();
    int64_t axis = gather.getAxis(); // the I64Attr getter is unsigned
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return rewriter.notifyMatchFailure(gather, "axis out of range");
    int64_t i = static_cast<int64_t>(*index);
    if (i < 0)
      i += input.getDimSize(axis);
    if (i < 0 || i >= input.getDimSize(axis))
      return rewriter.notifyMatchFailure(gather, "index out of range");
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

struct ConvertTranspose : OpRewritePattern<ox::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getData());
    if (!input || !isF32(op.getData()))
      return rewriter.notifyMatchFailure(op,
                                         "input is not a static f32 tensor");
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
      return rewriter.notifyMatchFailure(
          op, "not a static f32 slice with constant starts");
    auto starts = integerValues(startsAttr);
    if (failed(starts))
      return rewriter.notifyMatchFailure(op,
                                         "starts are not integer constants");
    int64_t rank = input.getRank();
    std::vector<int64_t> axes(starts->size());
    for (size_t i = 0; i < axes.size(); ++i)
      axes[i] = int64_t(i);
    if (Value a = op.getAxes()) {
      auto values = integerValues(constantOf(a));
      if (failed(values) || values->size() != starts->size())
        return rewriter.notifyMatchFailure(
            op, "ends or axes are not integer constants of the starts' length");
      axes = *values;
    }
    if (Value steps = op.getSteps()) {
      auto values = integerValues(constantOf(steps));
      if (failed(values) ||
          llvm::any_of(*values, [](int64_t s) { return s != 1; }))
        return rewriter.notifyMatchFailure(op, "steps are not all 1");
    }
    SmallVector<int64_t> offsets(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (axis < 0 || axis >= rank)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      int64_t dim = input.getDimSize(axis), start = (*starts)[i];
      if (start < 0)
        start += dim;
      offsets[axis] = std::clamp<int64_t>(start, 0, dim);
    }
    for (int64_t d = 0; d < rank; ++d)
      if (offsets[d] + result.getDimSize(d) > input.getDimSize(d))
        return rewriter.notifyMatchFailure(op, "slice exceeds its input");
    rewriter.replaceOpWithNewOp<bnq::SliceOp>(op, result, op.getData(),
                                              offsets);
    return success();
  }
};

} // namespace

void bnbert::raise::populateRaiseShapePatterns(RewritePatternSet &compound,
                                               RewritePatternSet &oneToOne) {
  compound.add<RaiseGatherOne>(compound.getContext());
  oneToOne.add<ConvertTranspose, ConvertSlice>(oneToOne.getContext());
}
