//===- SequenceScalesTest.cpp - per-sequence dynamic activation scales ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// x [2, 2, 4] (2 sequences of 2 tokens), mask [2, 2] (the second sequence's
// second token is padding, with huge values) -> Quantize with one scale per
// sequence over its real tokens -> LinearBits on the codes, and Dequantize.
// Each sequence's results must use its own scale, never the padding's.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "bnrt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace fb = bnrt::fb;

namespace {

std::vector<uint8_t> makeBundle() {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  int8_t signs[12] = {1, -1, 1, 1, -1, -1, 1, -1, 1, 1, 1, 1};
  uint64_t bits[3];
  for (int r = 0; r < 3; ++r)
    bnrt_bitpack_row(signs + 4 * r, 4, bits + r);
  float alpha = 0.5f;
  int64_t bitsOff = bb.constant(bits, sizeof bits);
  int64_t alphaOff = bb.constant(&alpha, sizeof alpha);
  int32_t x = bb.value("x", DType::F32, {2, 2, 4}, Storage::Input, 0);
  int32_t mask = bb.value("mask", DType::F32, {2, 2}, Storage::Input, 1);
  int32_t q = bb.value("q", DType::I8, {2, 2, 4}, Storage::Arena, 0);
  int32_t s = bb.value("s", DType::F32, {2}, Storage::Arena, 64);
  int32_t w =
      bb.value("bits", DType::I64, {1, 3, 1}, Storage::Constant, bitsOff);
  int32_t a =
      bb.value("alpha", DType::F32, {1, 1}, Storage::Constant, alphaOff);
  int32_t y = bb.value("y", DType::F32, {2, 2, 3}, Storage::Output, 0);
  int32_t d = bb.value("d", DType::F32, {2, 2, 4}, Storage::Output, 1);
  bb.op(fb::OpCode::Quantize, {x, mask}, {q, s}, fb::OpOptions::QuantizeOptions,
        fb::CreateQuantizeOptions(bb.b, 8).Union());
  bb.op(fb::OpCode::LinearBits, {q, s, w, a}, {y},
        fb::OpOptions::LinearBitsOptions,
        fb::CreateLinearBitsOptions(bb.b, 8).Union());
  bb.op(fb::OpCode::Dequantize, {q, s}, {d});
  return bb.finish({x, mask}, {y, d}, 128);
}

TEST(SequenceScales, EachSequenceUsesItsRealTokens) {
  std::vector<uint8_t> bytes = makeBundle();
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  const float x[16] = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, 0.0f, -0.5f, 1.0f,
                       // sequence 1: one real token, then padding
                       4.0f, -2.0f, 1.0f, 0.5f, 900.0f, -700.0f, 5.0f, 0.0f};
  const float mask[4] = {0.0f, 0.0f, 0.0f, -10000.0f};
  const int signs[12] = {1, -1, 1, 1, -1, -1, 1, -1, 1, 1, 1, 1};
  const float scales[2] = {2.0f / 127, 4.0f / 127}; // max |x| of real rows
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    ASSERT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
    for (int threads : {1, 2}) {
      ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
      std::vector<float> y(12, NAN), d(16, NAN);
      const void *in[] = {x, mask};
      void *out[] = {y.data(), d.data()};
      const size_t inBytes[] = {sizeof x, sizeof mask};
      const size_t outBytes[] = {y.size() * 4, d.size() * 4};
      ASSERT_EQ(bnrt_model_run(m, in, inBytes, out, outBytes, &err), BNRT_OK)
          << err.message;
      for (int row = 0; row < 4; ++row) {
        float s = scales[row / 2];
        int codes[4];
        for (int k = 0; k < 4; ++k) {
          float c = std::nearbyint(x[row * 4 + k] / s);
          codes[k] = int(std::fmax(-127.0f, std::fmin(127.0f, c)));
          EXPECT_EQ(d[row * 4 + k], s * float(codes[k])) << row << " " << k;
        }
        for (int n = 0; n < 3; ++n) {
          int dot = 0;
          for (int k = 0; k < 4; ++k)
            dot += codes[k] * signs[n * 4 + k];
          EXPECT_FLOAT_EQ(y[row * 3 + n], s * (0.5f * float(dot)))
              << bnrt_isa_name(isa) << " row " << row << " n " << n;
        }
      }
    }
  }
  bnrt_model_free(m);
}

} // namespace
