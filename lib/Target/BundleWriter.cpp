//===- BundleWriter.cpp - bnq function to the runtime's bundle ------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Writes a function of bnq ops, after bnq-lower-to-runtime decided which
// parts run as integer kernels, as the op program of
// runtime/schema/bundle.fbs. A mechanical walk:
// - every op becomes one bundle op (docs/bundle.md has the conventions);
// - constants (f32 tensors, packed sign planes, int8 weights, scales) are
//   stored 64-byte aligned in the bundle's data; a weight op still read as
//   a float tensor (not lowered) is stored as its dequantized f32 values;
// - activations get arena slots from a greedy first-fit plan over their
//   live ranges (ArenaPlan.h); each function result is copied into its
//   output buffer;
// - with a shape range, the same program compiled at the probe sizes gives
//   every dimension's form in the range's symbols (applyShapeRange,
//   ShapeRange.cpp);
// - the bytes end with the CRC32C trailer of bnrt/checksum.h.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Target/BundleWriter.h"
#include "BundleProgram.h"
#include "bnbert/Target/ArenaPlan.h"
#include "bnbert/Target/ShapeRange.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"
#include "bnq/WeightValues.h"

#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"
#include "bnrt/checksum.h"
#include "bnrt/sgemm_panels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cstring>
#include <functional>

using namespace mlir;
using namespace bnbert::bnq;
namespace fb = bnrt::fb;

namespace bnbert {
namespace {

constexpr int64_t kAlign = 64;

int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

/// The options table `fb::NameOptions` with the given fields.
const flatbuffers::Offset<flatbuffers::Vector<float>> kNoBinarizers;

#define OPTIONS(Name, ...)                                                     \
  Options {                                                                    \
    fb::OpOptions::Name, [=](flatbuffers::FlatBufferBuilder &b) mutable {      \
      (void)b;                                                                 \
      return fb::Create##Name(b, __VA_ARGS__).Union();                         \
    }                                                                          \
  }

class Writer : public BundleProgram {
public:
  explicit Writer(func::FuncOp func) : func(func) {}
  /// Builds the program (values, ops, constants, arena plan).
  LogicalResult lower();
  /// The size-prefixed bundle, with or without the constant data.
  std::vector<uint8_t> serialize(StringRef target, bool withData,
                                 const BundleText *text) const;
  const std::vector<uint8_t> &constants() const { return data; }

private:
  LogicalResult lowerOp(Operation *op);
  FailureOr<int32_t> valueOf(Value v);
  int32_t newValue(std::string name, fb::DType dtype, ArrayRef<int64_t> shape,
                   fb::Storage storage);
  int32_t constantBytes(std::string name, fb::DType dtype,
                        ArrayRef<int64_t> shape, const void *data,
                        int64_t bytes);
  FailureOr<int32_t> constantOf(Operation *op, Value v);
  int32_t arenaFor(Value v);
  void addOp(fb::OpCode code, Operation *op, std::vector<int32_t> inputs,
             std::vector<int32_t> outputs, Options options = {});
  void planArena();

