//===- OnnxImporter.cpp - ONNX model to the onnx dialect ------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Built with exceptions: ONNX and protobuf throw. Every entry point catches
// at this boundary and turns the exception into a diagnostic.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Import/OnnxImporter.h"
#include "ContribSchemas.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <set>
#include <unistd.h>

using namespace mlir;

namespace bnbert {

std::string addShapeOption(StringRef spec, OnnxImportOptions &options) {
  auto [name, dims] = spec.split('=');
  if (name.empty() || dims.empty())
    return ("--shape expects NAME=D0xD1x... (a dimension may be a range "
            "LO..HI), got '" +
            spec + "'")
        .str();
  std::vector<int64_t> mins, maxs;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    auto [lo, hi] = part.split("..");
    if (!part.contains(".."))
      hi = lo;
    int64_t min, max;
    if (lo.getAsInteger(10, min) || hi.getAsInteger(10, max) || min <= 0 ||
        max <= 0)
      return ("--shape '" + spec + "': '" + part +
              "' is not a positive dimension or range LO..HI")
          .str();
    if (min > max)
      return ("--shape '" + spec + "': range '" + part + "' is empty").str();
    mins.push_back(min);
    maxs.push_back(max);
  }
  if (!options.shapes.emplace(name.str(), maxs).second)
    return ("--shape " + name + " is given more than once").str();
  options.minShapes[name.str()] = mins;
  return "";
}

namespace {

/// Oldest default-domain opset whose operator forms we import (Slice and
/// Clip take inputs from 10/11 on).
constexpr int64_t kMinOpset = 11;
/// Tensors up to this many elements (and all non-float tensors) become
/// inline dense attributes so folders can read them; larger float tensors
/// are resource blobs.
constexpr int64_t kInlineElements = 1024;

/// ONNX Runtime's contrib domain, imported as `onnx.com.microsoft.*` ops.
constexpr const char *kMicrosoftDomain = "com.microsoft";

/// How many results the onnx-dialect op of a node has (its ONNX outputs
/// beyond these are not supported).
int declaredResults(const onnx::NodeProto &node) {
  if (node.domain() == kMicrosoftDomain &&
      node.op_type() == "EmbedLayerNormalization")
    return 2; // output, mask_index
  return 1;
}

/// An error to report with the node (or tensor) it concerns.
struct ImportError {
  std::string message;
};

class Importer {
public:
  Importer(MLIRContext &context, StringRef path,
           const OnnxImportOptions &options)
      : context(context), builder(&context), path(path.str()),
        modelDir(llvm::sys::path::parent_path(path).str()), options(options) {}

  OwningOpRef<ModuleOp> run();

private:
  void load();
  void applyShapes();
  void widenHalfWeights();
  void checkPositionTables() const;
  void checkAndInferShapes();
  void buildFunction(ModuleOp module);
  Value importInitializer(const onnx::TensorProto &tensor);
  void importNode(const onnx::NodeProto &node);
  Type elementType(int32_t dtype, const std::string &what);
  Type tensorType(const onnx::TypeProto &type, const std::string &what);
  ElementsAttr tensorAttr(const onnx::TensorProto &tensor, bool allowResource);
  struct ExternalData {
    std::string path; // inside the model's directory
    int64_t offset;
  };
  /// `expected`: the tensor's bytes, checked against the file when given.
  ExternalData resolveExternalData(const onnx::TensorProto &tensor,
                                   std::optional<size_t> expected);
  std::string readTensorBytes(const onnx::TensorProto &tensor,
                              size_t elementSize, int64_t count);
  std::string nodeLabel(const onnx::NodeProto &node) const;
  Location nodeLoc(const onnx::NodeProto &node) const;
  Value lookup(const std::string &name, const onnx::NodeProto &node);
  void normalizeAttributes(const onnx::NodeProto &node, OperationState &state,
                           SmallVectorImpl<std::string> &inputs,
                           SmallVectorImpl<Value> &extraOperands);

