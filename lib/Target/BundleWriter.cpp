//===- BundleWriter.cpp - bnq function to the runtime's bundle ------------===//
//
// Lowers a function of bnq ops (float, or after the quantization pipeline)
// to the op program of runtime/schema/bundle.fbs:
// - every op becomes one bundle op (docs/bundle.md has the conventions);
//   linear(dequantize(quantize(x)), packed_weight) becomes LinearBits on
//   the int8 codes, the GEMM the runtime's bit-plane kernels run, and
//   linear(dequantize(quantize(x)), quant_weight) LinearI8, the int8 GEMM;
//   attention on quantized q, k, v with quantized probabilities becomes
//   AttentionI8;
// - constants (f32 tensors, packed sign planes, scales) are stored 64-byte
//   aligned in the bundle's data; quant_weight and bitplane_weight
//   (unpacked forms) are stored as their dequantized f32 values;
// - activations get arena slots from a greedy first-fit plan over their
//   live ranges; each function result is copied into its output buffer.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Target/BundleWriter.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "bnq/WeightValues.h"

#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace bnbert::bnq;
namespace fb = bnrt::fb;

namespace bnbert {
namespace {

constexpr int64_t kAlign = 64;

int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

struct ValueInfo {
  std::string name;
  fb::DType dtype;
  std::vector<int64_t> shape;
  fb::Storage storage;
  int64_t offset = 0;
  int64_t bytes = 0;
  int firstOp = -1, lastOp = -1; // live range of an arena value
};

struct OpInfo {
  fb::OpCode code;
  std::string name;
  std::vector<int32_t> inputs, outputs;
  std::vector<int64_t> ints;
  std::vector<float> floats;
};

class Writer {
public:
  explicit Writer(func::FuncOp func) : func(func) {}
  FailureOr<std::vector<uint8_t>> run(StringRef target);

private:
  LogicalResult lowerOp(Operation *op);
  FailureOr<int32_t> valueOf(Value v);
  int32_t newValue(std::string name, fb::DType dtype, ArrayRef<int64_t> shape,
                   fb::Storage storage);
  int32_t constantBytes(std::string name, fb::DType dtype,
                        ArrayRef<int64_t> shape, const void *data,
                        int64_t bytes);
  FailureOr<int32_t> constantOf(Operation *op, Value v);
  FailureOr<std::vector<int32_t>> packedOperands(PackedWeightOp packed);
  LogicalResult lowerLinearI8(LinearOp l, DequantizeOp dq, QuantWeightOp qw);
  int32_t arenaFor(Value v);
  void addOp(fb::OpCode code, Operation *op, std::vector<int32_t> inputs,
             std::vector<int32_t> outputs, std::vector<int64_t> ints = {},
             std::vector<float> floats = {});
  void planArena();

