//===- SgemmTest.cpp - float GEMM: every ISA path vs the definition -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnrt_sgemm promises one summation order on every ISA (bnrt/kernels.h),
// so every path must give the bits of that order written out here, on odd
// shapes (m not a multiple of the 6-row blocks, n not of any panel and
// across several, k across the 256-column K blocks), strides, with and
// without bias, column sub-ranges, and k = 0. The values span many
// magnitudes so that any other order (partial sums, unfused multiply-adds,
// a chain restarted at a K block) changes bits.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "bnrt/kernels.h"
#include "bnrt/sgemm_panels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

namespace {

struct Problem {
  int64_t m, n, k, ldx, ldw, ldy;
  std::vector<float> x, w, bias;

  Problem(int64_t m, int64_t n, int64_t k, unsigned seed, bool withBias)
      : m(m), n(n), k(k), ldx(k + 3), ldw(k + 1), ldy(n + 2) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int> exponent(-6, 6);
    auto fill = [&](std::vector<float> &v, size_t size) {
      v.resize(size);
      for (float &f : v)
        f = std::ldexp(normal(rng), exponent(rng));
    };
    fill(x, m * ldx);
    fill(w, n * ldw);
    if (withBias)
      fill(bias, n);
  }

  /// The definition: one chain of fused multiply-adds over ascending k,
  /// then + bias.
  float expected(int64_t i, int64_t j) const {
    float sum = 0.0f;
    for (int64_t t = 0; t < k; ++t)
      sum = std::fma(x[i * ldx + t], w[j * ldw + t], sum);
    return bias.empty() ? sum : sum + bias[j];
  }

  /// y from `isa` over columns [n0, n1), w handed over in `layout`.
  std::vector<float> run(bnrt_isa isa, int64_t n0, int64_t n1,
                         int32_t layout = BNRT_SGEMM_W_ROWS) const {
    std::vector<float> y(m * ldy, 12345.0f), stored;
    int64_t ld = ldw;
    if (layout == BNRT_SGEMM_W_COLUMNS) { // [k, n], rows n + 3 apart
      ld = n + 3;
      stored.assign(k * ld, 0.0f);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t t = 0; t < k; ++t)
          stored[t * ld + j] = w[j * ldw + t];
    } else if (layout == BNRT_SGEMM_W_PANELS) {
      ld = k;
      std::vector<float> rows(n * k);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t t = 0; t < k; ++t)
          rows[j * k + t] = w[j * ldw + t];
      stored.resize(n * k);
      bnrt::sgemm_panels::pack(rows.data(), n, k, stored.data());
    }
    bnrt_sgemm_args args{m,        n,
                         k,        x.data(),
                         ldx,      stored.empty() ? w.data() : stored.data(),
                         ld,       bias.empty() ? nullptr : bias.data(),
                         y.data(), ldy,
                         layout};
    bnrt_sgemm(&args, isa, n0, n1);
    return y;
  }
};

constexpr int32_t kLayouts[] = {BNRT_SGEMM_W_ROWS, BNRT_SGEMM_W_COLUMNS,
                                BNRT_SGEMM_W_PANELS};

bool sameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

/// How many of problem p's outputs in y differ in any bit from its
/// definition's.
template <typename P>
int64_t wrongBits(const P &p, const std::vector<float> &y) {
  int64_t wrong = 0;
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j)
      wrong += !sameBits(y[i * p.ldy + j], p.expected(i, j));
  return wrong;
}

TEST(Sgemm, EveryPathGivesTheDefinitionsBitsOnOddShapes) {
  const int64_t shapes[][3] = {{1, 1, 1},
                               {3, 5, 7},
                               {4, 4, 16},
                               {5, 7, 17},
                               {9, 13, 33},
                               {13, 17, 130},
                               {2, 70, 300},
                               {6, 131, 768},
                               {1, 3, 15},
                               // K blocks of 256: a tail, none, one more
                               {5, 70, 1700},
                               {9, 9, 2304},
                               {7, 65, 256},
                               {13, 129, 257},
                               // whole panels of 64 and a tail
                               {8, 200, 300}};
  unsigned seed = 1;
  for (const auto &s : shapes)
    for (bool withBias : {false, true}) {
      Problem p(s[0], s[1], s[2], seed++, withBias);
      for (bnrt_isa isa : bnrt_test::availableIsas(true))
        for (int32_t layout : kLayouts) {
          EXPECT_EQ(wrongBits(p, p.run(isa, 0, p.n, layout)), 0)
              << bnrt_isa_name(isa) << " layout " << layout << " m" << p.m
              << " n" << p.n << " k" << p.k << " bias " << withBias;
        }
    }
}

