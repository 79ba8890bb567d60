//===- scratch.cpp - per-thread kernel scratch that stops growing ---------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "scratch.h"
#include "thread_pool.h"

#include "bnrt/kernels.h"

#include <atomic>
#include <thread>
#include <vector>

namespace bnrt {
namespace {

constexpr int kSlots = static_cast<int>(ScratchSlot::Count);
constexpr size_t kAlign = 64;

std::atomic<size_t> highWater[kSlots];
std::atomic<uint64_t> growth{0};

struct ThreadBuffers {
  std::vector<uint8_t> bytes[kSlots];

  void *reserve(int slot, size_t size) {
    std::vector<uint8_t> &v = bytes[slot];
    if (v.size() < size + kAlign)
      v.resize(size + kAlign);
    auto address = reinterpret_cast<uintptr_t>(v.data());
    return v.data() + (kAlign - address % kAlign) % kAlign;
  }
};

ThreadBuffers &buffers() {
  thread_local ThreadBuffers b;
  return b;
}

void reserveThisThread() {
  for (int s = 0; s < kSlots; ++s)
    buffers().reserve(s, highWater[s].load(std::memory_order_relaxed));
}

} // namespace

void *threadScratchBytes(ScratchSlot slot, size_t bytes) {
  int s = static_cast<int>(slot);
  size_t seen = highWater[s].load(std::memory_order_relaxed);
  while (seen < bytes) {
    if (highWater[s].compare_exchange_weak(seen, bytes)) {
      ++growth;
      break;
    }
  }
  return buffers().reserve(s, bytes);
}

void ScratchReservation::afterRun(::bnrt_threads *pool) {
  if (reservedAt == growth.load())
    return;
  reserveScratchOnEveryThread(pool);
  reservedAt = growth.load();
}

void reserveScratchOnEveryThread(::bnrt_threads *pool) {
  // One tile per thread: each holds its tile until all have one.
  int threads = bnrt_threads_count(pool);
  std::atomic<int> arrived{0};
  parallelFor(pool, threads, [&](int64_t) {
    ++arrived;
    while (arrived.load() < threads)
      std::this_thread::yield();
    reserveThisThread();
  });
}

} // namespace bnrt
