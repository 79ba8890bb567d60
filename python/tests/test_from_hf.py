# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Hugging Face checkpoint folders as --from sources, read without the
transformers package: a folder the test writes from make_bert.py's
independent model of each structure (its weights renamed to Hugging
Face's parameter names, config.json, model.safetensors or
pytorch_model.bin, vocab.txt) loads to a model equal to it, whose ONNX
export the trainer raises to an equal GraphModel; bad folders are one
message."""
import json
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from bnbert.graph import load_onnx
from bnbert.hf import Checkpoint, CheckpointError
from make_bert import Albert, Bert, DistilBert, Roberta

ROOT = Path(__file__).resolve().parents[2]
C = SimpleNamespace(vocab=100, hidden=32, layers=2, heads=4, ffn=64, max_pos=64, head="cls",
                    gelu="erf", attention="eager", mask_fill="min", embedding=16)
LAYER = [(r"attention\.(query|key|value)", r"attention.self.\2"),
         (r"attention_output", "attention.output.dense"),
         (r"attention_norm", "attention.output.LayerNorm"),
         (r"intermediate", "intermediate.dense"), (r"output_norm", "output.LayerNorm"),
         (r"output", "output.dense")]
RENAMES = {
    "bert": [(r"^embeddings\.", "bert.embeddings.")] +
            [(rf"layers\.(\d+)\.{a}\b", rf"bert.encoder.layer.\1.{b}") for a, b in LAYER] +
            [(r"^pooler", "bert.pooler.dense")],
    "roberta": [(r"^(word|position|token_type)_embeddings", r"roberta.embeddings.\1_embeddings"),
                (r"^LayerNorm", "roberta.embeddings.LayerNorm")] +
               [(rf"layers\.(\d+)\.{a}\b", rf"roberta.encoder.layer.\1.{b}") for a, b in LAYER] +
               [(r"^dense", "classifier.dense"), (r"^out_proj", "classifier.out_proj")],
    "distilbert": [(r"^(word|position)_embeddings", r"distilbert.embeddings.\1_embeddings"),
                   (r"^LayerNorm", "distilbert.embeddings.LayerNorm")] +
                  [(rf"layers\.(\d+)\.{a}\b", rf"distilbert.transformer.layer.\1.{b}")
                   for a, b in [(r"attention\.query", "attention.q_lin"),
                                (r"attention\.key", "attention.k_lin"),
                                (r"attention\.value", "attention.v_lin"),
                                ("attention_output", "attention.out_lin"),
                                ("attention_norm", "sa_layer_norm"),
                                ("intermediate", "ffn.lin1"),
                                ("output_norm", "output_layer_norm"), ("output", "ffn.lin2")]],
    "albert": [(r"^(word|position|token_type)_embeddings", r"albert.embeddings.\1_embeddings"),
               (r"^LayerNorm", "albert.embeddings.LayerNorm"),
               (r"^embedding_hidden", "albert.encoder.embedding_hidden"),
               (r"^pooler", "albert.pooler")] +
              [(rf"^layer\.{a}\b", f"albert.encoder.albert_layer_groups.0.albert_layers.0.{b}")
               for a, b in [(r"attention\.(query|key|value)", r"attention.\1"),
                            ("attention_output", "attention.dense"),
                            ("attention_norm", "attention.LayerNorm"),
                            ("intermediate", "ffn"), ("output_norm", "full_layer_layer_norm"),
                            ("output", "ffn_output")]],
}
CONFIGS = {
    "bert": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "intermediate_size": 64, "max_position_embeddings": 64, "type_vocab_size": 2,
             "hidden_act": "gelu", "layer_norm_eps": 1e-12},
    "distilbert": {"dim": 32, "n_layers": 2, "n_heads": 4, "hidden_dim": 64,
                   "max_position_embeddings": 64, "activation": "gelu"},
    "albert": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
               "intermediate_size": 64, "max_position_embeddings": 64, "embedding_size": 16,
               "hidden_act": "gelu", "num_hidden_groups": 1, "inner_group_num": 1},
}
CONFIGS["roberta"] = dict(CONFIGS["bert"], type_vocab_size=1, layer_norm_eps=1e-5,
                          pad_token_id=1, max_position_embeddings=66)
MODELS = {"bert": Bert, "distilbert": DistilBert, "roberta": Roberta, "albert": Albert}
ARCH = {"bert": "Bert", "distilbert": "DistilBert", "roberta": "Roberta", "albert": "Albert"}


def hf_name(family, name):
    for pattern, replacement in RENAMES[family]:
        new = re.sub(pattern, replacement, name)
        if new != name:
            return new
    return name  # classifier, pre_classifier


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().numpy().astype(np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_folder(folder, family, weights="safetensors"):
    """make_bert.py's model of `family` as a Hugging Face folder; returns it."""
    torch.manual_seed(0)
    model = MODELS[family](C).eval()
    folder.mkdir()
    state = {hf_name(family, k): v for k, v in model.state_dict().items()}
    if weights == "safetensors":
        write_safetensors(folder / "model.safetensors", state)
    else:
        torch.save(state, folder / "pytorch_model.bin")
    config = dict(CONFIGS[family], model_type=family, vocab_size=100,
                  architectures=[f"{ARCH[family]}ForSequenceClassification"],
                  id2label={"0": "negative", "1": "positive"})
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]"] +
                                                [f"w{i}" for i in range(60)]) + "\n")
    return model


