//===- xgemm_avx512.cpp - fully binary GEMM with vpopcntq ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One zmm holds a panel block's word: 8 weight rows x 64 columns. An
// activation word broadcast against it, vpxorq (vpandq; for ternary
// activations one vpternlogq: mask AND (signs XOR weights)) and vpopcntq
// count 512 products; vpaddq accumulates per weight row. Tiles of 4 activation
// rows x 32 weight rows keep 16 accumulators. Compiled with VPOPCNTDQ on
// top of the AVX-512 path's flags; entered only when CPUID reports it.
//
//===----------------------------------------------------------------------===//
#include "kernels/xgemm_impl.h"

#include <immintrin.h>

namespace bnrt {
namespace {

struct Zmm {
  static constexpr int kLanes = 8, kRows = 4, kBlocks = 4;
  static constexpr int64_t kChunkWords = INT64_MAX; // 64-bit counts
  using Vec = __m512i;
  using Acc = __m512i;
  static void mcaBegin() { BNRT_MCA_BEGIN("xnor-popcount macs=8192"); }
  static Vec zero() { return _mm512_setzero_si512(); }
  static Vec load(const uint64_t *p) { return _mm512_loadu_si512(p); }
  static Vec broadcast(uint64_t x) {
    return _mm512_set1_epi64(static_cast<long long>(x));
  }
  static Vec bitXor(Vec x, Vec w) { return _mm512_xor_si512(x, w); }
  static Vec bitAnd(Vec x, Vec w) { return _mm512_and_si512(x, w); }
  static Vec maskedXor(Vec m, Vec x, Vec w) { // m & (x ^ w): one vpternlogq
    return _mm512_ternarylogic_epi64(m, x, w, 0x60);
  }
  static Acc count(Acc acc, Vec bits) {
    return _mm512_add_epi64(acc, _mm512_popcnt_epi64(bits));
  }
  static void store(Acc acc, int32_t *out, bool add) {
    auto *at = reinterpret_cast<__m256i *>(out);
    __m256i counts = _mm512_cvtepi64_epi32(acc);
    _mm256_storeu_si256(
        at, add ? _mm256_add_epi32(_mm256_loadu_si256(at), counts) : counts);
  }
};

} // namespace

void xgemmAvx512(const bnrt_xgemm_args &a, int64_t m0, int64_t m1, int64_t n0,
                 int64_t n1) {
  xgemmLoop<Zmm>(a, m0, m1, n0, n1);
}

} // namespace bnrt
