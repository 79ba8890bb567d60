//===- BnqOps.cpp - bnq verifiers, folders and canonicalizers --*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "bnrt/integer_nonlinear.h"

#include "bnrt/bitpack.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>

using namespace mlir;
using namespace bnbert::bnq;

//===----------------------------------------------------------------------===//
// Shape helpers. Verifiers check what is known and tolerate dynamic or
// unranked shapes: the importer produces those before shape specialization.
//===----------------------------------------------------------------------===//

static bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// A dimension as text: its size, or `?` when dynamic.
static std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

static RankedTensorType ranked(Value v) {
  return llvm::dyn_cast<RankedTensorType>(v.getType());
}

/// Checks that `actual` has the dimensions `expected` (where both are known).
static LogicalResult verifyShape(Operation *op, StringRef what,
                                 RankedTensorType actual,
                                 ArrayRef<int64_t> expected) {
  if (!actual)
    return success();
  if (actual.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError() << what << " must have rank " << expected.size()
                             << ", got rank " << actual.getRank();
  for (auto [i, dims] : llvm::enumerate(llvm::zip(actual.getShape(), expected)))
    if (!dimsCompatible(std::get<0>(dims), std::get<1>(dims)))
      return op->emitOpError() << what << " dimension " << i << " is "
                               << dimStr(std::get<0>(dims)) << ", expected "
                               << dimStr(std::get<1>(dims));
  return success();
}

//===----------------------------------------------------------------------===//
// Float building blocks
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  RankedTensorType table = ranked(getTable()), ids = ranked(getIds());
  if (table && table.getRank() != 2)
    return emitOpError("table must have rank 2 ([V, H]), got rank ")
           << table.getRank();
  if (!table || !ids)
    return success();
  SmallVector<int64_t> expected(ids.getShape());
  expected.push_back(table.getDimSize(1));
  return verifyShape(*this, "result", ranked(getResult()), expected);
}

LogicalResult LayerNormOp::verify() {
  if (!std::isfinite(getEpsilon().convertToFloat()) ||
      getEpsilon().convertToFloat() <= 0)
    return emitOpError("epsilon must be positive and finite");
  RankedTensorType input = ranked(getInput());
  if (input && input.getRank() == 0)
    return emitOpError("input must have rank >= 1");
  int64_t width = input ? input.getShape().back() : ShapedType::kDynamic;
  if (getInteger() && width != ShapedType::kDynamic &&
      width > bnrt::integer::kMaxLayerNormWidth)
    return emitOpError("integer layer norm takes rows of at most ")
           << bnrt::integer::kMaxLayerNormWidth << " values, got " << width;
  if (failed(verifyShape(*this, "gamma", ranked(getGamma()), {width})))
    return failure();
  if (getResidual() && input &&
      failed(verifyShape(*this, "residual", ranked(getResidual()),
                         input.getShape())))
    return failure();
  return verifyShape(*this, "beta", ranked(getBeta()), {width});
}

LogicalResult LinearOp::verify() {
  RankedTensorType input = ranked(getInput()), weight = ranked(getWeight());
  if (input && input.getRank() == 0)
    return emitOpError("input must have rank >= 1");
  if (weight && weight.getRank() != 2)
    return emitOpError("weight must have rank 2 ([N, K]), got rank ")
           << weight.getRank();
  if (!input || !weight)
    return success();
  int64_t n = weight.getDimSize(0), k = weight.getDimSize(1);
  if (!dimsCompatible(input.getShape().back(), k))
    return emitOpError("input features (")
           << dimStr(input.getShape().back()) << ") do not match weight K ("
           << dimStr(k) << ")";
  if (getBias() && failed(verifyShape(*this, "bias", ranked(getBias()), {n})))
    return failure();
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = n;
  return verifyShape(*this, "result", ranked(getResult()), expected);
}

