# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""python3 -m bnbert.train's error contract, as bad-flags.test holds the C++
tools to theirs: each anticipated failure exits 1 with one line on stderr
naming the file or flag, and no traceback."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def write_rows(path, n=8):
    path.write_text("".join(json.dumps({"text": f"text number {i}", "label": i % 2}) + "\n"
                            for i in range(n)))
    return path


CASES = ["non-UTF-8 training file", "missing training file", "a directory as training file",
         "--out is a file", "--out under a non-directory", "--from not a model",
         "unlabelled line from scratch", "tsv without a known text column",
         "tsv line with too few fields", "pairs mixed with single texts"]


def case(tmp, name):
    """(flags to change, text the error line must hold) of case `name`."""
    latin1 = tmp / "latin1.jsonl"
    latin1.write_bytes(b'{"text": "caf\xe9", "label": 0}\n')
    a_file = tmp / "a-file"
    a_file.write_text("x")
    unlabelled = tmp / "unlabelled.jsonl"
    unlabelled.write_text('{"text": "a", "label": 0}\n{"text": "b"}\n{"text": "c", "label": 1}\n')
    no_text = tmp / "no-text.tsv"
    no_text.write_text("question\tsentence\tlabel\nwhy?\tbecause.\t1\n")
    short = tmp / "short.tsv"
    short.write_text("sentence\tlabel\nfine\t0\nno label here\n")
    mixed = tmp / "mixed.jsonl"
    mixed.write_text('{"text": "a", "text_pair": "b", "label": 0}\n{"text": "c", "label": 1}\n')
    return {
        "non-UTF-8 training file": ({"--train": latin1}, "latin1.jsonl:1: not UTF-8"),
        "missing training file": ({"--train": tmp / "none.jsonl"}, "none.jsonl: cannot read"),
        "a directory as training file": ({"--train": tmp}, "a directory, not a data file"),
        "--out is a file": ({"--out": a_file}, "is a file, not a directory"),
        "--out under a non-directory": ({"--out": Path("/dev/null/out")}, "is not writable"),
        "--from not a model": ({"--from": a_file, "--tokenizer": a_file}, "a-file"),
        "unlabelled line from scratch": ({"--train": unlabelled},
                                         "unlabelled.jsonl: a line without a label"),
        "tsv without a known text column": (
            {"--train": no_text}, "no-text.tsv: which column is the text? The header has "
                                  "question, sentence, label"),
        "tsv line with too few fields": ({"--train": short},
                                         "short.tsv:3: 1 fields, the header has 2"),
        "pairs mixed with single texts": ({"--train": mixed},
                                          "mixed.jsonl: example 2 is a single text, but"),
    }[name]


def run(tmp, change):
    good = write_rows(tmp / "good.jsonl")
    flags = {"--train": good, "--dev": good, "--test": good, "--out": tmp / "out"}
    flags.update(change)
    argv = [sys.executable, "-m", "bnbert.train", "--layers", "1", "--hidden", "16",
            "--heads", "2", "--ffn", "32", "--seq", "8"]
    if "--from" in flags:
        argv = argv[:3]
    for flag, value in flags.items():
        argv += [flag, str(value)]
    return subprocess.run(argv, cwd=ROOT / "python", capture_output=True, text=True)


@pytest.mark.parametrize("name", CASES)
def test_one_line_and_exit_1(tmp_path, name):
    change, expect = case(tmp_path, name)
    done = run(tmp_path, change)
    assert done.returncode == 1, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("bnbert.train:")]
    assert len(errors) == 1 and expect in errors[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


@pytest.mark.parametrize("device, expect", [
    ("cuda", "--device cuda: this PyTorch sees no GPU"),
    ("tpu", "--device 'tpu': expected cpu, cuda or cuda:N"),
    ("mps", "--device 'mps': bnbert.train trains on cpu or cuda")])
def test_a_device_it_cannot_train_on_is_a_usage_error(tmp_path, device, expect):
    import torch
    if device == "cuda" and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    done = run(tmp_path, {"--device": device})
    assert done.returncode == 2 and expect in done.stderr.splitlines()[-1], done.stderr
    assert not (tmp_path / "out").exists()
