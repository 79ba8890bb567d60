//===- BgemmTest.cpp - bit-plane GEMM: every ISA path vs the scalar one ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every available path must equal the scalar reference exactly (all paths
// share the int32 dot products and the float epilogue), on odd shapes: K not
// a multiple of 64 (or of the 16/32-column SIMD steps), M and N not
// multiples of the register blocks, 1 and 2 planes, per-tensor and per-row
// scales, with and without bias, extreme codes. The scalar reference itself
// is checked against a direct formula on float signs.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "kernels/bgemm_impl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

struct Problem {
  int64_t m, n, k;
  int planes;
  bool perRow, bias;
  std::vector<int8_t> x, signs; // signs: [planes, n, k] in {-1, +1}
  std::vector<uint64_t> bits;
  std::vector<float> alpha, biasValues;
  int64_t lda;
  int32_t actBits = 0; // bnrt_bgemm_args::act_bits

  Problem(int64_t m, int64_t n, int64_t k, int planes, bool perRow, bool bias,
          unsigned seed, int codeRange = 127)
      : m(m), n(n), k(k), planes(planes), perRow(perRow), bias(bias) {
    std::mt19937 rng(seed);
    int64_t words = bnrt_bitpack_row_words(k);
    lda = words * 64;
    x.assign(m * lda, 0); // padding columns stay zero (the contract)
    std::uniform_int_distribution<int> code(-codeRange, codeRange);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j)
        x[i * lda + j] = static_cast<int8_t>(code(rng));
    signs.resize(planes * n * k);
    for (auto &s : signs)
      s = (rng() & 1) ? 1 : -1;
    bits.assign(planes * n * words, 0);
    for (int64_t r = 0; r < planes * n; ++r)
      bnrt_bitpack_row(signs.data() + r * k, k, bits.data() + r * words);
    std::uniform_real_distribution<float> scale(0.01f, 1.0f);
    alpha.resize(perRow ? planes * n : planes);
    for (auto &v : alpha)
      v = scale(rng);
    biasValues.resize(n);
    for (auto &v : biasValues)
      v = scale(rng) - 0.5f;
  }

  /// The largest dots codes within +-range allow: every code +-range and
  /// every weight's sign that of its code, so each dot is range * k.
  void makeWidestDots(int range) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j)
        x[i * lda + j] = static_cast<int8_t>(j % 5 ? range : -range);
    int64_t words = bnrt_bitpack_row_words(k);
    for (int64_t r = 0; r < planes * n; ++r) {
      for (int64_t j = 0; j < k; ++j)
        signs[r * k + j] = x[j] > 0 ? 1 : -1;
      bnrt_bitpack_row(signs.data() + r * k, k, bits.data() + r * words);
    }
  }

  /// The weights in `isa`'s packed layout (empty when it reads `bits`).
  std::vector<uint64_t> pack(bnrt_isa isa) const {
    std::vector<float> none;
    bnrt_bgemm_args args = makeArgs(none, {});
    std::vector<uint64_t> packed(bnrt_bgemm_packed_bytes(&args, isa) / 8);
    if (!packed.empty())
      bnrt_bgemm_pack(&args, isa, packed.data());
    return packed;
  }

  /// Kernel arguments writing into `y`, with `packed` weights (or none).
  bnrt_bgemm_args makeArgs(std::vector<float> &y,
                           const std::vector<uint64_t> &packed) const {
    return {m,
            n,
            k,
            x.data(),
            lda,
            0.037f,
            bits.data(),
            planes,
            alpha.data(),
            perRow,
            bias ? biasValues.data() : nullptr,
            y.data(),
            n,
            packed.empty() ? nullptr : packed.data(),
            actBits};
  }

  std::vector<float> run(bnrt_isa isa) const {
    std::vector<uint64_t> packed = pack(isa);
    std::vector<float> y(m * n, NAN);
    bnrt_bgemm_args args = makeArgs(y, packed);
    bnrt_bgemm_a8(&args, isa, 0, m, 0, n);
    return y;
  }
};

