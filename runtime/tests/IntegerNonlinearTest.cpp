//===- IntegerNonlinearTest.cpp - I-BERT's integer GELU, softmax, LN ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnrt/integer_nonlinear.h: the integer helpers exactly (square root,
// floor division, fixed point), the three functions close to their float
// definitions (I-BERT's error bounds) with their special cases; then the
// ops that take `integer` (Gelu, LayerNorm, Softmax, AttentionI8,
// Attention) in bundles, on every ISA path and 1-2 threads, bit for bit
// against the header computed here.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "RandomFloats.h"
#include "bnrt.h"
#include "bnrt/integer_nonlinear.h"
#include "kernels/quantizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace fb = bnrt::fb;
namespace in = bnrt::integer;

namespace {

using bnrt_test::randomFloats;

TEST(IntegerNonlinear, IntegerHelpersAreExact) {
  for (int64_t v : {0LL, 1LL, 2LL, 3LL, 4LL, 15LL, 16LL, 17LL, 99980001LL,
                    (1LL << 52) + 1, (1LL << 62) - 1, (1LL << 62) + 12345})
    for (int64_t d = -3; d <= 3; ++d) {
      int64_t x = v + d < 0 ? 0 : v + d;
      int64_t s = in::isqrt(x);
      ASSERT_LE(s * s, x) << x;
      ASSERT_GT((s + 1) * (s + 1), x) << x;
    }
  // The softmax's shift count by a reciprocal: floor(-d / ln 2) exactly.
  in::ExpConstants c = in::expConstants();
  for (int32_t n = 0; n <= in::kSoftmaxMaxShift * c.ln2; ++n)
    ASSERT_EQ((n * c.ln2Reciprocal) >> in::kLn2Shift, n / c.ln2) << n;
  EXPECT_EQ(in::floorDiv(-7, 2), -4);
  EXPECT_EQ(in::floorDiv(-8, 2), -4);
  EXPECT_EQ(in::floorDiv(7, 2), 3);
  // Half to even on the 2^-10 grid, saturated, NaN 0.
  EXPECT_EQ(in::fixedPoint(0.5f / 1024, 1 << 24), 0);
  EXPECT_EQ(in::fixedPoint(1.5f / 1024, 1 << 24), 2);
  EXPECT_EQ(in::fixedPoint(-2.5f / 1024, 1 << 24), -2);
  EXPECT_EQ(in::fixedPoint(1e30f, 1 << 24), 1 << 24);
  EXPECT_EQ(in::fixedPoint(-INFINITY, 1 << 24), -(1 << 24));
  EXPECT_EQ(in::fixedPoint(NAN, 1 << 24), 0);
}

TEST(IntegerNonlinear, GeluIsCloseToTheErfForm) {
  in::GeluConstants c = in::geluConstants();
  float worst = 0;
  for (float x = -8.0f; x <= 8.0f; x += 1.0f / 512) {
    double exact = 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    worst = std::max(worst, float(std::fabs(in::gelu(x, c) - exact)));
  }
  EXPECT_LT(worst, 0.02f); // I-BERT's polynomial: about 0.01 at most
  EXPECT_GT(worst, 1e-4f); // an approximation, not the float function
  EXPECT_EQ(in::gelu(0.0f, c), 0.0f);
  EXPECT_NEAR(in::gelu(100.0f, c), 100.0f, 1e-3f);
  EXPECT_EQ(in::gelu(-100.0f, c), 0.0f);
  EXPECT_NEAR(in::gelu(1e30f, c), 16384.0f, 1e-2f); // saturated input
  EXPECT_TRUE(std::isnan(in::gelu(NAN, c)));
}

TEST(IntegerNonlinear, SoftmaxIsCloseAndOnTheGrid) {
  in::ExpConstants c = in::expConstants();
  std::vector<float> x = randomFloats(300, 3.0f, 1);
  x[7] = -INFINITY; // a masked key
  x[8] = -10000.0f;
  std::vector<float> y(x.size());
  std::vector<int32_t> work(x.size());
  in::softmax(x.data(), y.data(), int64_t(x.size()), 1, work.data(), c);
  double top = -INFINITY, sum = 0, total = 0;
  for (float v : x)
    top = std::max(top, double(v));
  for (float v : x)
    sum += std::exp(v - top);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(y[i], std::exp(x[i] - top) / sum, 2e-3) << i;
    EXPECT_EQ(y[i] * 65536.0f, std::nearbyint(y[i] * 65536.0f)) << i;
    total += y[i];
  }
  EXPECT_EQ(y[7], 0.0f);
  EXPECT_EQ(y[8], 0.0f);
  EXPECT_NEAR(total, 1.0, x.size() / 65536.0);
  // Strided, and a NaN makes the row NaN.
  float pair[] = {1.0f, -5.0f, 1.0f, -5.0f}, out[4] = {};
  in::softmax(pair, out, 2, 2, work.data(), c);
  EXPECT_EQ(out[0], 0.5f);
  EXPECT_EQ(out[2], 0.5f);
  float withNan[] = {1.0f, NAN, 0.0f};
  in::softmax(withNan, out, 3, 1, work.data(), c);
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[2]));
}

