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

namespace bnrt::fb {

/// The format version this writer produces and this runtime reads.
constexpr uint32_t kBundleFormatVersion =
    3; // 2: typed op options, 3: shape ranges

/// The most shape-range symbols a bundle may have (batch and sequence).
constexpr size_t kMaxShapeSymbols = 2;

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
