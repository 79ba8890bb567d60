//===- XgemmTest.cpp - fully binary GEMM: every ISA path vs the scalar ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The scalar kernel against the defining formula on +-1 / {0, 1} values,
// then every available SIMD path against the scalar one, bit for bit, on
// odd shapes: k not a multiple of 64 (bits past k), m not a multiple of
// the 4-row tiles, n not a multiple of the 8-row blocks or the 32-row
// tiles; signed, non-negative and ternary (signs and a mask) activations,
// 1 and 2 activation planes,
// 1-3 weight planes, per-tensor and per-row scales, bias, sub-ranges of
// rows and columns, 2 threads.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

// Activation kinds: values in {0, 1}, {-1, 1}, {-1, 0, 1} (x_mask).
enum Kind { kNonNegative = 0, kSigned = 1, kTernary = 2 };

struct Problem {
  int64_t m, n, k, words;
  int xPlanes, planes;
  int kind;
  bool perRow, bias;
  std::vector<int8_t> xValues, wSigns; // [xPlanes, m, k], [planes, n, k]
  std::vector<uint64_t> x, xMask, bits;
  std::vector<float> xScale, alpha, biasValues;

  Problem(int64_t m, int64_t n, int64_t k, int xPlanes, int planes, int kind,
          bool perRow, bool bias, unsigned seed)
      : m(m), n(n), k(k), words(bnrt_bitpack_row_words(k)), xPlanes(xPlanes),
        planes(planes), kind(kind), perRow(perRow), bias(bias) {
    std::mt19937 rng(seed);
    xValues.resize(xPlanes * m * k);
    x.assign(xPlanes * m * words, 0);
    xMask.assign(kind == kTernary ? xPlanes * m * words : 0, 0);
    for (int64_t r = 0; r < xPlanes * m; ++r)
      for (int64_t j = 0; j < k; ++j) {
        uint64_t at = uint64_t(1) << (j % 64);
        if (kind == kTernary) { // a third zeros; bit 1 of x = -1
          int v = int(rng() % 3) - 1;
          xValues[r * k + j] = int8_t(v);
          if (v < 0)
            x[r * words + j / 64] |= at;
          if (v != 0)
            xMask[r * words + j / 64] |= at;
          continue;
        }
        bool bit = rng() & 1;
        xValues[r * k + j] = kind == kSigned ? (bit ? -1 : 1) : (bit ? 1 : 0);
        if (bit)
          x[r * words + j / 64] |= at;
      }
    wSigns.resize(planes * n * k);
    bits.assign(planes * n * words, 0);
    for (auto &s : wSigns)
      s = (rng() & 1) ? 1 : -1;
    for (int64_t r = 0; r < planes * n; ++r)
      bnrt_bitpack_row(wSigns.data() + r * k, k, bits.data() + r * words);
    std::uniform_real_distribution<float> scale(0.01f, 1.0f);
    xScale.resize(xPlanes);
    for (auto &v : xScale)
      v = scale(rng);
    alpha.resize(perRow ? planes * n : planes);
    for (auto &v : alpha)
      v = scale(rng);
    biasValues.resize(n);
    for (auto &v : biasValues)
      v = scale(rng) - 0.5f;
  }

  bnrt_xgemm_args args(std::vector<float> &y,
                       const std::vector<uint64_t> &packed) const {
    return {m,
            n,
            k,
            x.data(),
            xPlanes,
            kind != kNonNegative,
            xScale.data(),
            bits.data(),
            planes,
            alpha.data(),
            perRow,
            bias ? biasValues.data() : nullptr,
            y.data(),
            n,
            packed.empty() ? nullptr : packed.data(),
            kind == kTernary ? xMask.data() : nullptr};
  }

  std::vector<uint64_t> pack(bnrt_isa isa) const {
    std::vector<float> none;
    bnrt_xgemm_args a = args(none, {});
    std::vector<uint64_t> packed(bnrt_xgemm_packed_bytes(&a, isa) / 8);
    if (!packed.empty())
      bnrt_xgemm_pack(&a, isa, packed.data());
    return packed;
  }

  std::vector<float> run(bnrt_isa isa) const {
    std::vector<uint64_t> packed = pack(isa);
    std::vector<float> y(m * n, NAN);
    bnrt_xgemm_args a = args(y, packed);
    bnrt_xgemm(&a, isa, 0, m, 0, n);
    return y;
  }

  /// The definition: integer dots of the values, then the float sum.
  float expected(int64_t row, int64_t col) const {
    float acc = 0.0f;
    for (int i = 0; i < xPlanes; ++i)
      for (int p = 0; p < planes; ++p) {
        int32_t dot = 0;
        for (int64_t j = 0; j < k; ++j)
          dot += xValues[(i * m + row) * k + j] * wSigns[(p * n + col) * k + j];
        float a = perRow ? alpha[p * n + col] : alpha[p];
        acc += (xScale[i] * a) * static_cast<float>(dot);
      }
    return bias ? acc + biasValues[col] : acc;
  }
};

std::string describe(const Problem &p) {
  return "m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
         " k=" + std::to_string(p.k) +
         " x_planes=" + std::to_string(p.xPlanes) +
         " planes=" + std::to_string(p.planes) +
         (p.kind == kSigned    ? " signed"
          : p.kind == kTernary ? " ternary"
                               : " non-negative");
}

