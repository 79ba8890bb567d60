//===- linear_bits_f32.cpp - LinearBitsF32: float x packed sign planes ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The GEMM of weight-only quantized layers (binary, ternary, TWS weights
// with float activations): the weights stay 1 bit a sign (bnrt_bgemm_f32).
//
//===----------------------------------------------------------------------===//
#include "bnrt/kernels.h"
#include "op_kernel.h"

namespace bnrt {
namespace {

// x f32 [..., K], bits i64 [P, N, W], plane scales [P, 1 | N], bias? [N]
// -> [..., N]
void check(const OpCheck &c) {
  c.arity(3, 4, 1);
  c.needF32({c.in[0]});
  c.bitPlaneGemm(c.in[0], c.in[1], c.in[2], c.in.size() == 4 ? c.in[3] : -1);
}

bool run(const fb::Op &, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx, std::string &) {
  const View &x = in[0], &bits = in[1], &alpha = in[2];
  int64_t k = x.shape.back(), n = bits.shape[1];
  bnrt_bgemm_f32_args args{x.numElements() / k,
                           n,
                           k,
                           x.f32(),
                           k,
                           static_cast<const uint64_t *>(bits.data),
                           static_cast<int32_t>(bits.shape[0]),
                           alpha.f32(),
                           alpha.shape[1] != 1,
                           in.size() > 3 ? in[3].f32() : nullptr,
                           out[0].f32(),
                           n};
  bnrt_bgemm_f32_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
  return true;
}

} // namespace

extern const OpKernel kLinearBitsF32Op = {fb::OpCode::LinearBitsF32,
                                          fb::OpOptions::NONE, check, run};

} // namespace bnrt
