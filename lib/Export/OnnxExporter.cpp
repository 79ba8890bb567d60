//===- OnnxExporter.cpp - bnq module to an ONNX training checkpoint -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Writes a bnq function as an ONNX model (opset 17) that PyTorch code can
// fine-tune from: every weight as its fp32 latent values, a TWS-split (or
// any multi-plane) weight as one linear per plane (latent halves W1, W2,
// each with half the bias) summed, static activation clips as
// Clip(-c, c) + QuantizeLinear/DequantizeLinear with scale c / qmax (exact
// for any bit count, and read back as the same `bnq.quantize`). Dynamic
// quantizers are training-time choices and are not written: the exported
// graph is float there.
//
// Built with exceptions: the ONNX checker throws.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Export/OnnxExporter.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "bnq/WeightValues.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <onnx/checker.h>
#include <onnx/defs/attr_proto_util.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <fstream>

using namespace mlir;
using namespace bnbert::bnq;

namespace bnbert {
namespace {

constexpr int64_t kOpset = 17;

class Exporter {
public:
  explicit Exporter(func::FuncOp func) : func(func) {}
  LogicalResult run(onnx::ModelProto &model);

private:
  LogicalResult exportOp(Operation *op);
  LogicalResult linear(LinearOp op);
  LogicalResult attention(AttentionOp op);
  LogicalResult quantizePair(DequantizeOp op);
  LogicalResult binarizedPair(DequantizeOp op, BinarizeOp binarize);

  std::string fresh(StringRef hint);
  std::string initializer(StringRef hint, ArrayRef<int64_t> shape,
                          ArrayRef<float> values);
  std::string initializerI64(StringRef hint, ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> values);
  std::string node(StringRef opType, ArrayRef<std::string> inputs,
                   StringRef hint,
                   ArrayRef<onnx::AttributeProto> attributes = {});
  /// The ONNX name of `v`; constants are written on first use.
  std::string nameOf(Value v) {
    auto it = names.find(v);
    if (it != names.end())
      return it->second;
    if (auto c = v.getDefiningOp<arith::ConstantOp>())
      if (succeeded(constant(c)))
        return names.lookup(v);
    failedValue = true;
    return "";
  }
  LogicalResult constant(arith::ConstantOp c);
  std::string hintOf(Operation *op);
  std::string shapeConstant(ArrayRef<int64_t> shape) {
    return initializerI64("shape", {int64_t(shape.size())}, shape);
  }

  func::FuncOp func;
  onnx::GraphProto *graph = nullptr;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  bool failedValue = false; // a value could not be named (diagnosed)
};

int32_t onnxType(Type type) {
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isSignlessInteger(64))
    return onnx::TensorProto::INT64;
  if (type.isSignlessInteger(32))
    return onnx::TensorProto::INT32;
  if (type.isSignlessInteger(8))
    return onnx::TensorProto::INT8;
  return onnx::TensorProto::UNDEFINED;
}

std::string locationName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      if (auto name = locationName(part); !name.empty())
        return name;
  return "";
}

std::string Exporter::fresh(StringRef hint) {
  std::string base = hint.empty() ? "v" : hint.str();
  std::string name = base;
  for (int i = 1; used.contains(name); ++i)
    name = base + "_" + std::to_string(i);
  used.insert(name);
  return name;
}

std::string Exporter::hintOf(Operation *op) {
  std::string name = locationName(op->getLoc());
  return name.empty() ? op->getName().stripDialect().str() : name;
}

std::string Exporter::initializer(StringRef hint, ArrayRef<int64_t> shape,
                                  ArrayRef<float> values) {
  onnx::TensorProto *t = graph->add_initializer();
  t->set_name(fresh(hint));
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape)
    t->add_dims(d);
  t->set_raw_data(values.data(), values.size() * sizeof(float));
  return t->name();
}

std::string Exporter::initializerI64(StringRef hint, ArrayRef<int64_t> shape,
                                     ArrayRef<int64_t> values) {
  onnx::TensorProto *t = graph->add_initializer();
  t->set_name(fresh(hint));
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : shape)
    t->add_dims(d);
  t->set_raw_data(values.data(), values.size() * sizeof(int64_t));
  return t->name();
}

std::string Exporter::node(StringRef opType, ArrayRef<std::string> inputs,
                           StringRef hint,
                           ArrayRef<onnx::AttributeProto> attributes) {
  onnx::NodeProto *n = graph->add_node();
  n->set_op_type(opType.str());
  std::string output = fresh(hint.str() + "/" + opType.str());
  n->set_name(output);
  for (const std::string &input : inputs)
    n->add_input(input);
  n->add_output(output);
  for (const auto &attr : attributes)
    *n->add_attribute() = attr;
  return output;
}

