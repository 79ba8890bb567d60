//===- Interpreter.h - reference executor for bnq functions -----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Runs a func.func of bnq/arith ops directly on host tensors, one op at a
// time, with the formulas of docs/dialect.md written out plainly (double
// accumulation, no tiling). It is the yardstick for passes and kernels:
// numerical claims are checked by running IR, not by reading it.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_EXEC_INTERPRETER_H
#define BNBERT_EXEC_INTERPRETER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <vector>

namespace bnbert::exec {

/// A dense row-major host tensor: float data for f32 values, integer data
/// (ids, i8 codes) otherwise.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  bool isInteger = false;

  static Tensor f32(std::vector<int64_t> shape, std::vector<float> data);
  static Tensor i64(std::vector<int64_t> shape, std::vector<int64_t> data);
  int64_t numElements() const;
};

/// Evaluates `func` on `arguments`. On failure (an unsupported op, a shape
/// that does not match, an id out of range) emits a diagnostic at the op and
/// returns failure.
mlir::FailureOr<std::vector<Tensor>> evaluate(mlir::func::FuncOp func,
                                              llvm::ArrayRef<Tensor> arguments);

} // namespace bnbert::exec

#endif // BNBERT_EXEC_INTERPRETER_H
