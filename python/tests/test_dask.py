# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Bulk scoring on Dask (examples/dask/score_corpus.py): a corpus of real
quotes scored on a LocalCluster of 2 worker processes equals a
single-process run line for line, and each worker loads the model once."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bnrt
from bnbert.deploy import compile_bundle
from text_reference import HARD_CASES, fortunes_corpus, write_vocab

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "dask"))
import score_corpus  # noqa: E402

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.skipif(not bnrt._lib.bnrt_text_available(),
                                reason="libbnrt built without tokenizers")
NAMES = ("input_ids", "attention_mask", "token_type_ids")


def test_dask_scoring_equals_a_single_process_run(tmp_path, monkeypatch):
    texts = fortunes_corpus(300) + HARD_CASES
    vocab_path = tmp_path / "vocab.txt"
    vocab = write_vocab(vocab_path, texts[:200], lowercase=True)
    subprocess.run([sys.executable, str(ROOT / "test" / "fixtures" / "make_bert.py"),
                    str(tmp_path / "m.onnx"), "--layers", "2", "--hidden", "32",
                    "--heads", "4", "--ffn", "64", "--seq", "32", "--vocab",
                    str(len(vocab))], check=True, capture_output=True)
    model = tmp_path / "m.bnb"
    compile_bundle(tmp_path / "m.onnx", model,
                   {n: ("1..4", "2..32") for n in NAMES})
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text("".join(f"q{i:04d}\t{' '.join(t.splitlines())}\n"
                              for i, t in enumerate(texts)), encoding="utf-8")

    want = score_corpus.score_lines(corpus.read_text(encoding="utf-8").splitlines(),
                                    str(model), str(vocab_path))
    assert len(want) == len(texts)

    # Worker processes import bnrt and the example as this process does.
    path = [str(ROOT / "python"), str(ROOT / "examples" / "dask")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path + [os.environ.get("PYTHONPATH", "")]))
    from dask.distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        parts = score_corpus.score_corpus(client, model, vocab_path, str(corpus),
                                          tmp_path / "out", blocksize="6KiB")
        loads = client.run(lambda: len(__import__("score_corpus")._loaded))
    assert len(parts) >= 4
    got = [line for part in sorted(parts)
           for line in Path(part).read_text(encoding="utf-8").splitlines()]
    assert got == want
    assert sorted(loads.values()) == [1, 1]  # one load per worker, both used


def test_a_model_whose_logits_have_another_name(tmp_path):
    import onnx
    texts = HARD_CASES[:3]
    vocab_path = tmp_path / "vocab.txt"
    vocab = write_vocab(vocab_path, fortunes_corpus(50), lowercase=True)
    subprocess.run([sys.executable, str(ROOT / "test" / "fixtures" / "make_bert.py"),
                    str(tmp_path / "m.onnx"), "--layers", "1", "--vocab", str(len(vocab))],
                   check=True, capture_output=True)
    m = onnx.load(str(tmp_path / "m.onnx"))  # its one output renamed "output"
    for node in m.graph.node:
        node.output[:] = ["output" if o == "logits" else o for o in node.output]
    m.graph.output[0].name = "output"
    onnx.save(m, str(tmp_path / "renamed.onnx"))
    compile_bundle(tmp_path / "renamed.onnx", tmp_path / "m.bnb",
                   {n: ("1..4", "2..16") for n in NAMES})
    assert bnrt.Model(str(tmp_path / "m.bnb")).logits_output == "output"
    lines = score_corpus.score_lines([f"q{i}\t{t}" for i, t in enumerate(texts)],
                                     str(tmp_path / "m.bnb"), str(vocab_path))
    assert [line.split("\t")[0] for line in lines] == ["q0", "q1", "q2"]
