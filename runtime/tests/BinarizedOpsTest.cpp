//===- BinarizedOpsTest.cpp - Binarize and LinearBinarized bundles --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// x [3, 70] (K past one word) -> LinearBinarized with two weight planes,
// per-row scales and a bias; and Binarize -> Dequantize of the same x. For
// signed and non-negative codes, on every ISA path and 1 or 2 threads:
// the codes are BiT's (docs/dialect.md), the GEMM is the exact integer
// dots times the scales plus the bias. With input_gelu the op binarizes
// GELU(x) by two bounds on x: the same bits as GELU then binarize, on a
// sweep over all floats too. Load-time checks refuse a scale that is not
// positive.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "bnrt.h"
#include "kernels/float_order.h"
#include "kernels/vec_kernels.h"
#include "ops/gelu_interval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace fb = bnrt::fb;

namespace {

constexpr int kRows = 3, kK = 70, kN = 5, kPlanes = 2;
constexpr float kBeta = 0.125f;

int8_t signOf(int p, int n, int k) {
  return (p * 7 + n * 3 + k * k) % 5 < 2 ? -1 : 1;
}
float planeScale(int p, int n) { return 0.25f + 0.125f * float(p + n); }

float geluOf(float x, int gelu) {
  float y = x;
  if (gelu)
    bnrt::geluOfForm(bnrt::vecKernels(BNRT_ISA_SCALAR), &x, &y, 1, gelu);
  return y;
}

std::vector<uint8_t> makeBundle(float alpha, bool isSigned, int gelu = 0,
                                float beta = kBeta) {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  std::vector<uint64_t> bits(kPlanes * kN * 2);
  std::vector<float> scales(kPlanes * kN), bias(kN);
  for (int p = 0; p < kPlanes; ++p)
    for (int n = 0; n < kN; ++n) {
      int8_t signs[kK];
      for (int k = 0; k < kK; ++k)
        signs[k] = signOf(p, n, k);
      bnrt_bitpack_row(signs, kK, bits.data() + (p * kN + n) * 2);
      scales[p * kN + n] = planeScale(p, n);
    }
  for (int n = 0; n < kN; ++n)
    bias[n] = 0.5f * float(n) - 1.0f;
  int64_t bitsOff = bb.constant(bits.data(), bits.size() * 8);
  int64_t scalesOff = bb.constant(scales.data(), scales.size() * 4);
  int64_t biasOff = bb.constant(bias.data(), bias.size() * 4);
  int32_t x = bb.value("x", DType::F32, {kRows, kK}, Storage::Input, 0);
  int32_t w = bb.value("bits", DType::I64, {kPlanes, kN, 2}, Storage::Constant,
                       bitsOff);
  int32_t a = bb.value("alpha", DType::F32, {kPlanes, kN}, Storage::Constant,
                       scalesOff);
  int32_t b = bb.value("bias", DType::F32, {kN}, Storage::Constant, biasOff);
  int32_t codes = bb.value("codes", DType::I8, {kRows, kK}, Storage::Arena, 0);
  int32_t s = bb.value("s", DType::F32, {}, Storage::Arena, 256);
  int32_t y = bb.value("y", DType::F32, {kRows, kN}, Storage::Output, 0);
  int32_t d = bb.value("d", DType::F32, {kRows, kK}, Storage::Output, 1);
  auto options = [&](int g) {
    return fb::CreateBinarizeOptions(bb.b, alpha, beta, isSigned, g).Union();
  };
  bb.op(fb::OpCode::LinearBinarized, {x, w, a, b}, {y},
        fb::OpOptions::BinarizeOptions, options(gelu));
  bb.op(fb::OpCode::Binarize, {x}, {codes, s}, fb::OpOptions::BinarizeOptions,
        options(0));
  bb.op(fb::OpCode::Dequantize, {codes, s}, {d});
  return bb.finish({x}, {y, d}, 320);
}

/// Inputs at and around the thresholds (v = 0 signed, v = 0.5 otherwise).
std::vector<float> inputs(float alpha) {
  std::vector<float> x(kRows * kK);
  for (int i = 0; i < kRows * kK; ++i)
    x[i] = kBeta + alpha * (float((i * 37) % 23) / 11.0f - 1.0f);
  x[0] = kBeta;                // v = 0: +1
  x[1] = kBeta + 0.5f * alpha; // v = 0.5: code 0 when non-negative
  x[2] = std::nextafter(x[1], 1e9f);
  return x;
}

/// The bundle's outputs against the formula: Dequantize(Binarize(x)) =
/// alpha * code(x), and y = the exact dots of code(GELU(x)) when `gelu`.
void checkEveryPath(float alpha, float beta, bool isSigned, int gelu) {
  {
    std::vector<uint8_t> bytes = makeBundle(alpha, isSigned, gelu, beta);
    bnrt_error err;
    bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
    ASSERT_NE(m, nullptr) << err.message;
    std::vector<float> x = inputs(alpha);
    if (gelu) { // every float of the wobble bands, where bits are computed
      bnrt::GeluInterval g = bnrt::geluInterval(gelu, alpha, beta, isSigned);
      size_t at = 3;
      for (int b = 0; b < g.bands; ++b)
        for (float v = std::nextafter(g.bandLo[b], -INFINITY);
             v <= g.bandHi[b] && at < x.size(); v = std::nextafter(v, INFINITY))
          x[at++] = v;
    }
    auto codeOf = [&](float value) {
      float v = (value - beta) / alpha;
      return isSigned ? (v < 0.0f ? -1 : 1) : (v > 0.5f ? 1 : 0);
    };
    std::vector<int> code(x.size()), gemmCode(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      code[i] = codeOf(x[i]);
      gemmCode[i] = codeOf(geluOf(x[i], gelu));
    }
    if (!gelu && beta == kBeta) {
      EXPECT_EQ(code[0], isSigned ? 1 : 0);
      EXPECT_EQ(code[1], 1 - !isSigned);
      EXPECT_EQ(code[2], 1);
    }
    for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
      ASSERT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
      for (int threads : {1, 2}) {
        ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
        std::vector<float> y(kRows * kN, NAN), d(x.size(), NAN);
        const void *in[] = {x.data()};
        void *out[] = {y.data(), d.data()};
        const size_t inBytes[] = {x.size() * 4};
        const size_t outBytes[] = {y.size() * 4, d.size() * 4};
        ASSERT_EQ(bnrt_model_run(m, in, inBytes, out, outBytes, &err), BNRT_OK)
            << err.message;
        std::string where = std::string(bnrt_isa_name(isa)) + " threads " +
                            std::to_string(threads) +
                            (isSigned ? " signed" : " non-negative") +
                            " gelu " + std::to_string(gelu);
        for (size_t i = 0; i < x.size(); ++i)
          ASSERT_EQ(d[i], alpha * float(code[i])) << where << " " << i;
        for (int r = 0; r < kRows; ++r)
          for (int n = 0; n < kN; ++n) {
            double want = 0.5 * n - 1.0;
            for (int p = 0; p < kPlanes; ++p) {
              int dot = 0;
              for (int k = 0; k < kK; ++k)
                dot += gemmCode[r * kK + k] * signOf(p, n, k);
              want += double(alpha) * planeScale(p, n) * dot;
            }
            EXPECT_NEAR(y[r * kN + n], want, 1e-5 * (1 + std::fabs(want)))
                << where << " row " << r << " n " << n;
          }
      }
    }
    bnrt_model_free(m);
  }
}

