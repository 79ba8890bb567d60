//===- gelu_interval.h - binarize(GELU(x)) as an interval of x --*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// GELU falls, then rises around its minimum near x = -0.7518, so the x
// whose GELU lies below a threshold form one interval, and a binarization
// of GELU(x) is a comparison of x with two bounds: LinearBinarized skips
// computing the GELU of its input. The bounds are found by bisection over
// the floats with the runtime's own GELU and binarization (the bits the
// unfused Gelu + LinearBinarized give), then checked against those bits
// around both bounds and the minimum, at special values and at random
// points; any difference (a threshold too near GELU's minimum, where the
// approximation's last bit could make the set non-convex) leaves the op
// unfused.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_OPS_GELU_INTERVAL_H
#define BNRT_SRC_OPS_GELU_INTERVAL_H

namespace bnrt {

struct GeluInterval {
  float lo = 0, hi = 0;
  bool inside = true; // bit = lo <= x <= hi; else bit = x < lo or x > hi
  bool fused = false; // the bounds give exactly the reference bits
};

/// The interval form of bit = binarize(GELU(x)) with `alpha`, `beta` and
/// the code set (docs/dialect.md, "1-bit activations").
GeluInterval geluInterval(bool tanhForm, float alpha, float beta,
                          bool isSigned);

} // namespace bnrt

#endif // BNRT_SRC_OPS_GELU_INTERVAL_H
