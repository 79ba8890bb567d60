# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""bnrt.Tokenizer: the model's tokenizer (runtime/include/bnrt/text.h)."""
import ctypes
import os
from typing import Dict, List, Optional

import numpy as np

from ._capi import _STATUS_OK, Error, _ErrorStruct, _int64s, _lib, _raise


_TEXT_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Tokenizer:
    """The model's tokenizer (runtime/include/bnrt/text.h): a WordPiece
    vocab.txt (`lowercase` for uncased models, as Hugging Face's
    BertTokenizer) or a SentencePiece .model. Read-only: threads may share
    one."""

    def __init__(self, path: str, lowercase: bool = True):
        if not _lib.bnrt_text_available():
            raise Error("this libbnrt was built without tokenizers "
                        "(libutf8proc-dev, libsentencepiece-dev)")
        err = _ErrorStruct()
        handle = _lib.bnrt_tokenizer_load(os.fsencode(path), int(lowercase), err)
        if not handle:
            _raise(err, err.status)
        self._handle = handle

    @classmethod
    def _adopt(cls, handle) -> "Tokenizer":
        tokenizer = cls.__new__(cls)
        tokenizer._handle = handle
        return tokenizer

    @property
    def vocab_size(self) -> int:
        return _lib.bnrt_tokenizer_vocab_size(self._handle)

    @property
    def pad_id(self) -> int:
        return _lib.bnrt_tokenizer_pad_id(self._handle)

    def encode(self, text: str, max_tokens: int = 0) -> List[int]:
        """[CLS] pieces [SEP] of `text`, at most `max_tokens` when > 0."""
        data = text.encode("utf-8")
        err = _ErrorStruct()
        count = _lib.bnrt_tokenizer_encode(self._handle, data, len(data), None,
                                           0, max_tokens, err)
        if count < 0:
            _raise(err, err.status)
        ids = _int64s(count)
        _lib.bnrt_tokenizer_encode(self._handle, data, len(data), ids, count,
                                   max_tokens, err)
        return list(ids[:count])

    def encode_batch(self, texts: List[str], min_len: int,
                     max_len: Optional[int] = None,
                     pairs: Optional[List[str]] = None) -> Dict[str, np.ndarray]:
        """input_ids, attention_mask and token_type_ids [len(texts), S]
        (int64), S the longest text's token count within [min_len, max_len]
        (min_len alone: exactly that length); truncated, padded with the
        padding id, masked. Each text is tokenized once. With `pairs`
        (one second text per text): [CLS] a [SEP] b [SEP], token types 0
        then 1 (<s> a </s></s> b </s>, types 0, for <s>/</s> models), cut
        longest first as Hugging Face does (bnrt/text.h)."""
        max_len = min_len if max_len is None else max_len
        data = [t.encode("utf-8") for t in texts]
        n = len(data)
        if pairs is not None and len(pairs) != n:
            raise ValueError(f"{len(pairs)} pairs for {n} texts")

        def strings(items):
            return ((ctypes.c_char_p * max(n, 1))(*items),
                    (ctypes.c_size_t * max(n, 1))(*[len(d) for d in items]))
        pointers, lengths = strings(data)
        second, second_lengths = (strings([t.encode("utf-8") for t in pairs])
                                  if pairs is not None else (None, None))
        out = {name: np.zeros(max(n * max_len, 1), np.int64) for name in _TEXT_INPUTS}
        as_ptr = lambda a: a.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))  # noqa: E731
        seq = ctypes.c_int64(0)
        err = _ErrorStruct()
        status = _lib.bnrt_tokenizer_encode_pairs(
            self._handle, pointers, lengths, second, second_lengths, n, min_len,
            max_len, as_ptr(out["input_ids"]), as_ptr(out["attention_mask"]),
            as_ptr(out["token_type_ids"]), ctypes.byref(seq), err)
        if status != _STATUS_OK:
            _raise(err, status)
        return {name: a[:n * seq.value].reshape(n, seq.value) for name, a in out.items()}

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            _lib.bnrt_tokenizer_free(handle)
            self._handle = None


