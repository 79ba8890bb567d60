/*===- bnrt/kernels.h - compute kernels and ISA selection -------*- C -*-===*
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * The runtime's kernels, each with a portable scalar reference and SIMD
 * paths chosen at run time from CPUID (x86-64) or HWCAP (AArch64). The
 * environment variable BNRT_ISA (scalar, avx2, avx512, neon, neondot,
 * neoni8mm) forces a path; asking for one the CPU lacks falls back to the best
 * available one (bnrt_isa_available tells).
 *===----------------------------------------------------------------------===*/
#ifndef BNRT_KERNELS_H
#define BNRT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  BNRT_ISA_SCALAR = 0,
  BNRT_ISA_AVX2 = 1,     /* x86-64 AVX2 */
  BNRT_ISA_AVX512 = 2,   /* x86-64 AVX-512 F/BW/VL + VNNI */
  BNRT_ISA_NEON = 3,     /* AArch64 Advanced SIMD */
  BNRT_ISA_NEONDOT = 4,  /* AArch64 Advanced SIMD + dot product */
  BNRT_ISA_NEONI8MM = 5, /* ... + int8 matrix multiply (FEAT_I8MM, smmla) */
  BNRT_ISA_COUNT
} bnrt_isa;

/* Name of an ISA ("scalar", "avx2", ...). */
const char *bnrt_isa_name(bnrt_isa isa);
/* Parses a name; returns -1 when unknown. */
int bnrt_isa_parse(const char *name);
/* Whether this build and this CPU can run `isa`. */
int bnrt_isa_available(bnrt_isa isa);
/* The best available ISA, or BNRT_ISA's when set and available. */
bnrt_isa bnrt_isa_default(void);

/* Bit-plane GEMM with 8-bit (or narrower) activations:
 *
 *   y[m, n] = x_scale * sum_p alpha[p, g(n)] * sum_k x[m, k] * B_p[n, k]
 *             + bias[n]
 *
 * x: int8 codes [m, k], row stride lda >= 64 * bnrt_bitpack_row_words(k);
 *    columns k .. lda-1 must be zero (activation buffers are padded so the
 *    kernels never need a tail). Codes are in [-127, 127].
 * bits: `planes` sign planes [planes, n, words] in the bitpack.h layout.
 * alpha: [planes, n] when per_row, else [planes].
 * bias: [n] or NULL. y: [m, n] f32, row stride ldy.
 */
typedef struct {
  int64_t m, n, k;
  const int8_t *x;
  int64_t lda;
  float x_scale;
  const uint64_t *bits;
  int32_t planes;
  const float *alpha;
  int32_t per_row;
  const float *bias;
  float *y;
  int64_t ldy;
  /* The weights in the layout of bnrt_bgemm_pack for the ISA used, or NULL.
   * Paths that need it (avx2, avx512) run a slower path without it. */
  const void *packed;
  /* 2..4 when every code is within +-(2^(act_bits-1) - 1) (A4 and below:
   * AVX2, and AVX-512 with VBMI, then use byte lookup tables); 0 or 8 for
   * any int8 code. Part of what bnrt_bgemm_pack lays out: pack and run with
   * the same value. */
  int32_t act_bits;
} bnrt_bgemm_args;

/* Bytes of the ISA-specific layouts of args->bits (an [n, k] weight of
 * `planes` planes) that `isa`'s kernels read for these arguments (they
 * depend on act_bits, planes and whether the planes share their scales,
 * not on x or y); 0 when `isa` reads the canonical bitpack.h layout. */
int64_t bnrt_bgemm_packed_bytes(const bnrt_bgemm_args *args, bnrt_isa isa);
/* Rewrites args->bits into those layouts at `out` (done once, when a
 * model is loaded; `out` 8-byte aligned). args->packed is then `out`. */
void bnrt_bgemm_pack(const bnrt_bgemm_args *args, bnrt_isa isa, void *out);

/* Runs the bit-plane GEMM on rows [m_begin, m_end) and weight rows
 * [n_begin, n_end) of `args` with `isa` (which must be available). */
void bnrt_bgemm_a8(const bnrt_bgemm_args *args, bnrt_isa isa, int64_t m_begin,
                   int64_t m_end, int64_t n_begin, int64_t n_end);

/* Int8 GEMM with exact int32 results (attention's Q K^T and P V, int8
 * weights):
 *
 *   c[m, n] = sum_k a[m, k] * b[k, n]
 *
 * b: packed once by bnrt_igemm_pack from any strided int8 [k, n] (codes
 *    -128 are read as -127; quantizers never produce them).
 * a: int8 [m, k], row stride lda; each row must be readable up to
 *    4 * ceil(k / 4) bytes (the bytes past k are multiplied by zero).
 * c: int32 [m, n], row stride ldc.
 */
typedef struct {
  int64_t m, n, k;
  const int8_t *a;
  int64_t lda;
  const void *packed_b;
  int32_t *c;
  int64_t ldc;
} bnrt_igemm_args;