  MLIRContext &context;
  OpBuilder builder;
  std::string path, modelDir;
  const OnnxImportOptions &options;
  onnx::ModelProto model;
  int64_t opset = 0;
  llvm::StringMap<int64_t> opsets; // per domain ("" is ai.onnx)
  llvm::StringMap<const onnx::TypeProto *> types;
  llvm::StringMap<Value> values;
};

std::string Importer::nodeLabel(const onnx::NodeProto &node) const {
  std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
  std::string name = node.name().empty()
                         ? (node.output_size() ? node.output(0) : "?")
                         : node.name();
  auto version = opsets.find(domain == "ai.onnx" ? "" : domain);
  return "node '" + name + "' (" + domain + "." + node.op_type() + ", opset " +
         (version == opsets.end() ? std::string("?")
                                  : std::to_string(version->second)) +
         ")";
}

Location Importer::nodeLoc(const onnx::NodeProto &node) const {
  std::string name = !node.name().empty()     ? node.name()
                     : node.output_size() > 0 ? node.output(0)
                                              : node.op_type();
  return NameLoc::get(StringAttr::get(&context, name));
}

void Importer::load() {
  bool text = StringRef(path).ends_with(".onnxtext") ||
              StringRef(path).ends_with(".txt");
  if (!text) {
    // Peek at the first byte: ONNX text starts with '<' (model header) or a
    // '#' comment; a protobuf never starts with either.
    std::ifstream peek(path, std::ios::binary);
    char c = 0;
    while (peek.get(c) && isspace(static_cast<unsigned char>(c)))
      ;
    text = peek && (c == '<' || c == '#');
  }
  if (text) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      throw ImportError{"cannot read '" + path +
                        "': " + buffer.getError().message()};
    onnx::Common::Status status;
    try {
      status = onnx::OnnxParser::Parse(model, (*buffer)->getBufferStart());
    } catch (const std::exception &e) {
      // ONNX 1.12's parser lets std::stoll's out_of_range through.
      throw ImportError{"cannot parse ONNX text '" + path +
                        "': a number is malformed or out of range (" +
                        e.what() + ")"};
    }
    if (!status.IsOK())
      throw ImportError{"cannot parse ONNX text '" + path +
                        "': " + status.ErrorMessage()};
    return;
  }
  // Parse straight from the file so the model's bytes are held once.
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    throw ImportError{"cannot read '" + path + "': " + strerror(errno)};
  bool parsed = model.ParseFromFileDescriptor(fd);
  ::close(fd);
  if (!parsed)
    throw ImportError{"'" + path +
                      "' is not a valid ONNX model (truncated or corrupt "
                      "protobuf)"};
  // An empty file parses as an empty model.
  if (!model.has_graph() && model.opset_import_size() == 0)
    throw ImportError{"'" + path +
                      "' is empty or not an ONNX model (it has no graph)"};
}

/// Weights stored in float16 and cast to float before every use (as a
/// size-halving export writes them) become float initializers, each Cast
/// then a no-op: the values are exactly those the model computes with.
/// (A graph that computes in float16 is left as it is.)
void Importer::widenHalfWeights() {
  onnx::GraphProto *graph = model.mutable_graph();
  std::map<std::string, bool> onlyCastToFloat;
  for (const auto &node : graph->node())
    for (const auto &input : node.input()) {
      bool cast =
          node.op_type() == "Cast" && node.domain().empty() &&
          llvm::any_of(node.attribute(), [](const auto &a) {
            return a.name() == "to" && a.i() == onnx::TensorProto::FLOAT;
          });
      auto [it, added] = onlyCastToFloat.emplace(input, cast);
      if (!added)
        it->second = it->second && cast;
    }
  for (onnx::TensorProto &tensor : *graph->mutable_initializer()) {
    auto use = onlyCastToFloat.find(tensor.name());
    if (tensor.data_type() != onnx::TensorProto::FLOAT16 ||
        tensor.data_location() == onnx::TensorProto::EXTERNAL ||
        use == onlyCastToFloat.end() || !use->second)
      continue;
    int64_t count = 1;
    for (int64_t d : tensor.dims())
      count *= d;
    std::string half = readTensorBytes(tensor, 2, count);
    std::string widened(count * 4, '\0');
    for (int64_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, half.data() + 2 * i, 2);
      llvm::APFloat value(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits));
      bool lost;
      value.convert(llvm::APFloat::IEEEsingle(),
                    llvm::APFloat::rmNearestTiesToEven, &lost);
      float f = value.convertToFloat();
      std::memcpy(widened.data() + 4 * i, &f, 4);
    }
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.clear_int32_data();
    tensor.set_raw_data(widened);
    // An initializer also listed as a graph input (older exports) changes
    // type there too.
    for (auto &input : *graph->mutable_input())
      if (input.name() == tensor.name())
        input.mutable_type()->mutable_tensor_type()->set_elem_type(
            onnx::TensorProto::FLOAT);
  }
}

