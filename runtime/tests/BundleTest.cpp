//===- BundleTest.cpp - the bundle loader and the C API -------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Builds a small bundle with the flatbuffers builder (a linear layer, a
// quantize/bit-plane GEMM, a softmax), runs it, then corrupts it: every
// truncation and a flipped byte at every position must either be rejected
// with a message or still load and run, never crash (ASan/UBSan in CI).
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "bnrt.h"
#include "bnrt/aot.h"
#include "bnrt/checksum.h"
#include "bnrt/sgemm_panels.h"
#include "crc32c.h"
#include "model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fb = bnrt::fb;

namespace {

struct Spec {
  std::string target = bnrt::fb::hostTarget();
  uint32_t version = fb::kBundleFormatVersion;
  size_t dataOffset = 0;  // past a 64-byte line
  int64_t bitsShift = 0;  // moves the packed weights' offset
  int64_t arenaShift = 0; // moves q's arena offset
};

/// x [2, 3] -> y = x W^T + b [2, 4] -> q, s = quantize(y, 8 bit)
/// -> z = bits GEMM(q, B [5, 4]) [2, 5] -> softmax -> output.
std::vector<uint8_t> makeBundle(const Spec &spec = {}) {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  float w[12] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
  float bias[4] = {0.5f, -0.5f, 0, 1};
  int8_t signs[20] = {1, -1, 1,  -1, -1, -1, 1, 1,  1,  1,
                      1, 1,  -1, 1,  -1, 1,  1, -1, -1, 1};
  uint64_t bits[5];
  for (int r = 0; r < 5; ++r)
    bnrt_bitpack_row(signs + 4 * r, 4, bits + r);
  float alpha[1] = {0.25f};
  int64_t wOff = bb.constant(w, sizeof w),
          bOff = bb.constant(bias, sizeof bias);
  int64_t bitsOff = bb.constant(bits, sizeof bits),
          aOff = bb.constant(alpha, sizeof alpha);
  int32_t x = bb.value("x", DType::F32, {2, 3}, Storage::Input, 0);
  int32_t wv = bb.value("w", DType::F32, {4, 3}, Storage::Constant, wOff);
  int32_t bv = bb.value("b", DType::F32, {4}, Storage::Constant, bOff);
  int32_t y = bb.value("y", DType::F32, {2, 4}, Storage::Arena, 0);
  int32_t q =
      bb.value("q", DType::I8, {2, 4}, Storage::Arena, 64 + spec.arenaShift);
  int32_t s = bb.value("s", DType::F32, {}, Storage::Arena, 128);
  int32_t bitsV = bb.value("bits", DType::I64, {1, 5, 1}, Storage::Constant,
                           bitsOff + spec.bitsShift);
  int32_t al = bb.value("alpha", DType::F32, {1, 1}, Storage::Constant, aOff);
  int32_t z = bb.value("z", DType::F32, {2, 5}, Storage::Arena, 192);
  int32_t out = bb.value("out", DType::F32, {2, 5}, Storage::Output, 0);
  bb.op(fb::OpCode::LinearF32, {x, wv, bv}, {y});
  bb.op(fb::OpCode::Quantize, {y}, {q, s}, fb::OpOptions::QuantizeOptions,
        fb::CreateQuantizeOptions(bb.b, 8).Union());
  bb.op(fb::OpCode::LinearBits, {q, s, bitsV, al}, {z},
        fb::OpOptions::LinearBitsOptions,
        fb::CreateLinearBitsOptions(bb.b, 8).Union());
  bb.op(fb::OpCode::Softmax, {z}, {out}, fb::OpOptions::SoftmaxOptions,
        fb::CreateSoftmaxOptions(bb.b, 1).Union());
  return bb.finish({x}, {out}, 256, spec.target, spec.version, spec.dataOffset);
}

const float kInput[6] = {0.5f, -1.0f, 2.0f, 1.5f, 0.0f, -0.25f};
const size_t kInputBytes[] = {sizeof kInput};
const size_t kOutputBytes[] = {10 * sizeof(float)};

/// Loads and runs `bytes`; returns the load status (runs when it loads).
bnrt_status loadAndRun(const std::vector<uint8_t> &bytes, std::string *msg,
                       std::vector<float> *result = nullptr) {
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  if (!m) {
    if (msg)
      *msg = err.message;
    return err.status;
  }
  std::vector<float> y(10, NAN);
  const void *in[] = {kInput};
  void *out[] = {y.data()};
  bnrt_model_run(m, in, kInputBytes, out, kOutputBytes, &err);
  if (result)
    *result = y;
  bnrt_model_free(m);
  return BNRT_OK;
}

TEST(Bundle, LoadsQueriesAndRuns) {
  std::vector<uint8_t> bytes = makeBundle();
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  EXPECT_EQ(bnrt_model_num_inputs(m), 1);
  EXPECT_STREQ(bnrt_model_input_name(m, 0), "x");
  EXPECT_STREQ(bnrt_model_output_name(m, 0), "out");
  int64_t dims[4] = {-7, -7, -7, -7};
  EXPECT_EQ(bnrt_model_output_shape(m, 0, dims, 1), 2); // too small: no write
  EXPECT_EQ(dims[0], -7);
  ASSERT_EQ(bnrt_model_output_shape(m, 0, dims, 4), 2);
  EXPECT_EQ(dims[1], 5);
  EXPECT_EQ(bnrt_model_input_name(m, 1), nullptr);
  EXPECT_EQ(bnrt_model_input_dtype(m, 1), BNRT_DTYPE_INVALID);

  // Reference: y = x W^T + b, 8-bit quantize with max|y|, z = alpha * x_s *
  // (q . B_n), softmax over the last axis.
  float w[12] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
  float bias[4] = {0.5f, -0.5f, 0, 1};
  int signs[20] = {1, -1, 1,  -1, -1, -1, 1, 1,  1,  1,
                   1, 1,  -1, 1,  -1, 1,  1, -1, -1, 1};
  std::vector<float> expected(10);
  float act[2][4], mx = 0; // the activation scale is per tensor
  for (int r = 0; r < 2; ++r)
    for (int n = 0; n < 4; ++n) {
      act[r][n] = bias[n];
      for (int k = 0; k < 3; ++k)
        act[r][n] += kInput[r * 3 + k] * w[n * 3 + k];
      mx = std::max(mx, std::fabs(act[r][n]));
    }
  float scale = mx / 127;
  for (int r = 0; r < 2; ++r) {
    float z[5], zmax = -INFINITY, sum = 0;
    for (int n = 0; n < 5; ++n) {
      int dot = 0;
      for (int k = 0; k < 4; ++k)
        dot += int(std::nearbyint(act[r][k] / scale)) * signs[n * 4 + k];
      z[n] = scale * (0.25f * dot);
      zmax = std::max(zmax, z[n]);
    }
    for (int n = 0; n < 5; ++n)
      sum += std::exp(z[n] - zmax);
    for (int n = 0; n < 5; ++n)
      expected[r * 5 + n] = std::exp(z[n] - zmax) / sum;
  }
  for (const char *isa :
       {"scalar", "avx2", "avx512", "neon", "neondot", "neoni8mm"}) {
    if (bnrt_model_set_isa(m, isa, &err) != BNRT_OK)
      continue;
    for (int threads : {1, 2}) {
      ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
      std::vector<float> y(10, NAN);
      const void *in[] = {kInput};
      void *out[] = {y.data()};
      ASSERT_EQ(bnrt_model_run(m, in, kInputBytes, out, kOutputBytes, &err),
                BNRT_OK)
          << err.message;
      for (int i = 0; i < 10; ++i)
        EXPECT_NEAR(y[i], expected[i], 1e-5) << isa << " " << i;
    }
  }
  const void *nullIn[] = {nullptr};
  std::vector<float> y(10);
  void *out[] = {y.data()};
  EXPECT_EQ(bnrt_model_run(m, nullIn, kInputBytes, out, kOutputBytes, &err),
            BNRT_ERROR_ARGUMENT);
  // Buffers smaller than their shapes are refused, naming them.
  const void *in[] = {kInput};
  const size_t shortInput[] = {sizeof(float) * 5};
  EXPECT_EQ(bnrt_model_run(m, in, shortInput, out, kOutputBytes, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_NE(std::string(err.message)
                .find("input 0 'x' has 20 bytes; its "
                      "shape needs 24"),
            std::string::npos)
      << err.message;
  const size_t shortOutput[] = {sizeof(float) * 9};
  EXPECT_EQ(bnrt_model_run(m, in, kInputBytes, out, shortOutput, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_NE(std::string(err.message).find("output 0 'out' has 36 bytes"),
            std::string::npos)
      << err.message;
  EXPECT_EQ(bnrt_model_run(m, in, nullptr, out, kOutputBytes, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_model_set_isa(m, "sse9", &err), BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_model_set_threads(m, 0, &err), BNRT_ERROR_ARGUMENT);
  // A hostile thread count is refused before any thread starts.
  EXPECT_EQ(bnrt_model_set_threads(m, 100000, &err), BNRT_ERROR_ARGUMENT);
  EXPECT_NE(std::string(err.message).find("at most 256"), std::string::npos)
      << err.message;
  EXPECT_EQ(bnrt_model_set_threads(m, 257, &err), BNRT_ERROR_ARGUMENT);
  bnrt_model_free(m);
}

TEST(Bundle, RejectsOtherTargetsAndVersions) {
  std::string msg;
  Spec other;
  other.target =
      std::string(bnrt::fb::hostTarget()) == "x86_64" ? "aarch64" : "x86_64";
  EXPECT_EQ(loadAndRun(makeBundle(other), &msg), BNRT_ERROR_UNSUPPORTED);
  EXPECT_NE(msg.find("compiled for '" + other.target + "'"), std::string::npos)
      << msg;
  Spec version;
  version.version = 99;
  EXPECT_EQ(loadAndRun(makeBundle(version), &msg), BNRT_ERROR_UNSUPPORTED);
  EXPECT_NE(msg.find("format version 99"), std::string::npos) << msg;
  bnrt_error err;
  EXPECT_EQ(bnrt_model_load_file("/nonexistent/model.bnb", &err), nullptr);
  EXPECT_EQ(err.status, BNRT_ERROR_IO);
}

/// y = x W^T + b for x [3, 70], W [130, 70] (two panels of 64 rows and a
/// tail of 2), W stored as rows (no options, in a format-4 bundle) or in
/// the panel layout (weight_panels, format 5); y from `isa`.
std::vector<float> runLinearF32(bool panels, bnrt_isa isa) {
  using fb::DType, fb::Storage;
  constexpr int64_t kM = 3, kN = 130, kK = 70;
  std::vector<float> x(kM * kK), w(kN * kK), bias(kN), stored(kN * kK);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.7 * i);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = std::cos(0.3 * i) * std::ldexp(1.0, int(i % 9) - 4);
  for (size_t i = 0; i < bias.size(); ++i)
    bias[i] = 0.01f * i;
  if (panels)
    bnrt::sgemm_panels::pack(w.data(), kN, kK, stored.data());
  else
    stored = w;
  bnrt_test::BundleBuilder bb;
  int64_t wOff = bb.constant(stored.data(), stored.size() * 4),
          bOff = bb.constant(bias.data(), bias.size() * 4);
  int32_t xv = bb.value("x", DType::F32, {kM, kK}, Storage::Input, 0);
  int32_t wv = bb.value("w", DType::F32, {kN, kK}, Storage::Constant, wOff);
  int32_t bv = bb.value("b", DType::F32, {kN}, Storage::Constant, bOff);
  int32_t yv = bb.value("y", DType::F32, {kM, kN}, Storage::Output, 0);
  if (panels)
    bb.op(fb::OpCode::LinearF32, {xv, wv, bv}, {yv},
          fb::OpOptions::LinearF32Options,
          fb::CreateLinearF32Options(bb.b, true).Union());
  else
    bb.op(fb::OpCode::LinearF32, {xv, wv, bv}, {yv});
  // Rows as a format-4 bundle (before the layout existed) carries them.
  std::vector<uint8_t> bytes = bb.finish({xv}, {yv}, 0, fb::hostTarget(),
                                         panels ? fb::kBundleFormatVersion : 4);
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  EXPECT_NE(m, nullptr) << err.message;
  std::vector<float> y(kM * kN, NAN);
  if (!m)
    return y;
  EXPECT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK)
      << err.message;
  const void *in[] = {x.data()};
  void *out[] = {y.data()};
  const size_t inBytes[] = {x.size() * 4}, outBytes[] = {y.size() * 4};
  EXPECT_EQ(bnrt_model_run(m, in, inBytes, out, outBytes, &err), BNRT_OK)
      << err.message;
  bnrt_model_free(m);
  return y;
}

TEST(Bundle, LinearF32ReadsItsWeightAsRowsOrPanels) {
  std::vector<float> reference = runLinearF32(false, BNRT_ISA_SCALAR);
  for (float v : reference)
    ASSERT_TRUE(std::isfinite(v)); // it ran
  for (bnrt_isa isa : bnrt_test::availableIsas(true))
    for (bool panels : {false, true}) {
      std::vector<float> y = runLinearF32(panels, isa);
      EXPECT_EQ(0, std::memcmp(y.data(), reference.data(), y.size() * 4))
          << bnrt_isa_name(isa) << (panels ? " panels" : " rows");
    }
}

TEST(Bundle, EveryTruncationIsRejected) {
  std::vector<uint8_t> bytes = makeBundle();
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    std::string msg;
    EXPECT_NE(loadAndRun(cut, &msg), BNRT_OK) << "length " << n;
    EXPECT_FALSE(msg.empty());
  }
}

TEST(Bundle, EveryFlippedByteIsDetected) {
  // Data, metadata, the trailer: the checksum catches any single-byte
  // change before the loader reads anything else.
  std::vector<uint8_t> bytes = makeBundle();
  for (size_t i = 0; i < bytes.size(); ++i)
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= mask;
      std::string msg;
      ASSERT_NE(loadAndRun(bad, &msg), BNRT_OK) << "byte " << i;
      EXPECT_FALSE(msg.empty());
    }
}

TEST(Bundle, ChecksumMatchesAcrossImplementations) {
  // The loader's CRC instructions and the writer's tables agree, on every
  // length and alignment around the 8-byte steps; "123456789" is the
  // standard CRC32C check value.
  EXPECT_EQ(bnrt::checksum::crc32cPortable("123456789", 9), 0xE3069283u);
  EXPECT_EQ(bnrt::crc32c("123456789", 9), 0xE3069283u);
  std::vector<uint8_t> data(100);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t begin = 0; begin < 9; ++begin)
    for (size_t n = 0; begin + n <= data.size(); n += 7)
      EXPECT_EQ(bnrt::crc32c(data.data() + begin, n),
                bnrt::checksum::crc32cPortable(data.data() + begin, n));
}

TEST(Bundle, OldBundlesWithoutChecksumAreNamed) {
  std::vector<uint8_t> bytes = makeBundle();
  bytes.resize(bytes.size() - bnrt::checksum::kTrailerBytes);
  std::string msg;
  EXPECT_EQ(loadAndRun(bytes, &msg), BNRT_ERROR_UNSUPPORTED);
  EXPECT_NE(msg.find("no checksum"), std::string::npos) << msg;
}

} // namespace

