//===- RandomFloats.h - normally distributed test inputs --------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_TESTS_RANDOMFLOATS_H
#define BNRT_TESTS_RANDOMFLOATS_H

#include <cstdint>
#include <random>
#include <vector>

namespace bnrt_test {

/// n floats from N(0, spread^2), the same for the same seed.
inline std::vector<float> randomFloats(int64_t n, float spread, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, spread);
  std::vector<float> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

} // namespace bnrt_test

#endif // BNRT_TESTS_RANDOMFLOATS_H
