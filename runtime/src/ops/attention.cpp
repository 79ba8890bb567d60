//===- attention.cpp - multi-head attention: float, int8 and binary -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Per (sequence, head): P = softmax(scale Q_h K_h^T + mask), r_h = P V_h.
// The int8 form (AttentionI8) takes the int8 codes of Q, K and V with their
// scales and runs both products as exact int8 GEMMs (igemm): the scores
// are scale q_s k_s (Q K^T) in int32, the probabilities are quantized to
// codes with the static clip, and r_h = p_s v_s (P V) in int32.
// The binary form (AttentionBinary, BiT) binarizes Q, K, V (signed codes)
// and P (codes 0 | 1) into bit rows and runs both products as fully binary
// GEMMs (bnrt_xgemm): Q K^T by XNOR and popcount over the head's columns,
// P V by AND and popcount over the keys against V_h's bits transposed.
// A logit takes one of d + 1 values, so the softmax's exps come from a
// table (vec_kernels.h, BinaryAttentionRows).
// One task per (sequence, head), each computed as in a single-threaded run,
// so results do not depend on the thread count.
// Attention and AttentionBinary take q, k, v [B, S, E] f32 and an optional
// mask [B, Sk]; AttentionI8 q, k, v codes each followed by its scale ([1]
// or [B]).
//
//===----------------------------------------------------------------------===//
#include "../scratch.h"
#include "../thread_pool.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "kernels/bit_transpose.h"
#include "kernels/quantizer.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace bnrt {

namespace {

constexpr int64_t kRowBlock = 32; // query rows whose scores are kept at once

} // namespace

void attention(const std::vector<View> &in, const View &out, int64_t heads,
               int probBits, float scale, float probClip, bool integerSoftmax,
               OpContext &ctx) {
  const View &q = in[0], &k = in[1], &v = in[2];
  const View *mask = in.size() > 3 ? &in[3] : nullptr;
  int64_t batch = q.shape[0], sq = q.shape[1], e = q.shape[2];
  int64_t sk = k.shape[1], d = e / heads;
  const VecKernels &vec = vecKernels(ctx.isa);
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  parallelFor(ctx.pool, batch * heads, [&](int64_t task) {
    int64_t b = task / heads, h = task % heads;
    auto *fixed =
        integerSoftmax
            ? threadScratch<int32_t>(ScratchSlot::AttentionFixedPoint, sk)
            : nullptr;
    // K_h transposed, [d, sk]: the float GEMM reads both products' right
    // sides as columns ([k, n]) in place, K_h^T from here, V_h from v.
    float *keysT = threadScratch<float>(ScratchSlot::AttentionKeys, d * sk);
    for (int64_t j = 0; j < sk; ++j)
      for (int64_t t = 0; t < d; ++t)
        keysT[t * sk + j] = k.f32()[(b * sk + j) * e + h * d + t];
    float *probs =
        threadScratch<float>(ScratchSlot::AttentionScores, kRowBlock * sk);
    float probScale = probBits ? quantScaleOf(probClip, probBits) : 0.0f;
    for (int64_t i0 = 0; i0 < sq; i0 += kRowBlock) {
      int64_t rows = std::min(kRowBlock, sq - i0);
      bnrt_sgemm_args scores{rows,
                             sk,
                             d,
                             q.f32() + (b * sq + i0) * e + h * d,
                             e,
                             keysT,
                             sk,
                             nullptr,
                             probs,
                             sk,
                             BNRT_SGEMM_W_COLUMNS};
      bnrt_sgemm(&scores, isa, 0, sk);
      for (int64_t r = 0; r < rows; ++r) {
        float *p = probs + r * sk;
        for (int64_t j = 0; j < sk; ++j)
          p[j] = scale * p[j] + (mask ? mask->f32()[b * sk + j] : 0.0f);
        if (integerSoftmax)
          vec.integerSoftmax(p, p, sk, fixed);
        else
          vec.softmax(p, sk);
        if (probBits)
          for (int64_t j = 0; j < sk; ++j)
            p[j] =
                probScale * quantizeCode(p[j], probScale, quantMax(probBits));
      }
      bnrt_sgemm_args context{rows,
                              d,
                              sk,
                              probs,
                              sk,
                              v.f32() + b * sk * e + h * d,
                              e,
                              nullptr,
                              out.f32() + (b * sq + i0) * e + h * d,
                              e,
                              BNRT_SGEMM_W_COLUMNS};
      bnrt_sgemm(&context, isa, 0, d);
    }
  });
}

