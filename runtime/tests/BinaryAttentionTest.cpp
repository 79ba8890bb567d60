//===- BinaryAttentionTest.cpp - AttentionBinary bundles ------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// AttentionBinary (BiT's fully binary attention) against the formula of
// docs/dialect.md computed here element by element: q, k, v binarized
// with signed codes, scores (alpha_q alpha_k) * dot in float, scaled and
// masked, the scalar softmax kernel, P binarized to codes 0 | 1, then
// (alpha_p alpha_v) * dot. The products are exact integers and softmax is
// the same bits on every path, so every ISA and thread count must give
// exactly these floats. Shapes: a head of 67 columns and 70 keys (both
// past one 64-bit word, so the bit transposition has partial blocks) and
// a small one (4 columns, 3 heads, 5 keys).
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "IsaPaths.h"
#include "bnrt.h"
#include "kernels/bit_transpose.h"
#include "kernels/vec_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace fb = bnrt::fb;

namespace {

struct Shape {
  int batch, seq, heads, d;
};

// alpha, beta of q, k, v (signed codes) and P (codes 0 | 1).
constexpr float kBinarizers[8] = {0.5f,  0.1f,  0.25f, -0.2f,
                                  0.75f, 0.05f, 0.02f, 0.005f};
constexpr float kScale = 0.125f;

std::vector<uint8_t> makeBundle(const Shape &s, bool masked) {
  using fb::DType, fb::Storage;
  bnrt_test::BundleBuilder bb;
  int64_t e = s.heads * s.d;
  std::vector<int32_t> in;
  for (const char *name : {"q", "k", "v"})
    in.push_back(bb.value(name, DType::F32, {s.batch, s.seq, e}, Storage::Input,
                          int64_t(in.size())));
  if (masked)
    in.push_back(
        bb.value("mask", DType::F32, {s.batch, s.seq}, Storage::Input, 3));
  int32_t y =
      bb.value("y", DType::F32, {s.batch, s.seq, e}, Storage::Output, 0);
  std::vector<float> z(kBinarizers, kBinarizers + 8);
  bb.op(fb::OpCode::AttentionBinary, in, {y}, fb::OpOptions::AttentionOptions,
        fb::CreateAttentionOptions(bb.b, s.heads, kScale, 0, 1.0f,
                                   bb.b.CreateVector(z))
            .Union());
  return bb.finish(in, {y}, 0);
}

int signedCode(float x, const float *z) {
  return (x - z[1]) / z[0] < 0.0f ? -1 : 1;
}

/// The formula, element by element.
std::vector<float> reference(const Shape &s, const std::vector<float> &q,
                             const std::vector<float> &k,
                             const std::vector<float> &v,
                             const std::vector<float> &mask) {
  int64_t e = s.heads * s.d;
  const float *qz = kBinarizers, *kz = kBinarizers + 2, *vz = kBinarizers + 4,
              *pz = kBinarizers + 6;
  std::vector<float> out(q.size()), p(s.seq);
  for (int b = 0; b < s.batch; ++b)
    for (int h = 0; h < s.heads; ++h)
      for (int i = 0; i < s.seq; ++i) {
        for (int j = 0; j < s.seq; ++j) {
          int dot = 0;
          for (int c = 0; c < s.d; ++c)
            dot += signedCode(q[(b * s.seq + i) * e + h * s.d + c], qz) *
                   signedCode(k[(b * s.seq + j) * e + h * s.d + c], kz);
          float score = (qz[0] * kz[0]) * float(dot);
          p[j] = kScale * score + (mask.empty() ? 0.0f : mask[b * s.seq + j]);
        }
        bnrt::vecKernels(BNRT_ISA_SCALAR).softmax(p.data(), s.seq);
        for (int c = 0; c < s.d; ++c) {
          int dot = 0;
          for (int j = 0; j < s.seq; ++j)
            if ((p[j] - pz[1]) / pz[0] > 0.5f)
              dot += signedCode(v[(b * s.seq + j) * e + h * s.d + c], vz);
          out[(b * s.seq + i) * e + h * s.d + c] = (pz[0] * vz[0]) * float(dot);
        }
      }
  return out;
}

void checkEveryPath(const Shape &s, bool masked) {
  std::vector<uint8_t> bytes = makeBundle(s, masked);
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  ASSERT_NE(m, nullptr) << err.message;
  size_t n = size_t(s.batch) * s.seq * s.heads * s.d;
  std::vector<float> q(n), k(n), v(n), mask;
  for (size_t i = 0; i < n; ++i) {
    q[i] = 0.1f + std::sin(0.7f * float(i));
    k[i] = -0.2f + std::sin(1.3f * float(i) + 1.0f);
    v[i] = 0.05f + std::cos(0.9f * float(i));
  }
  // The second sequence's last keys are padding; the first's mask also
  // raises some keys (their logit is then often the row's largest, so its
  // exps are not the table's) and lowers others.
  if (masked)
    for (int b = 0; b < s.batch; ++b)
      for (int j = 0; j < s.seq; ++j)
        mask.push_back(b == 1        ? (j >= s.seq - 10 ? -10000.0f : 0.0f)
                       : j % 7 == 3  ? 0.75f
                       : j % 11 == 5 ? -0.5f
                                     : 0.0f);
  std::vector<float> want = reference(s, q, k, v, mask);
  int nonzero = 0;
  for (float w : want)
    nonzero += w != 0.0f;
  ASSERT_GT(nonzero, int(n / 2)) << "P's threshold leaves too few bits set";
  for (bnrt_isa isa : bnrt_test::availableIsas(true)) {
    ASSERT_EQ(bnrt_model_set_isa(m, bnrt_isa_name(isa), &err), BNRT_OK);
    for (int threads : {1, 2}) {
      ASSERT_EQ(bnrt_model_set_threads(m, threads, &err), BNRT_OK);
      std::vector<float> y(n, NAN);
      const void *in[] = {q.data(), k.data(), v.data(), mask.data()};
      void *out[] = {y.data()};
      const size_t inBytes[] = {n * 4, n * 4, n * 4, mask.size() * 4};
      const size_t outBytes[] = {n * 4};
      ASSERT_EQ(bnrt_model_run(m, in, inBytes, out, outBytes, &err), BNRT_OK)
          << err.message;
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(y[i], want[i])
            << bnrt_isa_name(isa) << " threads " << threads << " element " << i;
    }
  }
  bnrt_model_free(m);
}

TEST(BinaryAttention, FormulaOnEveryPath) {
  checkEveryPath({2, 70, 2, 67}, true);
  checkEveryPath({2, 70, 2, 67}, false);
  checkEveryPath({1, 5, 3, 4}, false);
}

TEST(BinaryAttention, LoadRefusesBadBinarizers) {
  using fb::DType, fb::Storage;
  for (size_t count : {size_t(6), size_t(8)}) {
    bnrt_test::BundleBuilder bb;
    int32_t x = bb.value("x", DType::F32, {1, 3, 4}, Storage::Input, 0);
    int32_t y = bb.value("y", DType::F32, {1, 3, 4}, Storage::Output, 0);
    std::vector<float> z(kBinarizers, kBinarizers + count);
    if (count == 8)
      z[6] = 0.0f; // P's alpha
    bb.op(fb::OpCode::AttentionBinary, {x, x, x}, {y},
          fb::OpOptions::AttentionOptions,
          fb::CreateAttentionOptions(bb.b, 2, kScale, 0, 1.0f,
                                     bb.b.CreateVector(z))
              .Union());
    std::vector<uint8_t> bytes = bb.finish({x}, {y}, 0);
    bnrt_error err;
    bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
    EXPECT_EQ(m, nullptr);
    EXPECT_NE(std::string(err.message).find("binarizer"), std::string::npos)
        << err.message;
    bnrt_model_free(m);
  }
}

TEST(BinaryAttention, BitTransposeEqualsTheDefinition) {
  uint64_t a[64], t[64];
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (uint64_t &w : a) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    w = state ^ (state >> 29);
  }
  std::copy(a, a + 64, t);
  bnrt::transposeBits64(t);
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 64; ++c)
      ASSERT_EQ((t[c] >> r) & 1, (a[r] >> c) & 1) << r << " " << c;
}

} // namespace
