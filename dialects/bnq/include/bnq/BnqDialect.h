//===- BnqDialect.h - bnq dialect declaration -------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNQ_BNQDIALECT_H
#define BNQ_BNQDIALECT_H

#include "mlir/IR/Dialect.h"

#include "bnq/BnqDialect.h.inc"

#endif // BNQ_BNQDIALECT_H
