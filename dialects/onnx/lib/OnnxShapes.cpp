//===- OnnxShapes.cpp - static result shapes of onnx ops ------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "onnxir/OnnxShapes.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

using namespace mlir;
using Shape = llvm::SmallVector<int64_t>;

namespace bnbert::onnxir {
namespace {

std::optional<Shape> shapeOf(Value v) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return Shape(type.getShape().begin(), type.getShape().end());
}

/// The integer values of a constant operand (axes, shapes, starts...).
std::optional<Shape> constantInts(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  Shape values;
  for (const APInt &x : attr.getValues<APInt>())
    values.push_back(x.getSExtValue());
  return values;
}

std::optional<Shape> broadcast(ValueRange operands) {
  Shape result;
  for (Value v : operands) {
    auto shape = shapeOf(v);
    if (!shape)
      return std::nullopt;
    Shape next;
    if (!OpTrait::util::getBroadcastedShape(result, *shape, next))
      return std::nullopt;
    result = next;
  }
  return result;
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

std::optional<Shape> reshape(ReshapeOp op) {
  auto input = shapeOf(op.getData());
  auto target = constantInts(op.getShape());
  if (!input || !target)
    return std::nullopt;
  int64_t total = std::accumulate(input->begin(), input->end(), int64_t{1},
                                  std::multiplies<int64_t>());
  Shape shape;
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !op.getAllowzero())
      d = i < input->size() ? (*input)[i] : 0;
    if (d == -1) {
      inferred = i;
      shape.push_back(1);
      continue;
    }
    shape.push_back(d);
    known *= d;
  }
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return std::nullopt;
    shape[inferred] = total / known;
  }
  return shape;
}

std::optional<Shape> matmul(Value a, Value b) {
  auto sa = shapeOf(a), sb = shapeOf(b);
  if (!sa || !sb || sa->empty() || sb->empty())
    return std::nullopt;
  // 1-D operands are promoted and the added dimension dropped again.
  bool vecA = sa->size() == 1, vecB = sb->size() == 1;
  if (vecA)
    sa->insert(sa->begin(), 1);
  if (vecB)
    sb->push_back(1);
  Shape batchA(sa->begin(), sa->end() - 2), batchB(sb->begin(), sb->end() - 2);
  Shape batch;
  if (!OpTrait::util::getBroadcastedShape(batchA, batchB, batch))
    return std::nullopt;
  if (!vecA)
    batch.push_back((*sa)[sa->size() - 2]);
  if (!vecB)
    batch.push_back(sb->back());
  return batch;
}

std::optional<Shape> slice(SliceOp op) {
  auto input = shapeOf(op.getData());
  auto starts = constantInts(op.getStarts()), ends = constantInts(op.getEnds());
  if (!input || !starts || !ends)
    return std::nullopt;
  Shape axes, steps(starts->size(), 1);
  if (op.getAxes()) {
    auto a = constantInts(op.getAxes());
    if (!a)
      return std::nullopt;
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (op.getSteps()) {
    auto s = constantInts(op.getSteps());
    if (!s)
      return std::nullopt;
    steps = *s;
  }
  Shape shape = *input;
  if (axes.size() != starts->size() || steps.size() != starts->size() ||
      ends->size() != starts->size())
    return std::nullopt;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normalizeAxis(axes[i], input->size());
    if (axis < 0 || axis >= int64_t(input->size()))
      return std::nullopt;
    int64_t dim = (*input)[axis], step = steps[i];
    if (step <= 0)
      return std::nullopt;
    auto clampIndex = [&](int64_t x) {
      if (x < 0)
        x += dim;
      return std::clamp<int64_t>(x, 0, dim);
    };
    int64_t begin = clampIndex((*starts)[i]), end = clampIndex((*ends)[i]);
    shape[axis] = end > begin ? (end - begin + step - 1) / step : 0;
  }
  return shape;
}

} // namespace

