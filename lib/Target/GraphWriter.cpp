//===- GraphWriter.cpp - float bnq to the trainer's graph file ------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Target/GraphWriter.h"
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace json = llvm::json;

namespace bnbert {
namespace {

/// The dtype names of NumPy for the element types a float graph carries.
std::optional<StringRef> dtypeName(Type t) {
  if (t.isF32())
    return StringRef("float32");
  if (t.isInteger(64))
    return StringRef("int64");
  if (t.isInteger(32))
    return StringRef("int32");
  if (t.isInteger(1))
    return StringRef("bool");
  return std::nullopt;
}

/// The first ONNX node name in `loc` (the importer's NameLoc), or "".
std::string nodeName(Location loc) {
  std::string found;
  loc->walk([&](Location inner) {
    if (auto name = llvm::dyn_cast<NameLoc>(inner)) {
      found = name.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

class Writer {
public:
  FailureOr<std::vector<uint8_t>> write(func::FuncOp func);

private:
  FailureOr<json::Object> tensorType(Operation *where, Type type);
  FailureOr<json::Value> attribute(Operation *op, NamedAttribute attr);
  LogicalResult constant(arith::ConstantOp op, json::Object &entry);
  int64_t idOf(Value v) { return ids.lookup(v); }

  llvm::DenseMap<Value, int64_t> ids;
  std::vector<uint8_t> data;
};

FailureOr<json::Object> Writer::tensorType(Operation *where, Type type) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  std::optional<StringRef> dtype =
      tensor ? dtypeName(tensor.getElementType()) : std::nullopt;
  if (!tensor || !tensor.hasStaticShape() || !dtype) {
    where->emitError() << "graph file: a value of type " << type
                       << " (only static f32/i64/i32/i1 tensors)";
    return failure();
  }
  json::Array shape;
  for (int64_t d : tensor.getShape())
    shape.push_back(d);
  return json::Object{{"dtype", *dtype}, {"shape", std::move(shape)}};
}

FailureOr<json::Value> Writer::attribute(Operation *op, NamedAttribute attr) {
  Attribute a = attr.getValue();
  if (auto i = llvm::dyn_cast<IntegerAttr>(a))
    return json::Value(i.getInt());
  if (auto f = llvm::dyn_cast<FloatAttr>(a))
    return json::Value(f.getValueAsDouble());
  if (auto s = llvm::dyn_cast<StringAttr>(a))
    return json::Value(s.getValue());
  if (llvm::isa<UnitAttr>(a))
    return json::Value(true);
  if (auto array = llvm::dyn_cast<DenseI64ArrayAttr>(a)) {
    json::Array values;
    for (int64_t v : array.asArrayRef())
      values.push_back(v);
    return json::Value(std::move(values));
  }
  if (auto gelu = llvm::dyn_cast<bnq::GeluApproximationAttr>(a))
    return json::Value(bnq::stringifyGeluApproximation(gelu.getValue()));
  if (auto unary = llvm::dyn_cast<bnq::UnaryFunctionAttr>(a))
    return json::Value(bnq::stringifyUnaryFunction(unary.getValue()));
  op->emitError() << "graph file: attribute '" << attr.getName()
                  << "' has no spelling there (" << a << ")";
  return failure();
}

LogicalResult Writer::constant(arith::ConstantOp op, json::Object &entry) {
  auto elements = llvm::dyn_cast<ElementsAttr>(op.getValue());
  auto type = llvm::dyn_cast<RankedTensorType>(op.getType());
  if (!elements || !type)
    return op.emitError("graph file: a constant that is not a tensor");
  // Constants start on 64-byte boundaries, so numpy views them aligned.
  data.resize((data.size() + 63) / 64 * 64);
  int64_t offset = data.size();
  if (type.getElementType().isInteger(1)) { // stored bit-packed: one byte each
    auto dense = llvm::dyn_cast<DenseElementsAttr>(elements);
    if (!dense)
      return op.emitError("graph file: the constant's bytes are not readable");
    for (bool b : dense.getValues<bool>())
      data.push_back(b);
  } else {
    ArrayRef<char> bytes;
    bool isSplat = false;
    if (failed(bnq::getRawElementBytes(
            elements, type.getElementType().getIntOrFloatBitWidth() / 8, bytes,
            isSplat)))
      return op.emitError("graph file: the constant's bytes are not readable");
    for (int64_t i = 0; i < (isSplat ? type.getNumElements() : 1); ++i)
      data.insert(data.end(), bytes.begin(), bytes.end());
  }
  entry["offset"] = offset;
  entry["bytes"] = static_cast<int64_t>(data.size()) - offset;
  return success();
}

FailureOr<std::vector<uint8_t>> Writer::write(func::FuncOp func) {
  json::Array inputs, outputs, ops;
  int64_t next = 0;
  for (BlockArgument arg : func.getArguments()) {
    auto type = tensorType(func, arg.getType());
    if (failed(type))
      return failure();
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    (*type)["name"] = name ? name.str() : "arg" + std::to_string(next);
    (*type)["id"] = next;
    ids[arg] = next++;
    inputs.push_back(std::move(*type));
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        auto name = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
        outputs.push_back(json::Object{
            {"name", name ? name.str() : "output" + std::to_string(i)},
            {"id", idOf(v)}});
      }
      continue;
    }
    json::Object entry{{"op", op.getName().getStringRef()},
                       {"node", nodeName(op.getLoc())}};
    json::Array operands, results;
    for (Value v : op.getOperands()) {
      if (!ids.count(v))
        return op.emitError("graph file: an operand from outside the body");
      operands.push_back(idOf(v));
    }
    for (Value v : op.getResults()) {
      auto type = tensorType(&op, v.getType());
      if (failed(type))
        return failure();
      (*type)["id"] = next;
      ids[v] = next++;
      results.push_back(std::move(*type));
    }
    if (auto c = llvm::dyn_cast<arith::ConstantOp>(op)) {
      if (failed(constant(c, entry)))
        return failure();
    } else {
      if (op.getNumRegions())
        return op.emitError("graph file: ops with regions have no spelling");
      json::Object attrs;
      for (NamedAttribute attr : op.getAttrs()) {
        if (attr.getName() == "operandSegmentSizes")
          continue; // the operands' count says it
        auto value = attribute(&op, attr);
        if (failed(value))
          return failure();
        attrs[attr.getName().str()] = std::move(*value);
      }
      entry["attrs"] = std::move(attrs);
    }
    entry["operands"] = std::move(operands);
    entry["results"] = std::move(results);
    ops.push_back(std::move(entry));
  }
  json::Object header{{"format", "bnq-graph"},
                      {"version", 1},
                      {"inputs", std::move(inputs)},
                      {"outputs", std::move(outputs)},
                      {"ops", std::move(ops)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << json::Value(std::move(header));
  os.flush();
  // Pad the header so the data starts on a 64-byte boundary too.
  text.append((64 - (8 + text.size()) % 64) % 64, ' ');
  std::vector<uint8_t> file(8);
  for (int i = 0; i < 8; ++i)
    file[i] = static_cast<uint8_t>(uint64_t(text.size()) >> (8 * i));
  file.insert(file.end(), text.begin(), text.end());
  file.insert(file.end(), data.begin(), data.end());
  return file;
}

} // namespace

FailureOr<std::vector<uint8_t>> writeGraph(func::FuncOp func) {
  return Writer().write(func);
}

} // namespace bnbert
