//===- VecKernelsTest.cpp - vectorized row kernels: accuracy, identity ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Each ISA's build of vec_kernels.inc must give the portable build's bits
// exactly (the runtime's cross-ISA identity rests on it), on lengths that
// are not multiples of any vector width, and be close to a double-precision
// reference: GELU within 4e-7 relative (2e-9 |x| in its negative tail), layer
// norm to float rounding, softmax within 2e-6 relative, softmax codes off by at
// most one step where a probability sits on a rounding boundary.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "RandomFloats.h"
#include "bnrt/kernels.h"
#include "kernels/vec_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace {

using bnrt::VecKernels;
using bnrt::vecKernels;

using bnrt_test::randomFloats;

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

TEST(VecKernels, GeluIsAccurateAndIdenticalOnEveryIsa) {
  std::vector<float> x = randomFloats(1003, 3.0f, 1);
  x.insert(x.end(),
           {0.0f, -0.0f, 1e-30f, -9.0f, 9.0f, -40.0f, 40.0f, 1e30f, -1e30f});
  for (bool tanhForm : {false, true}) {
    std::vector<float> ref(x.size());
    vecKernels(BNRT_ISA_SCALAR).gelu(x.data(), ref.data(), x.size(), tanhForm);
    for (size_t i = 0; i < x.size(); ++i) {
      double v = x[i];
      double want = tanhForm ? 0.5 * v *
                                   (1 + std::tanh(std::sqrt(2 / M_PI) *
                                                  (v + 0.044715 * v * v * v)))
                             : 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      // erf: relative 2.5e-7 for x >= 0; below 0, where 1/2 + x R(x^2)
      // cancels, 1e-6 absolute. tanh: relative 4e-7, except in the
      // negative tail where GELU is tiny and the rounding of exp's argument
      // dominates: there 2e-9 |x| absolute. (Both far below any activation
      // quantization step.)
      double tolerance = tanhForm ? 4e-7 * std::fabs(want) + 2e-9 * std::fabs(v)
                                  : (v >= 0 ? 2.5e-7 * std::fabs(want) : 1e-6);
      EXPECT_NEAR(ref[i], want, tolerance + 1e-37)
          << "x = " << x[i] << (tanhForm ? " tanh" : " erf");
    }
    for (int isa : bnrt_test::availableIsas(false)) {
      std::vector<float> got(x.size());
      vecKernels(isa).gelu(x.data(), got.data(), x.size(), tanhForm);
      EXPECT_TRUE(sameBits(ref, got)) << bnrt_isa_name(bnrt_isa(isa));
    }
  }
}

TEST(VecKernels, QuantizeMatchesTheFormula) {
  std::vector<float> x = randomFloats(517, 2.0f, 2);
  x.push_back(NAN);
  x.push_back(INFINITY);
  const VecKernels &portable = vecKernels(BNRT_ISA_SCALAR);
  x.back() = 5.0f; // absMax skips NaN; infinity checked below
  EXPECT_FLOAT_EQ(portable.absMax(x.data(), x.size()), [&] {
    float m = 0;
    for (float v : x)
      m = std::isnan(v) ? m : std::max(m, std::fabs(v));
    return m;
  }());
  float inf = INFINITY;
  EXPECT_EQ(portable.absMax(&inf, 1), INFINITY);
  for (int bits : {8, 4}) {
    float qmax = float((1 << (bits - 1)) - 1);
    float scale = portable.absMax(x.data(), x.size()) / qmax;
    std::vector<int8_t> ref(x.size());
    portable.quantize(x.data(), ref.data(), x.size(), scale, bits);
    for (size_t i = 0; i < x.size(); ++i) {
      float want =
          std::isnan(x[i])
              ? 0.0f
              : std::min(qmax, std::max(-qmax, std::nearbyint(x[i] / scale)));
      EXPECT_EQ(ref[i], static_cast<int8_t>(want)) << x[i];
    }
    for (int isa : bnrt_test::availableIsas(false)) {
      std::vector<int8_t> got(x.size());
      vecKernels(isa).quantize(x.data(), got.data(), x.size(), scale, bits);
      EXPECT_EQ(got, ref) << bnrt_isa_name(bnrt_isa(isa));
      EXPECT_EQ(vecKernels(isa).absMax(x.data(), x.size()),
                portable.absMax(x.data(), x.size()));
    }
  }
}

