//===- xgemm_avx2.cpp - fully binary GEMM on AVX2 -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// AVX2 has no vector popcount: each byte's is two vpshufb lookups of its
// nibbles in a 16-entry table, and vpsadbw against zero sums a lane's 8
// bytes into its 64-bit count. A ymm holds 4 weight rows' word, two a
// panel block; tiles of 4 activation rows x 8 weight rows.
//
//===----------------------------------------------------------------------===//
#include "kernels/xgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Ymm {
  // 4 rows x 8 weight rows: 8 accumulators of the 16 ymm registers.
  static constexpr int kLanes = 4, kRows = 4, kBlocks = 1;
  static constexpr int64_t kChunkWords = INT64_MAX; // 64-bit counts
  using Vec = __m256i;
  using Acc = __m256i;
  static void mcaBegin() { BNRT_MCA_BEGIN("xnor-popcount macs=2048"); }
  static Vec zero() { return _mm256_setzero_si256(); }
  static Vec load(const uint64_t *p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
  }
  static Vec broadcast(uint64_t x) {
    return _mm256_set1_epi64x(static_cast<long long>(x));
  }
  static Vec bitXor(Vec x, Vec w) { return _mm256_xor_si256(x, w); }
  static Vec bitAnd(Vec x, Vec w) { return _mm256_and_si256(x, w); }
  static Vec maskedXor(Vec m, Vec x, Vec w) {
    return _mm256_and_si256(m, _mm256_xor_si256(x, w));
  }
  static Acc count(Acc acc, Vec bits) {
    const __m256i table =
        _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1,
                         1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i bytes = _mm256_add_epi8(
        _mm256_shuffle_epi8(table, _mm256_and_si256(bits, low)),
        _mm256_shuffle_epi8(table,
                            _mm256_and_si256(_mm256_srli_epi16(bits, 4), low)));
    return _mm256_add_epi64(acc,
                            _mm256_sad_epu8(bytes, _mm256_setzero_si256()));
  }
  static void store(Acc acc, int32_t *out, bool add) {
    // The 4 counts (< 2^31) are the low halves of the 64-bit lanes.
    __m128i counts = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(
        acc, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
    auto *at = reinterpret_cast<__m128i *>(out);
    _mm_storeu_si128(at,
                     add ? _mm_add_epi32(_mm_loadu_si128(at), counts) : counts);
  }
};

} // namespace

void xgemmAvx2(const bnrt_xgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  xgemmLoop<Ymm>(a, m0, m1, n0, n1);
}

} // namespace bnrt
