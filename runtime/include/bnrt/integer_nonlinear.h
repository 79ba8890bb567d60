//===- bnrt/integer_nonlinear.h - GELU, softmax, LayerNorm in integers ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The one definition of the integer nonlinearities (I-BERT, Kim et al.
// 2021), shared by the runtime's ops and the compiler's reference executor;
// python/bnbert/integer_nonlinear.py computes the same integers in PyTorch
// (its tests compare the two bit for bit).
//
// Each function takes float values (a GEMM's output, a residual sum) and
// first rounds them to fixed point with kFractionBits fraction bits
// (half to even, saturated); everything after that is integer arithmetic,
// so the results are the same on every ISA and in PyTorch:
//  - GELU: x/2 (1 + erf(x/sqrt 2)) with I-BERT's second-order polynomial
//    for erf, sign(t) (a (min(|t|, -b) + b)^2 + 1), a = -0.2888, b = -1.769;
//  - softmax: exp(d) for d = x - max x <= 0 as exp(p) 2^-z with d = p - z
//    ln 2, p in (-ln 2, 0], exp(p) ~ 0.3585 (p + 1.353)^2 + 0.344; each
//    probability rounded to 16 fraction bits;
//  - LayerNorm: the integer mean and variance, the standard deviation as
//    an integer square root with 6 more fraction bits, the normalized
//    value to 16 fraction bits; then gamma and beta in double (the product
//    is exact, so a fused multiply-add gives the same result).
// The constants are computed in double from the same literals in both
// languages. Each row divides once (the mean, the variance, a reciprocal);
// per element only multiplications, shifts and selects remain.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_INTEGER_NONLINEAR_H
#define BNRT_INTEGER_NONLINEAR_H

#include <cmath>
#include <cstdint>
#include <limits>

namespace bnrt::integer {

constexpr int kFractionBits = 10;       // every input's fixed point, 2^-10
constexpr int32_t kGeluLimit = 1 << 24; // |q| of GELU and LayerNorm inputs
constexpr int32_t kSoftmaxLimit = 1 << 30;
constexpr int kSoftmaxMaxShift = 30;         // exp(d) below 2^-30 is 0
constexpr int kProbabilityBits = 16;         // softmax outputs k 2^-16
constexpr int kNormBits = 16;                // LayerNorm's normalized values
constexpr int kStdExtraBits = 6;             // the standard deviation's extra
constexpr int64_t kMaxLayerNormWidth = 8192; // sum of squares < 2^63
// Per element no division: a multiplication by a reciprocal taken once,
// value * floor(2^(bits + shift) / divisor) >> shift.
constexpr int kLn2Shift = 24; // z = floor(-d / ln 2), exact (tested)
constexpr int kProbabilityShift = 32;
constexpr int kNormShift = 28;

/// round(x 2^kFractionBits), half to even, within [-limit, limit]
/// (NaN: 0; callers that must propagate NaN test for it first).
inline int32_t fixedPoint(float x, int32_t limit) {
  float scaled = x * float(1 << kFractionBits); // exact: a power of two
  float bound = static_cast<float>(limit);
  scaled = scaled > bound ? bound : scaled;
  scaled = scaled < -bound ? -bound : scaled;
  scaled = scaled == scaled ? scaled : 0.0f;
  return static_cast<int32_t>(std::nearbyint(scaled));
}

/// a / b rounded toward minus infinity (b > 0).
inline int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return q - ((a % b != 0) && (a < 0));
}

/// floor(sqrt(v)) for v >= 0, exactly.
inline int64_t isqrt(int64_t v) {
  auto s = static_cast<int64_t>(std::sqrt(static_cast<double>(v)));
  while (s > 0 && s * s > v)
    --s;
  while ((s + 1) * (s + 1) <= v)
    ++s;
  return s;
}

struct GeluConstants {
  int32_t qb, qc; // b and 1 / (a S_e^2) in the erf input's fixed point
  double outScale;
};

inline GeluConstants geluConstants() {
  const double a = -0.2888, b = -1.769;
  double s = std::ldexp(1.0, -kFractionBits);
  double se = s / std::sqrt(2.0); // the erf input x / sqrt(2), same integers
  double sl = a * se * se;
  return {static_cast<int32_t>(std::floor(b / se)),
          static_cast<int32_t>(std::floor(1.0 / sl)), s * sl / 2};
}

/// I-BERT's integer GELU of x (NaN stays NaN). Every step fits int32 but
/// the last product, |q (erf + qc)| < 2^48, exact in double.
inline float gelu(float x, const GeluConstants &c) {
  int32_t q = fixedPoint(x, kGeluLimit);
  int32_t magnitude = q < 0 ? -q : q;
  magnitude = magnitude < -c.qb ? magnitude : -c.qb;
  int32_t poly = (magnitude + c.qb) * (magnitude + c.qb) + c.qc;
  int32_t erf = q < 0 ? -poly : poly; // erf(x / sqrt 2) / S_L
  double out = static_cast<double>(q) * static_cast<double>(erf + c.qc);
  float y = static_cast<float>(out * c.outScale); // x (1 + erf) / 2
  return x == x ? y : x;
}

