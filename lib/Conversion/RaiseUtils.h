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
#include <vector>

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

/// The values of an 8/32/64-bit integer constant (signed or unsigned);
/// failure for a null or non-integer attribute.
mlir::FailureOr<std::vector<int64_t>> integerValues(mlir::ElementsAttr attr);

/// A Cast bnq.cast runs: to f32, i32 or i64 from f32 or a signless
/// integer, with a static result.
bool isSupportedCast(mlir::Value input, mlir::Value output);

// The raising rules, by family. bnq-raise-onnx applies them in phases:
// `weights` (quantized weights, before the generic DequantizeLinear
// folding), `compound` (multi-op blocks, matched before their parts are
// converted), `oneToOne` (one onnx op each, under the dialect conversion
// driver with onnx illegal), `cleanup` (on the bnq result).

/// The com.microsoft fused operators (RaiseOnnxContrib.cpp): Attention
/// (it reads EmbedLayerNormalization's mask before that is raised) into
/// `compound`, the others into `oneToOne`.
/// Emits the reason an op can never be raised, whatever its context (e.g.
/// a causal com.microsoft.Attention), at the op itself; success if none
/// is known.
mlir::LogicalResult diagnoseUnraisable(mlir::Operation *op);

void populateRaiseContribPatterns(mlir::RewritePatternSet &compound,
                                  mlir::RewritePatternSet &oneToOne);

/// QDQ weights kept quantized (RaiseQuantizedWeights.cpp): MatMul and
/// Gather on DequantizeLinear weights into `weights`, the TWS pair into
/// `cleanup`.
void populateRaiseQuantizedWeightPatterns(mlir::RewritePatternSet &weights,
                                          mlir::RewritePatternSet &cleanup);

/// Activation QDQ pairs, constant DequantizeLinear (RaiseQdq.cpp).
void populateRaiseQdqPatterns(mlir::RewritePatternSet &compound);

/// Attention masks and position ids (RaiseMasks.cpp).
void populateRaiseMaskPatterns(mlir::RewritePatternSet &compound);

/// LayerNorm, GELU, Clip, Softmax, ReduceMean (RaiseFloatBlocks.cpp).
void populateRaiseFloatBlockPatterns(mlir::RewritePatternSet &compound,
                                     mlir::RewritePatternSet &oneToOne);

/// Transpose, Slice, one-index Gather (RaiseShape.cpp).
void populateRaiseShapePatterns(mlir::RewritePatternSet &compound,
                                mlir::RewritePatternSet &oneToOne);

/// Embedding, MatMul, Gemm, bias folding (RaiseLinear.cpp).
void populateRaiseLinearPatterns(mlir::RewritePatternSet &compound,
                                 mlir::RewritePatternSet &oneToOne,
                                 mlir::RewritePatternSet &cleanup);

/// The declarative one-to-one rules (RaiseOneToOne.td): constants,
/// elementwise arithmetic and functions, reshape-like ops, casts.
void populateRaiseOneToOnePatterns(mlir::RewritePatternSet &oneToOne);

} // namespace bnbert::raise

#endif // BNBERT_CONVERSION_RAISEUTILS_H
