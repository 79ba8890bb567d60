//===- IntegerNonlinear.cpp - GELU, softmax, layer norm in integers -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Marks the nonlinearities `integer` (bnq-integer-nonlinear): the model was
// trained with I-BERT's integer forms, so it must run with them. The ops'
// verifiers then check what each form allows.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"

#include "mlir/IR/Verifier.h"

namespace bnbert {
#define GEN_PASS_DEF_BNQINTEGERNONLINEAR
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert::bnq;

namespace {

struct BnqIntegerNonlinearPass
    : bnbert::impl::BnqIntegerNonlinearBase<BnqIntegerNonlinearPass> {
  void runOnOperation() override {
    auto result = getOperation().walk([&](Operation *op) -> WalkResult {
      if (auto attention = llvm::dyn_cast<AttentionOp>(op);
          attention && attention.getProbAlpha()) {
        attention.emitOpError("binarized probabilities (binary attention) "
                              "have no integer softmax");
        return WalkResult::interrupt();
      }
      if (!llvm::isa<GeluOp, SoftmaxOp, LayerNormOp, AttentionOp>(op))
        return WalkResult::advance();
      op->setAttr("integer", UnitAttr::get(op->getContext()));
      return failed(verify(op, /*verifyRecursively=*/false))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
