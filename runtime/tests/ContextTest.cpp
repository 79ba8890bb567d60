//===- ContextTest.cpp - shape ranges and concurrent contexts -------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A ranged bundle built by hand (x [B, S, 4] with B in 1..3 and S in 1..6:
// a linear layer, a position table read as a prefix, a softmax, a
// [B*S, 3] reshape) runs at every shape of its range with the results of
// the formula; a corrupt range is refused at load; and many contexts of
// one model run at once from their own threads, each at its own shape,
// with the outputs of single-threaded runs (TSan in CI). With
// BNRT_CONTEXT_TEST_BUNDLE set, the concurrency test runs on that bundle
// too (test/Models/contexts.test: compiled BERTs, fixed and ranged).
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "bnrt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fb = bnrt::fb;

namespace {

constexpr int kMaxB = 3, kMaxS = 6, kK = 4, kN = 3;

/// The ranged bundle; `powers` may be overridden to corrupt the range.
std::vector<uint8_t> makeRangedBundle(std::vector<uint8_t> xPowers = {1, 0, 0,
                                                                      1, 0, 0},
                                      int64_t minS = 1) {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  bb.symbol("x[0]", 1, kMaxB);
  bb.symbol("x[1]", minS, kMaxS);
  float w[kN * kK], bias[kN] = {0.5f, -0.25f, 0}, pos[kMaxS * kN];
  for (int i = 0; i < kN * kK; ++i)
    w[i] = 0.1f * float((i * 7) % 5) - 0.2f;
  for (int i = 0; i < kMaxS * kN; ++i)
    pos[i] = 0.01f * float(i);
  int64_t wOff = bb.constant(w, sizeof w),
          bOff = bb.constant(bias, sizeof bias),
          pOff = bb.constant(pos, sizeof pos);
  const std::vector<uint8_t> bs = {1, 0, 0, 1, 0, 0}; // [B, S, fixed]
  int32_t x =
      bb.value("x", DType::F32, {kMaxB, kMaxS, kK}, Storage::Input, 0, xPowers);
  int32_t wv = bb.value("w", DType::F32, {kN, kK}, Storage::Constant, wOff);
  int32_t bv = bb.value("b", DType::F32, {kN}, Storage::Constant, bOff);
  int32_t pv = bb.value("pos", DType::F32, {1, kMaxS, kN}, Storage::Constant,
                        pOff, {0, 0, 0, 1, 0, 0});
  int64_t slot = (kMaxB * kMaxS * kN * 4 + 63) / 64 * 64;
  int32_t y =
      bb.value("y", DType::F32, {kMaxB, kMaxS, kN}, Storage::Arena, 0, bs);
  int32_t z =
      bb.value("z", DType::F32, {kMaxB, kMaxS, kN}, Storage::Arena, slot, bs);
  int32_t p =
      bb.value("p", DType::F32, {kMaxB, kMaxS, kN}, Storage::Arena, 0, bs);
  // [B*S, 3]: the first dimension is B^1 * S^1.
  int32_t out = bb.value("out", DType::F32, {kMaxB * kMaxS, kN},
                         Storage::Output, 0, {1, 1, 0, 0});
  bb.op(fb::OpCode::LinearF32, {x, wv, bv}, {y});
  bb.op(fb::OpCode::Add, {y, pv}, {z});
  bb.op(fb::OpCode::Softmax, {z}, {p}, fb::OpOptions::SoftmaxOptions,
        fb::CreateSoftmaxOptions(bb.b, 2).Union());
  bb.op(fb::OpCode::Copy, {p}, {out});
  return bb.finish({x}, {out}, 2 * slot);
}

/// softmax(x W^T + b + pos[s]) per row, the formula the bundle computes.
std::vector<float> expected(const std::vector<float> &x, int b, int s) {
  std::vector<float> out(b * s * kN);
  for (int r = 0; r < b * s; ++r) {
    float z[kN], mx = -INFINITY, sum = 0;
    for (int n = 0; n < kN; ++n) {
      z[n] = n == 0 ? 0.5f : n == 1 ? -0.25f : 0.0f;
      for (int k = 0; k < kK; ++k)
        z[n] += x[r * kK + k] * (0.1f * float(((n * kK + k) * 7) % 5) - 0.2f);
      z[n] += 0.01f * float((r % s) * kN + n);
      mx = std::max(mx, z[n]);
    }
    for (int n = 0; n < kN; ++n)
      sum += std::exp(z[n] - mx);
    for (int n = 0; n < kN; ++n)
      out[r * kN + n] = std::exp(z[n] - mx) / sum;
  }
  return out;
}

std::vector<float> inputFor(int b, int s, int seed) {
  std::vector<float> x(b * s * kK);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = 0.25f * float(int((i * 13 + seed * 5) % 9) - 4);
  return x;
}

TEST(Context, RangedBundleRunsEveryShape) {
  std::vector<uint8_t> bytes = makeRangedBundle();
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  int64_t mins[3], maxs[3];
  ASSERT_EQ(bnrt_model_input_range(m, 0, mins, maxs, 3), 3);
  EXPECT_EQ(mins[0], 1);
  EXPECT_EQ(maxs[1], kMaxS);
  EXPECT_EQ(mins[2], kK);
  EXPECT_EQ(maxs[2], kK);
  bnrt_context *ctx = bnrt_context_create(m, &err);
  ASSERT_NE(ctx, nullptr) << err.message;
  for (int b = 1; b <= kMaxB; ++b)
    for (int s = 1; s <= kMaxS; ++s) {
      int64_t dims[3] = {b, s, kK};
      const int64_t *shapes[] = {dims};
      int ranks[] = {3};
      ASSERT_EQ(bnrt_context_set_input_shapes(ctx, shapes, ranks, &err),
                BNRT_OK)
          << err.message;
      int64_t outDims[2];
      ASSERT_EQ(bnrt_context_output_shape(ctx, 0, outDims, 2), 2);
      EXPECT_EQ(outDims[0], b * s);
      std::vector<float> x = inputFor(b, s, 0), y(b * s * kN + 1, NAN);
      const void *in[] = {x.data()};
      void *out[] = {y.data()};
      size_t inBytes[] = {x.size() * 4}, outBytes[] = {(y.size() - 1) * 4};
      ASSERT_EQ(bnrt_context_run(ctx, in, inBytes, out, outBytes, &err),
                BNRT_OK)
          << err.message;
      std::vector<float> want = expected(x, b, s);
      for (size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(y[i], want[i], 1e-6) << b << "x" << s << " " << i;
      EXPECT_TRUE(std::isnan(y.back())) << "wrote past the shape";
      // A buffer sized for the shape before is refused after growing.
      if (s < kMaxS) {
        int64_t bigger[3] = {b, s + 1, kK};
        const int64_t *next[] = {bigger};
        ASSERT_EQ(bnrt_context_set_input_shapes(ctx, next, ranks, &err),
                  BNRT_OK);
        EXPECT_EQ(bnrt_context_run(ctx, in, inBytes, out, outBytes, &err),
                  BNRT_ERROR_ARGUMENT);
        EXPECT_NE(std::string(err.message).find("set the input shapes"),
                  std::string::npos)
            << err.message;
      }
    }
  int64_t wrong[3] = {2, kMaxS + 1, kK};
  const int64_t *shapes[] = {wrong};
  int ranks[] = {3};
  EXPECT_EQ(bnrt_context_set_input_shapes(ctx, shapes, ranks, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_STREQ(err.message,
               "input 'x' dimension 1 is 7, outside its range 1..6");
  int64_t fixedWrong[3] = {2, 3, kK + 1};
  shapes[0] = fixedWrong;
  EXPECT_EQ(bnrt_context_set_input_shapes(ctx, shapes, ranks, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_STREQ(err.message,
               "input 'x' dimension 2 is 5; the model is compiled for 4");
  ranks[0] = 2;
  EXPECT_EQ(bnrt_context_set_input_shapes(ctx, shapes, ranks, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_STREQ(err.message, "input 'x' needs rank 3, got 2");
  bnrt_context_free(ctx);
  bnrt_model_free(m);
}

TEST(Context, CorruptRangesAreRefused) {
  bnrt_error err;
  // A power vector of the wrong length; an input dimension that is
  // twice a symbol; a symbol whose range is empty.
  for (auto [bytes, why] :
       {std::pair{makeRangedBundle({1, 0, 0, 1}), "dimension powers"},
        std::pair{makeRangedBundle({1, 0, 1, 0, 0, 0}), "one shape range"},
        std::pair{makeRangedBundle({1, 0, 0, 1, 0, 0}, kMaxS + 1),
                  "shape range 'x[1]' is 7..6"}}) {
    bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
    EXPECT_EQ(m, nullptr);
    EXPECT_EQ(err.status, BNRT_ERROR_INVALID);
    EXPECT_NE(std::string(err.message).find(why), std::string::npos)
        << err.message;
    bnrt_model_free(m);
  }
}

/// One model, `threads` contexts on their own threads, each running
/// `runs` times at shapes that differ per thread and per run; every output
/// must equal a single-threaded run's at the same shape, bit for bit.
void runConcurrently(bnrt_model *m, int threads, int runs) {
  int numInputs = bnrt_model_num_inputs(m);
  int numOutputs = bnrt_model_num_outputs(m);
  struct Case {
    std::vector<std::vector<int64_t>> dims;
    std::vector<std::vector<uint8_t>> inputs, outputs;
  };
  // Shapes across each input's range (the same fraction for every input,
  // so inputs sized by one range agree), data varying with the case.
  std::vector<Case> cases(6);
  for (size_t c = 0; c < cases.size(); ++c) {
    for (int i = 0; i < numInputs; ++i) {
      int64_t mins[8], maxs[8];
      int rank = bnrt_model_input_range(m, i, mins, maxs, 8);
      ASSERT_GE(rank, 0);
      std::vector<int64_t> dims(rank);
      int64_t count = 1;
      for (int d = 0; d < rank; ++d) {
        dims[d] = mins[d] + (maxs[d] - mins[d]) * int64_t(c) / 5;
        count *= dims[d];
      }
      std::vector<uint8_t> data;
      bnrt_dtype dtype = bnrt_model_input_dtype(m, i);
      for (int64_t e = 0; e < count; ++e) {
        // Ids 0/1 are in every table; floats vary.
        int64_t v = int64_t((e * 7 + c * 3) % 5 == 0 ? 0 : 1);
        float f = 0.125f * float(int((e * 13 + c) % 17) - 8);
        size_t at = data.size();
        if (dtype == BNRT_DTYPE_I64) {
          data.resize(at + 8);
          std::memcpy(&data[at], &v, 8);
        } else if (dtype == BNRT_DTYPE_I32) {
          int32_t v32 = int32_t(v);
          data.resize(at + 4);
          std::memcpy(&data[at], &v32, 4);
        } else if (dtype == BNRT_DTYPE_F32) {
          data.resize(at + 4);
          std::memcpy(&data[at], &f, 4);
        } else {
          data.push_back(uint8_t(v));
        }
      }
      cases[c].dims.push_back(dims);
      cases[c].inputs.push_back(data);
    }
  }
  // Runs one case on `ctx`; its outputs in `outputs`.
  auto runCase = [&](bnrt_context *ctx, const Case &c,
                     std::vector<std::vector<uint8_t>> &outputs,
                     bnrt_error &err) {
    std::vector<const int64_t *> shapes;
    std::vector<int> ranks;
    std::vector<const void *> in;
    std::vector<size_t> inBytes;
    for (int i = 0; i < numInputs; ++i) {
      shapes.push_back(c.dims[i].data());
      ranks.push_back(int(c.dims[i].size()));
      in.push_back(c.inputs[i].data());
      inBytes.push_back(c.inputs[i].size());
    }
    if (bnrt_context_set_input_shapes(ctx, shapes.data(), ranks.data(), &err) !=
        BNRT_OK)
      return false;
    outputs.assign(numOutputs, {});
    std::vector<void *> out;
    std::vector<size_t> outBytes;
    for (int o = 0; o < numOutputs; ++o) {
      int64_t dims[8];
      int rank = bnrt_context_output_shape(ctx, o, dims, 8);
      int64_t bytes = bnrt_model_output_dtype(m, o) == BNRT_DTYPE_I8 ? 1 : 4;
      bytes *= bnrt_model_output_dtype(m, o) == BNRT_DTYPE_I64 ? 2 : 1;
      for (int d = 0; d < rank; ++d)
        bytes *= dims[d];
      outputs[o].assign(bytes, 0);
      out.push_back(outputs[o].data());
      outBytes.push_back(outputs[o].size());
    }
    return bnrt_context_run(ctx, in.data(), inBytes.data(), out.data(),
                            outBytes.data(), &err) == BNRT_OK;
  };
  bnrt_error err;
  bnrt_context *single = bnrt_context_create(m, &err);
  ASSERT_NE(single, nullptr) << err.message;
  for (Case &c : cases)
    ASSERT_TRUE(runCase(single, c, c.outputs, err)) << err.message;
  bnrt_context_free(single);

  std::atomic<int> failures{0}, mismatches{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      bnrt_error e;
      bnrt_context *ctx = bnrt_context_create(m, &e);
      // Every other context splits its ops over two threads of its own.
      if (!ctx || bnrt_context_set_threads(ctx, 1 + t % 2, &e) != BNRT_OK) {
        ++failures;
        return;
      }
      for (int r = 0; r < runs; ++r) {
        const Case &c = cases[(t + r * 5) % cases.size()];
        std::vector<std::vector<uint8_t>> outputs;
        if (!runCase(ctx, c, outputs, e))
          ++failures;
        else if (outputs != c.outputs)
          ++mismatches;
      }
      bnrt_context_free(ctx);
    });
  for (std::thread &th : pool)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Context, ContextsOfOneModelRunConcurrently) {
  std::vector<uint8_t> bytes = makeRangedBundle();
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  runConcurrently(m, 4, 400);
  bnrt_model_free(m);
}

TEST(Context, ContextsOfACompiledModelRunConcurrently) {
  const char *path = std::getenv("BNRT_CONTEXT_TEST_BUNDLE");
  if (!path)
    GTEST_SKIP() << "set BNRT_CONTEXT_TEST_BUNDLE to a compiled bundle";
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_file(path, &err);
  ASSERT_NE(m, nullptr) << err.message;
  runConcurrently(m, 4, 6);
  bnrt_model_free(m);
}

} // namespace
