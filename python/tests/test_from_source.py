# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The user's own model as teacher and student (--from): the trainable
GraphModel built from bnbert-compile --emit graph equals the source model
on every structure the compiler imports; quantized by structure, it
exports to a bundle that agrees with its PyTorch forward; bad inputs are
one message and exit 1."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from bnbert import exporting, tws_split
from bnbert.graph import GraphError, load_onnx, prepare_graph
from deploy_util import deploy_and_compare, inputs_for

ROOT = Path(__file__).resolve().parents[2]
MAKE_BERT = ROOT / "test" / "fixtures" / "make_bert.py"
STRUCTURES = {"bert": [], "distilbert": ["--family", "distilbert"],
              "roberta": ["--family", "roberta"], "albert": ["--family", "albert"],
              "fused": ["--fused"], "sdpa-tanh": ["--attention", "sdpa", "--gelu", "tanh"]}
SEQ = 8


def make_model(tmp_path, structure, batch=5):
    """A tiny model of `structure` as ONNX, with PyTorch's inputs and
    outputs at [batch, SEQ] (batch 5: neither of the graph's batch sizes)."""
    onnx_path, ref = tmp_path / f"{structure}.onnx", tmp_path / "ref"
    subprocess.run([sys.executable, str(MAKE_BERT), str(onnx_path), "--seq", str(SEQ),
                    "--batch", str(batch), "--reference", str(ref)] + STRUCTURES[structure],
                   check=True, capture_output=True)
    arrays = {p.stem: np.load(p) for p in ref.glob("*.npy")}
    return onnx_path, arrays


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_student_equals_source(tmp_path, structure):
    onnx_path, arrays = make_model(tmp_path, structure)
    model = load_onnx(onnx_path, SEQ)
    names = [i["name"] for i in model.inputs]
    with torch.no_grad():
        got = model(**{n: torch.from_numpy(arrays[n]) for n in names}).numpy()
    assert got.shape == arrays["logits"].shape
    assert np.abs(got - arrays["logits"]).max() <= 1e-4


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
def test_forward_runs_where_the_model_is(tmp_path, structure):
    # --device cuda: every tensor the forward makes must be made on the
    # model's device. No GPU here: PyTorch's meta device (shapes, no data)
    # stands in, and a tensor made on the CPU stops the forward.
    onnx_path, _ = make_model(tmp_path, structure)
    model = load_onnx(onnx_path, SEQ).to("meta")
    inputs = {i["name"]: torch.ones(3, SEQ, dtype=torch.int64, device="meta")
              for i in model.inputs}
    assert model(**inputs).device.type == "meta"


@pytest.mark.parametrize("structure", ["bert", "roberta", "fused"])
def test_student_runs_shorter_sequences(tmp_path, structure):
    # Built at sequence 8, run at 5: constants along the sequence (position
    # ids) and shapes follow the input.
    onnx_path, arrays = make_model(tmp_path, structure)
    model = load_onnx(onnx_path, SEQ)
    short = tmp_path / "short"
    subprocess.run([sys.executable, str(MAKE_BERT), str(tmp_path / "s.onnx"), "--seq", "5",
                    "--batch", "3", "--reference", str(short)] + STRUCTURES[structure],
                   check=True, capture_output=True)
    ref = {p.stem: np.load(p) for p in short.glob("*.npy")}
    with torch.no_grad():
        got = model(**{i["name"]: torch.from_numpy(ref[i["name"]]) for i in model.inputs})
    assert np.abs(got.numpy() - ref["logits"]).max() <= 1e-4
    with pytest.raises(GraphError, match="the model runs 1..8"):
        model(**{i["name"]: torch.zeros(2, 9, dtype=torch.int64) for i in model.inputs})


