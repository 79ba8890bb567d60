//===- text_api.cpp - bnrt/text.h over the tokenizers ---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "bnrt/text.h"
#include "bnrt/tokenizer_files.h"
#include "model.h" // bnrt_model_tokenizer reads the bundle
#include "status.h"
#include "tokenizer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace bnrt;

struct bnrt_tokenizer {
  std::unique_ptr<text::Tokenizer> impl;
};

text::Frame text::Frame::bert(int64_t cls, int64_t sep) {
  Frame f;
  f.single = {{-1, cls, 0}, {0, 0, 0}, {-1, sep, 0}};
  f.pair = f.single;
  f.pair.insert(f.pair.end(), {{1, 0, 1}, {-1, sep, 1}});
  return f;
}

text::Frame text::Frame::roberta(int64_t cls, int64_t sep) {
  Frame f;
  f.single = {{-1, cls, 0}, {0, 0, 0}, {-1, sep, 0}};
  f.pair = f.single;
  f.pair.insert(f.pair.end(), {{-1, sep, 0}, {1, 0, 0}, {-1, sep, 0}});
  return f;
}

int64_t text::Frame::specialTokens(bool isPair) const {
  int64_t n = 0;
  for (const Item &item : isPair ? pair : single)
    n += item.text < 0;
  return n;
}

void text::truncateLongestFirst(size_t &first, size_t &second, size_t budget) {
  if (first + second <= budget)
    return;
  size_t &shorter = first <= second ? first : second;
  size_t &longer = first <= second ? second : first;
  if (2 * shorter <= budget) { // cutting the longer suffices
    longer = budget - shorter;
    return;
  }
  shorter = budget / 2;
  longer = budget / 2 + budget % 2;
}

