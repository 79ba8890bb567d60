//===- bnrt/checksum.h - the bundle's checksum (CRC32C) ---------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A bundle ends with an 8-byte trailer: "BNCK" and the CRC32C (Castagnoli,
// reflected, as iSCSI / ext4 / SSE4.2's crc32 instruction) of every byte
// before it, little-endian. The writer (compiler) and the loader (runtime)
// share this definition; the runtime checks with the CPU's CRC
// instructions when it has them (runtime/src/crc32c.cpp), which give the
// same value. Header-only, no dependencies.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_CHECKSUM_H
#define BNRT_CHECKSUM_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bnrt::checksum {

constexpr char kTrailerMagic[4] = {'B', 'N', 'C', 'K'};
constexpr size_t kTrailerBytes = 8;

namespace detail {
/// Slicing-by-8 tables of the reflected Castagnoli polynomial 0x82F63B78.
struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s)
        t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};
inline const Tables &tables() {
  static constexpr Tables kTables;
  return kTables;
}
} // namespace detail

/// CRC32C of `n` bytes, continuing from `crc` (0 to start), portably.
inline uint32_t crc32cPortable(const void *data, size_t n, uint32_t crc = 0) {
  const auto &t = detail::tables().t;
  const auto *p = static_cast<const uint8_t *>(data);
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc; // little-endian hosts (x86-64, AArch64)
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^
          t[4][lo >> 24] ^ t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^
          t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
  }
  for (; n; --n, ++p)
    crc = (crc >> 8) ^ t[0][(crc ^ *p) & 0xFF];
  return ~crc;
}

/// The trailer for `n` bytes of bundle.
inline std::array<uint8_t, kTrailerBytes> trailerFor(const void *data,
                                                     size_t n) {
  std::array<uint8_t, kTrailerBytes> out{};
  uint32_t crc = crc32cPortable(data, n);
  std::memcpy(out.data(), kTrailerMagic, 4);
  for (int i = 0; i < 4; ++i)
    out[4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  return out;
}

} // namespace bnrt::checksum

#endif // BNRT_CHECKSUM_H