TEST(Bgemm, ScalarMatchesDirectFormula) {
  Problem p(3, 5, 70, 2, true, true, 1);
  std::vector<float> y = p.run(BNRT_ISA_SCALAR);
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      double acc = 0;
      for (int q = 0; q < p.planes; ++q) {
        double dot = 0;
        for (int64_t c = 0; c < p.k; ++c)
          dot += double(p.x[i * p.lda + c]) * p.signs[(q * p.n + j) * p.k + c];
        acc += p.alpha[q * p.n + j] * dot;
      }
      double expected = 0.037 * acc + p.biasValues[j];
      EXPECT_NEAR(y[i * p.n + j], expected, 1e-4 * (1 + std::fabs(expected)));
    }
}

TEST(Bgemm, HandComputed) {
  // x = [1, -2, 3], B = [+1, -1, -1] -> 1 + 2 - 3 = 0; B = [-1, -1, +1] -> 4.
  Problem p(1, 2, 3, 1, false, false, 0);
  p.x = {1, -2, 3};
  p.x.resize(p.lda, 0);
  p.signs = {1, -1, -1, -1, -1, 1};
  bnrt_bitpack_row(p.signs.data(), 3, p.bits.data());
  bnrt_bitpack_row(p.signs.data() + 3, 3, p.bits.data() + 1);
  p.alpha = {2.0f};
  std::vector<float> y = p.run(BNRT_ISA_SCALAR);
  EXPECT_FLOAT_EQ(y[0], 0.0f);
  EXPECT_FLOAT_EQ(y[1], 0.037f * 2.0f * 4.0f);
  for (bnrt_isa isa : bnrt_test::availableIsas(false))
    EXPECT_EQ(p.run(isa), y) << bnrt_isa_name(isa);
}

struct Shape {
  int64_t m, n, k;
};

TEST(Bgemm, EverySimdPathEqualsScalarOnOddShapes) {
  const Shape shapes[] = {{1, 1, 1},    {1, 1, 64},   {2, 3, 65},
                          {5, 7, 127},  {4, 4, 128},  {9, 13, 200},
                          {3, 17, 31},  {8, 5, 768},  {7, 9, 1000},
                          {16, 6, 129}, {1, 33, 257}, {13, 4, 16}};
  std::vector<bnrt_isa> isas = bnrt_test::availableIsas(false);
  unsigned seed = 0;
  for (const Shape &s : shapes)
    for (int planes : {1, 2})
      for (bool perRow : {false, true})
        for (bool bias : {false, true}) {
          Problem p(s.m, s.n, s.k, planes, perRow, bias, ++seed);
          std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
          for (bnrt_isa isa : isas)
            ASSERT_EQ(p.run(isa), expected)
                << bnrt_isa_name(isa) << " m=" << s.m << " n=" << s.n
                << " k=" << s.k << " planes=" << planes;
        }
}

TEST(Bgemm, SharedScalesCombinePlanesExactly) {
  // Ternary and TWS-split weights: planes with one scale (per tensor, per
  // row, or on only some rows) are summed as integers before the scale,
  // the AVX2 kernel then decodes them into one panel. Every path equals
  // the scalar one, which equals the direct formula on int sums.
  const Shape shapes[] = {{5, 17, 100}, {8, 48, 768}, {3, 33, 65}};
  std::vector<bnrt_isa> isas = bnrt_test::availableIsas(false);
  unsigned seed = 100;
  for (const Shape &s : shapes)
    for (int planes : {2, 3})
      for (bool perRow : {false, true})
        for (bool allRows : {true, false}) {
          Problem p(s.m, s.n, s.k, planes, perRow, true, ++seed);
          int64_t groups = perRow ? p.n : 1;
          for (int q = 1; q < planes; ++q)
            for (int64_t g = 0; g < groups; ++g)
              if (allRows || g % 3 != 0)
                p.alpha[q * groups + g] = p.alpha[g];
          std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
          for (int64_t i = 0; i < p.m; ++i)
            for (int64_t j = 0; j < p.n; ++j) {
              int64_t g = perRow ? j : 0;
              bool shared = true;
              int32_t sum = 0;
              float acc = 0.0f;
              for (int q = 0; q < planes; ++q) {
                int32_t dot = 0;
                for (int64_t c = 0; c < p.k; ++c)
                  dot += p.x[i * p.lda + c] * p.signs[(q * p.n + j) * p.k + c];
                shared = shared && p.alpha[q * groups + g] == p.alpha[g];
                sum += dot;
                acc += p.alpha[q * groups + g] * static_cast<float>(dot);
              }
              if (shared)
                acc = 0.0f + p.alpha[g] * static_cast<float>(sum);
              EXPECT_EQ(expected[i * p.n + j], 0.037f * acc + p.biasValues[j]);
            }
          for (bnrt_isa isa : isas)
            ASSERT_EQ(p.run(isa), expected)
                << bnrt_isa_name(isa) << " m=" << s.m << " n=" << s.n
                << " planes=" << planes << " perRow=" << perRow
                << " allRows=" << allRows;
        }
}

