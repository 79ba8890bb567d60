//===- TextTest.cpp - the tokenizers' C API (bnrt/text.h) -----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// WordPiece on a small vocabulary written here: the BertTokenizer steps by
// hand-checked cases, truncation, the padded batch, and errors (invalid
// UTF-8, a vocabulary without [CLS], NULL arguments) - under ASan/UBSan in
// CI. The reference comparisons on real text are in
// python/tests/test_text.py.
//
//===----------------------------------------------------------------------===//
#include "bnrt/text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

const std::vector<std::string> kPieces = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]",  "[MASK]", "hello", ",",    "world",
    "!",     "un",    "##aff", "##able", "北",     "京",    "cafe", "οδος"};

std::string writeVocab(const std::vector<std::string> &pieces,
                       const char *name) {
  std::string path = testing::TempDir() + name;
  std::ofstream file(path, std::ios::binary);
  for (const std::string &p : pieces)
    file << p << "\n";
  return path;
}

int64_t id(const std::string &piece) {
  for (size_t i = 0; i < kPieces.size(); ++i)
    if (kPieces[i] == piece)
      return static_cast<int64_t>(i);
  return -1;
}

std::vector<int64_t> encode(const bnrt_tokenizer *t, const std::string &text,
                            int64_t maxTokens = 0) {
  bnrt_error err;
  int64_t n = bnrt_tokenizer_encode(t, text.data(), text.size(), nullptr, 0,
                                    maxTokens, &err);
  EXPECT_GE(n, 0) << err.message;
  std::vector<int64_t> ids(n > 0 ? n : 0);
  bnrt_tokenizer_encode(t, text.data(), text.size(), ids.data(), n, maxTokens,
                        &err);
  return ids;
}

std::vector<int64_t> framed(std::initializer_list<const char *> pieces) {
  std::vector<int64_t> ids = {id("[CLS]")};
  for (const char *p : pieces)
    ids.push_back(id(p));
  ids.push_back(id("[SEP]"));
  return ids;
}

