// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// C++-level checks of the bnq dialect that lit cannot reach: weights stored
// in resource blobs (as the importer stores them) are read and verified.
#include "bnq/BnqOps.h"
#include "bnq/ElementsAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace bnbert::bnq;

namespace {
class BnqOpsTest : public ::testing::Test {
protected:
  BnqOpsTest() {
    context.loadDialect<BnqDialect, arith::ArithDialect, func::FuncDialect>();
  }

  template <typename T>
  DenseResourceElementsAttr resource(ArrayRef<int64_t> shape, Type element,
                                     ArrayRef<T> data) {
    return DenseResourceElementsAttr::get(
        RankedTensorType::get(shape, element), "blob",
        HeapAsmResourceBlob::allocateAndCopyInferAlign(data));
  }

  /// Builds `quant_weight <format>` with the given values; returns whether
  /// it verifies.
  bool quantWeightVerifies(WeightFormat format, ElementsAttr values) {
    OpBuilder b(&context);
    OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
    b.setInsertionPointToEnd(module->getBody());
    auto scale = DenseElementsAttr::get(
        RankedTensorType::get({1}, b.getF32Type()), 0.5f);
    b.create<QuantWeightOp>(b.getUnknownLoc(),
                            RankedTensorType::get({2, 3}, b.getF32Type()),
                            format, values, scale, ElementsAttr());
    ScopedDiagnosticHandler silence(&context,
                                    [](Diagnostic &) { return success(); });
    return succeeded(verify(*module));
  }

  MLIRContext context;
};
} // namespace

TEST_F(BnqOpsTest, ReadsResourceAndDenseStorage) {
  OpBuilder b(&context);
  std::vector<float> data = {1.5f, -2.0f, 0.25f};
  auto fromBlob = resource<float>({3}, b.getF32Type(), data);
  auto values = getElementValues<float>(fromBlob);
  ASSERT_TRUE(succeeded(values));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ((*values)[i], data[i]);

  auto splat =
      DenseElementsAttr::get(RankedTensorType::get({4}, b.getF32Type()), 3.0f);
  auto splatValues = getElementValues<float>(splat);
  ASSERT_TRUE(succeeded(splatValues));
  EXPECT_EQ(splatValues->size(), 4);
  EXPECT_EQ((*splatValues)[3], 3.0f);

  // Width mismatch is refused rather than misread.
  EXPECT_TRUE(failed(getElementValues<int8_t>(fromBlob)));
}

TEST_F(BnqOpsTest, VerifierReadsResourceBackedValues) {
  OpBuilder b(&context);
  std::vector<int8_t> binary = {1, -1, 1, 1, -1, -1};
  std::vector<int8_t> ternary = {1, 0, -1, 0, 0, 1};
  EXPECT_TRUE(quantWeightVerifies(
      WeightFormat::binary, resource<int8_t>({2, 3}, b.getI8Type(), binary)));
  EXPECT_TRUE(quantWeightVerifies(
      WeightFormat::ternary, resource<int8_t>({2, 3}, b.getI8Type(), ternary)));
  // A 0 is not binary, even when it sits in a blob.
  EXPECT_FALSE(quantWeightVerifies(
      WeightFormat::binary, resource<int8_t>({2, 3}, b.getI8Type(), ternary)));
}
