//===- unicode.h - Unicode helpers the tokenizers share ---------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Character classes and case/normalization steps with the exact rules of
// the tokenizers they serve (Python's for BertTokenizer, Rust's for
// Hugging Face's tokenizers library), over utf8proc's Unicode tables.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_TEXT_UNICODE_H
#define BNRT_SRC_TEXT_UNICODE_H

#include <utf8proc.h>

#include <string>
#include <string_view>

namespace bnrt::text {

using Codepoints = std::u32string;

/// BERT's whitespace: space, \t, \n, \r and category Zs.
bool isWhitespace(char32_t c);
/// BERT's control characters: category C* but \t, \n, \r.
bool isControl(char32_t c);
/// What Python's str.split() splits on, among what BERT's cleaning leaves.
bool isSplitSpace(char32_t c);
/// BERT's punctuation: ASCII symbols and category P*.
bool isPunctuation(char32_t c);
/// The CJK Unified Ideographs blocks BERT spaces out (not Hangul, kana).
bool isCjk(char32_t c);
/// The Unicode White_Space property (Rust's char::is_whitespace, the
/// regex class \s).
bool isUnicodeSpace(char32_t c);
/// General categories L*, N*, Mn.
bool isLetter(char32_t c);
bool isNumber(char32_t c);
bool isNonspacingMark(char32_t c);

std::string toUtf8(const Codepoints &cps);
/// Decodes UTF-8; false (with the byte offset in `error`) if invalid.
bool fromUtf8(std::string_view s, Codepoints &out, std::string &error);
/// A normalization form of `cps` (utf8proc_NFC, _NFD, _NFKC, _NFKD).
Codepoints normalize(const Codepoints &cps,
                     utf8proc_uint8_t *(*form)(const utf8proc_uint8_t *));
/// Python's str.lower() (with its final-sigma rule).
Codepoints lower(const Codepoints &word);
/// Rust's char::to_lowercase, character by character (no final-sigma
/// rule; U+0130 becomes "i" + combining dot), as Hugging Face's
/// normalizers lowercase.
Codepoints lowerEach(const Codepoints &word);
/// NFD, then the nonspacing marks (Mn) dropped.
Codepoints stripAccents(const Codepoints &word);

} // namespace bnrt::text

#endif // BNRT_SRC_TEXT_UNICODE_H
