//===- Compile.cpp - an ONNX model to a bundle, as one call ---------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Driver/Compile.h"

#include "bnbert/Import/OnnxImporter.h"
#include "bnbert/Target/BundleWriter.h"
#include "bnbert/Target/GraphWriter.h"
#include "bnbert/Target/ObjectEmitter.h"
#include "bnbert/Transforms/CompressionReport.h"
#include "bnbert/Transforms/ModelQuantization.h"
#include "bnq/BnqDialect.h"
#include "bnq/BnqOps.h"
#include "bnrt/bundle_format.h"
#include "bnrt/tokenizer_files.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

using namespace mlir;
using namespace bnbert;
using Weights = QuantizationRecipe::Weights;

namespace {

/// Prints "[bnbert-compile] STEP ... 0.12 s" around a stage to `os` (when
/// there is one).
struct Stage {
  Stage(llvm::raw_ostream *os, const llvm::Twine &name)
      : os(os), start(std::chrono::steady_clock::now()) {
    if (!os)
      return;
    *os << "[bnbert-compile] " << name << " ...";
    os->flush();
  }
  ~Stage() {
    if (os)
      *os << llvm::format(" %.2f s\n",
                          std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count());
  }
  llvm::raw_ostream *os;
  std::chrono::steady_clock::time_point start;
};

LogicalResult raise(MLIRContext &context, ModuleOp module) {
  PassManager pm(&context);
  addRaiseOnnxPipeline(pm);
  return pm.run(module);
}

LogicalResult quantize(MLIRContext &context, ModuleOp module,
                       const QuantizationRecipe &recipe) {
  PassManager pm(&context);
  addQuantizationPipeline(pm, recipe);
  return pm.run(module);
}

LogicalResult lowerToRuntime(MLIRContext &context, ModuleOp module) {
  PassManager pm(&context);
  pm.addNestedPass<func::FuncOp>(createBnqLowerToRuntime());
  return pm.run(module);
}

func::FuncOp mainOf(ModuleOp module) {
  return module.lookupSymbol<func::FuncOp>("main");
}

std::string shapesText(const InputShapes &shapes) {
  std::string text;
  for (const auto &[name, dims] : shapes) {
    text += (text.empty() ? "" : " ") + name + "=";
    for (size_t d = 0; d < dims.size(); ++d)
      text += (d ? "x" : "") + std::to_string(dims[d]);
  }
  return text;
}

const char *emitName(EmitKind emit) {
  switch (emit) {
  case EmitKind::Bundle:
    return "bundle";
  case EmitKind::Object:
    return "obj";
  case EmitKind::Mlir:
    return "mlir";
  case EmitKind::Graph:
    return "graph";
  }
  return "";
}

/// The request's tokenizer and labels as the bundle's text section; the
/// labels must match the class count of one of `func`'s outputs.
std::optional<BundleText> readBundleText(const CompileRequest &request,
                                         func::FuncOp func,
                                         std::string &error) {
  BundleText text;
  text.lowercase = !request.cased;
  if (request.tokenizerFile) {
    // A model folder: its tokenizer file, as the runtime picks it.
    std::filesystem::path path = *request.tokenizerFile;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::filesystem::path file = bnrt::tokenizerInFolder(path);
      if (file.empty()) {
        error =
            "--tokenizer " + path.string() + ": " + bnrt::kNoTokenizerInFolder;
        return std::nullopt;
      }
      path = file;
    }
    auto read = [&](const std::filesystem::path &file,
                    std::vector<uint8_t> &bytes) {
      std::ifstream in(file, std::ios::binary);
      if (!in || std::filesystem::is_directory(file, ec)) {
        error = "--tokenizer " + file.string() + ": cannot read the file";
        return false;
      }
      bytes.assign(std::istreambuf_iterator<char>(in),
                   std::istreambuf_iterator<char>());
      if (bytes.empty()) {
        error = "--tokenizer " + file.string() + ": the file is empty";
        return false;
      }
      return true;
    };
    if (!read(path, text.tokenizer))
      return std::nullopt;
    // RoBERTa's vocab.json goes with the merges.txt beside it; XLM-R's
    // SentencePiece model with fairseq's ids (the runtime reads both so).
    if (bnrt::needsMerges(path) && !read(bnrt::mergesBeside(path), text.merges))
      return std::nullopt;
    text.fairseq = bnrt::isFairseqModel(path);
  }
  if (!request.labels)
    return text;
  llvm::SmallVector<llvm::StringRef> names;
  llvm::StringRef(*request.labels).split(names, ',');
  std::set<std::string> seen;
  for (llvm::StringRef name : names) {
    name = name.trim();
    if (name.empty() || !seen.insert(name.str()).second) {
      error = "--labels: names must be non-empty and distinct, got '" +
              *request.labels + "'";
      return std::nullopt;
    }
    text.labels.push_back(name.str());
  }
  std::string shapes;
  for (Type t : func.getResultTypes()) {
    auto type = llvm::dyn_cast<RankedTensorType>(t);
    if (type && type.getRank() >= 1 &&
        type.getDimSize(type.getRank() - 1) ==
            static_cast<int64_t>(text.labels.size()))
      return text;
    if (type)
      shapes += (shapes.empty() ? "" : ", ") +
                std::to_string(type.getDimSize(type.getRank() - 1));
  }
  error = "--labels names " + std::to_string(text.labels.size()) +
          " classes but no output has that many (last dimensions: " + shapes +
          ")";
  return std::nullopt;
}

