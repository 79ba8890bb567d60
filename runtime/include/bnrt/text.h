/*===- bnrt/text.h - text in: the model's own tokenizer -----------*- C -*-===*
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Token ids for a BERT-family model from text, as the model was trained:
 *
 * - BERT WordPiece (a vocab.txt, one piece per line, the id is the line
 *   number): Hugging Face BertTokenizer's rules - clean-up (control
 *   characters dropped, whitespace normalized), NFC, spaces around CJK
 *   ideographs, whitespace split, for uncased models lowercasing and
 *   accent stripping (NFD, combining marks dropped), punctuation split,
 *   then greedy longest-match-first WordPiece with "##" continuations;
 *   a word longer than 100 characters or without a split is [UNK]. The
 *   sequence is [CLS] pieces [SEP].
 * - SentencePiece (a .model file, libsentencepiece): the model's own
 *   normalization and pieces; the sequence is [CLS] pieces [SEP] when the
 *   model has those pieces (ALBERT), else <s> pieces </s>.
 * - Hugging Face tokenizer.json (the `tokenizers` library's file): its
 *   added tokens, normalizer, pre-tokenizer, model (WordPiece, BPE,
 *   Unigram) and post-processor, in the library's order and with its rules
 *   (runtime/src/text/hf_tokenizer.cpp lists the components); a component
 *   it does not implement is refused by name.
 * - RoBERTa's vocab.json + merges.txt: byte-level BPE as
 *   RobertaTokenizerFast reads the two files; <s> pieces </s>.
 * - XLM-R's sentencepiece.bpe.model (loaded by that file name): fairseq's
 *   dictionary around the model's pieces (<s> <pad> </s> <unk> are 0-3,
 *   each piece one up), as XLMRobertaTokenizer reads it.
 *
 * Pairs of texts (bnrt_tokenizer_encode_pairs) are framed as the model
 * family does: [CLS] a [SEP] b [SEP], or <s> a </s></s> b </s>.
 *
 * Sequences longer than the length asked for are truncated, keeping the
 * closing [SEP]. Part of libbnrt when it is built with libutf8proc and
 * libsentencepiece (bnrt_text_available()).
 *===----------------------------------------------------------------------===*/
#ifndef BNRT_TEXT_H
#define BNRT_TEXT_H

#include "bnrt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bnrt_tokenizer bnrt_tokenizer;

/* 1 when this build has the tokenizers. */
int bnrt_text_available(void);

/* Loads a tokenizer: a tokenizer.json, a SentencePiece model (a binary
 * .model file), a WordPiece vocab.txt, a RoBERTa vocab.json (with the
 * merges.txt beside it), or a model folder holding one (tried in that
 * order: tokenizer.json, vocab.json, vocab.txt, spiece.model,
 * sentencepiece.bpe.model); for a vocab.txt, `lowercase` selects the
 * uncased rules (lowercasing, accent stripping). NULL (and `err`) on
 * failure: a missing file, a vocabulary without [CLS], [SEP], [PAD] or
 * [UNK], a tokenizer.json component this runtime does not implement. A
 * tokenizer is read-only: any number of threads may use one. */
bnrt_tokenizer *bnrt_tokenizer_load(const char *path, int lowercase,
                                    bnrt_error *err);
/* The same from one file's bytes in memory (copied; `name` names it in
 * errors): a tokenizer.json, a .model or a vocab.txt. */
bnrt_tokenizer *bnrt_tokenizer_load_memory(const void *data, size_t size,
                                           int lowercase, const char *name,
                                           bnrt_error *err);
/* The tokenizer a bundle carries (bnbert-compile --tokenizer), loaded with
 * the bundle's case rule; NULL (and `err`, BNRT_ERROR_ARGUMENT) when it
 * carries none. Independent of the model once made. */
bnrt_tokenizer *bnrt_model_tokenizer(const bnrt_model *model, bnrt_error *err);
void bnrt_tokenizer_free(bnrt_tokenizer *tokenizer);

/* The number of pieces in the vocabulary, and the padding id. */
int64_t bnrt_tokenizer_vocab_size(const bnrt_tokenizer *tokenizer);
int64_t bnrt_tokenizer_pad_id(const bnrt_tokenizer *tokenizer);

/* The ids of one text (`length` bytes of UTF-8), [CLS] ... [SEP],
 * truncated to `max_tokens` when it is > 0. Returns their number (-1 on
 * error: invalid UTF-8, a NULL argument); writes them to ids[0 ..] when
 * ids is not NULL and capacity is enough. */
int64_t bnrt_tokenizer_encode(const bnrt_tokenizer *tokenizer, const char *text,
                              size_t length, int64_t *ids, int64_t capacity,
                              int64_t max_tokens, bnrt_error *err);

/* A batch of `count` texts as the three model inputs, each [count,
 * seq_len] int64, row-major: ids (truncated to seq_len, padded with the
 * padding id), attention mask (1 for tokens, 0 for padding), token types
 * (0). seq_len is the longest text's token count, kept within [min_len,
 * max_len] (min_len == max_len for a fixed length), and is written to
 * *seq_len; each text is tokenized once. The arrays (any may be NULL)
 * hold count * max_len values. A failing text is named by its index. */
bnrt_status bnrt_tokenizer_encode_batch(const bnrt_tokenizer *tokenizer,
                                        const char *const *texts,
                                        const size_t *lengths, int64_t count,
                                        int64_t min_len, int64_t max_len,
                                        int64_t *ids, int64_t *mask,
                                        int64_t *types, int64_t *seq_len,
                                        bnrt_error *err);

/* The same for pairs of texts (pairs[i] goes with texts[i]): BERT's
 * [CLS] a [SEP] b [SEP] with token types 0 for [CLS] a [SEP] and 1 for
 * b [SEP]; a model framed by <s>/</s> (RoBERTa, XLM-R) gets
 * <s> a </s></s> b </s>, types 0. Pairs too long for max_len are cut
 * longest first, as Hugging Face's (fast) tokenizers do: only the longer
 * text when that suffices, else both to half the room, the longer one
 * (the second on a tie) keeping the odd piece. pairs == NULL encodes
 * single texts, as bnrt_tokenizer_encode_batch. */
bnrt_status bnrt_tokenizer_encode_pairs(
    const bnrt_tokenizer *tokenizer, const char *const *texts,
    const size_t *lengths, const char *const *pairs, const size_t *pair_lengths,
    int64_t count, int64_t min_len, int64_t max_len, int64_t *ids,
    int64_t *mask, int64_t *types, int64_t *seq_len, bnrt_error *err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_TEXT_H */
