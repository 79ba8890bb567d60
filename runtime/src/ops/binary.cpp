//===- binary.cpp - Add, Sub, Mul, Div, Pow with NumPy broadcasting -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>
#include <cmath>

namespace bnrt {
namespace {

void check(const OpCheck &c) {
  c.arity(2, 2, 1);
  c.needF32({c.in[0], c.in[1], c.out[0]});
  const auto &a = c.shape(c.in[0]), &b = c.shape(c.in[1]),
             &o = c.shape(c.out[0]);
  size_t r = std::max(a.size(), b.size());
  if (o.size() != r)
    c.fail("result rank is not the broadcast rank");
  for (size_t d = 0; d < r; ++d) {
    int64_t da = d + a.size() >= r ? a[d + a.size() - r] : 1;
    int64_t db = d + b.size() >= r ? b[d + b.size() - r] : 1;
    int64_t want = da == 1 ? db : da;
    if ((da != db && da != 1 && db != 1) || o[d] != want)
      c.fail("operands do not broadcast to the result");
  }
}

/// out = f(a, b) with NumPy broadcasting (shapes checked at load).
template <typename F>
void broadcast(const View &a, const View &b, const View &out, F f) {
  int64_t rank = out.shape.size(), n = out.numElements();
  const float *pa = a.f32(), *pb = b.f32();
  float *po = out.f32();
  if (a.shape == out.shape && b.shape == out.shape) {
    for (int64_t i = 0; i < n; ++i)
      po[i] = f(pa[i], pb[i]);
    return;
  }
  // Strides of a and b in the output's index space (0 on broadcast dims).
  auto aligned = [&](const View &v) {
    Strides st, own = stridesOf(v.shape);
    int64_t off = rank - int64_t(v.shape.size());
    for (int64_t d = 0; d < int64_t(v.shape.size()); ++d)
      st.at[off + d] = v.shape[d] == 1 ? 0 : own[d];
    return st;
  };
  Strides sa = aligned(a), sb = aligned(b), so = stridesOf(out.shape);
  int64_t inner = rank ? out.shape[rank - 1] : 1;
  for (int64_t base = 0; base < n; base += inner) {
    int64_t ia = 0, ib = 0;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      int64_t c = (base / so[d]) % out.shape[d];
      ia += c * sa[d];
      ib += c * sb[d];
    }
    int64_t da = rank ? sa[rank - 1] : 0, db = rank ? sb[rank - 1] : 0;
    for (int64_t j = 0; j < inner; ++j)
      po[base + j] = f(pa[ia + j * da], pb[ib + j * db]);
  }
}

void runAdd(const fb::Op &, const std::vector<View> &in,
            const std::vector<View> &out, OpContext &ctx) {
  if (in[0].shape == in[1].shape) { // residual adds: vectorized, chunked
    const VecKernels &vec = vecKernels(ctx.isa);
    chunked(ctx.pool, out[0].numElements(), [&](int64_t i0, int64_t i1) {
      vec.add(in[0].f32() + i0, in[1].f32() + i0, out[0].f32() + i0, i1 - i0);
    });
    return;
  }
  broadcast(in[0], in[1], out[0], [](float a, float b) { return a + b; });
}

void runSub(const fb::Op &, const std::vector<View> &in,
            const std::vector<View> &out, OpContext &) {
  broadcast(in[0], in[1], out[0], [](float a, float b) { return a - b; });
}

void runMul(const fb::Op &, const std::vector<View> &in,
            const std::vector<View> &out, OpContext &) {
  broadcast(in[0], in[1], out[0], [](float a, float b) { return a * b; });
}

void runDiv(const fb::Op &, const std::vector<View> &in,
            const std::vector<View> &out, OpContext &) {
  broadcast(in[0], in[1], out[0], [](float a, float b) { return a / b; });
}

void runPow(const fb::Op &, const std::vector<View> &in,
            const std::vector<View> &out, OpContext &) {
  broadcast(in[0], in[1], out[0],
            [](float a, float b) { return std::pow(a, b); });
}

} // namespace

extern const OpKernel kAddOp = {fb::OpCode::Add, fb::OpOptions::NONE, check,
                                runAdd};
extern const OpKernel kSubOp = {fb::OpCode::Sub, fb::OpOptions::NONE, check,
                                runSub};
extern const OpKernel kMulOp = {fb::OpCode::Mul, fb::OpOptions::NONE, check,
                                runMul};
extern const OpKernel kDivOp = {fb::OpCode::Div, fb::OpOptions::NONE, check,
                                runDiv};
extern const OpKernel kPowOp = {fb::OpCode::Pow, fb::OpOptions::NONE, check,
                                runPow};

} // namespace bnrt