LogicalResult BatchMatmulOp::verify() {
  RankedTensorType lhs = ranked(getLhs()), rhs = ranked(getRhs());
  if (!lhs || !rhs)
    return success();
  if (lhs.getRank() < 2 || lhs.getRank() != rhs.getRank())
    return emitOpError("operands must have equal rank >= 2, got ")
           << lhs.getRank() << " and " << rhs.getRank();
  int64_t rank = lhs.getRank();
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < rank - 2; ++i) {
    if (!dimsCompatible(lhs.getDimSize(i), rhs.getDimSize(i)))
      return emitOpError("batch dimension ")
             << i << " differs: " << dimStr(lhs.getDimSize(i)) << " vs "
             << dimStr(rhs.getDimSize(i));
    expected.push_back(ShapedType::isDynamic(lhs.getDimSize(i))
                           ? rhs.getDimSize(i)
                           : lhs.getDimSize(i));
  }
  int64_t rhsK = rhs.getDimSize(getTransposeRhs() ? rank - 1 : rank - 2);
  int64_t rhsN = rhs.getDimSize(getTransposeRhs() ? rank - 2 : rank - 1);
  if (!dimsCompatible(lhs.getDimSize(rank - 1), rhsK))
    return emitOpError("contraction dimensions differ: ")
           << dimStr(lhs.getDimSize(rank - 1)) << " vs " << dimStr(rhsK);
  expected.push_back(lhs.getDimSize(rank - 2));
  expected.push_back(rhsN);
  return verifyShape(*this, "result", ranked(getResult()), expected);
}

LogicalResult SoftmaxOp::verify() {
  RankedTensorType input = ranked(getInput());
  if (!input)
    return success();
  int64_t axis = getAxis(), rank = input.getRank();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  return success();
}

/// Shared by add/sub/mul/div.
static LogicalResult verifyBroadcastBinary(Operation *op) {
  RankedTensorType lhs = ranked(op->getOperand(0)),
                   rhs = ranked(op->getOperand(1));
  if (!lhs || !rhs)
    return success();
  SmallVector<int64_t> broadcast;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape(), rhs.getShape(),
                                          broadcast))
    return op->emitOpError("operands are not broadcast-compatible: ")
           << lhs << " and " << rhs;
  return verifyShape(op, "result", ranked(op->getResult(0)), broadcast);
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }

LogicalResult ReshapeOp::verify() {
  if (getElementTypeOrSelf(getInput()) != getElementTypeOrSelf(getResult()))
    return emitOpError("result element type must match the input's");
  auto input = ranked(getInput()), result = ranked(getResult());
  if (input && result && input.hasStaticShape() && result.hasStaticShape() &&
      input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << input.getNumElements() << " elements into "
           << result.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) only depends on x's elements in row-major order.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> perm = getPermutation();
  RankedTensorType input = ranked(getInput());
  if (!input)
    return success();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitOpError("permutation has ")
           << perm.size() << " entries for rank " << input.getRank();
  SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOpError("permutation is not a permutation of 0..")
             << input.getRank() - 1;
    seen[p] = true;
  }
  SmallVector<int64_t> expected;
  for (int64_t p : perm)
    expected.push_back(input.getDimSize(p));
  return verifyShape(*this, "result", ranked(getResult()), expected);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPermutation()))
    if (static_cast<int64_t>(i) != p)
      return {};
  return getInput();
}

namespace {
/// transpose(transpose(x, inner), outer) -> transpose(x, inner o outer).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> composed;
    for (int64_t p : op.getPermutation())
      composed.push_back(inner.getPermutation()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), inner.getInput(),
                                             composed);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<ComposeTransposes>(context);
}

