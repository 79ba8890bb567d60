//===- AllocationCounter.h - counts operator new calls in tests -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// AllocationTest.cpp replaces the global operator new of the test program;
// while an AllocationCounter lives, calls are counted (from every thread).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_TESTS_ALLOCATIONCOUNTER_H
#define BNRT_TESTS_ALLOCATIONCOUNTER_H

#include <atomic>

namespace bnrt_test {

extern std::atomic<bool> countAllocations;
extern std::atomic<long> allocationCount;

struct AllocationCounter {
  AllocationCounter() {
    allocationCount = 0;
    countAllocations = true;
  }
  ~AllocationCounter() { countAllocations = false; }
  long count() const { return allocationCount.load(); }
};

} // namespace bnrt_test

#endif // BNRT_TESTS_ALLOCATIONCOUNTER_H
