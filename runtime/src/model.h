//===- model.h - a loaded model ----------------------------------*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnrt_model is what loading produces and runs only read: the validated
// program, the constants, the weights repacked for the ISA, the shape
// ranges. One run's state is a bnrt_context (context.h); many contexts of
// one model run at the same time, each on its own thread.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_MODEL_H
#define BNRT_SRC_MODEL_H

#include "bnrt.h"
#include "ops/op_kernel.h"
#include "status.h"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnrt {

using Shapes = std::vector<std::vector<int64_t>>;

/// Operand views of every op over one arena, and which of them point at
/// the caller's input/output buffers (re-pointed per run).
struct ProgramViews {
  std::vector<std::vector<View>> opInputs, opOutputs;
  struct Io {
    View *view;
    int32_t value;
  };
  std::vector<Io> io;
};

} // namespace bnrt

struct bnrt_model {
  // The bundle's bytes (not zeroed first: a float bundle is hundreds of
  // MB), at a 64-byte aligned start `buf` within `storage`.
  std::unique_ptr<uint8_t[]> storage;
  uint8_t *buf = nullptr;
  size_t size = 0;
  const bnrt::fb::Bundle *bundle = nullptr;
  const uint8_t *data = nullptr; // constants: in the bundle, or an AOT
  int64_t dataSize = 0;          // object's global (externalData)
  const uint8_t *externalData = nullptr;
  int64_t externalDataSize = 0;
  std::vector<const bnrt::OpKernel *> kernels; // per op
  bnrt::Shapes shapes;                         // per value, at the bound
  std::vector<int32_t> producers;              // per value: op index or -1
  std::vector<int32_t> inputs, outputs;        // value ids
  int maskInput = -1; // the input named attention_mask (not bool), checked
                      // to hold 0 and 1 only on every run
  std::vector<bnrt::AlignedVector<uint64_t>> packed; // per op (GEMM weights)
  bnrt_isa isa = BNRT_ISA_SCALAR;

  // Shape ranges (bundle.fbs Symbol): per symbol its range, per value and
  // dimension the powers of the symbols its size is a product of.
  struct Symbol {
    std::string name;
    int64_t min, max;
  };
  std::vector<Symbol> symbols;
  std::vector<std::vector<uint8_t>> dimPowers;       // per value; empty: fixed
  std::vector<std::vector<int64_t>> dimCoefficients; // per value, per dim
  struct InputDim {
    int symbol; // -1: fixed
  };
  std::vector<std::vector<InputDim>> inputDims; // per input

  // bnrt_model_run's context, made on demand (context.cpp); freed through
  // the C API, so the model needs no more of a context than its name.
  std::once_flag ownContextOnce;
  std::unique_ptr<bnrt_context, void (*)(bnrt_context *)> ownContext{
      nullptr, bnrt_context_free};

  ~bnrt_model();

  /// Room for `n` bytes of a bundle at a 64-byte aligned `buf` (returned),
  /// with 64 to spare: load() may move them by up to 63 bytes to align the
  /// constants.
  uint8_t *reserveBytes(size_t n);
  /// Copies `n` bytes into reserveBytes(n).
  void setBytes(const void *bytes, size_t n);
  void load();
  /// Moves the bytes within `storage` so the constants start on a 64-byte
  /// line (bundles written before the writer aligned them start at 32).
  void alignConstants();
  /// Every value's shape when the symbols take `sizes` (one per symbol).
  void shapesAt(const std::vector<int64_t> &sizes, bnrt::Shapes &out) const;
  /// Runs every op's check on `shapes`; throws an Error (BNRT_ERROR_INVALID)
  /// naming the op.
  void checkOps(const bnrt::Shapes &shapes) const;
  /// Views of every operand over `arena` (null: constants only).
  void buildViews(const bnrt::Shapes &shapes, uint8_t *arena,
                  bnrt::ProgramViews &views) const;
  void prepack();
  std::string opLabel(int index) const;
  /// A value's name ("" when the bundle has none).
  std::string valueName(int32_t id) const {
    auto name = bundle->values()->Get(id)->name();
    return name ? name->str() : "";
  }

private:
  void validateValues();
  void validateRanges();
  void validateOp(int index, const bnrt::fb::Op &op);
};

namespace bnrt {

/// Input or output i's value id, or -1 (NULL model, index out of range).
int32_t ioId(const bnrt_model *m, int i, bool input);

/// A shape query's answer: the rank, and the dimensions to dims[0 ..]
/// when dims is not NULL and capacity >= rank.
int writeShape(const std::vector<int64_t> &shape, int64_t *dims, int capacity);

} // namespace bnrt

#endif // BNRT_SRC_MODEL_H