void Importer::applyShapes() {
  onnx::GraphProto *graph = model.mutable_graph();
  std::set<std::string> initializers;
  for (const auto &init : graph->initializer())
    initializers.insert(init.name());
  for (const auto &[name, shape] : options.shapes) {
    onnx::ValueInfoProto *input = nullptr;
    std::string names;
    for (auto &candidate : *graph->mutable_input()) {
      if (initializers.count(candidate.name()))
        continue;
      names += (names.empty() ? "" : ", ") + candidate.name();
      if (candidate.name() == name)
        input = &candidate;
    }
    if (!input)
      throw ImportError{"--shape names '" + name +
                        "', which is not a graph input (inputs: " + names +
                        ")"};
    auto *tensorShape =
        input->mutable_type()->mutable_tensor_type()->mutable_shape();
    auto describe = [&] {
      std::string s;
      for (const auto &dim : tensorShape->dim())
        s +=
            (s.empty() ? "" : "x") +
            (dim.has_dim_value() ? std::to_string(dim.dim_value())
                                 : (dim.dim_param().empty() ? std::string("?")
                                                            : dim.dim_param()));
      return s;
    };
    std::string modelShape = describe();
    if (tensorShape->dim_size() != 0 &&
        tensorShape->dim_size() != static_cast<int>(shape.size()))
      throw ImportError{"--shape " + name + " has rank " +
                        std::to_string(shape.size()) + " but the model's '" +
                        name + "' is " + modelShape};
    if (tensorShape->dim_size() == 0)
      for (size_t i = 0; i < shape.size(); ++i)
        tensorShape->add_dim();
    for (size_t i = 0; i < shape.size(); ++i) {
      auto *dim = tensorShape->mutable_dim(i);
      if (dim->has_dim_value() && dim->dim_value() != shape[i])
        throw ImportError{"--shape " + name + " contradicts the model: " +
                          "dimension " + std::to_string(i) + " is fixed to " +
                          std::to_string(dim->dim_value()) + " (model shape " +
                          modelShape + ")"};
      dim->set_dim_value(shape[i]);
    }
  }
}

/// A sequence longer than the model's position table would surface later
/// as a broadcast or gather failure deep in the graph: name the limit. A
/// position table is a Gather on a 2-D initializer named like one; its
/// positions are [0, P) when computed from constants and shapes (BERT),
/// and start after the padding index when computed from the ids' values
/// (RoBERTa's create_position_ids_from_input_ids: P - 2).
void Importer::checkPositionTables() const {
  const onnx::GraphProto &graph = model.graph();
  std::map<std::string, const onnx::TensorProto *> initializers;
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  int64_t seq = 0;
  std::string seqInput;
  std::set<std::string> fromInputs;
  for (const auto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    fromInputs.insert(input.name());
    const auto &shape = input.type().tensor_type().shape();
    if (shape.dim_size() == 2 && shape.dim(1).has_dim_value() &&
        shape.dim(1).dim_value() > seq) {
      seq = shape.dim(1).dim_value();
      seqInput = input.name();
    }
  }
  if (!seq)
    return;
  for (const auto &node : graph.node()) {
    // Values computed from the inputs' values (a Shape reads only shapes,
    // which are fixed here).
    bool dependent = node.op_type() != "Shape" && node.op_type() != "Size" &&
                     llvm::any_of(node.input(), [&](const std::string &in) {
                       return fromInputs.count(in) != 0;
                     });
    if (dependent)
      for (const auto &out : node.output())
        fromInputs.insert(out);
    if (node.op_type() != "Gather" || !node.domain().empty() ||
        node.input_size() != 2)
      continue;
    auto table = initializers.find(node.input(0));
    if (table == initializers.end() || table->second->dims_size() != 2 ||
        StringRef(node.input(0)).lower().find("position") == std::string::npos)
      continue;
    int64_t rows = table->second->dims(0);
    bool offset = fromInputs.count(node.input(1)) != 0;
    int64_t limit = offset ? rows - 2 : rows;
    if (seq > limit)
      throw ImportError{"the sequence length " + std::to_string(seq) +
                        " (input '" + seqInput + "') exceeds the model's " +
                        std::to_string(limit) + " positions (position table '" +
                        node.input(0) + "', " + std::to_string(rows) + " rows" +
                        (offset ? ", positions after the padding index" : "") +
                        ", read by node '" +
                        (node.name().empty() ? node.output(0) : node.name()) +
                        "'): give --shape a shorter sequence"};
  }
}

