# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The bnbert runtime from Python: load a compiled bundle, run it on numpy.

    import bnrt
    m = bnrt.Model("model.bnb", threads=2)
    out = m.run(input_ids=ids, attention_mask=mask, token_type_ids=types)
    logits = out["logits"]

A thin layer over the C API (runtime/include/bnrt.h) through ctypes and the
shared library libbnrt.so: ctypes releases the GIL for every call into the
library, so runs from several Python threads execute in parallel, and the
module needs no build against a particular Python.

Concurrency: one Model is shared read-only by any number of threads;
Model.run gives every calling thread its own execution context (arena,
scratch, worker threads), so calling it from many threads at once is safe.
A Context (Model.context()) is one such state for callers that manage their
own; one Context runs one call at a time.

Inputs are numpy arrays of the model's dtypes; a C-contiguous array is
passed without a copy, another layout is copied, another dtype raises
ValueError (no silent casts). A bundle compiled with a shape range
(bnbert-compile --shape input_ids=1..8x1..384) takes any shape within it.
"""

from ._capi import Error, _lib, library_path  # noqa: F401 (_lib: the C table)
from .model import Context, Model, TensorInfo
from .text import Tokenizer

__all__ = ["Model", "Context", "Tokenizer", "TensorInfo", "Error",
           "library_path"]
