//===- RaiseOnnx.cpp - bnq-raise-onnx -------------------------------------===//
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "onnxir/OnnxOps.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace bnbert {
#define GEN_PASS_DEF_BNQRAISEONNX
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
namespace ox = bnbert::onnxir;

namespace {

//===----------------------------------------------------------------------===//
// Matching helpers
//===----------------------------------------------------------------------===//

/// The constant elements behind `v` (onnx.Constant or arith.constant).
ElementsAttr constantOf(Value v) {
  ElementsAttr attr;
  if (v && matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

/// The value of a one-element constant, as double.
std::optional<double> scalarOf(Value v) {
  ElementsAttr attr = constantOf(v);
  if (!attr || attr.getNumElements() != 1)
    return std::nullopt;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    if (llvm::isa<FloatType>(dense.getElementType()))
      return (*dense.getValues<APFloat>().begin()).convertToDouble();
    if (llvm::isa<IntegerType>(dense.getElementType()))
      return double((*dense.getValues<APInt>().begin()).getSExtValue());
  }
  return std::nullopt;
}

bool isScalar(Value v, double expected, double tolerance = 1e-6) {
  auto s = scalarOf(v);
  return s && std::fabs(*s - expected) <= tolerance;
}

/// For a binary op, the operand defined by OpTy and the other operand.
template <typename OpTy>
std::optional<std::pair<OpTy, Value>> operandOf(Operation *op) {
  if (!op || op->getNumOperands() != 2)
    return std::nullopt;
  for (int i = 0; i < 2; ++i)
    if (auto def = op->getOperand(i).getDefiningOp<OpTy>())
      return std::pair{def, op->getOperand(1 - i)};
  return std::nullopt;
}

RankedTensorType staticType(Value v) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

bool isF32(Value v) { return getElementTypeOrSelf(v.getType()).isF32(); }

/// Whether `reduce` is a mean over the last axis of `x` keeping dims.
bool isLastAxisMean(ox::ReduceMeanOp reduce, Value x) {
  if (!reduce || reduce.getData() != x || !reduce.getKeepdims())
    return false;
  auto type = staticType(x);
  auto axes = reduce.getAxes();
  if (!type || !axes || axes->size() != 1)
    return false;
  int64_t axis = (*axes)[0];
  return axis == -1 || axis == type.getRank() - 1;
}

/// `arith.constant` holding `w` [K, N] transposed to [N, K] (PyTorch's
/// linear layout), kept in a resource blob when `w` was one.
Value transposedWeight(PatternRewriter &rewriter, Location loc,
                       ElementsAttr w) {
  auto type = llvm::cast<RankedTensorType>(w.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  auto values = bnq::getElementValues<float>(w);
  if (failed(values))
    return {};
  std::vector<float> t(k * n);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      t[j * k + i] = (*values)[i * n + j];
  auto newType = RankedTensorType::get({n, k}, rewriter.getF32Type());
  ElementsAttr attr;
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(w))
    attr = DenseResourceElementsAttr::get(
        newType, resource.getRawHandle().getKey().str() + "_t",
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(t)));
  else
    attr = DenseElementsAttr::get(newType, ArrayRef<float>(t));
  return rewriter.create<arith::ConstantOp>(loc, newType, attr);
}

/// A constant f32 [K, N] MatMul weight, or null.
ElementsAttr matmulWeight(ox::MatMulOp matmul) {
  ElementsAttr w = constantOf(matmul.getB());
  auto type =
      w ? llvm::dyn_cast<RankedTensorType>(w.getType()) : RankedTensorType();
  if (!type || type.getRank() != 2 || !type.getElementType().isF32())
    return {};
  return w;
}

//===----------------------------------------------------------------------===//
// Phase 1: compound patterns
//===----------------------------------------------------------------------===//

/// Add(Mul(Div(Sub(x, mean(x)), Sqrt(Add(mean(Pow(Sub, 2)), eps))), gamma),
/// beta) -> bnq.layer_norm, in any operand order of Add and Mul.
struct RaiseDecomposedLayerNorm : OpRewritePattern<ox::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::AddOp add,
                                PatternRewriter &rewriter) const override {
    auto mulAndBeta = operandOf<ox::MulOp>(add);
    if (!mulAndBeta)
      return failure();
    auto [mul, beta] = *mulAndBeta;
    auto divAndGamma = operandOf<ox::DivOp>(mul);
    if (!divAndGamma)
      return failure();
    auto [div, gamma] = *divAndGamma;
    auto centered = div.getA().getDefiningOp<ox::SubOp>();
    auto sqrt = div.getB().getDefiningOp<ox::SqrtOp>();
    if (!centered || !sqrt)
      return failure();
    Value x = centered.getA();
    if (!isLastAxisMean(centered.getB().getDefiningOp<ox::ReduceMeanOp>(), x))
      return failure();
    auto varPlusEps = sqrt.getX().getDefiningOp<ox::AddOp>();
    if (!varPlusEps)
      return failure();
    auto varAndEps = operandOf<ox::ReduceMeanOp>(varPlusEps);
    if (!varAndEps)
      return failure();
    auto [var, epsValue] = *varAndEps;
    std::optional<double> eps = scalarOf(epsValue);
    auto pow = var.getData().getDefiningOp<ox::PowOp>();
    if (!eps || *eps <= 0 || !pow || pow.getA() != centered ||
        !isScalar(pow.getB(), 2.0) || !isLastAxisMean(var, pow))
      return failure();
    auto xType = staticType(x), gType = staticType(gamma),
         bType = staticType(beta);
    if (!xType || !gType || !bType || !isF32(x) || gType.getRank() != 1 ||
        bType.getRank() != 1 ||
        gType.getDimSize(0) != xType.getShape().back() ||
        bType.getDimSize(0) != xType.getShape().back() ||
        add.getType() != x.getType())
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(
        add, x.getType(), x, gamma, beta, rewriter.getF32FloatAttr(*eps));
    return success();
  }
};

