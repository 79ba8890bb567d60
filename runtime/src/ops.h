//===- ops.h - the runtime's non-GEMM kernels (portable C++) ----*- C++ -*-===//
//
// Each op of the bundle program (docs/bundle.md) as a function on tensor
// views whose shapes the loader has already validated; kernels trust them.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_OPS_H
#define BNRT_SRC_OPS_H

#include "bnrt/bundle_generated.h"

#include <cstdint>
#include <string>
#include <vector>

struct bnrt_threads;

namespace bnrt {

/// The largest tensor rank the runtime handles (the loader rejects more).
constexpr size_t kMaxRank = 8;

struct View {
  fb::DType dtype;
  std::vector<int64_t> shape;
  void *data;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  float *f32() const { return static_cast<float *>(data); }
  int8_t *i8() const { return static_cast<int8_t *>(data); }
  /// Element i of an integer (or f32) tensor as int64.
  int64_t intAt(int64_t i) const;
  double numberAt(int64_t i) const;
};

/// What an op needs besides its operands.
struct OpContext {
  int isa = 0; // bnrt_isa
  ::bnrt_threads *pool = nullptr;
  const void *packedWeights = nullptr;    // this op's repacked GEMM weights
  std::vector<int8_t> *scratch = nullptr; // zero-padded GEMM activations
};

/// The GEMM weights of a LinearBits (bit planes, in `isa`'s layout) or
/// LinearI8 op (int8 [N, K], in the igemm layout) repacked from its bound
/// operands into `packed` (emptied for other ops and canonical layouts).
void packOpWeights(fb::OpCode code, const std::vector<View> &in, int isa,
                   std::vector<uint64_t> &packed);

/// The Attention op (float operands) and AttentionI8 (int8 codes and
/// scales of q, k, v); attention.cpp.
void attention(const std::vector<View> &in, const View &out, int64_t heads,
               int probBits, float scale, float probClip, OpContext &ctx);
void attentionI8(const std::vector<View> &in, const View &out, int64_t heads,
                 int probBits, float scale, float probClip, OpContext &ctx);

/// An op's code and attributes (from a bundle's fb::Op, or from the
/// constants an AOT object passes).
struct OpAttrs {
  fb::OpCode code;
  const int64_t *ints = nullptr;
  int64_t numInts = 0;
  const float *floats = nullptr;
  int64_t numFloats = 0;

  static OpAttrs of(const fb::Op &op) {
    OpAttrs a{op.code()};
    if (op.ints()) {
      a.ints = op.ints()->data();
      a.numInts = op.ints()->size();
    }
    if (op.floats()) {
      a.floats = op.floats()->data();
      a.numFloats = op.floats()->size();
    }
    return a;
  }
};

/// The op code's name ("LinearBits"), "unknown" outside the enum.
const char *opCodeName(fb::OpCode code);

/// Runs one op. `error` is set (and false returned) for data-dependent
/// failures only (an id outside a table).
bool runOp(const OpAttrs &op, const std::vector<View> &in,
           const std::vector<View> &out, OpContext &ctx, std::string &error);

} // namespace bnrt

#endif // BNRT_SRC_OPS_H
