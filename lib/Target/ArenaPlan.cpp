//===- ArenaPlan.cpp - activation slots in one arena ----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Target/ArenaPlan.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace bnbert {

ArenaPlan planArena(const std::vector<ArenaValue> &values, int64_t align) {
  auto slot = [&](const ArenaValue &v) {
    int64_t bytes = std::max<int64_t>(v.bytes, 1);
    return (bytes + align - 1) / align * align;
  };
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  // std::sort, as the plan always was: ties (an op's several results) keep
  // the order that makes bundles byte-identical to earlier compilers'.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return values[a].firstOp < values[b].firstOp;
  });
  ArenaPlan plan;
  plan.offsets.assign(values.size(), 0);
  std::vector<size_t> placed;
  for (size_t id : order) {
    const ArenaValue &v = values[id];
    // Slots of the placed values live at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed) {
      const ArenaValue &o = values[other];
      if (o.lastOp >= v.firstOp && o.firstOp <= v.lastOp)
        busy.push_back({plan.offsets[other], slot(o)});
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0, size = slot(v);
    for (auto [start, length] : busy) {
      if (offset + size <= start)
        break;
      offset = std::max(offset, start + length);
    }
    plan.offsets[id] = offset;
    plan.bytes = std::max(plan.bytes, offset + size);
    placed.push_back(id);
  }
  return plan;
}

} // namespace bnbert
