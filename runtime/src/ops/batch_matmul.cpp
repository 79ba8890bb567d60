//===- batch_matmul.cpp - BatchMatmul: float products of activations ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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

bool run(const fb::Op &op, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &, std::string &) {
  const View &a = in[0], &b = in[1];
  bool transposeRhs = op.options_as_BatchMatmulOptions()->transpose_rhs();
  size_t r = a.shape.size();
  int64_t m = a.shape[r - 2], k = a.shape[r - 1];
  int64_t n = transposeRhs ? b.shape[r - 2] : b.shape[r - 1];
  int64_t batch = a.numElements() / (m * k);
  for (int64_t p = 0; p < batch; ++p) {
    const float *A = a.f32() + p * m * k, *B = b.f32() + p * k * n;
    float *C = out[0].f32() + p * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float acc = 0;
        for (int64_t t = 0; t < k; ++t)
          acc += A[i * k + t] * (transposeRhs ? B[j * k + t] : B[t * n + j]);
        C[i * n + j] = acc;
      }
  }
  return true;
}

} // namespace

extern const OpKernel kBatchMatmulOp = {
    fb::OpCode::BatchMatmul, fb::OpOptions::BatchMatmulOptions, check, run};

} // namespace bnrt