@pytest.mark.parametrize("structure", ["bert", "distilbert", "albert", "fused"])
def test_quantized_by_structure_deploys_exactly(tmp_path, structure):
    onnx_path, _ = make_model(tmp_path, structure)
    model = load_onnx(onnx_path, SEQ)
    table = prepare_graph(model, "ternary", 8)
    kinds = [row[0] for row in table]
    assert kinds.count("attention") == 2 and "embedding" in kinds
    assert sum(1 for row in table if row[3].startswith("float")) == 1  # the classifier
    inputs = inputs_for([i["name"] for i in model.inputs], 4, SEQ, 100)
    model.train()
    with torch.no_grad():
        model(**inputs)  # the activation clips start from real data
    tws_split(model)
    ref, got = deploy_and_compare(tmp_path, model, inputs)
    assert (ref.argmax(-1) == got.argmax(-1)).mean() >= 0.995
    assert np.abs(ref - got).max() <= 1e-3 * max(1.0, np.abs(ref).max())


def test_weights_shared_by_albert_stay_shared(tmp_path):
    onnx_path, _ = make_model(tmp_path, "albert")
    model = load_onnx(onnx_path, SEQ)
    per_layer = 6  # q, k, v, attention output, intermediate, output
    # 2 layers share one set; plus the embedding projection, pooler, classifier
    assert len(model.linears) == per_layer + 3


def test_not_a_model_is_one_message(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx file")
    with pytest.raises(GraphError, match="bad.onnx"):
        load_onnx(bad, SEQ)


def train_cli(tmp_path, model, vocab, labels=None, label="a"):
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "a b c", "label": "%s"}\n{"text": "b c", "label": "b"}\n' % label)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "bnbert.train", "--from", str(model), "--tokenizer",
           str(vocab), "--train", str(data), "--dev", str(data), "--test", str(data),
           "--out", str(out), "--seq", str(SEQ)] + (["--labels", labels] if labels else [])
    done = subprocess.run(cmd, cwd=ROOT / "python", capture_output=True, text=True)
    return done, out


def write_vocab(path, size):
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]
    path.write_text("\n".join(specials + [f"w{i}" for i in range(size - len(specials))]) + "\n")
    return path


@pytest.mark.parametrize("case", ["not-onnx", "tokenizer-too-large", "labels-count",
                                  "label-unknown"])
def test_bad_input_is_one_message(tmp_path, case):
    model, _ = make_model(tmp_path, "bert")  # vocab 100, 2 logits
    vocab = write_vocab(tmp_path / "vocab.txt", 150 if case == "tokenizer-too-large" else 50)
    expect = {"not-onnx": "bad.onnx", "tokenizer-too-large": "vocab.txt",
              "labels-count": "--labels", "label-unknown": "'zz'"}[case]
    if case == "not-onnx":
        model = tmp_path / "bad.onnx"
        model.write_bytes(b"\x08garbage")
    done, out = train_cli(tmp_path, model, vocab,
                          labels="a,b,c" if case == "labels-count" else "a,b",
                          label="zz" if case == "label-unknown" else "a")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    error = [line for line in lines if line.startswith("bnbert.train:")]
    assert len(error) == 1 and expect in error[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()  # nothing half-written


def test_a_difference_is_located_at_its_layer(tmp_path):
    # The student's third layer norm is changed: the check names it.
    from bnbert.train import locate_difference
    onnx_path, _ = make_model(tmp_path, "bert")
    model = load_onnx(onnx_path, SEQ)
    names = [i["name"] for i in model.inputs]
    inputs = inputs_for(names, 2, SEQ, 100)
    shapes = {n: (2, SEQ) for n in names}
    assert "every layer norm agrees" in locate_difference(model, onnx_path, shapes, inputs)
    # The untrained fixture's layer norms read one merged all-zeros bias
    # constant: the third layer norm's own parameter moves alone.
    third = [key for kind, key, *_ in model.program if kind == "bnq.layer_norm"][2]
    with torch.no_grad():
        model.norms[third].bias += 0.01
    where = locate_difference(model, onnx_path, shapes, inputs)
    assert where.startswith("the first layer that differs is layer norm 2 ("), where
