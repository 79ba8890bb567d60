//===- bnbert-translate.cpp - ONNX -> MLIR -------------------------------===//
//
//   bnbert-translate --import-onnx MODEL.onnx [--shape NAME=DxD ...] -o OUT
//
// Reads binary .onnx (with external data) or ONNX text syntax and prints the
// onnx-dialect module. Exit code 0 on success, 1 with one message on error.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Import/OnnxImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include "mlir/IR/Diagnostics.h"

using namespace llvm;

static cl::opt<bool> importOnnx("import-onnx",
                                cl::desc("Import an ONNX model (binary or "
                                         "ONNX text syntax)"));
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model>"),
                                      cl::Required);
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Fix a graph input's shape, e.g. input_ids=1x128 "
                    "(repeatable)"),
           cl::value_desc("NAME=DxD"));

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "bnbert translator: ONNX to MLIR\n");
  if (!importOnnx) {
    errs() << "bnbert-translate: choose a translation (--import-onnx)\n";
    return 1;
  }
  bnbert::OnnxImportOptions options;
  for (const std::string &spec : shapes) {
    std::string error = bnbert::addShapeOption(spec, options);
    if (!error.empty()) {
      errs() << "bnbert-translate: " << error << "\n";
      return 1;
    }
  }

  mlir::MLIRContext context;
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      bnbert::importOnnxFile(inputFile, context, options);
  if (!module)
    return 1;

  std::string error;
  auto output = mlir::openOutputFile(outputFile, &error);
  if (!output) {
    errs() << "bnbert-translate: " << error << "\n";
    return 1;
  }
  module->print(output->os());
  output->os() << "\n";
  output->keep();
  return 0;
}
