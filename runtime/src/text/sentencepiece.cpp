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
    return true;
  }

  sentencepiece::SentencePieceProcessor processor;
};

} // namespace

std::unique_ptr<Tokenizer> loadSentencePiece(std::string_view model,
                                             const std::string &path,
                                             std::string &error) {
  auto tokenizer = std::make_unique<SentencePiece>();
  sentencepiece::SentencePieceProcessor &sp = tokenizer->processor;
  auto status = sp.LoadFromSerializedProto(model);
  if (!status.ok()) {
    error =
        "cannot load SentencePiece model '" + path + "': " + status.ToString();
    return nullptr;
  }
  // The framing the model was trained with: ALBERT's [CLS]/[SEP] pieces,
  // else the model's <s>/</s>.
  auto piece = [&](const char *name) -> int64_t {
    int id = sp.PieceToId(name);
    return id != sp.unk_id() ? id : -1;
  };
  tokenizer->cls = piece("[CLS]");
  tokenizer->sep = piece("[SEP]");
  if (tokenizer->cls < 0 || tokenizer->sep < 0) {
    tokenizer->cls = sp.bos_id();
    tokenizer->sep = sp.eos_id();
    tokenizer->robertaPairs = true;
  }
  if (tokenizer->cls < 0 || tokenizer->sep < 0) {
    error = path + ": the model has neither [CLS]/[SEP] pieces nor <s>/</s>";
    return nullptr;
  }
  tokenizer->pad = sp.pad_id() >= 0      ? sp.pad_id()
                   : piece("<pad>") >= 0 ? piece("<pad>")
                   : piece("[PAD]") >= 0 ? piece("[PAD]")
                                         : 0;
  tokenizer->vocabSize = sp.GetPieceSize();
  return tokenizer;
}

} // namespace bnrt::text