void Importer::checkAndInferShapes() {
  registerContribSchemas();
  for (const auto &entry : model.opset_import())
    opsets[entry.domain() == "ai.onnx" ? "" : entry.domain()] = entry.version();
  opset = opsets.lookup("");
  if (opset < kMinOpset)
    throw ImportError{"the model uses opset " + std::to_string(opset) +
                      "; bnbert imports opset " + std::to_string(kMinOpset) +
                      " and newer"};
  // External data first (confined to the model's directory), then the
  // checker, which (ONNX 1.12, given a ModelProto) looks for external
  // files relative to the working directory: it runs from the model's
  // directory, and back (the importer is single-threaded).
  bool external = false;
  for (const auto &init : model.graph().initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL) {
      resolveExternalData(init, std::nullopt);
      external = true;
    }
  try {
    int cwd = external ? ::open(".", O_RDONLY | O_DIRECTORY) : -1;
    if (cwd >= 0 && !modelDir.empty() && ::chdir(modelDir.c_str()) != 0) {
      ::close(cwd);
      cwd = -1;
    }
    struct Restore {
      int fd;
      ~Restore() {
        if (fd >= 0) {
          (void)!::fchdir(fd);
          ::close(fd);
        }
      }
    } restore{cwd};
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    throw ImportError{std::string("the ONNX checker rejects the model: ") +
                      e.what()};
  }
  // Outputs a node leaves unnamed still become results of its op: name
  // them so shape inference types them.
  onnx::GraphProto *mutableGraph = model.mutable_graph();
  for (int n = 0; n < mutableGraph->node_size(); ++n) {
    onnx::NodeProto *node = mutableGraph->mutable_node(n);
    for (int i = 0; i < declaredResults(*node); ++i) {
      if (i >= node->output_size())
        node->add_output();
      if (node->output(i).empty())
        node->set_output(i, "bnbert.unused." + std::to_string(n) + "." +
                                std::to_string(i));
    }
  }
  // Data propagation resolves Reshape targets computed from Shape ops.
  onnx::ShapeInferenceOptions inference(/*check_type=*/false,
                                        /*strict_mode=*/0,
                                        /*data_prop=*/true);
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception &e) {
    throw ImportError{std::string("ONNX shape inference failed: ") + e.what()};
  }
  const onnx::GraphProto &graph = model.graph();
  for (const auto &v : graph.input())
    types[v.name()] = &v.type();
  for (const auto &v : graph.value_info())
    types[v.name()] = &v.type();
  for (const auto &v : graph.output())
    types[v.name()] = &v.type();
}

Type Importer::elementType(int32_t dtype, const std::string &what) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT:
    return builder.getF32Type();
  case onnx::TensorProto::UINT8:
    return builder.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::INT8:
    return builder.getI8Type();
  case onnx::TensorProto::INT32:
    return builder.getI32Type();
  case onnx::TensorProto::INT64:
    return builder.getI64Type();
  case onnx::TensorProto::BOOL:
    return builder.getI1Type();
  case onnx::TensorProto::FLOAT16:
    return builder.getF16Type();
  case onnx::TensorProto::DOUBLE:
    return builder.getF64Type();
  default:
    throw ImportError{what + " has unsupported ONNX element type " +
                      (onnx::TensorProto_DataType_IsValid(dtype)
                           ? onnx::TensorProto_DataType_Name(
                                 static_cast<onnx::TensorProto_DataType>(dtype))
                           : std::to_string(dtype))};
  }
}

