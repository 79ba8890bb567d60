//===- linear_f32.cpp - LinearF32: the float GEMM -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/kernels.h"
#include "op_kernel.h"

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

// bnrt_sgemm: one summation order on every ISA and any thread count.
void run(const fb::Op &, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  const View &x = in[0], &w = in[1];
  int64_t k = x.shape.back(), n = w.shape[0];
  bnrt_sgemm_args args{x.numElements() / k,
                       n,
                       k,
                       x.f32(),
                       k,
                       w.f32(),
                       k,
                       in.size() > 2 ? in[2].f32() : nullptr,
                       out[0].f32(),
                       n};
  bnrt_sgemm_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
}

} // namespace

extern const OpKernel kLinearF32Op = {fb::OpCode::LinearF32,
                                      fb::OpOptions::NONE, check, run};

} // namespace bnrt