LogicalResult SliceOp::verify() {
  RankedTensorType input = ranked(getInput()), result = ranked(getResult());
  if (!input || !result)
    return success();
  ArrayRef<int64_t> offsets = getOffsets();
  if (input.getRank() != result.getRank() ||
      static_cast<int64_t>(offsets.size()) != input.getRank())
    return emitOpError("input, result and offsets must have the same rank");
  for (int64_t d = 0; d < input.getRank(); ++d) {
    int64_t dim = input.getDimSize(d), size = result.getDimSize(d);
    if (offsets[d] < 0 ||
        (!ShapedType::isDynamic(dim) && !ShapedType::isDynamic(size) &&
         offsets[d] + size > dim))
      return emitOpError("slice of dimension ")
             << d << " (offset " << offsets[d] << ", size " << dimStr(size)
             << ") exceeds its extent " << dimStr(dim);
  }
  return success();
}

LogicalResult CastOp::verify() {
  if (auto input = ranked(getInput()))
    return verifyShape(*this, "result", ranked(getResult()), input.getShape());
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

LogicalResult ClampOp::verify() {
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    return emitOpError("needs min <= max, got [") << lo << ", " << hi << "]";
  return success();
}

LogicalResult PowOp::verify() { return verifyBroadcastBinary(*this); }

LogicalResult ReduceMeanOp::verify() {
  RankedTensorType input = ranked(getInput());
  if (!input)
    return success();
  SmallVector<int64_t> expected(input.getShape());
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t axis : getAxes()) {
    if (axis < 0 || axis >= input.getRank())
      return emitOpError("axis ")
             << axis << " is out of range for rank " << input.getRank();
    if (!seen.insert(axis).second)
      return emitOpError("axis ") << axis << " is repeated";
    expected[axis] = 1;
  }
  return verifyShape(*this, "result", ranked(getResult()), expected);
}

LogicalResult ReduceSumOp::verify() {
  RankedTensorType input = ranked(getInput());
  if (!input)
    return success();
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  return verifyShape(*this, "result", ranked(getResult()),
                     input.getShape().drop_back());
}

LogicalResult LengthMaskOp::verify() {
  RankedTensorType lengths = ranked(getLengths()), result = ranked(getResult());
  if (lengths && lengths.getRank() != 1)
    return emitOpError("lengths must be 1-D [B]");
  if (result && result.getRank() != 2)
    return emitOpError("result must be 2-D [B, S]");
  if (!std::isfinite(getFilterValue().convertToFloat()))
    return emitOpError("filter_value must be finite");
  if (lengths && result)
    return verifyShape(*this, "result", result,
                       {lengths.getDimSize(0), result.getDimSize(1)});
  return success();
}

LogicalResult PositionIdsOp::verify() {
  if (RankedTensorType ids = ranked(getIds()); ids && ids.getRank() != 2)
    return emitOpError("ids must be 2-D [B, S]");
  int64_t padding = getPaddingIdxAttr().getInt();
  if (padding < 0)
    return emitOpError("padding_idx must be >= 0, got ") << padding;
  return success();
}

/// q [B, Sq, E], k and v [B, Sk, E], mask [B, Sk], result like q, E a
/// multiple of the head count (attention and attention_i8).
static LogicalResult verifyAttentionShapes(Operation *op, Value query,
                                           Value key, Value value, Value mask,
                                           Value result, int64_t heads) {
  RankedTensorType q = ranked(query), k = ranked(key), v = ranked(value);
  for (auto [name, t] : {std::pair{"query", q}, {"key", k}, {"value", v}})
    if (t && t.getRank() != 3)
      return op->emitOpError()
             << name << " must have rank 3 ([B, S, E]), got rank "
             << t.getRank();
  if (!q || !k || !v)
    return success();
  int64_t batch = q.getDimSize(0), embed = q.getDimSize(2);
  int64_t keys = k.getDimSize(1);
  if (failed(verifyShape(op, "key", k, {batch, keys, embed})) ||
      failed(verifyShape(op, "value", v, {batch, keys, embed})))
    return failure();
  if (!ShapedType::isDynamic(embed) && embed % heads != 0)
    return op->emitOpError("embedding width ")
           << embed << " is not divisible by num_heads " << heads;
  if (mask && failed(verifyShape(op, "mask_bias", ranked(mask), {batch, keys})))
    return failure();
  return verifyShape(op, "result", ranked(result), q.getShape());
}

