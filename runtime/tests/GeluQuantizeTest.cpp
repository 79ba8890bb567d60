//===- GeluQuantizeTest.cpp - Quantize with input_gelu
//---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// x [3, 1500] -> Quantize {bits, static clip, input_gelu} -> Dequantize:
// the codes of GELU(x) (the runtime's GELU, then docs/dialect.md's
// quantizer), on every ISA path and 1 or 2 threads, for codes of 2-4 bits
// found by comparing x with bounds (some with the -1 code around GELU's
// minimum, some a threshold next to it: unfused) and 8-bit codes (GELU
// computed); the bounds against GELU then quantize on a sweep over all
// floats; with a dynamic clip (per sequence, masked), the folded form
// against a Gelu op then Quantize, and the error bound it rests on.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "bnrt.h"
#include "kernels/quantizer.h"
#include "kernels/vec_kernels.h"
#include "ops/gelu_interval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace fb = bnrt::fb;

namespace {

constexpr int kRows = 3, kCols = 1500;

float geluOf(float x, int gelu) {
  float y;
  bnrt::geluOfForm(bnrt::vecKernels(BNRT_ISA_SCALAR), &x, &y, 1, gelu);
  return y;
}

/// The unfused code: GELU, then the quantizer.
int codeOf(float x, int gelu, float scale, int bits) {
  return bnrt::quantizeCode(geluOf(x, gelu), scale, bnrt::quantMax(bits));
}

std::vector<uint8_t> makeBundle(int bits, float clip, int gelu) {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  int32_t x = bb.value("x", DType::F32, {kRows, kCols}, Storage::Input, 0);
  int32_t codes =
      bb.value("codes", DType::I8, {kRows, kCols}, Storage::Arena, 0);
  int32_t s = bb.value("s", DType::F32, {}, Storage::Arena, 4608);
  int32_t d = bb.value("d", DType::F32, {kRows, kCols}, Storage::Output, 0);
  bb.op(fb::OpCode::Quantize, {x}, {codes, s}, fb::OpOptions::QuantizeOptions,
        fb::CreateQuantizeOptions(bb.b, bits, clip, gelu).Union());
  bb.op(fb::OpCode::Dequantize, {codes, s}, {d});
  return bb.finish({x}, {d}, 4672);
}

/// Points spread over [-6, 6], a run around GELU's minimum, the special
/// values, and the 40 floats on each side of every bound (where GELU's
/// last bit can wobble: the bands).
std::vector<float> inputs(const bnrt::GeluCodeBounds &b) {
  std::vector<float> x(kRows * kCols);
  for (int i = 0; i < kRows * kCols; ++i)
    x[i] = float((i * 7919) % 12000) / 1000.0f - 6.0f;
  for (int i = 0; i < 400; ++i)
    x[100 + i] = -1.6f + 0.004f * float(i);
  const float specials[] = {NAN,   INFINITY, -INFINITY, 0.0f,
                            -0.0f, 3e38f,    -3e38f};
  for (size_t i = 0; i < std::size(specials); ++i)
    x[2000 + i] = specials[i];
  std::vector<float> bounds(b.above, b.above + b.rises);
  bounds.insert(bounds.end(), b.lo, b.lo + b.dips);
  bounds.insert(bounds.end(), b.hi, b.hi + b.dips);
  size_t at = 2100;
  for (float bound : bounds) {
    float v = bound;
    for (int i = 0; i < 40; ++i)
      v = std::nextafter(v, -INFINITY);
    for (int i = 0; i < 81; ++i, v = std::nextafter(v, INFINITY))
      x[at++] = v;
  }
  return x;
}

void checkEveryPath(int bits, float clip, int gelu) {
  std::vector<uint8_t> bytes = makeBundle(bits, clip, gelu);
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  float scale = bnrt::quantScaleOf(clip, bits);
  std::vector<float> x = inputs(bnrt::geluCodeBounds(gelu, scale, bits).bounds);
  std::vector<float> want(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    want[i] = scale * float(codeOf(x[i], gelu, scale, bits));
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    ASSERT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
    for (int threads : {1, 2}) {
      ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
      std::vector<float> d(x.size(), NAN);
      const void *in[] = {x.data()};
      void *out[] = {d.data()};
      const size_t inBytes[] = {x.size() * 4}, outBytes[] = {d.size() * 4};
      ASSERT_EQ(bnrt_model_run(m, in, inBytes, out, outBytes, &err), BNRT_OK)
          << err.message;
      for (size_t i = 0; i < x.size(); ++i)
        ASSERT_EQ(d[i], want[i])
            << bnrt_isa_name(isa) << " threads " << threads << " bits " << bits
            << " clip " << clip << " gelu " << gelu << " x " << x[i];
    }
  }
  bnrt_model_free(m);
}

TEST(GeluQuantize, CodesOfGeluOnEveryPath) {
  for (int gelu : {1, 2, 3}) {      // erf, tanh, integer
    checkEveryPath(2, 1.5f, gelu);  // codes 0 and 1
    checkEveryPath(2, 0.25f, gelu); // -1 around the minimum too
    checkEveryPath(3, 0.9f, gelu);  // -1 from 3 bits
    checkEveryPath(4, 2.0f, gelu);
    checkEveryPath(2, 0.3399f, gelu); // threshold at the minimum: unfused
    checkEveryPath(8, 3.0f, gelu);    // GELU computed, then quantized
  }
}

TEST(GeluQuantize, BoundsEqualGeluThenQuantizeOnEveryFloat) {
  struct Case {
    int gelu, bits;
    float clip;
    bool fused;
    int dips;
  } cases[] = {
      {1, 2, 1.5f, true, 0},     {1, 2, 0.25f, true, 1}, {2, 2, 0.2f, true, 1},
      {1, 3, 0.9f, true, 1},     {2, 4, 0.6f, true, 2},  {1, 4, 2.0f, true, 1},
      {1, 2, 0.3399f, false, 0}, {1, 8, 3.0f, false, 0}, {3, 2, 1.5f, true, 0},
      {3, 2, 0.25f, true, 1},    {3, 3, 0.9f, true, 1},  {3, 4, 2.0f, true, 1}};
  // GELU's last bit wobbles next to the 3-bit dip's upper bound: a band.
  EXPECT_GE(bnrt::geluCodeBounds(bnrt::kGeluErf, bnrt::quantScaleOf(0.9f, 3), 3)
                .bounds.bands,
            1);
  for (const Case &c : cases) {
    float scale = bnrt::quantScaleOf(c.clip, c.bits);
    bnrt::GeluCodes g = bnrt::geluCodeBounds(c.gelu, scale, c.bits);
    EXPECT_EQ(g.fused, c.fused) << c.bits << " " << c.clip;
    if (!g.fused)
      continue;
    EXPECT_EQ(g.bounds.rises, int(bnrt::quantMax(c.bits)));
    EXPECT_EQ(g.bounds.dips, c.dips) << c.bits << " " << c.clip;
    // Every 4099th float (about a million), both signs, with the
    // infinities and NaNs among them, through the portable kernel.
    std::vector<float> x;
    for (uint64_t u = 0; u <= 0xFFFFFFFFull; u += 4099) {
      uint32_t bits = uint32_t(u);
      float f;
      std::memcpy(&f, &bits, 4);
      x.push_back(f);
    }
    std::vector<int8_t> codes(x.size());
    bnrt::vecKernels(BNRT_ISA_SCALAR)
        .geluCodes(x.data(), codes.data(), int64_t(x.size()), g.bounds);
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(codes[i], codeOf(x[i], c.gelu, scale, c.bits))
          << "x " << x[i] << " bits " << c.bits << " clip " << c.clip;
  }
}

/// x [kSeq, kRows, kCols] with a mask [kSeq, kRows] -> Quantize {8 bits,
/// dynamic clip per sequence} of GELU(x) -> Dequantize, the GELU folded
/// into the quantize or a Gelu op before it; d and the scales.
std::vector<uint8_t> makeDynamicBundle(int gelu, bool folded) {
  using fb::DType, fb::Storage;
  constexpr int64_t kSeq = 2, kAll = kSeq * kRows * kCols;
  bnrt_test::BundleBuilder bb;
  int32_t x =
      bb.value("x", DType::F32, {kSeq, kRows, kCols}, Storage::Input, 0);
  int32_t mask = bb.value("mask", DType::F32, {kSeq, kRows}, Storage::Input, 1);
  int32_t g =
      bb.value("g", DType::F32, {kSeq, kRows, kCols}, Storage::Arena, 0);
  int64_t codesAt = kAll * 4;
  int32_t codes = bb.value("codes", DType::I8, {kSeq, kRows, kCols},
                           Storage::Arena, codesAt);
  int32_t s = bb.value("s", DType::F32, {kSeq}, Storage::Output, 1);
  int32_t d =
      bb.value("d", DType::F32, {kSeq, kRows, kCols}, Storage::Output, 0);
  if (!folded)
    bb.op(fb::OpCode::Gelu, {x}, {g}, fb::OpOptions::GeluOptions,
          fb::CreateGeluOptions(bb.b, gelu == bnrt::kGeluTanh,
                                gelu == bnrt::kGeluInteger)
              .Union());
  bb.op(fb::OpCode::Quantize, {folded ? x : g, mask}, {codes, s},
        fb::OpOptions::QuantizeOptions,
        fb::CreateQuantizeOptions(bb.b, 8, 0.0f, folded ? gelu : 0).Union());
  bb.op(fb::OpCode::Dequantize, {codes, s}, {d});
  return bb.finish({x, mask}, {d, s}, codesAt + (kAll + 63) / 64 * 64);
}

/// d and the scales of a dynamic bundle on `isa`.
std::vector<float> runDynamic(const std::vector<uint8_t> &bytes, bnrt_isa isa,
                              int threads, const std::vector<float> &x,
                              const std::vector<float> &mask) {
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  EXPECT_NE(m, nullptr) << err.message;
  std::vector<float> out(x.size() + 2, NAN);
  if (!m)
    return out;
  EXPECT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
  EXPECT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
  const void *in[] = {x.data(), mask.data()};
  void *outs[] = {out.data(), out.data() + x.size()};
  const size_t inBytes[] = {x.size() * 4, mask.size() * 4},
               outBytes[] = {x.size() * 4, 8};
  EXPECT_EQ(bnrt_model_run(m, in, inBytes, outs, outBytes, &err), BNRT_OK)
      << err.message;
  bnrt_model_free(m);
  return out;
}

TEST(GeluQuantize, DynamicClipFoldedGivesTheBitsOfGeluThenQuantize) {
  constexpr int64_t kPer = kRows * kCols;
  std::vector<float> mask = {0, 0, -1e4f, 0, 0, 0}; // sequence 0's row 2: pad
  std::vector<std::vector<float>> inputs;
  // Spread values; a padding row whose values would set the clip.
  std::vector<float> spread(2 * kPer);
  for (int64_t i = 0; i < 2 * kPer; ++i)
    spread[i] = float((i * 7919) % 12000) / 1000.0f - 6.0f;
  for (int64_t i = 2 * kCols; i < 3 * kCols; ++i)
    spread[i] = 50.0f;
  inputs.push_back(spread);
  // Many floats just below the top (where a GELU whose last bit wobbled
  // could top the top's own), the top in the last row.
  std::vector<float> crowd = spread;
  for (int64_t i = 0; i < 1200; ++i)
    crowd[kCols + i] = crowd[kPer + i] =
        std::nextafter(2.75f - 2.75f * 1e-4f * float(i) / 1200.0f, 0.0f);
  crowd[kPer - 1] = crowd[2 * kPer - 1] = 2.75f;
  inputs.push_back(crowd);
  // Everything below the clip point (GELU computed everywhere), the
  // minimum's neighbourhood; and NaN and infinities.
  std::vector<float> low(2 * kPer);
  for (int64_t i = 0; i < 2 * kPer; ++i)
    low[i] = -1.6f + 2.0f * float(i % 1000) / 1000.0f;
  inputs.push_back(low);
  std::vector<float> special = spread;
  special[5] = NAN, special[6] = INFINITY, special[kPer + 7] = -INFINITY;
  special[kPer + 8] = NAN;
  inputs.push_back(special);
  for (int gelu : {1, 2, 3})
    for (const std::vector<float> &x : inputs)
      for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
        std::vector<float> want =
            runDynamic(makeDynamicBundle(gelu, false), isa, 1, x, mask);
        for (int threads : {1, 2}) {
          std::vector<float> got =
              runDynamic(makeDynamicBundle(gelu, true), isa, threads, x, mask);
          for (size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(std::memcmp(&got[i], &want[i], 4), 0)
                << "gelu " << gelu << " " << bnrt_isa_name(isa) << " threads "
                << threads << " at " << i << ": " << got[i]
                << " != " << want[i];
        }
      }
}

/// The bound the folded dynamic clip rests on (quantize.cpp, geluClip):
/// on x >= 0 the float erf and tanh GELUs are within 1e-6 of GELU
/// (relative) up to where they return x itself, and below 0 their
/// magnitude stays under GELU(0.5). Every 61st float of [1e-3, 16) and of
/// (-16, -1e-3] (below 1e-3 in magnitude |GELU(x)| <= |x|), and x itself
/// from 16 on.
TEST(GeluQuantize, FloatGeluIsWithinItsBoundFromTheClipPoint) {
  const bnrt::VecKernels &vec =
      bnrt::vecKernels(bnrt_test::availableIsas(true).back());
  auto truth = [](double x, int gelu) {
    if (gelu == bnrt::kGeluErf)
      return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    double u = std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x);
    return 0.5 * x * (1.0 + std::tanh(u));
  };
  for (int gelu : {1, 2}) {
    float floor = float(truth(0.5, gelu));
    // Every 61st float of magnitude [from, to), of the sign of `sign`.
    auto check = [&](float from, float to, float sign) {
      std::vector<float> x, y;
      uint32_t b0, b1;
      std::memcpy(&b0, &from, 4);
      std::memcpy(&b1, &to, 4);
      for (uint32_t b = b0; b < b1; b += 61) {
        float v;
        std::memcpy(&v, &b, 4);
        x.push_back(std::copysign(v, sign));
      }
      y.resize(x.size());
      bnrt::geluOfForm(vec, x.data(), y.data(), int64_t(x.size()), gelu);
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i] >= 0.0f) {
          double t = truth(x[i], gelu);
          ASSERT_LE(std::fabs(y[i] - t), 1e-6 * t)
              << "gelu " << gelu << " x " << x[i] << " " << y[i];
        } else {
          ASSERT_LT(std::fabs(y[i]), floor) << "gelu " << gelu << " x " << x[i];
        }
      }
    };
    check(1e-3f, 16.0f, 1.0f);
    check(1e-3f, 16.0f, -1.0f);
    for (float v : {16.0f, 100.0f, 1e6f, 1e20f, 3e38f, INFINITY}) {
      float y;
      bnrt::geluOfForm(vec, &v, &y, 1, gelu);
      EXPECT_EQ(y, v) << "gelu " << gelu;
    }
  }
}

} // namespace