// The edges of the formula: ties (round half to even), values past the
// clamps and at them, infinities, NaN, signed zeros, subnormals.
TEST(VecKernels, QuantizeEdges) {
  const float scale = 0.25f;
  std::vector<float> x = {NAN,    -NAN,    INFINITY, -INFINITY, 0.0f,   -0.0f,
                          1e-40f, -1e-40f, 1e30f,    -1e30f,    3.4e38f};
  for (int k = -140; k <= 140; ++k) { // x / scale = k / 2 and nearby
    float v = scale * 0.5f * static_cast<float>(k);
    x.push_back(v);
    x.push_back(std::nextafter(v, INFINITY));
    x.push_back(std::nextafter(v, -INFINITY));
  }
  for (int bits : {8, 4, 2}) {
    float qmax = float((1 << (bits - 1)) - 1);
    for (int isa : bnrt_test::availableIsas(true)) {
      std::vector<int8_t> got(x.size());
      vecKernels(isa).quantize(x.data(), got.data(), x.size(), scale, bits);
      for (size_t i = 0; i < x.size(); ++i) {
        float want =
            std::isnan(x[i])
                ? 0.0f
                : std::min(qmax, std::max(-qmax, std::nearbyint(x[i] / scale)));
        ASSERT_EQ(got[i], static_cast<int8_t>(want))
            << "x = " << x[i] << ", " << bits << " bits, "
            << bnrt_isa_name(bnrt_isa(isa));
      }
    }
  }
}

TEST(VecKernels, LayerNormAccurateAndIdentical) {
  for (int64_t h : {1, 7, 33, 768}) {
    int64_t rows = 3;
    std::vector<float> x = randomFloats(rows * h, 4.0f, 3);
    for (auto &v : x)
      v += 10.0f; // a large mean: cancellation would show
    std::vector<float> g = randomFloats(h, 1.0f, 4), b = randomFloats(h, 1, 5);
    std::vector<float> ref(rows * h);
    vecKernels(BNRT_ISA_SCALAR)
        .layerNorm(x.data(), g.data(), b.data(), ref.data(), rows, h, 1e-12f);
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t i = 0; i < h; ++i)
        mean += x[r * h + i];
      mean /= h;
      for (int64_t i = 0; i < h; ++i)
        var += (x[r * h + i] - mean) * (x[r * h + i] - mean);
      var /= h;
      for (int64_t i = 0; i < h; ++i) {
        double want =
            (x[r * h + i] - mean) / std::sqrt(var + 1e-12) * g[i] + b[i];
        EXPECT_NEAR(ref[r * h + i], want, 1e-5 * (1 + std::fabs(want)));
      }
    }
    for (int isa : bnrt_test::availableIsas(false)) {
      std::vector<float> got(rows * h);
      vecKernels(isa).layerNorm(x.data(), g.data(), b.data(), got.data(), rows,
                                h, 1e-12f);
      EXPECT_TRUE(sameBits(ref, got)) << bnrt_isa_name(bnrt_isa(isa));
    }
  }
}

TEST(VecKernels, SoftmaxAccurateAndIdentical) {
  for (int64_t n : {1, 5, 16, 77, 384}) {
    std::vector<float> logits = randomFloats(n, 4.0f, static_cast<unsigned>(n));
    if (n > 2)
      logits[n / 2] = -1e4f; // a masked key
    std::vector<float> ref = logits;
    vecKernels(BNRT_ISA_SCALAR).softmax(ref.data(), n);
    double mx = -1e300, sum = 0;
    for (float v : logits)
      mx = std::max(mx, double(v));
    for (float v : logits)
      sum += std::exp(v - mx);
    for (int64_t j = 0; j < n; ++j) {
      double want = std::exp(logits[j] - mx) / sum;
      EXPECT_NEAR(ref[j], want, 2e-6 * want + 1e-30) << n << " " << j;
    }
    for (int isa : bnrt_test::availableIsas(false)) {
      std::vector<float> got = logits;
      vecKernels(isa).softmax(got.data(), n);
      EXPECT_TRUE(sameBits(ref, got)) << bnrt_isa_name(bnrt_isa(isa));
    }
  }
}

