# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Compiling with bnbert-compile, running bundles in this process through
bnrt, and timing them with bnbert-run --bench, from Python. Tools are found
in $BNBERT_BIN (directories separated by ':'), then in this source tree's
build (build/bin, build/runtime), then on PATH."""
import json
import os
import shutil
import subprocess
import tempfile
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


def _input_args(tmp, arrays):
    """Saves each input array as tmp/NAME.npy; returns bnbert-run's
    --input arguments."""
    args = []
    for name, array in arrays.items():
        path = os.path.join(tmp, name + ".npy")
        np.save(path, np.ascontiguousarray(array))
        args += ["--input", f"{name}={path}"]
    return args


def _threads(threads):
    return ["--threads", str(max(1, min(threads, 4)))]


def run_bundle(bundle_path, inputs, batch, threads=1, output="logits"):
    """Output `output` of a bundle compiled for [batch, S] (or a range up to
    it) over all rows of `inputs` (the model's inputs by name, [N, S]
    arrays), run in this process through bnrt: rows go in chunks of
    `batch`, the last one padded with masked rows whose results are
    dropped. A bundle the runtime refuses raises ToolError naming it."""
    import bnrt
    try:
        model = bnrt.Model(str(bundle_path), threads=max(1, min(threads, 4)))
        dtypes = {i.name: i.dtype for i in model.inputs}
        n = len(next(iter(inputs.values())))
        outputs = []
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
            outputs.append(model.run(**chunks)[output][:min(batch, n - start)])
    except (bnrt.Error, OSError, ValueError, KeyError) as e:
        raise ToolError(f"{bundle_path}: {e}") from None
    return np.concatenate(outputs)


def bench_bundle(bundle_path, inputs, batch, runs=20, threads=1):
    """bnbert-run --bench on the first `batch` rows: the median ms per run."""
    with tempfile.TemporaryDirectory(prefix="bnbert-bench-") as tmp:
        args = [find_tool("bnbert-run"), str(bundle_path), "--bench", str(runs),
                "--output-dir", tmp] + _threads(threads)
        args += _input_args(tmp, {name: a[:batch] for name, a in inputs.items()})
        out = _run(args).stdout.strip().splitlines()
    for line in reversed(out):
        if line.startswith("{"):
            return json.loads(line)
    raise ToolError("bnbert-run --bench printed no JSON line")
