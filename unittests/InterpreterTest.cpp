// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The reference executor on hand-computed cases, then used as intended:
// TWS equivalence on a BERT encoder layer (examples/tiny-bert-layer.mlir) by
// running the ternary, split and packed forms on the same inputs.
#include "bnbert/Exec/Interpreter.h"
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;
using namespace bnbert;
using bnbert::exec::Tensor;

#ifndef BNBERT_SOURCE_DIR
#error "BNBERT_SOURCE_DIR must point at the source tree"
#endif

namespace {
class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    context
        .loadDialect<bnq::BnqDialect, arith::ArithDialect, func::FuncDialect>();
  }

  OwningOpRef<ModuleOp> parse(StringRef source) {
    return parseSourceString<ModuleOp>(source, &context);
  }

  /// Runs the first function of `module` and returns its first result.
  Tensor run(ModuleOp module, ArrayRef<Tensor> args) {
    auto func = *module.getOps<func::FuncOp>().begin();
    auto results = exec::evaluate(func, args);
    EXPECT_TRUE(succeeded(results));
    return succeeded(results) ? (*results)[0] : Tensor();
  }

  MLIRContext context;
};

float maxAbsDiff(const Tensor &a, const Tensor &b) {
  EXPECT_EQ(a.shape, b.shape);
  float diff = 0;
  for (size_t i = 0; i < a.floats.size(); ++i)
    diff = std::max(diff, std::fabs(a.floats[i] - b.floats[i]));
  return diff;
}
} // namespace

TEST_F(InterpreterTest, LinearGeluSoftmax) {
  auto module = parse(R"mlir(
    func.func @f(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
      %w = arith.constant dense<[[1.0, 2.0], [-1.0, 0.5]]> : tensor<2x2xf32>
      %b = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
      %y = bnq.linear %x, %w, %b : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
      %g = bnq.gelu erf %y : tensor<1x2xf32>
      %s = bnq.softmax %g {axis = -1 : i64} : tensor<1x2xf32>
      return %s : tensor<1x2xf32>
    })mlir");
  ASSERT_TRUE(module);
  // y = [1*1 + 2*2 + 0.5, -1 + 1] = [5.5, 0]; gelu(5.5) ~ 5.5, gelu(0) = 0.
  Tensor out = run(*module, {Tensor::f32({1, 2}, {1.0f, 2.0f})});
  double g = 0.5 * 5.5 * (1 + std::erf(5.5 / std::sqrt(2.0)));
  double e = std::exp(g);
  EXPECT_NEAR(out.floats[0], e / (e + 1), 1e-6);
  EXPECT_NEAR(out.floats[1], 1 / (e + 1), 1e-6);
}

TEST_F(InterpreterTest, LayerNormAndBroadcast) {
  auto module = parse(R"mlir(
    func.func @f(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
      %g = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
      %b = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
      %y = bnq.layer_norm %x, %g, %b {epsilon = 0.0001 : f32} : tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>
      %c = arith.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
      %z = bnq.add %y, %c : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
      return %z : tensor<2x2xf32>
    })mlir");
  ASSERT_TRUE(module);
  // Row [1, 3]: mean 2, var 1 -> [-1, 1] / sqrt(1 + 1e-4).
  Tensor out = run(*module, {Tensor::f32({2, 2}, {1, 3, 5, 5})});
  double inv = 1 / std::sqrt(1.0001);
  EXPECT_NEAR(out.floats[0], -2 * inv + 10, 1e-5);
  EXPECT_NEAR(out.floats[1], inv + 1 + 10, 1e-5);
  EXPECT_NEAR(out.floats[2], 20, 1e-5); // constant row normalizes to 0
  EXPECT_NEAR(out.floats[3], 21, 1e-5);
}

