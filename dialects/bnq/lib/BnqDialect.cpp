//===- BnqDialect.cpp - bnq dialect registration ----------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnq/BnqDialect.h"
#include "bnq/BnqOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace bnbert::bnq;

#include "bnq/BnqDialect.cpp.inc"
#include "bnq/BnqEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "bnq/BnqAttrs.cpp.inc"

void BnqDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "bnq/BnqAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "bnq/BnqOps.cpp.inc"
      >();
}
