//===- bgemm.cpp - bit-plane GEMM: scalar reference and dispatch ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/bitpack.h"
#include "kernels/bgemm_impl.h"
#include "kernels/dispatch.h"

#include <algorithm>
#include <vector>

namespace bnrt {

void bgemmScalar(const bnrt_bgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                 int64_t n1) {
  int64_t words = bnrt_bitpack_row_words(a.k);
  std::vector<int32_t> dots(a.planes);
  for (int64_t m = m0; m < m1; ++m) {
    const int8_t *x = a.x + m * a.lda;
    for (int64_t n = n0; n < n1; ++n) {
      for (int32_t p = 0; p < a.planes; ++p) {
        const uint64_t *row = a.bits + (p * a.n + n) * words;
        int32_t dot = 0;
        for (int64_t k = 0; k < a.k; ++k)
          dot += x[k] * bnrt_bitpack_sign(row, k);
        dots[p] = dot;
      }
      a.y[m * a.ldy + n] = finishRow(a, n, dots.data());
    }
  }
}

namespace {

/// Bits [col, col + count) (count <= 32) of a packed row's +1 indicator
/// (the complement of its bits), clear at and past column k: the repacked
/// layouts take whole fields at once instead of bit by bit.
uint64_t plusBits(const uint64_t *row, int64_t k, int64_t col, int count) {
  if (col >= k)
    return 0;
  int64_t w = col / 64;
  int shift = static_cast<int>(col % 64);
  uint64_t v = ~row[w] >> shift;
  if (shift + count > 64 && w + 1 < bnrt_bitpack_row_words(k))
    v |= ~row[w + 1] << (64 - shift);
  int64_t valid = std::min<int64_t>(count, k - col);
  return v & ((uint64_t(1) << valid) - 1);
}

} // namespace

void maskPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
              uint64_t *masks) {
  int64_t words = bnrt_bitpack_row_words(k), blocks = maskBlocks(n),
          count = maskGroups(k);
  for (int32_t p = 0; p < planes; ++p)
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t c = 0; c < count; ++c) {
        uint64_t mask = 0;
        for (int i = 0; i < kMaskRows && b * kMaskRows + i < n; ++i) {
          const uint64_t *row = bits + (p * n + b * kMaskRows + i) * words;
          mask |= plusBits(row, k, 4 * c, 4) << (4 * i);
        }
        masks[(p * blocks + b) * count + c] = mask;
      }
}

void pairMaskPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                  uint64_t *pairs) {
  int64_t words = bnrt_bitpack_row_words(k), blocks = maskBlocks(n),
          chunks = pairChunks(k);
  for (int32_t p = 0; p < planes; ++p)
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t c = 0; c < chunks; ++c, pairs += 2) {
        pairs[0] = pairs[1] = 0;
        for (int i = 0; i < kMaskRows && b * kMaskRows + i < n; ++i) {
          const uint64_t *row = bits + (p * n + b * kMaskRows + i) * words;
          int bit = 16 * (i / 2) + 8 * (i % 2);
          pairs[bit / 64] |= plusBits(row, k, 8 * c, 8) << (bit % 64);
        }
      }
}

void nibblePairPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                    uint8_t *pairs) {
  int64_t words = bnrt_bitpack_row_words(k), blocks = maskBlocks(n),
          steps = maskGroups(k) / 2;
  for (int32_t p = 0; p < planes; ++p)
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t j = 0; j < steps; ++j)
        for (int r = 0; r < kMaskRows; ++r) {
          int64_t row = b * kMaskRows + r;
          *pairs++ = row < n ? static_cast<uint8_t>(plusBits(
                                   bits + (p * n + row) * words, k, 8 * j, 8))
                             : 0;
        }
}

void lookupPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                uint16_t *patterns) {
  int64_t words = bnrt_bitpack_row_words(k), tiles = lookupTiles(n),
          pairs = lookupPairs(k);
  for (int32_t p = 0; p < planes; ++p)
    for (int64_t t = 0; t < tiles; ++t)
      for (int64_t j = 0; j < pairs; ++j)
        for (int64_t i = 0; i < kLookupTileRowsN; ++i) {
          int64_t row = t * kLookupTileRowsN + i;
          *patterns++ = row < n ? static_cast<uint16_t>(plusBits(
                                      bits + (p * n + row) * words, k,
                                      2 * kLookupGroup * j, 2 * kLookupGroup))
                                : 0;
        }
}

void ternaryPack(const uint64_t *bits, int64_t n, int64_t k,
                 uint16_t *patterns) {
  int64_t words = bnrt_bitpack_row_words(k), tiles = lookupTiles(n),
          count = ternaryWords(k);
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t j = 0; j < count; ++j)
      for (int64_t i = 0; i < kLookupTileRowsN; ++i) {
        int64_t row = t * kLookupTileRowsN + i;
        uint16_t word = 0;
        if (row < n) {
          constexpr int kWordColumns = 3 * kTernaryGroup;
          uint64_t b1 =
              plusBits(bits + row * words, k, kWordColumns * j, kWordColumns);
          uint64_t b2 = plusBits(bits + (n + row) * words, k, kWordColumns * j,
                                 kWordColumns);
          for (int g = 0; g < 3; ++g) {
            int index = 0;
            for (int t3 = 2; t3 >= 0; --t3) {
              int c = 3 * g + t3;
              index = 3 * index + int(b1 >> c & 1) + int(b2 >> c & 1);
            }
            word |= uint16_t(index << (5 * g));
          }
        }
        *patterns++ = word;
      }
}

