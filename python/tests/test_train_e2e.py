# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The training loop end to end, CI-sized: python3 -m bnbert.train on a
small keyword-topic task (tiny model, a few hundred steps). The compiled
binary bundle must agree with PyTorch's fake-quantized forward, and
quantization-aware training must beat post-training binarization."""
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TOPICS = {"space": "orbit rocket planet comet galaxy moon".split(),
          "food": "bread cheese apple soup pepper honey".split(),
          "music": "guitar melody drum chorus violin rhythm".split(),
          "law": "judge court verdict lawyer statute appeal".split()}
FILLER = ("the a of and to in is was it that for on with as at by this "
          "from or an be are were have has not but what all when we there "
          "one so out up if about who some them then than now only very").split()


def write_task(path, n, seed):
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(n):
            label = rng.choice(sorted(TOPICS))
            words = [rng.choice(FILLER) for _ in range(rng.randint(6, 14))]
            for _ in range(rng.randint(1, 2)):
                words.insert(rng.randrange(len(words) + 1), rng.choice(TOPICS[label]))
            f.write(json.dumps({"text": " ".join(words), "label": label}) + "\n")


def write_splits(directory, train=960, dev=200, test=400):
    """train/dev/test.jsonl of the topic task in `directory` (seeds 0, 1, 2)."""
    for name, n, seed in (("train", train, 0), ("dev", dev, 1), ("test", test, 2)):
        write_task(directory / f"{name}.jsonl", n, seed)
    return directory


def loop_command(tmp_path, out, *flags):
    """python3 -m bnbert.train on the topic task's splits in tmp_path into
    `out`: the CI-sized model and budget, then `flags`."""
    return [sys.executable, "-m", "bnbert.train", "--train", str(tmp_path / "train.jsonl"),
            "--dev", str(tmp_path / "dev.jsonl"), "--test", str(tmp_path / "test.jsonl"),
            "--out", str(out), "--layers", "2", "--hidden", "64", "--heads", "2",
            "--ffn", "128", "--seq", "24", "--vocab", "200", "--epochs", "1",
            "--teacher-epochs", "5", "--lr", "1e-3", "--threads", "2",
            "--eval-batch", "100", *flags]


def test_train_loop(tmp_path):
    write_splits(tmp_path)
    out = tmp_path / "out"
    cmd = loop_command(tmp_path, out)
    done = subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    # Not a terminal: one line per stage and epoch, no progress-bar updates.
    assert "\r" not in done.stderr
    assert "teacher epoch 5/5: train loss" in done.stderr, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    acc = report["test_accuracy"]
    print(json.dumps(report, indent=1))
    assert report["shape"] == [100, 24]
    assert report["labels"] == sorted(TOPICS)
    for name in ("tokenizer.model", "model.onnx", "model.bnb", "test/input_ids.npy",
                 "test/attention_mask.npy", "test/token_type_ids.npy", "test/labels.npy"):
        assert (out / name).is_file(), name
    ids = np.load(out / "test" / "input_ids.npy")
    assert ids.shape == (400, 24) and ids.dtype == np.int64
    assert acc["fp32"] > 0.8, "the teacher did not learn the task"
    assert report["agreement_with_torch"] >= 0.995
    assert report["max_logit_diff"] <= 0.01 * report["logit_range"]
    # QAT recovers what binarizing without training loses: 10 points over
    # post-training binary, or to within 3 points of the teacher when
    # post-training binary happens to lose less than that (the teacher's
    # random start decides how much it loses on this easy task).
    assert acc["binary"] >= min(acc["ptq_binary"] + 0.10, acc["fp32"] - 0.03), acc
    assert acc["binary"] >= acc["ptq_binary"], acc
    assert acc["ternary"] >= acc["ptq_ternary"] - 0.03, acc

    # --resume after everything is done: every stage is skipped, same report.
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "done earlier" in done.stderr
    again = json.loads((out / "report.json").read_text())
    assert again["test_accuracy"] == acc


def test_bad_input_is_reported(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"text": "a b", "label": "x"}\nnot json\n')
    cmd = [sys.executable, "-m", "bnbert.train", "--train", str(tmp_path / "t.jsonl"),
           "--dev", str(tmp_path / "t.jsonl"), "--test", str(tmp_path / "t.jsonl"),
           "--out", str(tmp_path / "o")]
    done = subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 1
    assert "t.jsonl:2: not JSON" in done.stderr