TEST(IntegerNonlinear, LayerNormIsClose) {
  const int64_t h = 768;
  std::vector<float> x = randomFloats(h, 4.0f, 2),
                     gamma = randomFloats(h, 1, 3),
                     beta = randomFloats(h, 1, 4), y(h);
  for (int64_t i = 0; i < h; ++i)
    x[i] += 2.5f; // a mean to take out
  std::vector<int32_t> work(h);
  in::layerNorm(x.data(), gamma.data(), beta.data(), y.data(), h,
                in::varianceEpsilon(1e-12f), work.data());
  double mean = 0, var = 0;
  for (float v : x)
    mean += v;
  mean /= h;
  for (float v : x)
    var += (v - mean) * (v - mean);
  var /= h;
  for (int64_t i = 0; i < h; ++i)
    ASSERT_NEAR(y[i], (x[i] - mean) / std::sqrt(var) * gamma[i] + beta[i],
                1e-3 * (1 + std::fabs(gamma[i])))
        << i;
  // A constant row normalizes to beta; a NaN makes the row NaN.
  std::vector<float> flat(h, 3.0f);
  in::layerNorm(flat.data(), gamma.data(), beta.data(), y.data(), h, 0,
                work.data());
  for (int64_t i = 0; i < h; ++i)
    ASSERT_EQ(y[i], beta[i]);
  flat[5] = NAN;
  in::layerNorm(flat.data(), gamma.data(), beta.data(), y.data(), h, 0,
                work.data());
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[h - 1]));
  EXPECT_EQ(in::varianceEpsilon(1e-5f), 10); // 1e-5 2^20, rounded
  EXPECT_EQ(in::varianceEpsilon(1e-12f), 0);
}

/// FNV-1a over the bits of the three forms on a fixed sweep of inputs:
/// the same on every target (x86-64 and AArch64 print the same value).
uint64_t sweepHash() {
  std::vector<float> x(4096), y(4096), gamma(512), beta(512);
  for (int i = 0; i < 4096; ++i)
    x[i] = float((i * 7919) % 8191 - 4095) / 409.5f + float(i % 7) * 1e-4f;
  for (int i = 0; i < 512; ++i) {
    gamma[i] = 0.5f + float(i % 13) / 8.0f;
    beta[i] = float(i % 5) / 4.0f - 0.5f;
  }
  std::vector<int32_t> work(4096);
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](const std::vector<float> &v) {
    for (float f : v) {
      uint32_t u;
      std::memcpy(&u, &f, 4);
      hash = (hash ^ u) * 1099511628211ull;
    }
  };
  for (int i = 0; i < 4096; ++i)
    y[i] = in::gelu(x[i], in::geluConstants());
  mix(y);
  for (int r = 0; r < 8; ++r)
    in::softmax(x.data() + 512 * r, y.data() + 512 * r, 512, 1, work.data(),
                in::expConstants());
  mix(y);
  for (int r = 0; r < 8; ++r)
    in::layerNorm(x.data() + 512 * r, gamma.data(), beta.data(),
                  y.data() + 512 * r, 512, in::varianceEpsilon(1e-5f),
                  work.data());
  mix(y);
  return hash;
}

TEST(IntegerNonlinear, SameBitsOnEveryTarget) {
  EXPECT_EQ(sweepHash(), 0xe4bd91355cba3b87ull) << std::hex << sweepHash();
}