TEST(Bgemm, ExtremeCodesAndSubRanges) {
  // All codes at +-127 (the A8 range limits) and 4-bit codes (A4).
  for (int range : {127, 7}) {
    Problem p(6, 10, 300, 2, true, true, 99, range);
    if (range == 127)
      for (int64_t i = 0; i < p.m; ++i)
        for (int64_t j = 0; j < p.k; ++j)
          p.x[i * p.lda + j] = (j % 2) ? 127 : -127;
    std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
    for (bnrt_isa isa : bnrt_test::availableIsas(false))
      EXPECT_EQ(p.run(isa), expected) << bnrt_isa_name(isa);
  }
}

TEST(Bgemm, NarrowCodesByLookupEqualScalar) {
  // act_bits 2..4 (codes within +-(2^(b-1) - 1)) lets AVX2 look sums up in
  // tables: 1 plane, shared-scale planes (one set of lookups), unshared
  // planes (the other kernel), odd shapes, and tiles of 16-row blocks.
  const Shape shapes[] = {{1, 1, 1},    {5, 17, 100}, {4, 32, 64},
                          {7, 33, 129}, {9, 48, 768}, {3, 100, 255}};
  std::vector<bnrt_isa> isas = bnrt_test::availableIsas(false);
  unsigned seed = 200;
  for (const Shape &s : shapes)
    for (int bits : {4, 3, 2})
      for (int planes : {1, 2, 3})
        for (bool shared : {true, false}) {
          if (planes == 1 && !shared)
            continue;
          int range = (1 << (bits - 1)) - 1;
          Problem p(s.m, s.n, s.k, planes, true, true, ++seed, range);
          p.actBits = bits;
          for (int q = 1; q < planes && shared; ++q)
            for (int64_t g = 0; g < p.n; ++g)
              p.alpha[q * p.n + g] = p.alpha[g];
          std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
          for (bnrt_isa isa : isas) {
            ASSERT_EQ(p.run(isa), expected)
                << bnrt_isa_name(isa) << " m=" << s.m << " n=" << s.n
                << " k=" << s.k << " bits=" << bits << " planes=" << planes;
            std::vector<uint64_t> packed = p.pack(isa);
            std::vector<float> y(p.m * p.n, NAN);
            bnrt_bgemm_args args = p.makeArgs(y, packed);
            for (int64_t n0 = 0; n0 < p.n; n0 += 16) // one block per call
              bnrt_bgemm_a8(&args, isa, 0, p.m, n0, std::min(p.n, n0 + 16));
            ASSERT_EQ(y, expected) << bnrt_isa_name(isa) << " tiles";
          }
        }
}

