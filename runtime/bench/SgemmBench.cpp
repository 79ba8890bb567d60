//===- SgemmBench.cpp - float GEMM microbenchmarks ------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// y = x * W^T + bias in fp32 (bnrt_sgemm, LinearF32's kernel), and with W
// one packed sign plane (bnrt_bgemm_f32, LinearBitsF32's), at the
// BERT-base shapes of BgemmBench.cpp, every ISA path this CPU has, 1 and 2
// threads; OPS counts 2 M N K, as bench/gemm-vs-ort.sh's ORT MatMul does.
//
//===----------------------------------------------------------------------===//
#include "aligned_vector.h"
#include "bnrt/kernels.h"
#include "bnrt/sgemm_panels.h"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

/// Times run() and reports OPS = 2 M N K per iteration.
template <typename Run>
void timeGemm(benchmark::State &state, int64_t m, int64_t n, int64_t k,
              const float *y, const Run &run) {
  for (auto _ : state) {
    run();
    benchmark::DoNotOptimize(y);
    benchmark::ClobberMemory();
  }
  state.counters["OPS"] = benchmark::Counter(
      2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::OneK::kIs1000);
}

void sgemm(benchmark::State &state, bnrt_isa isa, int64_t m, int64_t k,
           int64_t n, int threads, int32_t layout) {
  bnrt_threads *pool = bnrt_threads_create(threads);
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  bnrt::AlignedVector<float> x(m * k), rows(n * k), w(n * k), bias(n), y(m * n);
  for (auto *v : {&x, &rows, &bias})
    for (float &f : *v)
      f = normal(rng);
  // The layout a bundle stores LinearF32 weights in, or as a linear layer
  // stores them (transposed on every call).
  if (layout == BNRT_SGEMM_W_PANELS)
    bnrt::sgemm_panels::pack(rows.data(), n, k, w.data());
  else
    w = rows;
  bnrt_sgemm_args args{m, n,           k,        x.data(), k,     w.data(),
                       k, bias.data(), y.data(), n,        layout};
  timeGemm(state, m, n, k, y.data(),
           [&] { bnrt_sgemm_parallel(&args, isa, pool); });
  bnrt_threads_destroy(pool);
}

/// Weight-only binary: float x against one packed sign plane.
void bgemmF32(benchmark::State &state, bnrt_isa isa, int64_t m, int64_t k,
              int64_t n, int threads) {
  bnrt_threads *pool = bnrt_threads_create(threads);
  std::mt19937_64 rng(0);
  std::normal_distribution<float> normal;
  int64_t words = (k + 63) / 64;
  bnrt::AlignedVector<float> x(m * k), bias(n), y(m * n), alpha{0.02f};
  for (float &f : x)
    f = normal(rng);
  bnrt::AlignedVector<uint64_t> bits(n * words);
  for (uint64_t &w : bits)
    w = rng();
  bnrt_bgemm_f32_args args{m, n,           k,        x.data(),
                           k, bits.data(), 1,        alpha.data(),
                           0, bias.data(), y.data(), n};
  bnrt::AlignedVector<uint8_t> patterns(
      bnrt_bgemm_f32_packed_bytes(&args, isa));
  bnrt_bgemm_f32_pack(&args, isa, patterns.data());
  args.patterns = patterns.empty() ? nullptr : patterns.data();
  timeGemm(state, m, n, k, y.data(),
           [&] { bnrt_bgemm_f32_parallel(&args, isa, pool); });
  bnrt_threads_destroy(pool);
}

} // namespace

void registerSgemmBenchmarks() {
  for (int i = 0; i < BNRT_ISA_COUNT; ++i) {
    auto isa = static_cast<bnrt_isa>(i);
    if (!bnrt_isa_available(isa))
      continue;
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{128, 768, 768},
                           {128, 768, 3072},
                           {128, 3072, 768}})
      for (int threads : {1, 2}) {
        if (isa == BNRT_ISA_SCALAR && threads == 2)
          continue;
        std::string name = std::string("sgemm/") + bnrt_isa_name(isa) + "/M" +
                           std::to_string(m) + "_K" + std::to_string(k) + "_N" +
                           std::to_string(n) + "/threads" +
                           std::to_string(threads);
        for (auto [layout, suffix] : {std::pair{BNRT_SGEMM_W_PANELS, ""},
                                      std::pair{BNRT_SGEMM_W_ROWS, "/rows"}})
          benchmark::RegisterBenchmark((name + suffix).c_str(), sgemm, isa, m,
                                       k, n, threads, int32_t(layout))
              ->Unit(benchmark::kMillisecond)
              ->MinTime(0.2)
              ->UseRealTime();
        benchmark::RegisterBenchmark(("bgemm_f32" + name.substr(5)).c_str(),
                                     bgemmF32, isa, m, k, n, threads)
            ->Unit(benchmark::kMillisecond)
            ->MinTime(0.2)
            ->UseRealTime();
      }
  }
}
