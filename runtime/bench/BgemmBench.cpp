//===- BgemmBench.cpp - bit-plane GEMM microbenchmarks --------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//   bnrt-bench [--benchmark_filter=...] [--benchmark_format=json]
//
// (bgemm_*_vnni: AVX-512 with its lookup kernel turned off, i.e. the VNNI
// kernel alone; the float GEMM's cases: SgemmBench.cpp)
// y = x * W^T at BERT-base shapes (M = 128 tokens; K x N = 768 x 768,
// 768 x 3072, 3072 x 768), for 1 and 2 weight planes (binary; ternary or
// TWS before fine-tuning, sharing one scale: planes2; a fine-tuned TWS
// split, each plane its own scale: planes2own), on every ISA path this CPU
// has, on 1 and 2 threads (real time). The
// OPS counter counts 2 M N K operations per plane-free GEMM (one multiply-add
// per weight), as int8 and fp32 GEMM benchmarks do, so the numbers compare
// directly with bench/gemm-vs-ort.sh's onnxruntime baselines. On x86-64,
// MACC is multiply-adds per cycle of one thread's core (M N K / time /
// clock, the clock measured once by a chain of dependent integer adds:
// one a cycle), to hold against the int8 ceiling (two 512-bit vpdpbusd a
// cycle: 128).
//
//===----------------------------------------------------------------------===//
#include "aligned_vector.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"

#include <benchmark/benchmark.h>

#include <algorithm>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

/// The core's clock in Hz, by timing dependent adds (x86-64), else 0.
double clockHz() {
#if defined(__x86_64__)
  static const double hz = [] {
    double best = 0;
    for (int round = 0; round < 3; ++round) {
      constexpr long kAdds = 200000000;
      auto start = std::chrono::steady_clock::now();
      long n = kAdds / 4;
      asm volatile("xor %%eax, %%eax\n1:\n\t"
                   "add $1, %%rax\n\tadd $1, %%rax\n\t"
                   "add $1, %%rax\n\tadd $1, %%rax\n\t"
                   "dec %0\n\tjnz 1b"
                   : "+r"(n)
                   :
                   : "rax", "cc");
      std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start;
      best = std::max(best, kAdds / took.count());
    }
    return best;
  }();
  return hz;
#else
  return 0;
#endif
}

/// OPS (2 M N K a run, per second) and, where the clock is known, MACC
/// (M N K a run, per cycle) of runs that took `seconds` in all.
void setRates(benchmark::State &state, int64_t m, int64_t n, int64_t k,
              double seconds) {
  // Printed with an SI prefix: "OPS=275G" is 275 GOPS.
  state.counters["OPS"] = benchmark::Counter(
      2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::OneK::kIs1000);
  if (double hz = clockHz(); hz > 0 && seconds > 0)
    state.counters["MACC"] =
        double(m) * n * k * double(state.iterations()) / (seconds * hz);
}

/// Runs `run` for the benchmark's iterations; their wall time in seconds.
template <typename Run> double timed(benchmark::State &state, Run run) {
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state)
    run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

