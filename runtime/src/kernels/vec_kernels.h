//===- vec_kernels.h - elementwise and row kernels, per ISA -----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The non-GEMM hot loops (GELU, softmax into int8 codes, layer norm,
// quantize) as plain loops the compiler vectorizes, compiled once per x86
// ISA from vec_kernels.inc. They use only correctly rounded IEEE operations
// (no library calls, no FMA contraction) and sums in a fixed order of 16
// lanes, so every build, vectorized or not, gives identical bits.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_VEC_KERNELS_H
#define BNRT_SRC_VEC_KERNELS_H

#include <cstdint>

namespace bnrt {

/// Rows of fully binary attention's probabilities (ops/attention.cpp,
/// AttentionBinary): a key at popcount c against the query (dot = d - 2 c
/// over the head's d bits) has the logit logits[c], plus mask[j]; P =
/// softmax of the logits (the `softmax` kernel's exps and sum order),
/// binarized by probAlpha, probBeta (codes 0 | 1) into bit rows. A row
/// whose largest logit is an unmasked key's reads its exps from `exps`:
/// exps[a (d + 1) + c] = exp(logits[c] - logits[a]).
struct BinaryAttentionRows {
  float *scores;       ///< [rows, sk]: the dots in (exact integers), P out
  const float *mask;   ///< [sk], additive, or null
  const float *logits; ///< [d + 1]
  const float *exps;   ///< [(d + 1) * (d + 1)]
  int64_t rows, sk, d;
  float probAlpha, probBeta;
  int32_t *counts; ///< sk
  uint64_t *probs; ///< [rows, ceil(sk / 64)]
};

/// The quantizer's codes of GELU(x) as comparisons of x with bounds
/// (ops/gelu_interval.h): one code up past each rising bound (x >
/// above[i]), one down inside each interval around GELU's minimum (lo[i]
/// <= x <= hi[i]). Where GELU's last bit is not monotone next to a bound,
/// x in that band gets its code from GELU and the quantizer themselves.
/// NaN: 0.
struct GeluCodeBounds {
  static constexpr int kMax = 7; // codes of at most 4 bits
  int32_t rises = 0, dips = 0, bands = 0;
  float above[kMax] = {}, lo[kMax] = {}, hi[kMax] = {};
  float bandLo[3 * kMax] = {}, bandHi[3 * kMax] = {};
  // The quantizer and the GELU form (GeluForm), for the codes computed in
  // the bands.
  float scale = 1;
  int32_t bits = 2;
  int32_t form = 1;
};

/// The GELU a quantizer or binarizer folds in (QuantizeOptions and
/// BinarizeOptions' input_gelu): erf, tanh, or I-BERT's integer form.
enum GeluForm : int32_t { kGeluErf = 1, kGeluTanh = 2, kGeluInteger = 3 };

struct VecKernels {
  /// y = GELU(x), erf or tanh form.
  void (*gelu)(const float *x, float *y, int64_t n, bool tanhForm);
  /// max |x| (NaNs ignored).
  float (*absMax)(const float *x, int64_t n);
  /// max x (NaNs ignored; -inf when there is no other value).
  float (*maxValue)(const float *x, int64_t n);
  /// The symmetric quantizer's codes of x with `scale` (docs/dialect.md).
  void (*quantize)(const float *x, int8_t *codes, int64_t n, float scale,
                   int bits);
  void (*dequantize)(const int8_t *codes, float *y, int64_t n, float scale);
  /// codes[i] = the quantizer's code of GELU(x[i]) by `b`.
  void (*geluCodes)(const float *x, int8_t *codes, int64_t n,
                    const GeluCodeBounds &b);
  /// rows x h layer norm (mean and variance in double).
  void (*layerNorm)(const float *x, const float *gamma, const float *beta,
                    float *y, int64_t rows, int64_t h, float eps);
  /// One attention row: logits = factor * scores + mask (mask may be
  /// null), softmax, then the probabilities' codes with `probScale`.
  /// `work` holds n floats.
  void (*softmaxCodes)(const int32_t *scores, const float *mask, float factor,
                       int64_t n, float probScale, int bits, int8_t *codes,
                       float *work);
  /// Softmax of one row in place (exp within 1.5 ulp, the lane-sum order).
  void (*softmax)(float *row, int64_t n);
  /// y = a + b, same shapes.
  void (*add)(const float *a, const float *b, float *y, int64_t n);
  /// row[t] += bit t of `bits` ? -a : a for t < h (a packed sign row,
  /// bitpack.h: bit 1 = -1): one plane of a bit-plane embedding row.
  void (*addSigns)(const uint64_t *bits, int64_t h, float a, float *row);
  /// bnrt_binarize_rows (kernels.h): rows of k floats (stride ldx) into
  /// bit rows of ceil(k / 64) words, the same bits (alpha positive and
  /// finite).
  void (*binarizeRows)(const float *x, int64_t rows, int64_t k, int64_t ldx,
                       float alpha, float beta, int xSigned, uint64_t *out);
  /// The same bit rows with bit = lo <= x <= hi (`inside`), else x < lo
  /// or x > hi (0 for NaN either way): a binarization of a function of x
  /// whose codes change only at lo and hi (GELU then binarize, fused).
  void (*intervalRows)(const float *x, int64_t rows, int64_t k, int64_t ldx,
                       float lo, float hi, int inside, uint64_t *out);
  /// Rows of k codes in {-1, 0, 1} (stride ldc) as bnrt_xgemm's ternary
  /// activations: bit rows of ceil(k / 64) words of signs (bit 1 = -1) and
  /// of nonzeros (bits past k zero).
  void (*ternaryRows)(const int8_t *codes, int64_t rows, int64_t k, int64_t ldc,
                      uint64_t *signs, uint64_t *nonzeros);
  /// y = exp(x), the exp of `softmax` (within 1.5 ulp).
  void (*exps)(const float *x, float *y, int64_t n);
  /// The probabilities' bit rows of `a` (BinaryAttentionRows).
  void (*binaryAttentionRows)(const BinaryAttentionRows &a);
  /// bnrt/integer_nonlinear.h's forms, the same bits on every ISA: GELU
  /// elementwise; the softmax of one row (work: n int32); LayerNorm of
  /// `rows` rows of h values (work: h int32; epsilon in the variance's
  /// units).
  void (*integerGelu)(const float *x, float *y, int64_t n);
  void (*integerSoftmax)(const float *x, float *y, int64_t n, int32_t *work);
  /// softmaxCodes with integerSoftmax's probabilities (fixed: n int32).
  void (*integerSoftmaxCodes)(const int32_t *scores, const float *mask,
                              float factor, int64_t n, float probScale,
                              int bits, int8_t *codes, float *work,
                              int32_t *fixed);
  void (*integerLayerNorm)(const float *x, const float *gamma,
                           const float *beta, float *y, int64_t rows, int64_t h,
                           int64_t epsilon, int32_t *work);
};

/// The kernels compiled for `isa` (a bnrt_isa); the portable build for
/// ISAs without their own.
const VecKernels &vecKernels(int isa);

/// y = GELU(x) in `form` (GeluForm).
inline void geluOfForm(const VecKernels &vec, const float *x, float *y,
                       int64_t n, int form) {
  if (form == kGeluInteger)
    vec.integerGelu(x, y, n);
  else
    vec.gelu(x, y, n, form == kGeluTanh);
}

} // namespace bnrt

#endif // BNRT_SRC_VEC_KERNELS_H
