//===- bnbert-compile.cpp - ONNX in, deployable bundle out ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//   bnbert-compile MODEL.onnx -o OUT [--shape NAME=DxD|LO..HIxLO..HI ...]
//       [--weights fp32|int8|ternary|binary] [--split-ternary]
//       [--act-bits 32|8|4] [--granularity tensor|row]
//       [--target x86_64|aarch64] [--emit bundle|obj|mlir|graph] [--report]
//       [--tokenizer FILE [--cased]] [--labels NAME,NAME,...]
//
// Import (with --shape), raise to bnq (bnq-from-onnx), quantize weights and
// activations as asked, pack, and write a .bnb bundle for the runtime, an
// ahead-of-time object (plus its C header) that calls the runtime's
// kernels, or the final MLIR. Progress goes to stderr; exit 1 with one message
// on any error. A model that already stores quantized weights or activation
// clips (QDQ, as python/bnbert exports a trained model) is deployed as it
// is: the flags that would re-quantize it are refused.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Import/OnnxImporter.h"
#include "bnbert/Target/BundleWriter.h"
#include "bnbert/Target/GraphWriter.h"
#include "bnbert/Target/ObjectEmitter.h"
#include "bnbert/Transforms/CompressionReport.h"
#include "bnbert/Transforms/ModelQuantization.h"
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"
#include "bnrt/bundle_format.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

using namespace llvm;
using namespace mlir;

static cl::OptionCategory category("bnbert-compile options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::Required,
                                       cl::cat(category));
static cl::list<std::string>
    shapes("shape",
           cl::desc("A graph input's shape, fixed (input_ids=1x128) or "
                    "ranged (input_ids=1..8x1..384: the bundle runs every "
                    "batch <= 8 and sequence <= 384 given at run time). "
                    "Repeatable; every dynamic dimension needs one; inputs' "
                    "dimensions at one position with one range are one "
                    "kind (at most two kinds: batch and sequence)"),
           cl::value_desc("NAME=DxD"), cl::cat(category));
static cl::opt<std::string>
    weights("weights",
            cl::desc("Weight format of a float model: fp32, int8, ternary "
                     "or binary (default). A model whose weights are "
                     "already quantized (DequantizeLinear of int8 codes) "
                     "keeps them; the flag is refused there"),
            cl::init("binary"), cl::cat(category));
static cl::opt<bool> splitTernary(
    "split-ternary",
    cl::desc("With --weights binary: ternarize, then split each ternary "
             "weight into two binary planes (TWS, the BinaryBERT path)"),
    cl::cat(category));
static cl::opt<int>
    actBits("act-bits",
            cl::desc("Activation bits: 8 (default for a float model), 4, or "
                     "32 for float activations; dynamic scales, one per "
                     "sequence over its real tokens. A model with quantized "
                     "weights gets only its own QDQ pairs by default (float "
                     "activations if it has none); refused when it has some"),
            cl::init(8), cl::cat(category));
static cl::opt<bnbert::quant::Granularity> granularity(
    "granularity",
    cl::desc("Scale granularity of linear weights: tensor (default) or row"),
    cl::init(bnbert::quant::Granularity::PerTensor),
    cl::values(clEnumValN(bnbert::quant::Granularity::PerTensor, "tensor",
                          "one scale per tensor"),
               clEnumValN(bnbert::quant::Granularity::PerRow, "row",
                          "one scale per output row")),
    cl::cat(category));
static cl::opt<std::string>
    target("target", cl::desc("Target: x86_64 or aarch64 (default: host)"),
           cl::init(""), cl::cat(category));
static cl::opt<std::string>
    emit("emit",
         cl::desc("Output kind: bundle (default, .bnb for bnbert-run), obj "
                  "(an ELF object with the program and the weights, plus "
                  "its C header defining NAME_model: the output path with "
                  ".o replaced by .h; link with the runtime and load with "
                  "bnrt_model_load_aot) or mlir (the quantized bnq, before "
                  "-bnq-lower-to-runtime) or graph (the raised float bnq "
                  "as the trainer's graph file, docs/training.md; a float "
                  "model at fixed shapes, no quantization flags)"),
         cl::init("bundle"), cl::cat(category));
