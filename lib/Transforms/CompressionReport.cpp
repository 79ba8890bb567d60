//===- CompressionReport.cpp - bnq-report ---------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Transforms/CompressionReport.h"
#include "bnbert/Transforms/Passes.h"
#include "bnq/BnqOps.h"

#include "bnrt/bitpack.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <optional>

namespace bnbert {
#define GEN_PASS_DEF_BNQREPORT
#include "bnbert/Transforms/Passes.h.inc"
} // namespace bnbert

using namespace mlir;
using namespace bnbert;
using namespace bnbert::bnq;

namespace {

struct Row {
  std::string name, format, shape;
  int64_t fp32Bytes, deployedBytes;
};

std::string locationName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc))
    return ("line " + llvm::Twine(file.getLine())).str();
  // CSE merges equal constants into one op with a fused location.
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    std::string names;
    for (Location part : fused.getLocations())
      names += (names.empty() ? "" : ", ") + locationName(part);
    return names;
  }
  return "(unnamed)";
}

/// The name of a weight: its own location, else (constants moved by the
/// folder lose theirs) the location of the op that uses it.
std::string weightName(Operation *op) {
  std::string name = locationName(op->getLoc());
  if (name != "(unnamed)" || op->use_empty())
    return name;
  std::string user = locationName((*op->user_begin())->getLoc());
  return user == "(unnamed)" ? name : "(in " + user + ")";
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

/// Bytes of `planes` packed sign planes of an [rows, cols] weight with
/// `groups` scales per plane.
int64_t packedBytes(int64_t planes, int64_t rows, int64_t cols,
                    int64_t groups) {
  return planes * (rows * bnrt_bitpack_row_words(cols) * 8 + groups * 4);
}

/// The report row of `op`, if it produces a weight-like value.
std::optional<Row> rowFor(Operation *op) {
  if (op->getNumResults() != 1)
    return std::nullopt;
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getRank() == 0 ||
      !type.getElementType().isF32())
    return std::nullopt;
  int64_t fp32 = type.getNumElements() * 4;
  int64_t rows = type.getDimSize(0), cols = type.getShape().back();
  Row row{weightName(op), "", shapeString(type.getShape()), fp32, fp32};
  bool isWeight =
      llvm::TypeSwitch<Operation *, bool>(op)
          .Case([&](arith::ConstantOp) {
            row.format = "fp32";
            return true;
          })
          .Case([&](QuantWeightOp w) {
            int64_t groups = w.getScale().getNumElements();
            row.format = stringifyWeightFormat(w.getFormat()).str();
            row.deployedBytes =
                w.getFormat() == WeightFormat::int8
                    ? rows * cols + groups * 4
                    : packedBytes(w.getFormat() == WeightFormat::binary ? 1 : 2,
                                  rows, cols, groups);
            return true;
          })
          .Case([&](BitplaneWeightOp w) {
            auto shape = w.getScales().getShapedType().getShape();
            row.format = std::to_string(shape[0]) + "-plane";
            row.deployedBytes = packedBytes(shape[0], rows, cols, shape[1]);
            return true;
          })
          .Case([&](PackedWeightOp w) {
            auto shape = w.getScales().getShapedType().getShape();
            row.format = "packed " + std::to_string(shape[0]) + "-plane";
            row.deployedBytes = packedBytes(shape[0], rows, cols, shape[1]);
            return true;
          })
          .Default([](Operation *) { return false; });
  return isWeight ? std::optional<Row>(row) : std::nullopt;
}

struct BnqReportPass : bnbert::impl::BnqReportBase<BnqReportPass> {
  void runOnOperation() override {
    writeCompressionReport(getOperation(), llvm::errs());
    markAllAnalysesPreserved();
  }
};

std::vector<Row> reportRows(func::FuncOp func) {
  std::vector<Row> rows;
  func.walk([&](Operation *op) {
    if (auto row = rowFor(op))
      rows.push_back(*row);
  });
  return rows;
}

} // namespace

CompressionTotals bnbert::compressionTotals(func::FuncOp func) {
  CompressionTotals totals;
  for (const Row &r : reportRows(func)) {
    totals.fp32Bytes += r.fp32Bytes;
    totals.deployedBytes += r.deployedBytes;
  }
  return totals;
}

CompressionTotals bnbert::writeCompressionReport(func::FuncOp func,
                                                 llvm::raw_ostream &os) {
  std::vector<Row> rows = reportRows(func);
  CompressionTotals totals;
  os << "weights of @" << func.getSymName() << "\n";
  size_t width = 8;
  for (const Row &r : rows)
    width = std::max(width, r.name.size());
  std::string layoutString = "{0,-" + std::to_string(width) +
                             "} {1,-16} {2,-14} {3,12} {4,12} {5,8}\n";
  const char *layout = layoutString.c_str();
  os << llvm::formatv(layout, "name", "format", "shape", "fp32 bytes", "bytes",
                      "ratio");
  auto ratio = [](int64_t before, int64_t after) {
    return llvm::formatv("{0:f1}x", after ? double(before) / after : 1.0).str();
  };
  for (const Row &r : rows) {
    os << llvm::formatv(layout, r.name, r.format, r.shape, r.fp32Bytes,
                        r.deployedBytes, ratio(r.fp32Bytes, r.deployedBytes));
    totals.fp32Bytes += r.fp32Bytes;
    totals.deployedBytes += r.deployedBytes;
  }
  os << llvm::formatv(layout, "total", "", "", totals.fp32Bytes,
                      totals.deployedBytes,
                      ratio(totals.fp32Bytes, totals.deployedBytes));
  return totals;
}