/// 0.5 * x * (1 + erf(x / sqrt(2))) with the three factors in any order
/// (x / sqrt(2) also as x * (1 / sqrt(2))) -> bnq.gelu erf.
struct RaiseErfGelu : OpRewritePattern<ox::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::MulOp root,
                                PatternRewriter &rewriter) const override {
    // The three factors: root = Mul(Mul(a, b), c) or Mul(a, Mul(b, c)).
    SmallVector<Value, 3> factors;
    for (Value v : root->getOperands()) {
      auto inner = v.getDefiningOp<ox::MulOp>();
      if (inner && factors.size() < 2 && inner->hasOneUse()) {
        factors.push_back(inner.getA());
        factors.push_back(inner.getB());
      } else {
        factors.push_back(v);
      }
    }
    if (factors.size() != 3)
      return failure();
    for (int half = 0; half < 3; ++half) {
      if (!isScalar(factors[half], 0.5))
        continue;
      for (int erfSum = 0; erfSum < 3; ++erfSum) {
        if (erfSum == half)
          continue;
        Value x = factors[3 - half - erfSum];
        if (matchesOnePlusErf(factors[erfSum], x) && isF32(x) &&
            x.getType() == root.getType()) {
          rewriter.replaceOpWithNewOp<bnq::GeluOp>(
              root, x.getType(), x,
              bnq::GeluApproximationAttr::get(getContext(),
                                              bnq::GeluApproximation::erf));
          return success();
        }
      }
    }
    return failure();
  }

  /// v == 1 + erf(x / sqrt(2)).
  static bool matchesOnePlusErf(Value v, Value x) {
    auto add = v.getDefiningOp<ox::AddOp>();
    auto erfAndOne = add ? operandOf<ox::ErfOp>(add) : std::nullopt;
    if (!erfAndOne || !isScalar(erfAndOne->second, 1.0))
      return false;
    Operation *scaled = erfAndOne->first.getX().getDefiningOp();
    if (auto div = llvm::dyn_cast_or_null<ox::DivOp>(scaled))
      return div.getA() == x && isScalar(div.getB(), std::sqrt(2.0), 1e-5);
    if (auto mul = llvm::dyn_cast_or_null<ox::MulOp>(scaled)) {
      auto other = mul.getA() == x ? mul.getB() : mul.getA();
      return (mul.getA() == x || mul.getB() == x) &&
             isScalar(other, 1.0 / std::sqrt(2.0), 1e-5);
    }
    return false;
  }
};