  func::FuncOp func;
  std::vector<ValueInfo> values;
  std::vector<OpInfo> ops;
  std::vector<uint8_t> data;
  llvm::DenseMap<Value, int32_t> ids;
  llvm::DenseMap<Operation *, std::vector<int32_t>> packedIds;
  std::vector<int32_t> inputs, outputs;
  int64_t arenaBytes = 0;
};

/// Whether a linear runs as an integer GEMM on its input's codes:
/// dequantize(quantize(x)) times a packed (LinearBits) or quantized
/// (LinearI8) weight.
bool readsInt8Codes(LinearOp l) {
  auto dq = l.getInput().getDefiningOp<DequantizeOp>();
  Operation *w = l.getWeight().getDefiningOp();
  return dq && dq.getInput().getDefiningOp<QuantizeOp>() &&
         llvm::isa_and_nonnull<PackedWeightOp, QuantWeightOp>(w);
}

/// Whether an attention runs as AttentionI8: quantized probabilities and
/// q, k, v each dequantize(quantize(...)) of at most 8 bits.
bool readsInt8Codes(AttentionOp a) {
  if (!a.getProbBits())
    return false;
  return llvm::all_of(ValueRange{a.getQuery(), a.getKey(), a.getValue()},
                      [](Value v) {
                        auto dq = v.getDefiningOp<DequantizeOp>();
                        return dq && dq.getInput().getDefiningOp<QuantizeOp>();
                      });
}

std::string locName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (auto n = locName(l); !n.empty())
        return n;
  return "";
}

std::optional<fb::DType> dtypeOf(Type t) {
  if (t.isF32())
    return fb::DType::F32;
  if (t.isSignlessInteger(64))
    return fb::DType::I64;
  if (t.isSignlessInteger(32))
    return fb::DType::I32;
  if (t.isSignlessInteger(8))
    return fb::DType::I8;
  return std::nullopt;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int32_t Writer::newValue(std::string name, fb::DType dtype,
                         ArrayRef<int64_t> shape, fb::Storage storage) {
  ValueInfo info;
  info.name = std::move(name);
  info.dtype = dtype;
  info.shape.assign(shape.begin(), shape.end());
  info.storage = storage;
  info.bytes = numElements(shape) * fb::elementBytes(dtype);
  values.push_back(std::move(info));
  return static_cast<int32_t>(values.size() - 1);
}

int32_t Writer::constantBytes(std::string name, fb::DType dtype,
                              ArrayRef<int64_t> shape, const void *bytes,
                              int64_t size) {
  int32_t id = newValue(std::move(name), dtype, shape, fb::Storage::Constant);
  int64_t offset = alignUp(static_cast<int64_t>(data.size()));
  data.resize(offset + size);
  std::memcpy(data.data() + offset, bytes, size);
  values[id].offset = offset;
  return id;
}

/// A constant operand: f32/int constants and the weight ops (as their f32
/// values; packed weights are handled by LinearBits).
FailureOr<int32_t> Writer::constantOf(Operation *user, Value v) {
  Operation *def = v.getDefiningOp();
  auto type = llvm::cast<RankedTensorType>(v.getType());
  std::string name = def ? locName(def->getLoc()) : "";
  if (auto c = llvm::dyn_cast_or_null<arith::ConstantOp>(def)) {
    auto attr = llvm::dyn_cast<ElementsAttr>(c.getValue());
    auto dtype = dtypeOf(type.getElementType());
    if (!attr || !dtype)
      return user->emitOpError("cannot store constant of type ") << type;
    int64_t count = type.getNumElements();
    std::vector<uint8_t> bytes(count * fb::elementBytes(*dtype));
    auto copy = [&](auto tag) -> LogicalResult {
      using T = decltype(tag);
      auto vals = getElementValues<T>(attr);
      if (failed(vals))
        return failure();
      for (int64_t i = 0; i < count; ++i) {
        T x = (*vals)[i];
        std::memcpy(bytes.data() + i * sizeof(T), &x, sizeof(T));
      }
      return success();
    };
    LogicalResult ok = *dtype == fb::DType::F32   ? copy(float{})
                       : *dtype == fb::DType::I64 ? copy(int64_t{})
                       : *dtype == fb::DType::I32 ? copy(int32_t{})
                                                  : copy(int8_t{});
    if (failed(ok))
      return user->emitOpError("cannot read a constant operand");
    return constantBytes(name, *dtype, type.getShape(), bytes.data(),
                         bytes.size());
  }
  if (def && isa<QuantWeightOp, BitplaneWeightOp, PackedWeightOp>(def)) {
    // Dequantized values (an unpacked or non-GEMM use of a weight).
    auto w = weightValues(def);
    if (failed(w))
      return user->emitOpError("cannot read a weight operand");
    return constantBytes(name, fb::DType::F32, type.getShape(), w->data(),
                         w->size() * 4);
  }
  return failure();
}

/// The bits [P, N, W] and scales [P, G] of a packed weight as constants.
FailureOr<std::vector<int32_t>> Writer::packedOperands(PackedWeightOp packed) {
  auto cached = packedIds.find(packed);
  if (cached != packedIds.end())
    return cached->second;
  auto bits = getElementValues<int64_t>(packed.getBits());
  auto scales = getElementValues<float>(packed.getScales());
  if (failed(bits) || failed(scales))
    return failure();
  std::vector<int64_t> rawBits(bits->size());
  for (int64_t i = 0; i < bits->size(); ++i)
    rawBits[i] = (*bits)[i];
  std::vector<float> rawScales(scales->size());
  for (int64_t i = 0; i < scales->size(); ++i)
    rawScales[i] = (*scales)[i];
  std::string name = locName(packed.getLoc());
  return packedIds[packed] = std::vector<int32_t>{
             constantBytes(name, fb::DType::I64,
                           packed.getBits().getShapedType().getShape(),
                           rawBits.data(), rawBits.size() * 8),
             constantBytes(name + ".scales", fb::DType::F32,
                           packed.getScales().getShapedType().getShape(),
                           rawScales.data(), rawScales.size() * 4)};
}

/// The value id of `v` (constants are stored on first use).
FailureOr<int32_t> Writer::valueOf(Value v) {
  auto it = ids.find(v);
  if (it != ids.end())
    return it->second;
  Operation *def = v.getDefiningOp();
  if (!def)
    return failure();
  auto id = constantOf(def, v);
  if (succeeded(id))
    ids[v] = *id;
  return id;
}

int32_t Writer::arenaFor(Value v) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  Operation *def = v.getDefiningOp();
  int32_t id = newValue(def ? locName(def->getLoc()) : "",
                        *dtypeOf(type.getElementType()), type.getShape(),
                        fb::Storage::Arena);
  ids[v] = id;
  return id;
}

void Writer::addOp(fb::OpCode code, Operation *op, std::vector<int32_t> in,
                   std::vector<int32_t> out, std::vector<int64_t> ints,
                   std::vector<float> floats) {
  OpInfo info{code,           locName(op->getLoc()), std::move(in),
              std::move(out), std::move(ints),       std::move(floats)};
  ops.push_back(std::move(info));
}

LogicalResult Writer::lowerOp(Operation *op) {
  // Operands as value ids (constants written on first use).
  auto operands = [&](ValueRange vs) -> FailureOr<std::vector<int32_t>> {
    std::vector<int32_t> out;
    for (Value v : vs) {
      auto id = valueOf(v);
      if (failed(id))
        return op->emitOpError("has an operand the bundle cannot hold");
      out.push_back(*id);
    }
    return out;
  };
  auto simple = [&](fb::OpCode code, std::vector<int64_t> ints = {},
                    std::vector<float> floats = {}) -> LogicalResult {
    auto in = operands(op->getOperands());
    if (failed(in))
      return failure();
    std::vector<int32_t> out;
    for (Value r : op->getResults())
      out.push_back(arenaFor(r));
    addOp(code, op, *in, out, std::move(ints), std::move(floats));
    return success();
  };
  if (isa<arith::ConstantOp, QuantWeightOp, BitplaneWeightOp, PackedWeightOp>(
          op))
    return success(); // stored where used
  for (Type t : op->getResultTypes()) {
    auto ranked = llvm::dyn_cast<RankedTensorType>(t);
    if (!ranked || !ranked.hasStaticShape() ||
        !dtypeOf(ranked.getElementType()))
      return op->emitOpError("result type ")
             << t << " cannot be stored in a bundle";
  }
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](func::ReturnOp ret) -> LogicalResult {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          auto in = operands(v);
          if (failed(in))
            return failure();
          auto type = llvm::cast<RankedTensorType>(v.getType());
          auto attr = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
          int32_t id =
              newValue(attr ? attr.str() : "result" + std::to_string(i),
                       *dtypeOf(type.getElementType()), type.getShape(),
                       fb::Storage::Output);
          values[id].offset = static_cast<int64_t>(i);
          outputs.push_back(id);
          addOp(fb::OpCode::Copy, op, *in, {id});
        }
        return success();
      })
      .Case([&](EmbeddingOp e) -> LogicalResult {
        auto packed = e.getTable().getDefiningOp<PackedWeightOp>();
        if (!packed)
          return simple(fb::OpCode::Embedding);
        // Rows decoded from the packed planes at lookup.
        auto ids = operands(e.getIds());
        if (failed(ids))
          return failure();
        auto in = packedOperands(packed);
        if (failed(in))
          return e.emitOpError("cannot read its packed table");
        in->push_back((*ids)[0]);
        auto scalesType = packed.getScales().getShapedType();
        addOp(fb::OpCode::EmbeddingBits, op, *in, {arenaFor(e.getResult())},
              {scalesType.getDimSize(0),
               scalesType.getDimSize(1) != 1 ? int64_t{1} : int64_t{0}});
        return success();
      })
      .Case([&](LayerNormOp l) {
        return simple(fb::OpCode::LayerNorm, {},
                      {l.getEpsilon().convertToFloat()});
      })
      .Case([&](LinearOp l) -> LogicalResult {
        if (!readsInt8Codes(l))
          return simple(fb::OpCode::LinearF32);
        auto dq = l.getInput().getDefiningOp<DequantizeOp>();
        auto q = dq.getInput().getDefiningOp<QuantizeOp>();
        if (auto qw = l.getWeight().getDefiningOp<QuantWeightOp>())
          return lowerLinearI8(l, dq, qw);
        auto packed = l.getWeight().getDefiningOp<PackedWeightOp>();
        // The bit-plane GEMM on the int8 codes.
        auto codes = operands({dq.getInput(), dq.getScale()});
        if (failed(codes))
          return failure();
        auto weight = packedOperands(packed);
        if (failed(weight))
          return l.emitOpError("cannot read its packed weight");
        auto bitsType = packed.getBits().getShapedType();
        auto scalesType = packed.getScales().getShapedType();
        std::vector<int32_t> in = *codes;
        in.insert(in.end(), weight->begin(), weight->end());
        if (Value b = l.getBias()) {
          auto id = valueOf(b);
          if (failed(id))
            return l.emitOpError("cannot store its bias");
          in.push_back(*id);
        }
        int64_t planes = bitsType.getDimSize(0);
        bool perRow = scalesType.getDimSize(1) != 1;
        // The codes' bit width: kernels may exploit narrow (A4) codes.
        addOp(fb::OpCode::LinearBits, op, in, {arenaFor(l.getResult())},
              {planes, perRow ? 1 : 0, int64_t(q.getBits())});
        return success();
      })
      .Case([&](BatchMatmulOp m) {
        return simple(fb::OpCode::BatchMatmul, {m.getTransposeRhs() ? 1 : 0});
      })
      .Case([&](SoftmaxOp s) {
        int64_t rank = s.getType().getRank(), axis = s.getAxis();
        return simple(fb::OpCode::Softmax, {axis < 0 ? axis + rank : axis});
      })
      .Case([&](GeluOp g) {
        return simple(fb::OpCode::Gelu,
                      {g.getApproximation() == GeluApproximation::tanh});
      })
      .Case([&](TanhOp) { return simple(fb::OpCode::Tanh); })
      .Case([&](AddOp) { return simple(fb::OpCode::Add); })
      .Case([&](SubOp) { return simple(fb::OpCode::Sub); })
      .Case([&](MulOp) { return simple(fb::OpCode::Mul); })
      .Case([&](DivOp) { return simple(fb::OpCode::Div); })
      .Case([&](PowOp) { return simple(fb::OpCode::Pow); })
      .Case([&](ReshapeOp) { return simple(fb::OpCode::Copy); })
      .Case([&](TransposeOp t) {
        return simple(fb::OpCode::Transpose,
                      std::vector<int64_t>(t.getPermutation().begin(),
                                           t.getPermutation().end()));
      })
      .Case([&](SliceOp s) {
        return simple(
            fb::OpCode::Slice,
            std::vector<int64_t>(s.getOffsets().begin(), s.getOffsets().end()));
      })
      .Case([&](CastOp) { return simple(fb::OpCode::Cast); })
      .Case([&](ClampOp c) {
        return simple(
            fb::OpCode::Clamp, {},
            {c.getMin().convertToFloat(), c.getMax().convertToFloat()});
      })
      .Case([&](ReduceSumOp) { return simple(fb::OpCode::ReduceSum); })
      .Case([&](ReduceMeanOp r) {
        return simple(
            fb::OpCode::ReduceMean,
            std::vector<int64_t>(r.getAxes().begin(), r.getAxes().end()));
      })
      .Case([&](PositionIdsOp p) {
        return simple(fb::OpCode::PositionIds,
                      {p.getPaddingIdxAttr().getInt()});
      })
      .Case([&](LengthMaskOp m) {
        return simple(fb::OpCode::LengthMask, {},
                      {m.getFilterValue().convertToFloat()});
      })
      .Case([&](AttentionOp a) -> LogicalResult {
        int64_t bits = a.getProbBits() ? *a.getProbBits() : 0;
        float clip = a.getProbClip() ? a.getProbClip()->convertToFloat() : 1.0f;
        std::vector<int64_t> ints{int64_t(a.getNumHeads()), bits};
        std::vector<float> floats{a.getScale().convertToFloat(), clip};
        if (!readsInt8Codes(a))
          return simple(fb::OpCode::Attention, ints, floats);
        // Both products as int8 GEMMs on the codes of q, k and v.
        std::vector<Value> codes;
        for (Value v : {a.getQuery(), a.getKey(), a.getValue()}) {
          auto dq = v.getDefiningOp<DequantizeOp>();
          codes.push_back(dq.getInput());
          codes.push_back(dq.getScale());
        }
        if (Value mask = a.getMaskBias())
          codes.push_back(mask);
        auto in = operands(codes);
        if (failed(in))
          return failure();
        addOp(fb::OpCode::AttentionI8, op, *in, {arenaFor(a.getResult())}, ints,
              floats);
        return success();
      })
      .Case([&](QuantizeOp q) {
        std::vector<float> floats;
        if (auto clip = q.getClip())
          floats.push_back(clip->convertToFloat());
        return simple(fb::OpCode::Quantize, {int64_t(q.getBits())}, floats);
      })
      .Case([&](DequantizeOp d) -> LogicalResult {
        // Not needed when every use reads the codes (LinearBits,
        // LinearI8, AttentionI8).
        bool needed = llvm::any_of(d->getUsers(), [&](Operation *user) {
          if (auto a = llvm::dyn_cast<AttentionOp>(user))
            return !readsInt8Codes(a) || a.getMaskBias() == d.getResult();
          auto l = llvm::dyn_cast<LinearOp>(user);
          return !l || l.getInput() != d.getResult() || !readsInt8Codes(l);
        });
        return needed ? simple(fb::OpCode::Dequantize) : success();
      })
      .Case([&](UnaryOp u) {
        return simple(fb::OpCode::Unary, {int64_t(u.getFunction())});
      })
      .Default(
          [](Operation *op) { return op->emitOpError("has no runtime op"); });
}