TEST(Sgemm, NoColumnsOfXGiveTheBias) {
  for (bool withBias : {false, true}) {
    Problem p(3, 70, 0, 5, withBias);
    for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
      std::vector<float> y = p.run(isa, 0, p.n);
      for (int64_t i = 0; i < p.m; ++i)
        for (int64_t j = 0; j < p.n; ++j)
          EXPECT_EQ(y[i * p.ldy + j], withBias ? p.bias[j] : 0.0f)
              << bnrt_isa_name(isa);
    }
  }
}

TEST(Sgemm, IsTheProductWithinFloatRounding) {
  Problem p(7, 9, 500, 42, true);
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    std::vector<float> y = p.run(isa, 0, p.n);
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        double want = p.bias[j], magnitude = std::fabs(p.bias[j]);
        for (int64_t t = 0; t < p.k; ++t) {
          want += double(p.x[i * p.ldx + t]) * p.w[j * p.ldw + t];
          magnitude +=
              std::fabs(double(p.x[i * p.ldx + t]) * p.w[j * p.ldw + t]);
        }
        EXPECT_NEAR(y[i * p.ldy + j], want, 1e-6 * magnitude)
            << bnrt_isa_name(isa);
      }
  }
}

TEST(Sgemm, ColumnSubRangesLeaveOtherColumnsAlone) {
  Problem p(6, 150, 40, 3, false);
  // A range across two panels, one at a panel's start into the tail.
  for (auto [n0, n1] : {std::pair{37, 101}, std::pair{64, 150}})
    for (bnrt_isa isa : bnrt_test::availableIsas(true))
      for (int32_t layout : kLayouts) {
        std::vector<float> y = p.run(isa, n0, n1, layout);
        for (int64_t i = 0; i < p.m; ++i)
          for (int64_t j = 0; j < p.ldy; ++j) {
            bool inside = j >= n0 && j < n1;
            EXPECT_TRUE(sameBits(y[i * p.ldy + j],
                                 inside ? p.expected(i, j) : 12345.0f))
                << bnrt_isa_name(isa) << " layout " << layout << " row " << i
                << " column " << j;
          }
      }
}

} // namespace

namespace {

// bnrt_bgemm_f32: float activations x packed sign planes, the same order.
struct BitsProblem {
  int64_t m, n, k, words, ldx, ldy;
  int planes;
  bool perRow;
  std::vector<float> x, alpha, bias;
  std::vector<int8_t> signs; // [planes, n, k]
  std::vector<uint64_t> bits;

  BitsProblem(int64_t m, int64_t n, int64_t k, int planes, bool perRow,
              unsigned seed)
      : m(m), n(n), k(k), words((k + 63) / 64), ldx(k + 5), ldy(n + 1),
        planes(planes), perRow(perRow) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int> exponent(-6, 6);
    x.resize(m * ldx);
    for (float &f : x)
      f = std::ldexp(normal(rng), exponent(rng));
    signs.resize(planes * n * k);
    bits.assign(planes * n * words, 0);
    for (int64_t r = 0; r < planes * n; ++r)
      for (int64_t c = 0; c < k; ++c) {
        signs[r * k + c] = rng() & 1 ? -1 : 1;
        if (signs[r * k + c] < 0) // canonical bitpack: bit 1 = -1
          bits[r * words + c / 64] |= uint64_t(1) << (c % 64);
      }
    alpha.resize(perRow ? planes * n : planes);
    for (float &a : alpha)
      a = std::fabs(normal(rng)) + 0.01f;
    bias.resize(n);
    for (float &b : bias)
      b = normal(rng);
  }

  /// The definition: per group of 4 columns the table entry its signs
  /// select, ((v0 + v1) + v2) + v3, added in group order; y = sum_p alpha
  /// dot + b.
  float expected(int64_t i, int64_t j) const {
    float acc = 0.0f;
    for (int p = 0; p < planes; ++p) {
      float dot = 0.0f;
      for (int64_t g = 0; 4 * g < k; ++g) {
        float v[4];
        for (int t = 0; t < 4; ++t) {
          int64_t c = 4 * g + t;
          float value = c < k ? x[i * ldx + c] : 0.0f;
          v[t] = c < k && signs[(p * n + j) * k + c] < 0 ? -value : value;
        }
        dot = dot + (((v[0] + v[1]) + v[2]) + v[3]);
      }
      acc = acc + alpha[perRow ? p * n + j : p] * dot;
    }
    return acc + bias[j];
  }