/// Every bnq.layer_norm result becomes one more function result, named
/// layer_norm.N in program order.
void exposeLayerNormResults(func::FuncOp func) {
  SmallVector<Value> norms;
  func.walk([&](bnq::LayerNormOp op) { norms.push_back(op); });
  auto ret = llvm::cast<func::ReturnOp>(func.getBody().front().getTerminator());
  MLIRContext *context = func.getContext();
  SmallVector<DictionaryAttr> names;
  for (unsigned i = 0; i < ret.getNumOperands(); ++i)
    names.push_back(func.getResultAttrDict(i));
  for (auto [i, v] : llvm::enumerate(norms)) {
    ret.getOperandsMutable().append(v);
    names.push_back(DictionaryAttr::get(
        context,
        {NamedAttribute(
            StringAttr::get(context, "onnx.name"),
            StringAttr::get(context, "layer_norm." + std::to_string(i)))}));
  }
  SmallVector<Type> results(ret.getOperandTypes());
  func.setFunctionType(
      FunctionType::get(context, func.getArgumentTypes(), results));
  func.setAllResultAttrs(names);
}

/// The flags that make no sense together, before any work.
std::string flagProblem(const CompileRequest &r) {
  if (r.splitTernary && r.weights && *r.weights != Weights::Binary)
    return "--split-ternary needs --weights binary";
  if (r.actBits && *r.actBits == 1)
    return "--act-bits 1 has no post-training form (a binarizer's scale and "
           "threshold are learned): train with python3 -m bnbert.train "
           "--act-bits 1 and compile its model.onnx without --act-bits";
  if (r.actBits && *r.actBits != 32 && (*r.actBits < 2 || *r.actBits > 8))
    return "--act-bits must be 32, 8 or 4 (or 2..8), got " +
           std::to_string(*r.actBits);
  if (r.emit == EmitKind::Object && aotNameFromPath(r.aotName) != r.aotName)
    return "--name must be a C identifier, got '" + r.aotName + "'";
  if (!r.target.empty() && r.target != "x86_64" && r.target != "aarch64")
    return "--target must be x86_64 or aarch64";
  return "";
}

/// Every input must be static: names the ones --shape has to fix.
std::string dynamicInputs(func::FuncOp func) {
  std::string dynamic;
  for (BlockArgument arg : func.getArguments()) {
    auto type = llvm::dyn_cast<RankedTensorType>(arg.getType());
    if (type && type.hasStaticShape())
      continue;
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    dynamic += (dynamic.empty() ? "" : ", ") +
               (name ? name.str() : "arg" + std::to_string(arg.getArgNumber()));
  }
  return dynamic;
}

