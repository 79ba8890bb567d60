//===- RaiseOnnx.cpp - bnq-raise-onnx -------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The pass: the rule families of lib/Conversion/Raise*.cpp in phases.
// Compound patterns first (they match multi-op blocks before their parts
// are converted one by one), then the one-to-one rules under the dialect
// conversion driver with the onnx dialect illegal, so an onnx op no rule
// takes is reported by the framework at its location, then clean-ups on
// the bnq result.
//
//===----------------------------------------------------------------------===//
#include "RaiseUtils.h"
#include "bnbert/Conversion/Passes.h"
#include "bnq/BnqOps.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace bnbert {
#define GEN_PASS_DEF_BNQRAISEONNX
#include "bnbert/Conversion/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::raise;
namespace ox = bnbert::onnxir;

namespace {

struct BnqRaiseOnnxPass : bnbert::impl::BnqRaiseOnnxBase<BnqRaiseOnnxPass> {
  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet weights(context), compound(context), oneToOne(context),
        cleanup(context);
    populateRaiseQuantizedWeightPatterns(weights, cleanup);
    populateRaiseQdqPatterns(compound);
    populateRaiseMaskPatterns(compound);
    populateRaiseFloatBlockPatterns(compound, oneToOne);
    populateRaiseShapePatterns(compound, oneToOne);
    populateRaiseLinearPatterns(compound, oneToOne, cleanup);
    populateRaiseContribPatterns(compound, oneToOne);
    populateRaiseOneToOnePatterns(oneToOne);
    weightPatterns = std::move(weights);
    compoundPatterns = std::move(compound);
    oneToOnePatterns = std::move(oneToOne);
    cleanupPatterns = std::move(cleanup);
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true;
    // Quantized weights before the generic DequantizeLinear folding.
    for (const FrozenRewritePatternSet *patterns :
         {&weightPatterns, &compoundPatterns})
      if (failed(applyPatternsAndFoldGreedily(func, *patterns, config))) {
        func.emitError("raising to bnq did not converge (an internal error: "
                       "please report it with the model)");
        return signalPassFailure();
      }
    // Ops that can never be raised are named with the reason before the
    // conversion below reports the first op it cannot legalize (often
    // another one, whose form depended on them).
    bool unraisable = false;
    func.walk(
        [&](Operation *op) { unraisable |= failed(diagnoseUnraisable(op)); });
    if (unraisable)
      return signalPassFailure();

    // What nothing reads any more goes (e.g. the rest of a mask chain a
    // compound pattern replaced as a whole; onnx ops are Pure).
    SmallVector<Operation *> all;
    func.walk([&](Operation *op) { all.push_back(op); });
    for (Operation *op : llvm::reverse(all))
      if (isOpTriviallyDead(op))
        op->erase();

    ConversionTarget target(getContext());
    target.addIllegalDialect<ox::OnnxDialect>();
    target.addLegalDialect<bnq::BnqDialect, arith::ArithDialect>();
    target.addLegalOp<func::ReturnOp>();
    {
      // The framework names the op; say what usually causes it.
      ScopedDiagnosticHandler hint(&getContext(), [](Diagnostic &diag) {
        if (diag.getSeverity() == DiagnosticSeverity::Error &&
            StringRef(diag.str())
                .starts_with("failed to legalize operation "
                             "'onnx."))
          diag.attachNote()
              << "no bnq form for it in this context (shapes that are "
                 "still dynamic are a common cause: fix them with --shape)";
        return failure(); // and report it as usual
      });
      if (failed(applyPartialConversion(func, target, oneToOnePatterns)))
        return signalPassFailure();
    }
    if (failed(applyPatternsAndFoldGreedily(func, cleanupPatterns, config)))
      signalPassFailure();
  }

  FrozenRewritePatternSet weightPatterns, compoundPatterns, oneToOnePatterns,
      cleanupPatterns;
};

} // namespace