Type Importer::tensorType(const onnx::TypeProto &type,
                          const std::string &what) {
  if (!type.has_tensor_type())
    throw ImportError{what + " is not a tensor"};
  const auto &tensor = type.tensor_type();
  Type element = elementType(tensor.elem_type(), what);
  if (!tensor.has_shape())
    return UnrankedTensorType::get(element);
  SmallVector<int64_t> shape;
  bool graphInput = StringRef(what).starts_with("graph input");
  for (const auto &dim : tensor.shape().dim()) {
    // Negative sizes are invalid; an input fixed to 0 elements would only
    // fail at run time.
    if (dim.has_dim_value() &&
        (dim.dim_value() < 0 || (graphInput && dim.dim_value() == 0)))
      throw ImportError{what + " has dimension " +
                        std::to_string(shape.size()) + " fixed to " +
                        std::to_string(dim.dim_value()) +
                        " (sizes must be positive)"};
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, element);
}

/// Element bytes in ONNX's little-endian raw layout (bool: one byte).
size_t elementBytes(Type type) {
  return type.isInteger(1) ? 1 : (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// Where `tensor`'s external data lives, checked: as ONNX Runtime does, a
/// location relative to the model's directory that stays inside it (no
/// absolute path, no '..', no symlink out of it), holding `expected` bytes
/// from `offset` (checked against the file's size before anything is
/// allocated).
Importer::ExternalData
Importer::resolveExternalData(const onnx::TensorProto &tensor,
                              std::optional<size_t> expected) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : tensor.external_data()) {
    int64_t *field = kv.key() == "offset"   ? &offset
                     : kv.key() == "length" ? &length
                                            : nullptr;
    if (kv.key() == "location")
      location = kv.value();
    else if (field &&
             (StringRef(kv.value()).getAsInteger(10, *field) || *field < 0))
      throw ImportError{"external data " + kv.key() + " '" + kv.value() +
                        "' of tensor '" + tensor.name() +
                        "' is not a non-negative integer"};
  }
  bool escapes = location.empty() || llvm::sys::path::is_absolute(location);
  for (auto it = llvm::sys::path::begin(location),
            end = llvm::sys::path::end(location);
       it != end && !escapes; ++it)
    escapes = *it == "..";
  if (escapes)
    throw ImportError{"external data location '" + location + "' of tensor '" +
                      tensor.name() +
                      "' must be a relative path inside the model's "
                      "directory"};
  SmallString<256> file(modelDir.empty() ? "." : modelDir);
  llvm::sys::path::append(file, location);
  SmallString<256> realDir, realFile;
  uint64_t fileSize = 0;
  if (llvm::sys::fs::real_path(modelDir.empty() ? "." : modelDir, realDir) ||
      llvm::sys::fs::real_path(file, realFile) ||
      llvm::sys::fs::file_size(realFile, fileSize))
    throw ImportError{"external data '" + location + "' of tensor '" +
                      tensor.name() + "' cannot be read (looked for " +
                      file.str().str() + ")"};
  if (!StringRef(realFile).starts_with((realDir + "/").str()))
    throw ImportError{"external data '" + location + "' of tensor '" +
                      tensor.name() + "' resolves to " + realFile.str().str() +
                      ", outside the model's directory"};
  if (!expected)
    return {realFile.str().str(), offset};
  if (length >= 0 && static_cast<size_t>(length) != *expected)
    throw ImportError{"external data of tensor '" + tensor.name() +
                      "' has length " + std::to_string(length) + ", expected " +
                      std::to_string(*expected)};
  if (static_cast<uint64_t>(offset) > fileSize ||
      *expected > fileSize - static_cast<uint64_t>(offset))
    throw ImportError{"external data file " + file.str().str() + " (" +
                      std::to_string(fileSize) +
                      " bytes) ends before tensor '" + tensor.name() +
                      "' (offset " + std::to_string(offset) + ", " +
                      std::to_string(*expected) + " bytes)"};
  return {realFile.str().str(), offset};
}

