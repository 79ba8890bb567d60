//===- text_unavailable.cpp - bnrt/text.h in a build without tokenizers ---===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Builds without libutf8proc and libsentencepiece (e.g. cross builds) keep
// the API and say why it does nothing.
//
//===----------------------------------------------------------------------===//
#include "../status.h"
#include "bnrt/text.h"

static const char *const kWhy =
    "this runtime was built without tokenizers (it needs libutf8proc-dev "
    "and libsentencepiece-dev at build time)";

extern "C" int bnrt_text_available(void) { return 0; }

extern "C" bnrt_tokenizer *bnrt_tokenizer_load(const char *, int,
                                               bnrt_error *err) {
  bnrt::setError(err, BNRT_ERROR_UNSUPPORTED, kWhy);
  return nullptr;
}
extern "C" bnrt_tokenizer *bnrt_tokenizer_load_memory(const void *, size_t, int,
                                                      const char *,
                                                      bnrt_error *err) {
  bnrt::setError(err, BNRT_ERROR_UNSUPPORTED, kWhy);
  return nullptr;
}
extern "C" bnrt_tokenizer *bnrt_model_tokenizer(const bnrt_model *,
                                                bnrt_error *err) {
  bnrt::setError(err, BNRT_ERROR_UNSUPPORTED, kWhy);
  return nullptr;
}
extern "C" void bnrt_tokenizer_free(bnrt_tokenizer *) {}
extern "C" int64_t bnrt_tokenizer_vocab_size(const bnrt_tokenizer *) {
  return -1;
}
extern "C" int64_t bnrt_tokenizer_pad_id(const bnrt_tokenizer *) { return -1; }
extern "C" int64_t bnrt_tokenizer_encode(const bnrt_tokenizer *, const char *,
                                         size_t, int64_t *, int64_t, int64_t,
                                         bnrt_error *err) {
  bnrt::setError(err, BNRT_ERROR_UNSUPPORTED, kWhy);
  return -1;
}
extern "C" bnrt_status bnrt_tokenizer_encode_batch(const bnrt_tokenizer *,
                                                   const char *const *,
                                                   const size_t *, int64_t,
                                                   int64_t, int64_t, int64_t *,
                                                   int64_t *, int64_t *,
                                                   int64_t *, bnrt_error *err) {
  bnrt::setError(err, BNRT_ERROR_UNSUPPORTED, kWhy);
  return BNRT_ERROR_UNSUPPORTED;
}
extern "C" bnrt_status
bnrt_tokenizer_encode_pairs(const bnrt_tokenizer *, const char *const *,
                            const size_t *, const char *const *, const size_t *,
                            int64_t, int64_t, int64_t, int64_t *, int64_t *,
                            int64_t *, int64_t *, bnrt_error *err) {
  bnrt::setError(err, BNRT_ERROR_UNSUPPORTED, kWhy);
  return BNRT_ERROR_UNSUPPORTED;
}