static LogicalResult verifyBinarizer(Operation *op, APFloat alpha,
                                     APFloat beta) {
  float a = alpha.convertToFloat(), b = beta.convertToFloat();
  if (!std::isfinite(a) || a <= 0)
    return op->emitOpError("alpha must be positive and finite, got ") << a;
  if (!std::isfinite(b))
    return op->emitOpError("beta must be finite, got ") << b;
  return success();
}

LogicalResult AttentionOp::verify() {
  float scale = getScale().convertToFloat();
  if (!std::isfinite(scale) || scale <= 0)
    return emitOpError("scale must be positive and finite");
  if (auto bits = getProbBits(); bits && (*bits < 2 || *bits > 8))
    return emitOpError("prob_bits must be in [2, 8], got ") << *bits;
  if (auto clip = getProbClip()) {
    if (!std::isfinite(clip->convertToFloat()) || clip->convertToFloat() <= 0)
      return emitOpError("prob_clip must be positive and finite");
    // Without prob_bits it is the model's clip on P, kept for a later
    // quantizer: P <= 1, so only a clip >= 1 leaves the result unchanged.
    if (!getProbBits() && clip->convertToFloat() < 1.0f)
      return emitOpError("prob_clip without prob_bits must be >= 1 (it "
                         "would change P), got ")
             << clip->convertToFloat();
  }
  if (getProbAlpha().has_value() != getProbBeta().has_value())
    return emitOpError("prob_alpha and prob_beta come together (binarized "
                       "probabilities)");
  if (auto alpha = getProbAlpha()) {
    if (getProbBits())
      return emitOpError("probabilities are binarized (prob_alpha) or "
                         "quantized (prob_bits), not both");
    if (getInteger())
      return emitOpError("binarized probabilities have no integer softmax");
    if (failed(verifyBinarizer(*this, *alpha, *getProbBeta())))
      return failure();
  }
  return verifyAttentionShapes(*this, getQuery(), getKey(), getValue(),
                               getMaskBias(), getResult(), getNumHeads());
}

//===----------------------------------------------------------------------===//
// Quantized weights
//===----------------------------------------------------------------------===//

/// The static [N, K] shape every weight producer's result must have.
static FailureOr<std::pair<int64_t, int64_t>> weightShape(Operation *op) {
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape()) {
    op->emitOpError("result must be a static rank-2 [N, K] tensor");
    return failure();
  }
  return std::pair{type.getDimSize(0), type.getDimSize(1)};
}

/// Checks an attribute's element type and exact shape.
static LogicalResult verifyAttr(Operation *op, StringRef name,
                                ElementsAttr attr, Type elementType,
                                ArrayRef<int64_t> shape) {
  if (attr.getElementType() != elementType)
    return op->emitOpError()
           << name << " must have element type " << elementType << ", got "
           << attr.getElementType();
  if (attr.getShapedType().getShape() != shape) {
    InFlightDiagnostic diag = op->emitOpError() << name << " must have shape [";
    llvm::interleaveComma(shape, diag);
    return diag << "], got " << attr.getShapedType();
  }
  return success();
}

