//===- crc32c.h - CRC32C, as fast as the CPU allows -------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_SRC_CRC32C_H
#define BNRT_SRC_CRC32C_H

#include <cstddef>
#include <cstdint>

namespace bnrt {

/// CRC32C of `n` bytes: equal to checksum::crc32cPortable, on the CPU's
/// CRC instructions when present.
uint32_t crc32c(const void *data, size_t n);

} // namespace bnrt

#endif // BNRT_SRC_CRC32C_H