/// Runs `bytes` (one f32 input, one f32 output) on every ISA path and 1-2
/// threads; each output must equal `want` bit for bit.
void expectOnEveryPath(const std::vector<uint8_t> &bytes,
                       const std::vector<float> &x,
                       const std::vector<float> &want, const char *what) {
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    ASSERT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
    for (int threads : {1, 2}) {
      ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
      std::vector<float> y(want.size(), -1.0f);
      const void *inputs[] = {x.data()};
      void *outputs[] = {y.data()};
      const size_t inBytes[] = {x.size() * 4}, outBytes[] = {y.size() * 4};
      ASSERT_EQ(bnrt_model_run(m, inputs, inBytes, outputs, outBytes, &err),
                BNRT_OK)
          << err.message;
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_EQ(std::memcmp(&y[i], &want[i], 4), 0)
            << what << " " << bnrt_isa_name(isa) << " threads " << threads
            << " at " << i << ": " << y[i] << " != " << want[i];
    }
  }
  bnrt_model_free(m);
}

constexpr int64_t kRows = 7, kCols = 301; // odd sizes: every tail runs

TEST(IntegerNonlinear, GeluAndSoftmaxOpsOnEveryPath) {
  using fb::DType, fb::Storage;
  std::vector<float> x = randomFloats(kRows * kCols, 3.0f, 5);
  x[3] = NAN;
  for (bool softmax : {false, true}) {
    bnrt_test::BundleBuilder bb;
    int32_t xv = bb.value("x", DType::F32, {kRows, kCols}, Storage::Input, 0);
    int32_t yv = bb.value("y", DType::F32, {kRows, kCols}, Storage::Output, 0);
    if (softmax) // over the rows of each column: a strided softmax
      bb.op(fb::OpCode::Softmax, {xv}, {yv}, fb::OpOptions::SoftmaxOptions,
            fb::CreateSoftmaxOptions(bb.b, 0, true).Union());
    else
      bb.op(fb::OpCode::Gelu, {xv}, {yv}, fb::OpOptions::GeluOptions,
            fb::CreateGeluOptions(bb.b, false, true).Union());
    std::vector<float> want(x.size());
    if (softmax) {
      std::vector<int32_t> work(kRows);
      for (int64_t c = 0; c < kCols; ++c)
        in::softmax(x.data() + c, want.data() + c, kRows, kCols, work.data(),
                    in::expConstants());
    } else {
      for (size_t i = 0; i < x.size(); ++i)
        want[i] = in::gelu(x[i], in::geluConstants());
    }
    expectOnEveryPath(bb.finish({xv}, {yv}, 0), x, want,
                      softmax ? "softmax" : "gelu");
  }
}

TEST(IntegerNonlinear, LayerNormOpOnEveryPath) {
  using fb::DType, fb::Storage;
  std::vector<float> x = randomFloats(kRows * kCols, 5.0f, 6),
                     gamma = randomFloats(kCols, 1.0f, 7),
                     beta = randomFloats(kCols, 1.0f, 8);
  bnrt_test::BundleBuilder bb;
  int64_t g = bb.constant(gamma.data(), gamma.size() * 4);
  int64_t b = bb.constant(beta.data(), beta.size() * 4);
  int32_t xv = bb.value("x", DType::F32, {kRows, kCols}, Storage::Input, 0);
  int32_t gv = bb.value("gamma", DType::F32, {kCols}, Storage::Constant, g);
  int32_t bv = bb.value("beta", DType::F32, {kCols}, Storage::Constant, b);
  int32_t yv = bb.value("y", DType::F32, {kRows, kCols}, Storage::Output, 0);
  bb.op(fb::OpCode::LayerNorm, {xv, gv, bv}, {yv},
        fb::OpOptions::LayerNormOptions,
        fb::CreateLayerNormOptions(bb.b, 1e-5f, true).Union());
  std::vector<float> want(x.size());
  std::vector<int32_t> work(kCols);
  for (int64_t r = 0; r < kRows; ++r)
    in::layerNorm(x.data() + r * kCols, gamma.data(), beta.data(),
                  want.data() + r * kCols, kCols, in::varianceEpsilon(1e-5f),
                  work.data());
  expectOnEveryPath(bb.finish({xv}, {yv}, 0), x, want, "layer norm");
}

// AttentionI8: q, k, v quantized to 8 bits (static clips) from one input
// x [B, S, E] scaled three ways, probabilities to 8 bits.
constexpr int64_t kB = 2, kS = 37, kHeads = 2, kD = 5, kE = kHeads * kD;
constexpr float kClips[3] = {4.0f, 3.0f, 2.0f}, kScale = 0.57735f;
constexpr int kProbBits = 8;

