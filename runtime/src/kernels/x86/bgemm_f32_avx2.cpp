//===- bgemm_f32_avx2.cpp - float x bit planes by vpermps lookups, AVX2 ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// AVX2's vpermps looks up 8 entries: a group's table is two ymm (entries
// 0-7, 8-15), both are looked up with the pattern's low 3 bits and bit 3
// picks one (vblendvps reads the sign bit: the pattern shifted up by 28).
// 8 weight rows per ymm, tiles of 4 activation rows x 16 weight rows.
//
//===----------------------------------------------------------------------===//
#include "kernels/bgemm_f32_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Avx2Lookup {
  static constexpr int kRows = kBgemmF32Rows, kBlocks = 1;

  /// Sign bit t of entries q0 .. q0 + 7: set where bit t of q is.
  static __m256i signsOf(int t, unsigned q0) {
    alignas(32) uint32_t s[8];
    for (unsigned q = 0; q < 8; ++q)
      s[q] = ((q0 + q) >> t) & 1 ? 0x80000000u : 0u;
    return _mm256_load_si256(reinterpret_cast<const __m256i *>(s));
  }

  static void buildTables(const float *x, int64_t k, float *out) {
    __m256i sign[2][4];
    for (int half = 0; half < 2; ++half)
      for (int t = 0; t < 4; ++t)
        sign[half][t] = signsOf(t, 8 * half);
    for (int64_t g = 0; 4 * g < k; ++g) {
      float v[4] = {};
      for (int t = 0; t < 4 && 4 * g + t < k; ++t)
        v[t] = x[4 * g + t];
      for (int half = 0; half < 2; ++half) {
        auto term = [&](int t) {
          return _mm256_castsi256_ps(_mm256_xor_si256(
              _mm256_castps_si256(_mm256_set1_ps(v[t])), sign[half][t]));
        };
        __m256 table = _mm256_add_ps(
            _mm256_add_ps(_mm256_add_ps(term(0), term(1)), term(2)), term(3));
        _mm256_store_ps(out + 16 * g + 8 * half, table);
      }
    }
  }

  template <int R, int C>
  static void tile(const F32Patterns &layout, const float *tables,
                   const uint8_t *patterns, float (*dots)[kBlocks * 16]) {
    static_assert(C == 1, "one block of 16 weight rows");
    __m256 acc[R][2];
    for (int r = 0; r < R; ++r)
      acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    int64_t rowTables = layout.groups * 16;
    // index: the pattern in bits 0-2, bit 3 shifted to the sign bit.
    auto lookup = [&](const __m256i(&index)[2], const __m256i(&pick)[2],
                      int64_t g) {
      for (int r = 0; r < R; ++r) {
        const float *table = tables + r * rowTables + 16 * g;
        __m256 low = _mm256_load_ps(table), high = _mm256_load_ps(table + 8);
        for (int half = 0; half < 2; ++half) {
          __m256 entry =
              _mm256_blendv_ps(_mm256_permutevar8x32_ps(low, index[half]),
                               _mm256_permutevar8x32_ps(high, index[half]),
                               _mm256_castsi256_ps(pick[half]));
          acc[r][half] = _mm256_add_ps(acc[r][half], entry);
        }
      }
    };
    for (int64_t h = 0; h < layout.pairs; ++h) {
      __m256i both[2], high[2], pickLow[2], pickHigh[2];
      for (int half = 0; half < 2; ++half) {
        both[half] = _mm256_cvtepu8_epi32(_mm_loadl_epi64(
            reinterpret_cast<const __m128i *>(patterns + 16 * h + 8 * half)));
        high[half] = _mm256_srli_epi32(both[half], 4);
        pickLow[half] = _mm256_slli_epi32(both[half], 28);
        pickHigh[half] = _mm256_slli_epi32(both[half], 24);
      }
      lookup(both, pickLow, 2 * h);
      if (2 * h + 1 < layout.groups)
        lookup(high, pickHigh, 2 * h + 1);
    }
    for (int r = 0; r < R; ++r)
      for (int half = 0; half < 2; ++half)
        _mm256_storeu_ps(dots[r] + 8 * half, acc[r][half]);
  }
};

} // namespace

void bgemmF32Avx2(const bnrt_bgemm_f32_args &args, int64_t n0, int64_t n1) {
  bgemmF32Tiles<Avx2Lookup>(args, n0, n1);
}

} // namespace bnrt