/// The stored-quantization rules: what the model already says (quantized
/// weights, its own activation quantizers) is deployed exactly, never
/// re-quantized, and the flags that would do so are refused. Fills
/// `recipe` from the request where the model leaves the choice open.
std::string chooseRecipe(const CompileRequest &r,
                         const ModelQuantization &inModel,
                         QuantizationRecipe &recipe) {
  recipe.weights = r.weights.value_or(Weights::Binary);
  recipe.splitTernary = r.splitTernary;
  recipe.granularity = r.granularity.value_or(quant::Granularity::PerTensor);
  recipe.actBits = r.actBits.value_or(8);
  if (inModel.weights) {
    if (r.weights || r.splitTernary || r.granularity)
      return r.input + " stores " + std::to_string(inModel.weights) +
             " quantized weights (" + inModel.weightFormats +
             ", DequantizeLinear of int8 codes); --weights, "
             "--split-ternary and --granularity would re-quantize "
             "them: drop those flags, the file says what it is";
    recipe.weights = Weights::AsStored;
    if (!r.actBits)
      recipe.actBits = 32; // only the model's own quantizers
  }
  if (inModel.activations) {
    if (r.actBits)
      return r.input + " quantizes its activations itself (" +
             std::to_string(inModel.activations) +
             " QuantizeLinear/DequantizeLinear pairs); --act-bits would "
             "add quantizers it was not trained with: drop --act-bits";
    recipe.actBits = 32;
  }
  return "";
}

std::string recipeText(const QuantizationRecipe &recipe,
                       const ModelQuantization &inModel) {
  std::string weights = "as stored: " + inModel.weightFormats;
  for (const WeightsName &w : weightsNames())
    if (w.weights == recipe.weights && recipe.weights != Weights::AsStored)
      weights = w.name.str();
  return std::string(recipe.integerNonlinear ? "integer nonlinearities, "
                                             : "") +
         "quantize (weights " + weights +
         (recipe.splitTernary ? " via TWS" : "") + ", activations " +
         (inModel.activations
              ? "as the model's " + std::to_string(inModel.activations) +
                    " quantizers"
              : std::to_string(recipe.actBits) + " bit") +
         ")";
}

} // namespace

void bnbert::prepareCompileContext(MLIRContext &context) {
  // Errors name the op and its ONNX node; a dump of the op would bury them.
  context.printOpOnDiagnostic(false);
  context.loadDialect<bnq::BnqDialect, onnxir::OnnxDialect, arith::ArithDialect,
                      func::FuncDialect>();
}

