//===- QuantizeActivations.cpp - bnq-quantize-activations -----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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
    mask = perSequence ? sharedMask(getOperation()) : Value();
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
        if (!attention.getProbBits() && !attention.getProbAlpha())
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

  /// The attention mask [B, S] every bnq.attention of `func` uses, if they
  /// share one: it marks the padding the per-sequence scales skip. Each
  /// fused attention reshapes the model's [B, 1, 1, S] mask itself; one
  /// reshape right after that mask serves all quantizers.
  static Value sharedMask(func::FuncOp func) {
    Value root, mask;
    bool agree = true;
    func.walk([&](AttentionOp a) {
      Value m = a.getMaskBias(), r = m;
      if (auto reshape = m ? m.getDefiningOp<ReshapeOp>() : ReshapeOp())
        r = reshape.getInput();
      agree &= m && (!root || r == root);
      root = r;
      mask = m;
    });
    if (!agree || !root)
      return {};
    if (root == mask)
      return mask;
    OpBuilder b(func.getContext());
    b.setInsertionPointAfterValue(root);
    return b.create<ReshapeOp>(root.getLoc(), mask.getType(), root);
  }

  /// dequantize(quantize(value)) right after `value` is defined, with the
  /// static `clip` when given, else the dynamic max|value|: per sequence
  /// (over the rows the mask keeps, when it fits) for a [B, S, ...] value
  /// with a static B.
  Value createQdq(Value value, FloatAttr clip) {
    OpBuilder b(value.getContext());
    b.setInsertionPointAfterValue(value);
    auto type = llvm::cast<TensorType>(value.getType());
    Type scaleType = RankedTensorType::get({}, b.getF32Type());
    Value maskBias;
    if (!clip && perSequence && type.hasRank() && type.getRank() >= 2 &&
        !type.isDynamicDim(0)) {
      scaleType = RankedTensorType::get({type.getDimSize(0)}, b.getF32Type());
      auto maskType =
          mask ? llvm::dyn_cast<RankedTensorType>(mask.getType()) : nullptr;
      Operation *def = mask ? mask.getDefiningOp() : nullptr;
      // Only token tensors [B, S, ...] take the mask (a pooled [B, H] one
      // whose H happens to equal S must not). The quantizer goes after
      // the mask, so the mask must come before every user of the value.
      bool usable = maskType && type.getRank() >= 3 &&
                    maskType.getShape() == type.getShape().take_front(2) &&
                    mask.getParentBlock() == b.getInsertionBlock() &&
                    llvm::all_of(value.getUsers(), [&](Operation *user) {
                      return !def || (user->getBlock() == def->getBlock() &&
                                      def->isBeforeInBlock(user));
                    });
      if (usable) {
        maskBias = mask;
        auto ip = b.getInsertionPoint();
        if (def && ip != b.getInsertionBlock()->end() &&
            !def->isBeforeInBlock(&*ip))
          b.setInsertionPointAfter(def);
      }
    }
    auto quantize = b.create<QuantizeOp>(
        value.getLoc(), type.clone(b.getI8Type()), scaleType, value, maskBias,
        b.getI32IntegerAttr(bits), clip, GeluApproximationAttr(),
        /*input_gelu_integer=*/UnitAttr());
    return b.create<DequantizeOp>(value.getLoc(), type, quantize.getResult(),
                                  quantize.getScale());
  }

  Value mask;
};

} // namespace
