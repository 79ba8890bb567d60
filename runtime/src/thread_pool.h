//===- thread_pool.h - a small fixed pool for kernel tiles ------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// parallelFor(count, fn) runs fn(i) for i in [0, count) on the calling
// thread and the pool's workers, and returns when all are done. Workers are
// created once (the runtime's "no allocation inside run after the first"):
// a run only publishes a job and waits. Kernels split their N (or M)
// dimension into `count` tiles.
//
// Thread t first takes the tiles of its own contiguous share of [0, count)
// (the t-th of `threads` equal ranges), then steals what is left of the
// others' from their fronts. Ops split their rows in ascending tiles, so a
// thread keeps working on the same rows op after op (the data it wrote is
// in its own cache), and a thread that is descheduled still cannot hold up
// the rest.
//
// A model run is hundreds of short parallel ops back to back, and waking a
// thread blocked on a futex takes tens of microseconds on a VM. So workers
// spin (with a pause hint) for a short while after each job before they
// block, and the caller spins for their completion the same way.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_THREAD_POOL_H
#define BNRT_SRC_THREAD_POOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

struct bnrt_threads;

namespace bnrt {

/// A non-owning reference to a callable (like llvm::function_ref): what
/// parallelFor takes, so passing a lambda never allocates (std::function
/// does for captures beyond its small buffer) - runs must not allocate.
/// The callable must outlive the call.
template <typename Fn> class FunctionRef;
template <typename R, typename... Args> class FunctionRef<R(Args...)> {
public:
  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F &&f) // implicit, like std::function
      : object(const_cast<void *>(static_cast<const void *>(&f))),
        call([](void *o, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F> *>(o))(
              std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const {
    return call(object, std::forward<Args>(args)...);
  }

private:
  void *object;
  R (*call)(void *, Args...);
};

class ThreadPool {
public:
  /// A pool that runs work on `threads` threads in total (the caller
  /// included); 1 runs everything inline.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int threads() const { return static_cast<int>(workers.size()) + 1; }

  /// Runs fn(0) .. fn(count - 1), each exactly once, across the threads.
  void parallelFor(int64_t count, FunctionRef<void(int64_t)> fn);

private:
  void workerLoop(int self);
  /// Runs tiles of the current job until none is left, own share first.
  void drain(int self);
  /// Stops and joins the workers (destruction, or a failed construction).
  void stop();

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  const FunctionRef<void(int64_t)> *job = nullptr;
  /// Thread t's share of the job: its next tile and its end, on a cache
  /// line of its own (every thread increments them).
  struct alignas(64) Share {
    std::atomic<int64_t> next{0};
    int64_t end = 0;
  };
  std::vector<Share> shares;
  // Written under `mutex`; atomic so the spin loops can read them unlocked.
  std::atomic<int> busy{0};
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> stopping{false};
};

/// fn(0) .. fn(count - 1) on `pool` (the C API's handle; NULL runs inline).
void parallelFor(::bnrt_threads *pool, int64_t count,
                 FunctionRef<void(int64_t)> fn);

} // namespace bnrt

#endif // BNRT_SRC_THREAD_POOL_H
