//===- avx512_simde.h - AVX-512 intrinsics on SIMDe, for tests -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Force-included (-include) into the AVX-512 kernel sources of the test
// library bnrt_avx512emu, so hosts without AVX-512 - and CI - still execute
// those kernels' algorithms (lane layouts, masks, corrections, epilogues)
// through SIMDe's portable implementation of each intrinsic. The real
// instructions run wherever the CPU has them (the normal bnrt-tests).
//
// SIMDe's native aliases would redeclare GCC's __m512 typedefs, so the
// intrinsics the kernels use are mapped here one by one; a new intrinsic
// in a kernel fails to compile until it is added below.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_AVX512_SIMDE_H
#define BNRT_AVX512_SIMDE_H

#include <immintrin.h> // the host's own (AVX2) intrinsics come first

#include <simde/x86/avx512.h>

#include <cmath>
#include <cstdint>

#define BNRT_AVX512_EMULATED 1

#define __m512 simde__m512
#define __m512i simde__m512i

#define _mm512_add_epi16 simde_mm512_add_epi16
#define _mm512_add_epi32 simde_mm512_add_epi32
#define _mm512_add_epi64 simde_mm512_add_epi64
#define _mm512_add_epi8 simde_mm512_add_epi8
#define _mm512_add_ps simde_mm512_add_ps
#define _mm512_sub_ps simde_mm512_sub_ps
#define _mm512_and_si512 simde_mm512_and_si512
#define _mm512_broadcast_i32x4 simde_mm512_broadcast_i32x4
#define _mm512_castps512_ps128 simde_mm512_castps512_ps128
#define _mm512_castps_si512 simde_mm512_castps_si512
#define _mm512_castsi256_si512 simde_mm512_castsi256_si512
#define _mm512_castsi512_ps simde_mm512_castsi512_ps
#define _mm512_castsi512_si256 simde_mm512_castsi512_si256
#define _mm512_cmp_ps_mask simde_mm512_cmp_ps_mask
#define _mm512_cvtepi64_epi32 simde_mm512_cvtepi64_epi32
#define _mm512_dpbusd_epi32 simde_mm512_dpbusd_epi32
#define _mm512_extractf32x4_ps simde_mm512_extractf32x4_ps
#define _mm512_extracti64x4_epi64 simde_mm512_extracti64x4_epi64
#define _mm512_inserti64x4 simde_mm512_inserti64x4
#define _mm512_load_ps simde_mm512_load_ps
#define _mm512_load_si512 simde_mm512_load_si512
#define _mm512_loadu_ps simde_mm512_loadu_ps
#define _mm512_loadu_si512 simde_mm512_loadu_si512
#define _mm512_maddubs_epi16 simde_mm512_maddubs_epi16
#define _mm512_mask_add_epi8 simde_mm512_mask_add_epi8
#define _mm512_mask_add_epi32 simde_mm512_mask_add_epi32
#define _mm512_mask_add_ps simde_mm512_mask_add_ps
#define _mm512_mask_sub_epi32 simde_mm512_mask_sub_epi32
#define _mm512_mask_blend_ps simde_mm512_mask_blend_ps
#define _mm512_mask_mov_ps simde_mm512_mask_mov_ps
#define _mm512_maskz_mov_epi8 simde_mm512_maskz_mov_epi8
#define _mm512_mul_ps simde_mm512_mul_ps
#define _mm512_mullo_epi32 simde_mm512_mullo_epi32
#define _mm512_permutex2var_epi16 simde_mm512_permutex2var_epi16
#define _mm512_permutexvar_epi16 simde_mm512_permutexvar_epi16
#define _mm512_permutexvar_epi8 simde_mm512_permutexvar_epi8
#define _mm512_permutexvar_ps simde_mm512_permutexvar_ps
#define _mm512_popcnt_epi64 simde_mm512_popcnt_epi64
#define _mm512_set1_epi16 simde_mm512_set1_epi16
#define _mm512_set1_epi32 simde_mm512_set1_epi32
#define _mm512_set1_epi64 simde_mm512_set1_epi64
#define _mm512_set1_epi8 simde_mm512_set1_epi8
#define _mm512_set1_ps simde_mm512_set1_ps
#define _mm512_setzero_ps simde_mm512_setzero_ps
#define _mm512_setzero_si512 simde_mm512_setzero_si512
#define _mm512_shuffle_epi8 simde_mm512_shuffle_epi8
#define _mm512_shuffle_f32x4 simde_mm512_shuffle_f32x4
#define _mm512_shuffle_ps simde_mm512_shuffle_ps
#define _mm512_slli_epi32 simde_mm512_slli_epi32
#define _mm512_srli_epi16 simde_mm512_srli_epi16
#define _mm512_srli_epi32 simde_mm512_srli_epi32
#define _mm512_store_ps simde_mm512_store_ps
#define _mm512_store_si512 simde_mm512_store_si512
#define _mm512_storeu_ps simde_mm512_storeu_ps
#define _mm512_storeu_si512 simde_mm512_storeu_si512
#define _mm512_sub_epi16 simde_mm512_sub_epi16
#define _mm512_sub_epi32 simde_mm512_sub_epi32
#define _mm512_sub_epi8 simde_mm512_sub_epi8
#define _mm512_xor_si512 simde_mm512_xor_si512
#define _mm512_movepi8_mask simde_mm512_movepi8_mask
#define _mm512_test_epi8_mask simde_mm512_test_epi8_mask
#define _mm512_ternarylogic_epi64 simde_mm512_ternarylogic_epi64

