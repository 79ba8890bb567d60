"""Helpers for the deployment tests: export a prepared model, compile it,
run the bundle on the same inputs."""
import subprocess

import numpy as np
import torch

from bnbert import export_onnx, exporting
from bnbert.deploy import find_tool


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


def compile_model(path, bundle, shapes, flags=(), check=True):
    cmd = [find_tool("bnbert-compile"), str(path), "-o", str(bundle)]
    cmd += [f"--shape={n}={'x'.join(map(str, s))}" for n, s in shapes.items()]
    done = subprocess.run(cmd + list(flags), capture_output=True, text=True)
    assert not check or done.returncode == 0, done.stderr
    return done


def run_model(bundle, inputs, out_dir, output="logits"):
    cmd = [find_tool("bnbert-run"), str(bundle), "--output-dir", str(out_dir)]
    for name, value in inputs.items():
        np.save(out_dir / f"{name}.npy", value.numpy())
        cmd += ["--input", f"{name}={out_dir / (name + '.npy')}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return np.load(out_dir / f"{output}.npy")


def deploy_and_compare(tmp_path, model, inputs, output="logits"):
    """Exports `model`, compiles and runs it; returns (torch logits of the
    exported forward, bundle logits)."""
    with exporting(model), torch.no_grad():
        ref = model(**inputs)
    shapes = {n: tuple(v.shape) for n, v in inputs.items()}
    export_onnx(model, tmp_path / "m.onnx", shapes, output_names=(output,))
    compile_model(tmp_path / "m.onnx", tmp_path / "m.bnb", shapes)
    return ref.numpy(), run_model(tmp_path / "m.bnb", inputs, tmp_path, output)
