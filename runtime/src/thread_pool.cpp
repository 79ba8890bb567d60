//===- thread_pool.cpp - a small fixed pool for kernel tiles --------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace bnrt {
namespace {

/// How long an idle thread spins before it blocks: longer than the gap
/// between two ops of a run, short enough not to matter when idle.
constexpr std::chrono::microseconds kSpin{200};

inline void pauseHint() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Spins until done() or kSpin has passed; returns done().
template <typename F> bool spinUntil(F done) {
  auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (unsigned i = 1; !done(); ++i) {
    pauseHint();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline)
      return done();
  }
  return true;
}

} // namespace

ThreadPool::ThreadPool(int threads) : shares(std::max(threads, 1)) {
  try {
    for (int i = 1; i < threads; ++i)
      workers.emplace_back([this, i] { workerLoop(i); });
  } catch (...) {
    // A thread could not start: stop the ones that did, then report it
    // (a vector of joinable threads must not be destroyed).
    stop();
    throw;
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    if (t.joinable())
      t.join();
  workers.clear();
}

/// Takes tiles until none are left.
void ThreadPool::drain(int self) {
  int count = static_cast<int>(shares.size());
  for (int k = 0; k < count; ++k) {
    Share &share = shares[(self + k) % count];
    for (int64_t i = share.next.fetch_add(1); i < share.end;
         i = share.next.fetch_add(1))
      (*job)(i);
  }
}

void ThreadPool::workerLoop(int self) {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    auto posted = [&] { return stopping || generation != seen; };
    if (!posted()) {
      lock.unlock();
      spinUntil(posted);
      lock.lock();
    }
    wake.wait(lock, posted);
    if (stopping)
      return;
    seen = generation;
    ++busy;
    lock.unlock();
    drain(self);
    lock.lock();
    if (--busy == 0)
      done.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t count, FunctionRef<void(int64_t)> fn) {
  if (workers.empty() || count <= 1) {
    for (int64_t i = 0; i < count; ++i)
      fn(i);
    return;
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    // A worker that joined the previous job after its caller returned has
    // found no tile left; it must be out of drain() before the counters
    // are reset for this job.
    done.wait(lock, [&] { return busy == 0; });
    job = &fn;
    int64_t threads = static_cast<int64_t>(shares.size());
    for (int64_t t = 0; t < threads; ++t) {
      shares[t].next.store(count * t / threads);
      shares[t].end = count * (t + 1) / threads;
    }
    ++generation;
  }
  wake.notify_all();
  drain(0);
  spinUntil([&] { return busy == 0; });
  std::unique_lock<std::mutex> lock(mutex);
  // Workers that woke for this job finish it before the job goes away;
  // one that has not woken yet finds no tile left (every share's next is
  // past its end).
  done.wait(lock, [&] { return busy == 0; });
  job = nullptr;
}

} // namespace bnrt
