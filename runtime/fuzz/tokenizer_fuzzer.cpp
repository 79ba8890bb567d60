//===- tokenizer_fuzzer.cpp - libFuzzer harness for the tokenizer files ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A bundle carries its tokenizer's file as bytes (tokenizer.json, vocab.txt,
// a SentencePiece model): whatever they are, loading fails with a message
// or gives a tokenizer that encodes text and pairs within their bounds.
//
//===----------------------------------------------------------------------===//
#include "bnrt/text.h"

#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bnrt_error err;
  bnrt_tokenizer *t = bnrt_tokenizer_load_memory(data, size, 1, "fuzzed", &err);
  if (!t)
    return 0;
  const char *texts[] = {"Hello, world! caf\xc3\xa9 \xe5\x8c\x97 <s> [CLS]",
                         "  two  spaces\tand\xf0\x9f\x98\x80"};
  size_t lengths[] = {std::strlen(texts[0]), std::strlen(texts[1])};
  const int64_t maxLen = 16;
  std::vector<int64_t> ids(2 * maxLen), mask(2 * maxLen), types(2 * maxLen);
  int64_t seq = 0;
  if (bnrt_tokenizer_encode_pairs(t, texts, lengths, texts + 1, lengths + 1, 1,
                                  1, maxLen, ids.data(), mask.data(),
                                  types.data(), &seq, &err) == BNRT_OK &&
      (seq < 1 || seq > maxLen))
    __builtin_trap(); // a batch is never longer than asked
  bnrt_tokenizer_encode_batch(t, texts, lengths, 2, 1, maxLen, ids.data(),
                              mask.data(), types.data(), &seq, &err);
  bnrt_tokenizer_free(t);
  return 0;
}