LogicalResult Exporter::constant(arith::ConstantOp c) {
  std::string hint = hintOf(c);
  auto type = llvm::dyn_cast<RankedTensorType>(c.getType());
  auto attr = llvm::dyn_cast<ElementsAttr>(c.getValue());
  if (!type || !attr)
    return c.emitOpError("only tensor constants are exported");
  if (type.getElementType().isF32()) {
    auto values = getElementValues<float>(attr);
    if (failed(values))
      return c.emitOpError("cannot read the constant");
    std::vector<float> data(values->size());
    for (int64_t i = 0; i < values->size(); ++i)
      data[i] = (*values)[i];
    names[c.getResult()] = initializer(hint, type.getShape(), data);
    return success();
  }
  auto dense = llvm::dyn_cast<DenseIntElementsAttr>(attr);
  if (!dense)
    return c.emitOpError("cannot export constants of type ") << type;
  std::vector<int64_t> data;
  for (const APInt &v : dense.getValues<APInt>())
    data.push_back(v.getSExtValue());
  names[c.getResult()] = initializerI64(hint, type.getShape(), data);
  if (!type.getElementType().isSignlessInteger(64))
    names[c.getResult()] = node(
        "Cast", {names[c.getResult()]}, hint,
        {onnx::MakeAttribute("to", int64_t(onnxType(type.getElementType())))});
  return success();
}