void attentionI8(const std::vector<View> &in, const View &out, int64_t heads,
                 int probBits, float scale, float probClip, bool integerSoftmax,
                 OpContext &ctx) {
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
    auto *fixed =
        integerSoftmax
            ? threadScratch<int32_t>(ScratchSlot::AttentionFixedPoint, sk)
            : nullptr;
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
        if (integerSoftmax)
          vec.integerSoftmaxCodes(scores + i * sk, maskRow, factor, sk,
                                  probScale, probBits, probs + i * skPad, work,
                                  fixed);
        else
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

/// Words of `args`' weights in bnrt_xgemm_pack's layout for `isa` (0: the
/// path reads the bits as they are).
int64_t packedWords(const bnrt_xgemm_args &args, bnrt_isa isa) {
  return bnrt_xgemm_packed_bytes(&args, isa) / 8;
}

/// `words` rounded up to whole 64-byte lines (where packed weights start).
int64_t wholeLines(int64_t words) { return (words + 7) / 8 * 8; }

/// `args`' weight bits packed for `isa` into `packed` (when that path
/// reads a packed layout); the ISA to run `args` on.
bnrt_isa packWeights(bnrt_xgemm_args &args, bnrt_isa isa, uint64_t *packed,
                     int64_t words) {
  args.packed = words ? packed : nullptr;
  if (!words)
    return BNRT_ISA_SCALAR; // a path without packed weights reads bits
  bnrt_xgemm_pack(&args, isa, packed);
  return isa;
}

/// Rows of `d` bits ([rows, bnrt_bitpack_row_words(d)]) transposed into
/// `d` rows of `rows` bits (bits past `rows` zero).
void transposeBitRows(const uint64_t *in, int64_t rows, int64_t d,
                      uint64_t *out) {
  int64_t inWords = bnrt_bitpack_row_words(d);
  int64_t outWords = bnrt_bitpack_row_words(rows);
  uint64_t block[64];
  for (int64_t rb = 0; rb < outWords; ++rb)
    for (int64_t cb = 0; cb < inWords; ++cb) {
      for (int64_t r = 0; r < 64; ++r) {
        int64_t row = rb * 64 + r;
        block[r] = row < rows ? in[row * inWords + cb] : 0;
      }
      transposeBits64(block);
      for (int64_t c = 0; c < 64 && cb * 64 + c < d; ++c)
        out[(cb * 64 + c) * outWords + rb] = block[c];
    }
}

/// A key's logit depends only on its popcount c against the query:
/// logits[c] = scale * ((alpha_q alpha_k) * (d - 2 c)) for c in [0, d],
/// then exps[a (d + 1) + c] = exp(logits[c] - logits[a]), each row
/// maximum's exps: (d + 1) (d + 2) floats, built once when the model loads.
void logitTables(int64_t d, float scale, float factor, float *logits) {
  float *table = logits + (d + 1);
  for (int64_t c = 0; c <= d; ++c)
    logits[c] = scale * (factor * static_cast<float>(d - 2 * c));
  for (int64_t a = 0; a <= d; ++a)
    for (int64_t c = 0; c <= d; ++c)
      table[a * (d + 1) + c] = logits[c] - logits[a];
  vecKernels(BNRT_ISA_SCALAR).exps(table, table, (d + 1) * (d + 1));
}

} // namespace

