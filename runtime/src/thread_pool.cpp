//===- thread_pool.cpp - a small fixed pool for kernel tiles --------------===//
#include "thread_pool.h"

namespace bnrt {

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

/// Takes tiles until none are left.
void ThreadPool::drain() {
  for (int64_t i = next.fetch_add(1); i < jobCount; i = next.fetch_add(1))
    (*job)(i);
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    wake.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    ++busy;
    lock.unlock();
    drain();
    lock.lock();
    if (--busy == 0)
      done.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t count,
                             const std::function<void(int64_t)> &fn) {
  if (workers.empty() || count <= 1) {
    for (int64_t i = 0; i < count; ++i)
      fn(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = &fn;
    jobCount = count;
    next.store(0);
    ++generation;
  }
  wake.notify_all();
  drain();
  std::unique_lock<std::mutex> lock(mutex);
  // Workers that woke for this job finish it before the job goes away;
  // one that has not woken yet finds no tile left (next >= count).
  done.wait(lock, [&] { return busy == 0; });
  job = nullptr;
}

} // namespace bnrt
