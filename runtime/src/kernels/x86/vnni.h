//===- vnni.h - the VNNI instruction of the kernels ---------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_VNNI_H
#define BNRT_VNNI_H

#include <immintrin.h>

namespace bnrt {

#if defined(__AVX512F__) || defined(BNRT_AVX512_EMULATED)
/// acc += per-lane dot of 4 unsigned bytes of `u8` with 4 signed bytes of
/// `s8` (vpdpbusd). GCC 12 copies the accumulators of the intrinsic around
/// loops; the tied asm operand keeps them in place. The emulated test
/// build (tests/avx512_simde.h) runs SIMDe's version of the intrinsic.
inline void dpbusd(__m512i &acc, __m512i u8, __m512i s8) {
#ifdef BNRT_AVX512_EMULATED
  acc = _mm512_dpbusd_epi32(acc, u8, s8);
#else
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "v"(s8));
#endif
}

/// The same as a value: `acc` is a local copy, which GCC 12 keeps in a
/// register where a reference to an array element can end up on the stack.
inline __m512i dpbusdValue(__m512i acc, __m512i u8, __m512i s8) {
  dpbusd(acc, u8, s8);
  return acc;
}
#endif

/// acc += the same dots on 256-bit vectors with the VEX-encoded AVX-VNNI
/// instruction, which Intel's client cores since Alder Lake and its E-core
/// Xeons have without AVX-512 (entered only when avxVnniUsed()). The test
/// twin runs SIMDe's version.
inline void dpbusdAvx(__m256i &acc, __m256i u8, __m256i s8) {
#ifdef BNRT_AVX512_EMULATED
  acc = simde_mm256_dpbusd_epi32(acc, u8, s8);
#else
  asm("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(u8), "x"(s8));
#endif
}

/// dpbusdAvx as a value (see dpbusdValue).
inline __m256i dpbusdAvxValue(__m256i acc, __m256i u8, __m256i s8) {
  dpbusdAvx(acc, u8, s8);
  return acc;
}

} // namespace bnrt

#endif // BNRT_VNNI_H
