//===- tokenizer.h - the tokenizers behind bnrt/text.h ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_SRC_TEXT_TOKENIZER_H
#define BNRT_SRC_TEXT_TOKENIZER_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bnrt::text {

/// How a sequence is framed around a text's pieces (or a pair's), as
/// Hugging Face's post-processors (TemplateProcessing) say it: special
/// tokens and the texts in order, each with its token type.
struct Frame {
  struct Item {
    int text;   ///< -1: the special token `id`; 0: the first text; 1: its pair
    int64_t id; ///< the special token's id
    int64_t type;
  };
  std::vector<Item> single, pair;

  /// BERT's [CLS] a [SEP] (b [SEP]) with token types 0 then 1.
  static Frame bert(int64_t cls, int64_t sep);
  /// RoBERTa's (and XLM-R's) <s> a </s> (</s> b </s>), types 0.
  static Frame roberta(int64_t cls, int64_t sep);
  /// The special tokens of a single text or a pair.
  int64_t specialTokens(bool isPair) const;
};

/// A loaded tokenizer: the pieces of a text, the frame around them and the
/// padding id. Read-only after loading.
class Tokenizer {
public:
  virtual ~Tokenizer() = default;
  /// The ids of `text`'s pieces (no special tokens); false with `error`.
  virtual bool pieces(std::string_view text, std::vector<int64_t> &ids,
                      std::string &error) const = 0;

  Frame frame;
  int64_t pad = 0, vocabSize = 0;
};

/// The lengths two texts of `first` and `second` pieces are cut to so
/// both fit `budget` pieces, longest first as Hugging Face's tokenizers
/// do (its Rust library, behind every "fast" tokenizer): only the longer
/// is cut when that suffices, else each gets half, the longer one (the
/// second on a tie) the odd piece.
void truncateLongestFirst(size_t &first, size_t &second, size_t budget);

/// WordPiece's greedy longest-match-first pieces of `word` (`prefix` on
/// continuations); the whole word is `unk` when a part has no piece or it
/// is longer than `maxChars`.
void wordPieces(const std::u32string &word,
                const std::unordered_map<std::string, int64_t> &vocab,
                const std::string &prefix, size_t maxChars, int64_t unk,
                std::vector<int64_t> &ids);

/// A WordPiece vocab.txt's text (`name` names it in errors; CRLF line ends
/// read as LF, as Python's text files do); null with `error` on failure.
std::unique_ptr<Tokenizer> loadWordPiece(std::string_view vocab,
                                         const std::string &name,
                                         bool lowercase, std::string &error);
/// A SentencePiece .model's bytes; null with `error` on failure.
std::unique_ptr<Tokenizer> loadSentencePiece(std::string_view model,
                                             const std::string &name,
                                             std::string &error);
/// A Hugging Face tokenizer.json (the `tokenizers` library's file): its
/// normalizer, pre-tokenizer, model (WordPiece, BPE, Unigram),
/// post-processor and added tokens; a component it does not implement is
/// refused by name.
std::unique_ptr<Tokenizer> loadTokenizerJson(std::string_view json,
                                             const std::string &name,
                                             std::string &error);
/// RoBERTa's byte-level BPE as its two files (vocab.json, merges.txt), read
/// as Hugging Face's RobertaTokenizerFast reads them.
std::unique_ptr<Tokenizer> loadRobertaBpe(std::string_view vocabJson,
                                          std::string_view merges,
                                          const std::string &name,
                                          std::string &error);
/// XLM-R's sentencepiece.bpe.model with fairseq's dictionary around it
/// (<s> <pad> </s> <unk> are 0-3, the model's pieces one up), as
/// XLMRobertaTokenizer reads it.
std::unique_ptr<Tokenizer> loadFairseqSentencePiece(std::string_view model,
                                                    const std::string &name,
                                                    std::string &error);
/// Any of them, chosen by the bytes: a SentencePiece model is a protobuf,
/// a tokenizer.json a JSON object, a vocab.txt UTF-8 lines (a text that
/// fails the one is tried as the other before giving up).
std::unique_ptr<Tokenizer> loadTokenizer(std::string_view bytes,
                                         const std::string &name,
                                         bool lowercase, std::string &error);

} // namespace bnrt::text

#endif // BNRT_SRC_TEXT_TOKENIZER_H
