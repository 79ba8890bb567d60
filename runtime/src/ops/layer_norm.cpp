//===- layer_norm.cpp - LayerNorm over the last axis ----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../scratch.h"
#include "bnrt/integer_nonlinear.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

namespace bnrt {
namespace {

// x [..., H], gamma [H], beta [H], residual? [..., H] -> [..., H]
void check(const OpCheck &c) {
  c.arity(3, 4, 1);
  c.needF32({c.in[0], c.in[1], c.in[2], c.out[0]});
  c.sameShape(c.in[0], c.out[0]);
  if (c.in.size() == 4) {
    c.needF32({c.in[3]});
    c.sameShape(c.in[3], c.in[0]);
  }
  const auto &x = c.shape(c.in[0]);
  if (x.empty() || c.shape(c.in[1]) != std::vector<int64_t>{x.back()} ||
      c.shape(c.in[2]) != c.shape(c.in[1]))
    c.fail("gamma and beta must be [H]");
  if (c.op.options_as_LayerNormOptions()->integer() &&
      x.back() > integer::kMaxLayerNormWidth)
    c.fail("the integer LayerNorm takes rows of at most " +
           std::to_string(integer::kMaxLayerNormWidth) + " values");
}

/// Normalizes rows [r0, r1) of x (plus the residual's, when there is one:
/// each row's sum goes through an L1 row, never to memory).
template <typename Normalize>
void normalizeRows(const std::vector<View> &in, const View &out, int64_t r0,
                   int64_t r1, const VecKernels &vec, Normalize normalize) {
  int64_t h = in[0].shape.back();
  if (in.size() < 4) {
    normalize(in[0].f32() + r0 * h, out.f32() + r0 * h, r1 - r0);
    return;
  }
  auto *sum = threadScratch<float>(ScratchSlot::NormRow, h);
  for (int64_t r = r0; r < r1; ++r) {
    vec.add(in[0].f32() + r * h, in[3].f32() + r * h, sum, h);
    normalize(sum, out.f32() + r * h, 1);
  }
}

void run(const fb::Op &op, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  float epsilon = op.options_as_LayerNormOptions()->epsilon();
  const VecKernels &vec = vecKernels(ctx.isa);
  int64_t h = in[0].shape.back();
  const float *gamma = in[1].f32(), *beta = in[2].f32();
  if (op.options_as_LayerNormOptions()->integer()) {
    int64_t variance = integer::varianceEpsilon(epsilon);
    chunked(
        ctx.pool, in[0].numElements() / h,
        [&](int64_t r0, int64_t r1) {
          auto *work = threadScratch<int32_t>(ScratchSlot::FixedPointRow, h);
          normalizeRows(in, out[0], r0, r1, vec,
                        [&](const float *x, float *y, int64_t rows) {
                          vec.integerLayerNorm(x, gamma, beta, y, rows, h,
                                               variance, work);
                        });
        },
        h);
    return;
  }
  chunked(
      ctx.pool, in[0].numElements() / h,
      [&](int64_t r0, int64_t r1) {
        normalizeRows(in, out[0], r0, r1, vec,
                      [&](const float *x, float *y, int64_t rows) {
                        vec.layerNorm(x, gamma, beta, y, rows, h, epsilon);
                      });
      },
      h);
}

} // namespace

extern const OpKernel kLayerNormOp = {
    fb::OpCode::LayerNorm, fb::OpOptions::LayerNormOptions, check, run};

} // namespace bnrt
