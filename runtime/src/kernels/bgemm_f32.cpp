//===- bgemm_f32.cpp - float x bit planes: the definition, packing, dispatch =//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/bgemm_f32_impl.h"
#include "kernels/dispatch.h"

namespace bnrt {
namespace {

/// The 4 sign bits of weight row `row` of plane p at group `group`.
unsigned signsAt(const bnrt_bgemm_f32_args &g, int32_t p, int64_t row,
                 int64_t group) {
  int64_t words = (g.k + 63) / 64;
  uint64_t word = g.bits[(p * g.n + row) * words + group / 16];
  return static_cast<unsigned>(word >> (4 * (group % 16))) & 15;
}

/// T_g[q] = ((v0 + v1) + v2) + v3, v_t = -x[4g + t] where bit t of q is
/// set, else x[4g + t] (0 past k).
float tableEntry(const float *x, int64_t k, int64_t group, unsigned q) {
  float v[4];
  for (int t = 0; t < 4; ++t) {
    int64_t col = 4 * group + t;
    float value = col < k ? x[col] : 0.0f;
    v[t] = (q >> t) & 1 ? -value : value;
  }
  return ((v[0] + v[1]) + v[2]) + v[3];
}

} // namespace

/// The definition (bnrt/kernels.h) written out, from the packed bits.
void bgemmF32Scalar(const bnrt_bgemm_f32_args &g, int64_t n0, int64_t n1) {
  int64_t groups = (g.k + 3) / 4;
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t n = n0; n < n1; ++n) {
      float out = 0.0f;
      for (int32_t p = 0; p < g.planes; ++p) {
        float dot = 0.0f;
        for (int64_t group = 0; group < groups; ++group)
          dot = dot + tableEntry(g.x + i * g.ldx, g.k, group,
                                 signsAt(g, p, n, group));
        out = out + g.alpha[g.per_row ? p * g.n + n : p] * dot;
      }
      g.y[i * g.ldy + n] = g.bias ? out + g.bias[n] : out;
    }
}

} // namespace bnrt

extern "C" int64_t bnrt_bgemm_f32_packed_bytes(const bnrt_bgemm_f32_args *args,
                                               bnrt_isa isa) {
  if (isa == BNRT_ISA_SCALAR || args->n <= 0 || args->k <= 0)
    return 0;
  return bnrt::F32Patterns(*args).bytes(args->planes);
}

extern "C" void bnrt_bgemm_f32_pack(const bnrt_bgemm_f32_args *args,
                                    bnrt_isa isa, uint8_t *out) {
  if (bnrt_bgemm_f32_packed_bytes(args, isa) == 0)
    return;
  const bnrt_bgemm_f32_args &g = *args;
  bnrt::F32Patterns layout(g);
  for (int32_t p = 0; p < g.planes; ++p)
    for (int64_t b = 0; b < layout.blocks; ++b) {
      uint8_t *block = out + layout.offset(p, b);
      for (int64_t r = 0; r < 16; ++r) {
        int64_t row = 16 * b + r;
        for (int64_t h = 0; h < layout.pairs; ++h) {
          unsigned low = 0, high = 0;
          if (row < g.n) {
            low = bnrt::signsAt(g, p, row, 2 * h);
            if (2 * h + 1 < layout.groups)
              high = bnrt::signsAt(g, p, row, 2 * h + 1);
          }
          block[h * 16 + r] = static_cast<uint8_t>(low | high << 4);
        }
      }
    }
}

extern "C" void bnrt_bgemm_f32(const bnrt_bgemm_f32_args *args, bnrt_isa isa,
                               int64_t n_begin, int64_t n_end) {
  // The SIMD paths read the patterns layout; without it, the scalar one.
  bnrt::BgemmF32Fn fn =
      args->patterns ? bnrt::isaKernels(isa).bgemmF32 : bnrt::bgemmF32Scalar;
  if (n_begin < n_end && args->m > 0)
    fn(*args, n_begin, n_end);
}