/// Scales: f32 of shape `leading` + [1] (per tensor) or `leading` + [N]
/// (per row); finite and >= 0.
static LogicalResult verifyScales(Operation *op, StringRef name,
                                  ElementsAttr scales,
                                  ArrayRef<int64_t> leading, int64_t rows) {
  Builder b(op->getContext());
  SmallVector<int64_t> perTensor(leading), perRow(leading);
  perTensor.push_back(1);
  perRow.push_back(rows);
  ArrayRef<int64_t> shape = scales.getShapedType().getShape();
  if (shape != ArrayRef<int64_t>(perTensor) &&
      shape != ArrayRef<int64_t>(perRow)) {
    InFlightDiagnostic diag = op->emitOpError() << name << " must have shape [";
    llvm::interleaveComma(perTensor, diag);
    diag << "] (per tensor) or [";
    llvm::interleaveComma(perRow, diag);
    return diag << "] (per row), got " << scales.getShapedType();
  }
  if (scales.getElementType() != b.getF32Type())
    return op->emitOpError() << name << " must have element type f32";
  if (auto values = getElementValues<float>(scales); succeeded(values))
    for (int64_t i = 0; i < values->size(); ++i)
      if (!std::isfinite((*values)[i]) || (*values)[i] < 0)
        return op->emitOpError() << name << " must be finite and >= 0, element "
                                 << i << " is " << (*values)[i];
  return success();
}

/// Checks that every i8 value is in [lo, hi] and, if `noZero`, not 0.
/// Storage that cannot be read (an elided resource) is not checked.
static LogicalResult verifyInt8Values(Operation *op, StringRef name,
                                      ElementsAttr attr, int lo, int hi,
                                      bool noZero, StringRef setName) {
  auto values = getElementValues<int8_t>(attr);
  if (failed(values))
    return success();
  for (int64_t i = 0; i < values->size(); ++i) {
    int v = (*values)[i];
    if (v < lo || v > hi || (noZero && v == 0))
      return op->emitOpError() << name << " element " << i << " is " << v
                               << ", outside " << setName;
  }
  return success();
}

LogicalResult QuantWeightOp::verify() {
  auto shape = weightShape(*this);
  if (failed(shape))
    return failure();
  auto [n, k] = *shape;
  Builder b(getContext());
  if (failed(verifyAttr(*this, "values", getValues(), b.getI8Type(), {n, k})))
    return failure();
  if (failed(verifyScales(*this, "scale", getScale(), {}, n)))
    return failure();
  if (auto latent = getLatent();
      latent &&
      failed(verifyAttr(*this, "latent", *latent, b.getF32Type(), {n, k})))
    return failure();
  switch (getFormat()) {
  case WeightFormat::binary:
    return verifyInt8Values(*this, "values", getValues(), -1, 1, true,
                            "the binary set {-1, +1}");
  case WeightFormat::ternary:
    return verifyInt8Values(*this, "values", getValues(), -1, 1, false,
                            "the ternary set {-1, 0, +1}");
  case WeightFormat::int8:
    return verifyInt8Values(*this, "values", getValues(), -127, 127, false,
                            "the symmetric int8 range [-127, 127]");
  }
  llvm_unreachable("unknown weight format");
}

/// The plane count P of a [P, ...] planes attribute, checked to be 1..8.
static FailureOr<int64_t> planeCount(Operation *op, StringRef name,
                                     ElementsAttr attr) {
  ArrayRef<int64_t> shape = attr.getShapedType().getShape();
  if (shape.size() != 3 || shape[0] < 1 || shape[0] > 8) {
    op->emitOpError() << name
                      << " must have shape [P, N, ...] with 1 <= P <= 8, got "
                      << attr.getShapedType();
    return failure();
  }
  return shape[0];
}

LogicalResult BitplaneWeightOp::verify() {
  auto shape = weightShape(*this);
  if (failed(shape))
    return failure();
  auto [n, k] = *shape;
  auto planes = planeCount(*this, "planes", getPlanes());
  if (failed(planes))
    return failure();
  Builder b(getContext());
  if (failed(verifyAttr(*this, "planes", getPlanes(), b.getI8Type(),
                        {*planes, n, k})) ||
      failed(verifyScales(*this, "scales", getScales(), {*planes}, n)))
    return failure();
  if (auto latent = getLatent();
      latent && failed(verifyAttr(*this, "latent", *latent, b.getF32Type(),
                                  {*planes, n, k})))
    return failure();
  return verifyInt8Values(*this, "planes", getPlanes(), -1, 1, true,
                          "the binary set {-1, +1}");
}

