//===- batch_matmul.cpp - BatchMatmul: float products of activations ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../thread_pool.h"
#include "bnrt/kernels.h"
#include "op_kernel.h"

#include <algorithm>

namespace bnrt {
namespace {

// a [..., M, K], b [..., K, N] (or [..., N, K] transposed) -> [..., M, N]
void check(const OpCheck &c) {
  c.arity(2, 2, 1);
  c.needF32({c.in[0], c.in[1], c.out[0]});
  const auto &a = c.shape(c.in[0]), &b = c.shape(c.in[1]);
  size_t r = a.size();
  if (r < 2 || b.size() != r || !std::equal(a.begin(), a.end() - 2, b.begin()))
    c.fail("operands need equal batch dimensions");
  bool t = c.op.options_as_BatchMatmulOptions()->transpose_rhs();
  int64_t k = t ? b[r - 1] : b[r - 2], n = t ? b[r - 2] : b[r - 1];
  std::vector<int64_t> expected(a.begin(), a.end() - 1);
  expected.push_back(n);
  if (a[r - 1] != k || c.shape(c.out[0]) != expected)
    c.fail("inner dimensions or result shape do not agree");
}

// One bnrt_sgemm per batch entry, entries split across the pool; the
// right-hand side read in place, [K, N] (columns) or [N, K] (rows).
void run(const fb::Op &op, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &ctx) {
  const View &a = in[0], &b = in[1];
  bool transposeRhs = op.options_as_BatchMatmulOptions()->transpose_rhs();
  size_t r = a.shape.size();
  int64_t m = a.shape[r - 2], k = a.shape[r - 1];
  int64_t n = transposeRhs ? b.shape[r - 2] : b.shape[r - 1];
  int64_t batch = a.numElements() / (m * k);
  auto isa = static_cast<bnrt_isa>(ctx.isa);
  parallelFor(ctx.pool, batch, [&](int64_t p) {
    bnrt_sgemm_args args{m,
                         n,
                         k,
                         a.f32() + p * m * k,
                         k,
                         b.f32() + p * k * n,
                         transposeRhs ? k : n,
                         nullptr,
                         out[0].f32() + p * m * n,
                         n,
                         transposeRhs ? BNRT_SGEMM_W_ROWS
                                      : BNRT_SGEMM_W_COLUMNS};
    bnrt_sgemm(&args, isa, 0, n);
  });
}

} // namespace

extern const OpKernel kBatchMatmulOp = {
    fb::OpCode::BatchMatmul, fb::OpOptions::BatchMatmulOptions, check, run};

} // namespace bnrt
