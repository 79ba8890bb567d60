//===- bnbert-interpret.cpp - run a bnq module on .npy inputs -------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//   bnbert-interpret MODULE.mlir --input NAME=FILE.npy ... --output-dir DIR
//
// Runs @main (or the only function) with the reference executor. Inputs are
// matched to arguments by their `onnx.name` (else `argN`); each result is
// written to DIR/<onnx.name or resultN>.npy. Exit code 1 on any error.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Exec/Interpreter.h"
#include "bnq/BnqDialect.h"
#include "onnxir/OnnxOps.h"

#include "bnrt/npy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <map>

using namespace llvm;
using namespace mlir;
using bnbert::exec::Tensor;

static cl::OptionCategory category("bnbert-interpret options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<module.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::list<std::string>
    inputs("input",
           cl::desc("An argument's value: NAME=FILE.npy "
                    "(NAME is the ONNX input name "
                    "or argN)"),
           cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Where to write the results"),
                                      cl::init("."), cl::cat(category));

static int fail(const std::string &message) {
  errs() << "bnbert-interpret: " << message << "\n";
  return 1;
}

static std::string nameOf(func::FuncOp func, unsigned i, bool isResult) {
  auto attr = isResult ? func.getResultAttrOfType<StringAttr>(i, "onnx.name")
                       : func.getArgAttrOfType<StringAttr>(i, "onnx.name");
  if (attr)
    return attr.str();
  return (isResult ? "result" : "arg") + std::to_string(i);
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "bnbert reference executor: runs a bnq module "
                              "on .npy inputs\n");
  MLIRContext context;
  context.loadDialect<bnbert::bnq::BnqDialect, bnbert::onnxir::OnnxDialect,
                      arith::ArithDialect, func::FuncDialect>();
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(inputFile, &context);
  if (!module)
    return 1;
  func::FuncOp func = module->lookupSymbol<func::FuncOp>("main");
  if (!func) {
    auto funcs = module->getOps<func::FuncOp>();
    if (std::distance(funcs.begin(), funcs.end()) != 1)
      return fail("the module has no @main and more than one function");
    func = *funcs.begin();
  }

  std::map<std::string, std::string> files;
  for (const std::string &spec : inputs) {
    auto [name, file] = StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return fail("--input expects NAME=FILE.npy, got '" + spec + "'");
    files[name.str()] = file.str();
  }
  std::vector<Tensor> arguments;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = nameOf(func, i, false);
    auto it = files.find(name);
    if (it == files.end())
      return fail("no --input for argument '" + name + "'");
    bnrt::npy::Array array;
    std::string error;
    if (!bnrt::npy::read(it->second, array, error))
      return fail(error);
    files.erase(it);
    Tensor t;
    t.shape = array.shape;
    int64_t n = array.numElements();
    if (array.dtype == "<f4") {
      t.floats.resize(n);
      std::memcpy(t.floats.data(), array.data.data(), n * 4);
    } else if (array.dtype == "<i8" || array.dtype == "<i4") {
      t.isInteger = true;
      for (int64_t j = 0; j < n; ++j) {
        int64_t v = 0;
        if (array.dtype == "<i8")
          std::memcpy(&v, array.data.data() + j * 8, 8);
        else {
          int32_t w;
          std::memcpy(&w, array.data.data() + j * 4, 4);
          v = w;
        }
        t.ints.push_back(v);
      }
    } else {
      return fail("input '" + name + "' has dtype " + array.dtype +
                  "; expected float32, int64 or int32");
    }
    arguments.push_back(std::move(t));
  }
  if (!files.empty())
    return fail("--input names '" + files.begin()->first +
                "', which is not an argument of @" + func.getSymName().str());

  auto results = bnbert::exec::evaluate(func, arguments);
  if (failed(results))
    return 1;
  if (std::error_code ec = sys::fs::create_directories(outputDir))
    return fail("cannot create '" + outputDir + "': " + ec.message());
  for (auto [i, result] : llvm::enumerate(*results)) {
    bnrt::npy::Array array;
    array.shape = result.shape;
    if (result.isInteger) {
      array.dtype = "<i8";
      array.data.resize(result.ints.size() * 8);
      std::memcpy(array.data.data(), result.ints.data(), array.data.size());
    } else {
      array.dtype = "<f4";
      array.data.resize(result.floats.size() * 4);
      std::memcpy(array.data.data(), result.floats.data(), array.data.size());
    }
    // As bnbert-run: '/' in an ONNX output name becomes '_'.
    std::string name = nameOf(func, i, true);
    std::replace(name.begin(), name.end(), '/', '_');
    SmallString<256> path(outputDir);
    sys::path::append(path, name + ".npy");
    std::string error;
    if (!bnrt::npy::write(path.str().str(), array, error))
      return fail(error);
  }
  return 0;
}
