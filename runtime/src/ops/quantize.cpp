//===- quantize.cpp - Quantize and Dequantize: int8 activation codes ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../scratch.h"
#include "gelu_interval.h"
#include "kernels/quantizer.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

namespace bnrt {
namespace {

// x, mask? [B, S] -> codes i8, scale [1] or [B] (per sequence, dynamic)
void checkQuantize(const OpCheck &c) {
  c.arity(1, 2, 2);
  c.needF32({c.in[0], c.out[1]});
  const auto *options = c.op.options_as_QuantizeOptions();
  const auto &x = c.shape(c.in[0]);
  if (c.dtype(c.out[0]) != fb::DType::I8 || !c.sequenceScale(c.out[1], x) ||
      options->bits() < 2 || options->bits() > 8)
    c.fail("needs int8 codes, one scale or one per sequence and bits in "
           "[2, 8]");
  c.sameShape(c.in[0], c.out[0]);
  float clip = options->clip();
  if (!(clip >= 0) || std::isinf(clip))
    c.fail("clip must be finite and >= 0 (0: dynamic)");
  bool perSequence = c.count(c.out[1]) != 1 || c.in.size() == 2;
  if (perSequence && (clip > 0 || x.size() < 2))
    c.fail("per-sequence scales need a dynamic clip and a [B, S, ...] input");
  if (options->input_gelu() < 0 || options->input_gelu() > kGeluInteger)
    c.fail("input_gelu must be 0 (none), 1 (erf), 2 (tanh) or 3 (integer)");
  if (options->input_gelu() && clip == 0)
    c.fail("input_gelu needs a static clip");
  if (c.in.size() == 2) {
    c.needF32({c.in[1]});
    if (c.shape(c.in[1]) != std::vector<int64_t>{x[0], x[1]})
      c.fail("mask must be [B, S] of the input");
  }
}

/// With input_gelu, the bounds on x that give the codes of GELU(x)
/// (gelu_interval.h), found once when the model loads.
void packQuantize(const fb::Op &op, const std::vector<View> &, int,
                  AlignedVector<uint64_t> &packed) {
  const auto *options = op.options_as_QuantizeOptions();
  if (!options->input_gelu())
    return;
  GeluCodes g = geluCodeBounds(options->input_gelu(),
                               quantScaleOf(options->clip(), options->bits()),
                               options->bits());
  packed.assign((sizeof g + 7) / 8, 0);
  std::memcpy(packed.data(), &g, sizeof g);
}

/// Codes of GELU(x) with a static scale: compares with the bounds when
/// they were fused, else GELU of blocks that stay in L1, then quantized.
void runGeluQuantize(const fb::Op &op, const View &x, int8_t *codes, float s,
                     OpContext &ctx) {
  const auto *options = op.options_as_QuantizeOptions();
  const VecKernels &vec = vecKernels(ctx.isa);
  GeluCodes g;
  std::memcpy(&g, ctx.packedWeights, sizeof g);
  int form = options->input_gelu();
  int bits = options->bits();
  chunked(ctx.pool, x.numElements(), [&](int64_t i0, int64_t i1) {
    if (g.fused) {
      vec.geluCodes(x.f32() + i0, codes + i0, i1 - i0, g.bounds);
      return;
    }
    constexpr int64_t kBlock = 1024;
    float y[kBlock];
    for (int64_t b = i0; b < i1; b += kBlock) {
      int64_t m = std::min(kBlock, i1 - b);
      geluOfForm(vec, x.f32() + b, y, m, form);
      vec.quantize(y, codes + b, m, s, bits);
    }
  });
}

void runQuantize(const fb::Op &op, const std::vector<View> &in,
                 const std::vector<View> &out, OpContext &ctx) {
  const VecKernels &vec = vecKernels(ctx.isa);
  int64_t n = in[0].numElements(), sequences = out[1].numElements();
  int bits = op.options_as_QuantizeOptions()->bits();
  float clip = op.options_as_QuantizeOptions()->clip();
  if (sequences > 1 || in.size() > 1) {
    // Dynamic, one scale per sequence (index of the leading axis), its max
    // over the rows the optional mask [B, S] keeps: padding never sets a
    // sequence's scale.
    int64_t per = n / sequences, rows = in[0].shape[1], width = per / rows;
    const float *mask = in.size() > 1 ? in[1].f32() : nullptr;
    // Each kept row's max across the pool (batch 1 too), then each
    // sequence's max of its rows: max is order-independent, so the scale
    // is the same for any split.
    auto *rowMax =
        threadScratch<float>(ScratchSlot::QuantizeMaxima, sequences * rows);
    chunked(
        ctx.pool, sequences * rows,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r)
            rowMax[r] = !mask || mask[r] == 0.0f
                            ? vec.absMax(in[0].f32() + r * width, width)
                            : 0.0f;
        },
        width);
    for (int64_t b = 0; b < sequences; ++b) {
      float seqClip = 0;
      for (int64_t r = 0; r < rows; ++r)
        seqClip = std::max(seqClip, rowMax[b * rows + r]);
      out[1].f32()[b] = quantScaleOf(seqClip, bits);
    }
    // The codes in chunks across the pool (batch 1 too).
    for (int64_t b = 0; b < sequences; ++b)
      chunked(ctx.pool, per, [&](int64_t i0, int64_t i1) {
        vec.quantize(in[0].f32() + b * per + i0, out[0].i8() + b * per + i0,
                     i1 - i0, out[1].f32()[b], bits);
      });
    return;
  }
  if (clip == 0) { // dynamic; max is order-independent: chunk maxima
    float maxima[kMaxChunks] = {};
    std::atomic<int> slot{0};
    chunked(ctx.pool, n, [&](int64_t i0, int64_t i1) {
      maxima[slot++] = vec.absMax(in[0].f32() + i0, i1 - i0);
    });
    clip = vec.absMax(maxima, kMaxChunks);
  }
  float s = quantScaleOf(clip, bits);
  out[1].f32()[0] = s;
  if (op.options_as_QuantizeOptions()->input_gelu())
    return runGeluQuantize(op, in[0], out[0].i8(), s, ctx);
  chunked(ctx.pool, n, [&](int64_t i0, int64_t i1) {
    vec.quantize(in[0].f32() + i0, out[0].i8() + i0, i1 - i0, s, bits);
  });
}

