//===- SpecializeShapes.cpp - onnx-specialize-shapes ----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Conversion/Passes.h"
#include "onnxir/OnnxOps.h"
#include "onnxir/OnnxShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace bnbert {
#define GEN_PASS_DEF_ONNXSPECIALIZESHAPES
#include "bnbert/Conversion/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;

namespace {

bool isStatic(Type type) {
  auto ranked = llvm::dyn_cast<RankedTensorType>(type);
  return ranked && ranked.hasStaticShape();
}

/// Refines `op`'s result type where its static shape is now known.
void refineResultType(Operation *op) {
  if (op->getNumResults() != 1 || isStatic(op->getResult(0).getType()))
    return;
  auto type = llvm::dyn_cast<TensorType>(op->getResult(0).getType());
  if (!type)
    return;
  if (auto shape = onnxir::inferStaticShape(op))
    op->getResult(0).setType(
        RankedTensorType::get(*shape, type.getElementType()));
}

/// Folds `op` when it can; returns true when `op` was replaced.
bool tryFold(Operation *op, OpBuilder &builder) {
  if (op->hasTrait<OpTrait::ConstantLike>())
    return false;
  SmallVector<Attribute> constants;
  for (Value operand : op->getOperands()) {
    Attribute attr;
    matchPattern(operand, m_Constant(&attr));
    constants.push_back(attr);
  }
  SmallVector<OpFoldResult> results;
  if (failed(op->fold(constants, results)) || results.empty())
    return false;
  Value replacement = llvm::dyn_cast_if_present<Value>(results[0]);
  if (replacement == op->getResult(0))
    return false; // folded in place
  if (!replacement) {
    builder.setInsertionPoint(op);
    Operation *constant = op->getDialect()->materializeConstant(
        builder, results[0].get<Attribute>(), op->getResult(0).getType(),
        op->getLoc());
    if (!constant)
      return false;
    replacement = constant->getResult(0);
  }
  if (replacement.getType() != op->getResult(0).getType())
    return false;
  op->getResult(0).replaceAllUsesWith(replacement);
  op->erase();
  return true;
}

struct OnnxSpecializeShapesPass
    : bnbert::impl::OnnxSpecializeShapesBase<OnnxSpecializeShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    OpBuilder builder(&getContext());
    for (Block &block : func.getBody())
      for (Operation &op : llvm::make_early_inc_range(block)) {
        if (!llvm::isa<onnxir::OnnxDialect>(op.getDialect()))
          continue;
        refineResultType(&op);
        tryFold(&op, builder);
      }
    // Remove what the folds left unused, last users first.
    for (Block &block : func.getBody())
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
        if (op.use_empty() && isMemoryEffectFree(&op) &&
            !op.hasTrait<OpTrait::IsTerminator>())
          op.erase();
    // The results now have the refined types.
    Operation *terminator = func.getBody().back().getTerminator();
    func.setFunctionType(FunctionType::get(
        &getContext(), func.getArgumentTypes(), terminator->getOperandTypes()));
  }
};

} // namespace
