//===- hf_tokenizer.cpp - Hugging Face tokenizer.json ---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The `tokenizers` library's pipeline, step by step in its order, for the
// components BERT-family models ship with:
//   added tokens matched on the raw text (those not `normalized`) ->
//   normalizer (BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, StripAccents,
//   Replace of a string or of a repeated character, Prepend, Strip,
//   SentencePiece's Precompiled, Sequence) -> added tokens matched
//   on the normalized text -> pre-tokenizer (BertPreTokenizer, ByteLevel
//   with GPT-2's pattern, Metaspace, Whitespace, WhitespaceSplit,
//   Punctuation, Digits, CharDelimiterSplit, Split on a string, Sequence)
//   -> model (WordPiece, BPE with merges by rank, Unigram by Viterbi) ->
//   post-processor (TemplateProcessing, BertProcessing, RobertaProcessing,
//   ByteLevel, Sequence) as the Frame around the pieces.
// Anything else (a regex Split, a general regex Replace, an unknown type)
// is refused with the component's name: never approximated.
//
//===----------------------------------------------------------------------===//
#include "json.h"
#include "precompiled.h"
#include "tokenizer.h"
#include "unicode.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <tuple>
#include <unordered_map>

namespace bnrt::text {
namespace {

using json::Value;

/// A file the loader cannot take (caught in loadTokenizerJson).
struct Refusal {
  std::string message;
};
[[noreturn]] void refuse(const std::string &message) { throw Refusal{message}; }

const Value &need(const Value &v, const char *key, const std::string &where) {
  const Value *f = v.get(key);
  if (!f)
    refuse(where + " has no \"" + key + "\"");
  return *f;
}

std::string text(const Value *v, const std::string &otherwise = "") {
  return v && v->isString() ? v->string : otherwise;
}

bool flag(const Value *v, bool otherwise) {
  return v && v->isBool() ? v->boolean : otherwise;
}

/// A non-negative integer (an id, a type id).
int64_t whole(const Value &v, const std::string &where) {
  if (!v.isInteger() || v.number < 0)
    refuse(where + ": an id or type that is not a non-negative integer");
  return static_cast<int64_t>(v.number);
}

std::string typeOf(const Value &v, const std::string &where) {
  const Value *t = v.get("type");
  if (!t || !t->isString())
    refuse(where + " has no \"type\"");
  return t->string;
}

Codepoints codepoints(const std::string &utf8, const std::string &where) {
  Codepoints out;
  std::string error;
  if (!fromUtf8(utf8, out, error))
    refuse(where + ": " + error);
  return out;
}

//===----------------------------------------------------------------------===//
// Normalizers: Codepoints in place
//===----------------------------------------------------------------------===//

using Normalizer = std::function<void(Codepoints &)>;

/// The CJK blocks Hugging Face's BertNormalizer spaces out (its table
/// starts the sixth block at U+2B920, where Google's BERT has U+2B820).
bool isHfChinese(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

Normalizer bertNormalizer(const Value &v) {
  bool clean = flag(v.get("clean_text"), true);
  bool chinese = flag(v.get("handle_chinese_chars"), true);
  bool lowercase = flag(v.get("lowercase"), true);
  bool strip = flag(v.get("strip_accents"), lowercase); // null: as lowercase
  return [=](Codepoints &s) {
    if (clean) {
      Codepoints out;
      for (char32_t c : s)
        if (!(c == 0 || c == 0xFFFD || isControl(c)))
          out.push_back(c == '\t' || c == '\n' || c == '\r' || isUnicodeSpace(c)
                            ? U' '
                            : c);
      s = std::move(out);
    }
    if (chinese) {
      Codepoints out;
      for (char32_t c : s) {
        if (isHfChinese(c)) {
          out += U' ';
          out += c;
          out += U' ';
        } else {
          out += c;
        }
      }
      s = std::move(out);
    }
    if (strip)
      s = stripAccents(s);
    if (lowercase)
      s = lowerEach(s);
  };
}

/// Replace by a regular expression: the one form models use, a character
/// repeated at least n times ("X{n,}", XLM-R's " {2,}" -> " ").
Normalizer repeatedCharacter(const Value &v, const std::string &where) {
  Codepoints regex =
      codepoints(text(need(v, "pattern", where).get("Regex")), where);
  Codepoints to = codepoints(text(v.get("content")), where);
  size_t brace = regex.find(U'{');
  bool simple =
      brace == 1 && regex.size() >= 5 && regex.back() == U'}' &&
      regex[regex.size() - 2] == U',' &&
      std::string(".^$*+?()[]{}|\\")
              .find(static_cast<char>(regex[0] < 128 ? regex[0] : 'a')) ==
          std::string::npos;
  size_t least = 0;
  for (size_t i = 2; simple && i + 2 < regex.size(); ++i) {
    simple = regex[i] >= U'0' && regex[i] <= U'9' && least < 1000;
    least = 10 * least + (regex[i] - U'0');
  }
  if (!simple || least == 0)
    refuse(where + " with the regular expression '" + toUtf8(regex) +
           "': only a character repeated (\"X{n,}\") is supported");
  char32_t c = regex[0];
  return [c, least, to](Codepoints &s) {
    Codepoints out;
    for (size_t i = 0; i < s.size();) {
      size_t j = i;
      while (j < s.size() && s[j] == c)
        ++j;
      if (j - i >= least) {
        out += to;
        i = j;
      } else if (j > i) {
        out.append(s, i, j - i);
        i = j;
      } else {
        out += s[i++];
      }
    }
    s = std::move(out);
  };
}

Normalizer makeNormalizer(const Value &v, const std::string &where) {
  std::string type = typeOf(v, where);
  std::string here = where + " " + type;
  if (type == "Sequence") {
    std::vector<Normalizer> steps;
    const Value &list = need(v, "normalizers", here);
    for (const Value &item : list.items)
      steps.push_back(makeNormalizer(item, here));
    return [steps](Codepoints &s) {
      for (const Normalizer &step : steps)
        step(s);
    };
  }
  if (type == "BertNormalizer")
    return bertNormalizer(v);
  using Form = utf8proc_uint8_t *(*)(const utf8proc_uint8_t *);
  std::map<std::string, Form> forms = {{"NFC", utf8proc_NFC},
                                       {"NFD", utf8proc_NFD},
                                       {"NFKC", utf8proc_NFKC},
                                       {"NFKD", utf8proc_NFKD}};
  if (auto it = forms.find(type); it != forms.end()) {
    Form form = it->second;
    return [form](Codepoints &s) {
      // utf8proc reads NUL-terminated text: normalize between NULs.
      Codepoints out, part;
      for (char32_t c : s + U'\0') {
        if (c != 0) {
          part += c;
          continue;
        }
        out += normalize(part, form);
        part.clear();
        out += c;
      }
      out.pop_back();
      s = std::move(out);
    };
  }
  if (type == "Lowercase")
    return [](Codepoints &s) { s = lowerEach(s); };
  if (type == "StripAccents")
    return [](Codepoints &s) {
      s.erase(std::remove_if(s.begin(), s.end(), isNonspacingMark), s.end());
    };
  if (type == "Replace" && need(v, "pattern", here).get("Regex"))
    return repeatedCharacter(v, here);
  if (type == "Replace") {
    const Value &pattern = need(v, "pattern", here);
    if (!pattern.get("String"))
      refuse(here + ": a pattern neither String nor Regex");
    Codepoints from = codepoints(text(pattern.get("String")), here);
    Codepoints to = codepoints(text(v.get("content")), here);
    if (from.empty())
      refuse(here + " of an empty string");
    return [from, to](Codepoints &s) {
      Codepoints out;
      for (size_t i = 0; i < s.size();) {
        if (s.compare(i, from.size(), from) == 0) {
          out += to;
          i += from.size();
        } else {
          out += s[i++];
        }
      }
      s = std::move(out);
    };
  }
  if (type == "Prepend") {
    Codepoints prefix = codepoints(text(v.get("prepend")), here);
    return [prefix](Codepoints &s) {
      if (!s.empty())
        s = prefix + s;
    };
  }
  if (type == "Strip") {
    bool left = flag(v.get("strip_left"), true);
    bool right = flag(v.get("strip_right"), true);
    return [left, right](Codepoints &s) {
      size_t b = 0, e = s.size();
      while (left && b < e && isUnicodeSpace(s[b]))
        ++b;
      while (right && e > b && isUnicodeSpace(s[e - 1]))
        --e;
      s = s.substr(b, e - b);
    };
  }
  if (type == "Precompiled") {
    std::string bytes;
    if (!decodeBase64(text(v.get("precompiled_charsmap")), bytes))
      refuse(here + ": precompiled_charsmap is not base64");
    if (bytes.empty()) // nothing to map
      return [](Codepoints &) {};
    auto charsmap = std::make_shared<PrecompiledCharsmap>();
    std::string error;
    if (!charsmap->load(bytes, error))
      refuse(here + ": " + error);
    return [charsmap](Codepoints &s) {
      std::string error;
      Codepoints out;
      if (fromUtf8(charsmap->normalize(toUtf8(s)), out, error))
        s = std::move(out);
    };
  }
  refuse(here + ": not a normalizer this runtime implements");
}

//===----------------------------------------------------------------------===//
// Pre-tokenizers: a list of words split further
//===----------------------------------------------------------------------===//

/// A word, and whether it starts the text (Metaspace's "first" scheme).
struct Word {
  Codepoints chars;
  bool first;
};
using Words = std::vector<Word>;
using PreTokenizer = std::function<void(Words &)>;

enum class Behavior {
  Removed,
  Isolated,
  MergedWithPrevious,
  MergedWithNext,
  Contiguous
};

Behavior behaviorOf(const Value *v, Behavior otherwise,
                    const std::string &where) {
  if (!v)
    return otherwise;
  static const std::map<std::string, Behavior> names = {
      {"Removed", Behavior::Removed},
      {"Isolated", Behavior::Isolated},
      {"MergedWithPrevious", Behavior::MergedWithPrevious},
      {"MergedWithNext", Behavior::MergedWithNext},
      {"Contiguous", Behavior::Contiguous}};
  auto it = names.find(text(v));
  if (it == names.end())
    refuse(where + ": unknown split behavior '" + text(v) + "'");
  return it->second;
}

/// Splits every word where `matches` says, as the library's split does:
/// matches are (begin, end) ranges, the text between them kept as is.
void splitWords(Words &words, Behavior behavior,
                const std::function<std::vector<std::pair<size_t, size_t>>(
                    const Codepoints &)> &matches) {
  Words out;
  for (const Word &w : words) {
    // (range, matched) over the whole word.
    std::vector<std::pair<Codepoints, bool>> parts;
    size_t at = 0;
    for (auto [b, e] : matches(w.chars)) {
      if (b > at)
        parts.push_back({w.chars.substr(at, b - at), false});
      parts.push_back({w.chars.substr(b, e - b), true});
      at = e;
    }
    if (at < w.chars.size())
      parts.push_back({w.chars.substr(at), false});
    std::vector<Codepoints> pieces;
    // The library folds MergedWithNext from the end: MergedWithPrevious
    // over the parts reversed, each match prepended to the part after it.
    bool backwards = behavior == Behavior::MergedWithNext;
    if (backwards)
      std::reverse(parts.begin(), parts.end());
    for (size_t i = 0; i < parts.size(); ++i) {
      auto &[s, matched] = parts[i];
      switch (behavior) {
      case Behavior::Removed:
        if (!matched)
          pieces.push_back(s);
        break;
      case Behavior::Isolated:
        pieces.push_back(s);
        break;
      case Behavior::Contiguous:
        if (matched && i > 0 && parts[i - 1].second)
          pieces.back() += s;
        else
          pieces.push_back(s);
        break;
      case Behavior::MergedWithPrevious:
      case Behavior::MergedWithNext:
        if (matched && !pieces.empty() && !parts[i - 1].second)
          pieces.back() = backwards ? s + pieces.back() : pieces.back() + s;
        else
          pieces.push_back(s);
        break;
      }
    }
    if (backwards)
      std::reverse(pieces.begin(), pieces.end());
    bool first = w.first;
    for (Codepoints &piece : pieces)
      if (!piece.empty()) {
        out.push_back({std::move(piece), first});
        first = false;
      }
  }
  words = std::move(out);
}

/// Each character for which `pred` holds is one match.
std::function<std::vector<std::pair<size_t, size_t>>(const Codepoints &)>
eachChar(std::function<bool(char32_t)> pred) {
  return [pred](const Codepoints &s) {
    std::vector<std::pair<size_t, size_t>> m;
    for (size_t i = 0; i < s.size(); ++i)
      if (pred(s[i]))
        m.push_back({i, i + 1});
    return m;
  };
}

/// GPT-2's pattern, as byte-level BPE splits with it:
///   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
std::vector<std::pair<size_t, size_t>> gpt2Matches(const Codepoints &s) {
  std::vector<std::pair<size_t, size_t>> m;
  size_t n = s.size();
  auto run = [&](size_t i, auto pred) {
    while (i < n && pred(s[i]))
      ++i;
    return i;
  };
  auto other = [](char32_t c) {
    return !isUnicodeSpace(c) && !isLetter(c) && !isNumber(c);
  };
  for (size_t i = 0; i < n;) {
    size_t end = i;
    if (s[i] == '\'' && i + 1 < n) {
      char32_t a = s[i + 1], b = i + 2 < n ? s[i + 2] : 0;
      if (a == 's' || a == 't' || a == 'm' || a == 'd')
        end = i + 2;
      else if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
               (a == 'l' && b == 'l'))
        end = i + 3;
    }
    if (end == i) {
      size_t j = s[i] == ' ' && i + 1 < n ? i + 1 : i;
      if (isLetter(s[j]))
        end = run(j, isLetter);
      else if (isNumber(s[j]))
        end = run(j, isNumber);
      else if (other(s[j]))
        end = run(j, other);
    }
    if (end == i) { // whitespace: all of it at the end, else all but the last
      size_t stop = run(i, isUnicodeSpace);
      end = stop == n || stop - i == 1 ? stop : stop - 1;
    }
    m.push_back({i, end});
    i = end;
  }
  return m;
}

/// The byte -> character table of byte-level BPE (GPT-2's
/// bytes_to_unicode): printable bytes stand for themselves, the others
/// for U+0100 onwards in byte order.
const std::vector<char32_t> &byteChars() {
  static const std::vector<char32_t> table = [] {
    std::vector<char32_t> t(256);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) ||
                       (b >= 174 && b <= 255);
      t[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return t;
  }();
  return table;
}

PreTokenizer byteLevel(const Value &v) {
  bool prefix = flag(v.get("add_prefix_space"), true);
  bool useRegex = flag(v.get("use_regex"), true);
  return [prefix, useRegex](Words &words) {
    for (Word &w : words) // (the library prepends nothing to an empty text)
      if (prefix && !w.chars.empty() && w.chars[0] != ' ')
        w.chars = U" " + w.chars;
    if (useRegex)
      splitWords(words, Behavior::Isolated, gpt2Matches);
    for (Word &w : words) {
      std::string bytes = toUtf8(w.chars);
      Codepoints mapped;
      for (unsigned char b : bytes)
        mapped += byteChars()[b];
      w.chars = std::move(mapped);
    }
  };
}

PreTokenizer metaspace(const Value &v, const std::string &where) {
  Codepoints replacement =
      codepoints(text(v.get("replacement"), "\u2581"), where);
  if (replacement.size() != 1)
    refuse(where + ": a replacement of more than one character");
  char32_t r = replacement[0];
  // Older files: add_prefix_space; newer: prepend_scheme.
  std::string scheme =
      text(v.get("prepend_scheme"),
           flag(v.get("add_prefix_space"), true) ? "always" : "never");
  if (scheme != "always" && scheme != "first" && scheme != "never")
    refuse(where + ": unknown prepend_scheme '" + scheme + "'");
  bool split = flag(v.get("split"), true);
  return [r, scheme, split](Words &words) {
    for (Word &w : words) {
      std::replace(w.chars.begin(), w.chars.end(), U' ', r);
      bool prepend = scheme == "always" || (scheme == "first" && w.first);
      if (prepend && !w.chars.empty() && w.chars[0] != r)
        w.chars = Codepoints(1, r) + w.chars;
    }
    if (split)
      splitWords(words, Behavior::MergedWithNext,
                 eachChar([r](char32_t c) { return c == r; }));
  };
}

/// Unicode \w (as Rust's regex crate): letters, marks, numbers,
/// connector punctuation, joiners.
bool isWordChar(char32_t c) {
  auto cat = utf8proc_category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) ||
         cat == UTF8PROC_CATEGORY_PC || c == 0x200C || c == 0x200D;
}

PreTokenizer makePreTokenizer(const Value &v, const std::string &where) {
  std::string type = typeOf(v, where);
  std::string here = where + " " + type;
  if (type == "Sequence") {
    std::vector<PreTokenizer> steps;
    for (const Value &item : need(v, "pretokenizers", here).items)
      steps.push_back(makePreTokenizer(item, here));
    return [steps](Words &words) {
      for (const PreTokenizer &step : steps)
        step(words);
    };
  }
  if (type == "BertPreTokenizer")
    return [](Words &words) {
      splitWords(words, Behavior::Removed, eachChar(isUnicodeSpace));
      splitWords(words, Behavior::Isolated, eachChar(isPunctuation));
    };
  if (type == "WhitespaceSplit")
    return [](Words &words) {
      splitWords(words, Behavior::Removed, eachChar(isUnicodeSpace));
    };
  if (type == "Whitespace") // \w+|[^\w\s]+, whitespace dropped
    return [](Words &words) {
      splitWords(words, Behavior::Removed, eachChar(isUnicodeSpace));
      splitWords(words, Behavior::Isolated, [](const Codepoints &s) {
        std::vector<std::pair<size_t, size_t>> m;
        for (size_t i = 0; i < s.size();) {
          bool word = isWordChar(s[i]);
          size_t j = i;
          while (j < s.size() && isWordChar(s[j]) == word)
            ++j;
          m.push_back({i, j});
          i = j;
        }
        return m;
      });
    };
  if (type == "Punctuation") {
    Behavior b = behaviorOf(v.get("behavior"), Behavior::Isolated, here);
    return [b](Words &words) { splitWords(words, b, eachChar(isPunctuation)); };
  }
  if (type == "Digits") {
    Behavior b = flag(v.get("individual_digits"), false) ? Behavior::Isolated
                                                         : Behavior::Contiguous;
    return [b](Words &words) {
      splitWords(words, b, eachChar([](char32_t c) { return isNumber(c); }));
    };
  }
  if (type == "CharDelimiterSplit") {
    Codepoints d = codepoints(text(v.get("delimiter")), here);
    if (d.size() != 1)
      refuse(here + ": a delimiter of one character expected");
    char32_t c = d[0];
    return [c](Words &words) {
      splitWords(words, Behavior::Removed,
                 eachChar([c](char32_t x) { return x == c; }));
    };
  }
  if (type == "ByteLevel")
    return byteLevel(v);
  if (type == "Metaspace")
    return metaspace(v, here);
  if (type == "Split") {
    const Value &pattern = need(v, "pattern", here);
    if (!pattern.get("String") || flag(v.get("invert"), false))
      refuse(here + " with a regular expression (or inverted): not "
                    "supported");
    Codepoints p = codepoints(text(pattern.get("String")), here);
    if (p.empty())
      refuse(here + " on an empty string");
    Behavior b = behaviorOf(v.get("behavior"), Behavior::Isolated, here);
    return [p, b](Words &words) {
      splitWords(words, b, [p](const Codepoints &s) {
        std::vector<std::pair<size_t, size_t>> m;
        for (size_t i = s.find(p); i != Codepoints::npos;
             i = s.find(p, i + p.size()))
          m.push_back({i, i + p.size()});
        return m;
      });
    };
  }
  refuse(here + ": not a pre-tokenizer this runtime implements");
}

//===----------------------------------------------------------------------===//
// Models: a word's characters to ids
//===----------------------------------------------------------------------===//

using Vocab = std::unordered_map<std::string, int64_t>;

/// Byte fallback: the ids of `utf8`'s bytes as "<0xAB>" pieces, when the
/// vocabulary has them all.
bool fallbackBytes(const std::string &utf8, const Vocab &vocab,
                   std::vector<int64_t> &out) {
  std::vector<int64_t> bytes;
  for (unsigned char c : utf8) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", c);
    auto it = vocab.find(name);
    if (it == vocab.end())
      return false;
    bytes.push_back(it->second);
  }
  out.insert(out.end(), bytes.begin(), bytes.end());
  return true;
}

