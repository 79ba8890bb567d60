//===- OnnxFolders.cpp - fold ONNX shape subgraphs to constants -----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// torch.onnx.export computes shapes at run time (Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape, Range for positions, ConstantOfShape and
// Where for masks). Once the input shapes are fixed these are constants;
// the folders below evaluate them on small host tensors. Folds happen only
// when the result type is static, and only for tensors up to kMaxElements,
// so weights are never copied here.
//
//===----------------------------------------------------------------------===//
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Traits.h"

#include <cmath>
#include <numeric>
#include <optional>

using namespace mlir;
using namespace bnbert::onnxir;

namespace {

constexpr int64_t kMaxElements = 1 << 16;

/// A small constant: integers (and booleans) or floats, row-major.
struct Literal {
  SmallVector<int64_t> shape;
  Type elementType;
  SmallVector<int64_t> ints;
  SmallVector<double> floats;

  bool isFloat() const { return llvm::isa<FloatType>(elementType); }
  int64_t size() const {
    return std::accumulate(shape.begin(), shape.end(), int64_t{1},
                           std::multiplies<int64_t>());
  }
  double asDouble(int64_t i) const {
    return isFloat() ? floats[i] : static_cast<double>(ints[i]);
  }
  int64_t asInt(int64_t i) const {
    return isFloat() ? static_cast<int64_t>(floats[i]) : ints[i];
  }
};

std::optional<Literal> literal(Attribute attr) {
  auto dense = llvm::dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxElements)
    return std::nullopt;
  Literal lit;
  lit.shape.assign(dense.getType().getShape().begin(),
                   dense.getType().getShape().end());
  lit.elementType = dense.getElementType();
  if (auto intType = llvm::dyn_cast<IntegerType>(lit.elementType)) {
    for (const APInt &v : dense.getValues<APInt>())
      lit.ints.push_back(intType.getWidth() == 1 || intType.isUnsigned()
                             ? static_cast<int64_t>(v.getZExtValue())
                             : v.getSExtValue());
  } else if (llvm::isa<FloatType>(lit.elementType)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      lit.floats.push_back(v.convertToDouble());
  } else {
    return std::nullopt;
  }
  return lit;
}

/// The static result type of `op`, or null.
RankedTensorType staticResult(Operation *op) {
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

/// Builds the attribute for `values` (ints or floats, by the result's
/// element type) with the op's static result type.
Attribute makeAttr(RankedTensorType type, ArrayRef<int64_t> ints,
                   ArrayRef<double> floats) {
  if (!type)
    return {};
  Type element = type.getElementType();
  if (element.isF32()) {
    SmallVector<float> v(floats.begin(), floats.end());
    if (v.empty())
      v.assign(ints.begin(), ints.end());
    return DenseElementsAttr::get(type, ArrayRef<float>(v));
  }
  if (element.isF64()) {
    SmallVector<double> v(floats.begin(), floats.end());
    if (v.empty())
      v.assign(ints.begin(), ints.end());
    return DenseElementsAttr::get(type, ArrayRef<double>(v));
  }
  auto intType = llvm::dyn_cast<IntegerType>(element);
  if (!intType)
    return {};
  SmallVector<APInt> v;
  if (!floats.empty()) {
    for (double f : floats)
      v.push_back(APInt(intType.getWidth(), static_cast<int64_t>(f),
                        /*isSigned=*/true));
  } else {
    for (int64_t i : ints)
      v.push_back(APInt(intType.getWidth(), i, /*isSigned=*/true));
  }
  return DenseElementsAttr::get(type, v);
}

Attribute makeAttr(RankedTensorType type, const Literal &lit) {
  if (!type || type.getNumElements() != lit.size())
    return {};
  return lit.isFloat() ? makeAttr(type, {}, lit.floats)
                       : makeAttr(type, lit.ints, {});
}

SmallVector<int64_t> strides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Index into `lit` for flat output index `i` of a broadcast to `shape`.
int64_t broadcastIndex(const Literal &lit, ArrayRef<int64_t> shape, int64_t i) {
  SmallVector<int64_t> out = strides(shape), own = strides(lit.shape);
  size_t offset = shape.size() - lit.shape.size();
  int64_t index = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t coord = (i / out[d]) % shape[d];
    if (d >= offset && lit.shape[d - offset] != 1)
      index += coord * own[d - offset];
  }
  return index;
}

