//===- linear_i8.cpp - LinearI8: int8 codes x int8 weight -----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../scratch.h"
#include "bnrt/kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>

namespace bnrt {
namespace {

// codes i8 [..., K], codes scale [1 | B], weight i8 [N, K],
// weight scale [1 | N], bias? [N] -> [..., N]
void check(const OpCheck &c) {
  c.arity(4, 5, 1);
  const auto &x = c.shape(c.in[0]), &w = c.shape(c.in[2]);
  if (c.dtype(c.in[0]) != fb::DType::I8 || c.dtype(c.in[2]) != fb::DType::I8)
    c.fail("needs int8 codes and an int8 weight");
  c.needF32({c.in[1], c.in[3], c.out[0]});
  if (!c.sequenceScale(c.in[1], x) || x.empty() || w.size() != 2 ||
      x.back() != w[1] || c.shape(c.out[0]) != c.withLast(x, w[0]) ||
      (c.count(c.in[3]) != 1 && c.count(c.in[3]) != w[0]))
    c.fail("codes, weight, scales and result do not agree");
  if (c.in.size() == 5) {
    c.needF32({c.in[4]});
    if (c.shape(c.in[4]) != std::vector<int64_t>{w[0]})
      c.fail("bias must be [N]");
  }
}

// igemm's right-hand side b[k][n] = W[n][k]; the same for every ISA.
void pack(const fb::Op &, const std::vector<View> &in, int,
          AlignedVector<uint64_t> &packed) {
  const View &weight = in[2];
  int64_t n = weight.shape[0], k = weight.shape[1];
  packed.assign((bnrt_igemm_packed_bytes(k, n) + 7) / 8, 0);
  bnrt_igemm_pack(weight.i8(), k, n, 1, k, packed.data());
}

// y = x_scale * (w_scale(n) * sum_k codes[m, k] W[n, k]) + bias[n], the
// sums exact on igemm; row tiles across the pool.
void run(const fb::Op &, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  const View &codes = in[0], &weight = in[2];
  const float *xScales = in[1].f32(), *wScale = in[3].f32();
  const float *bias = in.size() > 4 ? in[4].f32() : nullptr;
  bool perRow = in[3].numElements() != 1;
  int64_t k = codes.shape.back(), m = codes.numElements() / k;
  int64_t n = weight.shape[0], lda = (k + 3) / 4 * 4;
  // One x scale, or one per sequence of m / sequences rows.
  int64_t rowsPerScale = m / in[1].numElements();
  // igemm reads rows in whole 4-byte pieces.
  const int8_t *x = paddedRows(codes.i8(), m, k, lda, *ctx.scratch);
  constexpr int64_t kTile = 16;
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  parallelFor(ctx.pool, (m + kTile - 1) / kTile, [&](int64_t t) {
    int64_t m0 = t * kTile, rows = std::min(kTile, m - m0);
    int32_t *dots =
        threadScratch<int32_t>(ScratchSlot::LinearI8Dots, kTile * n);
    bnrt_igemm_args args{rows, n, k, x + m0 * lda, lda, ctx.packedWeights,
                         dots, n};
    bnrt_igemm(&args, isa, 0, rows);
    for (int64_t i = 0; i < rows; ++i) {
      float *y = out[0].f32() + (m0 + i) * n;
      float xScale = xScales[(m0 + i) / rowsPerScale];
      for (int64_t j = 0; j < n; ++j) {
        float v = xScale * (wScale[perRow ? j : 0] *
                            static_cast<float>(dots[i * n + j]));
        y[j] = bias ? v + bias[j] : v;
      }
    }
  });
}

} // namespace

extern const OpKernel kLinearI8Op = {fb::OpCode::LinearI8, fb::OpOptions::NONE,
                                     check, run, pack};

} // namespace bnrt
