//===- bnrt/bundle_format.h - facts about the bundle schema -----*- C++ -*-===//
//
// Shared by the bundle writer (compiler) and the loader (runtime), next to
// the flatc-generated schema header (runtime/schema/bundle.fbs).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_BUNDLE_FORMAT_H
#define BNRT_BUNDLE_FORMAT_H

#include "bnrt/bundle_generated.h"

#include <cstdint>

namespace bnrt::fb {

/// The format version this writer produces and this runtime reads.
constexpr uint32_t kBundleFormatVersion = 2; // 2: typed op options

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
