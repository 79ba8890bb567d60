// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The TWN / BWN formulas on hand-computed cases and, on random tensors,
// against a direct transcription of the formulas.
#include "bnbert/Quant/WeightQuantizers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace bnbert::quant;

namespace {
WeightReader reader(const std::vector<float> &w) {
  return [&w](int64_t i) { return w[i]; };
}
} // namespace

TEST(Ternarize, HandComputedPerTensor) {
  // mean|W| = 1.55 / 4 = 0.3875, Delta = 0.27125: keeps -0.5 and 0.9.
  std::vector<float> w = {0.1f, -0.5f, 0.05f, 0.9f};
  QuantizedWeight q = ternarize(reader(w), 2, 2, Granularity::PerTensor);
  EXPECT_EQ(q.values, (std::vector<int8_t>{0, -1, 0, 1}));
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_FLOAT_EQ(q.scales[0], 0.7f);
}

TEST(Ternarize, HandComputedPerRow) {
  // Row 0: mean 0.3, Delta 0.21 keeps 0.4 -> alpha 0.4.
  // Row 1: mean 1.5, Delta 1.05 keeps -2 -> alpha 2.
  std::vector<float> w = {0.2f, 0.4f, -2.0f, 1.0f};
  QuantizedWeight q = ternarize(reader(w), 2, 2, Granularity::PerRow);
  EXPECT_EQ(q.values, (std::vector<int8_t>{0, 1, -1, 0}));
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_FLOAT_EQ(q.scales[0], 0.4f);
  EXPECT_FLOAT_EQ(q.scales[1], 2.0f);
}

TEST(Ternarize, AllZeroGivesZeroScale) {
  std::vector<float> w(6, 0.0f);
  QuantizedWeight q = ternarize(reader(w), 2, 3, Granularity::PerTensor);
  EXPECT_EQ(q.values, std::vector<int8_t>(6, 0));
  EXPECT_EQ(q.scales[0], 0.0f);
}

TEST(Binarize, HandComputed) {
  // Zero maps to +1 so every value is in {-1, +1}.
  std::vector<float> w = {0.0f, -0.5f, 0.25f, -1.25f};
  QuantizedWeight q = binarize(reader(w), 1, 4, Granularity::PerTensor);
  EXPECT_EQ(q.values, (std::vector<int8_t>{1, -1, 1, -1}));
  EXPECT_FLOAT_EQ(q.scales[0], 0.5f);
  QuantizedWeight rows = binarize(reader(w), 2, 2, Granularity::PerRow);
  EXPECT_FLOAT_EQ(rows.scales[0], 0.25f);
  EXPECT_FLOAT_EQ(rows.scales[1], 0.75f);
}

TEST(Quantizers, IdempotentOnQuantizedValues) {
  // A QAT export carries weights already in {-a, 0, a} / {-a, a}: quantizing
  // them again must give back the same values and scale.
  const float a = 0.0375f;
  std::vector<float> ternary = {a, 0, -a, 0, 0, a, -a, -a, 0, a, 0, 0};
  QuantizedWeight t = ternarize(reader(ternary), 3, 4, Granularity::PerTensor);
  for (size_t i = 0; i < ternary.size(); ++i)
    EXPECT_EQ(t.scales[0] * t.values[i], ternary[i]) << i;
  std::vector<float> binary = {a, -a, -a, a, a, a};
  QuantizedWeight b = binarize(reader(binary), 2, 3, Granularity::PerRow);
  for (size_t i = 0; i < binary.size(); ++i)
    EXPECT_EQ(b.scales[i / 3] * b.values[i], binary[i]) << i;
}