/// One MatMul (+ half the bias) per weight plane, summed.
LogicalResult Exporter::linear(LinearOp op) {
  // One [N, K] plane per weight plane: the latent values when kept.
  auto planes =
      bnq::weightPlanes(op.getWeight().getDefiningOp(), /*preferLatent=*/true);
  if (failed(planes))
    return op.emitOpError("cannot export its weight: a constant or bnq weight "
                          "op is needed");
  auto wType = llvm::cast<RankedTensorType>(op.getWeight().getType());
  int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
  std::vector<float> bias;
  if (Value b = op.getBias()) {
    auto c = b.getDefiningOp<arith::ConstantOp>();
    if (!c)
      return op.emitOpError("cannot export a non-constant bias");
    auto values =
        getElementValues<float>(llvm::cast<ElementsAttr>(c.getValue()));
    if (failed(values))
      return op.emitOpError("cannot read the bias");
    for (int64_t i = 0; i < n; ++i)
      bias.push_back((*values)[i]);
  }
  std::string hint = hintOf(op), sum;
  size_t count = planes->size();
  for (size_t p = 0; p < count; ++p) {
    std::string part = count > 1 ? ".half" + std::to_string(p + 1) : "";
    std::vector<float> transposed(k * n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        transposed[j * n + i] = (*planes)[p][i * k + j];
    std::string y =
        node("MatMul",
             {nameOf(op.getInput()),
              initializer(hint + part + ".weight", {k, n}, transposed)},
             hint + part);
    if (!bias.empty()) {
      std::vector<float> share(bias);
      for (float &v : share)
        v /= float(count);
      y = node("Add", {y, initializer(hint + part + ".bias", {n}, share)},
               hint + part);
    }
    sum = sum.empty() ? y : node("Add", {sum, y}, hint);
  }
  names[op.getResult()] = sum;
  return success();
}

/// torch's decomposition: split heads, scale * Q K^T + mask, softmax
/// (fake-quantized when prob_bits is set), P V, merge heads.
LogicalResult Exporter::attention(AttentionOp op) {
  auto q = llvm::cast<RankedTensorType>(op.getQuery().getType());
  auto k = llvm::cast<RankedTensorType>(op.getKey().getType());
  int64_t b = q.getDimSize(0), sq = q.getDimSize(1), e = q.getDimSize(2);
  int64_t sk = k.getDimSize(1), h = op.getNumHeads(), d = e / h;
  std::string hint = hintOf(op);
  auto heads = [&](Value v, int64_t s, ArrayRef<int64_t> perm) {
    std::string r =
        node("Reshape", {nameOf(v), shapeConstant({b, s, h, d})}, hint);
    return node("Transpose", {r}, hint,
                {onnx::MakeAttribute("perm", std::vector<int64_t>(perm))});
  };
  std::string qh = heads(op.getQuery(), sq, {0, 2, 1, 3});
  std::string kt = heads(op.getKey(), sk, {0, 2, 3, 1});
  std::string vh = heads(op.getValue(), sk, {0, 2, 1, 3});
  std::string scores = node("MatMul", {qh, kt}, hint);
  float scale = op.getScale().convertToFloat();
  scores = node("Mul", {scores, initializer("scale", {}, {scale})}, hint);
  if (Value mask = op.getMaskBias()) {
    std::string m =
        node("Reshape", {nameOf(mask), shapeConstant({b, 1, 1, sk})}, hint);
    scores = node("Add", {scores, m}, hint);
  }
  std::string probs = node("Softmax", {scores}, hint,
                           {onnx::MakeAttribute("axis", int64_t{-1})});
  if (auto bits = op.getProbBits()) {
    float clip = op.getProbClip() ? op.getProbClip()->convertToFloat() : 1.0f;
    float qmax = float((1 << (*bits - 1)) - 1);
    std::string lo = initializer("clip_min", {}, {-clip});
    std::string hi = initializer("clip_max", {}, {clip});
    std::string s = initializer("prob_scale", {}, {clip / qmax});
    std::string zp = fresh("zero_point");
    onnx::TensorProto *z = graph->add_initializer();
    z->set_name(zp);
    z->set_data_type(onnx::TensorProto::INT8);
    z->set_raw_data(std::string(1, '\0'));
    probs = node("Clip", {probs, lo, hi}, hint);
    probs = node("QuantizeLinear", {probs, s, zp}, hint);
    probs = node("DequantizeLinear", {probs, s, zp}, hint);
  } else if (auto alpha = op.getProbAlpha()) {
    // The trainer's form of binarized probabilities (binarizedPair).
    std::string a = initializer("prob_alpha", {}, {alpha->convertToFloat()});
    std::string beta =
        initializer("prob_beta", {}, {op.getProbBeta()->convertToFloat()});
    std::string v = node("Div", {node("Sub", {probs, beta}, hint), a}, hint);
    probs = node("Where",
                 {node("Less", {initializer("half", {}, {0.5f}), v}, hint), a,
                  initializer("zero", {}, {0.0f})},
                 hint);
  }
  std::string ctx = node("MatMul", {probs, vh}, hint);
  ctx = node("Transpose", {ctx}, hint,
             {onnx::MakeAttribute("perm", std::vector<int64_t>{0, 2, 1, 3})});
  names[op.getResult()] =
      node("Reshape", {ctx, shapeConstant({b, sq, e})}, hint);
  return success();
}

/// dequantize(binarize(x)): the trainer's export form, v = Div(Sub(x,
/// beta), alpha); Where(Less(v, 0), -alpha, alpha) for signed codes,
/// Where(Less(0.5, v), alpha, 0) otherwise (read back as the same op).
LogicalResult Exporter::binarizedPair(DequantizeOp op, BinarizeOp binarize) {
  if (op.getScale() != binarize.getScale())
    return op.emitOpError("is exported only right after its bnq.binarize");
  std::string hint = hintOf(op);
  float alpha = binarize.getAlpha().convertToFloat();
  std::string a = initializer("alpha", {}, {alpha});
  std::string v = node(
      "Div",
      {node("Sub",
            {nameOf(binarize.getInput()),
             initializer("beta", {}, {binarize.getBeta().convertToFloat()})},
            hint),
       a},
      hint);
  if (binarize.getSignedCodes())
    names[op.getResult()] =
        node("Where",
             {node("Less", {v, initializer("zero", {}, {0.0f})}, hint),
              initializer("minus_alpha", {}, {-alpha}), a},
             hint);
  else
    names[op.getResult()] =
        node("Where",
             {node("Less", {initializer("half", {}, {0.5f}), v}, hint), a,
              initializer("zero", {}, {0.0f})},
             hint);
  return success();
}

/// dequantize(quantize(x)): Clip(-c, c) + QDQ with scale c / qmax for a
/// static clip; the float x for a dynamic one.
LogicalResult Exporter::quantizePair(DequantizeOp op) {
  if (auto binarize = op.getInput().getDefiningOp<BinarizeOp>())
    return binarizedPair(op, binarize);
  auto quantize = op.getInput().getDefiningOp<QuantizeOp>();
  if (!quantize || op.getScale() != quantize.getScale())
    return op.emitOpError("is exported only right after its bnq.quantize");
  if (quantize.getInputGelu())
    return quantize.emitOpError("with input_gelu (bnq-lower-to-runtime's "
                                "fold) is not exported: export before it");
  std::string x = nameOf(quantize.getInput());
  auto clip = quantize.getClip();
  if (!clip) {
    names[op.getResult()] = x;
    return success();
  }
  float c = clip->convertToFloat();
  float qmax = float((1 << (quantize.getBits() - 1)) - 1);
  std::string hint = hintOf(op);
  std::string zp = fresh("zero_point");
  onnx::TensorProto *z = graph->add_initializer();
  z->set_name(zp);
  z->set_data_type(onnx::TensorProto::INT8);
  z->set_raw_data(std::string(1, '\0'));
  std::string s = initializer("act_scale", {}, {c / qmax});
  std::string y = node(
      "Clip",
      {x, initializer("clip_min", {}, {-c}), initializer("clip_max", {}, {c})},
      hint);
  y = node("QuantizeLinear", {y, s, zp}, hint);
  names[op.getResult()] = node("DequantizeLinear", {y, s, zp}, hint);
  return success();
}

LogicalResult Exporter::exportOp(Operation *op) {
  // ONNX has no integer GELU, softmax or layer norm: the trainer exports
  // the float ops and marks the model, which this graph no longer says.
  if (op->hasAttr("integer"))
    return op->emitOpError("with integer (bnq-integer-nonlinear) is not "
                           "exported: export before it");
  std::string hint = hintOf(op);
  auto unary = [&](StringRef type, Value in, Value out,
                   ArrayRef<onnx::AttributeProto> attrs = {}) {
    names[out] = node(type, {nameOf(in)}, hint, attrs);
    return success();
  };
  auto binary = [&](StringRef type) {
    names[op->getResult(0)] = node(
        type, {nameOf(op->getOperand(0)), nameOf(op->getOperand(1))}, hint);
    return success();
  };
  auto scalar = [&](float v) { return initializer("c", {}, {v}); };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::ConstantOp) {
        // Written where used as a value (nameOf); weights and biases are
        // written by their linear.
        return success();
      })
      .Case<QuantWeightOp, BitplaneWeightOp, PackedWeightOp>([&](Operation *) {
        // Written where used (one linear per plane, tables summed).
        return success();
      })
      .Case([&](EmbeddingOp e) -> LogicalResult {
        auto planes = bnq::weightPlanes(e.getTable().getDefiningOp(),
                                        /*preferLatent=*/true);
        if (failed(planes))
          return e.emitOpError("cannot export its table");
        auto type = llvm::cast<RankedTensorType>(e.getTable().getType());
        std::string sum;
        for (size_t p = 0; p < planes->size(); ++p) {
          std::string part =
              planes->size() > 1 ? ".half" + std::to_string(p + 1) : "";
          std::string table = initializer(hint + part + ".weight",
                                          type.getShape(), (*planes)[p]);
          std::string y =
              node("Gather", {table, nameOf(e.getIds())}, hint + part,
                   {onnx::MakeAttribute("axis", int64_t{0})});
          sum = sum.empty() ? y : node("Add", {sum, y}, hint);
        }
        names[e.getResult()] = sum;
        return success();
      })
      .Case([&](LinearOp l) { return linear(l); })
      .Case([&](AttentionOp a) { return attention(a); })
      .Case([&](LayerNormOp l) {
        std::string x = nameOf(l.getInput());
        if (l.getResidual())
          x = node("Add", {x, nameOf(l.getResidual())}, hint);
        names[l.getResult()] = node(
            "LayerNormalization",
            {x, nameOf(l.getGamma()), nameOf(l.getBeta())}, hint,
            {onnx::MakeAttribute("axis", int64_t{-1}),
             onnx::MakeAttribute("epsilon", l.getEpsilon().convertToFloat())});
        return success();
      })
      .Case([&](BatchMatmulOp m) {
        std::string rhs = nameOf(m.getRhs());
        if (m.getTransposeRhs()) {
          int64_t rank = m.getRhs().getType().getRank();
          std::vector<int64_t> perm;
          for (int64_t i = 0; i < rank; ++i)
            perm.push_back(i);
          std::swap(perm[rank - 1], perm[rank - 2]);
          rhs = node("Transpose", {rhs}, hint,
                     {onnx::MakeAttribute("perm", perm)});
        }
        names[m.getResult()] = node("MatMul", {nameOf(m.getLhs()), rhs}, hint);
        return success();
      })
      .Case([&](SoftmaxOp s) {
        return unary("Softmax", s.getInput(), s.getResult(),
                     {onnx::MakeAttribute("axis", int64_t(s.getAxis()))});
      })
      .Case([&](GeluOp g) {
        std::string x = nameOf(g.getInput());
        std::string inner;
        if (g.getApproximation() == GeluApproximation::erf) {
          inner = node("Erf", {node("Div", {x, scalar(std::sqrt(2.0f))}, hint)},
                       hint);
        } else {
          std::string cube = node("Mul", {x, node("Mul", {x, x}, hint)}, hint);
          std::string sum = node(
              "Add", {x, node("Mul", {scalar(0.044715f), cube}, hint)}, hint);
          inner = node(
              "Tanh",
              {node("Mul", {scalar(std::sqrt(2.0f / float(M_PI))), sum}, hint)},
              hint);
        }
        std::string onePlus = node("Add", {inner, scalar(1.0f)}, hint);
        names[g.getResult()] =
            node("Mul", {node("Mul", {x, onePlus}, hint), scalar(0.5f)}, hint);
        return success();
      })
      .Case(
          [&](TanhOp t) { return unary("Tanh", t.getInput(), t.getResult()); })
      .Case([&](UnaryOp u) {
        static const char *const kOps[] = {"Erf", "Sqrt", "Exp",
                                           "Neg", "Relu", "Sigmoid"};
        return unary(kOps[static_cast<int>(u.getFunction())], u.getInput(),
                     u.getResult());
      })
      .Case([&](PowOp) { return binary("Pow"); })
      .Case([&](ReduceMeanOp r) {
        return unary("ReduceMean", r.getInput(), r.getResult(),
                     {onnx::MakeAttribute(
                          "axes", std::vector<int64_t>(r.getAxes().begin(),
                                                       r.getAxes().end())),
                      onnx::MakeAttribute("keepdims", int64_t{1})});
      })
      .Case([&](AddOp) { return binary("Add"); })
      .Case([&](SubOp) { return binary("Sub"); })
      .Case([&](MulOp) { return binary("Mul"); })
      .Case([&](DivOp) { return binary("Div"); })
      .Case([&](ReshapeOp r) {
        names[r.getResult()] =
            node("Reshape",
                 {nameOf(r.getInput()),
                  shapeConstant(r.getResult().getType().getShape())},
                 hint);
        return success();
      })
      .Case([&](TransposeOp t) {
        return unary(
            "Transpose", t.getInput(), t.getResult(),
            {onnx::MakeAttribute(
                "perm", std::vector<int64_t>(t.getPermutation().begin(),
                                             t.getPermutation().end()))});
      })
      .Case([&](SliceOp s) {
        auto offsets = s.getOffsets();
        auto sizes = s.getResult().getType().getShape();
        std::vector<int64_t> starts(offsets.begin(), offsets.end()), ends, axes;
        for (size_t i = 0; i < starts.size(); ++i) {
          ends.push_back(starts[i] + sizes[i]);
          axes.push_back(int64_t(i));
        }
        int64_t rank = int64_t(starts.size());
        names[s.getResult()] = node("Slice",
                                    {nameOf(s.getInput()),
                                     initializerI64("starts", {rank}, starts),
                                     initializerI64("ends", {rank}, ends),
                                     initializerI64("axes", {rank}, axes)},
                                    hint);
        return success();
      })
      .Case([&](CastOp c) {
        return unary(
            "Cast", c.getInput(), c.getResult(),
            {onnx::MakeAttribute("to", int64_t(onnxType(getElementTypeOrSelf(
                                           c.getResult().getType()))))});
      })
      .Case([&](ClampOp c) {
        names[c.getResult()] =
            node("Clip",
                 {nameOf(c.getInput()), scalar(c.getMin().convertToFloat()),
                  scalar(c.getMax().convertToFloat())},
                 hint);
        return success();
      })
      .Case([&](ReduceSumOp r) {
        names[r.getResult()] =
            node("ReduceSum",
                 {nameOf(r.getInput()), initializerI64("axes", {1}, {-1})},
                 hint, {onnx::MakeAttribute("keepdims", int64_t{0})});
        return success();
      })
      .Case([&](PositionIdsOp p) {
        // m = int64(ids != pad); CumSum(m, 1) * m + pad, as torch exports
        // create_position_ids_from_input_ids.
        std::string ids = nameOf(p.getIds());
        auto int64Type = int64_t(onnx::TensorProto::INT64);
        if (!getElementTypeOrSelf(p.getIds().getType()).isInteger(64))
          ids =
              node("Cast", {ids}, hint, {onnx::MakeAttribute("to", int64Type)});
        std::string pad =
            initializerI64("padding_idx", {}, {p.getPaddingIdxAttr().getInt()});
        std::string kept =
            node("Cast", {node("Not", {node("Equal", {ids, pad}, hint)}, hint)},
                 hint, {onnx::MakeAttribute("to", int64Type)});
        std::string counts =
            node("CumSum", {kept, initializerI64("axis", {}, {1})}, hint);
        names[p.getResult()] =
            node("Add", {node("Mul", {counts, kept}, hint), pad}, hint);
        return success();
      })
      .Case([&](LengthMaskOp m) {
        // Where(Range(0, S) < lengths[:, None], 0, filter).
        int64_t seq = m.getResult().getType().getDimSize(1);
        std::vector<float> positions(seq);
        for (int64_t j = 0; j < seq; ++j)
          positions[j] = float(j);
        std::string lengths = nameOf(m.getLengths());
        if (!getElementTypeOrSelf(m.getLengths().getType()).isF32())
          lengths = node(
              "Cast", {lengths}, hint,
              {onnx::MakeAttribute("to", int64_t(onnx::TensorProto::FLOAT))});
        std::string column = node(
            "Unsqueeze", {lengths, initializerI64("axes", {1}, {1})}, hint);
        std::string keep =
            node("Less",
                 {initializer("positions", {1, seq}, positions), column}, hint);
        names[m.getResult()] = node(
            "Where",
            {keep, scalar(0.0f), scalar(m.getFilterValue().convertToFloat())},
            hint);
        return success();
      })
      .Case<QuantizeOp, BinarizeOp>(
          [&](Operation *) { return success(); }) // with its dequantize
      .Case([&](DequantizeOp d) { return quantizePair(d); })
      .Case([&](func::ReturnOp) { return success(); })
      .Default([](Operation *op) {
        return op->emitOpError("cannot be exported to ONNX");
      });
}