TEST(Xgemm, ScalarMatchesTheDefinition) {
  unsigned seed = 1;
  for (int kind : {kSigned, kNonNegative, kTernary})
    for (int xPlanes : {1, 2}) {
      Problem p(3, 5, 70, xPlanes, 2, kind, true, true, ++seed);
      std::vector<float> y = p.run(BNRT_ISA_SCALAR);
      for (int64_t i = 0; i < p.m; ++i)
        for (int64_t j = 0; j < p.n; ++j)
          ASSERT_EQ(y[i * p.n + j], p.expected(i, j)) << describe(p);
    }
}

TEST(Xgemm, EverySimdPathEqualsScalarOnOddShapes) {
  struct Shape {
    int64_t m, n, k;
  };
  const Shape shapes[] = {{1, 1, 1},    {3, 7, 63},     {4, 8, 64},
                          {5, 9, 65},   {7, 31, 129},   {8, 32, 200},
                          {9, 33, 768}, {13, 70, 1000}, {4, 100, 3072}};
  unsigned seed = 100;
  for (const Shape &s : shapes)
    for (int kind : {kSigned, kNonNegative, kTernary})
      for (int xPlanes : {1, 2})
        for (int planes : {1, 3}) {
          bool perRow = seed % 2;
          Problem p(s.m, s.n, s.k, xPlanes, planes, kind, perRow, seed % 3 != 0,
                    ++seed);
          std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
          for (bnrt_isa isa : bnrt_test::availableIsas(false))
            ASSERT_EQ(p.run(isa), expected)
                << bnrt_isa_name(isa) << " " << describe(p);
        }
}

TEST(Xgemm, SubRangesAndThreads) {
  // Tiles of [m0, m1) x [n0, n1) as threads call them, at and off the
  // 8-row blocks (off a block: the scalar kernel), and the parallel form.
  Problem p(11, 75, 300, 2, 2, kNonNegative, true, true, 7);
  std::vector<float> full = p.run(BNRT_ISA_SCALAR);
  std::vector<bnrt_isa> isas = bnrt_test::availableIsas(true);
  for (bnrt_isa isa : isas) {
    std::vector<uint64_t> packed = p.pack(isa);
    std::vector<float> y(p.m * p.n, NAN);
    bnrt_xgemm_args a = p.args(y, packed);
    bnrt_xgemm(&a, isa, 0, 5, 0, 13);
    bnrt_xgemm(&a, isa, 0, 5, 13, 75);
    bnrt_xgemm(&a, isa, 5, 11, 0, 40);
    bnrt_xgemm(&a, isa, 5, 11, 40, 75);
    EXPECT_EQ(y, full) << bnrt_isa_name(isa);
    bnrt_threads *pool = bnrt_threads_create(2);
    ASSERT_NE(pool, nullptr);
    std::fill(y.begin(), y.end(), NAN);
    bnrt_xgemm_parallel(&a, isa, pool);
    bnrt_threads_destroy(pool);
    EXPECT_EQ(y, full) << bnrt_isa_name(isa) << " 2 threads";
  }
  // Enough rows to split by activation rows (whole 4-row groups, one tile
  // a thread), rows off the groups, 2 and 3 threads.
  Problem rows(37, 75, 300, 1, 2, kSigned, false, true, 8);
  std::vector<float> rowsFull = rows.run(BNRT_ISA_SCALAR);
  for (bnrt_isa isa : isas)
    for (int threads : {2, 3}) {
      std::vector<uint64_t> packed = rows.pack(isa);
      std::vector<float> y(rows.m * rows.n, NAN);
      bnrt_xgemm_args a = rows.args(y, packed);
      bnrt_threads *pool = bnrt_threads_create(threads);
      ASSERT_NE(pool, nullptr);
      bnrt_xgemm_parallel(&a, isa, pool);
      bnrt_threads_destroy(pool);
      EXPECT_EQ(y, rowsFull)
          << bnrt_isa_name(isa) << " " << threads << " threads";
    }
}

TEST(Xgemm, ExtremeDots) {
  // Every product +1 (activations equal to the weights' signs) and every
  // product -1, the largest dots k = 3000 and -3000, and all-zero
  // non-negative activations.
  Problem p(5, 20, 3000, 1, 1, kSigned, false, false, 9);
  for (int64_t r = 0; r < p.m; ++r)
    for (int64_t w = 0; w < p.words; ++w)
      p.x[r * p.words + w] = r % 2 ? p.bits[w] : ~p.bits[w];
  for (int64_t r = 0; r < p.m; ++r) // bits past k stay zero
    p.x[r * p.words + p.words - 1] &= bnrt_bitpack_last_word_mask(p.k);
  for (int64_t n = 1; n < p.n; ++n)
    std::copy(p.bits.begin(), p.bits.begin() + p.words,
              p.bits.begin() + n * p.words);
  std::vector<float> expected = p.run(BNRT_ISA_SCALAR);
  EXPECT_EQ(expected[1 * p.n], p.alpha[0] * p.xScale[0] * 3000.0f);
  EXPECT_EQ(expected[0], p.alpha[0] * p.xScale[0] * -3000.0f);
  for (bnrt_isa isa : bnrt_test::availableIsas(false))
    EXPECT_EQ(p.run(isa), expected) << bnrt_isa_name(isa);
  Problem zero(4, 9, 130, 1, 1, kNonNegative, false, true, 10);
  std::fill(zero.x.begin(), zero.x.end(), 0);
  std::vector<float> biasOnly = zero.run(BNRT_ISA_SCALAR);
  for (int64_t i = 0; i < zero.m * zero.n; ++i)
    ASSERT_EQ(biasOnly[i], zero.biasValues[i % zero.n]);
  for (bnrt_isa isa : bnrt_test::availableIsas(false))
    EXPECT_EQ(zero.run(isa), biasOnly) << bnrt_isa_name(isa);
}

} // namespace
