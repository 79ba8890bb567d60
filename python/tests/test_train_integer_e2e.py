# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""--integer-nonlinear end to end, CI-sized (the topic task of
test_train_e2e): the student trains with I-BERT's integer GELU, softmax and
layer norm, its model.onnx carries the mark, the compiled bundle agrees
with PyTorch's forward, and the mark is what changes the bundle (the same
file without it compiles to the float forms, which agree less closely)."""
import json
import subprocess

import numpy as np
import onnx

from bnbert.deploy import compile_bundle, run_bundle
from bnbert.integer_nonlinear import METADATA_KEY
from test_train_e2e import ROOT, loop_command, write_splits

NAMES = ("input_ids", "attention_mask", "token_type_ids")


def test_train_with_integer_nonlinearities(tmp_path):
    write_splits(tmp_path)
    out = tmp_path / "out"
    done = subprocess.run(loop_command(tmp_path, out, "--integer-nonlinear"),
                          cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    print(json.dumps(report, indent=1))
    assert report["integer_nonlinear"] is True
    assert report["test_accuracy"]["binary"] >= report["test_accuracy"]["fp32"] - 0.05
    assert report["agreement_with_torch"] >= 0.995
    # PyTorch's forward computes the integer forms too: the logits match
    # as closely as the float forms' do (0.02-0.1% of the range here; the
    # float forms against the integer bundle differ by 0.8%).
    for name, agreement in report["agreement"].items():
        assert agreement["max_logit_diff"] <= 0.003 * agreement["logit_range"], name
    model = onnx.load(str(out / "model.onnx"))
    assert {p.key: p.value for p in model.metadata_props} == {METADATA_KEY: "1"}
    assert not (out / "fp32.onnx").exists() or not onnx.load(
        str(out / "fp32.onnx")).metadata_props  # the teacher stays float

    # The same file without the mark: the float forms, other logits.
    del model.metadata_props[:]
    onnx.save(model, str(tmp_path / "unmarked.onnx"))
    shape = tuple(report["shape"])
    compile_bundle(tmp_path / "unmarked.onnx", tmp_path / "unmarked.bnb",
                   {n: shape for n in NAMES})
    inputs = {n: np.load(out / "test" / f"{n}.npy") for n in NAMES}
    marked = run_bundle(out / "model.bnb", inputs, shape[0])
    unmarked = run_bundle(tmp_path / "unmarked.bnb", inputs, shape[0])
    assert np.abs(marked - unmarked).max() > 1e-3


def test_binary_attention_is_refused(tmp_path):
    write_splits(tmp_path, train=8, dev=4, test=4)
    done = subprocess.run(loop_command(tmp_path, tmp_path / "out", "--integer-nonlinear",
                                       "--attention-bits", "1"),
                          cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 2
    assert "binary attention (--attention-bits 1) has no integer softmax" in done.stderr
