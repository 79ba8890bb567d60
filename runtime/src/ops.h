//===- ops.h - what every op kernel runs on ---------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Tensor views whose shapes the loader has already validated (kernels
// trust them) and the per-run context. The ops themselves: ops/*.cpp,
// one table entry each (ops/op_kernel.h).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_OPS_H
#define BNRT_SRC_OPS_H

#include "bnrt/bundle_generated.h"

#include <cstdint>
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

/// The Attention op (float operands), AttentionI8 (int8 codes and scales
/// of q, k, v) and AttentionBinary (float operands binarized by
/// `binarizers`: alpha, beta of q, k, v and P; its scale is in the logit
/// tables the op builds at load, ctx.packedWeights); ops/attention.cpp.
/// integerSoftmax: bnrt/integer_nonlinear.h's softmax on the logits.
void attention(const std::vector<View> &in, const View &out, int64_t heads,
               int probBits, float scale, float probClip, bool integerSoftmax,
               OpContext &ctx);
void attentionI8(const std::vector<View> &in, const View &out, int64_t heads,
                 int probBits, float scale, float probClip, bool integerSoftmax,
                 OpContext &ctx);
void attentionBinary(const std::vector<View> &in, const View &out,
                     int64_t heads, const float *binarizers, OpContext &ctx);

} // namespace bnrt

#endif // BNRT_SRC_OPS_H
