//===- bnrt/tokenizer_files.h - which files hold a model's tokenizer -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One answer for the runtime (bnrt_tokenizer_load) and the compiler
// (bnbert-compile --tokenizer): the file of a model folder that holds its
// tokenizer, and the file names that change how it is read.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_TOKENIZER_FILES_H
#define BNRT_TOKENIZER_FILES_H

#include <filesystem>

namespace bnrt {

/// What a folder without any of them is told.
inline constexpr const char *kNoTokenizerInFolder =
    "a folder without tokenizer.json, vocab.json + merges.txt, vocab.txt or "
    "a SentencePiece .model";

/// The tokenizer file of a model folder, in the order Hugging Face prefers
/// them (an empty path when it has none).
inline std::filesystem::path
tokenizerInFolder(const std::filesystem::path &dir) {
  std::error_code ec;
  for (const char *name : {"tokenizer.json", "vocab.json", "vocab.txt",
                           "spiece.model", "sentencepiece.bpe.model"})
    if (std::filesystem::is_regular_file(dir / name, ec))
      return dir / name;
  return {};
}

/// RoBERTa's vocab.json is read with the merges.txt beside it.
inline bool needsMerges(const std::filesystem::path &file) {
  return file.filename() == "vocab.json";
}
inline std::filesystem::path mergesBeside(const std::filesystem::path &file) {
  return file.parent_path() / "merges.txt";
}

/// XLM-R's SentencePiece model (by the name Hugging Face gives it) is read
/// with fairseq's ids around it.
inline bool isFairseqModel(const std::filesystem::path &file) {
  return file.filename() == "sentencepiece.bpe.model";
}

} // namespace bnrt

#endif // BNRT_TOKENIZER_FILES_H