// codes i8, scale [1] or [B] -> f32
void checkDequantize(const OpCheck &c) {
  c.arity(2, 2, 1);
  c.needF32({c.in[1], c.out[0]});
  if (c.dtype(c.in[0]) != fb::DType::I8 ||
      !c.sequenceScale(c.in[1], c.shape(c.in[0])))
    c.fail("needs int8 codes and one scale or one per sequence");
  c.sameShape(c.in[0], c.out[0]);
}

void runDequantize(const fb::Op &, const std::vector<View> &in,
                   const std::vector<View> &out, OpContext &ctx) {
  const VecKernels &vec = vecKernels(ctx.isa);
  int64_t sequences = in[1].numElements();
  int64_t per = out[0].numElements() / sequences;
  for (int64_t b = 0; b < sequences; ++b)
    chunked(ctx.pool, per, [&](int64_t i0, int64_t i1) {
      vec.dequantize(in[0].i8() + b * per + i0, out[0].f32() + b * per + i0,
                     i1 - i0, in[1].f32()[b]);
    });
}

} // namespace

extern const OpKernel kQuantizeOp = {fb::OpCode::Quantize,
                                     fb::OpOptions::QuantizeOptions,
                                     checkQuantize, runQuantize, packQuantize};
extern const OpKernel kDequantizeOp = {fb::OpCode::Dequantize,
                                       fb::OpOptions::NONE, checkDequantize,
                                       runDequantize};

} // namespace bnrt
