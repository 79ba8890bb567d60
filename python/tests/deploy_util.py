# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Helpers for the deployment tests: export a prepared model, compile it,
run the bundle on the same inputs."""
import subprocess

import numpy as np
import torch

from bnbert import export_onnx, exporting
from bnbert.deploy import compile_bundle, find_tool, run_bundle


def inputs_for(names, batch, seq, vocab, generator=None):
    g = generator or torch.Generator().manual_seed(1)
    ids = torch.randint(4, vocab, (batch, seq), generator=g)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    for b in range(1, batch):  # padded rows of varied lengths
        mask[b, seq - (b * seq) // (batch + 1):] = 0
    ids[mask == 0] = 1
    values = {"input_ids": ids, "attention_mask": mask,
              "token_type_ids": torch.zeros_like(ids)}
    return {n: values[n] for n in names}


def compile_model(path, bundle, shapes, flags=()):
    """bnbert-compile with each input's shape fixed (a failure raises
    ToolError with the compiler's message)."""
    compile_bundle(path, bundle, shapes, flags)


def run_model(bundle, inputs):
    """The bundle's logits on `inputs` (tensors by name, one batch)."""
    arrays = {n: v.numpy() for n, v in inputs.items()}
    return run_bundle(bundle, arrays, batch=len(next(iter(arrays.values()))))


def deploy_and_compare(tmp_path, model, inputs):
    """Exports `model`, compiles and runs it; returns (torch logits of the
    exported forward, bundle logits)."""
    with exporting(model), torch.no_grad():
        ref = model(**inputs)
    shapes = {n: tuple(v.shape) for n, v in inputs.items()}
    export_onnx(model, tmp_path / "m.onnx", shapes)
    compile_model(tmp_path / "m.onnx", tmp_path / "m.bnb", shapes)
    return ref.numpy(), run_model(tmp_path / "m.bnb", inputs)


def op_kinds(bundle, arrays, tmp_path):
    """The op kinds `bnbert-run --profile` reports for `bundle` run on
    `arrays` (numpy arrays by input name)."""
    inputs = []
    for name, array in arrays.items():
        np.save(tmp_path / f"{name}.npy", array)
        inputs += ["--input", f"{name}={tmp_path / (name + '.npy')}"]
    done = subprocess.run([find_tool("bnbert-run"), str(bundle), *inputs, "--profile",
                           "--bench", "1", "--output-dir", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {line.split()[0] for line in (done.stdout + done.stderr).splitlines()
            if line[:1].isupper()}

