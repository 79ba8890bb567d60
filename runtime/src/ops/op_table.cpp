//===- op_table.cpp - the runtime's op table ------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One line per op code, in the schema's order (op_table_test checks that
// entry i is code i and that docs/bundle.md lists every code).
//
//===----------------------------------------------------------------------===//
#include "op_kernel.h"

#define BNRT_OPS(X)                                                            \
  X(Embedding)                                                                 \
  X(LayerNorm)                                                                 \
  X(LinearF32)                                                                 \
  X(LinearBits)                                                                \
  X(BatchMatmul)                                                               \
  X(Softmax)                                                                   \
  X(Gelu)                                                                      \
  X(Tanh)                                                                      \
  X(Add)                                                                       \
  X(Sub)                                                                       \
  X(Mul)                                                                       \
  X(Div)                                                                       \
  X(Pow)                                                                       \
  X(Copy)                                                                      \
  X(Transpose)                                                                 \
  X(Slice)                                                                     \
  X(Cast)                                                                      \
  X(Clamp)                                                                     \
  X(ReduceSum)                                                                 \
  X(ReduceMean)                                                                \
  X(LengthMask)                                                                \
  X(Attention)                                                                 \
  X(Quantize)                                                                  \
  X(Dequantize)                                                                \
  X(Unary)                                                                     \
  X(EmbeddingBits)                                                             \
  X(AttentionI8)                                                               \
  X(LinearI8)                                                                  \
  X(PositionIds)                                                               \
  X(LinearBitsF32)                                                             \
  X(Binarize)                                                                  \
  X(LinearBinarized)                                                           \
  X(AttentionBinary)

namespace bnrt {

#define DECLARE(name) extern const OpKernel k##name##Op;
BNRT_OPS(DECLARE)
#undef DECLARE

namespace {
#define ENTRY(name) &k##name##Op,
const OpKernel *const kTable[] = {BNRT_OPS(ENTRY)};
#undef ENTRY
constexpr size_t kTableSize = sizeof(kTable) / sizeof(kTable[0]);
static_assert(kTableSize == size_t(fb::OpCode::MAX) + 1,
              "every op code of bundle.fbs needs a line in BNRT_OPS");
} // namespace

const OpKernel *opKernel(fb::OpCode code) {
  auto index = static_cast<size_t>(code);
  if (index >= kTableSize || kTable[index]->code != code)
    return nullptr;
  return kTable[index];
}

const char *opCodeName(fb::OpCode code) {
  const char *name = code >= fb::OpCode::MIN && code <= fb::OpCode::MAX
                         ? fb::EnumNameOpCode(code)
                         : "";
  return *name ? name : "unknown";
}

} // namespace bnrt
