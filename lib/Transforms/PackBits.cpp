//===- PackBits.cpp - bnq-pack-bits ---------------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Sign planes become bnq.packed_weight in the layout of bnrt/bitpack.h, the
// header the runtime kernels read with, so the two cannot drift apart.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "bnrt/bitpack.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

namespace bnbert {
#define GEN_PASS_DEF_BNQPACKBITS
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::bnq;

namespace {

/// Sign planes [P, N, K] (from any source) and their [P, G] scales.
struct SignPlanes {
  int64_t planes = 0;
  std::function<int8_t(int64_t)> sign; // flat index into [P, N, K]
  std::vector<float> scales;
};

/// Packs `planes` and replaces `op` (a weight producer) by a packed_weight.
void replaceWithPacked(Operation *op, const SignPlanes &planes) {
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  int64_t words = bnrt_bitpack_row_words(cols);
  std::vector<int64_t> bits(planes.planes * rows * words);
  std::vector<int8_t> row(cols);
  for (int64_t r = 0; r < planes.planes * rows; ++r) {
    for (int64_t k = 0; k < cols; ++k)
      row[k] = planes.sign(r * cols + k);
    bnrt_bitpack_row(row.data(), cols,
                     reinterpret_cast<uint64_t *>(bits.data() + r * words));
  }
  int64_t groups = static_cast<int64_t>(planes.scales.size()) / planes.planes;

  OpBuilder b(op);
  auto packed = b.create<PackedWeightOp>(
      op->getLoc(), type,
      DenseElementsAttr::get(
          RankedTensorType::get({planes.planes, rows, words}, b.getI64Type()),
          ArrayRef<int64_t>(bits)),
      DenseElementsAttr::get(
          RankedTensorType::get({planes.planes, groups}, b.getF32Type()),
          ArrayRef<float>(planes.scales)));
  op->getResult(0).replaceAllUsesWith(packed.getResult());
  op->erase();
}

LogicalResult packQuantWeight(QuantWeightOp op) {
  if (op.getFormat() == WeightFormat::int8)
    return success(); // int8 weights run on the int8 kernels as they are
  auto values = getElementValues<int8_t>(op.getValues());
  auto scale = getElementValues<float>(op.getScale());
  if (failed(values) || failed(scale))
    return op.emitOpError("cannot read the weight's data");
  SignPlanes planes;
  if (op.getFormat() == WeightFormat::binary) {
    planes.planes = 1;
    planes.sign = [&](int64_t i) { return (*values)[i]; };
    for (int64_t g = 0; g < scale->size(); ++g)
      planes.scales.push_back((*scale)[g]);
  } else {
    // t = (b1 + b2) / 2 with b1 = (t >= 0 ? 1 : -1), b2 = (t > 0 ? 1 : -1).
    int64_t size = op.getValues().getNumElements();
    planes.planes = 2;
    planes.sign = [&, size](int64_t i) -> int8_t {
      int8_t t = (*values)[i % size];
      return i < size ? (t >= 0 ? 1 : -1) : (t > 0 ? 1 : -1);
    };
    for (int p = 0; p < 2; ++p)
      for (int64_t g = 0; g < scale->size(); ++g)
        planes.scales.push_back((*scale)[g] / 2);
  }
  replaceWithPacked(op, planes);
  return success();
}

LogicalResult packBitplaneWeight(BitplaneWeightOp op) {
  auto signs = getElementValues<int8_t>(op.getPlanes());
  auto scales = getElementValues<float>(op.getScales());
  if (failed(signs) || failed(scales))
    return op.emitOpError("cannot read the weight's data");
  SignPlanes planes;
  planes.planes = op.getPlanes().getShapedType().getDimSize(0);
  planes.sign = [&](int64_t i) { return (*signs)[i]; };
  for (int64_t i = 0; i < scales->size(); ++i)
    planes.scales.push_back((*scales)[i]);
  replaceWithPacked(op, planes);
  return success();
}

struct BnqPackBitsPass : bnbert::impl::BnqPackBitsBase<BnqPackBitsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> weights;
    getOperation().walk([&](Operation *op) {
      if (isa<QuantWeightOp, BitplaneWeightOp>(op))
        weights.push_back(op);
    });
    for (Operation *op : weights) {
      LogicalResult result =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([](QuantWeightOp w) { return packQuantWeight(w); })
              .Case([](BitplaneWeightOp w) { return packBitplaneWeight(w); });
      if (failed(result))
        return signalPassFailure();
    }
  }
};

} // namespace