static cl::opt<std::string>
    entryName("name",
              cl::desc("With --emit obj: the C prefix of the object's "
                       "symbols (NAME_model, NAME_program, NAME_constants; "
                       "default: from the output file name)"),
              cl::value_desc("identifier"), cl::cat(category));
static cl::opt<std::string> tokenizerFile(
    "tokenizer",
    cl::desc("Carry the model's tokenizer (WordPiece vocab.txt or "
             "SentencePiece .model) in the bundle, so bnbert-run --text and "
             "bnrt.Model.run_text need no other file"),
    cl::value_desc("file"), cl::cat(category));
static cl::opt<bool> cased("cased",
                           cl::desc("With --tokenizer and a vocab.txt: the "
                                    "cased rules (no lower-casing)"),
                           cl::cat(category));
static cl::opt<std::string> labelNames(
    "labels",
    cl::desc("Carry the class names, in logit order (comma-separated); "
             "bnbert-run --text prints them"),
    cl::value_desc("NAME,NAME,..."), cl::cat(category));
static cl::opt<bool> exposeLayerNorms(
    "expose-layer-norms",
    cl::desc("With --weights fp32 --act-bits 32: also output every layer "
             "norm's result, in program order, as 'layer_norm.N' (the "
             "trainer uses them to name the first layer where its student and "
             "the bundle differ)"),
    cl::cat(category));
static cl::opt<bool> report("report",
                            cl::desc("Print the per-weight size table and "
                                     "the compression against the ONNX "
                                     "weights"),
                            cl::cat(category));

static int fail(const Twine &message) {
  errs() << "bnbert-compile: " << message << "\n";
  return 1;
}

