//===- Compile.h - an ONNX model to a bundle, as one call -------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The compiler's policy in one place, callable from C++ (bnbert-compile
// only parses flags into a CompileRequest and writes what this returns):
// which flags go together, the stored-quantization rules (a model that
// already stores quantized weights or activation clips is deployed as it
// is, and the flags that would re-quantize it are refused), the stage
// sequence (import, raise, quantize, lower, write), and the shape range's
// second compile at the probe shapes (ShapeRange.h; docs/bundle.md says
// why a range is compiled twice rather than carried symbolically).
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_DRIVER_COMPILE_H
#define BNBERT_DRIVER_COMPILE_H

#include "bnbert/Transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnbert {

enum class EmitKind { Bundle, Object, Mlir, Graph };

/// What to compile and how. An option left unset (nullopt) was not asked
/// for: the model then decides (a float model: binary weights, 8-bit
/// activations, per-tensor scales; a quantized one: as it stores them).
struct CompileRequest {
  std::string input;               ///< the ONNX file
  std::vector<std::string> shapes; ///< NAME=DxD or NAME=LO..HIxLO..HI
  std::optional<QuantizationRecipe::Weights> weights;
  bool splitTernary = false;
  std::optional<int> actBits; ///< 32: float activations
  std::optional<quant::Granularity> granularity;
  /// GELU, softmax and layer norm in I-BERT's integer forms (also when the
  /// model's metadata says it was trained with them).
  bool integerNonlinear = false;
  std::string target; ///< x86_64 or aarch64; empty: this machine's
  EmitKind emit = EmitKind::Bundle;
  std::string aotName; ///< EmitKind::Object: the symbols' C prefix
  /// The bundle's text section: a tokenizer file, its casing, label names.
  std::optional<std::string> tokenizerFile;
  bool cased = false;
  std::optional<std::string> labels; ///< comma-separated, in logit order
  /// Also output every layer norm's result (fp32 bundles at fixed shapes).
  bool exposeLayerNorms = false;
  /// Where the per-weight size table goes (null: not written).
  llvm::raw_ostream *report = nullptr;
  /// Where "[bnbert-compile] STAGE ... 0.12 s" lines go (null: nowhere).
  llvm::raw_ostream *progress = nullptr;
};

struct CompileResult {
  std::vector<uint8_t> bytes; ///< the bundle, object, graph file or MLIR
  std::string header;         ///< EmitKind::Object: its C header
};

/// Loads the dialects compileModel needs into `context`, and makes its
/// diagnostics name an op and its ONNX node without printing the op.
void prepareCompileContext(mlir::MLIRContext &context);

/// Compiles `request` in `context` (prepared by prepareCompileContext). On
/// failure `error` is one line for the user, or empty when a diagnostic naming
/// the op and its ONNX node was already emitted through `context`.
mlir::FailureOr<CompileResult> compileModel(const CompileRequest &request,
                                            mlir::MLIRContext &context,
                                            std::string &error);

} // namespace bnbert

#endif // BNBERT_DRIVER_COMPILE_H
