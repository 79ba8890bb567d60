//===- vnni.h - the AVX-512 VNNI instruction of the kernels -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_VNNI_H
#define BNRT_VNNI_H

#include <immintrin.h>

namespace bnrt {

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

} // namespace bnrt

#endif // BNRT_VNNI_H