// SIMDe 0.7.4 lacks these; masked-off lanes are neither read nor written,
// as on the hardware (so ASan sees any out-of-bounds enabled lane).
#define _mm512_cvtepi16_epi32 bnrt_emu_cvtepi16_epi32
#define _mm512_cvtepu8_epi32 bnrt_emu_cvtepu8_epi32
#define _mm512_cvtepi32_epi16 bnrt_emu_cvtepi32_epi16
#define _mm512_cvtepi32_epi8 bnrt_emu_cvtepi32_epi8
#define _mm512_cvtepi32_ps bnrt_emu_cvtepi32_ps
#define _mm512_srai_epi32 bnrt_emu_srai_epi32
#define _mm512_fmadd_ps bnrt_emu_fmadd_ps
#define _mm512_maskz_loadu_ps bnrt_emu_maskz_loadu_ps
#define _mm512_maskz_loadu_epi8 bnrt_emu_maskz_loadu_epi8
#define _mm512_reduce_add_epi32 bnrt_emu_reduce_add_epi32
#define _mm512_mask_storeu_ps bnrt_emu_mask_storeu_ps
#define _mm512_mask_storeu_epi32 bnrt_emu_mask_storeu_epi32

// Fused lane by lane, whatever SIMDe's build would choose.
inline simde__m512 bnrt_emu_fmadd_ps(simde__m512 a, simde__m512 b,
                                     simde__m512 c) {
  float x[16], y[16], z[16];
  simde_mm512_storeu_ps(x, a);
  simde_mm512_storeu_ps(y, b);
  simde_mm512_storeu_ps(z, c);
  for (int i = 0; i < 16; ++i)
    z[i] = std::fma(x[i], y[i], z[i]);
  return simde_mm512_loadu_ps(z);
}

inline simde__m512 bnrt_emu_cvtepi32_ps(simde__m512i v) {
  int32_t in[16];
  float out[16];
  simde_mm512_storeu_si512(in, v);
  for (int i = 0; i < 16; ++i)
    out[i] = static_cast<float>(in[i]);
  return simde_mm512_loadu_ps(out);
}

inline simde__m512i bnrt_emu_srai_epi32(simde__m512i v, unsigned count) {
  int32_t lanes[16];
  simde_mm512_storeu_si512(lanes, v);
  for (int32_t &x : lanes)
    x = count > 31 ? (x < 0 ? -1 : 0) : x >> count;
  return simde_mm512_loadu_si512(lanes);
}

inline simde__m512i bnrt_emu_cvtepi16_epi32(__m256i v) {
  int16_t in[16];
  int32_t out[16];
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(in), v);
  for (int i = 0; i < 16; ++i)
    out[i] = in[i];
  return simde_mm512_loadu_si512(out);
}

inline simde__m512i bnrt_emu_cvtepu8_epi32(__m128i v) {
  uint8_t in[16];
  int32_t out[16];
  _mm_storeu_si128(reinterpret_cast<__m128i *>(in), v);
  for (int i = 0; i < 16; ++i)
    out[i] = in[i];
  return simde_mm512_loadu_si512(out);
}

inline __m128i bnrt_emu_cvtepi32_epi8(simde__m512i v) { // truncating
  int32_t in[16];
  int8_t out[16];
  simde_mm512_storeu_si512(in, v);
  for (int i = 0; i < 16; ++i)
    out[i] = static_cast<int8_t>(in[i]);
  return _mm_loadu_si128(reinterpret_cast<const __m128i *>(out));
}

inline __m256i bnrt_emu_cvtepi32_epi16(simde__m512i v) { // truncating
  int32_t in[16];
  int16_t out[16];
  simde_mm512_storeu_si512(in, v);
  for (int i = 0; i < 16; ++i)
    out[i] = static_cast<int16_t>(in[i]);
  return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(out));
}

inline simde__m512 bnrt_emu_maskz_loadu_ps(uint16_t k, const float *p) {
  float v[16];
  for (int i = 0; i < 16; ++i)
    v[i] = (k >> i) & 1 ? p[i] : 0.0f;
  return simde_mm512_loadu_ps(v);
}

inline simde__m512i bnrt_emu_maskz_loadu_epi8(uint64_t k, const void *p) {
  int8_t v[64];
  for (int i = 0; i < 64; ++i)
    v[i] = (k >> i) & 1 ? static_cast<const int8_t *>(p)[i] : 0;
  return simde_mm512_loadu_si512(v);
}

inline int32_t bnrt_emu_reduce_add_epi32(simde__m512i v) {
  int32_t lanes[16], sum = 0;
  simde_mm512_storeu_si512(lanes, v);
  for (int32_t x : lanes)
    sum += x;
  return sum;
}

inline void bnrt_emu_mask_storeu_ps(float *p, uint16_t k, simde__m512 v) {
  float lanes[16];
  simde_mm512_storeu_ps(lanes, v);
  for (int i = 0; i < 16; ++i)
    if ((k >> i) & 1)
      p[i] = lanes[i];
}

inline void bnrt_emu_mask_storeu_epi32(void *p, uint16_t k, simde__m512i v) {
  int32_t lanes[16];
  simde_mm512_storeu_si512(lanes, v);
  for (int i = 0; i < 16; ++i)
    if ((k >> i) & 1)
      static_cast<int32_t *>(p)[i] = lanes[i];
}

#endif // BNRT_AVX512_SIMDE_H
