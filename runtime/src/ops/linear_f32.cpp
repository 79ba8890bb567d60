//===- linear_f32.cpp - LinearF32: the float GEMM -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>

namespace bnrt {
namespace {

// x [..., K], weight [N, K], bias? [N] -> [..., N]
void check(const OpCheck &c) {
  c.arity(2, 3, 1);
  c.needF32({c.in[0], c.in[1], c.out[0]});
  const auto &w = c.shape(c.in[1]), &x = c.shape(c.in[0]);
  if (w.size() != 2 || x.empty() || x.back() != w[1] ||
      c.shape(c.out[0]) != c.withLast(x, w[0]))
    c.fail("needs x [..., K], weight [N, K], result [..., N]");
  if (c.in.size() == 3) {
    c.needF32({c.in[2]});
    if (c.shape(c.in[2]) != std::vector<int64_t>{w[0]})
      c.fail("bias must be [N]");
  }
}

// vec_kernels' lane-summed dots, split over weight rows.
bool run(const fb::Op &, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx, std::string &) {
  const View &x = in[0], &w = in[1];
  const float *bias = in.size() > 2 ? in[2].f32() : nullptr;
  int64_t k = x.shape.back(), n = w.shape[0], m = x.numElements() / k;
  const VecKernels &vec = vecKernels(ctx.isa);
  constexpr int64_t kTile = 64;
  parallelFor(ctx.pool, (n + kTile - 1) / kTile, [&](int64_t t) {
    vec.linear(x.f32(), w.f32(), bias, out[0].f32(), m, k, t * kTile,
               std::min(n, (t + 1) * kTile), n);
  });
  return true;
}

} // namespace

extern const OpKernel kLinearF32Op = {fb::OpCode::LinearF32,
                                      fb::OpOptions::NONE, check, run};

} // namespace bnrt
