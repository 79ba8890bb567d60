//===- bgemm_f32_avx512.cpp - float x bit planes by vpermps lookups -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A group's 16-entry table is one zmm, and vpermps looks it up for 16
// weight rows at once (their 4-bit patterns in the low bits of 16 dword
// indices, widened from the patterns layout's bytes: the low nibble is
// group 2h, shifted down the high one is group 2h + 1): one lookup and one
// add are 64 multiply-adds. Tiles of 4 activation rows x 4 blocks of 16
// weight rows keep 16 accumulators in registers.
//
//===----------------------------------------------------------------------===//
#include "kernels/bgemm_f32_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Avx512Lookup {
  static constexpr int kRows = kBgemmF32Rows, kBlocks = 4;

  /// Sign bit t of each entry q: set where bit t of q is.
  static __m512i signsOf(int t) {
    alignas(64) uint32_t s[16];
    for (unsigned q = 0; q < 16; ++q)
      s[q] = (q >> t) & 1 ? 0x80000000u : 0u;
    return _mm512_load_si512(s);
  }

  static void buildTables(const float *x, int64_t k, float *out) {
    const __m512i sign[4] = {signsOf(0), signsOf(1), signsOf(2), signsOf(3)};
    auto term = [&](float v, int t) { // v_t for every q
      return _mm512_castsi512_ps(
          _mm512_xor_si512(_mm512_castps_si512(_mm512_set1_ps(v)), sign[t]));
    };
    for (int64_t g = 0; 4 * g < k; ++g) {
      float v[4] = {};
      for (int t = 0; t < 4 && 4 * g + t < k; ++t)
        v[t] = x[4 * g + t];
      __m512 table = _mm512_add_ps(
          _mm512_add_ps(_mm512_add_ps(term(v[0], 0), term(v[1], 1)),
                        term(v[2], 2)),
          term(v[3], 3));
      _mm512_store_ps(out + 16 * g, table);
    }
  }

  template <int R, int C>
  static void tile(const F32Patterns &layout, const float *tables,
                   const uint8_t *patterns, float (*dots)[kBlocks * 16]) {
    __m512 acc[R][C];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        acc[r][c] = _mm512_setzero_ps();
    int64_t rowTables = layout.groups * 16, blockBytes = layout.pairs * 16;
    auto lookup = [&](const __m512i(&index)[C], int64_t g) {
      for (int r = 0; r < R; ++r) {
        __m512 table = _mm512_load_ps(tables + r * rowTables + 16 * g);
        for (int c = 0; c < C; ++c)
          acc[r][c] =
              _mm512_add_ps(acc[r][c], _mm512_permutexvar_ps(index[c], table));
      }
    };
    for (int64_t h = 0; h < layout.pairs; ++h) {
      __m512i low[C], high[C];
      for (int c = 0; c < C; ++c) {
        low[c] = _mm512_cvtepu8_epi32(_mm_loadu_si128(
            reinterpret_cast<const __m128i *>(patterns + c * blockBytes) + h));
        high[c] = _mm512_srli_epi32(low[c], 4);
      }
      lookup(low, 2 * h);
      if (2 * h + 1 < layout.groups)
        lookup(high, 2 * h + 1);
    }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        _mm512_storeu_ps(dots[r] + 16 * c, acc[r][c]);
  }
};

} // namespace

void bgemmF32Avx512(const bnrt_bgemm_f32_args &args, int64_t n0, int64_t n1) {
  bgemmF32Tiles<Avx512Lookup>(args, n0, n1);
}

} // namespace bnrt
