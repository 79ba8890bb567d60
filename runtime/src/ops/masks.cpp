//===- masks.cpp - PositionIds and LengthMask: derived from the input ids -===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "op_kernel.h"

namespace bnrt {
namespace {

// ids [B, S] i32/i64 -> i64 [B, S]: padding_idx + running count of
// non-padding tokens, padding_idx at padding (RoBERTa's position ids).
void checkPositionIds(const OpCheck &c) {
  c.arity(1, 1, 1);
  if (c.op.options_as_PositionIdsOptions()->padding_idx() < 0)
    c.fail("padding_idx is negative");
  if ((c.dtype(c.in[0]) != fb::DType::I32 &&
       c.dtype(c.in[0]) != fb::DType::I64) ||
      c.dtype(c.out[0]) != fb::DType::I64)
    c.fail("needs i32/i64 ids and an i64 result");
  if (c.shape(c.in[0]).size() != 2 || c.shape(c.out[0]) != c.shape(c.in[0]))
    c.fail("needs ids [B, S] and a result of their shape");
}

void runPositionIds(const fb::Op &op, const std::vector<View> &in,
                    const std::vector<View> &out, OpContext &) {
  int64_t batch = out[0].shape[0], seq = out[0].shape[1];
  int64_t pad = op.options_as_PositionIdsOptions()->padding_idx();
  for (int64_t b = 0; b < batch; ++b) {
    int64_t count = 0;
    for (int64_t j = 0; j < seq; ++j) {
      bool padding = in[0].intAt(b * seq + j) == pad;
      count += padding ? 0 : 1;
      static_cast<int64_t *>(out[0].data)[b * seq + j] =
          padding ? pad : pad + count;
    }
  }
}

// lengths [B] -> [B, S]: 0 before each length, filter_value after.
void checkLengthMask(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.out[0]});
  if (c.shape(c.in[0]).size() != 1 || c.shape(c.out[0]).size() != 2 ||
      c.shape(c.out[0])[0] != c.shape(c.in[0])[0])
    c.fail("needs lengths [B] and a [B, S] result");
}

void runLengthMask(const fb::Op &op, const std::vector<View> &in,
                   const std::vector<View> &out, OpContext &) {
  int64_t batch = out[0].shape[0], seq = out[0].shape[1];
  float filter = op.options_as_LengthMaskOptions()->filter_value();
  for (int64_t b = 0; b < batch; ++b) {
    double length = in[0].numberAt(b);
    for (int64_t j = 0; j < seq; ++j)
      out[0].f32()[b * seq + j] = double(j) < length ? 0.0f : filter;
  }
}

} // namespace

extern const OpKernel kPositionIdsOp = {fb::OpCode::PositionIds,
                                        fb::OpOptions::PositionIdsOptions,
                                        checkPositionIds, runPositionIds};
extern const OpKernel kLengthMaskOp = {fb::OpCode::LengthMask,
                                       fb::OpOptions::LengthMaskOptions,
                                       checkLengthMask, runLengthMask};

} // namespace bnrt