std::string Importer::readTensorBytes(const onnx::TensorProto &tensor,
                                      size_t elementSize, int64_t count) {
  size_t expected = elementSize * static_cast<size_t>(count);
  std::string bytes;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    ExternalData data = resolveExternalData(tensor, expected);
    std::ifstream in(data.path, std::ios::binary);
    if (!in)
      throw ImportError{"external data file " + data.path + " of tensor '" +
                        tensor.name() + "' cannot be read"};
    bytes.resize(expected);
    in.seekg(data.offset);
    in.read(bytes.data(), expected);
    if (static_cast<size_t>(in.gcount()) != expected)
      throw ImportError{"external data file " + data.path +
                        " ends before tensor '" + tensor.name() + "'"};
    return bytes;
  }
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != expected)
      throw ImportError{"tensor '" + tensor.name() + "' has " +
                        std::to_string(tensor.raw_data().size()) +
                        " bytes of data, expected " + std::to_string(expected)};
    return tensor.raw_data();
  }
  // Typed fields, narrowed to the element size (little-endian host).
  bytes.resize(expected);
  auto fill = [&](const auto &field) {
    if (field.size() != count)
      throw ImportError{"tensor '" + tensor.name() + "' has " +
                        std::to_string(field.size()) + " values, expected " +
                        std::to_string(count)};
    for (int64_t i = 0; i < count; ++i) {
      auto v = field.Get(i);
      std::memcpy(bytes.data() + i * elementSize, &v, elementSize);
    }
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    fill(tensor.float_data());
    break;
  case onnx::TensorProto::DOUBLE:
    fill(tensor.double_data());
    break;
  case onnx::TensorProto::INT64:
    fill(tensor.int64_data());
    break;
  default:
    fill(tensor.int32_data());
  }
  return bytes;
}

ElementsAttr Importer::tensorAttr(const onnx::TensorProto &tensor,
                                  bool allowResource) {
  std::string what = "tensor '" + tensor.name() + "'";
  Type element = elementType(tensor.data_type(), what);
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(shape, element);
  int64_t count = type.getNumElements();
  std::string bytes = readTensorBytes(tensor, elementBytes(element), count);
  if (element.isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : bytes)
      bits.push_back(c != 0);
    return DenseElementsAttr::get(type, bits);
  }
  if (!allowResource || !llvm::isa<FloatType>(element) ||
      count <= kInlineElements)
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(bytes.data(), bytes.size()));
  std::string key = tensor.name();
  for (char &c : key)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return DenseResourceElementsAttr::get(
      type, key.empty() ? "weight" : key,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(bytes.data(), bytes.size()), alignof(double)));
}

Value Importer::importInitializer(const onnx::TensorProto &tensor) {
  ElementsAttr value = tensorAttr(tensor, /*allowResource=*/true);
  return builder.create<onnxir::ConstantOp>(
      NameLoc::get(StringAttr::get(&context, tensor.name())), value.getType(),
      value);
}

Value Importer::lookup(const std::string &name, const onnx::NodeProto &node) {
  auto it = values.find(name);
  if (it == values.end())
    throw ImportError{nodeLabel(node) + ": input '" + name +
                      "' is not produced by any node, input or initializer"};
  return it->second;
}

