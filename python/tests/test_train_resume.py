# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A training run loses nothing: killed (SIGKILL) inside any of its file
writes and resumed with --resume, it ends with the uninterrupted run's
bundle, bit for bit; a resume with other settings or data is refused,
naming each difference; an unreadable checkpoint is named."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_train_e2e import write_task

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--layers", "1", "--hidden", "16", "--heads", "2", "--ffn", "32", "--seq", "16",
         "--vocab", "80", "--epochs", "1", "--teacher-epochs", "2", "--batch", "32",
         "--eval-batch", "40", "--threads", "1"]


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("task")
    for name, n, seed in (("train", 192, 0), ("dev", 40, 1), ("test", 40, 2)):
        write_task(tmp / f"{name}.jsonl", n, seed)
    return tmp


def train(task, out, extra=(), kill_at=None):
    env = dict(os.environ)
    env.pop("BNBERT_KILL_AT_WRITE", None)
    if kill_at is not None:
        env["BNBERT_KILL_AT_WRITE"] = str(kill_at)
    cmd = [sys.executable, "-m", "bnbert.train", "--train", str(task / "train.jsonl"),
           "--dev", str(task / "dev.jsonl"), "--test", str(task / "test.jsonl"),
           "--out", str(out)] + SMALL + list(extra)
    return subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def reference(task, tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "out"
    done = train(task, out)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


# The writes of a run, in order: 1 tokenizer.model, 2-5 the test set,
# 6 checkpoints/settings.json, 7-9 the teacher's epochs and its final
# checkpoint, 10 fp32.onnx, 11-15 the post-training bundles, 16-19 the
# ternary stage (epoch, final, ONNX, bundle), 20-23 the binary stage, 24-28
# the BWN baseline, 29 report.json.
@pytest.mark.parametrize("kill_at", [1, 6, 8, 12, 17, 20, 23, 29])
def test_kill_at_a_write_then_resume_gives_the_same_bundle(task, reference, tmp_path,
                                                           kill_at):
    out = tmp_path / "out"
    killed = train(task, out, kill_at=kill_at)
    assert killed.returncode == -9, f"no kill at write {kill_at}: {killed.stderr[-1500:]}"
    resumed = train(task, out, ["--resume"])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (out / "model.bnb").read_bytes() == (reference / "model.bnb").read_bytes()
    assert not list(out.rglob("*.tmp"))  # the killed write's temporary is gone


@pytest.mark.parametrize("change,named", [
    (["--heads", "4"], "--heads: 2 in the checkpoints, now 4"),
    (["--act-bits", "4"], "--act-bits: 8 in the checkpoints, now 4"),
    (["--granularity", "row"], "--granularity: tensor in the checkpoints, now row"),
    ("other-train", "--train (sha256)"),
])
def test_resume_with_other_settings_is_refused(task, reference, tmp_path, change, named):
    extra = ["--resume"]
    if change == "other-train":
        other = tmp_path / "train.jsonl"
        lines = (task / "train.jsonl").read_text().splitlines()
        other.write_text("\n".join(lines[:-1]) + "\n")
        extra += ["--train", str(other)]
    else:
        extra += change
    done = train(task, reference, extra)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("bnbert.train:")]
    assert len(errors) == 1 and named in errors[0], done.stderr[-2000:]
    assert json.loads((reference / "checkpoints" / "settings.json").read_text())["--heads"] == 2


def test_an_unreadable_checkpoint_is_named(task, reference, tmp_path):
    out = tmp_path / "out"
    subprocess.run(["cp", "-r", str(reference), str(out)], check=True)
    ckpt = out / "checkpoints" / "ternary.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:1000])
    done = train(task, out, ["--resume"])
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{ckpt} is unreadable" in done.stderr and "--resume" in done.stderr
