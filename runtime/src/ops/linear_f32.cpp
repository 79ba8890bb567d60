//===- linear_f32.cpp - LinearF32: the float GEMM -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/kernels.h"
#include "op_kernel.h"

namespace bnrt {
namespace {

bool panels(const fb::Op &op) {
  const auto *options = op.options_as_LinearF32Options();
  return options && options->weight_panels();
}

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

// bnrt_sgemm: one summation order on every ISA and any thread count. The
// weight's bytes are [N, K] rows, or in the GEMM's panel layout when the
// bundle says so (format 5).
void run(const fb::Op &op, const std::vector<View> &in,
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
                       n,
                       panels(op) ? BNRT_SGEMM_W_PANELS : BNRT_SGEMM_W_ROWS};
  bnrt_sgemm_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
}

} // namespace

// Without options (format <= 4, or a weight computed at run time): rows.
extern const OpKernel kLinearF32Op = {fb::OpCode::LinearF32,
                                      fb::OpOptions::LinearF32Options,
                                      check,
                                      run,
                                      nullptr,
                                      true};

} // namespace bnrt