def inputs_of(names, batch=5, seq=8):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(4, 100, (batch, seq), generator=g)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    mask[-1, seq // 2:] = 0
    ids[mask == 0] = 1
    values = {"input_ids": ids, "attention_mask": mask,
              "token_type_ids": torch.zeros_like(ids)}
    return {n: values[n] for n in names}


@pytest.mark.parametrize("family,weights", [("bert", "safetensors"), ("bert", "bin"),
                                            ("distilbert", "safetensors"),
                                            ("roberta", "safetensors"),
                                            ("albert", "safetensors")])
def test_folder_loads_equal_to_the_model(tmp_path, family, weights):
    reference = write_folder(tmp_path / "hf", family, weights)
    ckpt = Checkpoint(tmp_path / "hf")
    assert ckpt.labels == ["negative", "positive"] and ckpt.tokenizer.name == "vocab.txt"
    inputs = inputs_of(ckpt.inputs)
    with torch.no_grad():
        want = reference(*inputs.values())
        got = ckpt.model(**inputs)
    assert torch.abs(got - want).max() <= 1e-5
    # The trainer's path: ONNX export, raised by the compiler, run by torch.
    student = load_onnx(ckpt.export(tmp_path / "m.onnx", 8), 8)
    with torch.no_grad():
        raised = student(**inputs)
    assert torch.abs(raised - want).max() <= 1e-4


def test_bad_folders_are_named(tmp_path):
    write_folder(tmp_path / "hf", "bert")
    config = json.loads((tmp_path / "hf" / "config.json").read_text())
    for change, expect in [({"model_type": "gpt2"}, "model_type 'gpt2'"),
                           ({"architectures": ["BertForMaskedLM"]}, "ForSequenceClassification"),
                           ({"hidden_size": 48}, "config.json makes it")]:
        (tmp_path / "hf" / "config.json").write_text(json.dumps(dict(config, **change)))
        with pytest.raises(CheckpointError, match=expect):
            Checkpoint(tmp_path / "hf")
    (tmp_path / "hf" / "config.json").write_text(json.dumps(config))
    (tmp_path / "hf" / "vocab.txt").unlink()
    (tmp_path / "hf" / "tokenizer.json").write_text("{}")
    ckpt = Checkpoint(tmp_path / "hf")  # readable; --tokenizer must name one
    assert ckpt.tokenizer is None
    assert "tokenizer.json, which the runtime does not read yet" in ckpt.tokenizer_problem
    with pytest.raises(CheckpointError, match="no config.json"):
        Checkpoint(tmp_path)


@pytest.mark.parametrize("case", ["another model type", "tokenizer.json only"])
def test_train_from_a_bad_folder_is_one_message(tmp_path, case):
    write_folder(tmp_path / "hf", "bert")
    if case == "another model type":
        config = json.loads((tmp_path / "hf" / "config.json").read_text())
        (tmp_path / "hf" / "config.json").write_text(json.dumps(dict(config, model_type="t5")))
        expect = "model_type 't5'"
    else:
        (tmp_path / "hf" / "vocab.txt").rename(tmp_path / "hf" / "tokenizer.json")
        expect = "tokenizer.json, which the runtime does not read yet"
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "w1 w2", "label": 0}\n{"text": "w3", "label": 1}\n')
    done = subprocess.run([sys.executable, "-m", "bnbert.train", "--from", str(tmp_path / "hf"),
                           "--train", str(data), "--dev", str(data), "--test", str(data),
                           "--out", str(tmp_path / "out"), "--seq", "8"],
                          cwd=ROOT / "python", capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert expect in done.stderr and not (tmp_path / "out").exists()


def test_a_folder_without_a_readable_tokenizer_takes_one_given(tmp_path):
    write_folder(tmp_path / "hf", "bert")
    vocab = tmp_path / "vocab.txt"
    (tmp_path / "hf" / "vocab.txt").rename(vocab)
    (tmp_path / "hf" / "tokenizer.json").write_text("{}")
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "w1 w2", "label": "zz"}\n')
    done = subprocess.run([sys.executable, "-m", "bnbert.train", "--from", str(tmp_path / "hf"),
                           "--tokenizer", str(vocab), "--train", str(data), "--dev", str(data),
                           "--test", str(data), "--out", str(tmp_path / "out"), "--seq", "8"],
                          cwd=ROOT / "python", capture_output=True, text=True)
    # Past the folder and its tokenizer: the label is what stops it.
    assert done.returncode == 1 and "has label 'zz'" in done.stderr, done.stderr[-2000:]
