//===- binarize.cpp - Binarize and LinearBinarized: 1-bit activations -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// BiT's elastic binarization (docs/dialect.md, "1-bit activations"):
// Binarize writes the codes and their scale alpha for any consumer;
// LinearBinarized binarizes a linear's float input straight into bit rows
// and runs the fully binary GEMM on them (bnrt_xgemm), so no code tensor
// is written between.
//
//===----------------------------------------------------------------------===//
#include "../scratch.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <cmath>

namespace bnrt {
namespace {

void checkOptions(const OpCheck &c) {
  const auto *options = c.op.options_as_BinarizeOptions();
  if (!(options->alpha() > 0) || std::isinf(options->alpha()) ||
      !std::isfinite(options->beta()))
    c.fail("alpha must be positive and finite and beta finite");
}

// x -> codes i8 (-1 | 1, or 0 | 1), scale [] (= alpha)
void checkBinarize(const OpCheck &c) {
  c.arity(1, 1, 2);
  c.needF32({c.in[0], c.out[1]});
  if (c.dtype(c.out[0]) != fb::DType::I8 || c.count(c.out[1]) != 1)
    c.fail("needs int8 codes and one scale");
  c.sameShape(c.in[0], c.out[0]);
  checkOptions(c);
}

void runBinarize(const fb::Op &op, const std::vector<View> &in,
                 const std::vector<View> &out, OpContext &ctx) {
  const auto *options = op.options_as_BinarizeOptions();
  float alpha = options->alpha(), beta = options->beta();
  bool isSigned = options->signed_codes();
  const float *x = in[0].f32();
  int8_t *codes = out[0].i8();
  chunked(ctx.pool, in[0].numElements(), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      float v = (x[i] - beta) / alpha;
      codes[i] = isSigned ? (v < 0.0f ? -1 : 1) : (v > 0.5f ? 1 : 0);
    }
  });
  out[1].f32()[0] = alpha;
}

// x f32 [..., K], bits i64 [P, N, W], plane scales [P, 1 | N], bias? [N]
// -> [..., N]
void checkLinear(const OpCheck &c) {
  c.arity(3, 4, 1);
  c.needF32({c.in[0]});
  c.bitPlaneGemm(c.in[0], c.in[1], c.in[2], c.in.size() == 4 ? c.in[3] : -1);
  checkOptions(c);
}

/// The GEMM arguments that describe the weights (what packing depends on);
/// run fills in the activations and the output.
bnrt_xgemm_args weightArgs(const fb::Op &op, const std::vector<View> &in) {
  const View &x = in[0], &bits = in[1], &alpha = in[2];
  bnrt_xgemm_args args{};
  args.n = bits.shape[1];
  args.k = x.shape.back();
  args.bits = static_cast<const uint64_t *>(bits.data);
  args.planes = static_cast<int32_t>(bits.shape[0]);
  args.alpha = alpha.f32();
  args.per_row = alpha.shape[1] != 1;
  args.bias = in.size() > 3 ? in[3].f32() : nullptr;
  args.x_planes = 1;
  args.x_signed = op.options_as_BinarizeOptions()->signed_codes();
  return args;
}

void packLinear(const fb::Op &op, const std::vector<View> &in, int isa,
                AlignedVector<uint64_t> &packed) {
  bnrt_xgemm_args args = weightArgs(op, in);
  auto target = static_cast<bnrt_isa>(isa);
  packed.assign(bnrt_xgemm_packed_bytes(&args, target) / 8, 0);
  if (!packed.empty())
    bnrt_xgemm_pack(&args, target, packed.data());
}

void runLinear(const fb::Op &op, const std::vector<View> &in,
               const std::vector<View> &out, OpContext &ctx) {
  const auto *options = op.options_as_BinarizeOptions();
  bnrt_xgemm_args args = weightArgs(op, in);
  args.m = in[0].numElements() / args.k;
  int64_t words = bnrt_bitpack_row_words(args.k);
  auto *rows = threadScratch<uint64_t>(ScratchSlot::BinarizedRows,
                                       size_t(args.m * words));
  const float *x = in[0].f32();
  const VecKernels &vec = vecKernels(ctx.isa);
  chunked(
      ctx.pool, args.m,
      [&](int64_t r0, int64_t r1) {
        vec.binarizeRows(x + r0 * args.k, r1 - r0, args.k, args.k,
                         options->alpha(), options->beta(), args.x_signed,
                         rows + r0 * words);
      },
      args.k);
  float scale = options->alpha();
  args.x = rows;
  args.x_scale = &scale;
  args.y = out[0].f32();
  args.ldy = args.n;
  args.packed = ctx.packedWeights;
  bnrt_xgemm_parallel(&args, static_cast<bnrt_isa>(ctx.isa), ctx.pool);
}

} // namespace

extern const OpKernel kBinarizeOp = {fb::OpCode::Binarize,
                                     fb::OpOptions::BinarizeOptions,
                                     checkBinarize, runBinarize};
extern const OpKernel kLinearBinarizedOp = {fb::OpCode::LinearBinarized,
                                            fb::OpOptions::BinarizeOptions,
                                            checkLinear, runLinear, packLinear};

} // namespace bnrt
