//===- ArenaPlanTest.cpp - the activation arena plan ----------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// planArena (include/bnbert/Target/ArenaPlan.h): values live at the same op
// never share bytes, slots are aligned, dead values' bytes are reused
// first-fit; checked by hand and against a brute-force overlap check on
// random live ranges.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Target/ArenaPlan.h"

#include <gtest/gtest.h>

#include <random>

using bnbert::ArenaValue;
using bnbert::planArena;

namespace {

// A chain a -> b -> c, op i reading one value and writing the next: a and
// b are live together at op 1, b and c at op 2; c takes a's slot.
TEST(ArenaPlan, ReusesTheSlotsOfDeadValues) {
  auto plan = planArena({{100, 0, 1}, {64, 1, 2}, {100, 2, 3}});
  EXPECT_EQ(plan.offsets, (std::vector<int64_t>{0, 128, 0}));
  EXPECT_EQ(plan.bytes, 192);
}

// First fit: a value that fits a hole between live slots takes it.
TEST(ArenaPlan, FillsTheFirstHoleThatFits) {
  auto plan = planArena({{64, 0, 5},    // [0, 64) all along
                         {128, 0, 1},   // [64, 192) dies at 1
                         {64, 0, 5},    // [192, 256) all along
                         {128, 2, 5}}); // the hole at 64
  EXPECT_EQ(plan.offsets, (std::vector<int64_t>{0, 64, 192, 64}));
  EXPECT_EQ(plan.bytes, 256);
  // An empty value still takes an aligned slot of its own.
  EXPECT_EQ(planArena({{0, 0, 0}, {1, 0, 0}}).offsets,
            (std::vector<int64_t>{0, 64}));
}

TEST(ArenaPlan, LiveValuesNeverOverlap) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<ArenaValue> values(1 + rng() % 40);
    for (ArenaValue &v : values) {
      v.firstOp = static_cast<int>(rng() % 30);
      v.lastOp = v.firstOp + static_cast<int>(rng() % 8);
      v.bytes = static_cast<int64_t>(rng() % 1000);
    }
    auto plan = planArena(values, 32);
    int64_t end = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      int64_t size = (std::max<int64_t>(values[i].bytes, 1) + 31) / 32 * 32;
      EXPECT_EQ(plan.offsets[i] % 32, 0);
      end = std::max(end, plan.offsets[i] + size);
      for (size_t j = 0; j < i; ++j) {
        bool together = values[i].firstOp <= values[j].lastOp &&
                        values[j].firstOp <= values[i].lastOp;
        int64_t other = (std::max<int64_t>(values[j].bytes, 1) + 31) / 32 * 32;
        bool apart = plan.offsets[i] + size <= plan.offsets[j] ||
                     plan.offsets[j] + other <= plan.offsets[i];
        EXPECT_TRUE(!together || apart) << "trial " << trial << ": values " << j
                                        << " and " << i << " overlap";
      }
    }
    EXPECT_EQ(plan.bytes, end);
  }
}

} // namespace