namespace {

/// A SentencePiece model is a protobuf: binary, where a vocab.txt is text.
bool looksBinary(std::string_view bytes) {
  std::string_view head = bytes.substr(0, 256);
  return std::any_of(head.begin(), head.end(), [](char c) {
    return c == 0 || (static_cast<unsigned char>(c) < 0x20 && c != '\n' &&
                      c != '\r' && c != '\t');
  });
}

/// A JSON object: a tokenizer.json (or a lone vocab.json).
bool looksJson(std::string_view bytes) {
  size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

} // namespace

std::unique_ptr<text::Tokenizer> text::loadTokenizer(std::string_view bytes,
                                                     const std::string &name,
                                                     bool lowercase,
                                                     std::string &error) {
  if (bytes.empty()) {
    error = name + ": empty (not a tokenizer.json, vocab.txt or SentencePiece "
                   ".model)";
    return nullptr;
  }
  if (looksJson(bytes)) {
    // (A tokenizer.json says its own case rule: `lowercase` is for vocab.txt.)
    auto json = loadTokenizerJson(bytes, name, error);
    if (!json && error.find("no \"model\"") != std::string::npos)
      error = name + ": a JSON file without a \"model\": a vocab.json needs "
                     "its merges.txt (give the folder holding both)";
    return json;
  }
  bool binary = looksBinary(bytes);
  auto first = binary ? loadSentencePiece(bytes, name, error)
                      : loadWordPiece(bytes, name, lowercase, error);
  if (first)
    return first;
  // A vocab.txt with a stray control character looks binary, and a
  // SentencePiece model could look like text: try the other reading.
  std::string otherError;
  auto second = binary ? loadWordPiece(bytes, name, lowercase, otherError)
                       : loadSentencePiece(bytes, name, otherError);
  if (second) {
    error.clear();
    return second;
  }
  return nullptr; // the first reading's error: what the bytes looked like
}

namespace {

/// A tokenizer from its files' bytes, or null with `err` set: RoBERTa's
/// vocab.json with its `merges` (non-null), XLM-R's SentencePiece model
/// with fairseq's ids (`fairseq`), else whatever `bytes` are
/// (text::loadTokenizer).
bnrt_tokenizer *tokenizerFrom(std::string_view bytes,
                              const std::string_view *merges, bool fairseq,
                              const std::string &name, bool lowercase,
                              bnrt_error *err) {
  std::string error;
  auto impl = merges    ? text::loadRobertaBpe(bytes, *merges, name, error)
              : fairseq ? text::loadFairseqSentencePiece(bytes, name, error)
                        : text::loadTokenizer(bytes, name, lowercase, error);
  if (!impl) {
    argumentError(err, error);
    return nullptr;
  }
  setError(err, BNRT_OK, "");
  return new bnrt_tokenizer{std::move(impl)};
}

/// The special tokens framing one text, or a pair.
int64_t specialTokens(const text::Tokenizer &t, bool pair) {
  return t.frame.specialTokens(pair);
}

/// The tokenizer's frame around the pieces of `text` (and `pair`), with
/// their token types ([CLS] a [SEP] (b [SEP]), <s> a </s> (</s> b </s>),
/// or what a tokenizer.json's post-processor says); the pieces cut
/// longest-first to fit `maxTokens` (> 0).
bool frame(const text::Tokenizer &t, std::string_view text,
           const std::string_view *pair, int64_t maxTokens,
           std::vector<int64_t> &ids, std::vector<int64_t> &types,
           std::string &error) {
  int64_t special = specialTokens(t, pair);
  if (maxTokens > 0 && maxTokens < special) {
    error = "a sequence needs at least " + std::to_string(special) +
            " tokens (its special tokens), got " + std::to_string(maxTokens);
    return false;
  }
  std::vector<int64_t> first, second;
  if (!t.pieces(text, first, error) ||
      (pair && !t.pieces(*pair, second, error)))
    return false;
  if (maxTokens > 0) {
    size_t n1 = first.size(), n2 = second.size();
    text::truncateLongestFirst(n1, n2, maxTokens - special);
    first.resize(n1);
    second.resize(n2);
  }
  ids.clear();
  types.clear();
  for (const text::Frame::Item &item : pair ? t.frame.pair : t.frame.single) {
    const std::vector<int64_t> *piecesOf = item.text == 0   ? &first
                                           : item.text == 1 ? &second
                                                            : nullptr;
    if (piecesOf) {
      ids.insert(ids.end(), piecesOf->begin(), piecesOf->end());
    } else {
      ids.push_back(item.id);
    }
    types.resize(ids.size(), item.type);
  }
  return true;
}

} // namespace

extern "C" int bnrt_text_available(void) { return 1; }

namespace {

bool readFile(const std::filesystem::path &path, std::string &bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return false;
  bytes.assign(std::istreambuf_iterator<char>(file),
               std::istreambuf_iterator<char>());
  return true;
}

} // namespace

extern "C" bnrt_tokenizer *bnrt_tokenizer_load(const char *path, int lowercase,
                                               bnrt_error *err) {
  if (!path) {
    argumentError(err, "NULL path");
    return nullptr;
  }
  bnrt_tokenizer *result = nullptr;
  guarded(err, [&] {
    std::filesystem::path file = path;
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      file = tokenizerInFolder(path);
      if (file.empty())
        return argumentError(err, std::string("'") + path + "' is " +
                                      kNoTokenizerInFolder);
    }
    std::string bytes, merges;
    if (!readFile(file, bytes)) {
      setError(err, BNRT_ERROR_IO, "cannot open '" + file.string() + "'");
      return BNRT_ERROR_IO;
    }
    // RoBERTa's pair of files: vocab.json (or a JSON vocabulary of another
    // name, with no "model") and the merges.txt beside it.
    std::filesystem::path mergesFile = mergesBeside(file);
    bool pair =
        needsMerges(file) ||
        (looksJson(bytes) && std::filesystem::is_regular_file(mergesFile, ec) &&
         bytes.find("\"model\"") == std::string::npos);
    if (pair && !readFile(mergesFile, merges))
      return argumentError(err, file.string() +
                                    ": a vocab.json needs merges.txt beside "
                                    "it (" +
                                    mergesFile.string() + " cannot be read)");
    std::string_view mergesView = merges;
    result = tokenizerFrom(bytes, pair ? &mergesView : nullptr,
                           isFairseqModel(file), file.string(), lowercase, err);
    return result ? BNRT_OK : BNRT_ERROR_ARGUMENT;
  });
  return result;
}

extern "C" bnrt_tokenizer *
bnrt_tokenizer_load_memory(const void *data, size_t size, int lowercase,
                           const char *name, bnrt_error *err) {
  if (!data && size) {
    argumentError(err, "NULL data");
    return nullptr;
  }
  bnrt_tokenizer *result = nullptr;
  guarded(err, [&] {
    result = tokenizerFrom(
        std::string_view(static_cast<const char *>(data), size), nullptr, false,
        name ? name : "tokenizer", lowercase, err);
    return result ? BNRT_OK : BNRT_ERROR_ARGUMENT;
  });
  return result;
}

extern "C" bnrt_tokenizer *bnrt_model_tokenizer(const bnrt_model *model,
                                                bnrt_error *err) {
  if (!model) {
    argumentError(err, "NULL model");
    return nullptr;
  }
  const fb::Text *text = model->bundle->text();
  if (!text || !text->tokenizer() || !text->tokenizer()->size()) {
    argumentError(err, "the bundle carries no tokenizer (compile it with "
                       "bnbert-compile --tokenizer, or give one)");
    return nullptr;
  }
  bnrt_tokenizer *result = nullptr;
  guarded(err, [&] {
    auto view = [](const flatbuffers::Vector<uint8_t> *bytes) {
      return std::string_view(reinterpret_cast<const char *>(bytes->data()),
                              bytes->size());
    };
    std::string_view merges = text->merges() ? view(text->merges()) : "";
    result = tokenizerFrom(view(text->tokenizer()),
                           text->merges() ? &merges : nullptr, text->fairseq(),
                           "the bundle's tokenizer", text->lowercase(), err);
    return result ? BNRT_OK : BNRT_ERROR_ARGUMENT;
  });
  return result;
}