TEST(Bgemm, SubRangesOfRowsAndColumns) {
  // Threads call the kernel on [m0, m1) x [n0, n1) tiles.
  Problem p(11, 19, 150, 2, false, true, 7);
  std::vector<float> full = p.run(BNRT_ISA_SCALAR);
  for (bnrt_isa isa : bnrt_test::availableIsas(false)) {
    std::vector<uint64_t> packed = p.pack(isa);
    std::vector<float> y(p.m * p.n, NAN);
    bnrt_bgemm_args args = p.makeArgs(y, packed);
    // Tiles at and off the 16-row blocks of packed layouts.
    bnrt_bgemm_a8(&args, isa, 0, 5, 0, 7);
    bnrt_bgemm_a8(&args, isa, 0, 5, 7, 19);
    bnrt_bgemm_a8(&args, isa, 5, 11, 0, 16);
    bnrt_bgemm_a8(&args, isa, 5, 11, 16, 19);
    EXPECT_EQ(y, full) << bnrt_isa_name(isa);
  }
}

TEST(Bgemm, ParallelEqualsSingleThreaded) {
  // Tiles over N (rows of 4 for the A4 lookup kernel: 13 rows, 4-bit
  // codes, 1 plane) on 1, 2 and 3 threads, repeated (the pool is reused).
  Problem a8(9, 150, 200, 2, true, true, 5);
  Problem a4(13, 150, 200, 1, true, true, 6, 7);
  a4.actBits = 4;
  std::vector<bnrt_isa> isas = bnrt_test::availableIsas(false);
  isas.push_back(BNRT_ISA_SCALAR);
  for (const Problem *p : {&a8, &a4}) {
    std::vector<float> expected = p->run(BNRT_ISA_SCALAR);
    for (int threads : {1, 2, 3}) {
      bnrt_threads *pool = bnrt_threads_create(threads);
      ASSERT_NE(pool, nullptr);
      EXPECT_EQ(bnrt_threads_count(pool), threads);
      for (bnrt_isa isa : isas) {
        std::vector<uint64_t> packed = p->pack(isa);
        for (int repeat = 0; repeat < 3; ++repeat) {
          std::vector<float> y(p->m * p->n, NAN);
          bnrt_bgemm_args args = p->makeArgs(y, packed);
          bnrt_bgemm_a8_parallel(&args, isa, pool);
          ASSERT_EQ(y, expected) << bnrt_isa_name(isa) << " threads=" << threads
                                 << " act_bits=" << p->actBits;
        }
      }
      bnrt_threads_destroy(pool);
    }
  }
  EXPECT_EQ(bnrt_threads_create(0), nullptr);
}

/// Forces the AVX-512 lookup kernels on or off (BNRT_BGEMM_LOOKUP=1 / 0)
/// while alive, whichever this CPU's timing would choose; then restores
/// the variable.
class ForcedLookup {
public:
  explicit ForcedLookup(bool on) {
    const char *now = std::getenv("BNRT_BGEMM_LOOKUP");
    had = now != nullptr;
    if (had)
      before = now;
    setenv("BNRT_BGEMM_LOOKUP", on ? "1" : "0", 1);
  }
  ~ForcedLookup() {
    if (had)
      setenv("BNRT_BGEMM_LOOKUP", before.c_str(), 1);
    else
      unsetenv("BNRT_BGEMM_LOOKUP");
  }

private:
  bool had;
  std::string before;
};

