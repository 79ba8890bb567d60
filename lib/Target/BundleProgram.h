//===- BundleProgram.h - a bundle's program before serialization -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What BundleWriter.cpp builds from a lowered function and serializes:
// values, ops, constant bytes. Private to lib/Target: the shape range
// (applyShapeRange, ShapeRange.cpp) rewrites a program compiled at the
// range's bound from the same program compiled at the probe sizes.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_LIB_TARGET_BUNDLEPROGRAM_H
#define BNBERT_LIB_TARGET_BUNDLEPROGRAM_H

#include "bnbert/Target/ShapeRange.h"
#include "bnrt/bundle_format.h"

#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bnbert {

struct ValueInfo {
  std::string name;
  bnrt::fb::DType dtype;
  std::vector<int64_t> shape;
  bnrt::fb::Storage storage;
  int64_t offset = 0;
  int64_t bytes = 0;
  int firstOp = -1, lastOp = -1;  // live range of an arena value
  std::vector<uint8_t> dimPowers; // rank x symbols; empty: fixed
};

/// An op's options table, built when the op is serialized (flatbuffers
/// nest tables bottom-up).
struct Options {
  bnrt::fb::OpOptions type = bnrt::fb::OpOptions::NONE;
  std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder &)>
      build;
};

struct OpInfo {
  bnrt::fb::OpCode code;
  std::string name;
  std::vector<int32_t> inputs, outputs;
  Options options;
};

struct BundleProgram {
  std::vector<ValueInfo> values;
  std::vector<OpInfo> ops;
  std::vector<uint8_t> data; // the constants' bytes
  std::vector<int32_t> inputs, outputs;
  int64_t arenaBytes = 0;
  std::vector<RangeSymbol> symbols; // empty: fixed shapes
};

/// Makes `bound` (the program compiled at the range's upper bound) run the
/// range, from `probe` (the same model compiled at the probe sizes): every
/// value's dimensions as products of the symbols' powers. Refuses, with a
/// diagnostic at `loc` naming the op or value, a program that differs at
/// the probe other than in its sizes.
mlir::LogicalResult applyShapeRange(BundleProgram &bound,
                                    const BundleProgram &probe,
                                    llvm::ArrayRef<RangeSymbol> symbols,
                                    mlir::Location loc);

} // namespace bnbert

#endif // BNBERT_LIB_TARGET_BUNDLEPROGRAM_H
