# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""--from end to end, CI-sized: a teacher trained and exported to ONNX
outside the loop (make_bert.py's BERT, another shape than the trainer's
default, a WordPiece vocabulary), then python3 -m bnbert.train --from it.
The compiled binary model must stay near the teacher, agree with it and
with PyTorch's fake-quantized forward."""
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional as F

import bnrt
from bnbert.deploy import find_tool
from make_bert import Bert
from test_train_e2e import FILLER, TOPICS, write_splits

ROOT = Path(__file__).resolve().parents[2]
SEQ = 24


def train_teacher(tmp_path):
    """A 2-layer BERT (hidden 48, 3 heads) fine-tuned on the topic task
    with a whole-word WordPiece vocabulary; returns (onnx, vocab, labels)."""
    words = sorted({w for ws in TOPICS.values() for w in ws} | set(FILLER))
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words) + "\n")
    tokenizer = bnrt.Tokenizer(str(vocab))
    labels = sorted(TOPICS)
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    enc = tokenizer.encode_batch([r["text"] for r in rows], SEQ, SEQ)
    x = {k: torch.from_numpy(v) for k, v in enc.items()}
    y = torch.tensor([labels.index(r["label"]) for r in rows])
    torch.manual_seed(0)
    c = SimpleNamespace(vocab=tokenizer.vocab_size, hidden=48, layers=2, heads=3, ffn=96,
                        max_pos=SEQ, head="cls", gelu="erf", attention="eager")
    model = Bert(c)
    model.classifier = nn.Linear(c.hidden, len(labels))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(4):
        for i in range(0, len(y), 32):
            b = slice(i, i + 32)
            loss = F.cross_entropy(model(x["input_ids"][b], x["attention_mask"][b],
                                         x["token_type_ids"][b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    onnx_path = tmp_path / "teacher.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = tuple(x[n][:2] for n in names)
    torch.onnx.export(model, example, str(onnx_path), input_names=names,
                      output_names=["logits"], opset_version=14,
                      dynamic_axes={n: {0: "b", 1: "s"} for n in names})
    return onnx_path, vocab, labels


def task_and_teacher(tmp_path):
    """The topic task's train/dev/test jsonl in tmp_path, and its teacher."""
    return train_teacher(write_splits(tmp_path))


def train_from(tmp_path, teacher, train, dev, test, *flags):
    """python3 -m bnbert.train --from the teacher (onnx, vocab, labels) on
    the named files of tmp_path, into tmp_path/out; returns its report."""
    onnx_path, vocab, labels = teacher
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "bnbert.train", "--from", str(onnx_path),
           "--tokenizer", str(vocab), "--labels", ",".join(labels),
           "--train", str(tmp_path / train), "--dev", str(tmp_path / dev),
           "--test", str(tmp_path / test), "--out", str(out), "--seq", str(SEQ),
           "--threads", "2", "--eval-batch", "100", *flags]
    done = subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "report.json").read_text())


def test_train_from_onnx(tmp_path):
    teacher = task_and_teacher(tmp_path)
    labels, out = teacher[2], tmp_path / "out"
    report = train_from(tmp_path, teacher, "train.jsonl", "dev.jsonl", "test.jsonl",
                        "--epochs", "2")
    print(json.dumps({k: report[k] for k in ("test_accuracy", "teacher_accuracy",
                                             "teacher_fidelity", "agreement_with_teacher")}))
    acc = report["test_accuracy"]
    assert report["teacher_fidelity"] <= 1e-4
    assert report["teacher_accuracy"] >= 0.9
    assert acc["binary"] >= report["teacher_accuracy"] - 0.05
    assert report["agreement_with_teacher"] >= 0.9
    assert report["agreement_with_torch"] >= 0.995
    assert report["labels"] == labels
    assert sum(1 for row in report["quantized"] if row["as"].startswith("float")) == 1
    # The bundle carries its tokenizer and label names: text in, names out.
    texts = ["the judge read the verdict to the court", "honey and bread with cheese"]
    run = subprocess.run([find_tool("bnbert-run"), str(out / "model.bnb"), "--text", texts[0],
                          "--text", texts[1], "--output-dir", str(tmp_path / "run")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["label"] for line in lines] == ["law", "food"]
    model = bnrt.Model(str(out / "model.bnb"))
    assert model.labels == labels
    ids = next(i for i in model.inputs if i.name == "input_ids")
    assert ids.min_shape == (1, 1) and ids.max_shape == (100, SEQ)  # a shape range
    logits = model.run_text(texts)["logits"]
    assert [labels[i] for i in logits.argmax(-1)] == ["law", "food"]


def test_train_from_onnx_without_labels(tmp_path):
    """Label-free distillation: training and dev lines without labels (the
    teacher's logits are the only target), a test set half labelled."""
    teacher = task_and_teacher(tmp_path)
    for name in ("train", "dev"):
        rows = [json.loads(line) for line in (tmp_path / f"{name}.jsonl").read_text().splitlines()]
        (tmp_path / f"{name}-nolabel.jsonl").write_text(
            "".join(json.dumps({"text": r["text"]}) + "\n" for r in rows))
    rows = [json.loads(line) for line in (tmp_path / "test.jsonl").read_text().splitlines()]
    (tmp_path / "test-half.jsonl").write_text("".join(
        json.dumps(r if i % 2 else {"text": r["text"]}) + "\n" for i, r in enumerate(rows)))
    report = train_from(tmp_path, teacher, "train-nolabel.jsonl", "dev-nolabel.jsonl",
                        "test-half.jsonl", "--epochs", "2")
    assert report["labelled"] == {"train": 0, "dev": 0, "test": 200}
    assert report["dev_metric"] == "agreement_with_teacher"
    assert report["test_metric"] == "accuracy"  # on the 200 labelled test lines
    assert report["test_accuracy"]["binary"] >= report["teacher_accuracy"] - 0.05
    assert report["agreement_with_teacher"] >= 0.9


def test_train_from_onnx_by_reconstruction(tmp_path):
    """--recipe reconstruct without labels: one epoch per stage of block
    reconstruction closes the post-training gap of the binary model."""
    teacher = task_and_teacher(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    (tmp_path / "train-nolabel.jsonl").write_text(
        "".join(json.dumps({"text": r["text"]}) + "\n" for r in rows))
    report = train_from(tmp_path, teacher, "train-nolabel.jsonl", "dev.jsonl", "test.jsonl",
                        "--recipe", "reconstruct", "--epochs", "1")
    acc = report["test_accuracy"]
    print(json.dumps({k: report[k] for k in ("test_accuracy", "stage_minutes")}))
    assert report["recipe"] == "reconstruct"
    assert report["agreement_with_torch"] >= 0.995
    gap = report["teacher_accuracy"] - acc["ptq_tws"]
    assert acc["binary"] >= acc["ptq_tws"] + gap / 2 - 0.02, acc