FailureOr<CompileResult> bnbert::compileModel(const CompileRequest &r,
                                              MLIRContext &context,
                                              std::string &error) {
  auto fail = [&](std::string message) -> FailureOr<CompileResult> {
    error = std::move(message);
    return failure();
  };
  error.clear();
  if (std::string problem = flagProblem(r); !problem.empty())
    return fail(problem);
  std::string target = r.target.empty() ? bnrt::fb::hostTarget() : r.target;

  OnnxImportOptions options;
  for (const std::string &spec : r.shapes)
    if (std::string problem = addShapeOption(spec, options); !problem.empty())
      return fail(problem);
  // A shape range: its symbols, and the smaller shapes compiled to find
  // how every value's shape scales with them (ShapeRange.h).
  std::vector<RangeSymbol> rangeSymbols;
  OnnxImportOptions probeOptions;
  if (options.hasRanges()) {
    std::string problem = chooseRangeSymbols(options.minShapes, options.shapes,
                                             rangeSymbols, probeOptions.shapes);
    if (!problem.empty())
      return fail(problem);
    probeOptions.minShapes = probeOptions.shapes;
  }

  OwningOpRef<ModuleOp> module;
  {
    Stage stage(r.progress, "import " + r.input);
    module = importOnnxFile(r.input, context, options);
  }
  if (!module)
    return failure();
  if (std::string dynamic = dynamicInputs(mainOf(*module)); !dynamic.empty())
    return fail("input(s) " + dynamic +
                " have dynamic dimensions; fix them with --shape NAME=DxD "
                "(e.g. --shape input_ids=1x128)");
  int64_t onnxWeightBytes = 0;
  {
    Stage stage(r.progress, "raise to bnq");
    if (failed(raise(context, *module)))
      return failure();
    onnxWeightBytes = compressionTotals(mainOf(*module)).fp32Bytes;
  }
  func::FuncOp func = mainOf(*module);
  ModelQuantization inModel = findModelQuantization(func);
  bool textFlags = r.tokenizerFile || r.labels;
  if ((r.emit == EmitKind::Graph || r.emit == EmitKind::Mlir) && textFlags)
    return fail(std::string("--tokenizer and --labels go into a bundle or an "
                            "object: drop them with --emit ") +
                emitName(r.emit));
  if (r.cased && !r.tokenizerFile)
    return fail("--cased needs --tokenizer");
  std::optional<BundleText> bundleText = readBundleText(r, func, error);
  if (!bundleText)
    return failure();
  if (r.exposeLayerNorms) {
    if (r.weights != Weights::Fp32 || r.actBits != 32 || options.hasRanges() ||
        r.emit != EmitKind::Bundle)
      return fail("--expose-layer-norms needs --weights fp32 --act-bits 32, "
                  "fixed shapes and --emit bundle");
    exposeLayerNormResults(func);
  }
  if (r.emit == EmitKind::Graph) {
    if (inModel.weights || inModel.activations)
      return fail(r.input + " is already quantized (" +
                  std::to_string(inModel.weights) + " quantized weights, " +
                  std::to_string(inModel.activations) +
                  " activation quantizers): --emit graph takes the float "
                  "model the trainer starts from");
    if (options.hasRanges() || r.weights || r.splitTernary || r.actBits ||
        r.granularity)
      return fail("--emit graph writes the float model at fixed shapes: drop "
                  "shape ranges and quantization flags");
    FailureOr<std::vector<uint8_t>> graph = writeGraph(func);
    if (failed(graph))
      return failure();
    return CompileResult{std::move(*graph), ""};
  }

  QuantizationRecipe recipe;
  if (std::string problem = chooseRecipe(r, inModel, recipe); !problem.empty())
    return fail(problem);
  recipe.integerNonlinear =
      r.integerNonlinear || (*module)->hasAttr(kIntegerNonlinearKey);
  {
    Stage stage(r.progress, recipeText(recipe, inModel));
    if (failed(quantize(context, *module, recipe)))
      return failure();
  }
  func = mainOf(*module);
  if (r.report) {
    CompressionTotals totals = writeCompressionReport(func, *r.report);
    *r.report << llvm::formatv(
        "weights: {0} bytes as fp32 -> {1} bytes deployed ({2:f1}x smaller)\n",
        onnxWeightBytes, totals.deployedBytes,
        totals.deployedBytes ? double(onnxWeightBytes) / totals.deployedBytes
                             : 1.0);
  }
  if (r.emit == EmitKind::Mlir) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return CompileResult{std::vector<uint8_t>(text.begin(), text.end()), ""};
  }
  {
    Stage stage(r.progress, "lower to runtime ops");
    if (failed(lowerToRuntime(context, *module)))
      return failure();
    func = mainOf(*module);
  }
  // A shape range's probe: the same stages at the smaller shapes.
  OwningOpRef<ModuleOp> probeModule;
  std::optional<ShapeRangeProbe> range;
  if (!rangeSymbols.empty()) {
    Stage stage(r.progress, "compile again at " +
                                shapesText(probeOptions.shapes) +
                                " for the shape range");
    probeModule = importOnnxFile(r.input, context, probeOptions);
    if (!probeModule || failed(raise(context, *probeModule)) ||
        failed(quantize(context, *probeModule, recipe)) ||
        failed(lowerToRuntime(context, *probeModule)))
      return failure();
    range = ShapeRangeProbe{rangeSymbols, mainOf(*probeModule)};
  }
  const ShapeRangeProbe *rangeProbe = range ? &*range : nullptr;
  if (r.emit == EmitKind::Object) {
    Stage stage(r.progress, "compile " + r.aotName + "_model for " + target);
    FailureOr<BundleParts> parts =
        writeBundleParts(func, target, rangeProbe, &*bundleText);
    if (failed(parts))
      return failure();
    FailureOr<AotObject> object =
        emitAotObject(context, *parts, target, r.aotName, r.input, error);
    if (failed(object))
      return failure();
    return CompileResult{
        std::vector<uint8_t>(object->object.begin(), object->object.end()),
        object->header};
  }
  FailureOr<std::vector<uint8_t>> bundle;
  {
    Stage stage(r.progress, "write bundle for " + target);
    bundle = writeBundle(func, target, rangeProbe, &*bundleText);
  }
  if (failed(bundle))
    return failure();
  return CompileResult{std::move(*bundle), ""};
}
