//===- quantizer.h - the activation quantizers' formulas --------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// docs/dialect.md's quantize: scale = clip / qmax (clip = max |x| when
// dynamic; scale 1 when it is 0), codes = clamp(round_half_even(x / scale),
// -qmax, qmax), qmax = 2^(bits-1) - 1. Branch-free so loops vectorize.
// And its binarize ("1-bit activations"), the one definition every
// runtime binarization is written or checked against.
// Internal linkage: included by files compiled for different ISAs.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_QUANTIZER_H
#define BNRT_SRC_QUANTIZER_H

#include <cstdint>

namespace bnrt {
namespace {

inline float quantMax(int bits) { return float((1 << (bits - 1)) - 1); }

inline float quantScaleOf(float clip, int bits) {
  return clip == 0 ? 1.0f : clip / quantMax(bits);
}

inline int8_t quantizeCode(float x, float scale, float qmax) {
  // Round half to even, as nearbyint in the default rounding mode, without
  // a library call: adding 1.5 * 2^23 leaves an integer-valued float for
  // |r| < 2^22 (clamped first). NaN -> 0.
  // Each clamp is one select of the form `c > v ? c : v` (or `<`), which
  // is exactly x86 maxps/minps: the compiled loop is twice as fast as with
  // nested selects (compares and masked moves), with the same results.
  float r = x / scale;
  r = r == r ? r : 0.0f;
  r = -qmax - 1 > r ? -qmax - 1 : r;
  r = qmax + 1 < r ? qmax + 1 : r;
  float q = (r + 12582912.0f) - 12582912.0f;
  q = -qmax > q ? -qmax : q;
  q = qmax < q ? qmax : q;
  return static_cast<int8_t>(q);
}

/// BiT's elastic binarization as a bit plane's bit: v = (x - beta) /
/// alpha in float; signed codes: bit 1 = code -1 where v < 0; non-negative
/// codes: bit 1 = code 1 where v > 0.5. NaN gives 0.
inline bool binarizedBit(float x, float alpha, float beta, bool isSigned) {
  float v = (x - beta) / alpha;
  return isSigned ? v < 0.0f : v > 0.5f;
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_QUANTIZER_H
