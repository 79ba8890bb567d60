//===- gelu_interval.cpp - binarize(GELU(x)) as an interval of x ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "gelu_interval.h"

#include "bnrt/kernels.h"
#include "kernels/float_order.h"
#include "kernels/quantizer.h"
#include "kernels/vec_kernels.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace bnrt {
namespace {

struct Reference {
  bool tanhForm;
  float alpha, beta;
  bool isSigned;

  float gelu(float x) const { // the Gelu op's bits (the same on every ISA)
    float y;
    vecKernels(BNRT_ISA_SCALAR).gelu(&x, &y, 1, tanhForm);
    return y;
  }
  /// The unfused bit: GELU, then the binarization.
  bool bit(float x) const {
    return binarizedBit(gelu(x), alpha, beta, isSigned);
  }
  /// "GELU is low": the bit itself for signed codes, its negation
  /// otherwise (for x not NaN).
  bool low(float x) const { return bit(x) == isSigned; }
};

bool fusedBit(const GeluInterval &g, float x) {
  return g.inside ? (x >= g.lo && x <= g.hi) : (x < g.lo || x > g.hi);
}

} // namespace

GeluInterval geluInterval(bool tanhForm, float alpha, float beta,
                          bool isSigned) {
  const Reference ref{tanhForm, alpha, beta, isSigned};
  const float minimum = -0.7517915f; // GELU's minimum (both forms, ~1e-3)
  const int64_t keyMin = floatKey(minimum);
  GeluInterval g;
  g.inside = isSigned;
  // A threshold next to GELU's lowest value: the flat bottom could make
  // the low set non-convex in the last bit; stay unfused.
  float threshold = isSigned ? beta : beta + 0.5f * alpha;
  if (std::fabs(threshold - ref.gelu(minimum)) <
      1e-4f * std::fmax(1.0f, std::fabs(threshold)))
    return g;
  if (!ref.low(minimum)) { // nothing is low: an empty interval
    g.lo = INFINITY;
    g.hi = -INFINITY;
  } else {
    // The rising side: the last low float; the falling side: the first
    // (keys one past the infinities stand for "not low").
    auto low = [&](float x) { return ref.low(x); };
    g.hi = keyFloat(lastHolding(keyMin, kFloatKeyInf + 1, low));
    g.lo = keyFloat(lastHolding(keyMin, -kFloatKeyInf - 1, low));
  }
  // The checks: every float within 2048 of each bound and of the minimum,
  // the special values, and 4096 points of [-16, 16].
  auto same = [&](float x) { return fusedBit(g, x) == ref.bit(x); };
  for (float centre : {g.lo, g.hi, minimum}) {
    if (std::isinf(centre))
      continue;
    for (int64_t d = -2048; d <= 2048; ++d) {
      int64_t key = floatKey(centre) + d;
      if (key > -kFloatKeyInf && key < kFloatKeyInf && !same(keyFloat(key)))
        return g;
    }
  }
  const float specials[] = {0.0f,    -0.0f,    INFINITY, -INFINITY, NAN,
                            3.4e38f, -3.4e38f, 1e-45f,   -1e-45f,   1e-38f,
                            -1e-38f, 1e6f,     -1e6f,    minimum};
  for (float x : specials)
    if (!same(x))
      return g;
  uint32_t state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1664525u + 1013904223u;
    if (!same(32.0f * float(state >> 8) / float(1 << 24) - 16.0f))
      return g;
  }
  g.fused = true;
  return g;
}

} // namespace bnrt