/// linear(dequantize(quantize(x)), quant_weight): the int8 GEMM on the
/// codes and the weight's integer values (as stored: i8 [N, K]) with its
/// per-tensor or per-row scale.
LogicalResult Writer::lowerLinearI8(LinearOp l, DequantizeOp dq,
                                    QuantWeightOp qw) {
  auto codes = valueOf(dq.getInput());
  auto xScale = valueOf(dq.getScale());
  auto values = getElementValues<int8_t>(qw.getValues());
  auto scales = getElementValues<float>(qw.getScale());
  if (failed(codes) || failed(xScale) || failed(values) || failed(scales))
    return l.emitOpError("cannot store its int8 GEMM operands");
  auto type = llvm::cast<RankedTensorType>(qw.getType());
  std::vector<int8_t> rawValues(values->size());
  for (int64_t i = 0; i < values->size(); ++i)
    rawValues[i] = (*values)[i];
  std::vector<float> rawScales(scales->size());
  for (int64_t i = 0; i < scales->size(); ++i)
    rawScales[i] = (*scales)[i];
  std::string name = locName(qw.getLoc());
  std::vector<int32_t> in{
      *codes, *xScale,
      constantBytes(name + "/values", fb::DType::I8, type.getShape(),
                    rawValues.data(), rawValues.size()),
      constantBytes(name + "/scale", fb::DType::F32,
                    {static_cast<int64_t>(rawScales.size())}, rawScales.data(),
                    rawScales.size() * 4)};
  if (Value b = l.getBias()) {
    auto id = valueOf(b);
    if (failed(id))
      return l.emitOpError("cannot store its bias");
    in.push_back(*id);
  }
  bool perRow = rawScales.size() != 1;
  addOp(fb::OpCode::LinearI8, l, in, {arenaFor(l.getResult())},
        {perRow ? 1 : 0});
  return success();
}

