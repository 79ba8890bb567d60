//===- precompiled.h - SentencePiece's compiled normalization ---*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The `precompiled_charsmap` a SentencePiece model carries (its nmt_nfkc
// rules, compiled) and Hugging Face's tokenizer.json copies as the
// "Precompiled" normalizer (ALBERT, XLM-R, T5, mBART): a darts-clone
// double-array trie over UTF-8 byte strings whose values index a blob of
// NUL-terminated replacements. Applied as the `tokenizers` library does
// (its spm_precompiled crate): per extended grapheme cluster, the whole
// cluster when it is shorter than 6 bytes and the trie has a prefix of it
// (the shortest), else character by character.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_TEXT_PRECOMPILED_H
#define BNRT_SRC_TEXT_PRECOMPILED_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bnrt::text {

class PrecompiledCharsmap {
public:
  /// Reads the charsmap's bytes; false with `error` when they are not one.
  bool load(std::string_view bytes, std::string &error);
  /// `utf8` (valid UTF-8) normalized.
  std::string normalize(std::string_view utf8) const;

private:
  /// The replacement of the shortest prefix of `chunk` the trie holds.
  const char *transform(std::string_view chunk) const;

  std::vector<uint32_t> units;
  std::string replacements;
};

/// Standard base64 (RFC 4648, with padding) to bytes; false when malformed.
bool decodeBase64(std::string_view text, std::string &out);

} // namespace bnrt::text

#endif // BNRT_SRC_TEXT_PRECOMPILED_H