LogicalResult Exporter::run(onnx::ModelProto &model) {
  model.set_ir_version(8);
  model.set_producer_name("bnbert");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  graph = model.mutable_graph();
  graph->set_name(func.getSymName().str());

  auto valueInfo = [&](onnx::ValueInfoProto *info, const std::string &name,
                       Type type) -> LogicalResult {
    auto ranked = llvm::dyn_cast<RankedTensorType>(type);
    if (!ranked || !ranked.hasStaticShape() ||
        onnxType(ranked.getElementType()) == onnx::TensorProto::UNDEFINED)
      return func.emitOpError("cannot export an argument or result of type ")
             << type;
    info->set_name(name);
    auto *tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnxType(ranked.getElementType()));
    for (int64_t d : ranked.getShape())
      tensor->mutable_shape()->add_dim()->set_dim_value(d);
    return success();
  };
  for (BlockArgument arg : func.getArguments()) {
    auto attr =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    std::string name =
        fresh(attr ? attr.str() : "arg" + std::to_string(arg.getArgNumber()));
    names[arg] = name;
    if (failed(valueInfo(graph->add_input(), name, arg.getType())))
      return failure();
  }
  for (Operation &op : func.getBody().front())
    if (failed(exportOp(&op)) || failedValue)
      return failure();

  // Outputs carry the function's result names: rename through Identity.
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto attr = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
    std::string name = fresh(attr ? attr.str() : "result" + std::to_string(i));
    onnx::NodeProto *n = graph->add_node();
    n->set_op_type("Identity");
    n->set_name(name);
    n->add_input(nameOf(v));
    n->add_output(name);
    if (failed(valueInfo(graph->add_output(), name, v.getType())))
      return failure();
  }
  return success();
}

} // namespace

LogicalResult exportOnnxFile(ModuleOp module, StringRef path) {
  auto funcs = module.getOps<func::FuncOp>();
  func::FuncOp func = module.lookupSymbol<func::FuncOp>("main");
  if (!func && !funcs.empty() && std::next(funcs.begin()) == funcs.end())
    func = *funcs.begin();
  if (!func)
    return module.emitError("ONNX export needs one function (or @main)");
  onnx::ModelProto model;
  if (failed(Exporter(func).run(model)))
    return failure();
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return module.emitError("the exported model fails the ONNX checker: ")
           << e.what();
  }
  std::ofstream out(path.str(), std::ios::binary);
  if (!out || !model.SerializeToOstream(&out))
    return module.emitError("cannot write '") << path << "'";
  return success();
}

} // namespace bnbert