void nibblePack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                uint8_t *nibbles) {
  int64_t words = bnrt_bitpack_row_words(k), tiles = nibbleTiles(n),
          quads = nibbleQuads(k);
  for (int32_t p = 0; p < planes; ++p)
    for (int64_t t = 0; t < tiles; ++t)
      for (int64_t qd = 0; qd < quads; ++qd)
        for (int64_t i = 0; i < kNibbleTileRowsN; ++i) {
          int64_t row = t * kNibbleTileRowsN + i;
          uint64_t signs =
              row < n ? plusBits(bits + (p * n + row) * words, k, 16 * qd, 16)
                      : 0;
          for (int q = 0; q < 4; ++q)
            *nibbles++ = static_cast<uint8_t>(16 * q + (signs >> 4 * q & 15));
        }
}

} // namespace bnrt

extern "C" void bnrt_bgemm_a8(const bnrt_bgemm_args *args, bnrt_isa isa,
                              int64_t m_begin, int64_t m_end, int64_t n_begin,
                              int64_t n_end) {
  bnrt::BgemmFn fn = bnrt::isaKernels(isa).bgemm;
  if (m_begin < m_end && n_begin < n_end)
    fn(*args, m_begin, m_end, n_begin, n_end);
}

extern "C" int64_t bnrt_bgemm_packed_bytes(const bnrt_bgemm_args *args,
                                           bnrt_isa isa) {
  const bnrt_bgemm_args &a = *args;
  if (isa == BNRT_ISA_AVX2)
    return bnrt::maskBytes(a);
  // The mask (neondot) or pair (neoni8mm) layout, then the nibble pairs
  // for narrow codes; those alone on neon.
  int64_t lookup = bnrt::neonLookupLayout(a) ? bnrt::maskBytes(a) : 0;
  if (isa == BNRT_ISA_NEONDOT || isa == BNRT_ISA_NEONI8MM)
    return bnrt::maskBytes(a) + lookup;
  if (isa == BNRT_ISA_NEON)
    return lookup;
#if defined(__x86_64__)
  if (isa == BNRT_ISA_AVX512) {
    bnrt::Avx512Layouts layouts = bnrt::avx512Layouts(a);
    int64_t lookup = layouts.ternary
                         ? (bnrt::ternaryPatternWords(a.n, a.k) + 3) / 4 * 8
                     : layouts.nibbles  ? bnrt::nibbleBytes(a.n, a.k, a.planes)
                     : layouts.patterns ? bnrt::patternBytes(a)
                                        : 0;
    return bnrt::maskBytes(a) + lookup;
  }
#endif
  return 0;
}

extern "C" void bnrt_bgemm_pack(const bnrt_bgemm_args *args, bnrt_isa isa,
                                void *out) {
  const bnrt_bgemm_args &a = *args;
  if (isa == BNRT_ISA_AVX2 || isa == BNRT_ISA_AVX512 || isa == BNRT_ISA_NEONDOT)
    bnrt::maskPack(a.bits, a.n, a.k, a.planes, static_cast<uint64_t *>(out));
  if (isa == BNRT_ISA_NEONI8MM)
    bnrt::pairMaskPack(a.bits, a.n, a.k, a.planes,
                       static_cast<uint64_t *>(out));
  if ((isa == BNRT_ISA_NEON || isa == BNRT_ISA_NEONDOT ||
       isa == BNRT_ISA_NEONI8MM) &&
      bnrt::neonLookupLayout(a))
    bnrt::nibblePairPack(a.bits, a.n, a.k, a.planes,
                         static_cast<uint8_t *>(out) +
                             bnrt::nibblePairOffset(a, isa));
#if defined(__x86_64__)
  if (isa == BNRT_ISA_AVX512) {
    bnrt_bgemm_args at = a;
    at.packed = out;
    bnrt::Avx512Layouts layouts = bnrt::avx512Layouts(at);
    if (layouts.patterns)
      bnrt::lookupPack(a.bits, a.n, a.k, a.planes,
                       const_cast<uint16_t *>(bnrt::lookupPatterns(at)));
    if (layouts.ternary)
      bnrt::ternaryPack(a.bits, a.n, a.k,
                        const_cast<uint16_t *>(bnrt::ternaryPatterns(at)));
    if (layouts.nibbles)
      bnrt::nibblePack(a.bits, a.n, a.k, a.planes,
                       const_cast<uint8_t *>(bnrt::nibblePatterns(at)));
  }
#endif
}
