//===- crc32c.cpp - CRC32C with the CPU's CRC instructions ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The bundle checksum (bnrt/checksum.h) at load: SSE4.2's crc32 on x86-64,
// the CRC32 extension's crc32c on AArch64 (both the same polynomial and
// bit order as the portable tables), else the portable slicing-by-8.
// BERT-base's 15 MB bundle: ~1-2 ms with the instructions.
//
//===----------------------------------------------------------------------===//
#include "crc32c.h"
#include "bnrt/checksum.h"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <arm_acle.h>
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace bnrt {
namespace {

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32cHardware(const uint8_t *p,
                                                          size_t n) {
  uint64_t crc = 0xFFFFFFFFu;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  uint32_t c = static_cast<uint32_t>(crc);
  for (; n; --n, ++p)
    c = _mm_crc32_u8(c, *p);
  return ~c;
}
bool hasCrcInstructions() { return __builtin_cpu_supports("sse4.2"); }
#elif defined(__aarch64__) && defined(__linux__)
__attribute__((target("+crc"))) uint32_t crc32cHardware(const uint8_t *p,
                                                        size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = __crc32cd(c, word);
  }
  for (; n; --n, ++p)
    c = __crc32cb(c, *p);
  return ~c;
}
bool hasCrcInstructions() { return getauxval(AT_HWCAP) & HWCAP_CRC32; }
#else
uint32_t crc32cHardware(const uint8_t *p, size_t n) {
  return checksum::crc32cPortable(p, n);
}
bool hasCrcInstructions() { return false; }
#endif

} // namespace

uint32_t crc32c(const void *data, size_t n) {
  static const bool hardware = hasCrcInstructions();
  return hardware ? crc32cHardware(static_cast<const uint8_t *>(data), n)
                  : checksum::crc32cPortable(data, n);
}

} // namespace bnrt
