//===- op_check.cpp - what an op's load-time check can ask ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/bitpack.h"
#include "op_kernel.h"

#include <stdexcept>

namespace bnrt {

OpCheck::OpCheck(const fb::Bundle &bundle, const fb::Op &op,
                 const std::vector<std::vector<int64_t>> &shapes,
                 const std::vector<int32_t> &producers, std::string label)
    : op(op), in(op.inputs()->begin(), op.inputs()->end()),
      out(op.outputs()->begin(), op.outputs()->end()), bundle(bundle),
      shapes(shapes), producers(producers), label(std::move(label)) {}

void OpCheck::fail(const std::string &why) const {
  throw Error(BNRT_ERROR_INVALID, label + ": " + why);
}

fb::DType OpCheck::dtype(int32_t id) const {
  return bundle.values()->Get(id)->dtype();
}

int64_t OpCheck::count(int32_t id) const {
  int64_t n = 1;
  for (int64_t d : shapes[id])
    n *= d;
  return n;
}

std::string OpCheck::valueLabel(int32_t id) const {
  const fb::Value *v = bundle.values()->Get(id);
  return "value " + std::to_string(id) +
         (v->name() && v->name()->size() ? " '" + v->name()->str() + "'" : "");
}

const fb::Op *OpCheck::producer(int32_t id) const {
  return producers[id] >= 0 ? bundle.ops()->Get(producers[id]) : nullptr;
}

void OpCheck::arity(size_t minInputs, size_t maxInputs, size_t results) const {
  if (in.size() < minInputs || in.size() > maxInputs || out.size() != results)
    fail("wrong number of operands or results");
}

void OpCheck::needF32(std::initializer_list<int32_t> ids) const {
  for (int32_t id : ids)
    if (dtype(id) != fb::DType::F32)
      fail(valueLabel(id) + " must be f32");
}

void OpCheck::sameShape(int32_t a, int32_t b) const {
  if (shape(a) != shape(b))
    fail("operand and result shapes differ");
}

bool OpCheck::sequenceScale(int32_t scale,
                            const std::vector<int64_t> &x) const {
  return count(scale) == 1 ||
         (x.size() >= 2 && shape(scale) == std::vector<int64_t>{x[0]});
}

void OpCheck::bitPlaneGemm(int32_t xId, int32_t bitsId, int32_t alphaId,
                           int32_t biasId) const {
  const auto &x = shape(xId), &bits = shape(bitsId), &alpha = shape(alphaId);
  if (dtype(bitsId) != fb::DType::I64)
    fail("needs int64 bit planes");
  needF32({alphaId, out[0]});
  if (x.empty() || bits.size() != 3 || bits[0] < 1 || bits[0] > 8 ||
      bits[2] != bnrt_bitpack_row_words(x.back()) ||
      shape(out[0]) != withLast(x, bits[1]) || alpha.size() != 2 ||
      alpha[0] != bits[0] || (alpha[1] != 1 && alpha[1] != bits[1]))
    fail("input, bit planes, scales and result do not agree");
  if (biasId >= 0) {
    needF32({biasId});
    if (shape(biasId) != std::vector<int64_t>{bits[1]})
      fail("bias must be [N]");
  }
}

std::vector<int64_t> OpCheck::withLast(std::vector<int64_t> s,
                                       int64_t last) const {
  if (s.empty())
    fail("operand must have rank >= 1");
  s.back() = last;
  return s;
}

} // namespace bnrt
