//===- OnnxOps.cpp - onnx op verifiers ------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Verifiers check what the importer cannot leave to ONNX's checker: what the
// raising passes and folders rely on. Unknown (dynamic) shapes are tolerated.
//
//===----------------------------------------------------------------------===//
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace bnbert::onnxir;

static std::optional<int64_t> rankOf(Value v) {
  if (auto type = llvm::dyn_cast<RankedTensorType>(v.getType()))
    return type.getRank();
  return std::nullopt;
}

/// `axis` must be in [-rank, rank) (or [-rank-1, rank] with `extra`).
static LogicalResult verifyAxis(Operation *op, int64_t axis,
                                std::optional<int64_t> rank) {
  if (rank && (axis < -*rank || axis >= *rank))
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << *rank;
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from the result type "
           << getType();
  return success();
}

static LogicalResult verifyBinary(Operation *op) {
  auto lhs = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto rhs = llvm::dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  SmallVector<int64_t> shape;
  if (lhs && rhs &&
      !OpTrait::util::getBroadcastedShape(lhs.getShape(), rhs.getShape(),
                                          shape))
    return op->emitOpError("operands are not broadcast-compatible: ")
           << lhs << " and " << rhs;
  return success();
}
LogicalResult AddOp::verify() { return verifyBinary(*this); }
LogicalResult SubOp::verify() { return verifyBinary(*this); }
LogicalResult MulOp::verify() { return verifyBinary(*this); }
LogicalResult DivOp::verify() { return verifyBinary(*this); }
LogicalResult PowOp::verify() { return verifyBinary(*this); }
LogicalResult EqualOp::verify() { return verifyBinary(*this); }
LogicalResult LessOp::verify() { return verifyBinary(*this); }

LogicalResult CastOp::verify() {
  // ONNX TensorProto data types the importer maps: FLOAT, UINT8, INT8,
  // INT32, INT64, BOOL, FLOAT16, DOUBLE.
  switch (getTo()) {
  case 1:
  case 2:
  case 3:
  case 6:
  case 7:
  case 9:
  case 10:
  case 11:
    return success();
  default:
    return emitOpError("unsupported target type ") << getTo();
  }
}

LogicalResult GatherOp::verify() {
  return verifyAxis(*this, getAxis(), rankOf(getData()));
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  return verifyAxis(*this, getAxis(), rankOf(getInputs().front()));
}

LogicalResult TransposeOp::verify() {
  auto perm = getPerm();
  std::optional<int64_t> rank = rankOf(getData());
  if (!perm || !rank)
    return success();
  if (static_cast<int64_t>(perm->size()) != *rank)
    return emitOpError("perm has ")
           << perm->size() << " entries for rank " << *rank;
  SmallVector<bool> seen(*rank, false);
  for (int64_t p : *perm) {
    if (p < 0 || p >= *rank || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
  }
  return success();
}

LogicalResult GemmOp::verify() {
  for (Value v : {getA(), getB()})
    if (auto rank = rankOf(v); rank && *rank != 2)
      return emitOpError("A and B must have rank 2");
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), rankOf(getInput()));
}

LogicalResult LayerNormalizationOp::verify() {
  return verifyAxis(*this, getAxis(), rankOf(getX()));
}

#define GET_OP_CLASSES
#include "onnxir/OnnxOps.cpp.inc"
