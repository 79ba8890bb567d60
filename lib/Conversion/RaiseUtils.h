//===- RaiseUtils.h - matching helpers shared by the raising patterns -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_CONVERSION_RAISEUTILS_H
#define BNBERT_CONVERSION_RAISEUTILS_H

#include "onnxir/OnnxOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <utility>

namespace bnbert::raise {

/// The constant elements behind `v` (onnx.Constant or arith.constant).
mlir::ElementsAttr constantOf(mlir::Value v);

/// The value of a one-element constant, as double.
std::optional<double> scalarOf(mlir::Value v);

bool isScalar(mlir::Value v, double expected, double tolerance = 1e-6);

/// For a binary op, the operand defined by OpTy and the other operand.
template <typename OpTy>
std::optional<std::pair<OpTy, mlir::Value>> operandOf(mlir::Operation *op) {
  if (!op || op->getNumOperands() != 2)
    return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (auto def = op->getOperand(i).template getDefiningOp<OpTy>())
      return std::pair{def, op->getOperand(1 - i)};
  return std::nullopt;
}

/// `v`'s type when it is a statically shaped ranked tensor, else null.
mlir::RankedTensorType staticType(mlir::Value v);

bool isF32(mlir::Value v);

/// `arith.constant` holding columns [begin, begin + count) of the f32 [K, N]
/// matrix `w`, transposed to [count, K] (PyTorch's linear layout); kept in
/// a resource blob when `w` was one. Null when `w` cannot be read.
mlir::Value transposedColumns(mlir::PatternRewriter &rewriter,
                              mlir::Location loc, mlir::ElementsAttr w,
                              int64_t begin, int64_t count);

/// All of `w` [K, N] transposed to [N, K].
mlir::Value transposedWeight(mlir::PatternRewriter &rewriter,
                             mlir::Location loc, mlir::ElementsAttr w);

/// `arith.constant` holding elements [begin, begin + count) of the f32
/// vector `v`. Null when `v` cannot be read.
mlir::Value vectorSlice(mlir::PatternRewriter &rewriter, mlir::Location loc,
                        mlir::ElementsAttr v, int64_t begin, int64_t count);

/// An f32 scalar or [n] splat constant.
mlir::Value floatConstant(mlir::PatternRewriter &rewriter, mlir::Location loc,
                          float value, llvm::ArrayRef<int64_t> shape = {});

/// A constant f32 [K, N] MatMul weight, or null.
mlir::ElementsAttr matmulWeight(onnxir::MatMulOp matmul);

/// Patterns for the com.microsoft fused operators (RaiseOnnxContrib.cpp):
/// Attention into `compound` (it reads EmbedLayerNormalization's mask
/// before that is raised), the others into `simple`.
void populateRaiseContribPatterns(mlir::RewritePatternSet &compound,
                                  mlir::RewritePatternSet &simple);

/// Patterns keeping QDQ weights quantized (RaiseQuantizedWeights.cpp):
/// MatMul and Gather on DequantizeLinear weights into `weights` (applied
/// before the generic DequantizeLinear folding), the TWS pair into `simple`.
void populateRaiseQuantizedWeightPatterns(mlir::RewritePatternSet &weights,
                                          mlir::RewritePatternSet &simple);

} // namespace bnbert::raise

#endif // BNBERT_CONVERSION_RAISEUTILS_H
