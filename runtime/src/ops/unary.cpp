//===- unary.cpp - elementwise functions: Gelu, Tanh, Clamp, Unary --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/vec_kernels.h"
#include "op_kernel.h"
#include "op_util.h"

#include <algorithm>
#include <cmath>

namespace bnrt {
namespace {

void checkElementwise(const OpCheck &c) {
  c.arity(1, 1, 1);
  c.needF32({c.in[0], c.out[0]});
  c.sameShape(c.in[0], c.out[0]);
}

void runGelu(const fb::Op &op, const std::vector<View> &in,
             const std::vector<View> &out, OpContext &ctx) {
  bool tanh = op.options_as_GeluOptions()->tanh_approximation();
  const VecKernels &vec = vecKernels(ctx.isa);
  if (op.options_as_GeluOptions()->integer()) {
    chunked(ctx.pool, out[0].numElements(), [&](int64_t i0, int64_t i1) {
      vec.integerGelu(in[0].f32() + i0, out[0].f32() + i0, i1 - i0);
    });
    return;
  }
  chunked(ctx.pool, out[0].numElements(), [&](int64_t i0, int64_t i1) {
    vec.gelu(in[0].f32() + i0, out[0].f32() + i0, i1 - i0, tanh);
  });
}

void runTanh(const fb::Op &, const std::vector<View> &in,
             const std::vector<View> &out, OpContext &) {
  mapElements(in[0], out[0], [](float x) { return viaDouble(std::tanh, x); });
}

void runClamp(const fb::Op &op, const std::vector<View> &in,
              const std::vector<View> &out, OpContext &) {
  float lo = op.options_as_ClampOptions()->min(),
        hi = op.options_as_ClampOptions()->max();
  mapElements(in[0], out[0],
              [&](float x) { return std::min(std::max(x, lo), hi); });
}

void checkUnary(const OpCheck &c) {
  checkElementwise(c);
  auto f = c.op.options_as_UnaryOptions()->function();
  if (f < fb::UnaryFunction::MIN || f > fb::UnaryFunction::MAX)
    c.fail("unknown function");
}

void runUnary(const fb::Op &op, const std::vector<View> &in,
              const std::vector<View> &out, OpContext &) {
  const View &x = in[0], &y = out[0];
  switch (op.options_as_UnaryOptions()->function()) {
  case fb::UnaryFunction::Erf:
    mapElements(x, y, [](float v) { return viaDouble(std::erf, v); });
    break;
  case fb::UnaryFunction::Sqrt:
    mapElements(x, y, [](float v) { return std::sqrt(v); });
    break;
  case fb::UnaryFunction::Exp:
    mapElements(x, y, [](float v) { return viaDouble(std::exp, v); });
    break;
  case fb::UnaryFunction::Neg:
    mapElements(x, y, [](float v) { return -v; });
    break;
  case fb::UnaryFunction::Relu:
    mapElements(x, y, [](float v) { return v > 0 ? v : 0.0f; });
    break;
  case fb::UnaryFunction::Sigmoid:
    mapElements(
        x, y, [](float v) { return 1.0f / (1.0f + viaDouble(std::exp, -v)); });
    break;
  }
}

} // namespace

extern const OpKernel kGeluOp = {fb::OpCode::Gelu, fb::OpOptions::GeluOptions,
                                 checkElementwise, runGelu};
extern const OpKernel kTanhOp = {fb::OpCode::Tanh, fb::OpOptions::NONE,
                                 checkElementwise, runTanh};
extern const OpKernel kClampOp = {
    fb::OpCode::Clamp, fb::OpOptions::ClampOptions, checkElementwise, runClamp};
extern const OpKernel kUnaryOp = {
    fb::OpCode::Unary, fb::OpOptions::UnaryOptions, checkUnary, runUnary};

} // namespace bnrt
