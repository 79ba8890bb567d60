//===- QuantizeActivations.cpp - bnq-quantize-activations -----------------===//
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>

namespace bnbert {
#define GEN_PASS_DEF_BNQQUANTIZEACTIVATIONS
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::bnq;

namespace {

bool hasQuantizedWeight(LinearOp linear) {
  Operation *producer = linear.getWeight().getDefiningOp();
  return producer &&
         isa<QuantWeightOp, BitplaneWeightOp, PackedWeightOp>(producer);
}

struct BnqQuantizeActivationsPass
    : bnbert::impl::BnqQuantizeActivationsBase<BnqQuantizeActivationsPass> {
  using BnqQuantizeActivationsBase::BnqQuantizeActivationsBase;

  LogicalResult initialize(MLIRContext *context) override {
    if (bits >= 2 && bits <= 8)
      return success();
    return emitError(UnknownLoc::get(context))
           << "bnq-quantize-activations: bits must be in [2, 8], got "
           << static_cast<int>(bits);
  }

  void runOnOperation() override {
    // One QDQ pair per value, shared by all its quantized uses.
    llvm::DenseMap<Value, Value> quantized;
    auto quantizeOperand = [&](OpOperand &operand) {
      Value value = operand.get();
      if (value.getDefiningOp<DequantizeOp>())
        return; // already quantized (e.g. a static clip from the model)
      Value &dequantized = quantized[value];
      if (!dequantized)
        dequantized = createQdq(value, staticClip(value));
      operand.set(dequantized);
    };
    getOperation().walk([&](Operation *op) {
      if (auto linear = dyn_cast<LinearOp>(op)) {
        if (hasQuantizedWeight(linear))
          quantizeOperand(linear.getInputMutable());
      } else if (auto attention = dyn_cast<AttentionOp>(op)) {
        if (!quantizeAttention)
          return;
        quantizeOperand(attention.getQueryMutable());
        quantizeOperand(attention.getKeyMutable());
        quantizeOperand(attention.getValueMutable());
        if (!attention.getProbBits())
          attention.setProbBits(bits);
      }
    });
  }

  /// The clip value a model carries for `value`: a symmetric clamp
  /// (ONNX Clip from quantization-aware training) in front of it.
  static FloatAttr staticClip(Value value) {
    auto clamp = value.getDefiningOp<ClampOp>();
    if (!clamp)
      return {};
    float hi = clamp.getMax().convertToFloat();
    if (clamp.getMin().convertToFloat() != -hi || !(hi > 0) ||
        !std::isfinite(hi))
      return {};
    return clamp.getMaxAttr();
  }

  /// dequantize(quantize(value)) right after `value` is defined, with the
  /// static `clip` when given, else the dynamic max|value|.
  Value createQdq(Value value, FloatAttr clip) {
    OpBuilder b(value.getContext());
    b.setInsertionPointAfterValue(value);
    auto type = llvm::cast<TensorType>(value.getType());
    auto quantize =
        b.create<QuantizeOp>(value.getLoc(), type.clone(b.getI8Type()),
                             RankedTensorType::get({}, b.getF32Type()), value,
                             b.getI32IntegerAttr(bits), clip);
    return b.create<DequantizeOp>(value.getLoc(), type, quantize.getResult(),
                                  quantize.getScale());
  }
};

} // namespace
