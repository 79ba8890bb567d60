//===- attention.cpp - multi-head attention, float and int8 ---------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Per (sequence, head): P = softmax(scale Q_h K_h^T + mask), r_h = P V_h.
// The int8 form (AttentionI8) takes the int8 codes of Q, K and V with their
// scales and runs both products as exact int8 GEMMs (igemm): the scores
// are scale q_s k_s (Q K^T) in int32, the probabilities are quantized to
// codes with the static clip, and r_h = p_s v_s (P V) in int32.
// One task per (sequence, head), each computed as in a single-threaded run,
// so results do not depend on the thread count.
// Attention takes q, k, v [B, S, E] f32 and an optional mask [B, Sk];
// AttentionI8 q, k, v codes each followed by its scale ([1] or [B]).
//
//===----------------------------------------------------------------------===//
#include "../scratch.h"
#include "../thread_pool.h"
#include "bnrt/kernels.h"
#include "kernels/quantizer.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace bnrt {

namespace {

constexpr int64_t kRowBlock = 32; // query rows whose scores are kept at once

} // namespace

void attention(const std::vector<View> &in, const View &out, int64_t heads,
               int probBits, float scale, float probClip, OpContext &ctx) {
  const View &q = in[0], &k = in[1], &v = in[2];
  const View *mask = in.size() > 3 ? &in[3] : nullptr;
  int64_t batch = q.shape[0], sq = q.shape[1], e = q.shape[2];
  int64_t sk = k.shape[1], d = e / heads;
  const VecKernels &vec = vecKernels(ctx.isa);
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  parallelFor(ctx.pool, batch * heads, [&](int64_t task) {
    int64_t b = task / heads, h = task % heads;
    // V_h transposed, [d, sk]: P V is then a GEMM over rows of both.
    float *valuesT = threadScratch<float>(ScratchSlot::AttentionValues, d * sk);
    for (int64_t j = 0; j < sk; ++j)
      for (int64_t t = 0; t < d; ++t)
        valuesT[t * sk + j] = v.f32()[(b * sk + j) * e + h * d + t];
    float *probs =
        threadScratch<float>(ScratchSlot::AttentionScores, kRowBlock * sk);
    float probScale = probBits ? quantScaleOf(probClip, probBits) : 0.0f;
    for (int64_t i0 = 0; i0 < sq; i0 += kRowBlock) {
      int64_t rows = std::min(kRowBlock, sq - i0);
      bnrt_sgemm_args scores{rows,  sk,
                             d,     q.f32() + (b * sq + i0) * e + h * d,
                             e,     k.f32() + b * sk * e + h * d,
                             e,     nullptr,
                             probs, sk};
      bnrt_sgemm(&scores, isa, 0, sk);
      for (int64_t r = 0; r < rows; ++r) {
        float *p = probs + r * sk;
        for (int64_t j = 0; j < sk; ++j)
          p[j] = scale * p[j] + (mask ? mask->f32()[b * sk + j] : 0.0f);
        vec.softmax(p, sk);
        if (probBits)
          for (int64_t j = 0; j < sk; ++j)
            p[j] =
                probScale * quantizeCode(p[j], probScale, quantMax(probBits));
      }
      bnrt_sgemm_args context{
          rows,  d,       sk,
          probs, sk,      valuesT,
          sk,    nullptr, out.f32() + (b * sq + i0) * e + h * d,
          e};
      bnrt_sgemm(&context, isa, 0, d);
    }
  });
}

void attentionI8(const std::vector<View> &in, const View &out, int64_t heads,
                 int probBits, float scale, float probClip, OpContext &ctx) {
  const View &q = in[0], &k = in[2], &v = in[4];
  // Scales: one per tensor, or one per sequence (index b).
  auto scaleOf = [](const View &scale, int64_t b) {
    return scale.f32()[scale.numElements() == 1 ? 0 : b];
  };
  const View *mask = in.size() > 6 ? &in[6] : nullptr;
  int64_t batch = q.shape[0], sq = q.shape[1], e = q.shape[2];
  int64_t sk = k.shape[1], d = e / heads;
  int64_t dPad = (d + 3) / 4 * 4, skPad = (sk + 3) / 4 * 4;
  float probScale = quantScaleOf(probClip, probBits);
  const VecKernels &vec = vecKernels(ctx.isa);
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  parallelFor(ctx.pool, batch * heads, [&](int64_t task) {
    int64_t b = task / heads, h = task % heads;
    float factor = scale * (scaleOf(in[1], b) * scaleOf(in[3], b));
    float outFactor = probScale * scaleOf(in[5], b);
    // This task's working memory: this thread's scratch.
    void *packedK = threadScratchBytes(ScratchSlot::AttentionKeys,
                                       bnrt_igemm_packed_bytes(d, sk));
    void *packedV = threadScratchBytes(ScratchSlot::AttentionValues,
                                       bnrt_igemm_packed_bytes(sk, d));
    auto *queries =
        threadScratch<int8_t>(ScratchSlot::AttentionQueries, sq * dPad);
    std::memset(queries, 0, sq * dPad);
    auto *probs =
        threadScratch<int8_t>(ScratchSlot::AttentionProbs, kRowBlock * skPad);
    std::memset(probs, 0, kRowBlock * skPad);
    auto *scores =
        threadScratch<int32_t>(ScratchSlot::AttentionScores, kRowBlock * sk);
    auto *values =
        threadScratch<int32_t>(ScratchSlot::AttentionOutputs, kRowBlock * d);
    auto *work = threadScratch<float>(ScratchSlot::AttentionWork, sk);
    const int8_t *keys = k.i8() + b * sk * e + h * d;
    const int8_t *vals = v.i8() + b * sk * e + h * d;
    // K_h^T: b[t][j] = K[j][t]; V_h: b[j][t] = V[j][t].
    bnrt_igemm_pack(keys, d, sk, 1, e, packedK);
    bnrt_igemm_pack(vals, sk, d, e, 1, packedV);
    for (int64_t i = 0; i < sq; ++i)
      std::memcpy(queries + i * dPad, q.i8() + (b * sq + i) * e + h * d, d);
    const float *maskRow = mask ? mask->f32() + b * sk : nullptr;
    for (int64_t i0 = 0; i0 < sq; i0 += kRowBlock) {
      int64_t rows = std::min(kRowBlock, sq - i0);
      bnrt_igemm_args qk{rows, sk,      d,      queries + i0 * dPad,
                         dPad, packedK, scores, sk};
      bnrt_igemm(&qk, isa, 0, rows);
      for (int64_t i = 0; i < rows; ++i)
        vec.softmaxCodes(scores + i * sk, maskRow, factor, sk, probScale,
                         probBits, probs + i * skPad, work);
      bnrt_igemm_args pv{rows, d, sk, probs, skPad, packedV, values, d};
      bnrt_igemm(&pv, isa, 0, rows);
      for (int64_t i = 0; i < rows; ++i) {
        float *o = out.f32() + (b * sq + i0 + i) * e + h * d;
        const int32_t *r = values + i * d;
        for (int64_t t = 0; t < d; ++t)
          o[t] = outFactor * static_cast<float>(r[t]);
      }
    }
  });
}