TEST(Bundle, NullModelIsAnArgumentError) {
  bnrt_error err;
  EXPECT_EQ(bnrt_model_num_inputs(nullptr), -1);
  EXPECT_EQ(bnrt_model_input_name(nullptr, 0), nullptr);
  EXPECT_EQ(bnrt_model_output_dtype(nullptr, 0), BNRT_DTYPE_INVALID);
  EXPECT_EQ(bnrt_model_input_shape(nullptr, 0, nullptr, 0), -1);
  EXPECT_EQ(bnrt_model_isa(nullptr), nullptr);
  EXPECT_EQ(bnrt_model_num_ops(nullptr), -1);
  EXPECT_EQ(bnrt_model_op_kind(nullptr, 0), nullptr);
  bnrt_context_set_profiling(nullptr, 1);
  EXPECT_EQ(bnrt_context_create(nullptr, &err), nullptr);
  EXPECT_EQ(bnrt_model_context(nullptr, &err), nullptr);
  EXPECT_EQ(bnrt_context_run(nullptr, nullptr, nullptr, nullptr, nullptr, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_context_output_shape(nullptr, 0, nullptr, 0), -1);
  EXPECT_EQ(bnrt_model_input_range(nullptr, 0, nullptr, nullptr, 0), -1);
  EXPECT_EQ(bnrt_model_set_threads(nullptr, 2, &err), BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_model_set_isa(nullptr, "scalar", &err), BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_model_run(nullptr, nullptr, nullptr, nullptr, nullptr, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_STREQ(err.message, "NULL model");
  EXPECT_EQ(bnrt_model_load_file(nullptr, &err), nullptr);
  EXPECT_EQ(err.status, BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_model_load_aot(nullptr, &err), nullptr);
  EXPECT_EQ(err.status, BNRT_ERROR_ARGUMENT);
}

// Found by bnrt-fuzz-bundle: a compiled bundle whose flipped bytes moved a
// shape vector to a 4-byte boundary. flatbuffers' verifier accepts it; the
// loader refuses it instead of reading int64s misaligned (UBSan).
TEST(Bundle, MisalignedVectorsAreRefused) {
  if (std::string(bnrt::fb::hostTarget()) != "x86_64")
    GTEST_SKIP() << "the crash input is an x86_64 bundle (other targets "
                    "refuse it for its target first)";
  std::ifstream file(BNRT_TEST_DATA_DIR "/misaligned-shape.body",
                     std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  auto trailer = bnrt::checksum::trailerFor(bytes.data(), bytes.size());
  bytes.insert(bytes.end(), trailer.begin(), trailer.end());
  bnrt_error err;
  EXPECT_EQ(bnrt_model_load_memory(bytes.data(), bytes.size(), &err), nullptr);
  EXPECT_EQ(err.status, BNRT_ERROR_INVALID);
  EXPECT_NE(std::string(err.message).find("misaligned"), std::string::npos)
      << err.message;
}

// Found by bnrt-fuzz-bundle: a constant's offset moved to a 4-byte
// boundary, and the bit GEMM read its packed words misaligned (UBSan).
TEST(Bundle, MisalignedOffsetsAreRefused) {
  for (Spec spec : {Spec{.bitsShift = 4}, Spec{.arenaShift = 4}}) {
    std::string msg;
    EXPECT_EQ(loadAndRun(makeBundle(spec), &msg), BNRT_ERROR_INVALID);
    EXPECT_NE(msg.find("not a multiple of 8"), std::string::npos) << msg;
  }
  EXPECT_EQ(loadAndRun(makeBundle({.arenaShift = 8}), nullptr), BNRT_OK);
}

// Bundles written with the data 32 bytes past a line (flatbuffers' largest
// force_align) are moved on load so every constant starts on a 64-byte line,
// as the kernels' 512-bit loads want; the bytes keep their meaning.
TEST(Bundle, ConstantsStartOnACacheLine) {
  std::vector<float> expected;
  for (size_t offset : {0, 32}) {
    std::vector<uint8_t> bytes = makeBundle({.dataOffset = offset});
    auto *body = fb::GetSizePrefixedBundle(bytes.data());
    ASSERT_EQ((body->data()->data() - bytes.data()) % 64, offset);
    bnrt_error err;
    bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
    ASSERT_NE(m, nullptr) << err.message;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(m->bundle->data()->data()) % 64, 0u)
        << "data " << offset << " bytes past a line";
    bnrt_model_free(m);
    std::vector<float> y;
    ASSERT_EQ(loadAndRun(bytes, nullptr, &y), BNRT_OK);
    if (expected.empty())
      expected = y;
    EXPECT_EQ(y, expected);
  }
}

TEST(Bundle, DirectoryIsAnIoError) {
  bnrt_error err;
  EXPECT_EQ(bnrt_model_load_file("/", &err), nullptr);
  EXPECT_EQ(err.status, BNRT_ERROR_IO);
  EXPECT_NE(std::string(err.message).find("cannot"), std::string::npos)
      << err.message;
}