/// Greedy first-fit over live ranges: a slot is free again after the last
/// op that reads its value.
void Writer::planArena() {
  for (auto [index, op] : llvm::enumerate(ops)) {
    for (int32_t id : op.outputs)
      if (values[id].storage == fb::Storage::Arena && values[id].firstOp < 0)
        values[id].firstOp = values[id].lastOp = static_cast<int>(index);
    for (int32_t id : op.inputs)
      if (values[id].storage == fb::Storage::Arena)
        values[id].lastOp = static_cast<int>(index);
  }
  std::vector<int32_t> order;
  for (auto [id, v] : llvm::enumerate(values))
    if (v.storage == fb::Storage::Arena && v.firstOp >= 0)
      order.push_back(static_cast<int32_t>(id));
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return values[a].firstOp < values[b].firstOp;
  });
  std::vector<int32_t> placed;
  for (int32_t id : order) {
    ValueInfo &v = values[id];
    // Slots of values live at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (int32_t other : placed) {
      const ValueInfo &o = values[other];
      if (o.lastOp >= v.firstOp && o.firstOp <= v.lastOp)
        busy.push_back({o.offset, alignUp(std::max<int64_t>(o.bytes, 1))});
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0, size = alignUp(std::max<int64_t>(v.bytes, 1));
    for (auto [start, length] : busy) {
      if (offset + size <= start)
        break;
      offset = std::max(offset, start + length);
    }
    v.offset = offset;
    arenaBytes = std::max(arenaBytes, offset + size);
    placed.push_back(id);
  }
}

