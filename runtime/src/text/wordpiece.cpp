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
#include "unicode.h"

#include <utf8proc.h>

#include <cstdlib>
#include <fstream>
#include <unordered_map>

namespace bnrt::text {
namespace {

constexpr size_t kMaxWordChars = 100;

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
    frame = Frame::bert(cls, sep);
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

  void addPieces(const Codepoints &word, std::vector<int64_t> &ids) const {
    wordPieces(word, vocab, "##", kMaxWordChars, unk, ids);
  }

  std::unordered_map<std::string, int64_t> vocab;
  bool lowercase;
  int64_t cls = 0, sep = 0, unk = 0;
};

} // namespace

void wordPieces(const std::u32string &word,
                const std::unordered_map<std::string, int64_t> &vocab,
                const std::string &prefix, size_t maxChars, int64_t unk,
                std::vector<int64_t> &ids) {
  if (word.size() > maxChars) {
    ids.push_back(unk);
    return;
  }
  size_t mark = ids.size();
  for (size_t start = 0; start < word.size();) {
    size_t end = word.size();
    int64_t found = -1;
    for (; end > start; --end) {
      auto it = vocab.find((start ? prefix : "") +
                           toUtf8(word.substr(start, end - start)));
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
