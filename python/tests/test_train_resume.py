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

from test_train_e2e import write_splits

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--layers", "1", "--hidden", "16", "--heads", "2", "--ffn", "32", "--seq", "16",
         "--vocab", "80", "--epochs", "1", "--teacher-epochs", "2", "--batch", "32",
         "--eval-batch", "40", "--threads", "1"]


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    return write_splits(tmp_path_factory.mktemp("task"), train=192, dev=40, test=40)


def train(task, out, extra=(), kill_at=None, write_log=None):
    env = dict(os.environ)
    env.pop("BNBERT_KILL_AT_WRITE", None)
    env.pop("BNBERT_WRITE_LOG", None)
    if kill_at is not None:
        env["BNBERT_KILL_AT_WRITE"] = str(kill_at)
    if write_log is not None:
        env["BNBERT_WRITE_LOG"] = str(write_log)
    cmd = [sys.executable, "-m", "bnbert.train", "--train", str(task / "train.jsonl"),
           "--dev", str(task / "dev.jsonl"), "--test", str(task / "test.jsonl"),
           "--out", str(out)] + SMALL + list(extra)
    return subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def reference(task, tmp_path_factory):
    """An uninterrupted run, and the list of its writes."""
    tmp = tmp_path_factory.mktemp("reference")
    done = train(task, tmp / "out", write_log=tmp / "writes.txt")
    assert done.returncode == 0, done.stderr[-3000:]
    return tmp / "out"


def writes_of(reference):
    lines = (reference.parent / "writes.txt").read_text().splitlines()
    return [line.split("\t")[1] for line in lines]


def test_kill_at_every_write_then_resume_gives_the_same_bundle(task, reference, tmp_path):
    writes = writes_of(reference)
    # Checkpoints, the test set, tokenizer, settings, exports, bundles, report.
    assert len(writes) >= 25 and writes[-1].endswith("report.json"), writes
    want = (reference / "model.bnb").read_bytes()
    for n, path in enumerate(writes, 1):
        out = tmp_path / f"kill{n}"
        killed = train(task, out, kill_at=n)
        assert killed.returncode == -9, f"no kill at write {n} ({path})"
        resumed = train(task, out, ["--resume"])
        assert resumed.returncode == 0, (n, path, resumed.stderr[-3000:])
        assert (out / "model.bnb").read_bytes() == want, f"killed at write {n}: {path}"
        assert not list(out.rglob("*.tmp")), n  # the killed write's temporary is gone


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
