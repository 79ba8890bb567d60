//===- bnbert-compile.cpp - ONNX in, deployable bundle out ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//   bnbert-compile MODEL.onnx -o OUT [--shape NAME=DxD|LO..HIxLO..HI ...]
//       [--weights fp32|int8|ternary|binary] [--split-ternary]
//       [--act-bits 32|8|4] [--granularity tensor|row] [--integer-nonlinear]
//       [--target x86_64|aarch64] [--emit bundle|obj|mlir|graph] [--report]
//       [--tokenizer FILE [--cased]] [--labels NAME,NAME,...]
//
// The flags, parsed into a bnbert::CompileRequest; the compiler's policy
// (stages, stored quantization, shape ranges) is bnbert::compileModel
// (lib/Driver). Progress goes to stderr; exit 1 with one message on any
// error.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Driver/Compile.h"
#include "bnbert/Target/ObjectEmitter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <filesystem>

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
static cl::opt<bool> integerNonlinear(
    "integer-nonlinear",
    cl::desc("GELU, softmax and layer norm in I-BERT's integer forms (the "
             "default for a model trained with them: python3 -m "
             "bnbert.train --integer-nonlinear marks its model.onnx)"),
    cl::cat(category));
static cl::opt<int>
    actBits("act-bits",
            cl::desc("Activation bits: 8 (default for a float model), 4, or "
                     "32 for float activations; dynamic scales, one per "
                     "sequence over its real tokens. A model with quantized "
                     "weights gets only its own QDQ pairs by default (float "
                     "activations if it has none); refused when it has some. "
                     "1-bit activations (BiT's binarization) are learned: "
                     "they come with a model trained with --act-bits 1"),
            cl::init(8), cl::cat(category));
static cl::opt<bnbert::quant::Granularity> granularity(
    "granularity",
    cl::desc("Scale granularity of linear weights: tensor (default) or row"),
    cl::init(bnbert::quant::Granularity::PerTensor),
    bnbert::GranularityValues(), cl::cat(category));
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
    cl::desc("Carry the model's tokenizer in the bundle, so bnbert-run "
             "--text and bnrt.Model.run_text need no other file: a Hugging "
             "Face tokenizer.json, RoBERTa's vocab.json (with the merges.txt "
             "beside it), a WordPiece vocab.txt, a SentencePiece .model, or "
             "the model folder holding one"),
    cl::value_desc("file|folder"), cl::cat(category));
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
/// Writes `bytes` to `path` (kept only when complete).
bool writeOutput(StringRef path, StringRef bytes, std::string &error) {
  auto output = openOutputFile(path, &error);
  if (!output)
    return false;
  output->os() << bytes;
  output->keep();
  return true;
}

/// The flags as a request; "" or the message of a flag it cannot take.
std::string requestFromFlags(bnbert::CompileRequest &r) {
  using bnbert::EmitKind;
  r.input = inputFile;
  r.shapes.assign(shapes.begin(), shapes.end());
  if (weights.getNumOccurrences()) {
    r.weights = bnbert::weightsNamed(weights);
    if (!r.weights)
      return "--weights must be " + bnbert::weightsChoices() + ", got '" +
             weights + "'";
  }
  r.splitTernary = splitTernary;
  r.integerNonlinear = integerNonlinear;
  if (actBits.getNumOccurrences())
    r.actBits = actBits;
  if (granularity.getNumOccurrences())
    r.granularity = granularity;
  r.target = target;
  std::optional<EmitKind> kind =
      llvm::StringSwitch<std::optional<EmitKind>>(emit)
          .Case("bundle", EmitKind::Bundle)
          .Case("obj", EmitKind::Object)
          .Case("mlir", EmitKind::Mlir)
          .Case("graph", EmitKind::Graph)
          .Default(std::nullopt);
  if (!kind)
    return "--emit must be bundle, obj, mlir or graph, got '" + emit + "'";
  r.emit = *kind;
  r.aotName = entryName.empty() ? bnbert::aotNameFromPath(outputFile)
                                : entryName.getValue();
  if (tokenizerFile.getNumOccurrences())
    r.tokenizerFile = tokenizerFile;
  r.cased = cased;
  if (labelNames.getNumOccurrences())
    r.labels = labelNames;
  r.exposeLayerNorms = exposeLayerNorms;
  if (report)
    r.report = &outs();
  r.progress = &errs();
  // Writing over the model being compiled would lose it.
  std::error_code ec;
  if (std::filesystem::equivalent(inputFile.getValue(), outputFile.getValue(),
                                  ec))
    return "-o " + outputFile +
           " is the input model: choose another "
           "output path";
  return "";
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

  bnbert::CompileRequest request;
  if (std::string error = requestFromFlags(request); !error.empty())
    return fail(error);
  MLIRContext context;
  bnbert::prepareCompileContext(context);
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  std::string error;
  FailureOr<bnbert::CompileResult> result =
      bnbert::compileModel(request, context, error);
  if (failed(result))
    return error.empty() ? 1 : fail(error);
  StringRef bytes(reinterpret_cast<const char *>(result->bytes.data()),
                  result->bytes.size());
  if (!writeOutput(outputFile, bytes, error))
    return fail(error);
  if (request.emit == bnbert::EmitKind::Mlir)
    return 0;
  if (request.emit != bnbert::EmitKind::Object) {
    errs() << "[bnbert-compile] wrote " << outputFile << " (" << bytes.size()
           << " bytes)\n";
    return 0;
  }
  StringRef stem = outputFile.getValue();
  stem.consume_back(".o");
  std::string headerFile = (stem + ".h").str();
  if (!writeOutput(headerFile, result->header, error))
    return fail(error);
  errs() << "[bnbert-compile] wrote " << outputFile << " (" << bytes.size()
         << " bytes) and " << headerFile << "\n";
  return 0;
}
