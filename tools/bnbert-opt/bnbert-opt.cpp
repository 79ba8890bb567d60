//===- bnbert-opt.cpp - mlir-opt for the bnq dialect and its passes -------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqDialect.h"
#include "onnxir/OnnxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  bnbert::registerBnbertPasses();
  bnbert::registerBnbertConversionPasses();
  bnbert::registerBnbertPipelines();

  mlir::DialectRegistry registry;
  registry.insert<bnbert::bnq::BnqDialect, bnbert::onnxir::OnnxDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "bnbert optimizer: bnq dialect passes and pipelines\n",
      registry));
}