FailureOr<std::vector<uint8_t>> Writer::run(StringRef target) {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("needs a single-block body");
  for (BlockArgument arg : func.getArguments()) {
    auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape() || !dtypeOf(type.getElementType()))
      return func.emitOpError("argument ")
             << arg.getArgNumber() << " of type " << arg.getType()
             << " cannot be a bundle input (fix shapes with --shape)";
    auto attr =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    int32_t id = newValue(
        attr ? attr.str() : "arg" + std::to_string(arg.getArgNumber()),
        *dtypeOf(type.getElementType()), type.getShape(), fb::Storage::Input);
    values[id].offset = arg.getArgNumber();
    ids[arg] = id;
    inputs.push_back(id);
  }
  for (Operation &op : func.getBody().front())
    if (failed(lowerOp(&op)))
      return failure();
  planArena();

  flatbuffers::FlatBufferBuilder b(1 << 20);
  std::vector<flatbuffers::Offset<fb::Value>> fbValues;
  for (const ValueInfo &v : values)
    fbValues.push_back(fb::CreateValue(b, b.CreateString(v.name), v.dtype,
                                       b.CreateVector(v.shape), v.storage,
                                       v.offset));
  std::vector<flatbuffers::Offset<fb::Op>> fbOps;
  for (const OpInfo &o : ops)
    fbOps.push_back(
        fb::CreateOp(b, o.code, b.CreateString(o.name),
                     b.CreateVector(o.inputs), b.CreateVector(o.outputs),
                     b.CreateVector(o.ints), b.CreateVector(o.floats)));
  b.ForceVectorAlignment(data.size(), 1, 32); // flatbuffers' maximum
  auto fbData = b.CreateVector(data);
  auto bundle =
      fb::CreateBundle(b, fb::kBundleFormatVersion, BNRT_BITPACK_LAYOUT_VERSION,
                       b.CreateString(target.str()), b.CreateVector(fbValues),
                       b.CreateVector(fbOps), b.CreateVector(inputs),
                       b.CreateVector(outputs), arenaBytes, fbData);
  fb::FinishSizePrefixedBundleBuffer(b, bundle);
  return std::vector<uint8_t>(b.GetBufferPointer(),
                              b.GetBufferPointer() + b.GetSize());
}

} // namespace

FailureOr<std::vector<uint8_t>> writeBundle(func::FuncOp func,
                                            StringRef target) {
  return Writer(func).run(target);
}

} // namespace bnbert
