# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A bundle that carries its tokenizer and label names, from Python:
bnrt.Model.labels, Model.tokenizer(), run_text with no tokenizer given;
and the tokenizer files the runtime must read as Hugging Face does (CRLF
line ends, a control character early in a vocab.txt)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bnrt
from bnbert.deploy import compile_bundle

ROOT = Path(__file__).resolve().parents[2]
PIECES = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "dog", "##s", "a"]


@pytest.fixture(scope="module")
def model_onnx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("m")
    subprocess.run([sys.executable, str(ROOT / "test" / "fixtures" / "make_bert.py"),
                    str(tmp / "m.onnx"), "--layers", "1", "--vocab", "100"],
                   check=True, capture_output=True)
    (tmp / "vocab.txt").write_text("\n".join(PIECES) + "\n")
    return tmp


def compile_with(tmp, out, flags):
    shapes = {n: ("1..4", "1..16") for n in ("input_ids", "attention_mask", "token_type_ids")}
    compile_bundle(tmp / "m.onnx", tmp / out, shapes, flags)
    return bnrt.Model(str(tmp / out))


def test_the_bundle_carries_tokenizer_and_labels(model_onnx):
    m = compile_with(model_onnx, "t.bnb", [f"--tokenizer={model_onnx / 'vocab.txt'}",
                                           "--labels=no,yes"])
    assert m.labels == ["no", "yes"]
    assert m.tokenizer().vocab_size == len(PIECES)
    texts = ["the cat sat", "dogs", "a"]
    carried = m.run_text(texts)["logits"]
    given = m.run_text(texts, bnrt.Tokenizer(str(model_onnx / "vocab.txt")))["logits"]
    assert carried.shape == (3, 2) and np.array_equal(carried, given)
    assert m.run_text([])["logits"].shape == (0, 2)


def test_a_bundle_without_them(model_onnx):
    m = compile_with(model_onnx, "plain.bnb", [])
    assert m.labels == []
    with pytest.raises(ValueError, match="carries no tokenizer"):
        m.run_text(["the cat"])


@pytest.mark.parametrize("variant", ["crlf", "control-character"])
def test_vocab_files_read_as_hugging_face_reads_them(tmp_path, variant):
    pieces = list(PIECES)
    if variant == "control-character":
        pieces[4] = "\x07"  # a stray control character early in the file
    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(pieces) + "\n")
    odd = tmp_path / "odd.txt"
    odd.write_bytes(plain.read_bytes().replace(b"\n", b"\r\n") if variant == "crlf"
                    else plain.read_bytes())
    want = bnrt.Tokenizer(str(plain)).encode("the cat sat")
    assert bnrt.Tokenizer(str(odd)).encode("the cat sat") == want
    assert bnrt.Tokenizer(str(odd)).vocab_size == len(pieces)


def test_a_folder_without_tokenizer_files_is_refused(tmp_path):
    # (A model folder holding one is read: test_tokenizer_json.py.)
    with pytest.raises(ValueError, match="is a folder without tokenizer.json"):
        bnrt.Tokenizer(str(tmp_path))
