//===- precompiled.cpp - SentencePiece's compiled normalization -----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "precompiled.h"

#include <utf8proc.h>

#include <cstring>

namespace bnrt::text {
namespace {

// A darts-clone unit: label, leaf flag, offset to the children, or (in a
// leaf) the value.
bool hasLeaf(uint32_t unit) { return (unit >> 8 & 1) == 1; }
uint32_t valueOf(uint32_t unit) { return unit & ((1U << 31) - 1); }
uint32_t labelOf(uint32_t unit) { return unit & ((1U << 31) | 0xFF); }
uint32_t offsetOf(uint32_t unit) {
  return (unit >> 10) << ((unit & (1U << 9)) >> 6);
}

} // namespace

bool PrecompiledCharsmap::load(std::string_view bytes, std::string &error) {
  // A little-endian uint32 trie size, the trie's units, the replacements.
  if (bytes.size() < 4) {
    error = "the precompiled charsmap is shorter than its header";
    return false;
  }
  uint32_t trieBytes = 0;
  for (int i = 3; i >= 0; --i)
    trieBytes = trieBytes << 8 | static_cast<unsigned char>(bytes[i]);
  if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > bytes.size() - 4) {
    error = "the precompiled charsmap's trie size does not fit its bytes";
    return false;
  }
  units.resize(trieBytes / 4);
  for (size_t u = 0; u < units.size(); ++u) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
      v = v << 8 | static_cast<unsigned char>(bytes[4 + 4 * u + i]);
    units[u] = v;
  }
  replacements.assign(bytes.substr(4 + trieBytes));
  replacements.push_back('\0'); // every replacement ends, whatever the file
  return true;
}

const char *PrecompiledCharsmap::transform(std::string_view chunk) const {
  // darts-clone's common-prefix search, stopped at its first (shortest)
  // result; every index is checked (a bundle's bytes may be hostile).
  size_t pos = offsetOf(units[0]);
  for (unsigned char c : chunk) {
    if (c == 0)
      return nullptr;
    pos ^= c;
    if (pos >= units.size() || labelOf(units[pos]) != c)
      return nullptr;
    bool leaf = hasLeaf(units[pos]);
    pos ^= offsetOf(units[pos]);
    if (pos >= units.size())
      return nullptr;
    if (leaf) {
      uint32_t at = valueOf(units[pos]);
      return at < replacements.size() ? replacements.c_str() + at : nullptr;
    }
  }
  return nullptr;
}

std::string PrecompiledCharsmap::normalize(std::string_view utf8) const {
  std::string out;
  const auto *p = reinterpret_cast<const utf8proc_uint8_t *>(utf8.data());
  utf8proc_int32_t state = 0, previous = -1;
  size_t start = 0; // the current grapheme cluster's first byte
  auto flush = [&](size_t end) {
    std::string_view cluster = utf8.substr(start, end - start);
    if (cluster.empty())
      return;
    if (cluster.size() < 6)
      if (const char *r = transform(cluster)) {
        out += r;
        return;
      }
    for (size_t i = 0; i < cluster.size();) {
      utf8proc_int32_t c;
      utf8proc_ssize_t n = utf8proc_iterate(
          reinterpret_cast<const utf8proc_uint8_t *>(cluster.data()) + i,
          cluster.size() - i, &c);
      if (n <= 0)
        n = 1; // (the caller gives valid UTF-8)
      std::string_view part = cluster.substr(i, n);
      const char *r = transform(part);
      out += r ? std::string_view(r) : part;
      i += n;
    }
  };
  for (size_t i = 0; i < utf8.size();) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p + i, utf8.size() - i, &c);
    if (n <= 0) { // not UTF-8: kept as one character
      n = 1;
      c = 0xFFFD;
    }
    if (previous >= 0 &&
        utf8proc_grapheme_break_stateful(previous, c, &state)) {
      flush(i);
      start = i;
    }
    previous = c;
    i += n;
  }
  flush(utf8.size());
  return out;
}

bool decodeBase64(std::string_view text, std::string &out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  if (text.size() % 4 != 0)
    return false;
  out.clear();
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad || (v[k] = value(c)) < 0)
        return false;
    }
    uint32_t n = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
    out += static_cast<char>(n >> 16 & 0xFF);
    if (pad < 2)
      out += static_cast<char>(n >> 8 & 0xFF);
    if (pad < 1)
      out += static_cast<char>(n & 0xFF);
  }
  return true;
}

} // namespace bnrt::text
