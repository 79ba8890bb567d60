//===- ModelQuantization.h - what a raised model quantizes itself -*- C++
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//-*-===//
#ifndef BNBERT_TRANSFORMS_MODELQUANTIZATION_H
#define BNBERT_TRANSFORMS_MODELQUANTIZATION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace bnbert {

/// The quantization a model carries after raising (QDQ in the ONNX file):
/// quantized weight producers and activation quantizers.
struct ModelQuantization {
  int64_t weights = 0;       // quant_weight / bitplane_weight / packed_weight
  std::string weightFormats; // e.g. "72 ternary, 1 int8"
  int64_t activations = 0;   // bnq.quantize and bnq.binarize ops
};

ModelQuantization findModelQuantization(mlir::func::FuncOp func);

} // namespace bnbert

#endif // BNBERT_TRANSFORMS_MODELQUANTIZATION_H
