//===- unicode.cpp - Unicode helpers the tokenizers share -----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "unicode.h"

#include <cstdlib>

namespace bnrt::text {

bool isWhitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
}

bool isControl(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r')
    return false;
  switch (utf8proc_category(c)) {
  case UTF8PROC_CATEGORY_CC:
  case UTF8PROC_CATEGORY_CF:
  case UTF8PROC_CATEGORY_CS:
  case UTF8PROC_CATEGORY_CO:
  case UTF8PROC_CATEGORY_CN:
    return true;
  default:
    return false;
  }
}

/// What Python's str.split() splits on, among what cleaning leaves.
bool isSplitSpace(char32_t c) {
  auto category = utf8proc_category(c);
  return c == ' ' || category == UTF8PROC_CATEGORY_ZS ||
         category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
}

bool isPunctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  auto category = utf8proc_category(c);
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

/// The CJK Unified Ideographs blocks BERT spaces out (not Hangul, kana).
bool isCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::string toUtf8(const Codepoints &cps) {
  std::string out;
  utf8proc_uint8_t buf[4];
  for (char32_t c : cps)
    out.append(reinterpret_cast<char *>(buf),
               utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf));
  return out;
}

/// Decodes UTF-8; false (with the byte offset in `error`) if invalid.
bool fromUtf8(std::string_view s, Codepoints &out, std::string &error) {
  out.clear();
  const auto *p = reinterpret_cast<const utf8proc_uint8_t *>(s.data());
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p + i, s.size() - i, &c);
    if (n <= 0) {
      error = "invalid UTF-8 at byte " + std::to_string(i);
      return false;
    }
    out.push_back(static_cast<char32_t>(c));
    i += n;
  }
  return true;
}

/// A normalization form of `cps` (utf8proc works on NUL-free UTF-8;
/// cleaning removed NUL).
Codepoints normalize(const Codepoints &cps,
                     utf8proc_uint8_t *(*form)(const utf8proc_uint8_t *)) {
  std::string utf8 = toUtf8(cps);
  utf8proc_uint8_t *mapped =
      form(reinterpret_cast<const utf8proc_uint8_t *>(utf8.c_str()));
  Codepoints out;
  std::string error;
  if (!mapped || !fromUtf8(reinterpret_cast<char *>(mapped), out, error))
    out = cps; // cannot happen for valid input
  std::free(mapped);
  return out;
}

bool isCased(char32_t c) {
  return utf8proc_islower(c) || utf8proc_isupper(c) ||
         utf8proc_category(c) == UTF8PROC_CATEGORY_LT;
}

/// Python's str.lower(): simple lowercase, plus its two special cases
/// (U+0130 to "i" + combining dot; a final capital sigma to final sigma).
Codepoints lower(const Codepoints &word) {
  Codepoints out;
  for (size_t i = 0; i < word.size(); ++i) {
    char32_t c = word[i];
    if (c == 0x130) {
      out += U"i\u0307";
    } else if (c == 0x3A3) {
      auto ignorable = [](char32_t x) {
        auto cat = utf8proc_category(x);
        return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME ||
               cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_LM ||
               cat == UTF8PROC_CATEGORY_SK || x == '\'' || x == 0x2019;
      };
      size_t before = i, after = i + 1;
      while (before > 0 && ignorable(word[before - 1]))
        --before;
      while (after < word.size() && ignorable(word[after]))
        ++after;
      bool final = before > 0 && isCased(word[before - 1]) &&
                   !(after < word.size() && isCased(word[after]));
      out.push_back(final ? 0x3C2 : 0x3C3);
    } else {
      out.push_back(static_cast<char32_t>(utf8proc_tolower(c)));
    }
  }
  return out;
}

Codepoints stripAccents(const Codepoints &word) {
  Codepoints out;
  for (char32_t c : normalize(word, utf8proc_NFD))
    if (!isNonspacingMark(c))
      out.push_back(c);
  return out;
}

Codepoints lowerEach(const Codepoints &word) {
  Codepoints out;
  for (char32_t c : word) {
    if (c == 0x130)
      out += U"i\u0307";
    else
      out.push_back(static_cast<char32_t>(utf8proc_tolower(c)));
  }
  return out;
}

bool isUnicodeSpace(char32_t c) {
  return (c >= 0x9 && c <= 0xD) || c == 0x20 || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool isLetter(char32_t c) {
  auto cat = utf8proc_category(c);
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

bool isNumber(char32_t c) {
  auto cat = utf8proc_category(c);
  return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

bool isNonspacingMark(char32_t c) {
  return utf8proc_category(c) == UTF8PROC_CATEGORY_MN;
}

} // namespace bnrt::text
