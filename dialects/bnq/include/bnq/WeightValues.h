//===- WeightValues.h - the f32 values behind a weight op -------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One decoder for every consumer that needs a weight's numbers (the
// reference executor, the ONNX exporter, the bundle writer), so the
// quantized formats are interpreted in exactly one place.
//
//===----------------------------------------------------------------------===//
#ifndef BNQ_WEIGHTVALUES_H
#define BNQ_WEIGHTVALUES_H

#include "mlir/IR/Operation.h"

#include <vector>

namespace bnbert::bnq {

/// The row-major [N, K] f32 planes of the weight `op` produces, whose sum is
/// the weight: an f32 `arith.constant` (1 plane), `quant_weight` (1:
/// scale * values), `bitplane_weight` (P: scale_p * plane_p) or
/// `packed_weight` (P, decoded). With `preferLatent`, ops that keep their
/// latent f32 values return those instead (1 plane, or P halves).
/// Fails for other ops or unreadable storage.
mlir::FailureOr<std::vector<std::vector<float>>>
weightPlanes(mlir::Operation *op, bool preferLatent = false);

/// The weight itself: the sum of its planes.
mlir::FailureOr<std::vector<float>> weightValues(mlir::Operation *op);

} // namespace bnbert::bnq

#endif // BNQ_WEIGHTVALUES_H
