//===- CompressionReport.h - per-weight size table --------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TRANSFORMS_COMPRESSIONREPORT_H
#define BNBERT_TRANSFORMS_COMPRESSIONREPORT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

namespace bnbert {

/// Totals of a report: bytes of all weights as fp32 and as deployed.
struct CompressionTotals {
  int64_t fp32Bytes = 0;
  int64_t deployedBytes = 0;
};

/// The totals alone.
CompressionTotals compressionTotals(mlir::func::FuncOp func);

/// Writes the table described in the bnq-report pass and returns the totals.
CompressionTotals writeCompressionReport(mlir::func::FuncOp func,
                                         llvm::raw_ostream &os);

} // namespace bnbert

#endif // BNBERT_TRANSFORMS_COMPRESSIONREPORT_H