  /// Runs `isa` on columns [n0, n1), with the weights packed for it (or
  /// unpacked: the scalar path serves every ISA then).
  std::vector<float> run(bnrt_isa isa, int64_t n0, int64_t n1,
                         bool packed = true) const {
    std::vector<float> y(m * ldy, 12345.0f);
    bnrt_bgemm_f32_args args{m,      n,           k,        x.data(),
                             ldx,    bits.data(), planes,   alpha.data(),
                             perRow, bias.data(), y.data(), ldy};
    // Patterns at an odd address: the kernels must not assume alignment.
    std::vector<uint8_t> patterns(bnrt_bgemm_f32_packed_bytes(&args, isa) + 1);
    if (packed && patterns.size() > 1) {
      bnrt_bgemm_f32_pack(&args, isa, patterns.data() + 1);
      args.patterns = patterns.data() + 1;
    }
    bnrt_bgemm_f32(&args, isa, n0, n1);
    return y;
  }
};

TEST(BgemmF32, EveryPathGivesTheDefinitionsBits) {
  // k: groups of 4 whole, cut, odd and even in number (pairs of groups
  // share a byte); n across blocks of 16 and 4-block tiles; m across the
  // 4-row tiles.
  const int64_t shapes[][3] = {
      {1, 1, 1},    {3, 5, 7},    {4, 4, 16}, {5, 7, 65},   {9, 13, 130},
      {2, 70, 300}, {6, 33, 768}, {7, 97, 4}, {5, 131, 12}, {8, 64, 778}};
  unsigned seed = 50;
  for (const auto &s : shapes)
    for (int planes : {1, 2, 3})
      for (bool perRow : {false, true}) {
        BitsProblem p(s[0], s[1], s[2], planes, perRow, seed++);
        for (bnrt_isa isa : bnrt_test::availableIsas(true))
          for (bool packed : {true, false}) {
            EXPECT_EQ(wrongBits(p, p.run(isa, 0, p.n, packed)), 0)
                << bnrt_isa_name(isa) << " m" << p.m << " n" << p.n << " k"
                << p.k << " planes " << planes << " packed " << packed;
          }
      }
}

TEST(BgemmF32, IsTheSignedSumWithinFloatRounding) {
  BitsProblem p(5, 9, 777, 2, true, 7);
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    std::vector<float> y = p.run(isa, 0, p.n);
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        double want = p.bias[j], magnitude = std::fabs(p.bias[j]);
        for (int q = 0; q < p.planes; ++q)
          for (int64_t t = 0; t < p.k; ++t) {
            double term = double(p.alpha[q * p.n + j]) *
                          p.signs[(q * p.n + j) * p.k + t] * p.x[i * p.ldx + t];
            want += term;
            magnitude += 2 * std::fabs(term);
          }
        EXPECT_NEAR(y[i * p.ldy + j], want, 1e-6 * magnitude)
            << bnrt_isa_name(isa);
      }
  }
}

TEST(BgemmF32, ParallelEqualsOneCall) {
  // 37 rows: tiles of activation rows on 2 and 3 threads (ragged last
  // tile); 5 rows: too few for that, tiles of weight rows.
  for (int64_t m : {37, 5}) {
    BitsProblem p(m, 70, 300, 2, true, 11);
    for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
      std::vector<float> expected = p.run(isa, 0, p.n);
      for (int threads : {1, 2, 3}) {
        bnrt_threads *pool = bnrt_threads_create(threads);
        ASSERT_NE(pool, nullptr);
        std::vector<float> y(p.m * p.ldy, 12345.0f);
        bnrt_bgemm_f32_args args{
            p.m,      p.n,           p.k,      p.x.data(),
            p.ldx,    p.bits.data(), p.planes, p.alpha.data(),
            p.perRow, p.bias.data(), y.data(), p.ldy};
        std::vector<uint8_t> patterns(bnrt_bgemm_f32_packed_bytes(&args, isa));
        bnrt_bgemm_f32_pack(&args, isa, patterns.data());
        args.patterns = patterns.empty() ? nullptr : patterns.data();
        bnrt_bgemm_f32_parallel(&args, isa, pool);
        EXPECT_EQ(y, expected)
            << bnrt_isa_name(isa) << " m" << m << " threads " << threads;
        bnrt_threads_destroy(pool);
      }
    }
  }
}

TEST(BgemmF32, ColumnSubRangesLeaveOtherColumnsAlone) {
  BitsProblem p(7, 100, 90, 2, false, 9);
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    std::vector<float> y = p.run(isa, 21, 80);
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.ldy; ++j)
        EXPECT_TRUE(sameBits(y[i * p.ldy + j],
                             j >= 21 && j < 80 ? p.expected(i, j) : 12345.0f))
            << bnrt_isa_name(isa) << " row " << i << " column " << j;
  }
}

} // namespace
