//===- op_kernel.h - one entry per runtime op -------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every op code of the bundle schema has one OpKernel, defined in its own
// file under runtime/src/ops/ and listed once in op_table.cpp: its load-time
// check (against what the kernel reads), the options table it carries, the
// weight repacking it wants for an ISA, and its run function. The loader
// and the run loop (model.cpp) only look ops up here.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_OPS_OP_KERNEL_H
#define BNRT_SRC_OPS_OP_KERNEL_H

#include "../aligned_vector.h"
#include "../ops.h"
#include "status.h"

#include <initializer_list>
#include <string>
#include <vector>

namespace bnrt {

/// What an op's load-time check sees: the dtypes and (validated) shapes of
/// its operands, its options, and which op produced each operand. `fail`
/// throws the load error, labelled with the op.
class OpCheck {
public:
  OpCheck(const fb::Bundle &bundle, const fb::Op &op,
          const std::vector<std::vector<int64_t>> &shapes,
          const std::vector<int32_t> &producers, std::string label);

  const fb::Op &op;
  std::vector<int32_t> in, out; // value ids

  [[noreturn]] void fail(const std::string &why) const;
  fb::DType dtype(int32_t id) const;
  const std::vector<int64_t> &shape(int32_t id) const { return shapes[id]; }
  int64_t count(int32_t id) const;
  std::string valueLabel(int32_t id) const;
  /// The op that writes value `id`, or null (a constant or an input).
  const fb::Op *producer(int32_t id) const;

  void arity(size_t minInputs, size_t maxInputs, size_t results) const;
  void needF32(std::initializer_list<int32_t> ids) const;
  void sameShape(int32_t a, int32_t b) const;
  /// A quantization scale: one, or one per sequence (dim 0 of `x`).
  bool sequenceScale(int32_t scale, const std::vector<int64_t> &x) const;
  /// `s` with its last dimension replaced (fails on rank 0).
  std::vector<int64_t> withLast(std::vector<int64_t> s, int64_t last) const;
  /// The operands of a GEMM with packed sign planes (LinearBits,
  /// LinearBitsF32): x [..., K], bits i64 [P, N, W], plane scales
  /// [P, 1 | N], bias [N] (`bias` < 0: none) and the result [..., N].
  void bitPlaneGemm(int32_t x, int32_t bits, int32_t alpha, int32_t bias) const;

private:
  const fb::Bundle &bundle;
  const std::vector<std::vector<int64_t>> &shapes;
  const std::vector<int32_t> &producers;
  std::string label;
};

/// Runs one op on views the check accepted. Throws an Error only for
/// data-dependent failures (an id outside a table), on the calling thread.
using OpRunFn = void (*)(const fb::Op &op, const std::vector<View> &in,
                         const std::vector<View> &out, OpContext &ctx);
/// The op's GEMM weights repacked for `isa` from its bound operands.
using OpPackFn = void (*)(const fb::Op &op, const std::vector<View> &in,
                          int isa, AlignedVector<uint64_t> &packed);

struct OpKernel {
  fb::OpCode code;
  fb::OpOptions options; // the options table ops of this code carry
  void (*check)(const OpCheck &check);
  OpRunFn run;
  OpPackFn pack = nullptr; // null: operands are read as stored
  // Ops of this code may carry no options (then the defaults apply):
  // options that only newer writers add.
  bool optionsOptional = false;
};

/// The table entry of `code`; null for a code this runtime does not know.
const OpKernel *opKernel(fb::OpCode code);

/// The op code's name ("LinearBits"), "unknown" outside the schema.
const char *opCodeName(fb::OpCode code);

} // namespace bnrt

#endif // BNRT_SRC_OPS_OP_KERNEL_H
