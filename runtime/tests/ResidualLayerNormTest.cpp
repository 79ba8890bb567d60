//===- ResidualLayerNormTest.cpp - LayerNorm with its residual folded in --===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A LayerNorm op that adds its residual input (bundle format 6, what
// bnq-lower-to-runtime makes of layer_norm(add(a, b))) gives the bits of
// an Add op followed by a LayerNorm, in the float and the integer form, on
// every ISA path and 1-2 threads; a residual of another shape is refused
// at load, naming it.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "RandomFloats.h"
#include "bnrt.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace fb = bnrt::fb;

namespace {

constexpr int64_t kRows = 9, kCols = 301; // odd sizes: every tail runs

/// y = LayerNorm(a + b): one fused op, or an Add into the arena and a
/// LayerNorm of it. `residualRows` != kRows makes a malformed bundle.
std::vector<uint8_t> bundle(bool fused, bool integer,
                            int64_t residualRows = kRows) {
  using fb::DType, fb::Storage;
  std::vector<float> gamma = bnrt_test::randomFloats(kCols, 1.0f, 7),
                     beta = bnrt_test::randomFloats(kCols, 1.0f, 8);
  bnrt_test::BundleBuilder bb;
  int64_t g = bb.constant(gamma.data(), gamma.size() * 4);
  int64_t be = bb.constant(beta.data(), beta.size() * 4);
  int32_t a = bb.value("a", DType::F32, {kRows, kCols}, Storage::Input, 0);
  int32_t b =
      bb.value("b", DType::F32, {residualRows, kCols}, Storage::Input, 1);
  int32_t gv = bb.value("gamma", DType::F32, {kCols}, Storage::Constant, g);
  int32_t bv = bb.value("beta", DType::F32, {kCols}, Storage::Constant, be);
  int32_t y = bb.value("y", DType::F32, {kRows, kCols}, Storage::Output, 0);
  auto options = [&] {
    return fb::CreateLayerNormOptions(bb.b, 1e-5f, integer).Union();
  };
  if (fused) {
    bb.op(fb::OpCode::LayerNorm, {a, gv, bv, b}, {y},
          fb::OpOptions::LayerNormOptions, options());
    return bb.finish({a, b}, {y}, 0);
  }
  int32_t sum = bb.value("sum", DType::F32, {kRows, kCols}, Storage::Arena, 0);
  bb.op(fb::OpCode::Add, {a, b}, {sum});
  bb.op(fb::OpCode::LayerNorm, {sum, gv, bv}, {y},
        fb::OpOptions::LayerNormOptions, options());
  return bb.finish({a, b}, {y}, (kRows * kCols * 4 + 63) / 64 * 64);
}

std::vector<float> run(const std::vector<uint8_t> &bytes, bnrt_isa isa,
                       int threads, const std::vector<float> &a,
                       const std::vector<float> &b) {
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  EXPECT_NE(m, nullptr) << err.message;
  std::vector<float> y(a.size(), NAN);
  if (!m)
    return y;
  EXPECT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
  EXPECT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
  const void *in[] = {a.data(), b.data()};
  void *out[] = {y.data()};
  const size_t inBytes[] = {a.size() * 4, b.size() * 4},
               outBytes[] = {y.size() * 4};
  EXPECT_EQ(bnrt_model_run(m, in, inBytes, out, outBytes, &err), BNRT_OK)
      << err.message;
  bnrt_model_free(m);
  return y;
}

TEST(ResidualLayerNorm, FusedGivesTheBitsOfAddThenLayerNorm) {
  // Large values next to small ones: a sum rounded differently (or not
  // added) changes the normalized row.
  std::vector<float> a = bnrt_test::randomFloats(kRows * kCols, 300.0f, 5),
                     b = bnrt_test::randomFloats(kRows * kCols, 0.01f, 6);
  for (bool integer : {false, true})
    for (bnrt_isa isa : bnrt_test::availableIsas(true))
      for (int threads : {1, 2}) {
        std::vector<float> want = run(bundle(false, integer), isa, 1, a, b);
        std::vector<float> got = run(bundle(true, integer), isa, threads, a, b);
        for (size_t i = 0; i < want.size(); ++i)
          ASSERT_EQ(std::memcmp(&got[i], &want[i], 4), 0)
              << (integer ? "integer " : "float ") << bnrt_isa_name(isa)
              << " threads " << threads << " at " << i << ": " << got[i]
              << " != " << want[i];
        // The residual counts: without it the rows differ.
        std::vector<float> zero(b.size(), 0.0f);
        EXPECT_NE(
            std::memcmp(run(bundle(true, integer), isa, 1, a, zero).data(),
                        want.data(), want.size() * 4),
            0);
      }
}

TEST(ResidualLayerNorm, AResidualOfAnotherShapeIsRefused) {
  std::vector<uint8_t> bytes = bundle(true, false, kRows - 1);
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_EQ(m, nullptr);
  EXPECT_NE(std::string(err.message).find("LayerNorm"), std::string::npos)
      << err.message;
}

} // namespace
