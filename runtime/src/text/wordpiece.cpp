//===- wordpiece.cpp - BERT's WordPiece tokenizer -------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Hugging Face BertTokenizer (BasicTokenizer + WordpieceTokenizer), step by
// step in its order, with Unicode properties from utf8proc:
//   clean (drop NUL, U+FFFD and category C* but \t\n\r; whitespace -> ' ')
//   -> spaces around CJK ideographs -> NFC -> whitespace split -> per word
//   (special tokens kept whole): lowercase and strip accents (NFD, drop Mn)
//   when uncased -> split off punctuation (ASCII symbols and category P*)
//   -> greedy longest-match-first pieces, "##" for continuations; [UNK]
//   for a word over 100 characters or without a split.
//
//===----------------------------------------------------------------------===//
#include "tokenizer.h"

#include <utf8proc.h>

#include <cstdlib>
#include <fstream>
#include <unordered_map>

namespace bnrt::text {
namespace {

using Codepoints = std::u32string;

constexpr size_t kMaxWordChars = 100;

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
    if (utf8proc_category(c) != UTF8PROC_CATEGORY_MN)
      out.push_back(c);
  return out;
}

class WordPiece : public Tokenizer {
public:
  WordPiece(std::unordered_map<std::string, int64_t> vocab, bool lowercase)
      : vocab(std::move(vocab)), lowercase(lowercase) {}

  bool init(std::string &error) {
    for (auto [name, id] :
         {std::pair{"[CLS]", &cls}, std::pair{"[SEP]", &sep},
          std::pair{"[PAD]", &pad}, std::pair{"[UNK]", &unk}}) {
      auto it = vocab.find(name);
      if (it == vocab.end()) {
        error = std::string("the vocabulary has no ") + name;
        return false;
      }
      *id = it->second;
    }
    return true;
  }

  bool pieces(std::string_view text, std::vector<int64_t> &ids,
              std::string &error) const override {
    Codepoints input;
    if (!fromUtf8(text, input, error))
      return false;
    Codepoints cleaned;
    for (char32_t c : input) {
      if (c == 0 || c == 0xFFFD || isControl(c))
        continue;
      if (isCjk(c)) {
        cleaned += U' ';
        cleaned += c;
        cleaned += U' ';
      } else {
        cleaned += isWhitespace(c) ? U' ' : c;
      }
    }
    Codepoints normalized = normalize(cleaned, utf8proc_NFC);
    ids.clear();
    Codepoints word;
    auto flush = [&] {
      if (!word.empty())
        addWord(word, ids);
      word.clear();
    };
    for (char32_t c : normalized) {
      if (isSplitSpace(c))
        flush();
      else
        word += c;
    }
    flush();
    return true;
  }

private:
  /// One whitespace-separated token: kept whole if special, else
  /// normalized, split at punctuation, then into pieces.
  void addWord(const Codepoints &token, std::vector<int64_t> &ids) const {
    std::string utf8 = toUtf8(token);
    if (isSpecial(utf8)) {
      ids.push_back(vocab.at(utf8));
      return;
    }
    Codepoints word = lowercase ? stripAccents(lower(token)) : token;
    Codepoints part;
    for (char32_t c : word) {
      if (isPunctuation(c)) {
        if (!part.empty())
          addPieces(part, ids);
        addPieces(Codepoints(1, c), ids);
        part.clear();
      } else {
        part += c;
      }
    }
    if (!part.empty())
      addPieces(part, ids);
  }

  bool isSpecial(const std::string &token) const {
    for (const char *special : {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"})
      if (token == special)
        return vocab.count(token) != 0;
    return false;
  }

  /// Greedy longest-match-first; the whole word is [UNK] when any part
  /// has no piece.
  void addPieces(const Codepoints &word, std::vector<int64_t> &ids) const {
    if (word.size() > kMaxWordChars) {
      ids.push_back(unk);
      return;
    }
    size_t mark = ids.size();
    for (size_t start = 0; start < word.size();) {
      size_t end = word.size();
      int64_t found = -1;
      for (; end > start; --end) {
        std::string piece =
            (start ? "##" : "") + toUtf8(word.substr(start, end - start));
        auto it = vocab.find(piece);
        if (it != vocab.end()) {
          found = it->second;
          break;
        }
      }
      if (found < 0) {
        ids.resize(mark);
        ids.push_back(unk);
        return;
      }
      ids.push_back(found);
      start = end;
    }
  }

  std::unordered_map<std::string, int64_t> vocab;
  bool lowercase;
  int64_t unk = 0;
};

} // namespace

std::unique_ptr<Tokenizer> loadWordPiece(std::string_view text,
                                         const std::string &path,
                                         bool lowercase, std::string &error) {
  // As Hugging Face's load_vocab: one piece per line, its id the line
  // number (a repeated piece takes the later id); Python reads "\r\n" as
  // a line end too.
  std::unordered_map<std::string, int64_t> vocab;
  int64_t id = 0;
  for (size_t start = 0; start < text.size(); ++id) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : end - start);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    vocab[std::string(line)] = id;
    start = end == std::string_view::npos ? text.size() : end + 1;
  }
  Codepoints check;
  for (const auto &entry : vocab)
    if (!fromUtf8(entry.first, check, error)) {
      error =
          path + ": line " + std::to_string(entry.second + 1) + ": " + error;
      return nullptr;
    }
  auto tokenizer = std::make_unique<WordPiece>(std::move(vocab), lowercase);
  tokenizer->vocabSize = id;
  if (!tokenizer->init(error)) {
    error = path + ": " + error + " (not a WordPiece vocab.txt?)";
    return nullptr;
  }
  return tokenizer;
}

} // namespace bnrt::text