LogicalResult PackedWeightOp::verify() {
  auto shape = weightShape(*this);
  if (failed(shape))
    return failure();
  auto [n, k] = *shape;
  auto planes = planeCount(*this, "bits", getBits());
  if (failed(planes))
    return failure();
  int64_t words = bnrt_bitpack_row_words(k);
  Builder b(getContext());
  if (failed(verifyAttr(*this, "bits", getBits(), b.getI64Type(),
                        {*planes, n, words})) ||
      failed(verifyScales(*this, "scales", getScales(), {*planes}, n)))
    return failure();
  // Kernels read whole words, so padding past K must be zero.
  uint64_t padding = ~bnrt_bitpack_last_word_mask(k);
  if (auto values = getElementValues<int64_t>(getBits()); succeeded(values))
    for (int64_t row = 0; row < *planes * n; ++row)
      if (static_cast<uint64_t>((*values)[row * words + words - 1]) & padding)
        return emitOpError("bits has nonzero padding past K = ")
               << k << " in packed row " << row;
  return success();
}

//===----------------------------------------------------------------------===//
// Activation quantization
//===----------------------------------------------------------------------===//

/// A scale's type: tensor<f32>, or tensor<Bxf32> for per-sequence scales of
/// a [B, S, ...] tensor of type `x`.
static LogicalResult verifyScale(Operation *op, Type scaleType, Type x) {
  auto scale = llvm::dyn_cast<RankedTensorType>(scaleType);
  if (!scale || scale.getRank() == 0)
    return success();
  auto input = llvm::dyn_cast<RankedTensorType>(x);
  if (scale.getRank() != 1 || (input && input.getRank() < 2))
    return op->emitError("scale must be tensor<f32> or, per sequence, "
                         "tensor<Bxf32> of a [B, S, ...] input");
  if (input && !input.isDynamicDim(0) && !scale.isDynamicDim(0) &&
      scale.getDimSize(0) != input.getDimSize(0))
    return op->emitError("per-sequence scale has ")
           << scale.getDimSize(0) << " elements for " << input.getDimSize(0)
           << " sequences";
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (auto clip = getClip(); clip && (!std::isfinite(clip->convertToFloat()) ||
                                      clip->convertToFloat() <= 0))
    return emitOpError("clip must be positive and finite");
  if (failed(verifyScale(*this, getScale().getType(), getInput().getType())))
    return failure();
  bool perSequence = ranked(getScale()) && ranked(getScale()).getRank() == 1;
  if (getClip() && (perSequence || getMaskBias()))
    return emitOpError("a static clip has one scale: no per-sequence scale "
                       "or mask");
  if (getMaskBias() && !perSequence)
    return emitOpError("mask needs per-sequence scales");
  if (getInputGeluInteger() && !getInputGelu())
    return emitOpError("input_gelu_integer needs input_gelu");
  RankedTensorType input = ranked(getInput());
  RankedTensorType mask = getMaskBias() ? ranked(getMaskBias()) : nullptr;
  if (mask && input) {
    if (input.getRank() < 2)
      return emitOpError("mask needs a [B, S, ...] input");
    if (failed(verifyShape(*this, "mask", mask,
                           {input.getDimSize(0), input.getDimSize(1)})))
      return failure();
  }
  if (input)
    return verifyShape(*this, "result", ranked(getResult()), input.getShape());
  return success();
}

/// An elastic binarizer's scale and threshold: alpha > 0, both finite.
LogicalResult BinarizeOp::verify() {
  if (failed(verifyBinarizer(*this, getAlpha(), getBeta())))
    return failure();
  if (auto input = ranked(getInput()))
    return verifyShape(*this, "result", ranked(getResult()), input.getShape());
  return success();
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifyScale(*this, getScale().getType(), getInput().getType())))
    return failure();
  if (auto input = ranked(getInput()))
    return verifyShape(*this, "result", ranked(getResult()), input.getShape());
  return success();
}