extern "C" void bnrt_tokenizer_free(bnrt_tokenizer *t) { delete t; }

extern "C" int64_t bnrt_tokenizer_vocab_size(const bnrt_tokenizer *t) {
  return t ? t->impl->vocabSize : -1;
}
extern "C" int64_t bnrt_tokenizer_pad_id(const bnrt_tokenizer *t) {
  return t ? t->impl->pad : -1;
}

extern "C" int64_t bnrt_tokenizer_encode(const bnrt_tokenizer *t,
                                         const char *text, size_t length,
                                         int64_t *ids, int64_t capacity,
                                         int64_t maxTokens, bnrt_error *err) {
  if (!t || (!text && length)) {
    argumentError(err, "NULL tokenizer or text");
    return -1;
  }
  int64_t count = -1;
  guarded(err, [&] {
    std::vector<int64_t> framed, types;
    std::string error;
    if (!frame(*t->impl, std::string_view(text ? text : "", length), nullptr,
               maxTokens, framed, types, error))
      return argumentError(err, error);
    count = static_cast<int64_t>(framed.size());
    if (ids && capacity >= count)
      std::copy(framed.begin(), framed.end(), ids);
    setError(err, BNRT_OK, "");
    return BNRT_OK;
  });
  return count;
}

extern "C" bnrt_status bnrt_tokenizer_encode_pairs(
    const bnrt_tokenizer *t, const char *const *texts, const size_t *lengths,
    const char *const *pairs, const size_t *pairLengths, int64_t count,
    int64_t minLen, int64_t maxLen, int64_t *ids, int64_t *mask, int64_t *types,
    int64_t *seqLen, bnrt_error *err) {
  if (!t || (count > 0 && (!texts || !lengths)) || count < 0 || !seqLen ||
      (pairs && !pairLengths))
    return argumentError(err, "NULL tokenizer, texts or length");
  int64_t special = specialTokens(*t->impl, pairs);
  // min_len only pads: a range reaching below the special tokens is fine.
  if (minLen < 1 || maxLen < std::max(minLen, special))
    return argumentError(err, "sequence lengths " + std::to_string(minLen) +
                                  ".." + std::to_string(maxLen) +
                                  " (a sequence needs at least " +
                                  std::to_string(special) + " tokens)");
  return guarded(err, [&] {
    std::vector<std::vector<int64_t>> framed(count), typed(count);
    int64_t longest = minLen;
    for (int64_t row = 0; row < count; ++row) {
      std::string error;
      if ((!texts[row] && lengths[row]) ||
          (pairs && !pairs[row] && pairLengths[row]))
        return argumentError(err, "text " + std::to_string(row) + " is NULL");
      std::string_view pair =
          pairs
              ? std::string_view(pairs[row] ? pairs[row] : "", pairLengths[row])
              : std::string_view();
      if (!frame(*t->impl,
                 std::string_view(texts[row] ? texts[row] : "", lengths[row]),
                 pairs ? &pair : nullptr, maxLen, framed[row], typed[row],
                 error))
        return argumentError(err, "text " + std::to_string(row) + ": " + error);
      longest = std::max<int64_t>(longest, framed[row].size());
    }
    *seqLen = longest;
    for (int64_t row = 0; row < count; ++row)
      for (int64_t i = 0; i < longest; ++i) {
        bool token = i < static_cast<int64_t>(framed[row].size());
        if (ids)
          ids[row * longest + i] = token ? framed[row][i] : t->impl->pad;
        if (mask)
          mask[row * longest + i] = token ? 1 : 0;
        if (types)
          types[row * longest + i] = token ? typed[row][i] : 0;
      }
    setError(err, BNRT_OK, "");
    return BNRT_OK;
  });
}

extern "C" bnrt_status bnrt_tokenizer_encode_batch(
    const bnrt_tokenizer *t, const char *const *texts, const size_t *lengths,
    int64_t count, int64_t minLen, int64_t maxLen, int64_t *ids, int64_t *mask,
    int64_t *types, int64_t *seqLen, bnrt_error *err) {
  return bnrt_tokenizer_encode_pairs(t, texts, lengths, nullptr, nullptr, count,
                                     minLen, maxLen, ids, mask, types, seqLen,
                                     err);
}