namespace {
/// Prints "[bnbert-compile] STEP ... 0.12 s" around each stage.
struct Stage {
  explicit Stage(StringRef name) : start(std::chrono::steady_clock::now()) {
    errs() << "[bnbert-compile] " << name << " ...";
    errs().flush();
  }
  ~Stage() {
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    errs() << format(" %.2f s\n", s);
  }
  std::chrono::steady_clock::time_point start;
};

/// The steps every compile runs (twice for a shape range).
LogicalResult raise(MLIRContext &context, ModuleOp module) {
  PassManager pm(&context);
  bnbert::addRaiseOnnxPipeline(pm);
  return pm.run(module);
}

LogicalResult quantize(MLIRContext &context, ModuleOp module,
                       const bnbert::QuantizationRecipe &recipe) {
  PassManager pm(&context);
  bnbert::addQuantizationPipeline(pm, recipe);
  return pm.run(module);
}

LogicalResult lowerToRuntime(MLIRContext &context, ModuleOp module) {
  PassManager pm(&context);
  pm.addNestedPass<func::FuncOp>(bnbert::createBnqLowerToRuntime());
  return pm.run(module);
}

std::string shapesText(const bnbert::InputShapes &shapes) {
  std::string text;
  for (const auto &[name, dims] : shapes) {
    text += (text.empty() ? "" : " ") + name + "=";
    for (size_t d = 0; d < dims.size(); ++d)
      text += (d ? "x" : "") + std::to_string(dims[d]);
  }
  return text;
}

/// --tokenizer, --cased, --labels as the bundle's text section; the labels
/// must match the class count of one of `func`'s outputs.
std::optional<bnbert::BundleText> readBundleText(func::FuncOp func,
                                                 std::string &error) {
  bnbert::BundleText text;
  text.lowercase = !cased;
  if (!tokenizerFile.empty()) {
    std::ifstream file(tokenizerFile, std::ios::binary);
    std::error_code ec;
    if (!file || std::filesystem::is_directory(tokenizerFile.getValue(), ec)) {
      error = "--tokenizer " + tokenizerFile + ": cannot read the file";
      return std::nullopt;
    }
    text.tokenizer.assign(std::istreambuf_iterator<char>(file),
                          std::istreambuf_iterator<char>());
    if (text.tokenizer.empty()) {
      error = "--tokenizer " + tokenizerFile + ": the file is empty";
      return std::nullopt;
    }
  }
  if (labelNames.getNumOccurrences()) {
    SmallVector<StringRef> names;
    StringRef(labelNames).split(names, ',');
    std::set<std::string> seen;
    for (StringRef name : names) {
      name = name.trim();
      if (name.empty() || !seen.insert(name.str()).second) {
        error = "--labels: names must be non-empty and distinct, got '" +
                labelNames + "'";
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
  return text;
}

/// --expose-layer-norms: every bnq.layer_norm result becomes one more
/// function result, named layer_norm.N in program order.
void exposeLayerNormResults(func::FuncOp func) {
  SmallVector<Value> norms;
  func.walk([&](bnbert::bnq::LayerNormOp op) { norms.push_back(op); });
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

/// Writes `bytes` to the opened output file and keeps it.
int keepOutput(ToolOutputFile &output, ArrayRef<uint8_t> bytes) {
  output.os().write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  output.keep();
  errs() << "[bnbert-compile] wrote " << outputFile << " (" << bytes.size()
         << " bytes)\n";
  return 0;
}

/// --emit graph: the raised float function as the trainer's graph file.
int writeGraphFile(func::FuncOp func) {
  FailureOr<std::vector<uint8_t>> graph = bnbert::writeGraph(func);
  if (failed(graph))
    return 1;
  std::string error;
  auto output = openOutputFile(outputFile, &error);
  if (!output)
    return fail(error);
  return keepOutput(*output, *graph);
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "bnbert compiler: an ONNX BERT-family encoder (BERT, DistilBERT, "
      "RoBERTa, ALBERT structures) to a bundle or an AOT object\n");

  if (weights != "fp32" && weights != "int8" && weights != "ternary" &&
      weights != "binary")
    return fail("--weights must be fp32, int8, ternary or binary, got '" +
                weights + "'");
  if (splitTernary && weights != "binary")
    return fail("--split-ternary needs --weights binary");
  if (actBits != 32 && (actBits < 2 || actBits > 8))
    return fail("--act-bits must be 32, 8 or 4 (or 2..8), got " +
                Twine(static_cast<int>(actBits)));
  if (emit != "bundle" && emit != "mlir" && emit != "obj" && emit != "graph")
    return fail("--emit must be bundle, obj, mlir or graph, got '" + emit +
                "'");
  std::string aotName = entryName.empty() ? bnbert::aotNameFromPath(outputFile)
                                          : entryName.getValue();
  if (emit == "obj" && bnbert::aotNameFromPath(aotName) != aotName)
    return fail("--name must be a C identifier, got '" + aotName + "'");
  std::string targetName =
      target.empty() ? bnrt::fb::hostTarget() : target.getValue();
  if (targetName != "x86_64" && targetName != "aarch64")
    return fail("--target must be x86_64 or aarch64");
  {
    // Writing over the model being compiled would lose it.
    std::error_code ec;
    if (std::filesystem::equivalent(inputFile.getValue(), outputFile.getValue(),
                                    ec))
      return fail("-o " + outputFile +
                  " is the input model: choose another "
                  "output path");
  }

  bnbert::OnnxImportOptions options;
  for (const std::string &spec : shapes) {
    std::string error = bnbert::addShapeOption(spec, options);
    if (!error.empty())
      return fail(error);
  }
  // A shape range: its symbols, and the smaller shapes compiled to find
  // how every value's shape scales with them (ShapeRange.h).
  std::vector<bnbert::RangeSymbol> rangeSymbols;
  bnbert::OnnxImportOptions probeOptions;
  if (options.hasRanges()) {
    std::string error = bnbert::chooseRangeSymbols(
        options.minShapes, options.shapes, rangeSymbols, probeOptions.shapes);
    if (!error.empty())
      return fail(error);
    probeOptions.minShapes = probeOptions.shapes;
  }

  MLIRContext context;
  // Errors name the op and its ONNX node; a dump of the op would bury them.
  context.printOpOnDiagnostic(false);
  context.loadDialect<bnbert::bnq::BnqDialect, bnbert::onnxir::OnnxDialect,
                      arith::ArithDialect, func::FuncDialect>();
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  OwningOpRef<ModuleOp> module;
  {
    Stage stage("import " + inputFile);
    module = bnbert::importOnnxFile(inputFile, context, options);
  }
  if (!module)
    return 1;

  func::FuncOp func = module->lookupSymbol<func::FuncOp>("main");
  // Every input must be static: name the ones --shape has to fix.
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
  if (!dynamic.empty())
    return fail("input(s) " + dynamic +
                " have dynamic dimensions; fix them with --shape NAME=DxD "
                "(e.g. --shape input_ids=1x128)");
  int64_t onnxWeightBytes = 0;
  {
    Stage stage("raise to bnq");
    if (failed(raise(context, *module)))
      return 1;
    func = module->lookupSymbol<func::FuncOp>("main");
    onnxWeightBytes =
        bnbert::writeCompressionReport(func, llvm::nulls()).fp32Bytes;
  }
  // What the model already says: its quantized weights and its own
  // activation quantizers are deployed exactly, never re-quantized.
  bnbert::ModelQuantization inModel = bnbert::findModelQuantization(func);
  if ((emit == "graph" || emit == "mlir") &&
      (tokenizerFile.getNumOccurrences() || labelNames.getNumOccurrences()))
    return fail("--tokenizer and --labels go into a bundle or an object: "
                "drop them with --emit " +
                emit);
  if (cased && tokenizerFile.empty())
    return fail("--cased needs --tokenizer");
  std::string textError;
  std::optional<bnbert::BundleText> bundleText =
      readBundleText(func, textError);
  if (!bundleText)
    return fail(textError);
  if (exposeLayerNorms) {
    if (weights != "fp32" || actBits != 32 || options.hasRanges() ||
        emit != "bundle")
      return fail("--expose-layer-norms needs --weights fp32 --act-bits 32, "
                  "fixed shapes and --emit bundle");
    exposeLayerNormResults(func);
  }
  if (emit == "graph") {
    if (inModel.weights || inModel.activations)
      return fail(inputFile + " is already quantized (" +
                  Twine(inModel.weights) + " quantized weights, " +
                  Twine(inModel.activations) +
                  " activation quantizers): --emit graph takes the float "
                  "model the trainer starts from");
    if (options.hasRanges() || weights.getNumOccurrences() || splitTernary ||
        actBits.getNumOccurrences() || granularity.getNumOccurrences())
      return fail("--emit graph writes the float model at fixed shapes: drop "
                  "shape ranges and quantization flags");
    return writeGraphFile(func);
  }
  std::string weightMode = weights;
  int activationBits = actBits;
  if (inModel.weights) {
    if (weights.getNumOccurrences() || splitTernary ||
        granularity.getNumOccurrences())
      return fail(inputFile + " stores " + Twine(inModel.weights) +
                  " quantized weights (" + inModel.weightFormats +
                  ", DequantizeLinear of int8 codes); --weights, "
                  "--split-ternary and --granularity would re-quantize "
                  "them: drop those flags, the file says what it is");
    weightMode = "model";
    if (!actBits.getNumOccurrences())
      activationBits = 32; // only the model's own quantizers
  }
  if (inModel.activations) {
    if (actBits.getNumOccurrences())
      return fail(inputFile + " quantizes its activations itself (" +
                  Twine(inModel.activations) +
                  " QuantizeLinear/DequantizeLinear pairs); --act-bits would "
                  "add quantizers it was not trained with: drop --act-bits");
    activationBits = 32;
  }
  using Weights = bnbert::QuantizationRecipe::Weights;
  bnbert::QuantizationRecipe recipe;
  recipe.weights = llvm::StringSwitch<Weights>(weightMode)
                       .Case("fp32", Weights::Fp32)
                       .Case("int8", Weights::Int8)
                       .Case("ternary", Weights::Ternary)
                       .Case("model", Weights::AsStored)
                       .Default(Weights::Binary);
  recipe.splitTernary = splitTernary;
  recipe.granularity = granularity;
  recipe.actBits = activationBits;
  {
    Stage stage("quantize (weights " +
                (weightMode == "model" ? "as stored: " + inModel.weightFormats
                                       : weightMode) +
                (splitTernary ? " via TWS" : "") + ", activations " +
                (inModel.activations
                     ? "as the model's " + std::to_string(inModel.activations) +
                           " quantizers"
                     : std::to_string(activationBits) + " bit") +
                ")");
    if (failed(quantize(context, *module, recipe)))
      return 1;
  }
  func = module->lookupSymbol<func::FuncOp>("main");
  if (report) {
    auto totals = bnbert::writeCompressionReport(func, outs());
    outs() << formatv("weights: {0} bytes as fp32 -> {1} bytes deployed "
                      "({2:f1}x smaller)\n",
                      onnxWeightBytes, totals.deployedBytes,
                      totals.deployedBytes
                          ? double(onnxWeightBytes) / totals.deployedBytes
                          : 1.0);
  }

  std::string error;
  auto output = openOutputFile(outputFile, &error);
  if (!output)
    return fail(error);
  if (emit == "mlir") {
    module->print(output->os());
    output->keep();
    return 0;
  }
  {
    Stage stage("lower to runtime ops");
    if (failed(lowerToRuntime(context, *module)))
      return 1;
    func = module->lookupSymbol<func::FuncOp>("main");
  }
  // The range's probe: the same steps at smaller shapes.
  OwningOpRef<ModuleOp> probeModule;
  std::optional<bnbert::ShapeRangeProbe> range;
  if (!rangeSymbols.empty()) {
    Stage stage("compile again at " + shapesText(probeOptions.shapes) +
                " for the shape range");
    probeModule = bnbert::importOnnxFile(inputFile, context, probeOptions);
    if (!probeModule || failed(raise(context, *probeModule)) ||
        failed(quantize(context, *probeModule, recipe)) ||
        failed(lowerToRuntime(context, *probeModule)))
      return 1;
    range = bnbert::ShapeRangeProbe{
        rangeSymbols, probeModule->lookupSymbol<func::FuncOp>("main")};
  }
  const bnbert::ShapeRangeProbe *rangeProbe = range ? &*range : nullptr;
  if (emit == "obj") {
    FailureOr<bnbert::BundleParts> parts;
    FailureOr<bnbert::AotObject> object;
    {
      Stage stage("compile " + aotName + "_model for " + targetName);
      parts =
          bnbert::writeBundleParts(func, targetName, rangeProbe, &*bundleText);
      if (failed(parts))
        return 1;
      object = bnbert::emitAotObject(context, *parts, targetName, aotName,
                                     inputFile, error);
    }
    if (failed(object))
      return fail(error);
    StringRef stem = outputFile.getValue();
    stem.consume_back(".o");
    std::string headerFile = (stem + ".h").str();
    auto header = openOutputFile(headerFile, &error);
    if (!header)
      return fail(error);
    output->os() << object->object;
    header->os() << object->header;
    output->keep();
    header->keep();
    errs() << "[bnbert-compile] wrote " << outputFile << " ("
           << object->object.size() << " bytes) and " << headerFile << "\n";
    return 0;
  }
  FailureOr<std::vector<uint8_t>> bundle;
  {
    Stage stage("write bundle for " + targetName);
    bundle = bnbert::writeBundle(func, targetName, rangeProbe, &*bundleText);
  }
  if (failed(bundle))
    return 1;
  return keepOutput(*output, *bundle);
}
