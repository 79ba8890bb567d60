//===- GraphWriter.h - float bnq to the trainer's graph file ----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TARGET_GRAPHWRITER_H
#define BNBERT_TARGET_GRAPHWRITER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <vector>

namespace bnbert {

/// Serializes a raised float bnq function (static shapes, before any
/// quantization) as a graph file: an 8-byte little-endian header length, a
/// JSON header (inputs, outputs, ops in order with their operands, results,
/// attributes and ONNX node names; constants as byte ranges) and the
/// constants' raw little-endian bytes. python/bnbert/graph.py builds the
/// trainable PyTorch student from it (docs/training.md, "The graph file"),
/// so the trainer sees every model exactly as the compiler raised it.
/// Diagnostics name the op or attribute the format has no spelling for.
mlir::FailureOr<std::vector<uint8_t>> writeGraph(mlir::func::FuncOp func);

} // namespace bnbert

#endif // BNBERT_TARGET_GRAPHWRITER_H