/// Turns ONNX attributes into MLIR attributes under the same names, and
/// normalizes opset differences (see OnnxOps.td).
void Importer::normalizeAttributes(const onnx::NodeProto &node,
                                   OperationState &state,
                                   SmallVectorImpl<std::string> &inputs,
                                   SmallVectorImpl<Value> &extraOperands) {
  const std::string &opType = node.op_type();
  auto declared = state.name.getAttributeNames();
  for (const onnx::AttributeProto &attr : node.attribute()) {
    const std::string &name = attr.name();
    // Opset < 13: Unsqueeze/Squeeze axes become an operand.
    if ((opType == "Unsqueeze" || opType == "Squeeze") && name == "axes") {
      SmallVector<int64_t> axes(attr.ints().begin(), attr.ints().end());
      auto type = RankedTensorType::get({static_cast<int64_t>(axes.size())},
                                        builder.getI64Type());
      extraOperands.push_back(builder.create<onnxir::ConstantOp>(
          nodeLoc(node), type,
          DenseElementsAttr::get(type, ArrayRef<int64_t>(axes))));
      continue;
    }
    if (opType == "Constant") {
      onnx::TensorProto scalar;
      if (name == "value") {
        state.addAttribute("value", tensorAttr(attr.t(), false));
        continue;
      }
      if (name == "value_float" || name == "value_floats") {
        std::vector<float> v = name == "value_float"
                                   ? std::vector<float>{attr.f()}
                                   : std::vector<float>(attr.floats().begin(),
                                                        attr.floats().end());
        SmallVector<int64_t> shape;
        if (name == "value_floats")
          shape.push_back(v.size());
        state.addAttribute(
            "value", DenseElementsAttr::get(
                         RankedTensorType::get(shape, builder.getF32Type()),
                         ArrayRef<float>(v)));
        continue;
      }
      if (name == "value_int" || name == "value_ints") {
        std::vector<int64_t> v =
            name == "value_int"
                ? std::vector<int64_t>{attr.i()}
                : std::vector<int64_t>(attr.ints().begin(), attr.ints().end());
        SmallVector<int64_t> shape;
        if (name == "value_ints")
          shape.push_back(v.size());
        state.addAttribute(
            "value", DenseElementsAttr::get(
                         RankedTensorType::get(shape, builder.getI64Type()),
                         ArrayRef<int64_t>(v)));
        continue;
      }
    }
    if (!llvm::is_contained(declared, StringAttr::get(&context, name)))
      throw ImportError{nodeLabel(node) + ": unsupported attribute '" + name +
                        "'"};
    switch (attr.type()) {
    case onnx::AttributeProto::INT:
      state.addAttribute(name, builder.getI64IntegerAttr(attr.i()));
      break;
    case onnx::AttributeProto::FLOAT:
      state.addAttribute(name, builder.getF32FloatAttr(attr.f()));
      break;
    case onnx::AttributeProto::INTS:
      state.addAttribute(name,
                         builder.getDenseI64ArrayAttr(SmallVector<int64_t>(
                             attr.ints().begin(), attr.ints().end())));
      break;
    case onnx::AttributeProto::STRING:
      state.addAttribute(name, builder.getStringAttr(attr.s()));
      break;
    case onnx::AttributeProto::TENSOR:
      state.addAttribute(name, tensorAttr(attr.t(), false));
      break;
    default:
      throw ImportError{nodeLabel(node) + ": attribute '" + name +
                        "' has an unsupported kind"};
    }
  }
  // Opset < 13 Softmax flattens to 2-D at `axis` (default 1); that is the
  // one-axis softmax only when axis is the last dimension.
  if (opType == "Softmax" && opset < 13) {
    auto rankType =
        llvm::dyn_cast<RankedTensorType>(lookup(inputs[0], node).getType());
    int64_t axis = 1;
    for (const auto &attr : node.attribute())
      if (attr.name() == "axis")
        axis = attr.i();
    if (!rankType) {
      // Checked by bnq-raise-onnx once the rank is known.
      state.attributes.set("legacy_axis", builder.getI64IntegerAttr(axis));
    } else {
      int64_t rank = rankType.getRank();
      if ((axis < 0 ? axis + rank : axis) != rank - 1)
        throw ImportError{nodeLabel(node) +
                          ": softmax over the flattened "
                          "trailing axes from " +
                          std::to_string(axis) + " is not supported"};
    }
    state.attributes.set("axis", builder.getI64IntegerAttr(-1));
  }
}