class Model {
public:
  virtual ~Model() = default;
  virtual void encode(const Codepoints &word,
                      std::vector<int64_t> &ids) const = 0;
};

Vocab readVocab(const Value &v, const std::string &where) {
  if (!v.isObject())
    refuse(where + ": \"vocab\" is not an object of piece -> id");
  Vocab vocab;
  for (const auto &[piece, id] : v.fields) {
    if (!id.isInteger() || id.number < 0)
      refuse(where + ": the id of '" + piece +
             "' is not a non-negative integer");
    vocab[piece] = static_cast<int64_t>(id.number);
  }
  return vocab;
}

class WordPieceModel : public Model {
public:
  WordPieceModel(const Value &v, const std::string &where) {
    vocab = readVocab(need(v, "vocab", where), where);
    prefix = text(v.get("continuing_subword_prefix"), "##");
    std::string unkToken = text(v.get("unk_token"), "[UNK]");
    auto it = vocab.find(unkToken);
    if (it == vocab.end())
      refuse(where + ": the unknown token '" + unkToken +
             "' is not in the vocab");
    unk = it->second;
    const Value *most = v.get("max_input_chars_per_word");
    maxChars =
        most && most->isInteger() ? static_cast<size_t>(most->number) : 100;
  }

  void encode(const Codepoints &word,
              std::vector<int64_t> &ids) const override {
    wordPieces(word, vocab, prefix, maxChars, unk, ids);
  }

