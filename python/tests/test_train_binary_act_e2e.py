# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Fully binary layers end to end, CI-sized: python3 -m bnbert.train
--act-bits 1 steps the binary model down W1A8 -> W1A4 -> W1A2 -> W1A1
(BiT's multi-step distillation), deploys every step, and the W1A1 bundle
runs its linears as fully binary GEMMs (LinearBinarized) and agrees with
PyTorch's binarized forward; with --attention-bits 1 its attention too
(AttentionBinary), stepped down with the linears."""
import json
import subprocess

import numpy as np
import pytest

from deploy_util import op_kinds
from test_train_e2e import ROOT, loop_command, write_splits


def bundle_kinds(bundle, out, tmp_path):
    """The op kinds of `bundle` run on the first 8 test texts."""
    arrays = {name: np.load(out / "test" / f"{name}.npy")[:8]
              for name in ("input_ids", "attention_mask", "token_type_ids")}
    return op_kinds(bundle, arrays, tmp_path)


@pytest.mark.parametrize("attention_bits", [8, 1])
def test_train_fully_binary(tmp_path, attention_bits):
    write_splits(tmp_path)
    out = tmp_path / "out"
    cmd = loop_command(tmp_path, out, "--act-bits", "1")
    if attention_bits == 1:  # BiT's binary attention, stepped down with the linears
        cmd += ["--attention-bits", "1", "--epochs", "2"]  # its step needs two here
    done = subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    for step in ("binary_a4", "binary_a2", "binary_a1"):  # each from the last
        assert f"{step} epoch 1/" in done.stderr, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    print(json.dumps(report, indent=1))
    acc = report["test_accuracy"]
    assert report["act_bits"] == 1 and report["attention_bits"] == attention_bits
    # No post-training form of a learned binarizer; the steps are deployed.
    assert set(acc) == {"fp32", "fp32_bundle", "ternary", "binary_a8", "binary_a4",
                        "binary_a2", "binary"}, acc
    for stem in ("model_a8", "model_a4", "model_a2", "model"):
        assert (out / f"{stem}.bnb").is_file(), stem
    kinds = bundle_kinds(out / "model.bnb", out, tmp_path)
    assert "LinearBinarized" in kinds and "LinearBits" not in kinds, kinds
    assert ("AttentionBinary" in kinds) == (attention_bits == 1), kinds
    a2_kinds = bundle_kinds(out / "model_a2.bnb", out, tmp_path)
    assert "LinearBinarized" not in a2_kinds and "AttentionBinary" not in a2_kinds
    assert acc["fp32"] > 0.8, "the teacher did not learn the task"
    assert acc["binary"] >= 0.7, acc  # four topics: chance is 0.25
    assert report["agreement_with_torch"] >= 0.995
    assert report["max_logit_diff"] <= 0.01 * report["logit_range"]
    labels = np.load(out / "test" / "labels.npy")
    assert len(labels) == 400

    # --resume rebuilds each step's quantizers and skips every stage.
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT / "python", capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "binary_a1: done earlier" in done.stderr, done.stderr[-3000:]
    again = json.loads((out / "report.json").read_text())
    assert again["test_accuracy"] == acc
