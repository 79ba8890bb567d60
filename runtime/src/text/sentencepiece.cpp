//===- sentencepiece.cpp - SentencePiece models (libsentencepiece) --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "tokenizer.h"

#include <sentencepiece_processor.h>

namespace bnrt::text {
namespace {

class SentencePiece : public Tokenizer {
public:
  bool pieces(std::string_view text, std::vector<int64_t> &ids,
              std::string &error) const override {
    std::vector<int> pieceIds;
    auto status = processor.Encode(text, &pieceIds);
    if (!status.ok()) {
      error = status.ToString();
      return false;
    }
    ids.assign(pieceIds.begin(), pieceIds.end());
    if (fairseq) // XLM-R's dictionary: 0-3 <s> <pad> </s> <unk>, then spm's + 1
      for (int64_t &id : ids)
        id = id == processor.unk_id() ? kFairseqUnk : id + 1;
    return true;
  }

  static constexpr int64_t kFairseqUnk = 3;
  sentencepiece::SentencePieceProcessor processor;
  bool fairseq = false;
};

std::unique_ptr<SentencePiece>
load(std::string_view model, const std::string &path, std::string &error) {
  auto tokenizer = std::make_unique<SentencePiece>();
  auto status = tokenizer->processor.LoadFromSerializedProto(model);
  if (!status.ok()) {
    error =
        "cannot load SentencePiece model '" + path + "': " + status.ToString();
    return nullptr;
  }
  return tokenizer;
}

} // namespace

std::unique_ptr<Tokenizer> loadFairseqSentencePiece(std::string_view model,
                                                    const std::string &path,
                                                    std::string &error) {
  // As XLMRobertaTokenizer reads sentencepiece.bpe.model: fairseq's
  // dictionary puts <s> <pad> </s> <unk> first and moves every piece up
  // by one; <mask> comes last.
  auto tokenizer = load(model, path, error);
  if (!tokenizer)
    return nullptr;
  tokenizer->fairseq = true;
  tokenizer->frame = Frame::roberta(0, 2);
  tokenizer->pad = 1;
  tokenizer->vocabSize = tokenizer->processor.GetPieceSize() + 2;
  return tokenizer;
}

std::unique_ptr<Tokenizer> loadSentencePiece(std::string_view model,
                                             const std::string &path,
                                             std::string &error) {
  auto tokenizer = load(model, path, error);
  if (!tokenizer)
    return nullptr;
  sentencepiece::SentencePieceProcessor &sp = tokenizer->processor;
  // The framing the model was trained with: ALBERT's [CLS]/[SEP] pieces,
  // else the model's <s>/</s>.
  auto piece = [&](const char *name) -> int64_t {
    int id = sp.PieceToId(name);
    return id != sp.unk_id() ? id : -1;
  };
  int64_t cls = piece("[CLS]"), sep = piece("[SEP]");
  bool roberta = cls < 0 || sep < 0;
  if (roberta) {
    cls = sp.bos_id();
    sep = sp.eos_id();
  }
  if (cls < 0 || sep < 0) {
    error = path + ": the model has neither [CLS]/[SEP] pieces nor <s>/</s>";
    return nullptr;
  }
  tokenizer->frame = roberta ? Frame::roberta(cls, sep) : Frame::bert(cls, sep);
  tokenizer->pad = sp.pad_id() >= 0      ? sp.pad_id()
                   : piece("<pad>") >= 0 ? piece("<pad>")
                   : piece("[PAD]") >= 0 ? piece("[PAD]")
                                         : 0;
  tokenizer->vocabSize = sp.GetPieceSize();
  return tokenizer;
}

} // namespace bnrt::text