TEST(Quantizers, RandomAgainstDirectFormula) {
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  const int64_t rows = 37, cols = 53;
  std::vector<float> w(rows * cols);
  for (float &v : w)
    v = normal(rng);
  for (Granularity g : {Granularity::PerTensor, Granularity::PerRow}) {
    QuantizedWeight t = ternarize(reader(w), rows, cols, g);
    QuantizedWeight b = binarize(reader(w), rows, cols, g);
    int64_t groups = g == Granularity::PerRow ? rows : 1;
    int64_t size = rows * cols / groups;
    for (int64_t grp = 0; grp < groups; ++grp) {
      double mean = 0;
      for (int64_t i = 0; i < size; ++i)
        mean += std::abs(w[grp * size + i]);
      mean /= size;
      double delta = 0.7 * mean, kept = 0;
      int64_t count = 0;
      for (int64_t i = 0; i < size; ++i) {
        float v = w[grp * size + i];
        int expectT = std::abs(v) > delta ? (v > 0 ? 1 : -1) : 0;
        ASSERT_EQ(t.values[grp * size + i], expectT);
        ASSERT_EQ(b.values[grp * size + i], v < 0 ? -1 : 1);
        if (expectT) {
          kept += std::abs(v);
          ++count;
        }
      }
      EXPECT_NEAR(t.scales[grp], kept / count, 1e-9);
      EXPECT_NEAR(b.scales[grp], mean, 1e-9);
    }
  }
}

TEST(QuantizeInt8, HandComputedAndIdempotent) {
  // max|W| = 2.54 -> scale 0.02; 1.0 / 0.02 = 50, -0.01 / 0.02 = -0.5 -> 0
  // (half to even), 0.03 / 0.02 = 1.5 -> 2.
  std::vector<float> w = {2.54f, 1.0f, -0.01f, 0.03f};
  QuantizedWeight q = quantizeInt8(reader(w), 1, 4, Granularity::PerTensor);
  EXPECT_FLOAT_EQ(q.scales[0], 0.02f);
  EXPECT_EQ(q.values, (std::vector<int8_t>{127, 50, 0, 2}));
  // Re-quantizing the dequantized weight gives the same codes and scale.
  std::vector<float> back(4);
  for (int i = 0; i < 4; ++i)
    back[i] = q.scales[0] * q.values[i];
  QuantizedWeight again =
      quantizeInt8(reader(back), 1, 4, Granularity::PerTensor);
  EXPECT_EQ(again.values, q.values);
  EXPECT_EQ(again.scales, q.scales);
  // Per row; an all-zero row has scale 0 and zero codes.
  std::vector<float> rows = {0.5f, -1.0f, 0.0f, 0.0f};
  QuantizedWeight r = quantizeInt8(reader(rows), 2, 2, Granularity::PerRow);
  EXPECT_EQ(r.values, (std::vector<int8_t>{64, -127, 0, 0}));
  EXPECT_FLOAT_EQ(r.scales[0], 1.0f / 127);
  EXPECT_EQ(r.scales[1], 0.0f);
}

TEST(QuantizeInt8, RandomAgainstDirectFormula) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  const int64_t rows = 19, cols = 41;
  std::vector<float> w(rows * cols);
  for (float &v : w)
    v = normal(rng);
  for (Granularity g : {Granularity::PerTensor, Granularity::PerRow}) {
    QuantizedWeight q = quantizeInt8(reader(w), rows, cols, g);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t begin = g == Granularity::PerRow ? r * cols : 0;
      int64_t end = g == Granularity::PerRow ? (r + 1) * cols : rows * cols;
      float maxAbs = 0;
      for (int64_t i = begin; i < end; ++i)
        maxAbs = std::max(maxAbs, std::fabs(w[i]));
      float scale = q.scales[g == Granularity::PerRow ? r : 0];
      EXPECT_NEAR(scale, maxAbs / 127, 1e-9);
      for (int64_t i = r * cols; i < (r + 1) * cols; ++i) {
        // The code is the nearest integer to w / scale, and the error of
        // the dequantized value is at most half a step.
        EXPECT_LE(std::fabs(w[i] - scale * q.values[i]), scale / 2 + 1e-7);
        EXPECT_LE(std::abs(q.values[i]), 127);
      }
    }
  }
}