TEST(BinarizedOps, CodesAndGemmOnEveryPath) {
  for (bool isSigned : {true, false})
    checkEveryPath(0.75f, kBeta, isSigned, 0);
}

// GELU folded in: thresholds on both sides of GELU's minimum (beta below
// 0), on one side (above 0), none (below GELU's minimum), and next to it
// (unfused: GELU is computed, same bits); erf, tanh and integer GELU.
TEST(BinarizedOps, GeluFoldedIntoTheBinarization) {
  for (int gelu : {1, 2, 3})
    for (float beta : {-0.05f, 0.125f, -0.5f, -0.16996f})
      for (bool isSigned : {true, false})
        checkEveryPath(isSigned ? 0.75f : 0.3f, beta, isSigned, gelu);
}

TEST(BinarizedOps, GeluIntervalEqualsGeluThenBinarizeOnEveryFloat) {
  struct Case {
    int gelu;
    float alpha, beta;
    bool isSigned, fused;
  } cases[] = {{1, 0.75f, -0.05f, true, true},
               {1, 0.75f, 0.3f, true, true},
               {2, 0.5f, -0.1f, true, true},
               {1, 0.75f, -0.5f, true, true},
               {1, 0.3f, 0.0f, false, true},
               {2, 0.4f, 0.1f, false, true},
               {1, 0.75f, -0.16997f, true, false},
               {3, 0.75f, -0.05f, true, true},
               {3, 0.3f, 0.0f, false, true},
               // Non-negative codes whose threshold is below 0: the set is
               // two-sided but GELU(-inf) is NaN (bit 0): left unfused.
               {1, 0.3f, -0.2f, false, false}};
  for (const Case &c : cases) {
    bnrt::GeluInterval g =
        bnrt::geluInterval(c.gelu, c.alpha, c.beta, c.isSigned);
    EXPECT_EQ(g.fused, c.fused) << c.beta;
    if (!g.fused)
      continue;
    // Every 4099th float (about a million), both signs, with the infinities
    // and NaNs among them.
    for (uint64_t u = 0; u <= 0xFFFFFFFFull; u += 4099) {
      uint32_t bits = uint32_t(u);
      float x;
      std::memcpy(&x, &bits, 4);
      float v = (geluOf(x, c.gelu) - c.beta) / c.alpha;
      bool want = c.isSigned ? v < 0.0f : v > 0.5f;
      ASSERT_EQ(g.bit(x), want) << "x " << x << " beta " << c.beta;
    }
    // And every float of the bands and 300 beyond them.
    for (int b = 0; b < g.bands; ++b)
      for (int64_t key = bnrt::floatKey(g.bandLo[b]) - 300;
           key <= bnrt::floatKey(g.bandHi[b]) + 300; ++key) {
        float x = bnrt::keyFloat(key);
        float v = (geluOf(x, c.gelu) - c.beta) / c.alpha;
        ASSERT_EQ(g.bit(x), c.isSigned ? v < 0.0f : v > 0.5f) << x;
      }
  }
  // GELU's last bit wobbles next to the left bound of this one: a band.
  EXPECT_GE(bnrt::geluInterval(1, 0.75f, -0.05f, true).bands, 1);
}

TEST(BinarizedOps, RefusesAScaleThatIsNotPositive) {
  for (float alpha : {0.0f, -1.0f, INFINITY}) {
    std::vector<uint8_t> bytes = makeBundle(alpha, true);
    bnrt_error err;
    bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
    EXPECT_EQ(m, nullptr);
    EXPECT_NE(std::string(err.message).find("alpha must be positive"),
              std::string::npos)
        << err.message;
    bnrt_model_free(m);
  }
}

} // namespace
