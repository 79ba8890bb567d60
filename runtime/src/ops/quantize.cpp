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
  if (c.in.size() == 2) {
    c.needF32({c.in[1]});
    if (c.shape(c.in[1]) != std::vector<int64_t>{x[0], x[1]})
      c.fail("mask must be [B, S] of the input");
  }
}

/// With input_gelu and a static clip, the bounds on x that give the codes
/// of GELU(x) (gelu_interval.h), found once when the model loads.
void packQuantize(const fb::Op &op, const std::vector<View> &, int,
                  AlignedVector<uint64_t> &packed) {
  const auto *options = op.options_as_QuantizeOptions();
  if (!options->input_gelu() || options->clip() == 0)
    return;
  GeluCodes g = geluCodeBounds(options->input_gelu(),
                               quantScaleOf(options->clip(), options->bits()),
                               options->bits());
  packed.assign((sizeof g + 7) / 8, 0);
  std::memcpy(packed.data(), &g, sizeof g);
}

constexpr int64_t kGeluBlock = 1024; // floats of GELU kept in L1

/// The codes of GELU(x) with scale `s`: GELU of blocks that stay in L1,
/// then quantized (the Gelu op, then Quantize, without the float tensor).
void geluQuantizeBlocks(const VecKernels &vec, int form, const float *x,
                        int8_t *codes, int64_t n, float s, int bits) {
  float y[kGeluBlock];
  for (int64_t b = 0; b < n; b += kGeluBlock) {
    int64_t m = std::min(kGeluBlock, n - b);
    geluOfForm(vec, x + b, y, m, form);
    vec.quantize(y, codes + b, m, s, bits);
  }
}

/// max |GELU(x)| of n values, GELU computed in L1 blocks.
float geluAbsMax(const VecKernels &vec, int form, const float *x, int64_t n) {
  float y[kGeluBlock], m = 0;
  for (int64_t b = 0; b < n; b += kGeluBlock) {
    int64_t len = std::min(kGeluBlock, n - b);
    geluOfForm(vec, x + b, y, len, form);
    m = std::max(m, vec.absMax(y, len));
  }
  return m;
}

/// On x >= 0 the float GELU forms (erf, tanh) are within 1e-6 of GELU
/// relative to it (GeluQuantizeTest, on floats up to where GELU(x) = x)
/// and GELU rises at slope >= 0.5, while |GELU(x)| < 0.17 below 0
/// (GELU(0.5) = 0.35). So when the largest x, M, reaches kGeluClipFrom,
/// an x below M (1 - kGeluCandidates) has a smaller float GELU than M:
/// the largest |GELU| is among the few x above that.
constexpr float kGeluClipFrom = 0.5f;
constexpr float kGeluCandidates = 1e-4f; // >> 4 x 1e-6 / 0.5: the margin

/// The dynamic clip of GELU(x) over the rows the mask keeps - exactly the
/// max |GELU(x)| a Gelu op and then Quantize find - from each row's
/// largest x (`rowMax`), computing GELU only near the top; all of it when
/// the top is below kGeluClipFrom or the form is the integer one (no error
/// bound against GELU).
float geluClip(const VecKernels &vec, int form, const float *x, int64_t rows,
               int64_t width, const float *mask, const float *rowMax) {
  auto kept = [&](int64_t r) { return !mask || mask[r] == 0.0f; };
  float top = -INFINITY;
  for (int64_t r = 0; r < rows; ++r)
    if (kept(r))
      top = std::max(top, rowMax[r]);
  float clip = 0;
  if (form != kGeluInteger && top >= kGeluClipFrom) {
    float from = top * (1.0f - kGeluCandidates);
    for (int64_t r = 0; r < rows; ++r)
      if (kept(r) && rowMax[r] >= from)
        for (int64_t i = 0; i < width; ++i)
          if (x[r * width + i] >= from)
            clip = std::max(clip, geluAbsMax(vec, form, x + r * width + i, 1));
    return clip;
  }
  for (int64_t r = 0; r < rows; ++r)
    if (kept(r))
      clip = std::max(clip, geluAbsMax(vec, form, x + r * width, width));
  return clip;
}

