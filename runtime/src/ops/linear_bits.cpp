//===- linear_bits.cpp - LinearBits: int8 codes x packed sign planes ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Codes of 3..8 bits run the bit-plane GEMMs (bnrt_bgemm_a8: VNNI or
// lookup kernels). 2-bit codes are in {-1, 0, 1}: they become two bit rows
// (signs and nonzeros) and run the fully binary GEMM's ternary form
// (bnrt_xgemm: popcount(nonzero AND (sign XOR weight)), one vpternlogq and
// one vpopcntq per 512 products), the same exact integer dots.
//
//===----------------------------------------------------------------------===//
#include "../scratch.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

namespace bnrt {
namespace {

// codes i8 [..., K], codes scale [1 | B], bits i64 [P, N, W],
// plane scales [P, 1 | N], bias? [N] -> [..., N]
void check(const OpCheck &c) {
  c.arity(4, 5, 1);
  if (c.dtype(c.in[0]) != fb::DType::I8)
    c.fail("needs int8 codes");
  c.needF32({c.in[1]});
  if (!c.sequenceScale(c.in[1], c.shape(c.in[0])))
    c.fail("codes scale must be one, or one per sequence");
  c.bitPlaneGemm(c.in[0], c.in[2], c.in[3], c.in.size() == 5 ? c.in[4] : -1);
  // Activation bits <= 4 let kernels assume codes within +-7, so the codes
  // must come from a Quantize of at most that many bits.
  int actBits = c.op.options_as_LinearBitsOptions()->act_bits();
  if (actBits < 2 || actBits > 8)
    c.fail("activation bits must be in [2, 8]");
  const fb::Op *q = c.producer(c.in[0]);
  if (actBits <= 4 && (!q || q->code() != fb::OpCode::Quantize ||
                       q->options_as_QuantizeOptions()->bits() > actBits))
    c.fail("codes of at most " + std::to_string(actBits) +
           " bits must come from a Quantize of that many bits");
}

/// The bit-plane GEMM's weight arguments (codes of 3..8 bits).
bnrt_bgemm_args weightArgs(const fb::Op &op, const std::vector<View> &in) {
  auto args = planeWeightArgs<bnrt_bgemm_args>(in, 2);
  args.act_bits = op.options_as_LinearBitsOptions()->act_bits();
  return args;
}

/// The ternary path's weights (2-bit codes): bnrt_xgemm's arguments.
bnrt_xgemm_args ternaryArgs(const std::vector<View> &in) {
  auto args = planeWeightArgs<bnrt_xgemm_args>(in, 2);
  args.x_planes = 1;
  args.x_signed = 1;
  return args;
}

bool ternaryCodes(const fb::Op &op) {
  return op.options_as_LinearBitsOptions()->act_bits() == 2;
}

void pack(const fb::Op &op, const std::vector<View> &in, int isa,
          AlignedVector<uint64_t> &packed) {
  auto target = static_cast<bnrt_isa>(isa);
  if (ternaryCodes(op)) {
    bnrt_xgemm_args args = ternaryArgs(in);
    packed.assign(bnrt_xgemm_packed_bytes(&args, target) / 8, 0);
    if (!packed.empty())
      bnrt_xgemm_pack(&args, target, packed.data());
    return;
  }
  bnrt_bgemm_args args = weightArgs(op, in);
  packed.assign(bnrt_bgemm_packed_bytes(&args, target) / 8, 0);
  if (!packed.empty())
    bnrt_bgemm_pack(&args, target, packed.data());
}

/// 2-bit codes: sign and nonzero bit rows, then the ternary xgemm, one
/// call per sequence's scale.
void runTernary(const std::vector<View> &in, const View &out, OpContext &ctx) {
  const View &codes = in[0], &scale = in[1];
  bnrt_xgemm_args args = ternaryArgs(in);
  int64_t m = codes.numElements() / args.k;
  int64_t words = bnrt_bitpack_row_words(args.k);
  auto *signs =
      threadScratch<uint64_t>(ScratchSlot::BinarizedRows, 2 * m * words);
  uint64_t *nonzeros = signs + m * words;
  const VecKernels &vec = vecKernels(ctx.isa);
  chunked(
      ctx.pool, m,
      [&](int64_t r0, int64_t r1) {
        vec.ternaryRows(codes.i8() + r0 * args.k, r1 - r0, args.k, args.k,
                        signs + r0 * words, nonzeros + r0 * words);
      },
      args.k);
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  args.packed =
      bnrt_xgemm_packed_bytes(&args, isa) ? ctx.packedWeights : nullptr;
  args.ldy = args.n;
  int64_t sequences = scale.numElements();
  args.m = m / sequences;
  for (int64_t s = 0; s < sequences; ++s) {
    args.x = signs + s * args.m * words;
    args.x_mask = nonzeros + s * args.m * words;
    args.x_scale = scale.f32() + s;
    args.y = out.f32() + s * args.m * args.n;
    bnrt_xgemm_parallel(&args, isa, ctx.pool);
  }
}

// Pads K to whole 64-column words when needed (the kernels' contract),
// then runs the ISA's bit-plane GEMM.
void run(const fb::Op &op, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  if (ternaryCodes(op))
    return runTernary(in, out[0], ctx);
  const View &codes = in[0], &scale = in[1];
  bnrt_bgemm_args args = weightArgs(op, in);
  int64_t m = codes.numElements() / args.k;
  args.lda = bnrt_bitpack_row_words(args.k) * 64;
  args.ldy = args.n;
  args.packed = ctx.packedWeights;
  const int8_t *x = paddedRows(codes.i8(), m, args.k, args.lda, *ctx.scratch);
  // One scale per sequence (dynamic per-sequence quantization): each
  // sequence's rows are their own GEMM with their own scale.
  int64_t sequences = scale.numElements();
  args.m = m / sequences;
  for (int64_t s = 0; s < sequences; ++s) {
    args.x = x + s * args.m * args.lda;
    args.x_scale = scale.f32()[s];
    args.y = out[0].f32() + s * args.m * args.n;
    bnrt_bgemm_a8_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
  }
}

} // namespace

extern const OpKernel kLinearBitsOp = {
    fb::OpCode::LinearBits, fb::OpOptions::LinearBitsOptions, check, run, pack};

} // namespace bnrt
