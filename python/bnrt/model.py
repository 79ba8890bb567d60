# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""bnrt.Model (a loaded bundle, run from any number of threads) and
bnrt.Context (one run's state)."""
import ctypes
import os
import threading
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from ._capi import (_DTYPES, _MAX_RANK, _STATUS_OK, Error, _ErrorStruct, _int64s, _lib,
                    _raise)
from .text import _TEXT_INPUTS, Tokenizer


class TensorInfo(NamedTuple):
    """An input or output: its name, numpy dtype, and shape range (min ==
    max for a fixed dimension; an output's min is unknown and given as
    its max)."""
    name: str
    dtype: np.dtype
    min_shape: Tuple[int, ...]
    max_shape: Tuple[int, ...]



class _ModelHandle:
    """Owns the C model; the Model and each of its Contexts hold it, so it
    is freed after the last of them (contexts never outlive their model)."""

    def __init__(self, handle):
        self.value = handle

    def __del__(self):
        if self.value:
            _lib.bnrt_model_free(self.value)
            self.value = None


class Model:
    """A loaded bundle, shared read-only by every thread that runs it."""

    def __init__(self, path: str, threads: int = 1, isa: Optional[str] = None):
        err = _ErrorStruct()
        handle = _lib.bnrt_model_load_file(os.fsencode(path), err)
        if not handle:
            _raise(err, err.status)
        self._owner = _ModelHandle(handle)
        self._handle = handle
        self._threads = int(threads)
        if isa is not None:
            status = _lib.bnrt_model_set_isa(handle, isa.encode(), err)
            if status != _STATUS_OK:
                _raise(err, status)
        self.inputs: List[TensorInfo] = [
            self._info(i, True) for i in range(_lib.bnrt_model_num_inputs(handle))]
        self.outputs: List[TensorInfo] = [
            self._info(i, False)
            for i in range(_lib.bnrt_model_num_outputs(handle))]
        self.labels: List[str] = [
            _lib.bnrt_model_label(handle, i).decode("utf-8")
            for i in range(_lib.bnrt_model_num_labels(handle))]
        self._tokenizer: Optional["Tokenizer"] = None
        self._local = threading.local()
        # Checks the thread count now (a context is made for the caller).
        self._local.context = Context(self)

    def _info(self, i: int, is_input: bool) -> TensorInfo:
        mins, maxs = _int64s(_MAX_RANK), _int64s(_MAX_RANK)
        if is_input:
            name = _lib.bnrt_model_input_name(self._handle, i)
            dtype = _lib.bnrt_model_input_dtype(self._handle, i)
            rank = _lib.bnrt_model_input_range(self._handle, i, mins, maxs,
                                               _MAX_RANK)
        else:
            name = _lib.bnrt_model_output_name(self._handle, i)
            dtype = _lib.bnrt_model_output_dtype(self._handle, i)
            rank = _lib.bnrt_model_output_shape(self._handle, i, maxs,
                                                _MAX_RANK)
            mins = maxs
        if rank < 0 or rank > _MAX_RANK:
            raise Error(f"cannot query {'input' if is_input else 'output'} {i}")
        return TensorInfo(name.decode(), _DTYPES[dtype],
                          tuple(mins[:rank]), tuple(maxs[:rank]))

    @property
    def isa(self) -> str:
        """The kernel ISA the model runs on ("avx512", "avx2", "neondot",
        "neoni8mm", "neon" or "scalar")."""
        return _lib.bnrt_model_isa(self._handle).decode()

    @property
    def threads(self) -> int:
        return self._threads

    def context(self, threads: Optional[int] = None) -> "Context":
        """A new execution context of this model (one run at a time)."""
        return Context(self, self._threads if threads is None else threads)

    def run(self, **inputs: np.ndarray) -> Dict[str, np.ndarray]:
        """Runs once on the calling thread's own context; returns the
        outputs by name. Safe to call from many threads at once."""
        context = getattr(self._local, "context", None)
        if context is None:
            context = self._local.context = Context(self)
        return context.run(**inputs)

    @property
    def logits_output(self) -> str:
        """The output holding the class scores, as bnbert-run --text picks
        it: the one named "logits", else the model's only output when it
        is [batch, classes]; ValueError otherwise."""
        names = [o.name for o in self.outputs]
        if "logits" in names:
            return "logits"
        if len(self.outputs) == 1 and len(self.outputs[0].max_shape) == 2:
            return names[0]
        raise ValueError(f"no class-score output: none is named 'logits' and the "
                         f"model has {len(names)} outputs ({', '.join(names)})")

    def tokenizer(self) -> "Tokenizer":
        """The tokenizer the bundle carries (bnbert-compile --tokenizer);
        bnrt.Error when it carries none."""
        if self._tokenizer is None:
            err = _ErrorStruct()
            handle = _lib.bnrt_model_tokenizer(self._handle, err)
            if not handle:
                _raise(err, err.status)
            self._tokenizer = Tokenizer._adopt(handle)
        return self._tokenizer

    def run_text(self, texts, tokenizer: Optional["Tokenizer"] = None,
                 batch_size: Optional[int] = None,
                 pairs=None) -> Dict[str, np.ndarray]:
        """Tokenizes `texts` (a string or a list of them) with `tokenizer`
        (default: the one the bundle carries) and runs them; returns the
        outputs by name, one row per text (no texts: zero rows). `pairs`
        (as many as texts) makes each row a text pair, encoded as
        Tokenizer.encode_batch does. Rows go in batches of the model's
        largest batch (or `batch_size`); each batch is padded to its
        longest text within the model's sequence range (to the model's
        length when it is fixed), and longer texts are truncated."""
        if isinstance(texts, str):
            texts = [texts]
        texts = list(texts)
        if pairs is not None:
            pairs = [pairs] if isinstance(pairs, str) else list(pairs)
            if len(pairs) != len(texts):
                raise ValueError(f"{len(pairs)} pairs for {len(texts)} texts")
        tokenizer = tokenizer if tokenizer is not None else self.tokenizer()
        by_name = {i.name: i for i in self.inputs}
        unknown = sorted(set(by_name) - set(_TEXT_INPUTS))
        if unknown:
            raise ValueError(f"input {unknown[0]!r} is not one a tokenizer "
                             f"makes ({', '.join(_TEXT_INPUTS)})")
        if "input_ids" not in by_name:
            raise ValueError("the model has no input 'input_ids'")
        ids = by_name["input_ids"]
        if len(ids.max_shape) != 2:
            raise ValueError(f"input 'input_ids' has rank {len(ids.max_shape)}; "
                             f"text needs [batch, sequence]")
        (min_batch, min_seq), (max_batch, max_seq) = ids.min_shape, ids.max_shape
        step = max_batch if batch_size is None else int(batch_size)
        if not min_batch <= step <= max_batch:
            raise ValueError(f"batch_size {step} is outside the model's batch "
                             f"range {min_batch}..{max_batch}")
        results: Dict[str, List[np.ndarray]] = {o.name: [] for o in self.outputs}
        for start in range(0, len(texts), step):
            chunk = texts[start:start + step]
            rows = max(len(chunk), min_batch)
            padded = chunk + [""] * (rows - len(chunk))  # dropped below
            second = (None if pairs is None else
                      pairs[start:start + step] + [""] * (rows - len(chunk)))
            arrays = tokenizer.encode_batch(padded, min_seq, max_seq, pairs=second)
            feed = {name: arrays[name].astype(info.dtype, copy=False)
                    for name, info in by_name.items()}
            for name, value in self.run(**feed).items():
                results[name].append(value[:len(chunk)])
        empty = {o.name: np.empty((0,) + tuple(o.max_shape[1:]), o.dtype)
                 for o in self.outputs}
        return {name: np.concatenate(parts) if parts else empty[name]
                for name, parts in results.items()}

    def __repr__(self):
        return (f"bnrt.Model(inputs={[i.name for i in self.inputs]}, "
                f"outputs={[o.name for o in self.outputs]}, isa={self.isa!r})")




class Context:
    """One run's state (arena, scratch, worker threads) over a Model; it
    keeps the loaded model alive. Runs one call at a time (a lock
    serializes callers)."""

    def __init__(self, model: Model, threads: Optional[int] = None):
        err = _ErrorStruct()
        handle = _lib.bnrt_context_create(model._handle, err)
        if not handle:
            _raise(err, err.status)
        self._handle = handle
        self._owner = model._owner  # not the Model: no reference cycle
        self.inputs, self.outputs = model.inputs, model.outputs
        self._lock = threading.Lock()
        threads = model.threads if threads is None else int(threads)
        status = _lib.bnrt_context_set_threads(handle, threads, err)
        if status != _STATUS_OK:
            _raise(err, status)

    def _arrays(self, inputs: Dict[str, np.ndarray]) -> List[np.ndarray]:
        infos = self.inputs
        unknown = sorted(set(inputs) - {i.name for i in infos})
        if unknown:
            raise ValueError(f"the model has no input named {unknown[0]!r} "
                             f"(its inputs: {', '.join(i.name for i in infos)})")
        arrays = []
        for info in infos:
            if info.name not in inputs:
                raise ValueError(f"missing input {info.name!r}")
            array = np.asarray(inputs[info.name])
            if array.dtype != info.dtype:
                raise ValueError(
                    f"input {info.name!r} has dtype {array.dtype}, the model "
                    f"takes {info.dtype} (convert it with .astype)")
            if array.ndim != len(info.max_shape):
                raise ValueError(
                    f"input {info.name!r} has shape {array.shape}, the model "
                    f"takes rank {len(info.max_shape)} (between "
                    f"{info.min_shape} and {info.max_shape})")
            arrays.append(np.ascontiguousarray(array))
        return arrays

    def run(self, **inputs: np.ndarray) -> Dict[str, np.ndarray]:
        """Runs once; returns the outputs by name."""
        arrays = self._arrays(inputs)
        n = len(arrays)
        shapes = [(ctypes.c_int64 * max(a.ndim, 1))(*a.shape) for a in arrays]
        shape_ptrs = (ctypes.POINTER(ctypes.c_int64) * max(n, 1))(
            *[ctypes.cast(s, ctypes.POINTER(ctypes.c_int64)) for s in shapes])
        ranks = (ctypes.c_int * max(n, 1))(*[a.ndim for a in arrays])
        err = _ErrorStruct()
        with self._lock:
            status = _lib.bnrt_context_set_input_shapes(
                self._handle, shape_ptrs, ranks, err)
            if status != _STATUS_OK:
                _raise(err, status)
            outputs = []
            for i, info in enumerate(self.outputs):
                dims = _int64s(_MAX_RANK)
                rank = _lib.bnrt_context_output_shape(self._handle, i, dims,
                                                      _MAX_RANK)
                outputs.append(np.empty(tuple(dims[:rank]), info.dtype))
            m = len(outputs)
            in_ptrs = (ctypes.c_void_p * max(n, 1))(
                *[a.ctypes.data for a in arrays])
            in_bytes = (ctypes.c_size_t * max(n, 1))(*[a.nbytes for a in arrays])
            out_ptrs = (ctypes.c_void_p * max(m, 1))(
                *[o.ctypes.data for o in outputs])
            out_bytes = (ctypes.c_size_t * max(m, 1))(
                *[o.nbytes for o in outputs])
            status = _lib.bnrt_context_run(self._handle, in_ptrs, in_bytes,
                                           out_ptrs, out_bytes, err)
        if status != _STATUS_OK:
            _raise(err, status)
        return {info.name: out for info, out in zip(self.outputs, outputs)}

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            _lib.bnrt_context_free(handle)  # before _owner may free the model
            self._handle = None