/// The op's result from its definition: exact int32 dots, the logits
/// factor * score, the integer softmax, its codes, P V in int32.
std::vector<float> attentionI8Reference(const std::vector<float> &x) {
  std::vector<int8_t> codes[3];
  float scales[3];
  for (int t = 0; t < 3; ++t) {
    scales[t] = bnrt::quantScaleOf(kClips[t], 8);
    for (float v : x)
      codes[t].push_back(bnrt::quantizeCode(v, scales[t], 127));
  }
  float probScale = bnrt::quantScaleOf(1.0f, kProbBits);
  float factor = kScale * (scales[0] * scales[1]);
  float outFactor = probScale * scales[2];
  std::vector<float> out(x.size());
  std::vector<float> logits(kS), p(kS);
  std::vector<int32_t> work(kS);
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t i = 0; i < kS; ++i) {
        for (int64_t j = 0; j < kS; ++j) {
          int32_t dot = 0;
          for (int64_t t = 0; t < kD; ++t)
            dot += codes[0][(b * kS + i) * kE + h * kD + t] *
                   codes[1][(b * kS + j) * kE + h * kD + t];
          logits[j] = factor * static_cast<float>(dot);
        }
        in::softmax(logits.data(), p.data(), kS, 1, work.data(),
                    in::expConstants());
        for (int64_t t = 0; t < kD; ++t) {
          int32_t acc = 0;
          for (int64_t j = 0; j < kS; ++j)
            acc +=
                bnrt::quantizeCode(p[j], probScale, bnrt::quantMax(kProbBits)) *
                codes[2][(b * kS + j) * kE + h * kD + t];
          out[(b * kS + i) * kE + h * kD + t] =
              outFactor * static_cast<float>(acc);
        }
      }
  return out;
}

TEST(IntegerNonlinear, AttentionI8OnEveryPath) {
  using fb::DType, fb::Storage;
  std::vector<float> x = randomFloats(kB * kS * kE, 1.5f, 9);
  bnrt_test::BundleBuilder bb;
  int32_t xv = bb.value("x", DType::F32, {kB, kS, kE}, Storage::Input, 0);
  int32_t operands[6];
  for (int t = 0; t < 3; ++t) {
    operands[2 * t] =
        bb.value("codes", DType::I8, {kB, kS, kE}, Storage::Arena, 768 * t);
    operands[2 * t + 1] =
        bb.value("scale", DType::F32, {}, Storage::Arena, 2304 + 64 * t);
    bb.op(fb::OpCode::Quantize, {xv}, {operands[2 * t], operands[2 * t + 1]},
          fb::OpOptions::QuantizeOptions,
          fb::CreateQuantizeOptions(bb.b, 8, kClips[t]).Union());
  }
  int32_t yv = bb.value("y", DType::F32, {kB, kS, kE}, Storage::Output, 0);
  bb.op(
      fb::OpCode::AttentionI8,
      {operands[0], operands[1], operands[2], operands[3], operands[4],
       operands[5]},
      {yv}, fb::OpOptions::AttentionOptions,
      fb::CreateAttentionOptions(bb.b, kHeads, kScale, kProbBits, 1.0f, 0, true)
          .Union());
  expectOnEveryPath(bb.finish({xv}, {yv}, 2496), x, attentionI8Reference(x),
                    "attention_i8");
}

TEST(IntegerNonlinear, BinaryAttentionRefusesIt) {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  int32_t xv = bb.value("x", DType::F32, {kB, kS, kE}, Storage::Input, 0);
  int32_t yv = bb.value("y", DType::F32, {kB, kS, kE}, Storage::Output, 0);
  std::vector<float> z = {1, 0, 1, 0, 1, 0, 0.2f, 0.1f};
  bb.op(fb::OpCode::AttentionBinary, {xv, xv, xv}, {yv},
        fb::OpOptions::AttentionOptions,
        fb::CreateAttentionOptions(bb.b, kHeads, kScale, 0, 1.0f,
                                   bb.b.CreateVector(z), true)
            .Union());
  std::vector<uint8_t> bytes = bb.finish({xv}, {yv}, 0);
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(err.message).find("no integer softmax"),
            std::string::npos)
      << err.message;
  bnrt_model_free(m);
}

} // namespace
