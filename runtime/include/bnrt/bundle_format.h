//===- bnrt/bundle_format.h - facts about the bundle schema -----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Shared by the bundle writer (compiler) and the loader (runtime), next to
// the flatc-generated schema header (runtime/schema/bundle.fbs).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_BUNDLE_FORMAT_H
#define BNRT_BUNDLE_FORMAT_H

#include "bnrt/bundle_generated.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace bnrt::fb {

/// The format version this writer produces and this runtime reads.
constexpr uint32_t kBundleFormatVersion =
    6; // 2: typed op options, 3: shape ranges, 4: tokenizer and labels,
       // 5: LinearF32 weights in panels, 6: LayerNorm adds a residual
/// The oldest version this runtime still reads (the versions since only
/// added optional fields).
constexpr uint32_t kOldestBundleFormatVersion = 3;

/// The most shape-range symbols a bundle may have (batch and sequence).
constexpr size_t kMaxShapeSymbols = 2;

/// Whether a constant whose dimensions vary with the shape range as
/// `powers` says (rank x `symbols`, bundle.fbs) reads right at smaller
/// sizes as the dense prefix of its `bytes` at the bound: size-1
/// dimensions, then one ranged dimension, then fixed ones (a position
/// table); or one row - the dimensions after its last ranged one -
/// repeated (a token-type embedding broadcast over [B, S, H]). The
/// writer's rule and the loader's check.
inline bool readsAsPrefix(const std::vector<int64_t> &shape,
                          const std::vector<uint8_t> &powers, size_t symbols,
                          const uint8_t *bytes, int64_t elementBytes) {
  auto ranged = [&](size_t d) {
    for (size_t j = 0; j < symbols; ++j)
      if (powers[d * symbols + j])
        return true;
    return false;
  };
  size_t first = 0, last = 0, count = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (ranged(d)) {
      first = count++ ? first : d;
      last = d;
    }
  bool leadingOnes = true;
  for (size_t d = 0; d < first; ++d)
    leadingOnes = leadingOnes && shape[d] == 1;
  if (count <= 1 && leadingOnes)
    return true;
  int64_t row = elementBytes, rows = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    (d > last ? row : rows) *= shape[d];
  for (int64_t i = 1; i < rows; ++i)
    if (std::memcmp(bytes, bytes + i * row, row) != 0)
      return false;
  return true;
}

/// The target name of this build ("x86_64" or "aarch64"): what bundles
/// and objects compiled here carry by default, and what a runtime built
/// here accepts.
inline const char *hostTarget() {
#if defined(__aarch64__)
  return "aarch64";
#else
  return "x86_64";
#endif
}

/// Bytes per element of a bundle dtype.
inline int64_t elementBytes(DType d) {
  switch (d) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::I64:
    return 8;
  default:
    return 1;
  }
}

} // namespace bnrt::fb

#endif // BNRT_BUNDLE_FORMAT_H
