//===- ElementsAccess.cpp -------------------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnq/ElementsAccess.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace bnbert::bnq {

LogicalResult getRawElementBytes(ElementsAttr attr, unsigned elementBytes,
                                 ArrayRef<char> &bytes, bool &isSplat) {
  Type elementType = attr.getElementType();
  if (!elementType.isIntOrFloat() ||
      elementType.getIntOrFloatBitWidth() != elementBytes * 8)
    return failure();
  size_t expected = static_cast<size_t>(attr.getNumElements()) * elementBytes;

  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    bytes = dense.getRawData();
    isSplat = dense.isSplat();
    return success(isSplat ? bytes.size() == elementBytes
                           : bytes.size() == expected);
  }
  if (auto resource = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    bytes = blob->getData();
    isSplat = false;
    return success(bytes.size() == expected);
  }
  return failure();
}

} // namespace bnbert::bnq