TEST(VecKernels, SoftmaxCodesAccurateAndIdentical) {
  std::mt19937 rng(6);
  std::uniform_int_distribution<int32_t> score(-40000, 40000);
  for (int64_t n : {1, 5, 16, 77, 384}) {
    std::vector<int32_t> s(n);
    for (auto &v : s)
      v = score(rng);
    std::vector<float> mask(n, 0.0f);
    for (int64_t j = n / 2; j < n && n > 1; ++j)
      mask[j] = -10000.0f; // padded keys get (almost) nothing
    float factor = 1e-4f, probScale = 1.0f / 127;
    std::vector<int8_t> ref(n);
    std::vector<float> work(n);
    vecKernels(BNRT_ISA_SCALAR)
        .softmaxCodes(s.data(), mask.data(), factor, n, probScale, 8,
                      ref.data(), work.data());
    double mx = -1e300, sum = 0;
    for (int64_t j = 0; j < n; ++j)
      mx = std::max(mx, double(factor * float(s[j]) + mask[j]));
    for (int64_t j = 0; j < n; ++j)
      sum += std::exp(double(factor * float(s[j]) + mask[j]) - mx);
    for (int64_t j = 0; j < n; ++j) {
      double p = std::exp(double(factor * float(s[j]) + mask[j]) - mx) / sum;
      EXPECT_LE(std::fabs(ref[j] - std::nearbyint(p * 127)), 1)
          << n << " " << j;
      if (mask[j] != 0)
        EXPECT_EQ(ref[j], 0);
    }
    for (int isa : bnrt_test::availableIsas(false)) {
      std::vector<int8_t> got(n);
      vecKernels(isa).softmaxCodes(s.data(), mask.data(), factor, n, probScale,
                                   8, got.data(), work.data());
      EXPECT_EQ(got, ref) << bnrt_isa_name(bnrt_isa(isa)) << " n " << n;
    }
  }
}

} // namespace

// The row binarization the LinearBinarized op runs equals the reference
// bnrt_binarize_rows (docs/dialect.md's formula) on every path: odd
// widths, a row stride past k, values at the thresholds and next to them,
// a tiny difference that underflows to -0 in v (v < 0 is false: code +1),
// infinities and NaN.
TEST(VecKernels, BinarizeRowsMatchesTheReference) {
  const float alpha = 0.75f, beta = 0.125f;
  for (int64_t k : {1, 63, 64, 70, 130, 768}) {
    const int64_t rows = 3, ldx = k + 5, words = (k + 63) / 64;
    std::vector<float> x = randomFloats(rows * ldx, 1.5f, uint32_t(k));
    float edges[] = {beta,
                     beta + 0.5f * alpha,
                     std::nextafter(beta + 0.5f * alpha, 9.0f),
                     std::nextafter(beta, -9.0f),
                     std::nextafter(beta, 9.0f),
                     -INFINITY,
                     INFINITY,
                     NAN};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; ++i)
      x[(i * 7) % (rows * ldx)] = edges[i];
    for (int xSigned : {1, 0}) {
      std::vector<uint64_t> ref(rows * words, ~0ull);
      bnrt_binarize_rows(x.data(), rows, k, ldx, alpha, beta, xSigned,
                         ref.data());
      for (int isa : bnrt_test::availableIsas(true)) {
        std::vector<uint64_t> got(rows * words, ~0ull);
        vecKernels(isa).binarizeRows(x.data(), rows, k, ldx, alpha, beta,
                                     xSigned, got.data());
        EXPECT_EQ(got, ref) << bnrt_isa_name(bnrt_isa(isa)) << " k " << k
                            << (xSigned ? " signed" : " non-negative");
      }
    }
  }
  // A difference far below alpha: v underflows to -0, which is not < 0.
  float tiny = -1e-38f, big = 1e30f;
  uint64_t bit = 7;
  for (int isa : bnrt_test::availableIsas(true)) {
    vecKernels(isa).binarizeRows(&tiny, 1, 1, 1, big, 0.0f, 1, &bit);
    EXPECT_EQ(bit, 0u) << bnrt_isa_name(bnrt_isa(isa));
  }
}

