//===- status.h - the runtime's one error type and its C boundary -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Inside the library every failure is a bnrt::Error (a bnrt_status and a
// message naming what failed): the loader, the op checks and the op runs
// throw it alike. Every C API function that can fail runs its body in
// `guarded`, which turns it (or any other exception) into the status it
// returns and the message in bnrt_error; no exception crosses the C API.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_STATUS_H
#define BNRT_SRC_STATUS_H

#include "bnrt.h"
#include "bnrt/bundle_format.h"
#include "bnrt/kernels.h"

#include <algorithm>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

namespace bnrt {

using fb::hostTarget;

/// A failure and its C API status.
class Error : public std::runtime_error {
public:
  Error(bnrt_status status, const std::string &message)
      : std::runtime_error(message), status(status) {}
  bnrt_status status;
};

/// The bundle contradicts itself or the format (BNRT_ERROR_INVALID).
[[noreturn]] inline void invalid(const std::string &message) {
  throw Error(BNRT_ERROR_INVALID, message);
}

/// Fills `err` (which may be NULL).
inline void setError(bnrt_error *err, bnrt_status status,
                     const std::string &msg) {
  if (!err)
    return;
  err->status = status;
  std::snprintf(err->message, sizeof(err->message), "%s", msg.c_str());
}

/// A caller's argument is wrong: sets `err` and returns the status (for
/// the checks a C function makes before its body).
inline bnrt_status argumentError(bnrt_error *err, const std::string &message) {
  setError(err, BNRT_ERROR_ARGUMENT, message);
  return BNRT_ERROR_ARGUMENT;
}

/// Runs `body` (returning a status), turning any exception into a status
/// and message in `err`.
template <typename F> bnrt_status guarded(bnrt_error *err, F &&body) {
  try {
    return body();
  } catch (const Error &e) {
    setError(err, e.status, e.what());
    return e.status;
  } catch (const std::bad_alloc &) {
    setError(err, BNRT_ERROR_OUT_OF_MEMORY, "out of memory");
    return BNRT_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    setError(err, BNRT_ERROR_RUNTIME, e.what());
    return BNRT_ERROR_RUNTIME;
  } catch (...) {
    setError(err, BNRT_ERROR_RUNTIME, "unknown failure");
    return BNRT_ERROR_RUNTIME;
  }
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