/// Quantization scales print their type only when it is not tensor<f32>.
static ParseResult parseScaleType(OpAsmParser &parser, Type &type) {
  if (succeeded(parser.parseOptionalComma()))
    return parser.parseType(type);
  type = RankedTensorType::get({}, parser.getBuilder().getF32Type());
  return success();
}

static void printScaleType(OpAsmPrinter &printer, Operation *, Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() != 0)
    printer << ", " << type;
}

//===----------------------------------------------------------------------===//
// Runtime-level ops
//===----------------------------------------------------------------------===//

/// The [P, N, W] shape of packed planes and the scales [P, 1 | N] they
/// need, W = ceil(k / 64).
static LogicalResult verifyPackedPlanes(Operation *op, Value bits, Value scales,
                                        int64_t rows, int64_t k) {
  RankedTensorType b = ranked(bits), s = ranked(scales);
  if (!b || !s)
    return success();
  if (b.getRank() != 3 || b.isDynamicDim(0) || b.getDimSize(0) < 1 ||
      b.getDimSize(0) > 8)
    return op->emitOpError("bits must be [P, N, W] with 1 <= P <= 8, got ")
           << b;
  int64_t planes = b.getDimSize(0);
  int64_t words = ShapedType::isDynamic(k) ? ShapedType::kDynamic
                                           : bnrt_bitpack_row_words(k);
  if (failed(verifyShape(op, "bits", b, {planes, rows, words})))
    return failure();
  if (s.getRank() != 2 || !dimsCompatible(s.getDimSize(0), planes) ||
      !(s.getDimSize(1) == 1 || dimsCompatible(s.getDimSize(1), rows)))
    return op->emitOpError("plane_scales must be [P, 1] or [P, N] for ")
           << planes << " planes of " << dimStr(rows) << " rows, got " << s;
  return success();
}

/// x [..., K] -> result [..., N], with a bias [N] if present.
static LogicalResult verifyGemmShapes(Operation *op, Value x, Value scale,
                                      int64_t n, Value bias, Value result) {
  RankedTensorType codes = ranked(x);
  if (!codes)
    return success();
  if (codes.getRank() < 1)
    return op->emitOpError("codes must have rank >= 1");
  if (failed(verifyScale(op, scale.getType(), x.getType())))
    return failure();
  if (bias && failed(verifyShape(op, "bias", ranked(bias), {n})))
    return failure();
  SmallVector<int64_t> expected(codes.getShape());
  expected.back() = n;
  return verifyShape(op, "result", ranked(result), expected);
}

LogicalResult LinearBitsOp::verify() {
  RankedTensorType codes = ranked(getCodes()), bits = ranked(getBits());
  if (!codes || !bits || codes.getRank() < 1 || bits.getRank() != 3)
    return emitOpError("needs ranked codes [..., K] and bits [P, N, W]");
  int64_t n = bits.getDimSize(1), k = codes.getShape().back();
  if (failed(verifyPackedPlanes(*this, getBits(), getPlaneScales(), n, k)))
    return failure();
  return verifyGemmShapes(*this, getCodes(), getCodesScale(), n, getBias(),
                          getResult());
}

/// A float x [..., K] times packed planes [P, N, W] -> [..., N].
static LogicalResult verifyFloatPlaneGemm(Operation *op, Value x, Value bits,
                                          Value planeScales, Value bias,
                                          Value result) {
  RankedTensorType input = ranked(x), b = ranked(bits);
  if (!input || !b || input.getRank() < 1 || b.getRank() != 3)
    return op->emitOpError("needs a ranked input [..., K] and bits [P, N, W]");
  int64_t n = b.getDimSize(1), k = input.getShape().back();
  if (failed(verifyPackedPlanes(op, bits, planeScales, n, k)))
    return failure();
  if (bias && failed(verifyShape(op, "bias", ranked(bias), {n})))
    return failure();
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = n;
  return verifyShape(op, "result", ranked(result), expected);
}

