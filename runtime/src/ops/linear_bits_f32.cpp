//===- linear_bits_f32.cpp - LinearBitsF32: float x packed sign planes ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The GEMM of weight-only quantized layers (binary, ternary, TWS weights
// with float activations): the weights stay 1 bit a sign (bnrt_bgemm_f32).
//
//===----------------------------------------------------------------------===//
#include "bnrt/kernels.h"
#include "op_kernel.h"
#include "op_util.h"

namespace bnrt {
namespace {

// x f32 [..., K], bits i64 [P, N, W], plane scales [P, 1 | N], bias? [N]
// -> [..., N]
void check(const OpCheck &c) {
  c.arity(3, 4, 1);
  c.needF32({c.in[0]});
  c.bitPlaneGemm(c.in[0], c.in[1], c.in[2], c.in.size() == 4 ? c.in[3] : -1);
}

bnrt_bgemm_f32_args weightArgs(const std::vector<View> &in) {
  return planeWeightArgs<bnrt_bgemm_f32_args>(in, 1);
}

void pack(const fb::Op &, const std::vector<View> &in, int isa,
          AlignedVector<uint64_t> &packed) {
  bnrt_bgemm_f32_args args = weightArgs(in);
  auto target = static_cast<bnrt_isa>(isa);
  packed.assign((bnrt_bgemm_f32_packed_bytes(&args, target) + 7) / 8, 0);
  if (!packed.empty())
    bnrt_bgemm_f32_pack(&args, target,
                        reinterpret_cast<uint8_t *>(packed.data()));
}

void run(const fb::Op &, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  bnrt_bgemm_f32_args args = weightArgs(in);
  args.m = in[0].numElements() / args.k;
  args.x = in[0].f32();
  args.ldx = args.k;
  args.y = out[0].f32();
  args.ldy = args.n;
  args.patterns = static_cast<const uint8_t *>(ctx.packedWeights);
  bnrt_bgemm_f32_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
}

} // namespace

extern const OpKernel kLinearBitsF32Op = {
    fb::OpCode::LinearBitsF32, fb::OpOptions::NONE, check, run, pack};

} // namespace bnrt
