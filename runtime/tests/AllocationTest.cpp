//===- AllocationTest.cpp - the counting operator new; the pool's calls ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The C API promises no allocation inside bnrt_model_run after the first
// run. This file replaces the test program's global operator new so tests
// can count allocations (AllocationCounter.h); here, parallelFor with a
// lambda capturing many references must not allocate (a std::function
// would, beyond its small buffer), nor may runs of the bundle named by
// BNRT_ALLOC_TEST_BUNDLE (test/Models/no-allocation.test passes compiled
// BERTs) after the first, on 1 and 3 threads.
//
//===----------------------------------------------------------------------===//
#include "AllocationCounter.h"
#include "bnrt.h"
#include "bnrt/kernels.h"
#include "scratch.h"
#include "thread_pool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

namespace bnrt_test {
std::atomic<bool> countAllocations{false};
std::atomic<long> allocationCount{0};
} // namespace bnrt_test

void *operator new(std::size_t size) {
  if (bnrt_test::countAllocations)
    ++bnrt_test::allocationCount;
  if (void *p = std::malloc(size ? size : 1))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

namespace {

TEST(Allocation, ParallelForAllocatesNothing) {
  bnrt::ThreadPool pool(3);
  std::atomic<int64_t> sum{0};
  int64_t a = 1, b = 2, c = 3, d = 4, e = 5; // a capture beyond 16 bytes
  pool.parallelFor(8, [&](int64_t i) { sum += i * a + b + c + d + e; });
  bnrt_test::AllocationCounter counter;
  for (int r = 0; r < 100; ++r)
    pool.parallelFor(8, [&](int64_t i) { sum += i * a + b + c + d + e; });
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(sum.load(), 101 * (28 + 8 * 14));
}

TEST(Allocation, ModelRunsAfterTheFirstAllocateNothing) {
  const char *path = std::getenv("BNRT_ALLOC_TEST_BUNDLE");
  if (!path)
    GTEST_SKIP() << "BNRT_ALLOC_TEST_BUNDLE names no bundle";
  for (int threads : {1, 3}) {
    bnrt_error err;
    bnrt_model *m = bnrt_model_load_file(path, &err);
    ASSERT_NE(m, nullptr) << err.message;
    ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
    // Zero-filled inputs: id 0 is in every vocabulary.
    std::vector<std::vector<uint8_t>> inputs(bnrt_model_num_inputs(m));
    std::vector<const void *> in;
    std::vector<size_t> inBytes, outBytes;
    for (int i = 0; i < bnrt_model_num_inputs(m); ++i) {
      int64_t dims[8];
      int rank = bnrt_model_input_shape(m, i, dims, 8);
      int64_t n = 8; // bytes per element at most
      for (int d = 0; d < rank; ++d)
        n *= dims[d];
      inputs[i].assign(n, 0);
      in.push_back(inputs[i].data());
      inBytes.push_back(n);
    }
    std::vector<std::vector<uint8_t>> outputs(bnrt_model_num_outputs(m));
    std::vector<void *> out;
    for (int i = 0; i < bnrt_model_num_outputs(m); ++i) {
      int64_t dims[8];
      int rank = bnrt_model_output_shape(m, i, dims, 8);
      int64_t n = 8;
      for (int d = 0; d < rank; ++d)
        n *= dims[d];
      outputs[i].assign(n, 0);
      out.push_back(outputs[i].data());
      outBytes.push_back(n);
    }
    ASSERT_EQ(bnrt_model_run(m, in.data(), inBytes.data(), out.data(),
                             outBytes.data(), &err),
              BNRT_OK)
        << err.message;
    {
      bnrt_test::AllocationCounter counter;
      for (int r = 0; r < 3; ++r)
        ASSERT_EQ(bnrt_model_run(m, in.data(), inBytes.data(), out.data(),
                                 outBytes.data(), &err),
                  BNRT_OK);
      EXPECT_EQ(counter.count(), 0) << path << ", threads=" << threads;
    }
    bnrt_model_free(m);
  }
}

} // namespace

namespace {

TEST(Allocation, ReservedScratchServesEveryThread) {
  // A request on the caller raises the mark; after the reservation no
  // thread of the pool allocates for it, whichever thread asks.
  bnrt_threads *pool = bnrt_threads_create(3);
  ASSERT_NE(pool, nullptr);
  size_t bytes = 123457;
  bnrt::threadScratchBytes(bnrt::ScratchSlot::ReduceMeanSums, bytes);
  bnrt::reserveScratchOnEveryThread(pool);
  std::atomic<int> arrived{0};
  bnrt_test::AllocationCounter counter;
  bnrt::parallelFor(pool, 3, [&](int64_t) {
    ++arrived; // one tile per thread
    while (arrived.load() < 3)
      std::this_thread::yield();
    bnrt::threadScratchBytes(bnrt::ScratchSlot::ReduceMeanSums, bytes);
  });
  EXPECT_EQ(counter.count(), 0);
  bnrt_threads_destroy(pool);
}

} // namespace
