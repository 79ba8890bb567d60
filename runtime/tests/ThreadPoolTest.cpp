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
  for (int threads : {1, 2, 3, 4}) {
    bnrt::ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    runJobs(pool, 3000, /*pauseBetween=*/false);
  }
}

// The caller is thread 0: it runs tiles of its own share, the first half
// of [0, count) with 2 threads, in ascending order before any tile of the
// other share (the data of those rows stays in its cache from op to op).
// (A descheduled caller may find its share taken: that job checks nothing.)
TEST(ThreadPool, TheCallerTakesItsOwnShareFirst) {
  bnrt::ThreadPool pool(2);
  const int64_t count = 64, share = count / 2;
  int jobsWithCallerTiles = 0;
  for (int job = 0; job < 200; ++job) {
    std::vector<int64_t> callerTiles;
    std::thread::id caller = std::this_thread::get_id();
    pool.parallelFor(count, [&](int64_t i) {
      if (std::this_thread::get_id() == caller)
        callerTiles.push_back(i); // only the caller writes it
      volatile int spin = 0;
      for (int k = 0; k < 2000; ++k)
        spin = spin + 1;
    });
    jobsWithCallerTiles += !callerTiles.empty();
    size_t own = 0;
    while (own < callerTiles.size() && callerTiles[own] < share)
      ++own;
    for (size_t t = own; t < callerTiles.size(); ++t)
      ASSERT_GE(callerTiles[t], share)
          << "job " << job << ": the caller ran tile " << callerTiles[t]
          << " of its share after tiles of the other";
    for (size_t t = 1; t < own; ++t)
      ASSERT_LT(callerTiles[t - 1], callerTiles[t]) << "job " << job;
  }
  EXPECT_GT(jobsWithCallerTiles, 0);
}

TEST(ThreadPool, EveryTileOnceAfterIdling) {
  bnrt::ThreadPool pool(3);
  runJobs(pool, 40, /*pauseBetween=*/true);
}

} // namespace
