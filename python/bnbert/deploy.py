# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Compiling with bnbert-compile, and running and timing bundles in this
process through bnrt, from Python. Tools are found
in $BNBERT_BIN (directories separated by ':'), then in this source tree's
build (build/bin, build/runtime), then on PATH."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from .atomic import atomic_path

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class ToolError(RuntimeError):
    pass


def find_tool(name):
    dirs = [Path(d) for d in os.environ.get("BNBERT_BIN", "").split(os.pathsep) if d]
    root = Path(__file__).resolve().parents[2]
    dirs += [root / "build" / "bin", root / "build" / "runtime"]
    for d in dirs:
        if (d / name).is_file() and os.access(d / name, os.X_OK):
            return str(d / name)
    found = shutil.which(name)
    if not found:
        raise ToolError(f"{name} not found: build the project (scripts/build.sh) "
                        f"or set BNBERT_BIN to the directory holding it")
    return found


def _run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if done.returncode != 0:
        raise ToolError(f"{' '.join(cmd)} failed (exit {done.returncode}):\n"
                        f"{done.stderr.strip()}")
    return done


def compile_bundle(onnx_path, bundle_path, shapes, flags=()):
    """bnbert-compile ONNX -> bundle with each input's shape fixed (`shapes`:
    name -> (batch, seq)); returns the compiler's --report output. A failure
    raises ToolError with the compiler's message."""
    with atomic_path(bundle_path) as tmp:  # a kill leaves the old bundle or the new
        cmd = [find_tool("bnbert-compile"), str(onnx_path), "-o", str(tmp),
               "--report"] + _shape_flags(shapes)
        return _run(cmd + list(flags)).stdout


def compile_graph(onnx_path, graph_path, shapes):
    """bnbert-compile --emit graph: the raised float model as the trainer's
    graph file (python/bnbert/graph.py), each input's shape fixed."""
    _run([find_tool("bnbert-compile"), str(onnx_path), "-o", str(graph_path),
          "--emit", "graph"] + _shape_flags(shapes))


def _shape_flags(shapes):
    return [f"--shape={n}={'x'.join(map(str, s))}" for n, s in shapes.items()]


def _chunks(inputs, batch, dtypes):
    """Rows of `inputs` in chunks of `batch` (the last padded with masked
    rows), in the model's dtypes: (chunk, rows that are real)."""
    n = len(next(iter(inputs.values())))
    for start in range(0, n, batch):
        chunks = {}
        for name, array in inputs.items():
            chunk = array[start:start + batch]
            if len(chunk) < batch:
                pad = np.zeros((batch - len(chunk),) + chunk.shape[1:], chunk.dtype)
                if name == "attention_mask":
                    pad[:, 0] = 1
                chunk = np.concatenate([chunk, pad])
            chunks[name] = np.ascontiguousarray(chunk, dtype=dtypes.get(name))
        yield chunks, min(batch, n - start)


def check_runtime():
    """Raises ToolError when the runtime library cannot be loaded."""
    try:
        import bnrt  # noqa: F401
    except OSError as e:
        raise ToolError(f"the runtime library cannot be loaded ({e}): build the "
                        f"project (scripts/build.sh) or set BNRT_LIBRARY") from None


def _in_process(bundle_path, threads, work):
    """work(model) on the bundle loaded through bnrt; a bundle the runtime
    refuses, or inputs it refuses, raise ToolError naming the bundle."""
    import bnrt
    try:
        return work(bnrt.Model(str(bundle_path), threads=max(1, min(threads, 4))))
    except (bnrt.Error, OSError, ValueError, KeyError) as e:
        raise ToolError(f"{bundle_path}: {e}") from None


def run_bundle(bundle_path, inputs, batch, threads=1, output="logits"):
    """Output `output` of a bundle compiled for [batch, S] (or a range up to
    it) over all rows of `inputs` (the model's inputs by name, [N, S]
    arrays), run in this process through bnrt: rows go in chunks of
    `batch`, the last one padded with masked rows whose results are
    dropped."""
    def work(model):
        dtypes = {i.name: i.dtype for i in model.inputs}
        return np.concatenate([model.run(**chunk)[output][:rows]
                               for chunk, rows in _chunks(inputs, batch, dtypes)])
    return _in_process(bundle_path, threads, work)


def bench_bundle(bundle_path, inputs, batch, runs=20, threads=1):
    """The bundle on the first `batch` rows, timed in this process as
    bnbert-run --bench times it (one warm-up run, then `runs`): {"median_ms"}."""
    def work(model):
        dtypes = {i.name: i.dtype for i in model.inputs}
        chunk, _ = next(_chunks({n: a[:batch] for n, a in inputs.items()}, batch, dtypes))
        model.run(**chunk)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model.run(**chunk)
            times.append((time.perf_counter() - start) * 1e3)
        return {"median_ms": float(np.median(times)), "runs": runs}
    return _in_process(bundle_path, threads, work)
