//===- gelu_interval.cpp - codes of GELU(x) as bounds on x ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "gelu_interval.h"

#include "bnrt/kernels.h"
#include "kernels/float_order.h"
#include "kernels/quantizer.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace bnrt {
namespace {

const float kMinimum = -0.7517915f; // GELU's minimum (both forms, ~1e-3)

/// The Gelu op's bits in `form` (GeluForm; the same on every ISA).
float geluOf(float x, int form) {
  float y;
  geluOfForm(vecKernels(BNRT_ISA_SCALAR), &x, &y, 1, form);
  return y;
}

/// Whether a threshold on GELU's value lies next to its lowest value,
/// where the flat bottom could make the set below it non-convex in the
/// last bit.
bool nearTheMinimum(float threshold, int form) {
  return std::fabs(threshold - geluOf(kMinimum, form)) <
         1e-4f * std::fmax(1.0f, std::fabs(threshold));
}

/// The floats x where `low(x)` holds, for a `low` that is "GELU(x) is below
/// a threshold": an interval around the minimum, [lo, hi], or empty (lo =
/// inf, hi = -inf). Keys one past the infinities stand for "not low".
template <typename Low> void lowInterval(Low low, float &lo, float &hi) {
  if (!low(kMinimum)) {
    lo = INFINITY;
    hi = -INFINITY;
    return;
  }
  const int64_t keyMin = floatKey(kMinimum);
  hi = keyFloat(lastHolding(keyMin, kFloatKeyInf + 1, low));
  lo = keyFloat(lastHolding(keyMin, -kFloatKeyInf - 1, low));
}

/// Whether `fused(x) == reference(x)` at every float within 2048 of each
/// of `centres` and of the minimum, at the special values and at 4096
/// points of [-16, 16].
template <typename Fused, typename Reference>
bool agrees(Fused fused, Reference reference, std::vector<float> centres) {
  auto same = [&](float x) { return fused(x) == reference(x); };
  centres.push_back(kMinimum);
  for (float centre : centres) {
    if (std::isinf(centre))
      continue;
    for (int64_t d = -2048; d <= 2048; ++d) {
      int64_t key = floatKey(centre) + d;
      if (key > -kFloatKeyInf && key < kFloatKeyInf && !same(keyFloat(key)))
        return false;
    }
  }
  const float specials[] = {0.0f,    -0.0f,    INFINITY, -INFINITY, NAN,
                            3.4e38f, -3.4e38f, 1e-45f,   -1e-45f,   1e-38f,
                            -1e-38f, 1e6f,     -1e6f,    kMinimum};
  for (float x : specials)
    if (!same(x))
      return false;
  uint32_t state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1664525u + 1013904223u;
    if (!same(32.0f * float(state >> 8) / float(1 << 24) - 16.0f))
      return false;
  }
  return true;
}

/// The band of floats within 256 of `bound` where `holds` changes more
/// than once (GELU's last bit wobbling), as [lo, hi]; false when it
/// changes at most once.
template <typename Holds>
bool wobble(float bound, Holds holds, float &lo, float &hi) {
  int64_t key = floatKey(bound), first = 0, last = 0, changes = 0;
  for (int64_t d = -256; d < 256; ++d) {
    int64_t k = key + d;
    if (k <= -kFloatKeyInf || k + 1 >= kFloatKeyInf ||
        holds(keyFloat(k)) == holds(keyFloat(k + 1)))
      continue;
    first = changes++ ? first : k;
    last = k + 1;
  }
  lo = keyFloat(first);
  hi = keyFloat(last);
  return changes > 1;
}

} // namespace

bool GeluInterval::bit(float x) const {
  if (inBand(x))
    return binarizedBit(geluOf(x, form), alpha, beta, isSigned);
  return inside ? (x >= lo && x <= hi) : (x < lo || x > hi);
}

GeluInterval geluInterval(int form, float alpha, float beta, bool isSigned) {
  // The unfused bit: GELU, then the binarization; "GELU is low": the bit
  // itself for signed codes, its negation otherwise (for x not NaN).
  auto bit = [=](float x) {
    return binarizedBit(geluOf(x, form), alpha, beta, isSigned);
  };
  GeluInterval g;
  g.inside = isSigned;
  g.form = form, g.alpha = alpha, g.beta = beta, g.isSigned = isSigned;
  if (nearTheMinimum(isSigned ? beta : beta + 0.5f * alpha, form))
    return g;
  lowInterval([&](float x) { return bit(x) == isSigned; }, g.lo, g.hi);
  for (float bound : {g.lo, g.hi})
    if (!std::isinf(bound) &&
        wobble(bound, bit, g.bandLo[g.bands], g.bandHi[g.bands]))
      ++g.bands;
  g.fused = agrees([&](float x) { return g.bit(x); }, bit, {g.lo, g.hi});
  return g;
}

GeluCodes geluCodeBounds(int form, float scale, int bits) {
  GeluCodes g;
  GeluCodeBounds &b = g.bounds;
  b.scale = scale;
  b.bits = bits;
  b.form = form;
  if (bits < 2 || bits > 4 || !(scale > 0) || std::isinf(scale))
    return g;
  const float qmax = quantMax(bits);
  auto code = [=](float x) {
    return int(quantizeCode(geluOf(x, form), scale, qmax));
  };
  std::vector<float> centres;
  // The last float where `holds` is true, going from the minimum toward
  // `end`, and a band around it where `holds` changes more than once.
  auto bound = [&](int64_t end, auto holds) {
    float at = keyFloat(lastHolding(floatKey(kMinimum), end, holds));
    if (wobble(at, holds, b.bandLo[b.bands], b.bandHi[b.bands]))
      ++b.bands;
    centres.push_back(at);
    return at;
  };
  // Code >= r above a bound on GELU's rising side (code(+inf) = qmax).
  for (int r = 1; r <= int(qmax); ++r)
    b.above[b.rises++] =
        bound(kFloatKeyInf + 1, [&](float x) { return code(x) < r; });
  // Code <= -d inside an interval around the minimum, while one is left.
  for (int d = 1; d <= int(qmax); ++d) {
    if (nearTheMinimum((0.5f - float(d)) * scale, form))
      return g;
    auto low = [&](float x) { return code(x) <= -d; };
    if (!low(kMinimum))
      break;
    b.hi[b.dips] = bound(kFloatKeyInf + 1, low);
    b.lo[b.dips++] = bound(-kFloatKeyInf - 1, low);
  }
  // The kernel's own arithmetic, one element at a time.
  auto fused = [&](float x) {
    int8_t c;
    vecKernels(BNRT_ISA_SCALAR).geluCodes(&x, &c, 1, b);
    return int(c);
  };
  g.fused = agrees(fused, code, centres);
  return g;
}

} // namespace bnrt
