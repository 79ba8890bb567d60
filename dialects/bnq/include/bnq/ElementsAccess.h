//===- ElementsAccess.h - read weight attributes of any storage -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Weights arrive as DenseElementsAttr (small tests, splats) or as
// DenseResourceElementsAttr (real models, imported without copying). Passes
// and verifiers read both through ElementValues, which never copies.
//
//===----------------------------------------------------------------------===//
#ifndef BNQ_ELEMENTSACCESS_H
#define BNQ_ELEMENTSACCESS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace bnbert::bnq {

/// A read-only view of an elements attribute's values as T.
template <typename T> struct ElementValues {
  llvm::ArrayRef<T> data; // empty when the attribute is a splat
  T splatValue{};
  int64_t numElements = 0;

  T operator[](int64_t i) const { return data.empty() ? splatValue : data[i]; }
  int64_t size() const { return numElements; }
};

/// Raw bytes of an elements attribute: `isSplat` is set when `bytes` holds a
/// single element. Fails when the storage is unavailable (elided resource)
/// or the element width is not `elementBytes`.
mlir::LogicalResult getRawElementBytes(mlir::ElementsAttr attr,
                                       unsigned elementBytes,
                                       llvm::ArrayRef<char> &bytes,
                                       bool &isSplat);

/// Views `attr` as values of T (int8_t, int64_t, float, ...). The caller
/// checks the element type; this checks only the storage width.
template <typename T>
mlir::FailureOr<ElementValues<T>> getElementValues(mlir::ElementsAttr attr) {
  static_assert(std::is_trivially_copyable_v<T>);
  llvm::ArrayRef<char> bytes;
  bool isSplat = false;
  if (mlir::failed(getRawElementBytes(attr, sizeof(T), bytes, isSplat)))
    return mlir::failure();
  ElementValues<T> values;
  values.numElements = attr.getNumElements();
  if (isSplat) {
    std::memcpy(&values.splatValue, bytes.data(), sizeof(T));
  } else {
    values.data = llvm::ArrayRef<T>(reinterpret_cast<const T *>(bytes.data()),
                                    values.numElements);
  }
  return values;
}

} // namespace bnbert::bnq

#endif // BNQ_ELEMENTSACCESS_H
