//===- parallel.cpp - the C API of the thread pool and tiled kernels ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/kernels.h"
#include "kernels/bgemm_f32_impl.h"
#include "kernels/bgemm_impl.h"
#include "thread_pool.h"

#include <algorithm>
#include <new>

struct bnrt_threads {
  explicit bnrt_threads(int threads) : pool(threads) {}
  bnrt::ThreadPool pool;
};

extern "C" bnrt_threads *bnrt_threads_create(int threads) {
  if (threads < 1)
    return nullptr;
  try {
    return new bnrt_threads(threads);
  } catch (...) { // std::system_error when a thread cannot start
    return nullptr;
  }
}

extern "C" void bnrt_threads_destroy(bnrt_threads *pool) { delete pool; }

extern "C" int bnrt_threads_count(const bnrt_threads *pool) {
  return pool ? pool->pool.threads() : 1;
}

void bnrt::parallelFor(bnrt_threads *pool, int64_t count,
                       FunctionRef<void(int64_t)> fn) {
  if (!pool) {
    for (int64_t i = 0; i < count; ++i)
      fn(i);
    return;
  }
  pool->pool.parallelFor(count, fn);
}

namespace {

/// fn(n0, n1) over tiles of [0, n) made of whole blocks of `unit` rows (16:
/// the AVX-512 layout's), about four per thread so uneven progress evens out;
/// each tile's weight rows stay in cache while every activation row passes.
template <typename Fn>
void splitWeightRows(int64_t n, bnrt_threads *pool, const Fn &fn,
                     int64_t unit = 16) {
  int threads = bnrt_threads_count(pool);
  int64_t blocks = (n + unit - 1) / unit;
  int64_t tiles = std::min<int64_t>(blocks, 4 * threads);
  if (threads == 1 || tiles <= 1) {
    fn(0, n);
    return;
  }
  pool->pool.parallelFor(tiles, [&](int64_t t) {
    fn(unit * (blocks * t / tiles),
       std::min(n, unit * (blocks * (t + 1) / tiles)));
  });
}

/// fn(m0, m1) over tiles of [0, m) made of whole groups of `unit` rows,
/// `perThread` per thread: for kernels whose tables belong to activation
/// rows, so each is built once.
template <typename Fn>
void splitActivationRows(int64_t m, int64_t unit, bnrt_threads *pool,
                         const Fn &fn, int perThread = 4) {
  int64_t groups = (m + unit - 1) / unit;
  int64_t tiles =
      std::min<int64_t>(groups, perThread * bnrt_threads_count(pool));
  pool->pool.parallelFor(tiles, [&](int64_t t) {
    fn(unit * (groups * t / tiles),
       std::min(m, unit * (groups * (t + 1) / tiles)));
  });
}

} // namespace

extern "C" void bnrt_bgemm_a8_parallel(const bnrt_bgemm_args *args,
                                       bnrt_isa isa, bnrt_threads *pool) {
  int threads = bnrt_threads_count(pool);
  // A lookup kernel's tables belong to activation rows: tiles of rows
  // (multiples of its table's rows) build each table once.
  int64_t unit = bnrt::bgemmLookupRows(*args, isa);
  int64_t rowGroups = unit ? (args->m + unit - 1) / unit : 0;
  if (threads > 1 && rowGroups > 1) {
    splitActivationRows(args->m, unit, pool, [&](int64_t m0, int64_t m1) {
      bnrt_bgemm_a8(args, isa, m0, m1, 0, args->n);
    });
    return;
  }
  splitWeightRows(args->n, pool, [&](int64_t n0, int64_t n1) {
    bnrt_bgemm_a8(args, isa, 0, args->m, n0, n1);
  });
}

extern "C" void bnrt_xgemm_parallel(const bnrt_xgemm_args *args, bnrt_isa isa,
                                    bnrt_threads *pool) {
  // One tile of whole 4-row groups per thread, over every weight row: each
  // thread streams the weights once. Split by weight rows, the popcount
  // kernel did not gain from a second thread at BERT's shapes (AVX-512,
  // M128: 0.246 ms on one and two threads at K768 N3072; by rows 0.134).
  int threads = bnrt_threads_count(pool);
  if (threads > 1 && args->m >= 8 * threads) {
    splitActivationRows(
        args->m, 4, pool,
        [&](int64_t m0, int64_t m1) {
          bnrt_xgemm(args, isa, m0, m1, 0, args->n);
        },
        1);
    return;
  }
  splitWeightRows(args->n, pool, [&](int64_t n0, int64_t n1) {
    bnrt_xgemm(args, isa, 0, args->m, n0, n1);
  });
}

extern "C" void bnrt_sgemm_parallel(const bnrt_sgemm_args *args, bnrt_isa isa,
                                    bnrt_threads *pool) {
  // Whole panels per thread: a split panel would be packed twice, half
  // empty.
  splitWeightRows(
      args->n, pool,
      [&](int64_t n0, int64_t n1) { bnrt_sgemm(args, isa, n0, n1); },
      bnrt::kSgemmPanelRows);
}

extern "C" void bnrt_bgemm_f32_parallel(const bnrt_bgemm_f32_args *args,
                                        bnrt_isa isa, bnrt_threads *pool) {
  // The lookup paths build tables per activation row: tiles of rows build
  // each once (when there are at least two per thread); the rows are
  // independent GEMMs.
  int threads = bnrt_threads_count(pool);
  int64_t unit = bnrt::kBgemmF32Rows, rowGroups = (args->m + unit - 1) / unit;
  if (args->patterns && threads > 1 && rowGroups >= 2 * threads) {
    splitActivationRows(args->m, unit, pool, [&](int64_t m0, int64_t m1) {
      bnrt_bgemm_f32_args rows = *args;
      rows.m = m1 - m0;
      rows.x += m0 * args->ldx;
      rows.y += m0 * args->ldy;
      bnrt_bgemm_f32(&rows, isa, 0, args->n);
    });
    return;
  }
  splitWeightRows(args->n, pool, [&](int64_t n0, int64_t n1) {
    bnrt_bgemm_f32(args, isa, n0, n1);
  });
}