TEST(Text, WordPieceFollowsBertTokenizer) {
  if (!bnrt_text_available())
    GTEST_SKIP() << "built without tokenizers";
  bnrt_error err;
  std::string path = writeVocab(kPieces, "vocab.txt");
  bnrt_tokenizer *uncased = bnrt_tokenizer_load(path.c_str(), 1, &err);
  ASSERT_NE(uncased, nullptr) << err.message;
  bnrt_tokenizer *cased = bnrt_tokenizer_load(path.c_str(), 0, &err);
  ASSERT_NE(cased, nullptr) << err.message;
  EXPECT_EQ(bnrt_tokenizer_vocab_size(uncased), int64_t(kPieces.size()));
  EXPECT_EQ(bnrt_tokenizer_pad_id(uncased), 0);

  EXPECT_EQ(encode(uncased, "Héllo, WÖRLD!"),
            framed({"hello", ",", "world", "!"}));
  EXPECT_EQ(encode(cased, "Héllo, WÖRLD!"),
            framed({"[UNK]", ",", "[UNK]", "!"}));
  EXPECT_EQ(encode(uncased, "unaffable"), framed({"un", "##aff", "##able"}));
  EXPECT_EQ(encode(uncased, "北京"), framed({"北", "京"}));
  EXPECT_EQ(encode(uncased, "Cafe\u0301"), framed({"cafe"}));
  EXPECT_EQ(encode(uncased, "ΟΔΟΣ"), framed({"οδος"}));
  EXPECT_EQ(encode(uncased, std::string("hello\0\x07 world", 13)),
            framed({"hello", "world"}));
  EXPECT_EQ(encode(uncased, ""), framed({}));
  EXPECT_EQ(encode(uncased, "hello world hello", 4),
            framed({"hello", "world"}));

  // A padded, masked batch of a fixed length (the longer text truncated).
  const char *texts[] = {"hello", "hello, world!"};
  size_t lengths[] = {5, 13};
  std::vector<int64_t> ids(2 * 5), mask(2 * 5), types(2 * 5, 7);
  int64_t seq = 0;
  ASSERT_EQ(bnrt_tokenizer_encode_batch(uncased, texts, lengths, 2, 5, 5,
                                        ids.data(), mask.data(), types.data(),
                                        &seq, &err),
            BNRT_OK)
      << err.message;
  EXPECT_EQ(seq, 5);
  EXPECT_EQ(ids, (std::vector<int64_t>{2, 5, 3, 0, 0, 2, 5, 6, 7, 3}));
  EXPECT_EQ(mask, (std::vector<int64_t>{1, 1, 1, 0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(types, std::vector<int64_t>(10, 0));
  // Fitted to the longest text within 2..8, and raised to a minimum.
  std::vector<int64_t> fitted(2 * 8, -1);
  ASSERT_EQ(bnrt_tokenizer_encode_batch(uncased, texts, lengths, 2, 2, 8,
                                        fitted.data(), nullptr, nullptr, &seq,
                                        &err),
            BNRT_OK);
  EXPECT_EQ(seq, 6);
  EXPECT_EQ(std::vector<int64_t>(fitted.begin(), fitted.begin() + 12),
            (std::vector<int64_t>{2, 5, 3, 0, 0, 0, 2, 5, 6, 7, 8, 3}));
  ASSERT_EQ(bnrt_tokenizer_encode_batch(uncased, texts, lengths, 1, 4, 8,
                                        fitted.data(), nullptr, nullptr, &seq,
                                        &err),
            BNRT_OK);
  EXPECT_EQ(seq, 4);

  // Errors.
  std::string invalid = "ok \xff\xfe";
  EXPECT_EQ(bnrt_tokenizer_encode(uncased, invalid.data(), invalid.size(),
                                  nullptr, 0, 0, &err),
            -1);
  EXPECT_STREQ(err.message, "invalid UTF-8 at byte 3");
  EXPECT_EQ(bnrt_tokenizer_encode(uncased, "x", 1, nullptr, 0, 1, &err), -1);
  EXPECT_EQ(bnrt_tokenizer_encode_batch(uncased, texts, lengths, 2, 1, 1,
                                        nullptr, nullptr, nullptr, &seq, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_tokenizer_encode_batch(uncased, texts, lengths, 2, 5, 4,
                                        nullptr, nullptr, nullptr, &seq, &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_EQ(bnrt_tokenizer_encode(nullptr, "x", 1, nullptr, 0, 0, &err), -1);
  bnrt_tokenizer_free(uncased);
  bnrt_tokenizer_free(cased);

  std::string bad = writeVocab({"[PAD]", "[UNK]", "hello"}, "bad.txt");
  EXPECT_EQ(bnrt_tokenizer_load(bad.c_str(), 1, &err), nullptr);
  EXPECT_NE(std::string(err.message).find("has no [CLS]"), std::string::npos)
      << err.message;
  EXPECT_EQ(bnrt_tokenizer_load("/nonexistent/vocab.txt", 1, &err), nullptr);
  EXPECT_EQ(err.status, BNRT_ERROR_IO);
}

} // namespace

namespace {

struct Pair {
  std::vector<int64_t> ids, types;
};

Pair encodePair(const bnrt_tokenizer *t, const std::string &a,
                const std::string &b, int64_t maxLen) {
  const char *texts[] = {a.c_str()}, *pairs[] = {b.c_str()};
  size_t lengths[] = {a.size()}, pairLengths[] = {b.size()};
  std::vector<int64_t> ids(maxLen), mask(maxLen), types(maxLen);
  int64_t seq = 0;
  bnrt_error err;
  EXPECT_EQ(bnrt_tokenizer_encode_pairs(t, texts, lengths, pairs, pairLengths,
                                        1, 3, maxLen, ids.data(), mask.data(),
                                        types.data(), &seq, &err),
            BNRT_OK)
      << err.message;
  ids.resize(seq);
  types.resize(seq);
  return {ids, types};
}

} // namespace

// [CLS] a [SEP] b [SEP] with token types 0 then 1; too long, the longer
// text is cut first, and when both must be cut each gets half, the longer
// (the second on a tie) keeping the odd piece (Hugging Face's rules).
TEST(Text, PairsAreFramedAndCutLongestFirst) {
  if (!bnrt_text_available())
    GTEST_SKIP() << "built without tokenizers";
  bnrt_error err;
  std::string path = writeVocab(kPieces, "vocab-pairs.txt");
  bnrt_tokenizer *t = bnrt_tokenizer_load(path.c_str(), 1, &err);
  ASSERT_NE(t, nullptr) << err.message;
  auto ids = [](std::initializer_list<const char *> pieces) {
    std::vector<int64_t> out;
    for (const char *p : pieces)
      out.push_back(id(p));
    return out;
  };
  Pair full = encodePair(t, "Hello, world!", "unaffable", 32);
  EXPECT_EQ(full.ids, ids({"[CLS]", "hello", ",", "world", "!", "[SEP]", "un",
                           "##aff", "##able", "[SEP]"}));
  EXPECT_EQ(full.types, (std::vector<int64_t>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1}));
  // 4 + 3 pieces in room for 6: only the longer first text is cut.
  EXPECT_EQ(encodePair(t, "Hello, world!", "unaffable", 9).ids,
            ids({"[CLS]", "hello", ",", "world", "[SEP]", "un", "##aff",
                 "##able", "[SEP]"}));
  // Room for 5: both are cut, the longer first text keeps 3.
  EXPECT_EQ(
      encodePair(t, "Hello, world!", "unaffable", 8).ids,
      ids({"[CLS]", "hello", ",", "world", "[SEP]", "un", "##aff", "[SEP]"}));
  // 3 + 3 in room for 5: a tie, the second keeps the odd piece.
  EXPECT_EQ(
      encodePair(t, "hello, world", "unaffable", 8).ids,
      ids({"[CLS]", "hello", ",", "[SEP]", "un", "##aff", "##able", "[SEP]"}));
  // An empty second text, and the batch padding's token types.
  Pair empty = encodePair(t, "hello", "", 32);
  EXPECT_EQ(empty.ids, ids({"[CLS]", "hello", "[SEP]", "[SEP]"}));
  EXPECT_EQ(empty.types, (std::vector<int64_t>{0, 0, 0, 1}));
  // Three tokens are the least a pair takes.
  const char *texts[] = {"a"};
  size_t lengths[] = {1};
  int64_t seq = 0;
  EXPECT_EQ(bnrt_tokenizer_encode_pairs(t, texts, lengths, texts, lengths, 1, 2,
                                        2, nullptr, nullptr, nullptr, &seq,
                                        &err),
            BNRT_ERROR_ARGUMENT);
  EXPECT_NE(std::string(err.message).find("at least 3 tokens"),
            std::string::npos)
      << err.message;
  bnrt_tokenizer_free(t);
}

namespace {

bnrt_tokenizer *fromJson(const std::string &json, std::string &error) {
  bnrt_error err;
  bnrt_tokenizer *t =
      bnrt_tokenizer_load_memory(json.data(), json.size(), 1, "t.json", &err);
  error = t ? "" : err.message;
  return t;
}

std::vector<int64_t> encodeOne(const bnrt_tokenizer *t, const std::string &s) {
  std::vector<int64_t> ids(64);
  bnrt_error err;
  int64_t n =
      bnrt_tokenizer_encode(t, s.data(), s.size(), ids.data(), 64, 0, &err);
  EXPECT_GE(n, 0) << err.message;
  ids.resize(std::max<int64_t>(n, 0));
  return ids;
}

} // namespace

// A tokenizer.json read by the runtime's own JSON reader: escapes (\u with
// surrogate pairs) in the vocabulary, the template's ids and types; and
// the malformed files a bundle could carry refused with a message, never
// a crash (ASan/UBSan in CI).
TEST(Text, TokenizerJsonIsReadStrictly) {
  if (!bnrt_text_available())
    GTEST_SKIP() << "built without tokenizers";
  const std::string wordpiece = R"({"model": {"type": "WordPiece",
    "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "caf\u00e9": 3,
              "\ud83d\ude00": 4, "a": 5, "##b": 6},
    "unk_token": "[UNK]"},
   "pre_tokenizer": {"type": "WhitespaceSplit"},
   "post_processor": {"type": "TemplateProcessing",
     "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
     "pair": [{"Sequence": {"id": "A", "type_id": 0}},
              {"Sequence": {"id": "B", "type_id": 1}}],
     "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1]},
                        "[SEP]": {"id": "[SEP]", "ids": [2]}}}})";
  std::string error;
  bnrt_tokenizer *t = fromJson(wordpiece, error);
  ASSERT_NE(t, nullptr) << error;
  EXPECT_EQ(encodeOne(t, "caf\xc3\xa9 \xf0\x9f\x98\x80 ab x"),
            (std::vector<int64_t>{1, 3, 4, 5, 6, 0, 2}));
  EXPECT_EQ(bnrt_tokenizer_vocab_size(t), 7);
  bnrt_tokenizer_free(t);

  std::string deep(100, '[');
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty"},
      {"{\"model\": {\"type\": \"BPE\",}}",
       "at byte 25: expected a field name"},
      {"{\"model\": 1} x", "text after the JSON value"},
      {"{\"a\": \"\\ud83d\"}", "a lone surrogate"},
      {"{\"a\": \"\xff\"}", "invalid UTF-8 inside a string"},
      {"{\"a\": " + deep, "nested more than 64 deep"},
      {"{\"a\": \"x", "without its closing quote"},
      {"{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 1e300}}}",
       "is not a non-negative integer"},
      {"{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0}}, "
       "\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": "
       "[{\"Sequence\": {\"id\": \"A\", \"type_id\": -1}}], \"pair\": [], "
       "\"special_tokens\": {}}}",
       "not a non-negative integer"},
      {"{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0]], "
       "\"unk_id\": 5}}",
       "\"unk_id\" is not the id of a piece"},
  };
  for (const auto &[json, message] : bad) {
    EXPECT_EQ(fromJson(json, error), nullptr) << json;
    EXPECT_NE(error.find(message), std::string::npos)
        << json << " gave: " << error;
  }
}
