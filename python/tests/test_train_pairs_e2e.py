# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Sentence pairs end to end, CI-sized: python3 -m bnbert.train on a GLUE-
style .tsv pair task (the topic of the second text, the first being about
another). The compiled
binary bundle must agree with PyTorch's fake-quantized forward, carry the
pair encoding (token types 1 on the second text), and bnbert-run --pairs
must give the bundle's answers on text pairs."""
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

import bnrt
from bnbert.deploy import find_tool
from test_train_e2e import FILLER, TOPICS

ROOT = Path(__file__).resolve().parents[2]
SEQ = 32


def sentence(rng, topic):
    words = [rng.choice(FILLER) for _ in range(rng.randint(4, 9))]
    words.insert(rng.randrange(len(words) + 1), rng.choice(TOPICS[topic]))
    return " ".join(words)


def write_pair_task(path, n, seed):
    """index, sentence1, sentence2, label: the topic of the second text,
    the first one about another topic (a model blind to which text is
    which is right half the time)."""
    rng = random.Random(seed)
    topics = sorted(TOPICS)
    lines = ["index\tsentence1\tsentence2\tlabel"]
    for i in range(n):
        b = rng.choice(topics)
        a = rng.choice([t for t in topics if t != b])
        lines.append(f"{i}\t{sentence(rng, a)}\t{sentence(rng, b)}\t{b}")
    path.write_text("\n".join(lines) + "\n")


def test_train_on_pairs(tmp_path):
    for name, n, seed in (("train", 1200, 0), ("dev", 200, 1), ("test", 400, 2)):
        write_pair_task(tmp_path / f"{name}.tsv", n, seed)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "bnbert.train", "--train", str(tmp_path / "train.tsv"),
           "--dev", str(tmp_path / "dev.tsv"), "--test", str(tmp_path / "test.tsv"),
           "--out", str(out), "--layers", "2", "--hidden", "64", "--heads", "2",
           "--ffn", "128", "--seq", str(SEQ), "--vocab", "200", "--epochs", "1",
           "--teacher-epochs", "5", "--lr", "1e-3", "--threads", "2",
           "--eval-batch", "100"]
    done = subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    print(json.dumps({k: report[k] for k in ("test_accuracy", "agreement_with_torch",
                                             "stage_minutes")}))
    assert report["pairs"] is True and report["labels"] == sorted(TOPICS)
    assert report["agreement_with_torch"] >= 0.995
    assert report["test_accuracy"]["fp32"] > 0.8, "the teacher did not learn the task"
    types = np.load(out / "test" / "token_type_ids.npy")
    assert types.max() == 1 and (types[:, 0] == 0).all()  # the second text is type 1

    # Text pairs in: the bundle's own tokenizer, the same answers as the
    # encoded test set gives, through bnrt and bnbert-run --pairs.
    rows = [line.split("\t") for line in
            (tmp_path / "test.tsv").read_text().splitlines()[1:41]]
    model = bnrt.Model(str(out / "model.bnb"))
    got = model.run_text([r[1] for r in rows], pairs=[r[2] for r in rows])["logits"]
    feed = {n: np.load(out / "test" / f"{n}.npy")[:40] for n in
            ("input_ids", "attention_mask", "token_type_ids")}
    np.testing.assert_allclose(got, model.run(**feed)["logits"], rtol=1e-5, atol=1e-5)
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("".join(f"{r[1]}\t{r[2]}\n" for r in rows))
    run = subprocess.run([find_tool("bnbert-run"), str(out / "model.bnb"), "--pairs",
                          "--text-file", str(pairs), "--output-dir", str(tmp_path / "run")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    labels = [json.loads(line)["label"] for line in run.stdout.splitlines()]
    assert labels == [report["labels"][i] for i in got.argmax(-1)]
