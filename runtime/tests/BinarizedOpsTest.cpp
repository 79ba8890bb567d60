//===- BinarizedOpsTest.cpp - Binarize and LinearBinarized bundles --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// x [3, 70] (K past one word) -> LinearBinarized with two weight planes,
// per-row scales and a bias; and Binarize -> Dequantize of the same x. For
// signed and non-negative codes, on every ISA path and 1 or 2 threads:
// the codes are BiT's (docs/dialect.md), the GEMM is the exact integer
// dots times the scales plus the bias. Load-time checks refuse a scale
// that is not positive.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "bnrt.h"

#include <gtest/gtest.h>

#include <cmath>
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

std::vector<uint8_t> makeBundle(float alpha, bool isSigned) {
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
  auto options = [&] {
    return fb::CreateBinarizeOptions(bb.b, alpha, kBeta, isSigned).Union();
  };
  bb.op(fb::OpCode::LinearBinarized, {x, w, a, b}, {y},
        fb::OpOptions::BinarizeOptions, options());
  bb.op(fb::OpCode::Binarize, {x}, {codes, s}, fb::OpOptions::BinarizeOptions,
        options());
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

TEST(BinarizedOps, CodesAndGemmOnEveryPath) {
  for (bool isSigned : {true, false}) {
    const float alpha = 0.75f;
    std::vector<uint8_t> bytes = makeBundle(alpha, isSigned);
    bnrt_error err;
    bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
    ASSERT_NE(m, nullptr) << err.message;
    std::vector<float> x = inputs(alpha);
    std::vector<int> code(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      float v = (x[i] - kBeta) / alpha;
      code[i] = isSigned ? (v < 0.0f ? -1 : 1) : (v > 0.5f ? 1 : 0);
    }
    EXPECT_EQ(code[0], isSigned ? 1 : 0);
    EXPECT_EQ(code[1], 1 - !isSigned);
    EXPECT_EQ(code[2], 1);
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
                            (isSigned ? " signed" : " non-negative");
        for (size_t i = 0; i < x.size(); ++i)
          ASSERT_EQ(d[i], alpha * float(code[i])) << where << " " << i;
        for (int r = 0; r < kRows; ++r)
          for (int n = 0; n < kN; ++n) {
            double want = 0.5 * n - 1.0;
            for (int p = 0; p < kPlanes; ++p) {
              int dot = 0;
              for (int k = 0; k < kK; ++k)
                dot += code[r * kK + k] * signOf(p, n, k);
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