std::optional<Shape> inferStaticShape(Operation *op) {
  auto sameAsFirst = [&](Operation *o) { return shapeOf(o->getOperand(0)); };
  return llvm::TypeSwitch<Operation *, std::optional<Shape>>(op)
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp, EqualOp, LessOp, WhereOp>(
          [&](Operation *o) { return broadcast(o->getOperands()); })
      .Case<SqrtOp, NegOp, NotOp, ErfOp, TanhOp, SigmoidOp, ReluOp, CastOp,
            CumSumOp, IdentityOp, SoftmaxOp, LayerNormalizationOp, ClipOp,
            QuantizeLinearOp, DequantizeLinearOp>(sameAsFirst)
      .Case([&](ShapeOp o) -> std::optional<Shape> {
        auto type = llvm::dyn_cast<RankedTensorType>(o.getData().getType());
        if (!type)
          return std::nullopt;
        int64_t rank = type.getRank();
        auto clampIndex = [&](int64_t i) {
          return std::clamp<int64_t>(normalizeAxis(i, rank), 0, rank);
        };
        int64_t start = clampIndex(o.getStart().value_or(0));
        int64_t end = clampIndex(o.getEnd().value_or(rank));
        return Shape{std::max<int64_t>(end - start, 0)};
      })
      .Case([&](GatherOp o) -> std::optional<Shape> {
        auto data = shapeOf(o.getData()), indices = shapeOf(o.getIndices());
        if (!data || !indices)
          return std::nullopt;
        int64_t axis = normalizeAxis(o.getAxis(), data->size());
        if (axis < 0 || axis >= int64_t(data->size()))
          return std::nullopt;
        Shape shape(data->begin(), data->begin() + axis);
        shape.append(indices->begin(), indices->end());
        shape.append(data->begin() + axis + 1, data->end());
        return shape;
      })
      .Case([&](UnsqueezeOp o) -> std::optional<Shape> {
        auto data = shapeOf(o.getData());
        auto axes = constantInts(o.getAxes());
        if (!data || !axes)
          return std::nullopt;
        int64_t rank = data->size() + axes->size();
        Shape shape(rank, -1);
        for (int64_t a : *axes) {
          int64_t axis = normalizeAxis(a, rank);
          if (axis < 0 || axis >= rank || shape[axis] == 1)
            return std::nullopt; // out of range or repeated
          shape[axis] = 1;
        }
        auto next = data->begin();
        for (int64_t &d : shape)
          if (d == -1)
            d = *next++;
        return shape;
      })
      .Case([&](SqueezeOp o) -> std::optional<Shape> {
        auto data = shapeOf(o.getData());
        if (!data)
          return std::nullopt;
        Shape axes;
        if (o.getAxes()) {
          auto a = constantInts(o.getAxes());
          if (!a)
            return std::nullopt;
          for (int64_t x : *a) {
            int64_t axis = normalizeAxis(x, data->size());
            if (axis < 0 || axis >= int64_t(data->size()))
              return std::nullopt;
            axes.push_back(axis);
          }
        }
        Shape shape;
        for (auto [i, d] : llvm::enumerate(*data)) {
          bool drop =
              axes.empty() ? d == 1 : llvm::is_contained(axes, int64_t(i));
          if (!drop)
            shape.push_back(d);
        }
        return shape;
      })
      .Case([&](ConcatOp o) -> std::optional<Shape> {
        auto first = shapeOf(o.getInputs().front());
        if (!first)
          return std::nullopt;
        int64_t axis = normalizeAxis(o.getAxis(), first->size());
        Shape shape = *first;
        shape[axis] = 0;
        for (Value v : o.getInputs()) {
          auto s = shapeOf(v);
          if (!s || s->size() != shape.size())
            return std::nullopt;
          shape[axis] += (*s)[axis];
        }
        return shape;
      })
      .Case([&](SliceOp o) { return slice(o); })
      .Case([&](ExpandOp o) -> std::optional<Shape> {
        auto input = shapeOf(o.getInput());
        auto target = constantInts(o.getShape());
        Shape shape;
        if (!input || !target ||
            !OpTrait::util::getBroadcastedShape(*input, *target, shape))
          return std::nullopt;
        return shape;
      })
      .Case([&](ConstantOfShapeOp o) { return constantInts(o.getInput()); })
      .Case([&](RangeOp o) -> std::optional<Shape> {
        auto number = [](Value v) -> std::optional<double> {
          DenseElementsAttr attr;
          if (!matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
            return std::nullopt;
          if (llvm::isa<FloatType>(attr.getElementType()))
            return (*attr.getValues<APFloat>().begin()).convertToDouble();
          return double((*attr.getValues<APInt>().begin()).getSExtValue());
        };
        auto start = number(o.getStart()), limit = number(o.getLimit()),
             delta = number(o.getDelta());
        if (!start || !limit || !delta || *delta == 0)
          return std::nullopt;
        return Shape{std::max<int64_t>(
            0, int64_t(std::ceil((*limit - *start) / *delta)))};
      })
      .Case([&](ReshapeOp o) { return reshape(o); })
      .Case([&](TransposeOp o) -> std::optional<Shape> {
        auto input = shapeOf(o.getData());
        if (!input)
          return std::nullopt;
        Shape shape;
        if (std::optional<ArrayRef<int64_t>> perm = o.getPerm())
          for (int64_t p : *perm)
            shape.push_back((*input)[p]);
        else
          shape.assign(input->rbegin(), input->rend());
        return shape;
      })
      .Case([&](ReduceMeanOp o) -> std::optional<Shape> {
        auto input = shapeOf(o.getData());
        if (!input)
          return std::nullopt;
        Shape axes;
        if (std::optional<ArrayRef<int64_t>> attr = o.getAxes())
          for (int64_t a : *attr)
            axes.push_back(normalizeAxis(a, input->size()));
        Shape shape;
        for (int64_t a : axes)
          if (a < 0 || a >= int64_t(input->size()))
            return std::nullopt;
        for (auto [i, d] : llvm::enumerate(*input)) {
          bool reduced = axes.empty() || llvm::is_contained(axes, int64_t(i));
          if (!reduced)
            shape.push_back(d);
          else if (o.getKeepdims())
            shape.push_back(1);
        }
        return shape;
      })
      .Case([&](MatMulOp o) { return matmul(o.getA(), o.getB()); })
      .Case([&](GemmOp o) -> std::optional<Shape> {
        auto a = shapeOf(o.getA()), b = shapeOf(o.getB());
        if (!a || !b)
          return std::nullopt;
        return Shape{o.getTransA() ? (*a)[1] : (*a)[0],
                     o.getTransB() ? (*b)[0] : (*b)[1]};
      })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace bnbert::onnxir