namespace {

/// q [B, Sq, E], k and v [B, Sk, E] (at `q`, `k`, `v` of c.in), mask?
/// [B, Sk] at c.in[maskAt], heads dividing E.
void checkAttentionShapes(const OpCheck &c, size_t q, size_t k, size_t v,
                          size_t maskAt) {
  const auto &qs = c.shape(c.in[q]), &ks = c.shape(c.in[k]);
  const auto *options = c.op.options_as_AttentionOptions();
  int64_t heads = options->num_heads();
  if (qs.size() != 3 || ks.size() != 3 || c.shape(c.in[v]) != ks ||
      ks[0] != qs[0] || ks[2] != qs[2] || c.shape(c.out[0]) != qs ||
      heads < 1 || qs[2] % heads != 0)
    c.fail("query, key, value, heads or result do not agree");
  float scale = options->scale(), clip = options->prob_clip();
  if (!std::isfinite(scale) || !(clip > 0) || std::isinf(clip))
    c.fail("scale and prob_clip must be finite, prob_clip positive");
  if (c.in.size() > maskAt) {
    c.needF32({c.in[maskAt]});
    if (c.shape(c.in[maskAt]) != std::vector<int64_t>{qs[0], ks[1]})
      c.fail("mask must be [B, Sk]");
  }
}

void checkAttention(const OpCheck &c) {
  c.arity(3, 4, 1);
  c.needF32({c.in[0], c.in[1], c.in[2], c.out[0]});
  int bits = c.op.options_as_AttentionOptions()->prob_bits();
  if (bits != 0 && (bits < 2 || bits > 8))
    c.fail("prob_bits must be 0 (float) or in [2, 8]");
  checkAttentionShapes(c, 0, 1, 2, 3);
}

void runAttention(const fb::Op &op, const std::vector<View> &in,
                  const std::vector<View> &out, OpContext &ctx) {
  const auto *o = op.options_as_AttentionOptions();
  attention(in, out[0], o->num_heads(), o->prob_bits(), o->scale(),
            o->prob_clip(), ctx);
}

void checkAttentionI8(const OpCheck &c) {
  c.arity(6, 7, 1);
  c.needF32({c.in[1], c.in[3], c.in[5], c.out[0]});
  for (int i : {0, 2, 4}) {
    if (c.dtype(c.in[i]) != fb::DType::I8)
      c.fail(c.valueLabel(c.in[i]) + " must be int8 codes");
    if (!c.sequenceScale(c.in[i + 1], c.shape(c.in[i])))
      c.fail(c.valueLabel(c.in[i + 1]) +
             " must be one scale or one per sequence");
  }
  int bits = c.op.options_as_AttentionOptions()->prob_bits();
  if (bits < 2 || bits > 8)
    c.fail("prob_bits must be in [2, 8]");
  checkAttentionShapes(c, 0, 2, 4, 6);
}

void runAttentionI8(const fb::Op &op, const std::vector<View> &in,
                    const std::vector<View> &out, OpContext &ctx) {
  const auto *o = op.options_as_AttentionOptions();
  attentionI8(in, out[0], o->num_heads(), o->prob_bits(), o->scale(),
              o->prob_clip(), ctx);
}

} // namespace

extern const OpKernel kAttentionOp = {fb::OpCode::Attention,
                                      fb::OpOptions::AttentionOptions,
                                      checkAttention, runAttention};
extern const OpKernel kAttentionI8Op = {fb::OpCode::AttentionI8,
                                        fb::OpOptions::AttentionOptions,
                                        checkAttentionI8, runAttentionI8};

} // namespace bnrt
