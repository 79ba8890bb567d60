//===- embedding.cpp - Embedding and EmbeddingBits: row lookups -----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/bitpack.h"
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>
#include <cstring>

namespace bnrt {
namespace {

// table [V, H] f32, ids -> ids.shape + [H]
void checkEmbedding(const OpCheck &c) {
  c.arity(2, 2, 1);
  c.needF32({c.in[0], c.out[0]});
  if (c.shape(c.in[0]).size() != 2 || c.dtype(c.in[1]) == fb::DType::F32)
    c.fail("needs a [V, H] table and integer ids");
  std::vector<int64_t> expected = c.shape(c.in[1]);
  expected.push_back(c.shape(c.in[0])[1]);
  if (c.shape(c.out[0]) != expected)
    c.fail("result shape is not ids.shape + [H]");
}

void runEmbedding(const fb::Op &, const std::vector<View> &in,
                  const std::vector<View> &out, OpContext &) {
  const View &table = in[0], &ids = in[1];
  int64_t vocab = table.shape[0], h = table.shape[1];
  for (int64_t i = 0, n = ids.numElements(); i < n; ++i) {
    int64_t id = ids.intAt(i);
    if (id < 0 || id >= vocab)
      throw Error(BNRT_ERROR_ARGUMENT, idError(id, i, vocab));
    std::memcpy(out[0].f32() + i * h, table.f32() + id * h, h * 4);
  }
}

// bits [P, V, W] i64, plane scales [P, 1 | V], ids -> ids.shape + [H]
void checkEmbeddingBits(const OpCheck &c) {
  c.arity(3, 3, 1);
  const auto &bits = c.shape(c.in[0]), &alpha = c.shape(c.in[1]),
             &o = c.shape(c.out[0]);
  c.needF32({c.in[1], c.out[0]});
  if (c.dtype(c.in[0]) != fb::DType::I64 ||
      c.dtype(c.in[2]) == fb::DType::F32 || bits.size() != 3 || bits[0] < 1 ||
      bits[0] > 8 || o.empty() || bits[2] != bnrt_bitpack_row_words(o.back()) ||
      alpha.size() != 2 || alpha[0] != bits[0] ||
      (alpha[1] != 1 && alpha[1] != bits[1]))
    c.fail("bit planes, scales, ids and result do not agree");
  std::vector<int64_t> expected = c.shape(c.in[2]);
  expected.push_back(o.back());
  if (o != expected)
    c.fail("result shape is not ids.shape + [H]");
}

// Row id of W = sum_p alpha_p(id) B_p, decoded from the packed planes;
// the ids are checked first (a bad one is an error before any row is
// written), then rows are decoded in chunks across the pool.
void runEmbeddingBits(const fb::Op &, const std::vector<View> &in,
                      const std::vector<View> &out, OpContext &ctx) {
  const View &bits = in[0], &alpha = in[1], &ids = in[2];
  int64_t planes = bits.shape[0], vocab = bits.shape[1];
  bool perRow = alpha.shape[1] != 1;
  int64_t h = out[0].shape.back(), words = bits.shape[2];
  int64_t n = ids.numElements();
  for (int64_t i = 0; i < n; ++i)
    if (int64_t id = ids.intAt(i); id < 0 || id >= vocab)
      throw Error(BNRT_ERROR_ARGUMENT, idError(id, i, vocab));
  const uint64_t *planeBits = static_cast<const uint64_t *>(bits.data);
  const VecKernels &vec = vecKernels(ctx.isa);
  chunked(
      ctx.pool, n,
      [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          int64_t id = ids.intAt(i);
          float *row = out[0].f32() + i * h;
          std::fill(row, row + h, 0.0f);
          for (int64_t p = 0; p < planes; ++p)
            vec.addSigns(
                planeBits + (p * vocab + id) * words, h,
                alpha.f32()[p * (perRow ? vocab : 1) + (perRow ? id : 0)], row);
        }
      },
      h);
}

} // namespace

extern const OpKernel kEmbeddingOp = {
    fb::OpCode::Embedding, fb::OpOptions::NONE, checkEmbedding, runEmbedding};
extern const OpKernel kEmbeddingBitsOp = {fb::OpCode::EmbeddingBits,
                                          fb::OpOptions::NONE,
                                          checkEmbeddingBits, runEmbeddingBits};

} // namespace bnrt
