//===- tokenizer.h - the tokenizers behind bnrt/text.h ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_SRC_TEXT_TOKENIZER_H
#define BNRT_SRC_TEXT_TOKENIZER_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bnrt::text {

/// A loaded tokenizer: the pieces of a text, and the special ids the
/// sequence is framed and padded with. Read-only after loading.
class Tokenizer {
public:
  virtual ~Tokenizer() = default;
  /// The ids of `text`'s pieces (no [CLS]/[SEP]); false with `error`.
  virtual bool pieces(std::string_view text, std::vector<int64_t> &ids,
                      std::string &error) const = 0;

  int64_t cls = 0, sep = 0, pad = 0, vocabSize = 0;
  /// How a pair is framed: BERT's [CLS] a [SEP] b [SEP] with token types
  /// 0 then 1, or RoBERTa's (and XLM-R's) <s> a </s></s> b </s>, types 0.
  bool robertaPairs = false;
};

/// The lengths two texts of `first` and `second` pieces are cut to so
/// both fit `budget` pieces, longest first as Hugging Face's tokenizers
/// do (its Rust library, behind every "fast" tokenizer): only the longer
/// is cut when that suffices, else each gets half, the longer one (the
/// second on a tie) the odd piece.
void truncateLongestFirst(size_t &first, size_t &second, size_t budget);

/// A WordPiece vocab.txt's text (`name` names it in errors; CRLF line ends
/// read as LF, as Python's text files do); null with `error` on failure.
std::unique_ptr<Tokenizer> loadWordPiece(std::string_view vocab,
                                         const std::string &name,
                                         bool lowercase, std::string &error);
/// A SentencePiece .model's bytes; null with `error` on failure.
std::unique_ptr<Tokenizer> loadSentencePiece(std::string_view model,
                                             const std::string &name,
                                             std::string &error);
/// Either, chosen by the bytes: a SentencePiece model is a protobuf, a
/// vocab.txt is UTF-8 text (a text that fails the one is tried as the
/// other before giving up).
std::unique_ptr<Tokenizer> loadTokenizer(std::string_view bytes,
                                         const std::string &name,
                                         bool lowercase, std::string &error);

} // namespace bnrt::text

#endif // BNRT_SRC_TEXT_TOKENIZER_H
