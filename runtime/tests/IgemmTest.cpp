//===- IgemmTest.cpp - int8 GEMM: every ISA path vs a direct formula ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Results are exact int32 sums, so every path must equal the direct
// formula bit for bit: on odd shapes (k not a multiple of 4, n not a
// multiple of the 16-column blocks, m not a multiple of the 4-row tiles),
// strided sources (both transposes attention uses), extreme codes (-128 in
// a reads as -128, in b as -127) and row sub-ranges.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "bnrt/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

namespace {

struct Problem {
  int64_t m, n, k, lda;
  std::vector<int8_t> a, b; // a [m, lda]; b stored transposed: [n, k]
  std::vector<int64_t> packed;

  Problem(int64_t m, int64_t n, int64_t k, unsigned seed, int lo = -127,
          int hi = 127)
      : m(m), n(n), k(k), lda((k + 3) / 4 * 4 + 4) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> code(lo, hi);
    a.resize(m * lda);
    for (auto &v : a)
      v = static_cast<int8_t>(code(rng)); // past-k bytes are garbage too
    b.resize(n * k);
    for (auto &v : b)
      v = static_cast<int8_t>(code(rng));
    packed.resize((bnrt_igemm_packed_bytes(k, n) + 7) / 8);
    // b[k][n] = src[k * 1 + n * k]: the Q K^T form.
    bnrt_igemm_pack(b.data(), k, n, 1, k, packed.data());
  }

  std::vector<int32_t> expected() const {
    std::vector<int32_t> c(m * n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int32_t acc = 0;
        for (int64_t t = 0; t < k; ++t)
          acc += a[i * lda + t] * std::max<int>(b[j * k + t], -127);
        c[i * n + j] = acc;
      }
    return c;
  }

  std::vector<int32_t> run(bnrt_isa isa, int64_t m0, int64_t m1) const {
    std::vector<int32_t> c(m * n, 12345);
    bnrt_igemm_args args{m, n, k, a.data(), lda, packed.data(), c.data(), n};
    bnrt_igemm(&args, isa, m0, m1);
    return c;
  }
};

TEST(Igemm, EveryPathEqualsDirectFormulaOnOddShapes) {
  const int64_t shapes[][3] = {{1, 1, 1},    {3, 5, 7},    {4, 16, 4},
                               {5, 17, 9},   {9, 33, 64},  {13, 47, 130},
                               {8, 128, 64}, {32, 64, 127}};
  unsigned seed = 1;
  for (const auto &s : shapes) {
    Problem p(s[0], s[1], s[2], seed++);
    std::vector<int32_t> want = p.expected();
    for (bnrt_isa isa : bnrt_test::availableIsas(true))
      EXPECT_EQ(p.run(isa, 0, p.m), want)
          << bnrt_isa_name(isa) << " m" << p.m << " n" << p.n << " k" << p.k;
  }
}

TEST(Igemm, ExtremeCodes) {
  // All -128 / 127: the largest magnitudes, the AVX2 sign trick's edge
  // and the VNNI offset's range.
  for (auto [lo, hi] : {std::pair{-128, -128}, {127, 127}, {-128, 127}}) {
    Problem p(6, 19, 4 * 97 + 3, 7, lo, hi);
    std::vector<int32_t> want = p.expected();
    for (bnrt_isa isa : bnrt_test::availableIsas(true))
      EXPECT_EQ(p.run(isa, 0, p.m), want) << bnrt_isa_name(isa) << " " << lo;
  }
}

TEST(Igemm, RowSubRangesLeaveOtherRowsAlone) {
  Problem p(11, 21, 37, 3);
  std::vector<int32_t> want = p.expected();
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    std::vector<int32_t> got = p.run(isa, 3, 9);
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j)
        EXPECT_EQ(got[i * p.n + j], i >= 3 && i < 9 ? want[i * p.n + j] : 12345)
            << bnrt_isa_name(isa);
  }
}

TEST(Igemm, PacksAnyStride) {
  // The P V form: b[k][n] = src[k * n + n], row-major.
  int64_t k = 10, n = 18;
  std::vector<int8_t> src(k * n), a(4 * 12, 0);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<int8_t>(i * 7 % 255 - 127);
  for (int64_t t = 0; t < k; ++t)
    a[t] = static_cast<int8_t>(t - 5);
  std::vector<int64_t> packed((bnrt_igemm_packed_bytes(k, n) + 7) / 8);
  bnrt_igemm_pack(src.data(), k, n, n, 1, packed.data());
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    std::vector<int32_t> c(n);
    bnrt_igemm_args args{1, n, k, a.data(), 12, packed.data(), c.data(), n};
    bnrt_igemm(&args, isa, 0, 1);
    for (int64_t j = 0; j < n; ++j) {
      int32_t want = 0;
      for (int64_t t = 0; t < k; ++t)
        want += a[t] * std::max<int>(src[t * n + j], -127);
      EXPECT_EQ(c[j], want) << bnrt_isa_name(isa) << " column " << j;
    }
  }
}

TEST(Igemm, PackedBytesFollowTheLayoutForBothStrides) {
  // packed[(block * groups + g) * 64 + 4 j + t] = b[4 g + t][16 block + j],
  // -128 raised to -127, 0 past k and n: K^T's form (stride_k 1) and V's
  // (stride_n 1), whole groups (the shuffles) and edges alike.
  for (auto [k, n] : {std::pair<int64_t, int64_t>{70, 53},
                      {64, 32},
                      {16, 16},
                      {19, 48},
                      {3, 5}})
    for (bool columns : {true, false}) {
      int64_t strideK = columns ? 1 : n + 3, strideN = columns ? k + 5 : 1;
      std::vector<int8_t> src(std::max(k * strideK, n * strideN) + 64);
      for (size_t i = 0; i < src.size(); ++i)
        src[i] = static_cast<int8_t>(i * 37 % 256 - 128);
      int64_t groups = (k + 3) / 4, blocks = (n + 15) / 16;
      std::vector<int8_t> packed(bnrt_igemm_packed_bytes(k, n), 99);
      bnrt_igemm_pack(src.data(), k, n, strideK, strideN, packed.data());
      for (int64_t block = 0; block < blocks; ++block)
        for (int64_t g = 0; g < groups; ++g)
          for (int64_t j = 0; j < 16; ++j)
            for (int64_t t = 0; t < 4; ++t) {
              int64_t row = 4 * g + t, col = 16 * block + j;
              int want =
                  row < k && col < n
                      ? std::max<int>(src[row * strideK + col * strideN], -127)
                      : 0;
              ASSERT_EQ(packed[(block * groups + g) * 64 + 4 * j + t], want)
                  << "k " << k << " n " << n << (columns ? " K^T" : " V")
                  << " block " << block << " group " << g << " j " << j << " t "
                  << t;
            }
    }
}

} // namespace
