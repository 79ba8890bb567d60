//===- WeightValues.cpp - the f32 values behind a weight op ---------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnq/WeightValues.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "bnrt/bitpack.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace bnbert::bnq {

namespace {
using Planes = std::vector<std::vector<float>>;

/// `values` [P * size] (or [size]) split into planes of `size`.
FailureOr<Planes> splitPlanes(ElementsAttr attr, int64_t size) {
  auto values = getElementValues<float>(attr);
  if (failed(values) || size <= 0 || values->size() % size != 0)
    return failure();
  Planes planes(values->size() / size, std::vector<float>(size));
  for (size_t p = 0; p < planes.size(); ++p)
    for (int64_t i = 0; i < size; ++i)
      planes[p][i] = (*values)[p * size + i];
  return planes;
}
} // namespace

FailureOr<Planes> weightPlanes(Operation *op, bool preferLatent) {
  if (!op || op->getNumResults() != 1)
    return failure();
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return failure();
  int64_t size = type.getNumElements();
  int64_t cols = type.getRank() ? type.getShape().back() : 1;
  int64_t rows = size / std::max<int64_t>(cols, 1);
  ElementsAttr constant;
  if (matchPattern(op->getResult(0), m_Constant(&constant)))
    return splitPlanes(constant, size);
  if (auto w = llvm::dyn_cast<QuantWeightOp>(op)) {
    if (preferLatent && w.getLatentAttr())
      return splitPlanes(w.getLatentAttr(), size);
    auto values = getElementValues<int8_t>(w.getValues());
    auto scale = getElementValues<float>(w.getScale());
    if (failed(values) || failed(scale))
      return failure();
    Planes planes(1, std::vector<float>(size));
    for (int64_t i = 0; i < size; ++i)
      planes[0][i] = (scale->size() == 1 ? (*scale)[0] : (*scale)[i / cols]) *
                     (*values)[i];
    return planes;
  }
  if (auto w = llvm::dyn_cast<BitplaneWeightOp>(op)) {
    if (preferLatent && w.getLatentAttr())
      return splitPlanes(w.getLatentAttr(), size);
    auto signs = getElementValues<int8_t>(w.getPlanes());
    auto scales = getElementValues<float>(w.getScales());
    if (failed(signs) || failed(scales))
      return failure();
    int64_t count = w.getPlanes().getShapedType().getDimSize(0);
    int64_t groups = w.getScales().getShapedType().getDimSize(1);
    Planes planes(count, std::vector<float>(size));
    for (int64_t p = 0; p < count; ++p)
      for (int64_t i = 0; i < size; ++i)
        planes[p][i] = (*scales)[p * groups + (groups == 1 ? 0 : i / cols)] *
                       (*signs)[p * size + i];
    return planes;
  }
  if (auto w = llvm::dyn_cast<PackedWeightOp>(op)) {
    auto bits = getElementValues<int64_t>(w.getBits());
    auto scales = getElementValues<float>(w.getScales());
    if (failed(bits) || failed(scales))
      return failure();
    int64_t count = w.getBits().getShapedType().getDimSize(0);
    int64_t groups = w.getScales().getShapedType().getDimSize(1);
    int64_t words = bnrt_bitpack_row_words(cols);
    std::vector<uint64_t> raw(bits->size());
    for (int64_t i = 0; i < bits->size(); ++i)
      raw[i] = static_cast<uint64_t>((*bits)[i]);
    Planes planes(count, std::vector<float>(size));
    for (int64_t p = 0; p < count; ++p)
      for (int64_t n = 0; n < rows; ++n)
        for (int64_t k = 0; k < cols; ++k)
          planes[p][n * cols + k] =
              (*scales)[p * groups + (groups == 1 ? 0 : n)] *
              bnrt_bitpack_sign(raw.data() + (p * rows + n) * words, k);
    return planes;
  }
  return failure();
}

FailureOr<std::vector<float>> weightValues(Operation *op) {
  auto planes = weightPlanes(op);
  if (failed(planes) || planes->empty())
    return failure();
  std::vector<float> sum = (*planes)[0];
  for (size_t p = 1; p < planes->size(); ++p)
    for (size_t i = 0; i < sum.size(); ++i)
      sum[i] += (*planes)[p][i];
  return sum;
}

} // namespace bnbert::bnq
