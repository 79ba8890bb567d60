//===- layout.cpp - data movement: Copy, Transpose, Slice, Cast -----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/bundle_format.h"
#include "op_kernel.h"
#include "op_util.h"

#include <cstring>

namespace bnrt {
namespace {

// Reshape and function results: same element count and dtype.
void checkCopy(const OpCheck &c) {
  c.arity(1, 1, 1);
  if (c.count(c.in[0]) != c.count(c.out[0]) ||
      c.dtype(c.in[0]) != c.dtype(c.out[0]))
    c.fail("copies need equal element counts and dtypes");
}

void runCopy(const fb::Op &, const std::vector<View> &in,
             const std::vector<View> &out, OpContext &) {
  int64_t bytes = in[0].numElements() * fb::elementBytes(in[0].dtype);
  if (out[0].data != in[0].data)
    std::memmove(out[0].data, in[0].data, bytes);
}

void checkTranspose(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.in[0], c.out[0]});
  const auto &x = c.shape(c.in[0]);
  auto perm = c.op.options_as_TransposeOptions()->permutation();
  if (!perm || perm->size() != x.size() || c.shape(c.out[0]).size() != x.size())
    c.fail("permutation rank does not match");
  std::vector<bool> seen(x.size(), false);
  for (size_t d = 0; d < x.size(); ++d) {
    int64_t p = perm->Get(d);
    if (p < 0 || p >= static_cast<int64_t>(x.size()) || seen[p] ||
        c.shape(c.out[0])[d] != x[p])
      c.fail("invalid permutation");
    seen[p] = true;
  }
}

void runTranspose(const fb::Op &op, const std::vector<View> &in,
                  const std::vector<View> &out, OpContext &) {
  const View &x = in[0];
  auto perm = op.options_as_TransposeOptions()->permutation();
  size_t rank = x.shape.size();
  Strides is = stridesOf(x.shape), os = stridesOf(out[0].shape);
  int64_t n = x.numElements();
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += ((o / os[d]) % out[0].shape[d]) * is[perm->Get(d)];
    out[0].f32()[o] = x.f32()[src];
  }
}

void checkSlice(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.in[0], c.out[0]});
  const auto &x = c.shape(c.in[0]), &o = c.shape(c.out[0]);
  auto offsets = c.op.options_as_SliceOptions()->offsets();
  if (!offsets || offsets->size() != x.size() || o.size() != x.size())
    c.fail("offsets rank does not match");
  for (size_t d = 0; d < x.size(); ++d) {
    int64_t off = offsets->Get(d);
    if (off < 0 || off > x[d] || o[d] > x[d] - off)
      c.fail("slice exceeds its input");
  }
}

void runSlice(const fb::Op &op, const std::vector<View> &in,
              const std::vector<View> &out, OpContext &) {
  const View &x = in[0];
  auto offsets = op.options_as_SliceOptions()->offsets();
  size_t rank = x.shape.size();
  Strides is = stridesOf(x.shape), os = stridesOf(out[0].shape);
  int64_t n = out[0].numElements();
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += ((o / os[d]) % out[0].shape[d] + offsets->Get(d)) * is[d];
    out[0].f32()[o] = x.f32()[src];
  }
}

void checkCast(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.sameShape(c.in[0], c.out[0]);
}

void runCast(const fb::Op &, const std::vector<View> &in,
             const std::vector<View> &out, OpContext &) {
  int64_t n = in[0].numElements();
  for (int64_t i = 0; i < n; ++i) {
    switch (out[0].dtype) {
    case fb::DType::F32:
      out[0].f32()[i] = static_cast<float>(in[0].numberAt(i));
      break;
    case fb::DType::I64:
      static_cast<int64_t *>(out[0].data)[i] = in[0].intAt(i);
      break;
    case fb::DType::I32:
      static_cast<int32_t *>(out[0].data)[i] =
          static_cast<int32_t>(in[0].intAt(i));
      break;
    case fb::DType::Bool:
      static_cast<uint8_t *>(out[0].data)[i] = in[0].numberAt(i) != 0;
      break;
    default:
      out[0].i8()[i] = static_cast<int8_t>(in[0].intAt(i));
    }
  }
}

} // namespace

extern const OpKernel kCopyOp = {fb::OpCode::Copy, fb::OpOptions::NONE,
                                 checkCopy, runCopy};
extern const OpKernel kTransposeOp = {fb::OpCode::Transpose,
                                      fb::OpOptions::TransposeOptions,
                                      checkTranspose, runTranspose};
extern const OpKernel kSliceOp = {
    fb::OpCode::Slice, fb::OpOptions::SliceOptions, checkSlice, runSlice};
extern const OpKernel kCastOp = {fb::OpCode::Cast, fb::OpOptions::NONE,
                                 checkCast, runCast};

} // namespace bnrt
