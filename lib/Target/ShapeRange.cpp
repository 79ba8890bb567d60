//===- ShapeRange.cpp - inputs compiled for a range of shapes -------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnbert/Target/ShapeRange.h"
#include "BundleProgram.h"

#include "mlir/IR/Diagnostics.h"

#include <cstring>

using namespace mlir;
namespace fb = bnrt::fb;

namespace bnbert {
namespace {

using Wide = unsigned __int128;

/// prod_j sizes_j ^ powers_j (sizes up to 2^24, so products of up to
/// kMaxRangeSymbols * kMaxSymbolPower of them stay far inside 128 bits).
Wide product(llvm::ArrayRef<int64_t> sizes, llvm::ArrayRef<uint8_t> powers) {
  Wide p = 1;
  for (size_t j = 0; j < sizes.size(); ++j)
    for (int e = 0; e < powers[j]; ++e)
      p *= static_cast<Wide>(sizes[j]);
  return p;
}

/// Every power vector with entries in [0, kMaxSymbolPower].
std::vector<std::vector<uint8_t>> allPowers(size_t n) {
  std::vector<std::vector<uint8_t>> all{{}};
  for (size_t j = 0; j < n; ++j) {
    std::vector<std::vector<uint8_t>> next;
    for (const auto &p : all)
      for (uint8_t e = 0; e <= kMaxSymbolPower; ++e) {
        next.push_back(p);
        next.back().push_back(e);
      }
    all = std::move(next);
  }
  return all;
}

/// Whether the forms' ratios max^p / probe^p are pairwise distinct, so a
/// dimension's (bound, probe) pair fits at most one form.
bool formsDistinct(llvm::ArrayRef<RangeSymbol> symbols) {
  std::vector<int64_t> maxs, probes;
  for (const RangeSymbol &s : symbols) {
    maxs.push_back(s.max);
    probes.push_back(s.probe);
  }
  auto forms = allPowers(symbols.size());
  for (size_t a = 0; a < forms.size(); ++a)
    for (size_t b = a + 1; b < forms.size(); ++b)
      if (product(maxs, forms[a]) * product(probes, forms[b]) ==
          product(maxs, forms[b]) * product(probes, forms[a]))
        return false;
  return true;
}

} // namespace

std::string chooseRangeSymbols(const InputShapes &mins, const InputShapes &maxs,
                               std::vector<RangeSymbol> &symbols,
                               InputShapes &probeShapes) {
  constexpr int64_t kMaxSize = int64_t(1) << 24;
  // One symbol per (position, range).
  std::map<std::tuple<size_t, int64_t, int64_t>, size_t> symbolOf;
  std::map<std::string, std::vector<int>> dimSymbols;
  for (const auto &[name, hi] : maxs) {
    const std::vector<int64_t> &lo = mins.at(name);
    for (size_t d = 0; d < hi.size(); ++d) {
      dimSymbols[name].push_back(-1);
      if (lo[d] == hi[d])
        continue;
      if (hi[d] > kMaxSize)
        return "--shape " + name + ": a range's upper end is at most " +
               std::to_string(kMaxSize) + ", got " + std::to_string(hi[d]);
      auto key = std::make_tuple(d, lo[d], hi[d]);
      auto [it, added] = symbolOf.emplace(key, symbols.size());
      if (added)
        symbols.push_back(
            {name + "[" + std::to_string(d) + "]", lo[d], hi[d], hi[d] - 1});
      dimSymbols[name].back() = static_cast<int>(it->second);
    }
  }
  if (symbols.size() > static_cast<size_t>(kMaxRangeSymbols))
    return "--shape gives " + std::to_string(symbols.size()) +
           " kinds of ranged dimension (at most " +
           std::to_string(kMaxRangeSymbols) +
           ": inputs' dimensions at one position with one range, e.g. batch "
           "and sequence, share a kind)";
  // Probes just below the bounds, lowered until every product form of
  // the symbols scales differently.
  bool found = formsDistinct(symbols);
  for (int64_t step = 1; !found && symbols.size() == 2; ++step) {
    RangeSymbol &second = symbols[1];
    if (second.max - 1 - step < second.min)
      break;
    second.probe = second.max - 1 - step;
    found = formsDistinct(symbols);
  }
  if (!found)
    return "cannot tell the shape ranges' dimensions apart; give the two "
           "ranges different upper ends";
  for (const auto &[name, hi] : maxs) {
    std::vector<int64_t> probe = hi;
    for (size_t d = 0; d < hi.size(); ++d)
      if (int s = dimSymbols[name][d]; s >= 0)
        probe[d] = symbols[s].probe;
    probeShapes[name] = probe;
  }
  return "";
}

std::optional<std::vector<uint8_t>>
solveDimPowers(int64_t bound, int64_t probe,
               llvm::ArrayRef<RangeSymbol> symbols) {
  std::vector<int64_t> maxs, probes;
  for (const RangeSymbol &s : symbols) {
    maxs.push_back(s.max);
    probes.push_back(s.probe);
  }
  if (bound <= 0 || probe <= 0)
    return bound == probe
               ? std::optional(std::vector<uint8_t>(symbols.size(), 0))
               : std::nullopt;
  for (const auto &powers : allPowers(symbols.size())) {
    Wide atMax = product(maxs, powers);
    if (static_cast<Wide>(bound) % atMax != 0)
      continue;
    if (static_cast<Wide>(bound) / atMax * product(probes, powers) ==
        static_cast<Wide>(probe))
      return powers;
  }
  return std::nullopt;
}

namespace {

/// The serialized options table of an op (to compare two programs' ops).
std::vector<uint8_t> optionsBytes(const OpInfo &op) {
  if (!op.options.build)
    return {};
  flatbuffers::FlatBufferBuilder b;
  b.Finish(op.options.build(b));
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

} // namespace

LogicalResult applyShapeRange(BundleProgram &bound, const BundleProgram &probe,
                              ArrayRef<RangeSymbol> rangeSymbols,
                              Location loc) {
  auto fail = [&](const Twine &why) {
    // At the function's location, without printing the function.
    return mlir::emitError(loc, "the shape range cannot be compiled: ")
           << why << "; compile with a fixed --shape";
  };
  std::vector<ValueInfo> &values = bound.values;
  const std::vector<OpInfo> &ops = bound.ops;
  const std::vector<uint8_t> &data = bound.data;
  if (probe.values.size() != values.size() || probe.ops.size() != ops.size())
    return fail("the model's program differs at the probe shape (" +
                Twine(probe.ops.size()) + " ops instead of " +
                Twine(ops.size()) + ")");
  for (size_t i = 0; i < ops.size(); ++i) {
    const OpInfo &a = ops[i], &b = probe.ops[i];
    if (a.code != b.code || a.inputs != b.inputs || a.outputs != b.outputs ||
        a.options.type != b.options.type || optionsBytes(a) != optionsBytes(b))
      return fail("op '" + a.name + "' (" + fb::EnumNameOpCode(a.code) +
                  ") depends on the input shape in its options or operands");
  }
  size_t n = rangeSymbols.size();
  for (size_t id = 0; id < values.size(); ++id) {
    ValueInfo &v = values[id];
    const ValueInfo &p = probe.values[id];
    std::string label = "value '" + v.name + "'";
    if (v.dtype != p.dtype || v.storage != p.storage ||
        v.shape.size() != p.shape.size())
      return fail(label + " differs at the probe shape");
    std::vector<uint8_t> powers;
    bool ranged = false;
    for (size_t d = 0; d < v.shape.size(); ++d) {
      auto form = solveDimPowers(v.shape[d], p.shape[d], rangeSymbols);
      if (!form)
        return fail(label + " dimension " + Twine(d) + " is " +
                    Twine(v.shape[d]) + " at the bound and " +
                    Twine(p.shape[d]) +
                    " at the probe: not a product of the ranged sizes");
      ranged |= llvm::any_of(*form, [](uint8_t e) { return e != 0; });
      powers.insert(powers.end(), form->begin(), form->end());
    }
    if (ranged)
      v.dimPowers = std::move(powers);
    if (v.storage != fb::Storage::Constant)
      continue;
    // A constant is read as the dense prefix of its bound: it must be
    // stored that way (the probe's bytes) and laid out so (size-1
    // dimensions, then its one ranged dimension, then fixed ones).
    if (std::memcmp(data.data() + v.offset, probe.data.data() + p.offset,
                    p.bytes) != 0)
      return fail("constant " + label +
                  " at the probe shape is not the prefix of its values at "
                  "the bound");
    if (ranged &&
        !fb::readsAsPrefix(v.shape, v.dimPowers, n, data.data() + v.offset,
                           fb::elementBytes(v.dtype)))
      return fail("constant " + label +
                  " varies in an inner dimension and is not one row "
                  "repeated");
  }
  bound.symbols.assign(rangeSymbols.begin(), rangeSymbols.end());
  return success();
}

} // namespace bnbert
