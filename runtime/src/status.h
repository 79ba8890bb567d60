//===- status.h - error reporting shared by the C APIs ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_SRC_STATUS_H
#define BNRT_SRC_STATUS_H

#include "bnrt.h"
#include "bnrt/bundle_format.h"
#include "bnrt/kernels.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>

namespace bnrt {

using fb::hostTarget;

/// Fills `err` (which may be NULL).
inline void setError(bnrt_error *err, bnrt_status status,
                     const std::string &msg) {
  if (!err)
    return;
  err->status = status;
  std::snprintf(err->message, sizeof(err->message), "%s", msg.c_str());
}

/// The hardware threads of this machine (at least 1).
inline unsigned hardwareThreads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

/// The most threads a model may use: 4x the hardware threads, at most 256
/// (more only costs memory and scheduling; an unbounded count once
/// exhausted a machine's process limit).
inline int maxThreads() {
  return static_cast<int>(std::min(256u, 4 * hardwareThreads()));
}

/// Replaces `pool` with one of `threads` threads (NULL for 1).
inline bnrt_status resizePool(bnrt_threads *&pool, int threads,
                              bnrt_error *err) {
  int limit = maxThreads();
  if (threads < 1 || threads > limit) {
    setError(err, BNRT_ERROR_ARGUMENT,
             "threads must be in [1, " + std::to_string(limit) +
                 "] (4x this machine's " + std::to_string(hardwareThreads()) +
                 " hardware threads, at most 256), got " +
                 std::to_string(threads));
    return BNRT_ERROR_ARGUMENT;
  }
  bnrt_threads_destroy(pool);
  pool = threads > 1 ? bnrt_threads_create(threads) : nullptr;
  if (threads > 1 && !pool) {
    setError(err, BNRT_ERROR_RUNTIME,
             "cannot start " + std::to_string(threads) + " threads");
    return BNRT_ERROR_RUNTIME;
  }
  setError(err, BNRT_OK, "");
  return BNRT_OK;
}

/// Parses an ISA name this CPU runs.
inline bnrt_status availableIsa(const char *name, bnrt_isa &isa,
                                bnrt_error *err) {
  int parsed = bnrt_isa_parse(name);
  if (parsed < 0 || !bnrt_isa_available(static_cast<bnrt_isa>(parsed))) {
    setError(err, BNRT_ERROR_ARGUMENT,
             std::string("ISA '") + (name ? name : "(null)") +
                 "' is unknown or not available on this CPU");
    return BNRT_ERROR_ARGUMENT;
  }
  isa = static_cast<bnrt_isa>(parsed);
  return BNRT_OK;
}

} // namespace bnrt

#endif // BNRT_SRC_STATUS_H
