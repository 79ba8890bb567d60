//===- layer_norm.cpp - LayerNorm over the last axis ----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../scratch.h"
#include "bnrt/integer_nonlinear.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

namespace bnrt {
namespace {

// x [..., H], gamma [H], beta [H] -> [..., H]
void check(const OpCheck &c) {
  c.arity(3, 3, 1);
  c.needF32({c.in[0], c.in[1], c.in[2], c.out[0]});
  c.sameShape(c.in[0], c.out[0]);
  const auto &x = c.shape(c.in[0]);
  if (x.empty() || c.shape(c.in[1]) != std::vector<int64_t>{x.back()} ||
      c.shape(c.in[2]) != c.shape(c.in[1]))
    c.fail("gamma and beta must be [H]");
  if (c.op.options_as_LayerNormOptions()->integer() &&
      x.back() > integer::kMaxLayerNormWidth)
    c.fail("the integer LayerNorm takes rows of at most " +
           std::to_string(integer::kMaxLayerNormWidth) + " values");
}

void run(const fb::Op &op, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  float epsilon = op.options_as_LayerNormOptions()->epsilon();
  const VecKernels &vec = vecKernels(ctx.isa);
  int64_t h = in[0].shape.back();
  if (op.options_as_LayerNormOptions()->integer()) {
    int64_t variance = integer::varianceEpsilon(epsilon);
    chunked(
        ctx.pool, in[0].numElements() / h,
        [&](int64_t r0, int64_t r1) {
          auto *work = threadScratch<int32_t>(ScratchSlot::FixedPointRow, h);
          vec.integerLayerNorm(in[0].f32() + r0 * h, in[1].f32(), in[2].f32(),
                               out[0].f32() + r0 * h, r1 - r0, h, variance,
                               work);
        },
        h);
    return;
  }
  chunked(
      ctx.pool, in[0].numElements() / h,
      [&](int64_t r0, int64_t r1) {
        vec.layerNorm(in[0].f32() + r0 * h, in[1].f32(), in[2].f32(),
                      out[0].f32() + r0 * h, r1 - r0, h, epsilon);
      },
      h);
}

} // namespace

extern const OpKernel kLayerNormOp = {
    fb::OpCode::LayerNorm, fb::OpOptions::LayerNormOptions, check, run};

} // namespace bnrt