/// binarizers: alpha, beta of q, k, v (signed) and of P (codes 0 | 1);
/// ctx.packedWeights: logitTables of the op's scale.
void attentionBinary(const std::vector<View> &in, const View &out,
                     int64_t heads, const float *binarizers, OpContext &ctx) {
  const View &q = in[0], &k = in[1], &v = in[2];
  const View *mask = in.size() > 3 ? &in[3] : nullptr;
  int64_t batch = q.shape[0], sq = q.shape[1], e = q.shape[2];
  int64_t sk = k.shape[1], d = e / heads;
  int64_t headWords = bnrt_bitpack_row_words(d);
  int64_t keyWords = bnrt_bitpack_row_words(sk);
  const float *qz = binarizers, *kz = binarizers + 2, *vz = binarizers + 4,
              *pz = binarizers + 6;
  const VecKernels &vec = vecKernels(ctx.isa);
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  // The logits and their exps, built at load (logitTables).
  const auto *logits = static_cast<const float *>(ctx.packedWeights);
  const float *table = logits + (d + 1);
  static const float kOne = 1.0f;
  parallelFor(ctx.pool, batch * heads, [&](int64_t task) {
    int64_t b = task / heads, h = task % heads;
    // Q K^T's dots (d - 2 popcount, exact as floats): the keys' bit rows
    // ([sk, d] bits) are the weights.
    bnrt_xgemm_args qk{};
    qk.n = sk;
    qk.k = d;
    qk.x_planes = qk.planes = 1;
    qk.x_signed = 1;
    qk.x_scale = qk.alpha = &kOne;
    qk.ldy = sk;
    int64_t keyBits = wholeLines(sk * headWords),
            keyPacked = packedWords(qk, isa);
    auto *keys = threadScratch<uint64_t>(ScratchSlot::AttentionKeys,
                                         keyBits + keyPacked);
    vec.binarizeRows(k.f32() + b * sk * e + h * d, sk, d, e, kz[0], kz[1], 1,
                     keys);
    qk.bits = keys;
    bnrt_isa qkIsa = packWeights(qk, isa, keys + keyBits, keyPacked);
    // P V: V_h's bits transposed ([d, sk] bits) are the weights.
    bnrt_xgemm_args pv{};
    pv.n = d;
    pv.k = sk;
    pv.x_planes = pv.planes = 1;
    pv.x_signed = 0;
    pv.x_scale = &pz[0];
    pv.alpha = &vz[0];
    pv.ldy = e;
    int64_t valueBits = wholeLines(sk * headWords),
            transposed = wholeLines(d * keyWords),
            valuePacked = packedWords(pv, isa);
    auto *values = threadScratch<uint64_t>(
        ScratchSlot::AttentionValues, valueBits + transposed + valuePacked);
    uint64_t *valuesT = values + valueBits;
    vec.binarizeRows(v.f32() + b * sk * e + h * d, sk, d, e, vz[0], vz[1], 1,
                     values);
    transposeBitRows(values, sk, d, valuesT);
    pv.bits = valuesT;
    bnrt_isa pvIsa = packWeights(pv, isa, valuesT + transposed, valuePacked);

    auto *queries =
        threadScratch<uint64_t>(ScratchSlot::AttentionQueries, sq * headWords);
    vec.binarizeRows(q.f32() + b * sq * e + h * d, sq, d, e, qz[0], qz[1], 1,
                     queries);
    auto *dots =
        threadScratch<float>(ScratchSlot::AttentionScores, kRowBlock * sk);
    auto *counts = threadScratch<int32_t>(ScratchSlot::AttentionWork, sk);
    auto *probs = threadScratch<uint64_t>(ScratchSlot::AttentionProbs,
                                          kRowBlock * keyWords);
    BinaryAttentionRows rows{};
    rows.scores = dots;
    // A mask of zeros changes no logit: the rows then skip it.
    const float *maskRow = mask ? mask->f32() + b * sk : nullptr;
    if (maskRow &&
        std::all_of(maskRow, maskRow + sk, [](float m) { return m == 0.0f; }))
      maskRow = nullptr;
    rows.mask = maskRow;
    rows.logits = logits;
    rows.exps = table;
    rows.sk = sk;
    rows.d = d;
    rows.probAlpha = pz[0];
    rows.probBeta = pz[1];
    rows.counts = counts;
    rows.probs = probs;
    for (int64_t i0 = 0; i0 < sq; i0 += kRowBlock) {
      int64_t n = std::min(kRowBlock, sq - i0);
      qk.m = n;
      qk.x = queries + i0 * headWords;
      qk.y = dots;
      bnrt_xgemm(&qk, qkIsa, 0, n, 0, sk);
      rows.rows = n;
      vec.binaryAttentionRows(rows);
      pv.m = n;
      pv.x = probs;
      pv.y = out.f32() + (b * sq + i0) * e + h * d;
      bnrt_xgemm(&pv, pvIsa, 0, n, 0, d);
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
            o->prob_clip(), o->integer(), ctx);
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
              o->prob_clip(), o->integer(), ctx);
}

void checkAttentionBinary(const OpCheck &c) {
  c.arity(3, 4, 1);
  c.needF32({c.in[0], c.in[1], c.in[2], c.out[0]});
  const auto *options = c.op.options_as_AttentionOptions();
  const auto *z = options->binarizers();
  if (!z || z->size() != 8)
    c.fail("needs 8 binarizers (alpha, beta of q, k, v and P)");
  for (int i = 0; i < 8; i += 2)
    if (!(z->Get(i) > 0) || std::isinf(z->Get(i)) ||
        !std::isfinite(z->Get(i + 1)))
      c.fail("binarizer alphas must be positive and finite, betas finite");
  if (options->prob_bits() != 0)
    c.fail("prob_bits must be 0 (the probabilities are binarized)");
  if (options->integer())
    c.fail("binary attention has no integer softmax");
  checkAttentionShapes(c, 0, 1, 2, 3);
}

void packAttentionBinary(const fb::Op &op, const std::vector<View> &in,
                         int /*isa: the tables are the same for all*/,
                         AlignedVector<uint64_t> &packed) {
  const auto *o = op.options_as_AttentionOptions();
  int64_t d = in[0].shape[2] / o->num_heads();
  packed.assign(((d + 1) * (d + 2) + 1) / 2, 0);
  const float *z = o->binarizers()->data();
  logitTables(d, o->scale(), z[0] * z[2],
              reinterpret_cast<float *>(packed.data()));
}

void runAttentionBinary(const fb::Op &op, const std::vector<View> &in,
                        const std::vector<View> &out, OpContext &ctx) {
  const auto *o = op.options_as_AttentionOptions();
  attentionBinary(in, out[0], o->num_heads(), o->binarizers()->data(), ctx);
}

} // namespace

extern const OpKernel kAttentionOp = {fb::OpCode::Attention,
                                      fb::OpOptions::AttentionOptions,
                                      checkAttention, runAttention};
extern const OpKernel kAttentionI8Op = {fb::OpCode::AttentionI8,
                                        fb::OpOptions::AttentionOptions,
                                        checkAttentionI8, runAttentionI8};
extern const OpKernel kAttentionBinaryOp = {
    fb::OpCode::AttentionBinary, fb::OpOptions::AttentionOptions,
    checkAttentionBinary, runAttentionBinary, packAttentionBinary};

} // namespace bnrt