TEST(Bgemm, Avx512LookupKernelsEqualScalar) {
  // The AVX-512 default for 4+ activation rows (the rest, m % 4, by VNNI),
  // for 8-bit codes (bgemm_lut_avx512.cpp: tiles of 4 rows x 160 weight
  // rows, groups of 6 columns in pairs, int16 sums widened every 21 pairs
  // for one plane, 10 for two) and for 4-bit codes (bgemm_lut4_avx512.cpp
  // on VBMI CPUs: tiles of 4 rows x 80 weight rows, quads of 16 columns).
  // Two planes sharing their scale on every row take the ternary kernel
  // for either (bgemm_lut3_avx512.cpp: 3 columns a group, 28 words of 3
  // groups between widenings). Shapes across every one of those
  // steps; 1 plane, 2 planes with their own scales (two sets of dots), 2
  // sharing a scale on some tiles only (summed lookups there), per-tensor
  // and per-row scales; random codes, codes at the range's ends and the
  // widest dots (every sum at its bound); column sub-ranges starting inside
  // a tile; 2 threads. With the lookup kernels turned off (VNNI alone) the
  // results are the same bits.
  if (!bnrt_isa_available(BNRT_ISA_AVX512))
    GTEST_SKIP() << "no AVX-512 path on this CPU";
  ForcedLookup on(true);
  constexpr int kAll = 1000;
  struct Case {
    int64_t m, n, k;
    int planes;
    bool perRow;
    int sharedTiles; // planes 2: the first 160 * sharedTiles rows share
                     // their scale (kAll: every row: the ternary kernel)
    bool widest;     // makeWidestDots
  };
  const Case cases[] = {{4, 1, 1, 1, false, 0, false},
                        {5, 31, 6, 1, true, 0, false},
                        {8, 33, 11, 1, false, 0, false},
                        {7, 160, 12, 1, true, 0, false},
                        {9, 161, 13, 2, true, 0, false},
                        {6, 81, 16, 1, true, 0, false},
                        {5, 79, 17, 2, false, 0, false},
                        {13, 321, 130, 2, false, 0, false},
                        {6, 200, 767, 1, true, 0, false},
                        {11, 170, 3000, 2, true, 0, false},
                        {4, 480, 250, 2, true, 1, false},
                        {10, 100, 493, 1, true, 0, false},
                        {17, 64, 241, 2, true, 0, false},
                        {9, 200, 100, 2, true, kAll, false},
                        {6, 170, 1000, 2, false, kAll, false},
                        // The widest dots: for 8 bits, 42 lookups of 768
                        // between widenings (ternary: 84 of 384).
                        {4, 165, 1000, 2, true, kAll, true},
                        {4, 40, 1000, 1, false, 0, true},
                        {5, 330, 1000, 2, true, 1, true}};
  unsigned seed = 300;
  for (int bits : {8, 4})
    for (const Case &c : cases) {
      int range = bits == 8 ? 127 : 7;
      Problem p(c.m, c.n, c.k, c.planes, c.perRow, true, ++seed, range);
      p.actBits = bits;
      if (c.widest)
        p.makeWidestDots(range);
      else if (seed % 2) // every code at the range's ends
        for (int64_t i = 0; i < p.m; ++i)
          for (int64_t j = 0; j < p.k; ++j)
            p.x[i * p.lda + j] =
                static_cast<int8_t>((i + j) % 5 ? range : -range);
      int64_t rowsPerPlane = c.perRow ? p.n : 1;
      for (int64_t row = 0; row < rowsPerPlane && c.planes == 2; ++row)
        if (c.sharedTiles == kAll || row < c.sharedTiles * 160)
          p.alpha[rowsPerPlane + row] = p.alpha[row];
      std::string where =
          "bits=" + std::to_string(bits) + " m=" + std::to_string(c.m) +
          " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
          " planes=" + std::to_string(c.planes);
      std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
      EXPECT_EQ(p.run(BNRT_ISA_AVX512), expected) << where;
      std::vector<uint64_t> packed = p.pack(BNRT_ISA_AVX512);
      {
        std::vector<float> y(p.m * p.n, NAN);
        bnrt_bgemm_args args = p.makeArgs(y, packed);
        for (int64_t n0 = 0; n0 < p.n; n0 += 48) // sub-ranges inside tiles
          bnrt_bgemm_a8(&args, BNRT_ISA_AVX512, 0, p.m, n0,
                        std::min(p.n, n0 + 48));
        EXPECT_EQ(y, expected) << "column sub-ranges, " << where;
      }
      bnrt_threads *pool = bnrt_threads_create(2);
      ASSERT_NE(pool, nullptr);
      std::vector<float> y(p.m * p.n, NAN);
      bnrt_bgemm_args args = p.makeArgs(y, packed);
      bnrt_bgemm_a8_parallel(&args, BNRT_ISA_AVX512, pool);
      EXPECT_EQ(y, expected) << "2 threads, " << where;
      bnrt_threads_destroy(pool);
      ForcedLookup off(false);
      EXPECT_EQ(p.run(BNRT_ISA_AVX512), expected) << "VNNI alone, " << where;
    }
}