/// Elementwise over broadcast operands; `fn` gets doubles (ints are exact
/// up to 2^53, far beyond any shape value) unless `intFn` is given.
template <typename FloatFn, typename IntFn>
Attribute foldElementwise(Operation *op, ArrayRef<Attribute> operands,
                          FloatFn floatFn, IntFn intFn) {
  RankedTensorType type = staticResult(op);
  if (!type)
    return {};
  SmallVector<Literal> lits;
  for (Attribute a : operands) {
    auto lit = literal(a);
    if (!lit)
      return {};
    lits.push_back(std::move(*lit));
  }
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  bool floatMath =
      llvm::any_of(lits, [](const Literal &l) { return l.isFloat(); });
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    SmallVector<int64_t, 3> idx;
    for (const Literal &l : lits)
      idx.push_back(broadcastIndex(l, type.getShape(), i));
    if (floatMath) {
      SmallVector<double, 3> args;
      for (auto [l, j] : llvm::zip(lits, idx))
        args.push_back(l.asDouble(j));
      floats.push_back(floatFn(args));
    } else {
      SmallVector<int64_t, 3> args;
      for (auto [l, j] : llvm::zip(lits, idx))
        args.push_back(l.ints[j]);
      ints.push_back(intFn(args));
    }
  }
  // Comparisons produce booleans from float operands.
  if (floatMath && llvm::isa<IntegerType>(type.getElementType())) {
    for (double f : floats)
      ints.push_back(static_cast<int64_t>(f));
    floats.clear();
  }
  return makeAttr(type, ints, floats);
}

/// Values of a literal as i64 (axes, shapes, indices).
std::optional<SmallVector<int64_t>> intValues(Attribute attr) {
  auto lit = literal(attr);
  if (!lit)
    return std::nullopt;
  SmallVector<int64_t> v;
  for (int64_t i = 0; i < lit->size(); ++i)
    v.push_back(lit->asInt(i));
  return v;
}

/// Same elements, new (static result) shape: Reshape, Unsqueeze, Squeeze.
OpFoldResult foldReshapeLike(Operation *op, Attribute data) {
  if (op->getOperand(0).getType() == op->getResult(0).getType())
    return op->getOperand(0);
  auto lit = literal(data);
  if (!lit)
    return {};
  return makeAttr(staticResult(op), *lit);
}

} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }
OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

#define BINARY_FOLDER(OP, EXPR)                                                \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldElementwise(                                                    \
        *this, adaptor.getOperands(),                                          \
        [](ArrayRef<double> x) -> double {                                     \
          double a = x[0], b = x[1];                                           \
          return EXPR;                                                         \
        },                                                                     \
        [](ArrayRef<int64_t> x) -> int64_t {                                   \
          int64_t a = x[0], b = x[1];                                          \
          return EXPR;                                                         \
        });                                                                    \
  }
BINARY_FOLDER(AddOp, a + b)
BINARY_FOLDER(SubOp, a - b)
BINARY_FOLDER(MulOp, a *b)
BINARY_FOLDER(EqualOp, a == b)
BINARY_FOLDER(LessOp, a < b)
#undef BINARY_FOLDER

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> x) { return x[0] / x[1]; },
      [](ArrayRef<int64_t> x) -> int64_t {
        return x[1] == 0 ? 0 : x[0] / x[1]; // ONNX integer Div truncates
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> x) { return std::pow(x[0], x[1]); },
      [](ArrayRef<int64_t> x) {
        return static_cast<int64_t>(std::pow(x[0], x[1]));
      });
}

OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> x) { return std::sqrt(x[0]); },
      [](ArrayRef<int64_t> x) {
        return static_cast<int64_t>(std::sqrt(x[0]));
      });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(), [](ArrayRef<double> x) { return -x[0]; },
      [](ArrayRef<int64_t> x) { return -x[0]; });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> x) -> double { return x[0] == 0; },
      [](ArrayRef<int64_t> x) -> int64_t { return x[0] == 0; });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> x) { return x[0] != 0 ? x[1] : x[2]; },
      [](ArrayRef<int64_t> x) { return x[0] != 0 ? x[1] : x[2]; });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto lit = literal(adaptor.getInput());
  RankedTensorType type = staticResult(*this);
  if (!lit || !type)
    return {};
  // Float to integer truncates toward zero; anything to bool is != 0.
  bool toBool = type.getElementType().isInteger(1);
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  for (int64_t i = 0; i < lit->size(); ++i) {
    if (llvm::isa<FloatType>(type.getElementType()))
      floats.push_back(lit->asDouble(i));
    else if (toBool)
      ints.push_back(lit->asDouble(i) != 0);
    else
      ints.push_back(lit->asInt(i));
  }
  return makeAttr(type, ints, floats);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto input = llvm::dyn_cast<RankedTensorType>(getData().getType());
  if (!input || !input.hasStaticShape())
    return {};
  int64_t rank = input.getRank();
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t start = clampIndex(getStart().value_or(0));
  int64_t end = clampIndex(getEnd().value_or(rank));
  SmallVector<int64_t> dims(input.getShape().begin() + start,
                            input.getShape().begin() + std::max(start, end));
  return makeAttr(staticResult(*this), dims, {});
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = literal(adaptor.getData());
  auto indices = intValues(adaptor.getIndices());
  RankedTensorType type = staticResult(*this);
  if (!data || !indices || !type)
    return {};
  int64_t rank = data->shape.size();
  int64_t axis = getAxis(); // the I64Attr getter is unsigned
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return {};
  int64_t outer = 1, inner = 1, len = data->shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= data->shape[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= data->shape[d];
  Literal out;
  out.elementType = data->elementType;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : *indices) {
      if (index < 0)
        index += len;
      if (index < 0 || index >= len)
        return {};
      for (int64_t i = 0; i < inner; ++i) {
        int64_t src = (o * len + index) * inner + i;
        if (data->isFloat())
          out.floats.push_back(data->floats[src]);
        else
          out.ints.push_back(data->ints[src]);
      }
    }
  out.shape.assign(type.getShape().begin(), type.getShape().end());
  return makeAttr(type, out);
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getData());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getData());
}
OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(*this, adaptor.getData());
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = staticResult(*this);
  if (!type)
    return {};
  if (getInputs().size() == 1 && getInputs()[0].getType() == type)
    return getInputs()[0];
  SmallVector<Literal> lits;
  for (Attribute a : adaptor.getInputs()) {
    auto lit = literal(a);
    if (!lit)
      return {};
    lits.push_back(std::move(*lit));
  }
  int64_t rank = type.getRank();
  int64_t axis = getAxis();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return {};
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  Literal out;
  out.elementType = lits.front().elementType;
  out.shape.assign(type.getShape().begin(), type.getShape().end());
  for (int64_t o = 0; o < outer; ++o)
    for (const Literal &l : lits) {
      int64_t chunk = l.size() / outer;
      for (int64_t i = 0; i < chunk; ++i) {
        if (l.isFloat())
          out.floats.push_back(l.floats[o * chunk + i]);
        else
          out.ints.push_back(l.ints[o * chunk + i]);
      }
    }
  return makeAttr(type, out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto data = literal(adaptor.getData());
  auto starts = intValues(adaptor.getStarts());
  auto ends = intValues(adaptor.getEnds());
  RankedTensorType type = staticResult(*this);
  if (!data || !starts || !ends || !type || starts->size() != ends->size())
    return {};
  int64_t rank = data->shape.size();
  SmallVector<int64_t> axes, steps(starts->size(), 1);
  if (getAxes()) {
    auto a = intValues(adaptor.getAxes());
    if (!a)
      return {};
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (getSteps()) {
    auto s = intValues(adaptor.getSteps());
    if (!s)
      return {};
    steps = *s;
  }
  // Per dimension: first index and step (full range by default).
  SmallVector<int64_t> first(rank, 0), step(rank, 1);
  if (axes.size() != starts->size() || steps.size() != starts->size())
    return {};
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank)
      return {};
    int64_t dim = data->shape[axis];
    if (steps[i] <= 0)
      return {}; // negative steps do not occur in BERT exports
    int64_t s = (*starts)[i] < 0 ? (*starts)[i] + dim : (*starts)[i];
    first[axis] = std::clamp<int64_t>(s, 0, dim);
    step[axis] = steps[i];
  }
  SmallVector<int64_t> in = strides(data->shape),
                       out = strides(type.getShape());
  Literal result;
  result.elementType = data->elementType;
  result.shape.assign(type.getShape().begin(), type.getShape().end());
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += (first[d] + ((i / out[d]) % type.getDimSize(d)) * step[d]) * in[d];
    if (data->isFloat())
      result.floats.push_back(data->floats[src]);
    else
      result.ints.push_back(data->ints[src]);
  }
  return makeAttr(type, result);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return foldElementwise(
      *this, {adaptor.getInput()}, [](ArrayRef<double> x) { return x[0]; },
      [](ArrayRef<int64_t> x) { return x[0]; });
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  RankedTensorType type = staticResult(*this);
  if (!type || type.getNumElements() > kMaxElements)
    return {};
  auto fill = literal(getValueAttr());
  double value = fill ? fill->asDouble(0) : 0.0;
  if (llvm::isa<FloatType>(type.getElementType()))
    return makeAttr(type, {},
                    SmallVector<double>(type.getNumElements(), value));
  return makeAttr(
      type, SmallVector<int64_t>(type.getNumElements(), int64_t(value)), {});
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto start = literal(adaptor.getStart()), limit = literal(adaptor.getLimit()),
       delta = literal(adaptor.getDelta());
  RankedTensorType type = staticResult(*this);
  if (!start || !limit || !delta || !type)
    return {};
  SmallVector<int64_t> ints;
  SmallVector<double> floats;
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    if (start->isFloat())
      floats.push_back(start->floats[0] + i * delta->asDouble(0));
    else
      ints.push_back(start->ints[0] + i * delta->asInt(0));
  }
  return makeAttr(type, ints, floats);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  auto input = llvm::dyn_cast<RankedTensorType>(getData().getType());
  if (!input)
    return {};
  int64_t rank = input.getRank();
  SmallVector<int64_t> perm;
  if (getPerm())
    perm.assign(getPerm()->begin(), getPerm()->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, rank)))
    return getData();
  auto data = literal(adaptor.getData());
  RankedTensorType type = staticResult(*this);
  if (!data || !type)
    return {};
  SmallVector<int64_t> in = strides(data->shape),
                       out = strides(type.getShape());
  Literal result;
  result.elementType = data->elementType;
  result.shape.assign(type.getShape().begin(), type.getShape().end());
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += ((i / out[d]) % type.getDimSize(d)) * in[perm[d]];
    if (data->isFloat())
      result.floats.push_back(data->floats[src]);
    else
      result.ints.push_back(data->ints[src]);
  }
  return makeAttr(type, result);
}