/// Codes of GELU(x) with a static scale: compares with the bounds when
/// they were fused, else GELU of blocks that stay in L1, then quantized.
void runGeluQuantize(const fb::Op &op, const View &x, int8_t *codes, float s,
                     OpContext &ctx) {
  const auto *options = op.options_as_QuantizeOptions();
  const VecKernels &vec = vecKernels(ctx.isa);
  GeluCodes g;
  std::memcpy(&g, ctx.packedWeights, sizeof g);
  chunked(ctx.pool, x.numElements(), [&](int64_t i0, int64_t i1) {
    if (g.fused)
      vec.geluCodes(x.f32() + i0, codes + i0, i1 - i0, g.bounds);
    else
      geluQuantizeBlocks(vec, options->input_gelu(), x.f32() + i0, codes + i0,
                         i1 - i0, s, options->bits());
  });
}

/// Dynamic scales: one per sequence (index of the leading axis) over the
/// rows the optional mask [B, S] keeps - padding never sets a sequence's
/// scale -, or one over everything (`sequences` 1, no mask). With
/// input_gelu, of GELU(x), which is never stored.
void runDynamic(const fb::Op &op, const std::vector<View> &in,
                const std::vector<View> &out, OpContext &ctx) {
  const VecKernels &vec = vecKernels(ctx.isa);
  const auto *options = op.options_as_QuantizeOptions();
  int bits = options->bits(), form = options->input_gelu();
  const float *x = in[0].f32();
  const float *mask = in.size() > 1 ? in[1].f32() : nullptr;
  int64_t n = in[0].numElements(), sequences = out[1].numElements();
  int64_t per = n / sequences;
  int64_t rows = mask || sequences > 1 ? in[0].shape[1] : 1;
  if (form && !mask && sequences == 1) { // rows of the last axis
    int64_t last = in[0].shape.empty() ? 1 : in[0].shape.back();
    rows = last > 0 ? n / last : 0;
  }
  int64_t width = rows ? per / rows : 0;
  // Each kept row's max across the pool, then each sequence's of its rows:
  // max is order-independent, so the scale is the same for any split.
  auto *rowMax =
      threadScratch<float>(ScratchSlot::QuantizeMaxima, sequences * rows);
  chunked(
      ctx.pool, sequences * rows,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r)
          rowMax[r] = mask && mask[r] != 0.0f ? 0.0f
                      : form ? vec.maxValue(x + r * width, width)
                             : vec.absMax(x + r * width, width);
      },
      width);
  for (int64_t b = 0; b < sequences; ++b) {
    float seqClip = 0;
    if (form)
      seqClip = geluClip(vec, form, x + b * per, rows, width,
                         mask ? mask + b * rows : nullptr, rowMax + b * rows);
    else
      for (int64_t r = 0; r < rows; ++r)
        seqClip = std::max(seqClip, rowMax[b * rows + r]);
    out[1].f32()[b] = quantScaleOf(seqClip, bits);
  }
  // The codes in chunks across the pool (batch 1 too).
  for (int64_t b = 0; b < sequences; ++b)
    chunked(ctx.pool, per, [&](int64_t i0, int64_t i1) {
      const float *xs = x + b * per + i0;
      int8_t *codes = out[0].i8() + b * per + i0;
      float s = out[1].f32()[b];
      if (form)
        geluQuantizeBlocks(vec, form, xs, codes, i1 - i0, s, bits);
      else
        vec.quantize(xs, codes, i1 - i0, s, bits);
    });
}

void runQuantize(const fb::Op &op, const std::vector<View> &in,
                 const std::vector<View> &out, OpContext &ctx) {
  const VecKernels &vec = vecKernels(ctx.isa);
  const auto *options = op.options_as_QuantizeOptions();
  int64_t n = in[0].numElements();
  int bits = options->bits();
  float clip = options->clip();
  if (out[1].numElements() > 1 || in.size() > 1 ||
      (clip == 0 && options->input_gelu()))
    return runDynamic(op, in, out, ctx);
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
  if (options->input_gelu())
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
