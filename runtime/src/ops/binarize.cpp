//===- binarize.cpp - Binarize and LinearBinarized: 1-bit activations -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// BiT's elastic binarization (docs/dialect.md, "1-bit activations"):
// Binarize writes the codes and their scale alpha for any consumer;
// LinearBinarized binarizes a linear's float input straight into bit rows
// and runs the fully binary GEMM on them (bnrt_xgemm), so no code tensor
// is written between. With input_gelu its input is x of GELU(x): the bits
// come from comparing x with two bounds (gelu_interval.h), found when the
// weights are packed and kept after them.
//
//===----------------------------------------------------------------------===//
#include "../scratch.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "gelu_interval.h"
#include "kernels/quantizer.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <cmath>
#include <cstring>

namespace bnrt {
namespace {

void checkOptions(const OpCheck &c, bool geluAllowed) {
  const auto *options = c.op.options_as_BinarizeOptions();
  if (!(options->alpha() > 0) || std::isinf(options->alpha()) ||
      !std::isfinite(options->beta()))
    c.fail("alpha must be positive and finite and beta finite");
  if (options->input_gelu() < 0 || options->input_gelu() > kGeluInteger ||
      (!geluAllowed && options->input_gelu() != 0))
    c.fail("input_gelu must be 0 (none)" +
           std::string(geluAllowed ? ", 1 (erf), 2 (tanh) or 3 (integer)"
                                   : " here"));
}

// x -> codes i8 (-1 | 1, or 0 | 1), scale [] (= alpha)
void checkBinarize(const OpCheck &c) {
  c.arity(1, 1, 2);
  c.needF32({c.in[0], c.out[1]});
  if (c.dtype(c.out[0]) != fb::DType::I8 || c.count(c.out[1]) != 1)
    c.fail("needs int8 codes and one scale");
  c.sameShape(c.in[0], c.out[0]);
  checkOptions(c, false);
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
      bool bit = binarizedBit(x[i], alpha, beta, isSigned);
      codes[i] = isSigned ? (bit ? -1 : 1) : bit;
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
  checkOptions(c, true);
}

/// The fully binary GEMM's weight arguments, for x binarized as the op says.
bnrt_xgemm_args weightArgs(const fb::Op &op, const std::vector<View> &in) {
  auto args = planeWeightArgs<bnrt_xgemm_args>(in, 1);
  args.x_planes = 1;
  args.x_signed = op.options_as_BinarizeOptions()->signed_codes();
  return args;
}

/// The words an input GELU's interval (a GeluInterval) takes after the
/// packed weights.
constexpr int64_t kIntervalWords = (sizeof(GeluInterval) + 7) / 8;

/// Words of the weights in bnrt_xgemm_pack's layout for `isa`.
int64_t xgemmWords(const bnrt_xgemm_args &args, int isa) {
  return bnrt_xgemm_packed_bytes(&args, static_cast<bnrt_isa>(isa)) / 8;
}

void packLinear(const fb::Op &op, const std::vector<View> &in, int isa,
                AlignedVector<uint64_t> &packed) {
  const auto *options = op.options_as_BinarizeOptions();
  bnrt_xgemm_args args = weightArgs(op, in);
  int64_t words = xgemmWords(args, isa);
  packed.assign(words + (options->input_gelu() ? kIntervalWords : 0), 0);
  if (words)
    bnrt_xgemm_pack(&args, static_cast<bnrt_isa>(isa), packed.data());
  if (options->input_gelu()) {
    GeluInterval g = geluInterval(options->input_gelu(), options->alpha(),
                                  options->beta(), options->signed_codes());
    std::memcpy(&packed[words], &g, sizeof g);
  }
}

/// Rows [r0, r1) of x, GELU(x) when `gelu` (GeluForm), binarized into
/// bit rows: by the interval when it was fused, else GELU then binarize.
void binarizeInput(const fb::Op &op, const float *x, int64_t r0, int64_t r1,
                   int64_t k, const uint64_t *interval, const VecKernels &vec,
                   uint64_t *rows) {
  const auto *options = op.options_as_BinarizeOptions();
  int gelu = options->input_gelu();
  int64_t words = bnrt_bitpack_row_words(k);
  x += r0 * k;
  rows += r0 * words;
  GeluInterval g;
  if (gelu)
    std::memcpy(&g, interval, sizeof g);
  if (gelu && g.fused) {
    vec.intervalRows(x, r1 - r0, k, k, g.lo, g.hi, g.inside, rows);
    if (g.bands) // the x in a band (rarely any): their bits computed
      for (int64_t i = 0; i < (r1 - r0) * k; ++i)
        if (g.inBand(x[i])) {
          int64_t r = i / k, c = i % k;
          uint64_t &word = rows[r * words + c / 64],
                   bit = uint64_t{1} << (c % 64);
          word = g.bit(x[i]) ? word | bit : word & ~bit;
        }
    return;
  }
  if (gelu) {
    auto *y =
        threadScratch<float>(ScratchSlot::GeluRows, size_t((r1 - r0) * k));
    geluOfForm(vec, x, y, (r1 - r0) * k, gelu);
    x = y;
  }
  vec.binarizeRows(x, r1 - r0, k, k, options->alpha(), options->beta(),
                   options->signed_codes(), rows);
}

void runLinear(const fb::Op &op, const std::vector<View> &in,
               const std::vector<View> &out, OpContext &ctx) {
  const auto *options = op.options_as_BinarizeOptions();
  bnrt_xgemm_args args = weightArgs(op, in);
  args.m = in[0].numElements() / args.k;
  int64_t words = bnrt_bitpack_row_words(args.k);
  auto *rows = threadScratch<uint64_t>(ScratchSlot::BinarizedRows,
                                       size_t(args.m * words));
  const auto *packed = static_cast<const uint64_t *>(ctx.packedWeights);
  int64_t packedWords = xgemmWords(args, ctx.isa);
  const VecKernels &vec = vecKernels(ctx.isa);
  chunked(
      ctx.pool, args.m,
      [&](int64_t r0, int64_t r1) {
        binarizeInput(op, in[0].f32(), r0, r1, args.k, packed + packedWords,
                      vec, rows);
      },
      args.k);
  float scale = options->alpha();
  args.x = rows;
  args.x_scale = &scale;
  args.y = out[0].f32();
  args.ldy = args.n;
  args.packed = packedWords ? packed : nullptr;
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
