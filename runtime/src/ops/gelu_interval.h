//===- gelu_interval.h - codes of GELU(x) as bounds on x --------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// GELU falls, then rises around its minimum near x = -0.7518, so the x
// whose GELU lies below a threshold form one interval, and a binarization
// or a low-bit quantization of GELU(x) is a comparison of x with a few
// bounds: LinearBinarized and Quantize skip computing the GELU of their
// input (Quantize computes it only for x within a few floats of a bound
// where the approximation's last bit is not monotone). The bounds are found by
// bisection over the floats with the runtime's own GELU and quantizer (the
// codes the unfused ops give), then checked against those codes around every
// bound and the minimum, at special values and at random points; any difference
// (a threshold too near GELU's minimum, where the approximation's last bit
// could make the set non-convex) leaves the op unfused. The GELU is any of
// the forms (GeluForm): erf, tanh, or I-BERT's integer form, whose value is
// constant over each 2^-10 step of x (the bounds fall on those steps).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_OPS_GELU_INTERVAL_H
#define BNRT_SRC_OPS_GELU_INTERVAL_H

#include "kernels/vec_kernels.h"

namespace bnrt {

struct GeluInterval {
  float lo = 0, hi = 0;
  bool inside = true; // bit = lo <= x <= hi; else bit = x < lo or x > hi
  bool fused = false; // the bounds (and bands) give exactly the reference
  // Where GELU's last bit wobbles next to a bound, the x whose bit is
  // computed (GELU, then the binarization).
  int32_t bands = 0;
  float bandLo[2] = {}, bandHi[2] = {};
  int32_t form = 1;
  float alpha = 1, beta = 0;
  bool isSigned = true;

  bool inBand(float x) const {
    return (bands > 0 && x >= bandLo[0] && x <= bandHi[0]) ||
           (bands > 1 && x >= bandLo[1] && x <= bandHi[1]);
  }
  /// The bit of x: the reference's in a band, else the interval's.
  bool bit(float x) const;
};

/// The interval form of bit = binarize(GELU(x)) with `alpha`, `beta` and
/// the code set (docs/dialect.md, "1-bit activations"), with bands where
/// GELU's last bit wobbles next to a bound.
GeluInterval geluInterval(int form, float alpha, float beta, bool isSigned);

struct GeluCodes {
  GeluCodeBounds bounds;
  bool fused = false; // the bounds give exactly the reference codes
};

/// The bounds form of codes = quantize(GELU(x)) with `scale` and `bits`
/// (docs/dialect.md's quantize with a static clip), with bands where
/// GELU's last bit wobbles next to a bound; never fused above 4 bits.
GeluCodes geluCodeBounds(int form, float scale, int bits);

} // namespace bnrt

#endif // BNRT_SRC_OPS_GELU_INTERVAL_H
