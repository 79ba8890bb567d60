// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Pins the packed weight layout (bnrt/bitpack.h) with known bytes, so a
// change of bit order shows up here and not as wrong model outputs.
#include "bnrt/bitpack.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

TEST(Bitpack, RowWords) {
  EXPECT_EQ(bnrt_bitpack_row_words(1), 1);
  EXPECT_EQ(bnrt_bitpack_row_words(64), 1);
  EXPECT_EQ(bnrt_bitpack_row_words(65), 2);
  EXPECT_EQ(bnrt_bitpack_row_words(768), 12);
}

TEST(Bitpack, KnownBits) {
  // -1 sets the bit, +1 clears it; element i is bit i % 64 of word i / 64.
  std::vector<int8_t> signs(70, 1);
  signs[0] = -1;
  signs[3] = -1;
  signs[63] = -1;
  signs[69] = -1;
  uint64_t words[2] = {~0ull, ~0ull};
  bnrt_bitpack_row(signs.data(), 70, words);
  EXPECT_EQ(words[0], (1ull << 0) | (1ull << 3) | (1ull << 63));
  EXPECT_EQ(words[1], 1ull << 5);
}

TEST(Bitpack, LastWordMask) {
  EXPECT_EQ(bnrt_bitpack_last_word_mask(64), ~0ull);
  EXPECT_EQ(bnrt_bitpack_last_word_mask(1), 1ull);
  EXPECT_EQ(bnrt_bitpack_last_word_mask(70), (1ull << 6) - 1);
}

TEST(Bitpack, RoundTripOddLengths) {
  std::mt19937 rng(7);
  for (int64_t k : {1, 7, 63, 64, 65, 127, 200, 768}) {
    std::vector<int8_t> signs(k);
    for (auto &s : signs)
      s = (rng() & 1) ? 1 : -1;
    std::vector<uint64_t> words(bnrt_bitpack_row_words(k));
    bnrt_bitpack_row(signs.data(), k, words.data());
    for (int64_t i = 0; i < k; ++i)
      ASSERT_EQ(bnrt_bitpack_sign(words.data(), i), signs[i]) << "k=" << k;
    // Padding stays zero so kernels may read whole words.
    EXPECT_EQ(words.back() & ~bnrt_bitpack_last_word_mask(k), 0u);
  }
}
