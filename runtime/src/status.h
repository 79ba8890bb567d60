//===- status.h - error reporting shared by the C APIs ----------*- C++ -*-===//
#ifndef BNRT_SRC_STATUS_H
#define BNRT_SRC_STATUS_H

#include "bnrt.h"

#include <cstdio>
#include <string>

namespace bnrt {

/// The target name bundles and objects for this build carry.
inline const char *hostTarget() {
#if defined(__aarch64__)
  return "aarch64";
#else
  return "x86_64";
#endif
}

/// Fills `err` (which may be NULL).
inline void setError(bnrt_error *err, bnrt_status status,
                     const std::string &msg) {
  if (!err)
    return;
  err->status = status;
  std::snprintf(err->message, sizeof(err->message), "%s", msg.c_str());
}

} // namespace bnrt

#endif // BNRT_SRC_STATUS_H
