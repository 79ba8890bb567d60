//===- float_order.h - floats in order as integers --------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// For bisections over the floats themselves: where a monotone float
// predicate changes, found exactly, so a comparison can stand in for the
// computation behind the predicate (binarization thresholds).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_KERNELS_FLOAT_ORDER_H
#define BNRT_SRC_KERNELS_FLOAT_ORDER_H

#include <cstdint>
#include <cstring>

namespace bnrt {

/// The float's rank among floats (-0 and +0 share 0; -inf and +inf are
/// -floatKeyInf and floatKeyInf).
inline int64_t floatKey(float f) {
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i >= 0 ? int64_t(i) : -int64_t(i & 0x7FFFFFFF);
}

inline float keyFloat(int64_t key) {
  uint32_t u = key >= 0 ? uint32_t(key) : (uint32_t(-key) | 0x80000000u);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

constexpr int64_t kFloatKeyInf = 0x7F800000;

/// With `holds` true at key `yes`, false at key `no` and changing once
/// between them: the key of the last float where it holds, going from
/// `yes` toward `no` (bisection until the two keys are adjacent).
template <typename Pred>
int64_t lastHolding(int64_t yes, int64_t no, Pred holds) {
  while (yes - no > 1 || no - yes > 1) {
    int64_t mid = yes + (no - yes) / 2;
    (holds(keyFloat(mid)) ? yes : no) = mid;
  }
  return yes;
}

} // namespace bnrt

#endif // BNRT_SRC_KERNELS_FLOAT_ORDER_H