void bgemm(benchmark::State &state, bnrt_isa isa, int64_t m, int64_t k,
           int64_t n, int planes, bool ownScales, int threads, int actBits,
           bool lookup) {
  // The lookup kernels where AVX-512 has them, or the VNNI kernel alone
  // (rather than the one this CPU's timing picks).
  setenv("BNRT_BGEMM_LOOKUP", lookup ? "1" : "0", 1);
  bnrt_threads *pool = bnrt_threads_create(threads);
  std::mt19937 rng(0);
  int64_t words = bnrt_bitpack_row_words(k), lda = words * 64;
  bnrt::AlignedVector<int8_t> x(m * lda, 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j)
      x[i * lda + j] = actBits == 4
                           ? static_cast<int8_t>(int(rng() % 15) - 7)
                           : static_cast<int8_t>(int(rng() % 255) - 127);
  bnrt::AlignedVector<uint64_t> bits(planes * n * words);
  for (auto &w : bits)
    w = (uint64_t(rng()) << 32) | rng();
  if (k % 64)
    for (int64_t r = 0; r < planes * n; ++r)
      bits[r * words + words - 1] &= bnrt_bitpack_last_word_mask(k);
  bnrt::AlignedVector<float> alpha(planes, 0.01f), bias(n, 0.1f), y(m * n);
  if (ownScales)
    alpha.back() = 0.013f;
  bnrt_bgemm_args args{m,           n,           k,      x.data(),     lda,
                       0.02f,       bits.data(), planes, alpha.data(), 0,
                       bias.data(), y.data(),    n,      nullptr,      actBits};
  bnrt::AlignedVector<uint64_t> packed(bnrt_bgemm_packed_bytes(&args, isa) / 8);
  if (!packed.empty()) {
    bnrt_bgemm_pack(&args, isa, packed.data());
    args.packed = packed.data();
  }
  double seconds = timed(state, [&] {
    bnrt_bgemm_a8_parallel(&args, isa, pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
  setRates(state, m, n, k, seconds);
  bnrt_threads_destroy(pool);
  unsetenv("BNRT_BGEMM_LOOKUP");
}

/// The fully binary GEMM (1-bit activations) on the same shapes: the
/// multiply-adds it stands for (m n k, counted as 2 ops each).
void xgemm(benchmark::State &state, bnrt_isa isa, int64_t m, int64_t k,
           int64_t n, int threads) {
  int64_t words = bnrt_bitpack_row_words(k);
  std::vector<uint64_t> x(m * words), bits(n * words);
  uint64_t s = 0x9E3779B97F4A7C15u;
  for (auto *v : {&x, &bits})
    for (uint64_t &w : *v)
      w = (s ^= s << 13, s ^= s >> 7, s ^= s << 17);
  std::vector<float> y(m * n);
  float xScale = 0.5f, alpha = 0.01f;
  bnrt_xgemm_args args{m, n,       k,           x.data(), 1,
                       1, &xScale, bits.data(), 1,        &alpha,
                       0, nullptr, y.data(),    n,        nullptr};
  std::vector<uint64_t> packed(bnrt_xgemm_packed_bytes(&args, isa) / 8);
  if (!packed.empty()) {
    bnrt_xgemm_pack(&args, isa, packed.data());
    args.packed = packed.data();
  }
  bnrt_threads *pool = bnrt_threads_create(threads);
  double seconds = timed(state, [&] {
    bnrt_xgemm_parallel(&args, isa, pool);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
  setRates(state, m, n, k, seconds);
  bnrt_threads_destroy(pool);
}

} // namespace

void registerSgemmBenchmarks(); // SgemmBench.cpp

int main(int argc, char **argv) {
  struct Shape {
    int64_t m, k, n;
  };
  struct Weights {
    int planes;
    bool ownScales;
    const char *name;
  };
  for (int i = 0; i < BNRT_ISA_COUNT; ++i) {
    auto isa = static_cast<bnrt_isa>(i);
    if (!bnrt_isa_available(isa))
      continue;
    for (Shape s :
         {Shape{128, 768, 768}, Shape{128, 768, 3072}, Shape{128, 3072, 768}})
      for (int actBits : {8, 4})
        for (Weights w :
             {Weights{1, false, "planes1"}, Weights{2, false, "planes2"},
              Weights{2, true, "planes2own"}})
          for (int threads : {1, 2}) {
            if (isa == BNRT_ISA_SCALAR &&
                (w.planes == 2 || threads == 2 || actBits == 4))
              continue; // the reference is slow; one point is enough
            for (bool lookup : {true, false}) {
              if (!lookup && isa != BNRT_ISA_AVX512)
                continue;
              std::string name =
                  std::string(actBits == 4 ? "bgemm_a4" : "bgemm_a8") +
                  (lookup ? "/" : "_vnni/") + bnrt_isa_name(isa) + "/M" +
                  std::to_string(s.m) + "_K" + std::to_string(s.k) + "_N" +
                  std::to_string(s.n) + "/" + w.name + "/threads" +
                  std::to_string(threads);
              benchmark::RegisterBenchmark(name.c_str(), bgemm, isa, s.m, s.k,
                                           s.n, w.planes, w.ownScales, threads,
                                           actBits, lookup)
                  ->Unit(benchmark::kMillisecond)
                  ->MinTime(0.2)
                  ->UseRealTime();
            }
          }
  }
  for (int i = 0; i < BNRT_ISA_COUNT; ++i) {
    auto isa = static_cast<bnrt_isa>(i);
    if (!bnrt_isa_available(isa))
      continue;
    for (Shape s :
         {Shape{128, 768, 768}, Shape{128, 768, 3072}, Shape{128, 3072, 768}})
      for (int threads : {1, 2}) {
        std::string name = std::string("xgemm_a1/") + bnrt_isa_name(isa) +
                           "/M" + std::to_string(s.m) + "_K" +
                           std::to_string(s.k) + "_N" + std::to_string(s.n) +
                           "/threads" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), xgemm, isa, s.m, s.k, s.n,
                                     threads)
            ->Unit(benchmark::kMillisecond)
            ->MinTime(0.2)
            ->UseRealTime();
      }
  }
  registerSgemmBenchmarks();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
