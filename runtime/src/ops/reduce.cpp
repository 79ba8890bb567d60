//===- reduce.cpp - ReduceSum (last axis) and ReduceMean (any axes) -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "../scratch.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>

namespace bnrt {
namespace {

void checkReduceSum(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.in[0], c.out[0]});
  const auto &x = c.shape(c.in[0]);
  if (x.empty() ||
      c.shape(c.out[0]) != std::vector<int64_t>(x.begin(), x.end() - 1))
    c.fail("result must drop the last axis");
}

void runReduceSum(const fb::Op &, const std::vector<View> &in,
                  const std::vector<View> &out, OpContext &) {
  int64_t inner = in[0].shape.back(), rows = in[0].numElements() / inner;
  for (int64_t r = 0; r < rows; ++r) {
    float acc = 0;
    for (int64_t j = 0; j < inner; ++j)
      acc += in[0].f32()[r * inner + j];
    out[0].f32()[r] = acc;
  }
}

// Reduced axes are kept with size 1.
void checkReduceMean(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.in[0], c.out[0]});
  std::vector<int64_t> expected = c.shape(c.in[0]);
  auto axes = c.op.options_as_ReduceMeanOptions()->axes();
  if (axes)
    for (int64_t axis : *axes) {
      if (axis < 0 || axis >= static_cast<int64_t>(expected.size()))
        c.fail("axis out of range");
      expected[axis] = 1;
    }
  if (c.shape(c.out[0]) != expected)
    c.fail("result shape does not keep the reduced axes");
}

void runReduceMean(const fb::Op &, const std::vector<View> &in,
                   const std::vector<View> &out, OpContext &) {
  const View &x = in[0];
  Strides is = stridesOf(x.shape), os = stridesOf(out[0].shape);
  int64_t outCount = out[0].numElements();
  double *sums = threadScratch<double>(ScratchSlot::ReduceMeanSums, outCount);
  std::fill(sums, sums + outCount, 0.0);
  int64_t n = x.numElements();
  for (int64_t i = 0; i < n; ++i) {
    int64_t o = 0;
    for (size_t d = 0; d < x.shape.size(); ++d)
      if (out[0].shape[d] != 1)
        o += ((i / is[d]) % x.shape[d]) * os[d];
    sums[o] += x.f32()[i];
  }
  double count = double(x.numElements()) / double(outCount);
  for (int64_t o = 0; o < outCount; ++o)
    out[0].f32()[o] = static_cast<float>(sums[o] / count);
}

} // namespace

extern const OpKernel kReduceSumOp = {
    fb::OpCode::ReduceSum, fb::OpOptions::NONE, checkReduceSum, runReduceSum};
extern const OpKernel kReduceMeanOp = {fb::OpCode::ReduceMean,
                                       fb::OpOptions::ReduceMeanOptions,
                                       checkReduceMean, runReduceMean};

} // namespace bnrt