  Vocab vocab;
  std::string prefix;
  int64_t unk = 0;
  size_t maxChars = 100;
};

class BpeModel : public Model {
public:
  BpeModel(Vocab vocabulary,
           const std::vector<std::pair<std::string, std::string>> &mergeList,
           const Value &v, const std::string &where)
      : vocab(std::move(vocabulary)) {
    prefix = text(v.get("continuing_subword_prefix"));
    suffix = text(v.get("end_of_word_suffix"));
    fuseUnk = flag(v.get("fuse_unk"), false);
    byteFallback = flag(v.get("byte_fallback"), false);
    ignoreMerges = flag(v.get("ignore_merges"), false);
    const Value *dropout = v.get("dropout");
    if (dropout && dropout->isNumber() && dropout->number > 0)
      refuse(where + ": BPE dropout (a training-time setting) is on");
    std::string unkToken = text(v.get("unk_token"));
    if (!unkToken.empty()) {
      auto it = vocab.find(unkToken);
      if (it == vocab.end())
        refuse(where + ": the unknown token '" + unkToken +
               "' is not in the vocab");
      unk = it->second;
    }
    for (size_t rank = 0; rank < mergeList.size(); ++rank) {
      const auto &[a, b] = mergeList[rank];
      std::string merged =
          a + (prefix.size() && b.compare(0, prefix.size(), prefix) == 0
                   ? b.substr(prefix.size())
                   : b);
      auto ia = vocab.find(a), ib = vocab.find(b), im = vocab.find(merged);
      if (ia == vocab.end() || ib == vocab.end() || im == vocab.end())
        refuse(where + ": merge " + std::to_string(rank + 1) + " ('" + a +
               "' '" + b + "') has a piece that is not in the vocab");
      merges.emplace(key(ia->second, ib->second),
                     std::pair{static_cast<int64_t>(rank), im->second});
    }
  }