/* Bytes of bnrt_igemm_pack's layout for a [k, n] right-hand side (the
 * same for every ISA). */
int64_t bnrt_igemm_packed_bytes(int64_t k, int64_t n);
/* Packs b[k, n] = src[k * stride_k + n * stride_n] into `out` (8-byte
 * aligned, bnrt_igemm_packed_bytes long). */
void bnrt_igemm_pack(const int8_t *src, int64_t k, int64_t n, int64_t stride_k,
                     int64_t stride_n, void *out);
/* Rows [m_begin, m_end) of the GEMM of `args` with `isa` (available). */
void bnrt_igemm(const bnrt_igemm_args *args, bnrt_isa isa, int64_t m_begin,
                int64_t m_end);

/* Float GEMM:
 *
 *   y[m, n] = sum_k x[m, k] * w[n, k] + bias[n]    (bias may be NULL)
 *
 * in one summation order on every ISA, so all paths give the same bits:
 * per output, one chain of fused multiply-adds over k in ascending order
 * from 0 (s = fma(x[m, k], w[n, k], s)), then + bias[n]. Where w[n, k] is
 * (w_layout):
 *   BNRT_SGEMM_W_ROWS     w[n * ldw + k]: a linear layer's [n, k] rows
 *   BNRT_SGEMM_W_COLUMNS  w[k * ldw + n]: [k, n], e.g. the V of P V
 *   BNRT_SGEMM_W_PANELS   ldw = k; the rows below 64 floor(n / 64) in
 *                         panels of 64 rows stored [k][64], the rest as
 *                         ROWS (bnrt/sgemm_panels.h: what the SIMD paths
 *                         read without repacking; a bundle's LinearF32
 *                         weights)
 */
enum {
  BNRT_SGEMM_W_ROWS = 0,
  BNRT_SGEMM_W_COLUMNS = 1,
  BNRT_SGEMM_W_PANELS = 2
};
typedef struct {
  int64_t m, n, k;
  const float *x;
  int64_t ldx;
  const float *w;
  int64_t ldw;
  const float *bias;
  float *y;
  int64_t ldy;
  int32_t w_layout; /* BNRT_SGEMM_W_*; 0 (ROWS) when left out */
} bnrt_sgemm_args;

/* Columns [n_begin, n_end) of the GEMM of `args` with `isa` (available). */
void bnrt_sgemm(const bnrt_sgemm_args *args, bnrt_isa isa, int64_t n_begin,
                int64_t n_end);

/* Bit-plane GEMM with float activations (weight-only binary, ternary and
 * TWS models), by table lookup, no multiplies:
 *
 *   y[m, n] = sum_p alpha[p, g(n)] * dot_p[m, n] + bias[n]   (planes in order)
 *   dot_p[m, n] = (..((0 + T_0[q_0]) + T_1[q_1]) + ..) + T_G-1[q_G-1]
 *   T_g[q] = ((v_0 + v_1) + v_2) + v_3,  v_t = -x[m, 4g + t] if bit t of q
 *            is set, else x[m, 4g + t]  (x = 0 past k)
 *
 * over the G = ceil(k / 4) groups of 4 columns, q_g the 4 sign bits of
 * weight row n of plane p there (bit t = column 4g + t, 1 = -1): T_g is the
 * table of the 16 signed sums of the group, q_g selects one. Float adds in
 * this order on every ISA, so all paths give the same bits. bits:
 * [planes, n, words] in the bitpack.h layout; alpha: [planes, n] when
 * per_row, else [planes]. patterns: the weights repacked for the SIMD paths
 * by bnrt_bgemm_f32_pack (NULL: the scalar path, from bits).
 */
typedef struct {
  int64_t m, n, k;
  const float *x;
  int64_t ldx;
  const uint64_t *bits;
  int32_t planes;
  const float *alpha;
  int32_t per_row;
  const float *bias;
  float *y;
  int64_t ldy;
  const uint8_t *patterns;
} bnrt_bgemm_f32_args;

/* Bytes of the patterns layout of `args`' weights (n, k, bits, planes) for
 * `isa`: 0 where that path reads bits (scalar). */
int64_t bnrt_bgemm_f32_packed_bytes(const bnrt_bgemm_f32_args *args,
                                    bnrt_isa isa);
/* Writes that many bytes to `out` (any alignment; 64 bytes is fastest). */
void bnrt_bgemm_f32_pack(const bnrt_bgemm_f32_args *args, bnrt_isa isa,
                         uint8_t *out);

/* Columns [n_begin, n_end) of `args` with `isa` (available). */
void bnrt_bgemm_f32(const bnrt_bgemm_f32_args *args, bnrt_isa isa,
                    int64_t n_begin, int64_t n_end);