struct ExpConstants {
  int32_t ln2, b, c;     // ln 2, 1.353 and 0.344 / 0.3585 in fixed point
  int32_t ln2Reciprocal; // ceil(2^kLn2Shift / ln 2)
};

inline ExpConstants expConstants() {
  double s = std::ldexp(1.0, -kFractionBits);
  auto ln2 = static_cast<int32_t>(std::floor(0.6931471805599453 / s));
  return {ln2, static_cast<int32_t>(std::floor(1.353 / s)),
          static_cast<int32_t>(std::floor(0.344 / (0.3585 * s * s))),
          ((int32_t(1) << kLn2Shift) + ln2 - 1) / ln2};
}

/// exp(d 2^-kFractionBits) for d <= 0, in units of 0.3585 2^-20 (< 2^22).
inline int32_t expOf(int32_t d, const ExpConstants &c) {
  int32_t lowest = -kSoftmaxMaxShift * c.ln2;
  d = d < lowest ? lowest : d;
  int32_t z = ((-d) * c.ln2Reciprocal) >> kLn2Shift; // d = p - z ln 2
  int32_t p = d + z * c.ln2;                         // in (-ln 2, 0]
  return ((p + c.b) * (p + c.b) + c.c) >> z;
}

/// Softmax of n values at x[i * stride] into y[i * stride] (each a
/// multiple of 2^-16); a row holding NaN gives NaN. `work` holds n int32.
inline void softmax(const float *x, float *y, int64_t n, int64_t stride,
                    int32_t *work, const ExpConstants &c) {
  // Plain maps and reductions, one per loop: each vectorizes.
  for (int64_t i = 0; i < n; ++i)
    work[i] = fixedPoint(x[i * stride], kSoftmaxLimit);
  int nan = 0;
  for (int64_t i = 0; i < n; ++i)
    nan |= x[i * stride] != x[i * stride];
  int32_t top = -kSoftmaxLimit;
  for (int64_t i = 0; i < n; ++i)
    top = work[i] > top ? work[i] : top;
  int64_t sum = 0; // >= 1: the maximum's exp is b^2 + c
  for (int64_t i = 0; i < n; ++i)
    sum += work[i] = expOf(work[i] - top, c);
  // round(e 2^16 / sum) with e <= sum: (e factor + half) >> shift, in
  // double, where it is exact (below 2^49), so that every ISA's vector code
  // converts and floors it.
  auto factor = static_cast<double>(
      (int64_t(1) << (kProbabilityBits + kProbabilityShift)) / sum);
  const double half = std::ldexp(1.0, kProbabilityShift - 1);
  const double shift = std::ldexp(1.0, -kProbabilityShift);
  const double unit = std::ldexp(1.0, -kProbabilityBits);
  const float none = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < n; ++i) {
    double p =
        std::floor((static_cast<double>(work[i]) * factor + half) * shift);
    y[i * stride] = nan ? none : static_cast<float>(p * unit);
  }
}

/// round(epsilon 2^(2 kFractionBits)): epsilon in the variance's units.
inline int64_t varianceEpsilon(float epsilon) {
  double e = std::ldexp(static_cast<double>(epsilon), 2 * kFractionBits);
  e = e < std::ldexp(1.0, 40) ? e : std::ldexp(1.0, 40);
  return e > 0 ? static_cast<int64_t>(std::floor(e + 0.5)) : 0;
}

/// LayerNorm of one row of h <= kMaxLayerNormWidth values (NaN anywhere:
/// a NaN row). `work` holds h int32.
inline void layerNorm(const float *x, const float *gamma, const float *beta,
                      float *y, int64_t h, int64_t epsilon, int32_t *work) {
  for (int64_t i = 0; i < h; ++i)
    work[i] = fixedPoint(x[i], kGeluLimit);
  int nan = 0;
  for (int64_t i = 0; i < h; ++i)
    nan |= x[i] != x[i];
  int64_t sum = 0;
  for (int64_t i = 0; i < h; ++i)
    sum += work[i];
  auto mean = static_cast<int32_t>(floorDiv(sum, h));
  int64_t squares = 0;
  for (int64_t i = 0; i < h; ++i) {
    work[i] -= mean; // |x - mean| <= 2^25
    squares += int64_t(work[i]) * work[i];
  }
  int64_t variance = squares / h + epsilon;
  int64_t deviation = isqrt(variance << (2 * kStdExtraBits));
  // (x - mean) 2^16 / std, floored: (x - mean) factor >> kNormShift, in
  // double, where it is exact: |x - mean| factor < 2^52, since
  // (x - mean)^2 < h (variance + 1) and deviation >= 63 sqrt(variance).
  auto factor = static_cast<double>(
      deviation
          ? (int64_t(1) << (kNormBits + kStdExtraBits + kNormShift)) / deviation
          : 0);
  const double shift = std::ldexp(1.0, -kNormShift);
  const double unit = std::ldexp(1.0, -kNormBits); // exact products below
  const float none = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < h; ++i) {
    double norm = std::floor(static_cast<double>(work[i]) * factor * shift);
    double g = static_cast<double>(gamma[i]) * unit;
    y[i] = nan ? none
               : static_cast<float>(norm * g + static_cast<double>(beta[i]));
  }
}

} // namespace bnrt::integer

#endif // BNRT_INTEGER_NONLINEAR_H