  void encode(const Codepoints &word,
              std::vector<int64_t> &ids) const override {
    if (ignoreMerges) {
      auto it = vocab.find(toUtf8(word));
      if (it != vocab.end()) {
        ids.push_back(it->second);
        return;
      }
    }
    std::vector<int64_t> symbols;
    bool lastUnk = false;
    for (size_t i = 0; i < word.size(); ++i) {
      std::string piece = (i && !prefix.empty() ? prefix : "") +
                          toUtf8(word.substr(i, 1)) +
                          (i + 1 == word.size() ? suffix : "");
      auto it = vocab.find(piece);
      if (it != vocab.end()) {
        symbols.push_back(it->second);
        lastUnk = false;
        continue;
      }
      if (byteFallback &&
          fallbackBytes(toUtf8(word.substr(i, 1)), vocab, symbols)) {
        lastUnk = false;
        continue;
      }
      if (unk >= 0 && !(fuseUnk && lastUnk))
        symbols.push_back(unk);
      lastUnk = unk >= 0;
    }
    mergeAll(symbols);
    ids.insert(ids.end(), symbols.begin(), symbols.end());
  }

private:
  /// Applies the merges, the lowest-ranked adjacent pair first and the
  /// leftmost among equals, as the library's merge queue does: a heap of
  /// (rank, position) over a linked list, so a long word costs n log n.
  void mergeAll(std::vector<int64_t> &symbols) const {
    size_t n = symbols.size();
    std::vector<size_t> prev(n), next(n);
    std::vector<bool> alive(n, true);
    for (size_t i = 0; i < n; ++i) {
      prev[i] = i - 1; // SIZE_MAX for the first
      next[i] = i + 1; // n for the last
    }
    using Entry = std::tuple<int64_t, size_t, int64_t, int64_t>; // rank, pos,
                                                                 // left, right
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
    auto push = [&](size_t i) {
      if (i >= n || next[i] >= n)
        return;
      auto it = merges.find(key(symbols[i], symbols[next[i]]));
      if (it != merges.end())
        queue.push({it->second.first, i, symbols[i], symbols[next[i]]});
    };
    for (size_t i = 0; i + 1 < n; ++i)
      push(i);
    while (!queue.empty()) {
      auto [rank, i, left, right] = queue.top();
      queue.pop();
      // Stale: a symbol of the pair was merged away or changed since.
      if (!alive[i] || next[i] >= n || symbols[i] != left ||
          symbols[next[i]] != right)
        continue;
      size_t j = next[i];
      symbols[i] = merges.at(key(left, right)).second;
      alive[j] = false;
      next[i] = next[j];
      if (next[j] < n)
        prev[next[j]] = i;
      if (prev[i] < n)
        push(prev[i]);
      push(i);
    }
    std::vector<int64_t> out;
    for (size_t i = 0; i < n; i = next[i])
      out.push_back(symbols[i]);
    symbols = std::move(out);
  }