LogicalResult LinearBitsF32Op::verify() {
  return verifyFloatPlaneGemm(*this, getInput(), getBits(), getPlaneScales(),
                              getBias(), getResult());
}

LogicalResult LinearBinarizedOp::verify() {
  if (failed(verifyBinarizer(*this, getAlpha(), getBeta())))
    return failure();
  if (getInputGeluInteger() && !getInputGelu())
    return emitOpError("input_gelu_integer needs input_gelu");
  return verifyFloatPlaneGemm(*this, getInput(), getBits(), getPlaneScales(),
                              getBias(), getResult());
}

LogicalResult LinearI8Op::verify() {
  RankedTensorType codes = ranked(getCodes()), w = ranked(getWeight());
  if (!codes || !w || codes.getRank() < 1 || w.getRank() != 2)
    return emitOpError("needs ranked codes [..., K] and a weight [N, K]");
  int64_t n = w.getDimSize(0);
  if (!dimsCompatible(w.getDimSize(1), codes.getShape().back()))
    return emitOpError("weight has K = ")
           << dimStr(w.getDimSize(1)) << ", the codes have "
           << dimStr(codes.getShape().back());
  RankedTensorType ws = ranked(getWeightScale());
  if (ws && (ws.getRank() != 1 ||
             !(ws.getDimSize(0) == 1 || dimsCompatible(ws.getDimSize(0), n))))
    return emitOpError("weight_scale must be [1] or [N], got ") << ws;
  return verifyGemmShapes(*this, getCodes(), getCodesScale(), n, getBias(),
                          getResult());
}

LogicalResult AttentionI8Op::verify() {
  float scale = getScale().convertToFloat(),
        clip = getProbClip().convertToFloat();
  if (!std::isfinite(scale) || scale <= 0)
    return emitOpError("scale must be positive and finite");
  if (!std::isfinite(clip) || clip <= 0)
    return emitOpError("prob_clip must be positive and finite");
  for (auto [codes, s] : {std::pair{getQuery(), getQueryScale()},
                          {getKey(), getKeyScale()},
                          {getValue(), getValueScale()}})
    if (failed(verifyScale(*this, s.getType(), codes.getType())))
      return failure();
  return verifyAttentionShapes(*this, getQuery(), getKey(), getValue(),
                               getMaskBias(), getResult(), getNumHeads());
}

LogicalResult AttentionBinaryOp::verify() {
  float scale = getScale().convertToFloat();
  if (!std::isfinite(scale) || scale <= 0)
    return emitOpError("scale must be positive and finite");
  for (auto [alpha, beta] : {std::pair{getQueryAlpha(), getQueryBeta()},
                             {getKeyAlpha(), getKeyBeta()},
                             {getValueAlpha(), getValueBeta()},
                             {getProbAlpha(), getProbBeta()}})
    if (failed(verifyBinarizer(*this, alpha, beta)))
      return failure();
  return verifyAttentionShapes(*this, getQuery(), getKey(), getValue(),
                               getMaskBias(), getResult(), getNumHeads());
}

LogicalResult EmbeddingBitsOp::verify() {
  RankedTensorType bits = ranked(getBits()), ids = ranked(getIds()),
                   result = ranked(getResult());
  if (!bits || !ids || !result || bits.getRank() != 3 || result.getRank() < 1)
    return emitOpError("needs ranked bits [P, V, W], ids and result");
  int64_t width = result.getShape().back();
  if (failed(verifyPackedPlanes(*this, getBits(), getPlaneScales(),
                                bits.getDimSize(1), width)))
    return failure();
  SmallVector<int64_t> expected(ids.getShape());
  expected.push_back(width);
  return verifyShape(*this, "result", result, expected);
}

#define GET_OP_CLASSES
#include "bnq/BnqOps.cpp.inc"
