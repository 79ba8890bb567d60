// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The bundle writer's choice of weight layout for LinearF32: a constant
// weight only linear layers read is stored in the float GEMM's panel layout
// (bnrt/sgemm_panels.h), once for all of them; a weight another kind of op
// reads too (a tied embedding table) stays rows, stored once.
#include "bnbert/Target/BundleWriter.h"
#include "bnq/BnqDialect.h"
#include "bnrt/bundle_format.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mlir;
namespace fb = bnrt::fb;

namespace {

/// The bundle bnbert writes for the first function of `source`.
std::vector<uint8_t> bundleOf(const std::string &source) {
  MLIRContext context;
  context.loadDialect<bnbert::bnq::BnqDialect, arith::ArithDialect,
                      func::FuncDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  EXPECT_TRUE(module);
  if (!module)
    return {};
  auto func = *module->getOps<func::FuncOp>().begin();
  auto bytes = bnbert::writeBundle(func, fb::hostTarget());
  EXPECT_TRUE(succeeded(bytes));
  return succeeded(bytes) ? *bytes : std::vector<uint8_t>{};
}

/// The weight value ids and weight_panels flags of the bundle's LinearF32s.
struct Linears {
  std::vector<int32_t> weights;
  std::vector<bool> panels;
  int32_t embeddingTable = -1;
};

Linears linearsOf(const std::vector<uint8_t> &bytes) {
  Linears found;
  const auto *bundle = fb::GetSizePrefixedBundle(bytes.data());
  for (const auto *op : *bundle->ops()) {
    if (op->code() == fb::OpCode::Embedding)
      found.embeddingTable = op->inputs()->Get(0);
    if (op->code() != fb::OpCode::LinearF32)
      continue;
    found.weights.push_back(op->inputs()->Get(1));
    const auto *options = op->options_as_LinearF32Options();
    found.panels.push_back(options && options->weight_panels());
  }
  return found;
}

constexpr const char *kTwoLinears = R"(
func.func @f(%x: tensor<1x4xf32>) -> (tensor<1x70xf32>, tensor<1x70xf32>) {
  %w = arith.constant dense<0.5> : tensor<70x4xf32>
  %a = bnq.linear %x, %w : (tensor<1x4xf32>, tensor<70x4xf32>) -> tensor<1x70xf32>
  %b = bnq.linear %x, %w : (tensor<1x4xf32>, tensor<70x4xf32>) -> tensor<1x70xf32>
  return %a, %b : tensor<1x70xf32>, tensor<1x70xf32>
}
)";

constexpr const char *kTiedTable = R"(
func.func @f(%ids: tensor<1x2xi64>, %x: tensor<1x4xf32>)
    -> (tensor<1x2x4xf32>, tensor<1x70xf32>) {
  %w = arith.constant dense<0.5> : tensor<70x4xf32>
  %e = bnq.embedding %w[%ids] : (tensor<70x4xf32>, tensor<1x2xi64>) -> tensor<1x2x4xf32>
  %y = bnq.linear %x, %w : (tensor<1x4xf32>, tensor<70x4xf32>) -> tensor<1x70xf32>
  return %e, %y : tensor<1x2x4xf32>, tensor<1x70xf32>
}
)";

TEST(BundleWriter, LinearWeightsGoInPanelsOnceForEveryLinear) {
  Linears found = linearsOf(bundleOf(kTwoLinears));
  ASSERT_EQ(found.weights.size(), 2u);
  EXPECT_EQ(found.weights[0], found.weights[1]);
  EXPECT_TRUE(found.panels[0]);
  EXPECT_TRUE(found.panels[1]);
}

TEST(BundleWriter, AWeightTiedToAnEmbeddingStaysRowsStoredOnce) {
  Linears found = linearsOf(bundleOf(kTiedTable));
  ASSERT_EQ(found.weights.size(), 1u);
  EXPECT_FALSE(found.panels[0]);
  EXPECT_EQ(found.weights[0], found.embeddingTable);
}

} // namespace