  func::FuncOp func;
  llvm::DenseMap<Value, int32_t> ids;
};

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
  if (t.isInteger(1))
    return fb::DType::Bool;
  return std::nullopt;
}

/// An input_gelu attribute as bundle.fbs writes it: 0 none, 1 erf, 2 tanh,
/// 3 the integer form (either approximation).
int8_t bundleGelu(std::optional<GeluApproximation> gelu, bool integer) {
  return !gelu ? int8_t(0) : integer ? int8_t(3) : int8_t(1 + int(*gelu));
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

/// Whether `def` makes a value the bundle stores as a constant (where it
/// is used): f32/int constants and the weight ops.
bool isStoredConstant(Operation *def) {
  return isa_and_nonnull<arith::ConstantOp, QuantWeightOp, BitplaneWeightOp,
                         PackedWeightOp>(def);
}

/// Whether the constant `w` is stored in the float GEMM's panel layout
/// (bnrt/sgemm_panels.h), which its SIMD paths read without transposing:
/// when every use is a linear layer's weight. One read another way too (a
/// tied embedding table, a linear's input) stays rows, stored once.
bool inGemmPanels(Value w) {
  return isStoredConstant(w.getDefiningOp()) &&
         llvm::all_of(w.getUses(), [](OpOperand &use) {
           auto linear = llvm::dyn_cast<LinearOp>(use.getOwner());
           return linear && &use == &linear.getWeightMutable();
         });
}

/// A constant operand's bytes as the bundle stores them (its dtype's
/// values in order): f32/int constants and the weight ops (as their f32
/// values; packed weights are handled by LinearBits).
FailureOr<std::vector<uint8_t>> constantValueBytes(Operation *user, Value v) {
  Operation *def = v.getDefiningOp();
  auto type = llvm::cast<RankedTensorType>(v.getType());
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
    return bytes;
  }
  if (def && isa<QuantWeightOp, BitplaneWeightOp, PackedWeightOp>(def)) {
    // Dequantized values (an unpacked or non-GEMM use of a weight).
    auto w = weightValues(def);
    if (failed(w))
      return user->emitOpError("cannot read a weight operand");
    std::vector<uint8_t> bytes(w->size() * 4);
    std::memcpy(bytes.data(), w->data(), bytes.size());
    return bytes;
  }
  return failure();
}

FailureOr<int32_t> Writer::constantOf(Operation *user, Value v) {
  auto bytes = constantValueBytes(user, v);
  if (failed(bytes))
    return failure();
  Operation *def = v.getDefiningOp();
  auto type = llvm::cast<RankedTensorType>(v.getType());
  if (inGemmPanels(v)) {
    auto shape = type.getShape();
    std::vector<float> rows(bytes->size() / 4), panels(rows.size());
    std::memcpy(rows.data(), bytes->data(), bytes->size());
    bnrt::sgemm_panels::pack(rows.data(), shape[0], shape[1], panels.data());
    std::memcpy(bytes->data(), panels.data(), bytes->size());
  }
  return constantBytes(def ? locName(def->getLoc()) : "",
                       *dtypeOf(type.getElementType()), type.getShape(),
                       bytes->data(), bytes->size());
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
                   std::vector<int32_t> out, Options options) {
  OpInfo info{code, locName(op->getLoc()), std::move(in), std::move(out),
              std::move(options)};
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
  auto simple = [&](fb::OpCode code, Options options = {}) -> LogicalResult {
    auto in = operands(op->getOperands());
    if (failed(in))
      return failure();
    std::vector<int32_t> out;
    for (Value r : op->getResults())
      out.push_back(arenaFor(r));
    addOp(code, op, *in, out, std::move(options));
    return success();
  };
  if (isStoredConstant(op))
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
      .Case([&](EmbeddingOp) { return simple(fb::OpCode::Embedding); })
      .Case([&](EmbeddingBitsOp) { return simple(fb::OpCode::EmbeddingBits); })
      .Case([&](LayerNormOp l) {
        return simple(fb::OpCode::LayerNorm,
                      OPTIONS(LayerNormOptions, l.getEpsilon().convertToFloat(),
                              l.getInteger()));
      })
      .Case([&](LinearOp l) {
        return simple(fb::OpCode::LinearF32,
                      inGemmPanels(l.getWeight())
                          ? OPTIONS(LinearF32Options, true)
                          : Options{});
      })
      .Case([&](LinearBitsOp l) {
        return simple(fb::OpCode::LinearBits,
                      OPTIONS(LinearBitsOptions, int8_t(l.getActBits())));
      })
      .Case([&](LinearBitsF32Op) { return simple(fb::OpCode::LinearBitsF32); })
      .Case([&](LinearI8Op) { return simple(fb::OpCode::LinearI8); })
      .Case([&](BatchMatmulOp m) {
        return simple(fb::OpCode::BatchMatmul,
                      OPTIONS(BatchMatmulOptions, m.getTransposeRhs()));
      })
      .Case([&](SoftmaxOp s) {
        int64_t rank = s.getType().getRank(), axis = s.getAxis();
        return simple(fb::OpCode::Softmax,
                      OPTIONS(SoftmaxOptions,
                              int8_t(axis < 0 ? axis + rank : axis),
                              s.getInteger()));
      })
      .Case([&](GeluOp g) {
        return simple(fb::OpCode::Gelu,
                      OPTIONS(GeluOptions,
                              g.getApproximation() == GeluApproximation::tanh,
                              g.getInteger()));
      })
      .Case([&](TanhOp) { return simple(fb::OpCode::Tanh); })
      .Case([&](AddOp) { return simple(fb::OpCode::Add); })
      .Case([&](SubOp) { return simple(fb::OpCode::Sub); })
      .Case([&](MulOp) { return simple(fb::OpCode::Mul); })
      .Case([&](DivOp) { return simple(fb::OpCode::Div); })
      .Case([&](PowOp) { return simple(fb::OpCode::Pow); })
      .Case([&](ReshapeOp) { return simple(fb::OpCode::Copy); })
      .Case([&](TransposeOp t) {
        std::vector<int64_t> perm(t.getPermutation().begin(),
                                  t.getPermutation().end());
        return simple(fb::OpCode::Transpose,
                      OPTIONS(TransposeOptions, b.CreateVector(perm)));
      })
      .Case([&](SliceOp s) {
        std::vector<int64_t> offsets(s.getOffsets().begin(),
                                     s.getOffsets().end());
        return simple(fb::OpCode::Slice,
                      OPTIONS(SliceOptions, b.CreateVector(offsets)));
      })
      .Case([&](CastOp) { return simple(fb::OpCode::Cast); })
      .Case([&](ClampOp c) {
        return simple(fb::OpCode::Clamp,
                      OPTIONS(ClampOptions, c.getMin().convertToFloat(),
                              c.getMax().convertToFloat()));
      })
      .Case([&](ReduceSumOp) { return simple(fb::OpCode::ReduceSum); })
      .Case([&](ReduceMeanOp r) {
        std::vector<int64_t> axes(r.getAxes().begin(), r.getAxes().end());
        return simple(fb::OpCode::ReduceMean,
                      OPTIONS(ReduceMeanOptions, b.CreateVector(axes)));
      })
      .Case([&](PositionIdsOp p) {
        return simple(
            fb::OpCode::PositionIds,
            OPTIONS(PositionIdsOptions, p.getPaddingIdxAttr().getInt()));
      })
      .Case([&](LengthMaskOp m) {
        return simple(
            fb::OpCode::LengthMask,
            OPTIONS(LengthMaskOptions, m.getFilterValue().convertToFloat()));
      })
      .Case([&](AttentionOp a) -> LogicalResult {
        if (a.getProbAlpha())
          return a.emitOpError(
              "binarized probabilities run only with binarized (signed) "
              "query, key and value (bnq.attention_binary)");
        int8_t bits = a.getProbBits() ? int8_t(*a.getProbBits()) : 0;
        float clip = a.getProbClip() ? a.getProbClip()->convertToFloat() : 1.0f;
        return simple(fb::OpCode::Attention,
                      OPTIONS(AttentionOptions, int64_t(a.getNumHeads()),
                              a.getScale().convertToFloat(), bits, clip,
                              kNoBinarizers, a.getInteger()));
      })
      .Case([&](AttentionI8Op a) {
        return simple(fb::OpCode::AttentionI8,
                      OPTIONS(AttentionOptions, int64_t(a.getNumHeads()),
                              a.getScale().convertToFloat(),
                              int8_t(a.getProbBits()),
                              a.getProbClip().convertToFloat(), kNoBinarizers,
                              a.getInteger()));
      })
      .Case([&](AttentionBinaryOp a) {
        std::vector<float> binarizers;
        for (FloatAttr f :
             {a.getQueryAlphaAttr(), a.getQueryBetaAttr(), a.getKeyAlphaAttr(),
              a.getKeyBetaAttr(), a.getValueAlphaAttr(), a.getValueBetaAttr(),
              a.getProbAlphaAttr(), a.getProbBetaAttr()})
          binarizers.push_back(f.getValue().convertToFloat());
        return simple(fb::OpCode::AttentionBinary,
                      OPTIONS(AttentionOptions, int64_t(a.getNumHeads()),
                              a.getScale().convertToFloat(), int8_t(0), 1.0f,
                              b.CreateVector(binarizers)));
      })
      .Case([&](QuantizeOp q) {
        float clip = q.getClip() ? q.getClip()->convertToFloat() : 0.0f;
        return simple(
            fb::OpCode::Quantize,
            OPTIONS(QuantizeOptions, int8_t(q.getBits()), clip,
                    bundleGelu(q.getInputGelu(), q.getInputGeluInteger())));
      })
      .Case([&](DequantizeOp) { return simple(fb::OpCode::Dequantize); })
      .Case([&](BinarizeOp z) {
        return simple(fb::OpCode::Binarize,
                      OPTIONS(BinarizeOptions, z.getAlpha().convertToFloat(),
                              z.getBeta().convertToFloat(),
                              z.getSignedCodes()));
      })
      .Case([&](LinearBinarizedOp l) {
        return simple(
            fb::OpCode::LinearBinarized,
            OPTIONS(BinarizeOptions, l.getAlpha().convertToFloat(),
                    l.getBeta().convertToFloat(), l.getSignedCodes(),
                    bundleGelu(l.getInputGelu(), l.getInputGeluInteger())));
      })
      .Case([&](UnaryOp u) {
        return simple(
            fb::OpCode::Unary,
            OPTIONS(UnaryOptions, fb::UnaryFunction(int8_t(u.getFunction()))));
      })
      .Default(
          [](Operation *op) { return op->emitOpError("has no runtime op"); });
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
  std::vector<int32_t> ids;
  std::vector<ArenaValue> live;
  for (auto [id, v] : llvm::enumerate(values))
    if (v.storage == fb::Storage::Arena && v.firstOp >= 0) {
      ids.push_back(static_cast<int32_t>(id));
      live.push_back({v.bytes, v.firstOp, v.lastOp});
    }
  ArenaPlan plan = bnbert::planArena(live, kAlign);
  for (auto [i, id] : llvm::enumerate(ids))
    values[id].offset = plan.offsets[i];
  arenaBytes = plan.bytes;
}

LogicalResult Writer::lower() {
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
  return success();
}

std::vector<uint8_t> Writer::serialize(StringRef target, bool withData,
                                       const BundleText *text) const {
  flatbuffers::FlatBufferBuilder b(1 << 20);
  std::vector<flatbuffers::Offset<fb::Value>> fbValues;
  for (const ValueInfo &v : values)
    fbValues.push_back(fb::CreateValue(
        b, b.CreateString(v.name), v.dtype, b.CreateVector(v.shape), v.storage,
        v.offset, v.dimPowers.empty() ? 0 : b.CreateVector(v.dimPowers)));
  std::vector<flatbuffers::Offset<fb::Op>> fbOps;
  for (const OpInfo &o : ops) {
    flatbuffers::Offset<void> options;
    if (o.options.build)
      options = o.options.build(b);
    fbOps.push_back(fb::CreateOp(
        b, o.code, b.CreateString(o.name), b.CreateVector(o.inputs),
        b.CreateVector(o.outputs), o.options.type, options));
  }
  std::vector<flatbuffers::Offset<fb::Symbol>> symbolTables;
  for (const RangeSymbol &s : symbols)
    symbolTables.push_back(
        fb::CreateSymbol(b, b.CreateString(s.name), s.min, s.max));
  auto fbSymbols = symbols.empty() ? 0 : b.CreateVector(symbolTables);
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> fbData;
  if (withData) {
    // 64 bytes, a cache line, so no 512-bit load of a weight row splits
    // (force_align stops at 32; PreAlign makes the buffer's size a multiple
    // of 64 too, so the offset from its start is aligned).
    b.PreAlign(data.size(), 64);
    fbData = b.CreateVector(data);
  }
  flatbuffers::Offset<fb::Text> fbText;
  if (text && (!text->tokenizer.empty() || !text->labels.empty()))
    fbText = fb::CreateText(
        b, text->tokenizer.empty() ? 0 : b.CreateVector(text->tokenizer),
        text->lowercase,
        text->labels.empty() ? 0 : b.CreateVectorOfStrings(text->labels),
        text->merges.empty() ? 0 : b.CreateVector(text->merges), text->fairseq);
  auto bundle = fb::CreateBundle(
      b, fb::kBundleFormatVersion, BNRT_BITPACK_LAYOUT_VERSION,
      b.CreateString(target.str()), b.CreateVector(fbValues),
      b.CreateVector(fbOps), b.CreateVector(inputs), b.CreateVector(outputs),
      arenaBytes, fbSymbols, fbData, fbText);
  fb::FinishSizePrefixedBundleBuffer(b, bundle);
  std::vector<uint8_t> bytes(b.GetBufferPointer(),
                             b.GetBufferPointer() + b.GetSize());
  auto trailer = bnrt::checksum::trailerFor(bytes.data(), bytes.size());
  bytes.insert(bytes.end(), trailer.begin(), trailer.end());
  return bytes;
}

/// The program of `func`, ranged by `range` when given.
FailureOr<Writer> lowerProgram(func::FuncOp func,
                               const ShapeRangeProbe *range) {
  Writer writer(func);
  if (failed(writer.lower()))
    return failure();
  if (range) {
    Writer probe(range->probe);
    if (failed(probe.lower()) ||
        failed(applyShapeRange(writer, probe, range->symbols, func.getLoc())))
      return failure();
  }
  return writer;
}

} // namespace

FailureOr<std::vector<uint8_t>> writeBundle(func::FuncOp func, StringRef target,
                                            const ShapeRangeProbe *range,
                                            const BundleText *text) {
  auto writer = lowerProgram(func, range);
  if (failed(writer))
    return failure();
  return writer->serialize(target, /*withData=*/true, text);
}

FailureOr<BundleParts> writeBundleParts(func::FuncOp func, StringRef target,
                                        const ShapeRangeProbe *range,
                                        const BundleText *text) {
  auto writer = lowerProgram(func, range);
  if (failed(writer))
    return failure();
  return BundleParts{writer->serialize(target, /*withData=*/false, text),
                     writer->constants()};
}

} // namespace bnbert