/* Fully binary GEMM (1- and 2-bit activations x binary weight planes,
 * BiT-style W1A1 / W1A2): activations are bit planes too, so a product is
 * an XNOR (signed activations) or an AND (non-negative ones) and a dot
 * product a popcount:
 *
 *   y[m, n] = sum_i sum_p (x_scale[i] * alpha[p, g(n)]) * dot_ip[m, n]
 *             + bias[n]          (float, i-major then p, from 0, no FMA)
 *   signed (x_signed = 1), A in {-1, +1}, bit 1 = -1:
 *       dot_ip = k - 2 popcount(X_i[m] XOR B_p[n])
 *   non-negative (x_signed = 0), A in {0, 1}, bit 1 = 1:
 *       dot_ip = popcount(X_i[m]) - 2 popcount(X_i[m] AND B_p[n])
 *   ternary (x_mask not NULL), A in {-1, 0, +1}: x holds the signs (bit 1
 *   = -1), x_mask the nonzeros (bit 1 = nonzero; same layout):
 *       dot_ip = popcount(M_i[m]) - 2 popcount(M_i[m] AND (X_i[m] XOR B_p[n]))
 *
 * x: x_planes planes [x_planes, m, words] (words = bnrt_bitpack_row_words(k);
 *    bits past k zero; a 2-bit activation is 2 planes with their scales).
 * bits: [planes, n, words] in the bitpack.h layout (bit 1 = -1).
 * x_scale: [x_planes]. alpha: [planes, n] when per_row, else [planes].
 * bias: [n] or NULL. y: [m, n] f32, row stride ldy.
 * packed: the weights in bnrt_xgemm_pack's layout for the ISA used, or NULL
 * (the SIMD paths then run the scalar one).
 */
typedef struct {
  int64_t m, n, k;
  const uint64_t *x;
  int32_t x_planes;
  int32_t x_signed;
  const float *x_scale;
  const uint64_t *bits;
  int32_t planes;
  const float *alpha;
  int32_t per_row;
  const float *bias;
  float *y;
  int64_t ldy;
  const void *packed;
  const uint64_t *x_mask;
} bnrt_xgemm_args;

/* BiT's elastic binarization of float activations into bnrt_xgemm's bit
 * planes: per element v = (x - beta) / alpha (float32: a subtraction, then
 * a division; alpha > 0), and
 *   signed (x_signed = 1):       bit = v < 0      (value alpha * (+1 | -1))
 *   non-negative (x_signed = 0): bit = v > 0.5    (value alpha * (0 | 1):
 *                                round(clip(v, 0, 1)), halves to even)
 * Rows of k floats (stride ldx) become rows of bnrt_bitpack_row_words(k)
 * words at out, bits past k zero. python/bnbert/quantizers.py's
 * elastic_binarize is the same formula, tested bit for bit. */
void bnrt_binarize_rows(const float *x, int64_t rows, int64_t k, int64_t ldx,
                        float alpha, float beta, int x_signed, uint64_t *out);

/* Bytes of bnrt_xgemm_pack's layout of args' weights for `isa` (0 where
 * the path reads bits: scalar). */
int64_t bnrt_xgemm_packed_bytes(const bnrt_xgemm_args *args, bnrt_isa isa);
/* Writes it to `out` (64-byte aligned for speed). */
void bnrt_xgemm_pack(const bnrt_xgemm_args *args, bnrt_isa isa, void *out);
/* Rows [m_begin, m_end) x weight rows [n_begin, n_end) of `args` with
 * `isa` (available). */
void bnrt_xgemm(const bnrt_xgemm_args *args, bnrt_isa isa, int64_t m_begin,
                int64_t m_end, int64_t n_begin, int64_t n_end);

/* A pool of worker threads (created once; runs reuse them). */
typedef struct bnrt_threads bnrt_threads;
/* `threads` in total, the calling thread included (1 = inline). NULL when
 * threads < 1 or the threads cannot be started. */
bnrt_threads *bnrt_threads_create(int threads);
void bnrt_threads_destroy(bnrt_threads *pool);
int bnrt_threads_count(const bnrt_threads *pool);

/* The whole GEMM of `args`, split over weight rows (N) across `pool`
 * (NULL: the calling thread only). Same result as one bnrt_bgemm_a8 call. */
void bnrt_bgemm_a8_parallel(const bnrt_bgemm_args *args, bnrt_isa isa,
                            bnrt_threads *pool);
/* The whole GEMM of `args`, split over weight rows (N) across `pool`
 * (NULL: the calling thread only). Same result as one bnrt_bgemm_f32 call. */
void bnrt_bgemm_f32_parallel(const bnrt_bgemm_f32_args *args, bnrt_isa isa,
                             bnrt_threads *pool);
/* The whole float GEMM of `args`, split over weight rows (N) across `pool`
 * (NULL: the calling thread only). Same result as one bnrt_sgemm call. */
void bnrt_sgemm_parallel(const bnrt_sgemm_args *args, bnrt_isa isa,
                         bnrt_threads *pool);
/* The whole fully binary GEMM of `args`, split over weight rows (N) across
 * `pool` (NULL: the calling thread only). Same result as one bnrt_xgemm
 * call. */
void bnrt_xgemm_parallel(const bnrt_xgemm_args *args, bnrt_isa isa,
                         bnrt_threads *pool);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_KERNELS_H */
