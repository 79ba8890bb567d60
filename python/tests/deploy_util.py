# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Helpers for the deployment tests: export a prepared model, compile it,
run the bundle on the same inputs."""
import torch

from bnbert import export_onnx, exporting
from bnbert.deploy import compile_bundle, run_bundle


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
