//===- bgemm_f32_impl.h - float activations x bit planes -------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnrt_bgemm_f32 (bnrt/kernels.h): weight-only binary, ternary and TWS
// layers keep their packed signs and never multiply: per activation row
// and group of 4 columns a table of the 16 signed sums of its 4 values
// (T-MAC's form, float tables), and each weight row adds the entry its 4
// signs select. The SIMD paths vectorize over weight rows: the weights are
// repacked at load into one byte per weight row and pair of groups (the
// patterns layout below), 16 weight rows per vector, and one table lookup
// (vpermps, tbl) gives 16 rows x 4 columns. Every path computes the
// definition's float operations in its order, so all give the same bits.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_BGEMM_F32_IMPL_H
#define BNRT_SRC_BGEMM_F32_IMPL_H

#include "kernels/sgemm_impl.h"
#include "scratch.h"

#include <algorithm>
#include <cstdint>

namespace bnrt {

using BgemmF32Fn = void (*)(const bnrt_bgemm_f32_args &, int64_t n0,
                            int64_t n1);

void bgemmF32Scalar(const bnrt_bgemm_f32_args &, int64_t, int64_t);
#if defined(__x86_64__)
void bgemmF32Avx2(const bnrt_bgemm_f32_args &, int64_t, int64_t);
void bgemmF32Avx512(const bnrt_bgemm_f32_args &, int64_t, int64_t);
#endif
#if defined(__aarch64__)
void bgemmF32Neon(const bnrt_bgemm_f32_args &, int64_t, int64_t);
#endif

/// Activation rows per tile of the lookup paths (each row's tables are
/// built once per tile): threads split rows in multiples of it.
constexpr int kBgemmF32Rows = 4;

/// Where the patterns layout keeps what: for plane p, block b of 16 weight
/// rows and pair h of groups (2h, 2h + 1), 16 bytes, byte r the signs of
/// weight row 16 b + r there: q(2h) | q(2h + 1) << 4, q(g) the 4 bits of
/// columns 4g .. 4g + 3 (bit t = column 4g + t, 1 = -1). Rows past n and
/// groups past the last are 0.
struct F32Patterns {
  int64_t groups, pairs, blocks;
  explicit F32Patterns(const bnrt_bgemm_f32_args &g)
      : groups((g.k + 3) / 4), pairs((groups + 1) / 2),
        blocks((g.n + 15) / 16) {}
  int64_t bytes(int32_t planes) const { return planes * blocks * pairs * 16; }
  int64_t offset(int32_t p, int64_t block) const {
    return (p * blocks + block) * pairs * 16;
  }
};

namespace {

/// The outputs [n, n + count) of row `y` after plane p's dots: the
/// definition's out = out + alpha dot (out = 0 before plane 0), + bias
/// after the last plane, with y holding out between planes.
inline void finishOutputs(const bnrt_bgemm_f32_args &g, int32_t p, int64_t n,
                          int64_t count, const float *dots, float *y) {
  const float *alpha = g.per_row ? g.alpha + p * g.n + n : nullptr;
  float scale = g.alpha[p];
  bool last = p == g.planes - 1;
  for (int64_t l = 0; l < count; ++l) {
    float a = alpha ? alpha[l] : scale;
    float out = (p == 0 ? 0.0f : y[l]) + a * dots[l];
    y[l] = last && g.bias ? out + g.bias[n + l] : out;
  }
}

/// Outputs [0, m) x [n0, n1) for an ISA's `K`: K::kRows activation rows
/// per tile; K::buildTables(x row, k, out) writes the row's tables, 16
/// floats per group; K::tile<R, C>(layout, tables, patterns, rows ..,
/// dots) sums R rows x C blocks of 16 weight rows into dots[r][16 c + l].
/// Tables are built once per row block and serve every plane and block.
template <class K>
void bgemmF32Tiles(const bnrt_bgemm_f32_args &g, int64_t n0, int64_t n1) {
  F32Patterns layout(g);
  int64_t rowTables = layout.groups * 16;
  float *tables =
      threadScratch<float>(ScratchSlot::FloatTables, K::kRows * rowTables);
  int64_t b0 = n0 / 16, b1 = (n1 + 15) / 16;
  for (int64_t i = 0; i < g.m; i += K::kRows) {
    int64_t rows = std::min<int64_t>(K::kRows, g.m - i);
    for (int64_t r = 0; r < rows; ++r)
      K::buildTables(g.x + (i + r) * g.ldx, g.k, tables + r * rowTables);
    for (int32_t p = 0; p < g.planes; ++p)
      for (int64_t b = b0; b < b1; b += K::kBlocks) {
        float dots[K::kRows][K::kBlocks * 16];
        withBlockShape<K::kRows, K::kBlocks>(
            rows, b1 - b, [&](auto rr, auto cc) {
              constexpr int R = decltype(rr)::value, C = decltype(cc)::value;
              K::template tile<R, C>(layout, tables,
                                     g.patterns + layout.offset(p, b), dots);
            });
        int64_t c0 = std::max(n0, 16 * b);
        int64_t c1 = std::min(n1, 16 * (b + K::kBlocks));
        for (int64_t r = 0; r < rows; ++r)
          finishOutputs(g, p, c0, c1 - c0, dots[r] + (c0 - 16 * b),
                        g.y + (i + r) * g.ldy + c0);
      }
  }
}

} // namespace
} // namespace bnrt

#endif // BNRT_SRC_BGEMM_F32_IMPL_H
