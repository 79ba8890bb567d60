//===- ShapeRange.h - inputs compiled for a range of shapes -----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// `bnbert-compile --shape input_ids=1..8x1..384` compiles one program for
// every shape in the range. Each ranged input dimension kind (inputs'
// dimensions at the same position with the same range: batch, sequence)
// is a symbol. The model is compiled twice: at the range's upper bound,
// and at a smaller "probe" size of every symbol. Comparing the two
// programs value by value gives each dimension as c * s1^a * s2^b
// (a, b <= 2), which the runtime evaluates for the sizes of a run; the
// probes are chosen so that no two such forms scale alike.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_TARGET_SHAPERANGE_H
#define BNBERT_TARGET_SHAPERANGE_H

#include "bnrt/bundle_format.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bnbert {

/// The most symbols a model may have (batch and sequence), as the
/// runtime reads them.
constexpr int kMaxRangeSymbols = static_cast<int>(bnrt::fb::kMaxShapeSymbols);
/// The highest power of a symbol in one dimension (an S x S score
/// matrix flattened is S^2).
constexpr int kMaxSymbolPower = 2;

struct RangeSymbol {
  std::string name; // "input_ids[1]": the first input dimension it sizes
  int64_t min, max, probe;
};

using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// The symbols of the ranged dimensions (min < max) of `mins`/`maxs` (per
/// input, as --shape gave them) and the probe shape of every input; an
/// error message (or "") when they cannot be told apart.
std::string chooseRangeSymbols(const InputShapes &mins, const InputShapes &maxs,
                               std::vector<RangeSymbol> &symbols,
                               InputShapes &probeShapes);

/// Per symbol, the power of its size in a dimension that is `bound` at the
/// symbols' maxima and `probe` at their probes; nullopt when no product
/// form fits.
std::optional<std::vector<uint8_t>>
solveDimPowers(int64_t bound, int64_t probe,
               llvm::ArrayRef<RangeSymbol> symbols);

} // namespace bnbert

#endif // BNBERT_TARGET_SHAPERANGE_H
