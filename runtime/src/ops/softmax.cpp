//===- softmax.cpp - Softmax along one axis (in double, or integers) ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../scratch.h"
#include "bnrt/integer_nonlinear.h"
#include "op_kernel.h"

#include <algorithm>
#include <cmath>

namespace bnrt {
namespace {

void check(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.in[0], c.out[0]});
  c.sameShape(c.in[0], c.out[0]);
  int64_t axis = c.op.options_as_SoftmaxOptions()->axis();
  if (axis < 0 || axis >= static_cast<int64_t>(c.shape(c.in[0]).size()))
    c.fail("axis out of range");
}

void run(const fb::Op &op, const std::vector<View> &in,
         const std::vector<View> &out, OpContext &) {
  const auto &shape = in[0].shape;
  int64_t axis = op.options_as_SoftmaxOptions()->axis();
  int64_t len = shape[axis], inner = 1, outer = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  if (op.options_as_SoftmaxOptions()->integer()) {
    const integer::ExpConstants exps = integer::expConstants();
    auto *work = threadScratch<int32_t>(ScratchSlot::FixedPointRow, len);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        integer::softmax(in[0].f32() + o * len * inner + i,
                         out[0].f32() + o * len * inner + i, len, inner, work,
                         exps);
    return;
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float *x = in[0].f32() + o * len * inner + i;
      float *res = out[0].f32() + o * len * inner + i;
      float mx = -INFINITY;
      for (int64_t j = 0; j < len; ++j)
        mx = std::max(mx, x[j * inner]);
      double sum = 0;
      for (int64_t j = 0; j < len; ++j)
        sum += std::exp(double(x[j * inner] - mx));
      for (int64_t j = 0; j < len; ++j)
        res[j * inner] =
            static_cast<float>(std::exp(double(x[j * inner] - mx)) / sum);
    }
}

} // namespace

extern const OpKernel kSoftmaxOp = {fb::OpCode::Softmax,
                                    fb::OpOptions::SoftmaxOptions, check, run};

} // namespace bnrt
