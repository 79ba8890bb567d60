//===- ThreadPoolTest.cpp - every tile exactly once, hot or idle ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "thread_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace {

/// Runs `jobs` parallelFor calls of varying sizes and checks that every
/// tile of every job ran exactly once and had finished when it returned.
void runJobs(bnrt::ThreadPool &pool, int jobs, bool pauseBetween) {
  for (int j = 0; j < jobs; ++j) {
    int64_t count = 1 + j % 13;
    std::vector<std::atomic<int>> hits(count);
    for (auto &h : hits)
      h = 0;
    pool.parallelFor(count, [&](int64_t i) {
      volatile int spin = 0;
      for (int k = 0; k < (j * 7 + i * 13) % 200; ++k)
        spin = spin + 1; // uneven tiles
      hits[i]++;
    });
    for (int64_t i = 0; i < count; ++i)
      ASSERT_EQ(hits[i].load(), 1) << "job " << j << " tile " << i;
    if (pauseBetween) // past the spin time: workers block, then are woken
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST(ThreadPool, EveryTileOnceBackToBack) {
  for (int threads : {1, 2, 3, 5}) {
    bnrt::ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    runJobs(pool, 3000, /*pauseBetween=*/false);
  }
}

TEST(ThreadPool, EveryTileOnceAfterIdling) {
  bnrt::ThreadPool pool(3);
  runJobs(pool, 40, /*pauseBetween=*/true);
}

} // namespace