TEST_F(InterpreterTest, GenericOpsAndMasks) {
  auto module = parse(R"mlir(
    func.func @f(%x: tensor<2x3xf32>, %len: tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>) {
      %two = arith.constant dense<2.0> : tensor<f32>
      %p = bnq.pow %x, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
      %s = bnq.unary sqrt %p : tensor<2x3xf32>
      %n = bnq.unary neg %s : tensor<2x3xf32>
      %r = bnq.unary relu %n : tensor<2x3xf32>
      %g = bnq.unary sigmoid %r : tensor<2x3xf32>
      %m = bnq.reduce_mean %g[1] : tensor<2x3xf32> -> tensor<2x1xf32>
      %mask = bnq.length_mask %len {filter_value = -5.0 : f32} : tensor<2xi64> -> tensor<2x3xf32>
      %c = bnq.clamp %mask {min = -4.0 : f32, max = 0.0 : f32} : tensor<2x3xf32>
      return %m, %c : tensor<2x1xf32>, tensor<2x3xf32>
    })mlir");
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  auto results =
      exec::evaluate(func, {Tensor::f32({2, 3}, {-1, 2, -3, 0, 0, 4}),
                            Tensor::i64({2}, {1, 3})});
  ASSERT_TRUE(succeeded(results));
  // sqrt(x^2) = |x|; -|x| <= 0; relu -> 0; sigmoid(0) = 0.5 everywhere.
  EXPECT_EQ((*results)[0].floats, (std::vector<float>{0.5f, 0.5f}));
  // Key j of sequence b is masked (-5, clamped to -4) when j >= len[b].
  EXPECT_EQ((*results)[1].floats, (std::vector<float>{0, -4, -4, 0, 0, 0}));
}

TEST_F(InterpreterTest, AttentionMaskAndTranspose) {
  // One head, two keys; the mask removes key 1, so each query returns v[0].
  auto module = parse(R"mlir(
    func.func @f(%q: tensor<1x2x2xf32>, %v: tensor<1x2x2xf32>, %m: tensor<1x2xf32>) -> tensor<1x2x2xf32> {
      %a = bnq.attention %q, %q, %v mask(%m) {num_heads = 1 : i64, scale = 1.0 : f32} : (tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2xf32>) -> tensor<1x2x2xf32>
      %t = bnq.transpose %a, [0, 2, 1] : tensor<1x2x2xf32> -> tensor<1x2x2xf32>
      return %t : tensor<1x2x2xf32>
    })mlir");
  ASSERT_TRUE(module);
  Tensor out = run(*module, {Tensor::f32({1, 2, 2}, {1, 0, 0, 1}),
                             Tensor::f32({1, 2, 2}, {3, 4, 5, 6}),
                             Tensor::f32({1, 2}, {0, -10000})});
  // a = [[3, 4], [3, 4]], transposed: [[3, 3], [4, 4]].
  EXPECT_EQ(out.floats, (std::vector<float>{3, 3, 4, 4}));
}

TEST_F(InterpreterTest, QuantizeRoundsHalfToEvenAndSaturates) {
  auto module = parse(R"mlir(
    func.func @f(%x: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>) {
      %q, %s = bnq.quantize %x {bits = 8 : i32} : tensor<4xf32> -> tensor<4xi8>
      %d = bnq.dequantize %q, %s : tensor<4xi8> -> tensor<4xf32>
      %q4, %s4 = bnq.quantize %x {bits = 4 : i32, clip = 0.5 : f32} : tensor<4xf32> -> tensor<4xi8>
      return %q4, %d : tensor<4xi8>, tensor<4xf32>
    })mlir");
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  // max|x| = 1.27 -> scale 0.01: 0.635 / 0.01 = 63.5 rounds to 64 (even).
  auto results =
      exec::evaluate(func, {Tensor::f32({4}, {0.635f, -1.27f, 0.125f, 0.0f})});
  ASSERT_TRUE(succeeded(results));
  const Tensor &d = (*results)[1];
  EXPECT_NEAR(d.floats[0], 0.64f, 1e-6);
  EXPECT_NEAR(d.floats[1], -1.27f, 1e-6);
  EXPECT_NEAR(d.floats[2], 0.12f, 1e-6); // 12.5 -> 12
  // 4 bits with clip 0.5: scale 0.5 / 7; -1.27 saturates at -7.
  EXPECT_EQ((*results)[0].ints, (std::vector<int64_t>{7, -7, 2, 0}));
}

