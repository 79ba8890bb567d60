//===- SgemmTest.cpp - float GEMM: every ISA path vs the definition -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnrt_sgemm promises one summation order on every ISA (bnrt/kernels.h),
// so every path must give the bits of that order written out here, on odd
// shapes (k not a multiple of the 16 lanes, m and n not multiples of any
// block, n across the 64-row weight chunks), strides, with and without
// bias, and column sub-ranges. The values span many magnitudes so that any
// other order (another tree, unfused multiply-adds) changes bits.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "bnrt/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
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

  /// The definition: 16 lanes of fused multiply-adds over k = l, l + 16,
  /// ... (zero-padded), then the tree l + 8, l + 4, l + 2, l + 1.
  float expected(int64_t i, int64_t j) const {
    float lane[16] = {};
    for (int64_t t = 0; t < (k + 15) / 16 * 16; ++t) {
      float a = t < k ? x[i * ldx + t] : 0.0f,
            b = t < k ? w[j * ldw + t] : 0.0f;
      lane[t % 16] = std::fma(a, b, lane[t % 16]);
    }
    for (int width = 8; width >= 1; width /= 2)
      for (int l = 0; l < width; ++l)
        lane[l] += lane[l + width];
    return bias.empty() ? lane[0] : lane[0] + bias[j];
  }

  std::vector<float> run(bnrt_isa isa, int64_t n0, int64_t n1) const {
    std::vector<float> y(m * ldy, 12345.0f);
    bnrt_sgemm_args args{
        m,        n,        k,   x.data(),
        ldx,      w.data(), ldw, bias.empty() ? nullptr : bias.data(),
        y.data(), ldy};
    bnrt_sgemm(&args, isa, n0, n1);
    return y;
  }
};

bool sameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

TEST(Sgemm, EveryPathGivesTheDefinitionsBitsOnOddShapes) {
  const int64_t shapes[][3] = {{1, 1, 1},    {3, 5, 7},     {4, 4, 16},
                               {5, 7, 17},   {9, 13, 33},   {13, 17, 130},
                               {2, 70, 300}, {6, 131, 768}, {1, 3, 15}};
  unsigned seed = 1;
  for (const auto &s : shapes)
    for (bool withBias : {false, true}) {
      Problem p(s[0], s[1], s[2], seed++, withBias);
      for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
        std::vector<float> y = p.run(isa, 0, p.n);
        int64_t wrong = 0;
        for (int64_t i = 0; i < p.m; ++i)
          for (int64_t j = 0; j < p.n; ++j)
            wrong += !sameBits(y[i * p.ldy + j], p.expected(i, j));
        EXPECT_EQ(wrong, 0) << bnrt_isa_name(isa) << " m" << p.m << " n" << p.n
                            << " k" << p.k << " bias " << withBias;
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
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    std::vector<float> y = p.run(isa, 37, 101);
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.ldy; ++j) {
        bool inside = j >= 37 && j < 101;
        EXPECT_TRUE(
            sameBits(y[i * p.ldy + j], inside ? p.expected(i, j) : 12345.0f))
            << bnrt_isa_name(isa) << " row " << i << " column " << j;
      }
  }
}

} // namespace