/// Add(bias, MatMul(x, W)) with constant W [K, N] and bias [N] ->
/// bnq.linear(x, W^T, bias).
struct RaiseMatMulBias : OpRewritePattern<ox::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::AddOp add,
                                PatternRewriter &rewriter) const override {
    auto matmulAndBias = operandOf<ox::MatMulOp>(add);
    if (!matmulAndBias)
      return failure();
    auto [matmul, bias] = *matmulAndBias;
    ElementsAttr w = matmulWeight(matmul);
    auto biasType = staticType(bias);
    if (!w || !biasType || biasType.getRank() != 1 || !isF32(bias) ||
        !constantOf(bias) ||
        biasType.getDimSize(0) !=
            llvm::cast<ShapedType>(w.getType()).getDimSize(1) ||
        add.getType() != matmul.getType() || !staticType(matmul.getA()))
      return failure();
    Value weight = transposedWeight(rewriter, matmul.getB().getLoc(), w);
    if (!weight)
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(add, add.getType(),
                                               matmul.getA(), weight, bias);
    return success();
  }
};

/// Gather(table, ids) with a constant f32 [V, H] table -> bnq.embedding.
struct RaiseEmbedding : OpRewritePattern<ox::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::GatherOp gather,
                                PatternRewriter &rewriter) const override {
    auto table = staticType(gather.getData());
    if (gather.getAxis() != 0 || !constantOf(gather.getData()) || !table ||
        table.getRank() != 2 || !isF32(gather.getData()) ||
        !llvm::isa<IntegerType>(getElementTypeOrSelf(gather.getIndices())))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::EmbeddingOp>(
        gather, gather.getType(), gather.getData(), gather.getIndices());
    return success();
  }
};

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
      return failure();
    int64_t rank = input.getRank();
    int64_t axis = gather.getAxis(); // the I64Attr getter is unsigned
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return failure();
    int64_t i = static_cast<int64_t>(*index);
    if (i < 0)
      i += input.getDimSize(axis);
    if (i < 0 || i >= input.getDimSize(axis))
      return failure();
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

//===----------------------------------------------------------------------===//
// Phase 2: one-to-one conversions
//===----------------------------------------------------------------------===//

struct ConvertConstant : OpRewritePattern<ox::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(),
                                                   op.getValue());
    return success();
  }
};

template <typename From, typename To>
struct ConvertFloatBinary : OpRewritePattern<From> {
  using OpRewritePattern<From>::OpRewritePattern;
  LogicalResult matchAndRewrite(From op,
                                PatternRewriter &rewriter) const override {
    if (!isF32(op.getA()) || !isF32(op.getB()) || !staticType(op.getC()))
      return failure();
    rewriter.replaceOpWithNewOp<To>(op, op.getType(), op.getA(), op.getB());
    return success();
  }
};

struct ConvertTanh : OpRewritePattern<ox::TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::TanhOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32(op.getX()))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::TanhOp>(op, op.getType(), op.getX());
    return success();
  }
};

struct ConvertSoftmax : OpRewritePattern<ox::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getInput());
    if (!input || !isF32(op.getInput()))
      return failure();
    if (auto legacy = op.getLegacyAxis()) {
      // Opset < 13 flattens at legacy_axis: one-axis only if it is the last.
      int64_t axis = *legacy, rank = input.getRank();
      if ((axis < 0 ? axis + rank : axis) != rank - 1)
        return failure();
    }
    rewriter.replaceOpWithNewOp<bnq::SoftmaxOp>(op, op.getType(), op.getInput(),
                                                int64_t(op.getAxis()));
    return success();
  }
};

struct ConvertLayerNormalization : OpRewritePattern<ox::LayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::LayerNormalizationOp op,
                                PatternRewriter &rewriter) const override {
    auto x = staticType(op.getX());
    int64_t axis = op.getAxis();
    if (!x || !isF32(op.getX()) || (axis != -1 && axis != x.getRank() - 1))
      return failure();
    Value beta = op.getB();
    if (!beta) {
      auto type =
          RankedTensorType::get({x.getShape().back()}, rewriter.getF32Type());
      beta = rewriter.create<arith::ConstantOp>(
          op.getLoc(), type, DenseElementsAttr::get(type, 0.0f));
    }
    rewriter.replaceOpWithNewOp<bnq::LayerNormOp>(
        op, op.getType(), op.getX(), op.getScale(), beta, op.getEpsilonAttr());
    return success();
  }
};