// Codes in {-1, 0, 1} into signs and nonzeros: the definition, on every
// path, at widths around the 32- and 64-code vectors and with a stride.
TEST(VecKernels, TernaryRowsMatchTheDefinition) {
  for (int64_t k : {1, 31, 32, 63, 64, 65, 130, 768}) {
    const int64_t rows = 3, ldc = k + 3, words = (k + 63) / 64;
    std::vector<int8_t> codes(rows * ldc);
    std::mt19937 rng{uint32_t(k)};
    for (auto &c : codes)
      c = int8_t(int(rng() % 3) - 1);
    std::vector<uint64_t> signs(rows * words, 0), nonzeros(rows * words, 0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < k; ++j) {
        int8_t c = codes[r * ldc + j];
        signs[r * words + j / 64] |= uint64_t(c < 0) << (j % 64);
        nonzeros[r * words + j / 64] |= uint64_t(c != 0) << (j % 64);
      }
    for (int isa : bnrt_test::availableIsas(true)) {
      std::vector<uint64_t> s(rows * words, ~0ull), n(rows * words, ~0ull);
      vecKernels(isa).ternaryRows(codes.data(), rows, k, ldc, s.data(),
                                  n.data());
      EXPECT_EQ(s, signs) << bnrt_isa_name(bnrt_isa(isa)) << " k " << k;
      EXPECT_EQ(n, nonzeros) << bnrt_isa_name(bnrt_isa(isa)) << " k " << k;
    }
  }
}

// A bit-plane embedding row: row[t] += bit t ? -a : a, added onto what
// the row holds, on lengths past and inside a word and a vector.
TEST(VecKernels, AddSignsMatchesTheDefinition) {
  for (int64_t h : {1, 7, 8, 15, 16, 17, 63, 64, 65, 200, 768}) {
    std::mt19937_64 rng{uint64_t(h)};
    std::vector<uint64_t> bits((h + 63) / 64);
    for (auto &w : bits)
      w = rng();
    std::vector<float> start = randomFloats(h, 1.0f, unsigned(h)), want = start;
    for (int64_t t = 0; t < h; ++t)
      want[t] += (bits[t / 64] >> (t % 64)) & 1 ? 0.375f : -0.375f;
    for (int isa : bnrt_test::availableIsas(true)) {
      std::vector<float> row = start;
      vecKernels(isa).addSigns(bits.data(), h, -0.375f, row.data());
      EXPECT_TRUE(sameBits(row, want))
          << bnrt_isa_name(bnrt_isa(isa)) << " h " << h;
    }
  }
}

// The tanh form far left: its value is below 1e-37 in magnitude, so -0
// (NaN at -inf, as torch's x * 0.5 (1 + tanh(u))), not x over a clamped
// exponential (which gave -2 at -3.4e38).
TEST(VecKernels, GeluTanhFarLeftIsMinusZero) {
  const float x[] = {-11.0f, -1e20f, -3.4e38f, -INFINITY};
  for (int isa : bnrt_test::availableIsas(true)) {
    float y[4];
    vecKernels(isa).gelu(x, y, 4, true);
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(y[i] == 0.0f && std::signbit(y[i])) << x[i] << " " << y[i];
    EXPECT_TRUE(std::isnan(y[3]));
  }
}

// Without a division per element: at every float within 64 of each
// threshold (v = 0 signed, v = 0.5 otherwise) and of the underflow edge
// (a difference whose quotient rounds to -0), for scales from 1e-30 to
// 1e30, the same bits as the formula.
TEST(VecKernels, BinarizeRowsExactAtTheThresholds) {
  for (float alpha : {1e-30f, 3e-7f, 0.01f, 0.3f, 0.75f, 1.0f, 7.0f, 1e30f})
    for (float beta : {0.0f, -0.3f, 1.5f})
      for (int xSigned : {1, 0}) {
        float edge = xSigned ? beta : beta + 0.5f * alpha;
        std::vector<float> x;
        for (float centre : {edge, beta, beta - alpha * 1e-38f})
          for (int d = -64; d <= 64; ++d) {
            float v = centre;
            for (int i = 0; i < (d < 0 ? -d : d); ++i)
              v = std::nextafter(v, d < 0 ? -INFINITY : INFINITY);
            x.push_back(v);
          }
        int64_t k = int64_t(x.size()), words = (k + 63) / 64;
        std::vector<uint64_t> ref(words), got(words);
        bnrt_binarize_rows(x.data(), 1, k, k, alpha, beta, xSigned, ref.data());
        for (int isa : bnrt_test::availableIsas(true)) {
          vecKernels(isa).binarizeRows(x.data(), 1, k, k, alpha, beta, xSigned,
                                       got.data());
          EXPECT_EQ(got, ref)
              << bnrt_isa_name(bnrt_isa(isa)) << " alpha " << alpha << " beta "
              << beta << " signed " << xSigned;
        }
      }
}
