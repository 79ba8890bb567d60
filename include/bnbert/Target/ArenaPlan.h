//===- ArenaPlan.h - activation slots in one arena --------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The bundle's activations share one arena: each value is live from the op
// that writes it to the last op that reads it, and two values may share
// bytes when their live ranges do not overlap. The plan is greedy
// first-fit in order of first use, each slot rounded up to `align` bytes
// (the kernels want cache-line-aligned operands).
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_TARGET_ARENAPLAN_H
#define BNBERT_TARGET_ARENAPLAN_H

#include <cstdint>
#include <vector>

namespace bnbert {

/// One arena value: its size and live range (indices of the ops that write
/// it first and read it last; firstOp <= lastOp).
struct ArenaValue {
  int64_t bytes = 0;
  int firstOp = 0, lastOp = 0;
};

struct ArenaPlan {
  std::vector<int64_t> offsets; // one per value, a multiple of `align`
  int64_t bytes = 0;            // the arena's size
};

/// Slots for `values` such that no two values live at the same op overlap.
ArenaPlan planArena(const std::vector<ArenaValue> &values, int64_t align = 64);

} // namespace bnbert

#endif // BNBERT_TARGET_ARENAPLAN_H
