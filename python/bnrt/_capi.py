# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The C API's table (runtime/include/bnrt.h, bnrt/text.h) through ctypes:
the shared library, each function's signature, the error struct and the
statuses as Python exceptions."""
import ctypes
import os

import numpy as np

_STATUS_OK = 0
_STATUS_IO, _STATUS_ARGUMENT, _STATUS_OOM = 1, 4, 5
_DTYPES = {0: np.dtype("<f4"), 1: np.dtype("<i4"), 2: np.dtype("<i8"),
           3: np.dtype("i1"), 4: np.dtype("?")}
_MAX_RANK = 8


class Error(RuntimeError):
    """A bundle the runtime refuses (corrupt, another target or format) or
    a failure of the system (threads could not start)."""


class _ErrorStruct(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 512)]


def _raise(err: _ErrorStruct, status: int):
    message = err.message.decode("utf-8", "replace")
    if status == _STATUS_ARGUMENT:
        raise ValueError(message)
    if status == _STATUS_IO:
        raise OSError(message)
    if status == _STATUS_OOM:
        raise MemoryError(message)
    raise Error(message)


def library_path() -> str:
    """Where libbnrt.so is loaded from: $BNRT_LIBRARY, else next to this
    package (an installed tree), else the build tree's runtime/."""
    env = os.environ.get("BNRT_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "libbnrt.so"),
                      os.path.join(here, "..", "..", "lib", "libbnrt.so"),
                      os.path.join(here, "..", "..", "build", "runtime",
                                   "libbnrt.so")):
        if os.path.exists(candidate):
            return os.path.normpath(candidate)
    raise ImportError("bnrt: libbnrt.so not found; build the project "
                      "(scripts/build.sh) or set BNRT_LIBRARY to its path")


def _load_library() -> ctypes.CDLL:
    # CDLL (not PyDLL): every call releases the GIL.
    lib = ctypes.CDLL(library_path())
    P, I, S = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    E = ctypes.POINTER(_ErrorStruct)
    I64P = ctypes.POINTER(ctypes.c_int64)
    signatures = {
        "bnrt_model_load_file": (P, [ctypes.c_char_p, E]),
        "bnrt_model_free": (None, [P]),
        "bnrt_model_num_inputs": (I, [P]),
        "bnrt_model_num_outputs": (I, [P]),
        "bnrt_model_input_name": (ctypes.c_char_p, [P, I]),
        "bnrt_model_output_name": (ctypes.c_char_p, [P, I]),
        "bnrt_model_input_dtype": (I, [P, I]),
        "bnrt_model_output_dtype": (I, [P, I]),
        "bnrt_model_output_shape": (I, [P, I, I64P, I]),
        "bnrt_model_input_range": (I, [P, I, I64P, I64P, I]),
        "bnrt_model_set_isa": (I, [P, ctypes.c_char_p, E]),
        "bnrt_model_isa": (ctypes.c_char_p, [P]),
        "bnrt_context_create": (P, [P, E]),
        "bnrt_context_free": (None, [P]),
        "bnrt_context_set_threads": (I, [P, I, E]),
        "bnrt_context_set_input_shapes": (
            I, [P, ctypes.POINTER(I64P), ctypes.POINTER(I), E]),
        "bnrt_context_output_shape": (I, [P, I, I64P, I]),
        "bnrt_context_run": (I, [P, ctypes.POINTER(P), ctypes.POINTER(S),
                                 ctypes.POINTER(P), ctypes.POINTER(S), E]),
        "bnrt_model_num_labels": (I, [P]),
        "bnrt_model_label": (ctypes.c_char_p, [P, I]),
        "bnrt_model_tokenizer": (P, [P, E]),
        "bnrt_tokenizer_load_memory": (P, [ctypes.c_char_p, S, I, ctypes.c_char_p, E]),
        "bnrt_text_available": (I, []),
        "bnrt_tokenizer_load": (P, [ctypes.c_char_p, I, E]),
        "bnrt_tokenizer_free": (None, [P]),
        "bnrt_tokenizer_vocab_size": (ctypes.c_int64, [P]),
        "bnrt_tokenizer_pad_id": (ctypes.c_int64, [P]),
        "bnrt_tokenizer_encode": (ctypes.c_int64, [P, ctypes.c_char_p, S, I64P,
                                                   ctypes.c_int64, ctypes.c_int64, E]),
        "bnrt_tokenizer_encode_pairs": (
            I, [P, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(S),
                ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(S),
                ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, I64P, I64P,
                I64P, I64P, E]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


_lib = _load_library()

def _int64s(n: int):
    return (ctypes.c_int64 * max(n, 1))()

