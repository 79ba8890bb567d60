//===- RaiseUtils.cpp - matching helpers shared by the raising patterns ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "RaiseUtils.h"
#include "bnq/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <vector>

using namespace mlir;

namespace bnbert::raise {

ElementsAttr constantOf(Value v) {
  ElementsAttr attr;
  if (v && matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

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

bool isScalar(Value v, double expected, double tolerance) {
  auto s = scalarOf(v);
  return s && std::fabs(*s - expected) <= tolerance;
}

RankedTensorType staticType(Value v) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

bool isF32(Value v) { return getElementTypeOrSelf(v.getType()).isF32(); }

/// A constant of `values` with `type`, in a resource blob named after
/// `source`'s blob (plus `suffix`) when `source` was one.
static Value makeConstant(PatternRewriter &rewriter, Location loc,
                          RankedTensorType type, ArrayRef<float> values,
                          ElementsAttr source, StringRef suffix) {
  ElementsAttr attr;
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(source)) {
    // A weight several MatMuls read (ALBERT shares one layer's weights by
    // all layers) is transposed into one blob, not one per use.
    std::string key = (resource.getRawHandle().getKey() + suffix).str();
    MLIRContext *context = rewriter.getContext();
    auto &blobs = DenseResourceElementsHandle::getManagerInterface(context)
                      .getBlobManager();
    ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                         values.size() * sizeof(float));
    auto *entry = blobs.lookup(key);
    if (entry && entry->getBlob() && entry->getBlob()->getData() == bytes)
      attr = DenseResourceElementsAttr::get(
          type, DenseResourceElementsHandle(
                    entry, context->getLoadedDialect<BuiltinDialect>()));
    else
      attr = DenseResourceElementsAttr::get(
          type, key, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  } else {
    attr = DenseElementsAttr::get(type, values);
  }
  return rewriter.create<arith::ConstantOp>(loc, type, attr);
}

Value transposedColumns(PatternRewriter &rewriter, Location loc, ElementsAttr w,
                        int64_t begin, int64_t count) {
  auto type = llvm::cast<RankedTensorType>(w.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  auto values = bnq::getElementValues<float>(w);
  if (failed(values) || begin < 0 || count <= 0 || begin + count > n)
    return {};
  std::vector<float> t(k * count);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < count; ++j)
      t[j * k + i] = (*values)[i * n + begin + j];
  std::string suffix = count == n ? "_t" : "_t" + std::to_string(begin / count);
  return makeConstant(rewriter, loc,
                      RankedTensorType::get({count, k}, rewriter.getF32Type()),
                      t, w, suffix);
}

Value transposedWeight(PatternRewriter &rewriter, Location loc,
                       ElementsAttr w) {
  auto type = llvm::cast<RankedTensorType>(w.getType());
  return transposedColumns(rewriter, loc, w, 0, type.getDimSize(1));
}

Value vectorSlice(PatternRewriter &rewriter, Location loc, ElementsAttr v,
                  int64_t begin, int64_t count) {
  auto values = bnq::getElementValues<float>(v);
  if (failed(values) || begin < 0 || count <= 0 ||
      begin + count > static_cast<int64_t>(values->size()))
    return {};
  std::vector<float> slice(count);
  for (int64_t i = 0; i < count; ++i)
    slice[i] = (*values)[begin + i];
  return makeConstant(rewriter, loc,
                      RankedTensorType::get({count}, rewriter.getF32Type()),
                      slice, v, "_" + std::to_string(begin / count));
}

Value floatConstant(PatternRewriter &rewriter, Location loc, float value,
                    ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  return rewriter.create<arith::ConstantOp>(
      loc, type, DenseElementsAttr::get(type, value));
}

ElementsAttr matmulWeight(onnxir::MatMulOp matmul) {
  ElementsAttr w = constantOf(matmul.getB());
  auto type =
      w ? llvm::dyn_cast<RankedTensorType>(w.getType()) : RankedTensorType();
  if (!type || type.getRank() != 2 || !type.getElementType().isF32())
    return {};
  return w;
}

mlir::FailureOr<std::vector<int64_t>> integerValues(mlir::ElementsAttr attr) {
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(attr);
  auto type = dense ? llvm::dyn_cast<IntegerType>(dense.getElementType())
                    : IntegerType();
  if (!type)
    return failure();
  std::vector<int64_t> values;
  values.reserve(dense.getNumElements());
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(type.isUnsigned() ? int64_t(v.getZExtValue())
                                       : v.getSExtValue());
  return values;
}

bool isSupportedCast(Value input, Value output) {
  Type from = getElementTypeOrSelf(input);
  Type to = getElementTypeOrSelf(output);
  return (to.isF32() || to.isSignlessInteger(32) || to.isSignlessInteger(64)) &&
         (from.isSignlessInteger() || from.isF32()) && staticType(output);
}

} // namespace bnbert::raise
