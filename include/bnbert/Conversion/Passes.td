//===- Passes.td - onnx to bnq conversion passes ----------*- tablegen -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_CONVERSION_PASSES_TD
#define BNBERT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def OnnxSpecializeShapes
    : Pass<"onnx-specialize-shapes", "::mlir::func::FuncOp"> {
  let summary = "Propagate static shapes through onnx ops and fold shape "
                "computations to constants";
  let description = [{
    One forward sweep in program order: each onnx op's result type is
    refined from its operands' static shapes and constant operands (ONNX
    semantics: Reshape with 0/-1, Gather, Unsqueeze, Slice, MatMul
    broadcasting, ...), then the op is folded when its operands are
    constants. With the graph inputs fixed by `--shape`, the Shape ->
    Gather -> Unsqueeze -> Concat -> Reshape chains of torch exports become
    constants and every type becomes static. Dead ops are removed and the
    function's result types follow the refined values.
  }];
  let dependentDialects = ["::bnbert::onnxir::OnnxDialect"];
}

def BnqRaiseOnnx : Pass<"bnq-raise-onnx", "::mlir::func::FuncOp"> {
  let summary = "Raise onnx ops (with static shapes) to bnq building blocks";
  let description = [{
    In phases (rules by family in lib/Conversion/Raise*.cpp): quantized
    weights kept quantized; then the compound patterns (decomposed
    LayerNorm -> bnq.layer_norm; erf and tanh GELU -> bnq.gelu; Gather from
    a constant table -> bnq.embedding; Gather of one position -> bnq.slice
    + bnq.reshape; QDQ pairs -> static-clip bnq.quantize; DequantizeLinear
    of constants folded; Clip -> bnq.clamp; attention masks and position
    ids; com.microsoft Attention); then the one-to-one rules (MatMul / Gemm
    with a constant weight -> bnq.linear with the weight stored [N, K], the
    com.microsoft fused ops, and the declarative rules of RaiseOneToOne.td:
    arithmetic, data movement, casts, bnq.unary) under the dialect
    conversion driver, with the onnx dialect illegal: an onnx op no rule
    takes is reported at its location; finally, on the bnq result, a
    constant bias added to a linear is folded into it and TWS pairs merge.
    Run onnx-specialize-shapes first. Rules: docs/frontend.md.
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // BNBERT_CONVERSION_PASSES_TD