/// Reshape, Unsqueeze, Squeeze and Identity: same elements, static type.
template <typename From> struct ConvertReshapeLike : OpRewritePattern<From> {
  using OpRewritePattern<From>::OpRewritePattern;
  LogicalResult matchAndRewrite(From op,
                                PatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    if (!staticType(op->getResult(0)) || !staticType(input))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::ReshapeOp>(op, op->getResult(0).getType(),
                                                input);
    return success();
  }
};

struct ConvertTranspose : OpRewritePattern<ox::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto input = staticType(op.getData());
    if (!input || !isF32(op.getData()))
      return failure();
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

struct ConvertCast : OpRewritePattern<ox::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ox::CastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = getElementTypeOrSelf(op.getInput());
    if (!isF32(op.getOutput()) || !(from.isSignlessInteger() || from.isF32()))
      return failure();
    rewriter.replaceOpWithNewOp<bnq::CastOp>(op, op.getType(), op.getInput());
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
      return failure();
    if (ElementsAttr w = matmulWeight(op)) {
      Value weight = transposedWeight(rewriter, op.getB().getLoc(), w);
      if (!weight)
        return failure();
      rewriter.replaceOpWithNewOp<bnq::LinearOp>(op, op.getType(), op.getA(),
                                                 weight, Value());
      return success();
    }
    if (a.getRank() < 3 || a.getRank() != b.getRank() ||
        a.getShape().drop_back(2) != b.getShape().drop_back(2))
      return failure();
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
      return failure();
    Value bias = op.getC();
    auto biasType = bias ? staticType(bias) : RankedTensorType();
    if (bias && (!biasType || biasType.getRank() != 1))
      return failure();
    Value weight = op.getTransB()
                       ? op.getB()
                       : transposedWeight(rewriter, op.getB().getLoc(), w);
    if (!weight)
      return failure();
    rewriter.replaceOpWithNewOp<bnq::LinearOp>(op, op.getType(), op.getA(),
                                               weight, bias);
    return success();
  }
};

struct BnqRaiseOnnxPass : bnbert::impl::BnqRaiseOnnxBase<BnqRaiseOnnxPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    func::FuncOp func = getOperation();

    RewritePatternSet compound(context);
    compound.add<RaiseDecomposedLayerNorm, RaiseErfGelu, RaiseMatMulBias,
                 RaiseEmbedding, RaiseGatherOne>(context);
    RewritePatternSet simple(context);
    simple.add<
        ConvertConstant, ConvertTanh, ConvertSoftmax, ConvertLayerNormalization,
        ConvertReshapeLike<ox::ReshapeOp>, ConvertReshapeLike<ox::UnsqueezeOp>,
        ConvertReshapeLike<ox::SqueezeOp>, ConvertReshapeLike<ox::IdentityOp>,
        ConvertTranspose, ConvertCast, ConvertMatMul, ConvertGemm,
        ConvertFloatBinary<ox::AddOp, bnq::AddOp>,
        ConvertFloatBinary<ox::SubOp, bnq::SubOp>,
        ConvertFloatBinary<ox::MulOp, bnq::MulOp>,
        ConvertFloatBinary<ox::DivOp, bnq::DivOp>>(context);
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true;
    if (failed(
            applyPatternsAndFoldGreedily(func, std::move(compound), config)) ||
        failed(applyPatternsAndFoldGreedily(func, std::move(simple), config)))
      return signalPassFailure();

    // Anything left would be dropped by the runtime: say which node it is.
    bool leftover = false;
    func.walk([&](Operation *op) {
      if (!llvm::isa<ox::OnnxDialect>(op->getDialect()))
        return;
      leftover = true;
      op->emitError() << "cannot raise '" << op->getName()
                      << "' to bnq: no bnq form for it in this context";
    });
    if (leftover)
      signalPassFailure();
  }
};

} // namespace
