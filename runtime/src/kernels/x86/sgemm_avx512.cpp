//===- sgemm_avx512.cpp - float GEMM, AVX-512: one zmm per 16 lanes -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/sgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Avx512Lanes {
  using Vec = __m512;
  static constexpr bool kTrees4x4 = true;
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec load(const float *p) { return _mm512_loadu_ps(p); }
  static Vec loadPart(const float *p, int count) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1), p);
  }
  static Vec fma(Vec a, Vec b, Vec acc) { return _mm512_fmadd_ps(a, b, acc); }
  static float tree(Vec v) {
    __m128 s4 = _mm_add_ps( // lanes l + 8, then l + 4
        _mm_add_ps(_mm512_castps512_ps128(v), _mm512_extractf32x4_ps(v, 2)),
        _mm_add_ps(_mm512_extractf32x4_ps(v, 1), _mm512_extractf32x4_ps(v, 3)));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4)); // l + 2
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
  }
  /// The 16 trees of a 4 x 4 block as a butterfly over registers: each
  /// level pairs registers so one add does the level's additions for two
  /// accumulators (which shuffles bring into matching lanes).
  static void trees4x4(const Vec (&acc)[4][4], float (&sums)[4][4]) {
    const __m512 *a = &acc[0][0]; // a[4r + c]
    __m512 half[8], quarter[4], eighth[2];
    for (int p = 0; p < 8; ++p) // l + 8: [a[2p] 8 lanes | a[2p + 1] 8 lanes]
      half[p] =
          _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * p], a[2 * p + 1], 0x44),
                        _mm512_shuffle_f32x4(a[2 * p], a[2 * p + 1], 0xEE));
    for (int u = 0; u < 4; ++u) // l + 4: 128-bit lane j holds a[4u + j]
      quarter[u] = _mm512_add_ps(
          _mm512_shuffle_f32x4(half[2 * u], half[2 * u + 1], 0x88),
          _mm512_shuffle_f32x4(half[2 * u], half[2 * u + 1], 0xDD));
    for (int v = 0; v < 2; ++v) // l + 2: lane j pairs a[8v + j], a[8v + 4 + j]
      eighth[v] = _mm512_add_ps(
          _mm512_shuffle_ps(quarter[2 * v], quarter[2 * v + 1], 0x44),
          _mm512_shuffle_ps(quarter[2 * v], quarter[2 * v + 1], 0xEE));
    // l + 1: element 4j + s is the tree of a[4s + j], i.e. of acc[s][j].
    __m512 all = _mm512_add_ps(_mm512_shuffle_ps(eighth[0], eighth[1], 0x88),
                               _mm512_shuffle_ps(eighth[0], eighth[1], 0xDD));
    float lanes[16];
    _mm512_storeu_ps(lanes, all);
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        sums[r][c] = lanes[4 * c + r];
  }
};

} // namespace

// 4 x 4 blocks: 16 zmm accumulators, 8 for the loaded rows.
void sgemmAvx512(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmTiles<Avx512Lanes, 4, 4>(args, n0, n1);
}

} // namespace bnrt