#if defined(__x86_64__)
TEST(Bgemm, LookupChoiceFollowsTheVariableElseOneTiming) {
  if (!bnrt_isa_available(BNRT_ISA_AVX512))
    GTEST_SKIP() << "no AVX-512 path on this CPU";
  for (bnrt::Avx512Layouts kind :
       {bnrt::Avx512Layouts{true, false, false}, {false, false, true}}) {
    {
      ForcedLookup on(true);
      EXPECT_TRUE(bnrt::bgemmLookupChosen(kind));
    }
    {
      ForcedLookup off(false);
      EXPECT_FALSE(bnrt::bgemmLookupChosen(kind));
    }
    bool timed = bnrt::bgemmLookupChosen(kind); // kept for the process
    EXPECT_EQ(bnrt::bgemmLookupChosen(kind), timed);
  }
}
#endif

#if defined(__aarch64__)
TEST(Bgemm, NeonLookupKernelEqualsScalar) {
  // bgemm_lut_neon.cpp on every AArch64 path, forced on (and off: the
  // path's own kernel) for codes of 4, 3 and 2 bits: odd shapes (k not a
  // multiple of the 8-column steps, an odd number of steps, n past a
  // block, m not a multiple of the 4-row tiles), 1-3 planes sharing their
  // scale or not, per-row and per-tensor scales, the widest dots across
  // the int16 flush (k > 4096 columns: more than 512 steps), column
  // sub-ranges from block starts, 2 threads.
  struct Case {
    int64_t m, n, k;
    int planes;
    bool perRow, shared, widest;
  };
  const Case cases[] = {
      {1, 1, 1, 1, false, true, false},    {4, 16, 8, 1, true, true, false},
      {5, 17, 12, 2, true, true, false},   {7, 33, 100, 2, false, false, false},
      {9, 48, 768, 3, true, true, false},  {6, 95, 129, 1, true, true, false},
      {3, 40, 5000, 1, false, true, true}, {6, 20, 4200, 2, true, true, true},
      {5, 16, 4100, 2, true, false, true}};
  std::vector<bnrt_isa> isas;
  for (bnrt_isa isa : {BNRT_ISA_NEON, BNRT_ISA_NEONDOT, BNRT_ISA_NEONI8MM})
    if (bnrt_isa_available(isa))
      isas.push_back(isa);
  if (isas.empty())
    GTEST_SKIP() << "no AArch64 SIMD path on this CPU";
  unsigned seed = 400;
  for (int bits : {4, 3, 2})
    for (const Case &c : cases) {
      int range = (1 << (bits - 1)) - 1;
      Problem p(c.m, c.n, c.k, c.planes, c.perRow, true, ++seed, range);
      p.actBits = bits;
      if (c.widest)
        p.makeWidestDots(range);
      int64_t rowsPerPlane = c.perRow ? p.n : 1;
      for (int q = 1; q < c.planes && c.shared; ++q)
        for (int64_t row = 0; row < rowsPerPlane; ++row)
          p.alpha[q * rowsPerPlane + row] = p.alpha[row];
      std::string where =
          "bits=" + std::to_string(bits) + " m=" + std::to_string(c.m) +
          " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
          " planes=" + std::to_string(c.planes);
      std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
      for (bnrt_isa isa : isas) {
        std::string at = std::string(bnrt_isa_name(isa)) + " " + where;
        {
          ForcedLookup on(true);
          ASSERT_EQ(bnrt::neonBgemmChosen(isa, p.makeArgs(expected, {})),
                    bnrt::NeonBgemm::Lookup);
          EXPECT_EQ(p.run(isa), expected) << "lookup, " << at;
          std::vector<uint64_t> packed = p.pack(isa);
          std::vector<float> y(p.m * p.n, NAN);
          bnrt_bgemm_args args = p.makeArgs(y, packed);
          for (int64_t n0 = 0; n0 < p.n; n0 += 32)
            bnrt_bgemm_a8(&args, isa, 0, p.m, n0, std::min(p.n, n0 + 32));
          EXPECT_EQ(y, expected) << "lookup, column sub-ranges, " << at;
          bnrt_threads *pool = bnrt_threads_create(2);
          ASSERT_NE(pool, nullptr);
          std::fill(y.begin(), y.end(), NAN);
          bnrt_bgemm_a8_parallel(&args, isa, pool);
          bnrt_threads_destroy(pool);
          EXPECT_EQ(y, expected) << "lookup, 2 threads, " << at;
        }
        ForcedLookup off(false);
        EXPECT_EQ(p.run(isa), expected) << "own kernel, " << at;
      }
    }
}

