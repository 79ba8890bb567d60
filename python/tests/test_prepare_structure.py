# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""prepare() on a BERT whose modules have foreign names (linears q, k, v,
o; attention module `mix`; head `cls`): with example inputs it finds the
attention, its Q/K/V and the classifier by structure, reports them, and
the exported model deploys exactly; export refuses a float linear that
prepare did not keep."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from bnbert import prepare, quantization_table
from bnbert.export import export_onnx
from deploy_util import deploy_and_compare, inputs_for


class Mix(nn.Module):
    def __init__(self, h, heads):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))

    def forward(self, x, bias):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + bias, -1)
        return self.o((p @ v).transpose(1, 2).reshape(b, s, h))


class Block(nn.Module):
    def __init__(self, h):
        super().__init__()
        self.mix, self.n1 = Mix(h, 4), nn.LayerNorm(h)
        self.up, self.down, self.n2 = nn.Linear(h, 2 * h), nn.Linear(2 * h, h), nn.LayerNorm(h)

    def forward(self, x, bias):
        x = self.n1(x + self.mix(x, bias))
        return self.n2(x + self.down(nn.functional.gelu(self.up(x))))


class Foreign(nn.Module):
    def __init__(self, vocab=100, h=32):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, h), nn.Embedding(64, h)
        self.blocks = nn.ModuleList(Block(h) for _ in range(2))
        self.cls = nn.Linear(h, 3)

    def forward(self, input_ids, attention_mask):
        x = self.tok(input_ids) + self.pos(torch.arange(input_ids.size(1)))[None]
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for block in self.blocks:
            x = block(x, bias)
        return self.cls(x[:, 0])


def test_structure_found_whatever_the_names(tmp_path):
    torch.manual_seed(0)
    model = Foreign()
    inputs = inputs_for(["input_ids", "attention_mask"], 4, 12, 100)
    prepare(model, "ternary", 8, example_inputs=inputs)
    table = {row[0]: row[3] for row in quantization_table(model)}
    assert table["cls"].startswith("float (kept by structure)")
    for name in ("q", "k", "v"):
        assert table[f"blocks.0.mix.{name}"].endswith("output (Q/K/V)")
    assert not table["blocks.0.mix.o"].endswith("(Q/K/V)")
    assert sum(1 for row in quantization_table(model) if row[1] == "attention") == 2
    assert table["tok"] == "ternary per row"
    model.train()
    with torch.no_grad():
        model(**inputs)  # the activation clips start from real data
    ref, got = deploy_and_compare(tmp_path, model, inputs)
    assert (ref.argmax(-1) == got.argmax(-1)).mean() >= 0.995
    assert np.abs(ref - got).max() <= 1e-3 * max(1.0, np.abs(ref).max())


def test_without_example_inputs_the_names_decide_and_say_so(tmp_path):
    model = Foreign()
    prepare(model, "binary", 8, keep=("cls",))
    rows = quantization_table(model)
    assert any("none found" in row[3] for row in rows if row[1] == "attention")
    assert dict((r[0], r[3]) for r in rows)["cls"] == "float (kept by name)"


def test_export_refuses_a_linear_prepare_did_not_see(tmp_path):
    model = Foreign()
    inputs = inputs_for(["input_ids", "attention_mask"], 2, 8, 100)
    prepare(model, "binary", 8, example_inputs=inputs)
    model.blocks[0].extra = nn.Linear(32, 32)
    with pytest.raises(ValueError, match="blocks.0.extra"):
        export_onnx(model, tmp_path / "m.onnx", {n: (2, 8) for n in inputs})
