//===- bgemm_impl.h - per-ISA bit-plane GEMM entry points -------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every path computes each plane's dot product sum_k x[m,k] * B_p[n,k]
// exactly in int32, then applies the same float epilogue (finishRow), so
// all ISAs produce bit-identical outputs and tests compare them exactly.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_IMPL_H
#define BNRT_SRC_BGEMM_IMPL_H

#include "bnrt/bitpack.h"
#include "bnrt/kernels.h"
#include "kernels/cpu.h"

#include <cstdlib>

namespace bnrt {

using BgemmFn = void (*)(const bnrt_bgemm_args &, int64_t m0, int64_t m1,
                         int64_t n0, int64_t n1);

void bgemmScalar(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
#if defined(__x86_64__)
void bgemmAvx2(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmLutAvx2(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmAvx512(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmLutAvx512(const bnrt_bgemm_args &, int64_t, int64_t, int64_t,
                    int64_t);
/// The AVX-512 lookup kernel for two planes sharing their scale.
void bgemmLut3Avx512(const bnrt_bgemm_args &, int64_t, int64_t, int64_t,
                     int64_t);
/// The AVX-512 VBMI lookup kernel for codes of at most 4 bits.
void bgemmLut4Avx512(const bnrt_bgemm_args &, int64_t, int64_t, int64_t,
                     int64_t);
#endif
#if defined(__aarch64__)
// The AArch64 paths' entries (each runs the kernel it chose: neonBgemmRun)
// and their own kernels.
void bgemmNeon(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmNeonDot(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmNeonI8mm(const bnrt_bgemm_args &, int64_t, int64_t, int64_t, int64_t);
void bgemmNeonBytes(const bnrt_bgemm_args &, int64_t, int64_t, int64_t,
                    int64_t);
void bgemmNeonDotPanels(const bnrt_bgemm_args &, int64_t, int64_t, int64_t,
                        int64_t);
void bgemmNeonI8mmPanels(const bnrt_bgemm_args &, int64_t, int64_t, int64_t,
                         int64_t);
#endif

/// Activation rows per tile of the AVX-512 lookup kernels.
constexpr int64_t kLookupTileRows = 4;

/// The mask layout of the x86 kernels (bnrt_bgemm_pack): for each plane,
/// block of kMaskRows weight rows and group of 4 columns, one 64-bit mask
/// whose bit 4i + t is set when W[row i][col 4g + t] = +1. Bits 4i..4i+3
/// are then the 4 bytes of int32 lane i of the decoded vector.
constexpr int kMaskRows = 16;
static inline int64_t maskBlocks(int64_t n) {
  return (n + kMaskRows - 1) / kMaskRows;
}
static inline int64_t maskGroups(int64_t k) {
  return bnrt_bitpack_row_words(k) * 16;
}
/// The pair layout of the i8mm kernel (neoni8mm): for each plane, block of
/// kMaskRows weight rows and chunk c of 8 columns, two uint64 whose bit
/// 16 v + 8 h + t (of 128) is set when W[row 2 v + h][8 c + t] = +1. The
/// 16 bits at 16 v are then the bytes of smmla operand v (weight rows 2 v,
/// 2 v + 1 x 8 columns). As many bytes as the mask layout.
static inline int64_t pairChunks(int64_t k) {
  return bnrt_bitpack_row_words(k) * 8;
}
void pairMaskPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                  uint64_t *pairs);

#if defined(__x86_64__)
/// The exact dots of `rows` (1, 2 or 4) activation rows from m with a
/// decoded AVX2 panel (bgemm_avx2.cpp), by AVX-VNNI (bgemm_avxvnni.cpp):
/// out[i][r] = sum s x = 2 sum b x - rowSums[i].
void panelDotsAvxVnni(const bnrt_bgemm_args &a, const void *panel,
                      int64_t count, int64_t m, int rows,
                      const int32_t *rowSums, int32_t (*out)[kMaskRows]);
#endif

/// The 6-bit lookup layout of the AVX-512 kernel (bnrt_bgemm_pack's output
/// holds the masks, then at most one of the lookup layouts: avx512Layouts):
/// for each plane, tile of 5 blocks of 32 weight
/// rows, pair of groups of 6 columns and block of the tile, 32 uint16
/// whose word i holds weight row i's sign pattern in the pair's first
/// group in bits 0-5 and in its second group in bits 6-11 (bit t set when
/// W[row][6g + t] = +1; rows past n and columns past k clear). A tile's
/// patterns are one sequential stream as the kernel walks K.
constexpr int kLookupRows = 32;
constexpr int kLookupGroup = 6;
constexpr int kLookupTileBlocks = 5;
constexpr int kLookupTileRowsN = kLookupRows * kLookupTileBlocks; // 160
static inline int64_t lookupTiles(int64_t n) {
  return (n + kLookupTileRowsN - 1) / kLookupTileRowsN;
}
static inline int64_t lookupPairs(int64_t k) {
  return (k + 2 * kLookupGroup - 1) / (2 * kLookupGroup);
}
static inline int64_t lookupPatternWords(int64_t n, int64_t k, int32_t planes) {
  return planes * lookupTiles(n) * lookupPairs(k) * kLookupTileRowsN;
}
void lookupPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                uint16_t *patterns);

/// The ternary layout of the AVX-512 kernel for two planes sharing their
/// scale on every row (ternary and TWS-split weights): for each tile of 5
/// blocks of 32 weight rows, word j (9 columns) and block of the tile, 32
/// uint16 whose word i holds, for each of the word's 3 groups g of 3
/// columns, weight row i's index sum_t (b_1 + b_2)[9 j + 3 g + t] 3^t in
/// bits 5 g .. 5 g + 4 (b_p = 1 where plane p's sign is +1; clear past k
/// and n).
constexpr int kTernaryGroup = 3;
static inline int64_t ternaryWords(int64_t k) {
  return (k + 3 * kTernaryGroup - 1) / (3 * kTernaryGroup);
}
static inline int64_t ternaryPatternWords(int64_t n, int64_t k) {
  return lookupTiles(n) * ternaryWords(k) * kLookupTileRowsN;
}
void ternaryPack(const uint64_t *bits, int64_t n, int64_t k,
                 uint16_t *patterns);

/// The nibble layout of the AVX-512 VBMI kernel for codes of at most 4
/// bits: for each plane, tile of 5 blocks of 16
/// weight rows, quad of 16 columns and block of the tile, 64 bytes whose
/// byte 4i + q is 16 q + (weight row i's 4 signs in columns 4q..4q+3 of
/// the quad: bit t set when +1; rows past n and columns past k clear).
constexpr int kNibbleTileBlocks = 5;
constexpr int kNibbleTileRowsN = kMaskRows * kNibbleTileBlocks; // 80
static inline int64_t nibbleTiles(int64_t n) {
  return (n + kNibbleTileRowsN - 1) / kNibbleTileRowsN;
}
static inline int64_t nibbleQuads(int64_t k) { return (k + 15) / 16; }
static inline int64_t nibbleBytes(int64_t n, int64_t k, int32_t planes) {
  return planes * nibbleTiles(n) * kNibbleTileBlocks * nibbleQuads(k) * 64;
}
void nibblePack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                uint8_t *nibbles);

/// sum_k x[m, k]: what the SIMD kernels subtract after dotting with the
/// weights' {0, 1} (or {0, 2}) encoding of their signs. (static: compiled
/// per ISA, never merged across them.)
static inline int32_t codeRowSum(const bnrt_bgemm_args &a, int64_t m) {
  int32_t s = 0;
  for (int64_t k = 0; k < a.k; ++k)
    s += a.x[m * a.lda + k];
  return s;
}
void maskPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
              uint64_t *masks);
static inline int64_t maskBytes(const bnrt_bgemm_args &a) {
  return a.planes * maskBlocks(a.n) * maskGroups(a.k) * 8;
}

/// The nibble-pair layout of the NEON lookup kernel (bgemm_lut_neon.cpp),
/// kept for codes of at most 4 bits (act_bits 2..4) after the mask
/// (neondot) or pair (neoni8mm) layout, alone on the neon path: for each
/// plane, block of kMaskRows weight rows and pair j of groups of 4
/// columns, 16 bytes whose byte r holds weight row r's sign pattern in
/// group 2 j (columns 8 j .. 8 j + 3; bit t set when +1) in its low nibble
/// and in group 2 j + 1 in its high nibble (rows past n and columns past k
/// clear). As many bytes as the mask layout.
void nibblePairPack(const uint64_t *bits, int64_t n, int64_t k, int32_t planes,
                    uint8_t *pairs);
static inline bool neonLookupLayout(const bnrt_bgemm_args &a) {
  return a.act_bits >= 2 && a.act_bits <= 4;
}
/// Where the nibble pairs start in the buffer packed for AArch64 path isa.
static inline int64_t nibblePairOffset(const bnrt_bgemm_args &a, bnrt_isa isa) {
  return isa == BNRT_ISA_NEON ? 0 : maskBytes(a);
}
#if defined(__aarch64__)
static inline const uint8_t *nibblePairs(const bnrt_bgemm_args &a,
                                         bnrt_isa isa) {
  return static_cast<const uint8_t *>(a.packed) + nibblePairOffset(a, isa);
}
/// Whether the lookup kernel can run a's weight rows from n0 (the layout
/// is there, n0 starts a block, at most 8 planes).
bool neonLookupRuns(const bnrt_bgemm_args &a, int64_t n0);
void bgemmLutNeon(const bnrt_bgemm_args &a, const uint8_t *layout, int64_t m0,
                  int64_t m1, int64_t n0, int64_t n1);
/// The kernels an AArch64 path chooses among (all give the same bits): its
/// own (smmla or sdot panels; byte selects on neon), the baseline byte
/// selects on the canonical bits, and table lookup (codes of at most 4
/// bits).
enum class NeonBgemm { Own, Bytes, Lookup };
/// The one AArch64 path `isa` runs `a` with: BNRT_BGEMM_LOOKUP=1 takes
/// the lookup kernel where it can run and =0 the path's own (read on every
/// call); otherwise the fastest of them timed once per process on a small
/// layer of a's kind (bgemm_choice.cpp). Own for a non-AArch64 path.
NeonBgemm neonBgemmChosen(bnrt_isa isa, const bnrt_bgemm_args &a);
/// Rows [m0, m1) x [n0, n1) of `a` with the kernel `isa` chose.
void neonBgemmRun(bnrt_isa isa, const bnrt_bgemm_args &a, int64_t m0,
                  int64_t m1, int64_t n0, int64_t n1);
#endif

/// The shared epilogue: y = x_scale * sum_p alpha_p(n) * dots[p] + bias[n],
/// where planes sharing one scale (ternary and TWS-split weights) are
/// combined exactly first: y = x_scale * alpha(n) * (sum_p dots[p]) + bias.
/// (static: each file is compiled for its own ISA, and a shared inline
/// definition could be taken from the wrong one at link time.)
static inline float finishRow(const bnrt_bgemm_args &a, int64_t n,
                              const int32_t *dots) {
  auto alpha = [&](int32_t p) {
    return a.per_row ? a.alpha[p * a.n + n] : a.alpha[p];
  };
  bool shared = true;
  int32_t sum = 0;
  for (int32_t p = 0; p < a.planes; ++p) {
    shared = shared && alpha(p) == alpha(0);
    sum += dots[p];
  }
  float acc = 0.0f;
  if (shared) {
    acc += alpha(0) * static_cast<float>(sum);
  } else {
    for (int32_t p = 0; p < a.planes; ++p)
      acc += alpha(p) * static_cast<float>(dots[p]);
  }
  float y = a.x_scale * acc;
  return a.bias ? y + a.bias[n] : y;
}

/// Whether all planes share their scale on every row of [n0, n1) (then
/// one panel holds the sum of their {0, 1} bytes; finishRow combines such
/// planes the same way).
static inline bool sharedScales(const bnrt_bgemm_args &a, int64_t n0,
                                int64_t n1) {
  for (int32_t p = 1; p < a.planes; ++p)
    for (int64_t n = a.per_row ? n0 : 0; n < (a.per_row ? n1 : 1); ++n)
      if (!(a.alpha[p * (a.per_row ? a.n : 1) + n] == a.alpha[n]))
        return false;
  return true;
}

#if defined(__x86_64__)
/// The AVX-512 layouts after the masks that the kernels read for `a`
/// (bnrt_bgemm_pack writes only those; the masks serve VNNI, which takes
/// the rows a lookup tile does not): the ternary indices where every row's
/// two planes share their scale (for any codes), else the nibble bytes for
/// codes of at most 4 bits on VBMI CPUs, else the 6-bit patterns.
struct Avx512Layouts {
  bool patterns, nibbles, ternary;
};
/// Whether the lookup kernel of `layouts` runs the rows a lookup tile
/// takes, else VNNI does (the same bits either way). BNRT_BGEMM_LOOKUP=0
/// or =1 decides (read on every call: tests and benchmarks switch it);
/// otherwise the faster on this CPU, timed once per kernel on a small
/// layer (bgemm_choice.cpp): table lookups win on Zen 5, whose vpermt2w
/// issues twice a cycle, and may lose where it takes 3 uops (Intel).
bool bgemmLookupChosen(const Avx512Layouts &layouts);
/// bgemmAvx512 with that choice given.
void bgemmAvx512Choosing(const bnrt_bgemm_args &a, int64_t m0, int64_t m1,
                         int64_t n0, int64_t n1, bool lookup);
static inline Avx512Layouts avx512Layouts(const bnrt_bgemm_args &a) {
  bool ternary = a.planes == 2 && sharedScales(a, 0, a.n);
  bool nibbles = !ternary && a.act_bits >= 2 && a.act_bits <= 4 &&
                 a.planes <= 2 && hasAvx512Vbmi();
  bool patterns = !nibbles && !ternary && a.planes <= 2;
  return {patterns, nibbles, ternary};
}
static inline int64_t patternBytes(const bnrt_bgemm_args &a) {
  return (lookupPatternWords(a.n, a.k, a.planes) + 3) / 4 * 8;
}
/// The one lookup layout a layer keeps starts after its masks.
static inline const uint16_t *lookupPatterns(const bnrt_bgemm_args &a) {
  return reinterpret_cast<const uint16_t *>(
      static_cast<const char *>(a.packed) + maskBytes(a));
}
static inline const uint16_t *ternaryPatterns(const bnrt_bgemm_args &a) {
  return lookupPatterns(a);
}
static inline const uint8_t *nibblePatterns(const bnrt_bgemm_args &a) {
  return reinterpret_cast<const uint8_t *>(lookupPatterns(a));
}
#endif

/// The activation rows a lookup kernel builds its tables for at once when
/// `isa` runs `a` by table lookup (threads should then split rows in
/// multiples of it), or 0: 4 for the A4 kernel on AVX2, 4 for the AVX-512
/// kernels.
static inline int64_t bgemmLookupRows(const bnrt_bgemm_args &a, bnrt_isa isa) {
  if (isa == BNRT_ISA_AVX2 && a.packed && a.planes == 1 && a.act_bits >= 2 &&
      a.act_bits <= 4)
    return 4;
#if defined(__aarch64__)
  if (neonLookupRuns(a, 0) && neonBgemmChosen(isa, a) == NeonBgemm::Lookup)
    return 4; // bgemm_lut_neon.cpp's kRows
#endif
#if defined(__x86_64__)
  if (isa == BNRT_ISA_AVX512 && a.packed) {
    Avx512Layouts layouts = avx512Layouts(a);
    if ((layouts.patterns || layouts.nibbles || layouts.ternary) &&
        bgemmLookupChosen(layouts))
      return kLookupTileRows;
  }
#endif
  return 0;
}

} // namespace bnrt

#endif // BNRT_SRC_BGEMM_IMPL_H