  static uint64_t key(int64_t a, int64_t b) {
    return static_cast<uint64_t>(a) << 32 | static_cast<uint64_t>(b);
  }

  Vocab vocab;
  std::unordered_map<uint64_t, std::pair<int64_t, int64_t>> merges;
  std::string prefix, suffix;
  int64_t unk = -1;
  bool fuseUnk = false, byteFallback = false, ignoreMerges = false;
};

/// The "merges" of a BPE model: "a b" strings, or [a, b] pairs (newer
/// files).
std::vector<std::pair<std::string, std::string>>
readMerges(const Value &v, const std::string &where) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Value &m : v.items) {
    if (m.isString()) {
      size_t space = m.string.find(' ', 1);
      if (space == std::string::npos)
        refuse(where + ": merge '" + m.string + "' is not two pieces");
      out.push_back({m.string.substr(0, space), m.string.substr(space + 1)});
    } else if (m.isArray() && m.items.size() == 2 && m.items[0].isString() &&
               m.items[1].isString()) {
      out.push_back({m.items[0].string, m.items[1].string});
    } else {
      refuse(where + ": a merge is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }
  return out;
}

class UnigramModel : public Model {
public:
  UnigramModel(const Value &v, const std::string &where) {
    const Value &list = need(v, "vocab", where);
    double minScore = 0;
    for (const Value &entry : list.items) {
      if (!entry.isArray() || entry.items.size() != 2 ||
          !entry.items[0].isString() || !entry.items[1].isNumber())
        refuse(where + ": a vocab entry is not [piece, score]");
      int64_t id = static_cast<int64_t>(scores.size());
      const std::string &piece = entry.items[0].string;
      pieceIds.emplace(piece, id);
      scores.push_back(entry.items[1].number);
      minScore = std::min(minScore, entry.items[1].number);
      maxLength = std::max(maxLength, codepoints(piece, where).size());
    }
    const Value *u = v.get("unk_id");
    if (!u || !u->isInteger() || u->number < 0 ||
        u->number >= static_cast<double>(scores.size()))
      refuse(where + ": \"unk_id\" is not the id of a piece");
    unk = static_cast<int64_t>(u->number);
    unkScore = minScore - 10.0; // the library's unknown-piece penalty
    byteFallback = flag(v.get("byte_fallback"), false);
  }

  void encode(const Codepoints &word,
              std::vector<int64_t> &ids) const override {
    // Viterbi: best[i] is the best segmentation of word[0, i).
    size_t n = word.size();
    struct Node {
      double score = 0;
      size_t from = 0;
      int64_t id = -2; // -2: unreached; -1: an unknown character
    };
    std::vector<Node> best(n + 1);
    best[0].id = -1;
    for (size_t i = 0; i < n; ++i) {
      if (best[i].id == -2)
        continue;
      bool single = false;
      for (size_t len = 1; len <= maxLength && i + len <= n; ++len) {
        auto it = pieceIds.find(toUtf8(word.substr(i, len)));
        if (it == pieceIds.end())
          continue;
        single |= len == 1;
        double s = best[i].score + scores[it->second];
        Node &to = best[i + len];
        if (to.id == -2 || s > to.score)
          to = {s, i, it->second};
      }
      if (!single) {
        double s = best[i].score + unkScore;
        Node &to = best[i + 1];
        if (to.id == -2 || s > to.score)
          to = {s, i, -1};
      }
    }
    std::vector<std::pair<size_t, int64_t>> path; // (start, id or -1)
    for (size_t at = n; at > 0; at = best[at].from)
      path.push_back({best[at].from, best[at].id});
    std::reverse(path.begin(), path.end());
    for (size_t k = 0; k < path.size(); ++k) {
      auto [start, id] = path[k];
      if (id >= 0) {
        ids.push_back(id);
        continue;
      }
      // Unknown characters: consecutive ones are one unknown piece (or
      // their bytes, with byte fallback).
      size_t end = k + 1 < path.size() ? path[k + 1].first : n;
      while (k + 1 < path.size() && path[k + 1].second < 0) {
        ++k;
        end = k + 1 < path.size() ? path[k + 1].first : n;
      }
      if (!(byteFallback &&
            fallbackBytes(toUtf8(word.substr(start, end - start)), pieceIds,
                          ids)))
        ids.push_back(unk);
    }
  }

private:
  Vocab pieceIds;
  std::vector<double> scores;
  size_t maxLength = 1;
  int64_t unk = 0;
  double unkScore = 0;
  bool byteFallback = false;
};

//===----------------------------------------------------------------------===//
// The tokenizer
//===----------------------------------------------------------------------===//

struct AddedToken {
  Codepoints content;
  int64_t id;
  bool lstrip, rstrip, singleWord, normalized;
};

class HfTokenizer : public Tokenizer {
public:
  bool pieces(std::string_view input, std::vector<int64_t> &ids,
              std::string &error) const override {
    Codepoints s;
    if (!fromUtf8(input, s, error))
      return false;
    ids.clear();
    for (auto &[raw, id, start] : splitAdded(s, false, 0)) {
      if (id >= 0) {
        ids.push_back(id);
        continue;
      }
      if (normalizer)
        normalizer(raw);
      for (auto &[part, partId, partStart] : splitAdded(raw, true, start)) {
        if (partId >= 0) {
          ids.push_back(partId);
          continue;
        }
        Words words{{part, partStart == 0}};
        if (preTokenizer)
          preTokenizer(words);
        for (const Word &w : words)
          if (!w.chars.empty())
            model->encode(w.chars, ids);
      }
    }
    return true;
  }

  std::unique_ptr<Model> model;
  Normalizer normalizer;
  PreTokenizer preTokenizer;
  std::vector<AddedToken> added;

private:
  struct Segment {
    Codepoints chars;
    int64_t id;   // an added token's id, or -1 for text
    size_t start; // where it begins in the whole text (0: at its start)
  };

  /// `s` cut at the added tokens (those matched `normalized` or not),
  /// leftmost, longest first; lstrip/rstrip take the whitespace beside a
  /// token with it, single_word needs non-word characters around it.
  std::vector<Segment> splitAdded(const Codepoints &s, bool normalizedOnes,
                                  size_t offset) const {
    std::vector<Segment> out;
    size_t textStart = 0;
    for (size_t i = 0; i < s.size();) {
      const AddedToken *match = nullptr;
      for (const AddedToken &t : added)
        if (t.normalized == normalizedOnes && !t.content.empty() &&
            s.compare(i, t.content.size(), t.content) == 0 &&
            (!match || t.content.size() > match->content.size()) &&
            (!t.singleWord || ((i == 0 || !isWordChar(s[i - 1])) &&
                               (i + t.content.size() == s.size() ||
                                !isWordChar(s[i + t.content.size()])))))
          match = &t;
      if (!match) {
        ++i;
        continue;
      }
      size_t begin = i, end = i + match->content.size();
      if (match->lstrip)
        while (begin > textStart && isUnicodeSpace(s[begin - 1]))
          --begin;
      if (match->rstrip)
        while (end < s.size() && isUnicodeSpace(s[end]))
          ++end;
      if (begin > textStart)
        out.push_back(
            {s.substr(textStart, begin - textStart), -1, offset + textStart});
      out.push_back({Codepoints(), match->id, offset + begin});
      textStart = i = end;
    }
    if (textStart < s.size() || out.empty())
      out.push_back({s.substr(textStart), -1, offset + textStart});
    return out;
  }
};

/// The frame a post-processor describes (null: the texts alone, the pair
/// with type 1).
Frame makeFrame(const Value *v, const Vocab &specials,
                const std::string &where) {
  Frame f;
  if (!v || v->isNull()) {
    f.single = {{0, 0, 0}};
    f.pair = {{0, 0, 0}, {1, 0, 1}};
    return f;
  }
  std::string type = typeOf(*v, where);
  std::string here = where + " " + type;
  auto token = [&](const Value &pair) -> int64_t {
    if (!pair.isArray() || pair.items.size() != 2 || !pair.items[1].isInteger())
      refuse(here + ": a special token is not [\"token\", id]");
    return static_cast<int64_t>(pair.items[1].number);
  };
  if (type == "BertProcessing")
    return Frame::bert(token(need(*v, "cls", here)),
                       token(need(*v, "sep", here)));
  if (type == "RobertaProcessing")
    return Frame::roberta(token(need(*v, "cls", here)),
                          token(need(*v, "sep", here)));
  if (type == "ByteLevel")
    return makeFrame(nullptr, specials, where);
  if (type == "Sequence") {
    Frame result = makeFrame(nullptr, specials, where);
    int framing = 0;
    for (const Value &p : need(*v, "processors", here).items)
      if (typeOf(p, here) != "ByteLevel") {
        result = makeFrame(&p, specials, here);
        ++framing;
      }
    if (framing > 1)
      refuse(here + " of more than one framing processor");
    return result;
  }
  if (type == "TemplateProcessing") {
    const Value &tokens = need(*v, "special_tokens", here);
    auto items = [&](const char *which) {
      std::vector<Frame::Item> list;
      for (const Value &piece : need(*v, which, here).items) {
        if (const Value *st = piece.get("SpecialToken")) {
          std::string name = text(st->get("id"));
          const Value *t = tokens.get(name);
          const Value *idsOf = t ? t->get("ids") : nullptr;
          if (!idsOf || !idsOf->isArray())
            refuse(here + ": special token '" + name + "' has no ids");
          int64_t type = whole(need(*st, "type_id", here), here);
          for (const Value &id : idsOf->items)
            list.push_back({-1, whole(id, here), type});
        } else if (const Value *sq = piece.get("Sequence")) {
          std::string name = text(sq->get("id"));
          if (name != "A" && name != "B")
            refuse(here + ": a sequence named '" + name + "', not A or B");
          list.push_back({name == "A" ? 0 : 1, 0,
                          whole(need(*sq, "type_id", here), here)});
        } else {
          refuse(here + ": a template piece is neither SpecialToken nor "
                        "Sequence");
        }
      }
      return list;
    };
    f.single = items("single");
    f.pair = items("pair");
    return f;
  }
  refuse(here + ": not a post-processor this runtime implements");
}

std::unique_ptr<Tokenizer> build(const Value &root) {
  if (!root.isObject() || !root.get("model"))
    refuse("not a tokenizer.json (no \"model\")");
  auto t = std::make_unique<HfTokenizer>();
  const Value &model = *root.get("model");
  // Files of older versions omit the model's "type".
  std::string type = text(model.get("type"));
  if (type.empty())
    type = model.get("merges")                                   ? "BPE"
           : model.get("vocab") && model.get("vocab")->isArray() ? "Unigram"
                                                                 : "WordPiece";
  std::string where = "model " + type;
  if (type == "WordPiece")
    t->model = std::make_unique<WordPieceModel>(model, where);
  else if (type == "BPE")
    t->model = std::make_unique<BpeModel>(
        readVocab(need(model, "vocab", where), where),
        readMerges(need(model, "merges", where), where), model, where);
  else if (type == "Unigram")
    t->model = std::make_unique<UnigramModel>(model, where);
  else
    refuse(where + ": not a model this runtime implements");

  int64_t largest = -1;
  Vocab specials;
  if (const Value *list = root.get("added_tokens"))
    for (const Value &a : list->items) {
      const Value *id = a.get("id");
      if (!id || !id->isInteger() || id->number < 0)
        refuse("added_tokens: an entry without a non-negative id");
      AddedToken token{
          codepoints(text(a.get("content")), "added_tokens"),
          static_cast<int64_t>(id->number),
          flag(a.get("lstrip"), false),
          flag(a.get("rstrip"), false),
          flag(a.get("single_word"), false),
          flag(a.get("normalized"), !flag(a.get("special"), false))};
      specials[text(a.get("content"))] = token.id;
      largest = std::max(largest, token.id);
      t->added.push_back(std::move(token));
    }
  if (const Value *n = root.get("normalizer"); n && !n->isNull())
    t->normalizer = makeNormalizer(*n, "normalizer");
  if (const Value *p = root.get("pre_tokenizer"); p && !p->isNull())
    t->preTokenizer = makePreTokenizer(*p, "pre_tokenizer");
  t->frame = makeFrame(root.get("post_processor"), specials, "post_processor");

  // The vocabulary's size: past the largest id of the model and the added
  // tokens.
  if (const Value *vocab = model.get("vocab")) {
    if (vocab->isObject())
      for (const auto &field : vocab->fields)
        largest = std::max(largest, static_cast<int64_t>(field.second.number));
    else
      largest =
          std::max(largest, static_cast<int64_t>(vocab->items.size()) - 1);
  }
  t->vocabSize = largest + 1;
  const Value *padding = root.get("padding");
  const Value *padId = padding ? padding->get("pad_id") : nullptr;
  if (padId && padId->isInteger()) {
    t->pad = static_cast<int64_t>(padId->number);
  } else {
    t->pad = 0;
    for (const char *candidate : {"[PAD]", "<pad>"})
      if (auto it = specials.find(candidate); it != specials.end()) {
        t->pad = it->second;
        break;
      }
  }
  return t;
}

} // namespace

std::unique_ptr<Tokenizer> loadTokenizerJson(std::string_view bytes,
                                             const std::string &name,
                                             std::string &error) {
  Value root;
  if (!json::parse(bytes, root, error)) {
    error = name + ": not valid JSON (" + error + ")";
    return nullptr;
  }
  try {
    return build(root);
  } catch (const Refusal &r) {
    error = name + ": " + r.message;
    return nullptr;
  }
}

std::unique_ptr<Tokenizer> loadRobertaBpe(std::string_view vocabJson,
                                          std::string_view merges,
                                          const std::string &name,
                                          std::string &error) {
  // As RobertaTokenizerFast builds it from the two files: byte-level BPE,
  // no prefix space, <s> a </s></s> b </s>, <unk> for unknown pieces.
  Value vocab;
  if (!json::parse(vocabJson, vocab, error)) {
    error = name + ": vocab.json is not valid JSON (" + error + ")";
    return nullptr;
  }
  try {
    std::vector<std::pair<std::string, std::string>> mergeList;
    size_t lineNo = 0;
    for (size_t start = 0; start < merges.size();) {
      size_t end = merges.find('\n', start);
      std::string_view line = merges.substr(start, end == std::string_view::npos
                                                       ? std::string_view::npos
                                                       : end - start);
      start = end == std::string_view::npos ? merges.size() : end + 1;
      ++lineNo;
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      // The first line is a "#version" comment; blank lines end the list.
      if (line.empty() || (lineNo == 1 && line.substr(0, 8) == "#version"))
        continue;
      size_t space = line.find(' ', 1);
      if (space == std::string_view::npos)
        refuse("merges.txt line " + std::to_string(lineNo) +
               " is not two pieces");
      mergeList.push_back({std::string(line.substr(0, space)),
                           std::string(line.substr(space + 1))});
    }
    Value options;
    options.kind = Value::Kind::Object;
    Vocab pieces = readVocab(vocab, "vocab.json");
    auto t = std::make_unique<HfTokenizer>();
    t->model = std::make_unique<BpeModel>(pieces, mergeList, options, "BPE");
    Value byteLevelOptions;
    byteLevelOptions.kind = Value::Kind::Object;
    byteLevelOptions.fields.push_back({"add_prefix_space", Value()});
    byteLevelOptions.fields.back().second.kind = Value::Kind::Bool;
    t->preTokenizer = byteLevel(byteLevelOptions);
    auto id = [&](const char *piece) {
      auto it = pieces.find(piece);
      if (it == pieces.end())
        refuse(std::string("vocab.json has no ") + piece);
      return it->second;
    };
    t->frame = Frame::roberta(id("<s>"), id("</s>"));
    t->pad = id("<pad>");
    // The special tokens are matched whole in the text, as the fast
    // tokenizer adds them (<mask> takes the space before it).
    for (const char *special : {"<s>", "</s>", "<unk>", "<pad>", "<mask>"})
      if (pieces.count(special))
        t->added.push_back({codepoints(special, "vocab.json"), pieces[special],
                            std::string(special) == "<mask>", false, false,
                            false});
    int64_t largest = -1;
    for (const auto &entry : pieces)
      largest = std::max(largest, entry.second);
    t->vocabSize = largest + 1;
    return t;
  } catch (const Refusal &r) {
    error = name + ": " + r.message;
    return nullptr;
  }
}

} // namespace bnrt::text