void Importer::importNode(const onnx::NodeProto &node) {
  std::string domain = node.domain();
  std::string opName = "onnx." + node.op_type();
  if (domain == kMicrosoftDomain)
    opName = "onnx." + domain + "." + node.op_type();
  else if (!domain.empty() && domain != "ai.onnx")
    throw ImportError{nodeLabel(node) + ": unsupported operator domain '" +
                      domain + "'"};
  std::optional<RegisteredOperationName> registered =
      RegisteredOperationName::lookup(opName, &context);
  if (!registered)
    throw ImportError{nodeLabel(node) + ": unsupported operator"};

  OperationState state(nodeLoc(node), *registered);
  SmallVector<std::string> inputs(node.input().begin(), node.input().end());
  SmallVector<Value> extraOperands;
  normalizeAttributes(node, state, inputs, extraOperands);

  // Operands in ONNX input order; "" marks an absent optional input.
  static const llvm::StringMap<int> operandGroups = {
      {"Slice", 5},
      {"Clip", 3},
      {"EmbedLayerNormalization", 9},
      {"Attention", 4},
      {"SkipLayerNormalization", 5}};
  auto groups = operandGroups.find(node.op_type());
  if (groups != operandGroups.end()) {
    SmallVector<int32_t> sizes;
    for (int i = 0; i < groups->second; ++i) {
      bool present = i < static_cast<int>(inputs.size()) && !inputs[i].empty();
      sizes.push_back(present ? 1 : 0);
      if (present)
        state.operands.push_back(lookup(inputs[i], node));
    }
    state.addAttribute("operandSegmentSizes",
                       builder.getDenseI32ArrayAttr(sizes));
  } else {
    while (!inputs.empty() && inputs.back().empty())
      inputs.pop_back();
    for (const std::string &input : inputs) {
      if (input.empty())
        throw ImportError{nodeLabel(node) +
                          ": an optional input in the middle is not supported"};
      state.operands.push_back(lookup(input, node));
    }
  }
  state.operands.append(extraOperands.begin(), extraOperands.end());

  int resultCount = declaredResults(node);
  for (int i = 0; i < node.output_size(); ++i) {
    if (i >= resultCount && !node.output(i).empty())
      throw ImportError{nodeLabel(node) + ": output " + std::to_string(i) +
                        " ('" + node.output(i) +
                        "') is not supported; only the first " +
                        std::to_string(resultCount) + " are"};
    if (i >= resultCount)
      continue;
    Type type;
    if (node.op_type() == "Constant" && state.attributes.get("value")) {
      type = llvm::cast<TypedAttr>(state.attributes.get("value")).getType();
    } else {
      auto it = types.find(node.output(i));
      if (it == types.end())
        throw ImportError{nodeLabel(node) + ": the type of output '" +
                          node.output(i) + "' could not be inferred"};
      type = tensorType(*it->second, "output '" + node.output(i) + "'");
    }
    state.types.push_back(type);
  }
  Operation *op = builder.create(state);
  for (int i = 0; i < resultCount && i < node.output_size(); ++i)
    values[node.output(i)] = op->getResult(i);
}

void Importer::buildFunction(ModuleOp module) {
  const onnx::GraphProto &graph = model.graph();
  // The trainer's mark of a model trained with integer nonlinearities.
  for (const auto &prop : model.metadata_props())
    if (prop.key() == kIntegerNonlinearKey && prop.value() == "1")
      module->setAttr(kIntegerNonlinearKey, UnitAttr::get(&context));
  std::set<std::string> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  SmallVector<Type> argTypes, resultTypes;
  SmallVector<std::string> argNames;
  for (const auto &input : graph.input()) {
    if (initializerNames.count(input.name()))
      continue; // IR < 4 lists initializers as inputs too
    argTypes.push_back(
        tensorType(input.type(), "graph input '" + input.name() + "'"));
    argNames.push_back(input.name());
  }
  for (const auto &output : graph.output())
    resultTypes.push_back(
        tensorType(output.type(), "graph output '" + output.name() + "'"));

  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<func::FuncOp>(
      NameLoc::get(StringAttr::get(&context, graph.name())), "main",
      builder.getFunctionType(argTypes, resultTypes));
  Block *body = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = body->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(name));
  }
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(output.name()));

  builder.setInsertionPointToEnd(body);
  for (const auto &init : graph.initializer()) {
    values[init.name()] = importInitializer(init);
    // The blob now owns the data; drop the protobuf copy.
    onnx::TensorProto &mutableInit = const_cast<onnx::TensorProto &>(init);
    std::string().swap(*mutableInit.mutable_raw_data());
  }
  for (const auto &node : graph.node())
    importNode(node);

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end())
      throw ImportError{"graph output '" + output.name() +
                        "' is not produced by any node"};
    results.push_back(it->second);
  }
  builder.create<func::ReturnOp>(func.getLoc(), results);
}

OwningOpRef<ModuleOp> Importer::run() {
  context.loadDialect<onnxir::OnnxDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&context, path, 0, 0));
  try {
    load();
    applyShapes();
    widenHalfWeights();
    checkPositionTables();
    checkAndInferShapes();
    buildFunction(*module);
  } catch (const ImportError &e) {
    emitError(module->getLoc()) << e.message;
    return nullptr;
  } catch (const std::exception &e) {
    emitError(module->getLoc())
        << "cannot import '" << path << "': " << e.what();
    return nullptr;
  }
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(StringRef path, MLIRContext &context,
                                     const OnnxImportOptions &options) {
  return Importer(context, path, options).run();
}

} // namespace bnbert
