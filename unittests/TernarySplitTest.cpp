// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// TWS: the binarized halves must reproduce the ternary weight exactly in
// sign structure and to float rounding in value, and the latent halves must
// add up to the latent weight.
#include "bnbert/Quant/TernarySplit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace bnbert::quant;

namespace {
void checkSplit(const std::vector<float> &w, int64_t rows, int64_t cols,
                Granularity g) {
  SplitWeight s = splitTernary([&](int64_t i) { return w[i]; }, rows, cols, g);
  int64_t groupSize = g == Granularity::PerRow ? cols : rows * cols;
  for (size_t grp = 0; grp < s.ternary.scales.size(); ++grp) {
    double alpha = s.ternary.scales[grp];
    // Each half's own BWN scale is alpha / 2.
    EXPECT_NEAR(s.scales[0][grp], alpha / 2, 1e-6 * alpha) << grp;
    EXPECT_NEAR(s.scales[1][grp], alpha / 2, 1e-6 * alpha) << grp;
  }
  for (int64_t i = 0; i < rows * cols; ++i) {
    int64_t grp = i / groupSize;
    // b1 + b2 = 2 t: the split is the ternary weight, not an approximation
    // (an all-zero group has alpha = 0 and any signs).
    if (s.ternary.scales[grp] > 0)
      ASSERT_EQ(s.signs[0][i] + s.signs[1][i], 2 * s.ternary.values[i]) << i;
    double value =
        s.scales[0][grp] * s.signs[0][i] + s.scales[1][grp] * s.signs[1][i];
    double ternary = s.ternary.scales[grp] * s.ternary.values[i];
    ASSERT_NEAR(value, ternary, 1e-6 * s.ternary.scales[grp]) << i;
    // W1 + W2 = W up to rounding each half to float.
    double halves = std::fabs(s.latent[0][i]) + std::fabs(s.latent[1][i]);
    ASSERT_NEAR(s.latent[0][i] + s.latent[1][i], w[i], 1.2e-7 * halves) << i;
  }
}

std::vector<float> normalWeights(int64_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> w(size);
  for (float &v : w)
    v = normal(rng);
  return w;
}
} // namespace

TEST(TernarySplit, HandComputed) {
  // T = [0, -1, 0, 1], alpha = 0.7, n = 4, sum|W| = 1.55, |Z| = 2:
  // b = (2.8 - 1.55) / 4 = 0.3125; zeros: W1 = [0.4125, 0.3125],
  // W2 = [-0.3125, -0.3625]; a = (1.4 + 0.675 - 0.725) / 2.8 = 0.48214...
  std::vector<float> w = {0.1f, -0.5f, -0.05f, 0.9f};
  SplitWeight s = splitTernary([&](int64_t i) { return w[i]; }, 1, 4,
                               Granularity::PerTensor);
  EXPECT_NEAR(s.latent[0][0], 0.4125, 1e-6);
  EXPECT_NEAR(s.latent[1][0], -0.3125, 1e-6);
  EXPECT_NEAR(s.latent[0][2], 0.3125, 1e-6);
  EXPECT_NEAR(s.latent[1][2], -0.3625, 1e-6);
  double a = (1.4 + 0.675 - 0.725) / 2.8;
  EXPECT_NEAR(s.latent[0][1], a * -0.5, 1e-6);
  EXPECT_NEAR(s.latent[1][3], (1 - a) * 0.9, 1e-6);
  EXPECT_EQ(s.signs[0], (std::vector<int8_t>{1, -1, 1, 1}));
  EXPECT_EQ(s.signs[1], (std::vector<int8_t>{-1, -1, -1, 1}));
  EXPECT_NEAR(s.scales[0][0], 0.35, 1e-7);
  EXPECT_NEAR(s.scales[1][0], 0.35, 1e-7);
}

TEST(TernarySplit, RandomPerTensorAndPerRow) {
  std::vector<float> w = normalWeights(96 * 200, 3);
  checkSplit(w, 96, 200, Granularity::PerTensor);
  checkSplit(w, 96, 200, Granularity::PerRow);
  std::vector<float> odd = normalWeights(37 * 53, 4);
  checkSplit(odd, 37, 53, Granularity::PerRow);
}

TEST(TernarySplit, AllZeroRow) {
  std::vector<float> w = {0, 0, 0, 0.5f, -0.25f, 0.01f};
  checkSplit(w, 2, 3, Granularity::PerRow);
}
