//===- SequenceScalesTest.cpp - per-sequence dynamic activation scales ----===//
//
// x [2, 2, 4] (2 sequences of 2 tokens), mask [2, 2] (the second sequence's
// second token is padding, with huge values) -> Quantize with one scale per
// sequence over its real tokens -> LinearBits on the codes, and Dequantize.
// Each sequence's results must use its own scale, never the padding's.
//
//===----------------------------------------------------------------------===//
#include "IsaPaths.h"
#include "bnrt.h"
#include "bnrt/bitpack.h"
#include "bnrt/bundle_generated.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace fb = bnrt::fb;

namespace {

const char *host() {
#if defined(__aarch64__)
  return "aarch64";
#else
  return "x86_64";
#endif
}

std::vector<uint8_t> makeBundle() {
  flatbuffers::FlatBufferBuilder b;
  std::vector<uint8_t> data(64);
  int8_t signs[12] = {1, -1, 1, 1, -1, -1, 1, -1, 1, 1, 1, 1};
  uint64_t bits[3];
  for (int r = 0; r < 3; ++r)
    bnrt_bitpack_row(signs + 4 * r, 4, bits + r);
  float alpha = 0.5f;
  std::memcpy(data.data(), bits, sizeof bits);
  std::memcpy(data.data() + 32, &alpha, sizeof alpha);
  std::vector<flatbuffers::Offset<fb::Value>> values;
  auto value = [&](const char *name, fb::DType t, std::vector<int64_t> shape,
                   fb::Storage s, int64_t off) {
    values.push_back(fb::CreateValue(b, b.CreateString(name), t,
                                     b.CreateVector(shape), s, off));
    return static_cast<int32_t>(values.size() - 1);
  };
  int32_t x = value("x", fb::DType::F32, {2, 2, 4}, fb::Storage::Input, 0);
  int32_t mask = value("mask", fb::DType::F32, {2, 2}, fb::Storage::Input, 1);
  int32_t q = value("q", fb::DType::I8, {2, 2, 4}, fb::Storage::Arena, 0);
  int32_t s = value("s", fb::DType::F32, {2}, fb::Storage::Arena, 64);
  int32_t w =
      value("bits", fb::DType::I64, {1, 3, 1}, fb::Storage::Constant, 0);
  int32_t a = value("alpha", fb::DType::F32, {1, 1}, fb::Storage::Constant, 32);
  int32_t y = value("y", fb::DType::F32, {2, 2, 3}, fb::Storage::Output, 0);
  int32_t d = value("d", fb::DType::F32, {2, 2, 4}, fb::Storage::Output, 1);
  std::vector<flatbuffers::Offset<fb::Op>> ops;
  auto op = [&](fb::OpCode code, std::vector<int32_t> in,
                std::vector<int32_t> res, std::vector<int64_t> ints) {
    ops.push_back(fb::CreateOp(
        b, code, b.CreateString("op"), b.CreateVector(in), b.CreateVector(res),
        b.CreateVector(ints), b.CreateVector(std::vector<float>{})));
  };
  op(fb::OpCode::Quantize, {x, mask}, {q, s}, {8});
  op(fb::OpCode::LinearBits, {q, s, w, a}, {y}, {1, 0});
  op(fb::OpCode::Dequantize, {q, s}, {d}, {});
  b.ForceVectorAlignment(data.size(), 1, 32);
  auto dataV = b.CreateVector(data);
  std::vector<int32_t> inputs = {x, mask}, outputs = {y, d};
  auto bundle = fb::CreateBundle(b, 1, BNRT_BITPACK_LAYOUT_VERSION,
                                 b.CreateString(host()), b.CreateVector(values),
                                 b.CreateVector(ops), b.CreateVector(inputs),
                                 b.CreateVector(outputs), 128, dataV);
  fb::FinishSizePrefixedBundleBuffer(b, bundle);
  return std::vector<uint8_t>(b.GetBufferPointer(),
                              b.GetBufferPointer() + b.GetSize());
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
      ASSERT_EQ(bnrt_model_run(m, in, out, &err), BNRT_OK) << err.message;
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
