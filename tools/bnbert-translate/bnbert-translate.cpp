//===- bnbert-translate.cpp - ONNX -> MLIR -------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//   bnbert-translate --import-onnx MODEL.onnx [--shape NAME=DxD ...]
//                    [--emit-bytecode] -o OUT
//   bnbert-translate --export-onnx MODULE.mlir -o OUT.onnx
//
// Reads binary .onnx (with external data) or ONNX text syntax and writes the
// onnx-dialect module as text (or MLIR bytecode, which keeps the weights
// binary: a BERT-base imports in about a second). Exit code 0 on success, 1
// with one message on error. --export-onnx writes a bnq module (e.g. after
// bnq-split-ternary) as an ONNX model to fine-tune from (docs/frontend.md).
//
//===----------------------------------------------------------------------===//
#include "bnbert/Export/OnnxExporter.h"
#include "bnbert/Import/OnnxImporter.h"
#include "bnq/BnqDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include "mlir/IR/Diagnostics.h"

using namespace llvm;

static cl::OptionCategory category("bnbert-translate options");
static cl::opt<bool> importOnnx("import-onnx",
                                cl::desc("Import an ONNX model (binary or "
                                         "ONNX text syntax)"),
                                cl::cat(category));
static cl::opt<bool> exportOnnx("export-onnx",
                                cl::desc("Export a bnq module (.mlir) as an "
                                         "ONNX model to fine-tune from"),
                                cl::cat(category));
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Fix a graph input's shape, e.g. input_ids=1x128 "
                    "(repeatable)"),
           cl::value_desc("NAME=DxD"), cl::cat(category));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode instead of "
                                           "text"),
                                  cl::cat(category));

static int exportModule() {
  if (outputFile == "-") {
    errs() << "bnbert-translate: --export-onnx needs -o FILE.onnx\n";
    return 1;
  }
  mlir::MLIRContext context;
  context.loadDialect<bnbert::bnq::BnqDialect, mlir::arith::ArithDialect,
                      mlir::func::FuncDialect>();
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(inputFile, sourceMgr, &context);
  if (!module)
    return 1;
  return mlir::failed(bnbert::exportOnnxFile(*module, outputFile)) ? 1 : 0;
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  // MLIR's printer options (--mlir-print-debuginfo, ...) work but are listed
  // only by --help-hidden.
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "bnbert translator: ONNX to MLIR\n");
  if (importOnnx == exportOnnx) {
    errs() << "bnbert-translate: choose one translation (--import-onnx or "
              "--export-onnx)\n";
    return 1;
  }
  if (exportOnnx)
    return exportModule();
  bnbert::OnnxImportOptions options;
  for (const std::string &spec : shapes) {
    std::string error = bnbert::addShapeOption(spec, options);
    if (!error.empty()) {
      errs() << "bnbert-translate: " << error << "\n";
      return 1;
    }
  }
  if (options.hasRanges()) {
    errs() << "bnbert-translate: --shape ranges (LO..HI) are for "
              "bnbert-compile; MLIR import takes fixed shapes\n";
    return 1;
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
  if (emitBytecode) {
    if (mlir::failed(mlir::writeBytecodeToFile(*module, output->os()))) {
      errs() << "bnbert-translate: cannot write bytecode\n";
      return 1;
    }
  } else {
    module->print(output->os());
    output->os() << "\n";
  }
  output->keep();
  return 0;
}
