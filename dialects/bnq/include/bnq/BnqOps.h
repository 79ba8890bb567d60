//===- BnqOps.h - bnq operations --------------------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNQ_BNQOPS_H
#define BNQ_BNQOPS_H

#include "bnq/BnqDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "bnq/BnqEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "bnq/BnqAttrs.h.inc"

#define GET_OP_CLASSES
#include "bnq/BnqOps.h.inc"

#endif // BNQ_BNQOPS_H