TEST_F(InterpreterTest, RejectsBadInputs) {
  auto module = parse(R"mlir(
    func.func @f(%ids: tensor<2xi64>) -> tensor<2x2xf32> {
      %t = arith.constant dense<1.0> : tensor<3x2xf32>
      %e = bnq.embedding %t[%ids] : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
      return %e : tensor<2x2xf32>
    })mlir");
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(exec::evaluate(func, {Tensor::i64({2}, {0, 3})})));
  EXPECT_EQ(message, "'bnq.embedding' op id 3 is outside the table [0, 3)");
  EXPECT_TRUE(failed(exec::evaluate(func, {Tensor::i64({3}, {0, 1, 2})})));
  EXPECT_TRUE(failed(exec::evaluate(func, {Tensor::f32({2}, {0, 1})})));
}

// TWS equivalence on a BERT encoder layer: the ternary weights and their
// split binary halves compute the same function (to float rounding), and
// packing changes nothing at all.
TEST_F(InterpreterTest, TernaryWeightSplittingPreservesTheLayer) {
  auto load = [&]() {
    return parseSourceFile<ModuleOp>(
        BNBERT_SOURCE_DIR "/examples/tiny-bert-layer.mlir", &context);
  };
  auto lower = [&](ModuleOp module, bool split, bool pack, int actBits) {
    PassManager pm(&context);
    BnqTernarizeOptions ternarize;
    ternarize.keepLatent = true;
    pm.addNestedPass<func::FuncOp>(createBnqTernarize(ternarize));
    if (split)
      pm.addNestedPass<func::FuncOp>(createBnqSplitTernary());
    if (actBits) {
      BnqQuantizeActivationsOptions act;
      act.bits = actBits;
      pm.addNestedPass<func::FuncOp>(createBnqQuantizeActivations(act));
    }
    if (pack)
      pm.addNestedPass<func::FuncOp>(createBnqPackBits());
    return succeeded(pm.run(module));
  };

  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> token(0, 31);
  std::vector<int64_t> ids(6);
  for (int64_t &id : ids)
    id = token(rng);
  std::vector<Tensor> args = {
      Tensor::i64({1, 6}, ids), Tensor::i64({1, 6}, {0, 1, 2, 3, 4, 5}),
      // The last two positions are padding.
      Tensor::f32({1, 6}, {0, 0, 0, 0, -10000, -10000})};

  for (int actBits : {0, 8}) {
    auto ternary = load(), split = load(), packed = load(), fp32 = load();
    ASSERT_TRUE(ternary && split && packed && fp32);
    ASSERT_TRUE(lower(*ternary, false, false, actBits));
    ASSERT_TRUE(lower(*split, true, false, actBits));
    ASSERT_TRUE(lower(*packed, true, true, actBits));
    Tensor outT = run(*ternary, args), outS = run(*split, args),
           outP = run(*packed, args), outF = run(*fp32, args);
    float splitDiff = maxAbsDiff(outT, outS);
    float packDiff = maxAbsDiff(outS, outP);
    float quantEffect = maxAbsDiff(outF, outT);
    std::cout << "A" << (actBits ? actBits : 32)
              << ": max|ternary - split| = " << splitDiff
              << ", max|split - packed| = " << packDiff
              << ", max|fp32 - ternary| = " << quantEffect << "\n";
    // Float rounding of the half scales (alpha/2 to ~1e-7 relative); at A8 a
    // flipped rounding of one activation code could add one step, which the
    // bound below would catch as well.
    EXPECT_LE(splitDiff, 1e-5f);
    EXPECT_EQ(packDiff, 0.0f);
    // Guard against a vacuous comparison: quantization does change outputs.
    EXPECT_GT(quantEffect, 1e-4f);
  }
}