TEST(Bgemm, NeonChoiceFollowsTheVariableElseOneTiming) {
  // BNRT_BGEMM_LOOKUP=1: lookup for narrow codes, the path's own kernel
  // for 8-bit ones; =0: its own; unset: one timing kept for the process
  // (and only lookup where the codes are narrow).
  using bnrt::NeonBgemm;
  std::vector<float> none;
  for (bnrt_isa isa : {BNRT_ISA_NEON, BNRT_ISA_NEONDOT, BNRT_ISA_NEONI8MM}) {
    if (!bnrt_isa_available(isa))
      continue;
    for (int planes : {1, 2})
      for (int bits : {4, 8}) {
        Problem p(4, 16, 64, planes, false, false, 9, 7);
        p.actBits = bits;
        bnrt_bgemm_args args = p.makeArgs(none, {});
        {
          ForcedLookup on(true);
          EXPECT_EQ(bnrt::neonBgemmChosen(isa, args),
                    bits == 4 ? NeonBgemm::Lookup : NeonBgemm::Own);
        }
        {
          ForcedLookup off(false);
          EXPECT_EQ(bnrt::neonBgemmChosen(isa, args), NeonBgemm::Own);
        }
        NeonBgemm timed = bnrt::neonBgemmChosen(isa, args);
        EXPECT_EQ(bnrt::neonBgemmChosen(isa, args), timed);
        if (bits == 8)
          EXPECT_NE(timed, NeonBgemm::Lookup);
        if (isa == BNRT_ISA_NEON)
          EXPECT_NE(timed, NeonBgemm::Bytes); // its own kernel
        std::printf("[ bnrt ] %s, %d plane(s), %d-bit codes: %s kernel\n",
                    bnrt_isa_name(isa), planes, bits,
                    timed == NeonBgemm::Lookup  ? "lookup"
                    : timed == NeonBgemm::Bytes ? "byte-select"
                                                : "own");
      }
  }
  // Never anything but the path's own off AArch64's paths.
  ForcedLookup on(true);
  Problem p(4, 16, 64, 1, false, false, 9, 7);
  p.actBits = 4;
  EXPECT_EQ(bnrt::neonBgemmChosen(BNRT_ISA_SCALAR, p.makeArgs(none, {})),
            NeonBgemm::Own);
}
#endif

TEST(Isa, NamesAndSelection) {
  for (int i = 0; i < BNRT_ISA_COUNT; ++i)
    EXPECT_EQ(bnrt_isa_parse(bnrt_isa_name(static_cast<bnrt_isa>(i))), i);
  EXPECT_EQ(bnrt_isa_parse("sse9"), -1);
  EXPECT_TRUE(bnrt_isa_available(BNRT_ISA_SCALAR));
  EXPECT_TRUE(bnrt_isa_available(bnrt_isa_default()));
  // Report which paths this run covers (CI logs show it).
  std::string covered = "scalar";
  for (bnrt_isa isa : bnrt_test::availableIsas(false))
    covered += std::string(" ") + bnrt_isa_name(isa);
  std::printf("[ bnrt ] ISA paths tested here: %s\n", covered.c_str());
}

} // namespace
