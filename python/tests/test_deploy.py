# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""What PyTorch trains is what the compiled bundle computes: prepared
models of several BERT-family structures, their weights and clips moved by
a few training steps, exported as QDQ ONNX, compiled with no quantization
flags and run with bnbert-run, agree with PyTorch's fake-quantized forward."""
import types

import numpy as np
import pytest
import torch
from torch import nn

import make_bert
import bnrt
from bnbert import export_onnx, exporting, prepare, tws_split
from bnbert.model import BertClassifier, BertConfig
from bnbert.deploy import ToolError
from bnbert.modules import BinaryActQuant, QuantLinear
from deploy_util import compile_model, deploy_and_compare, inputs_for, op_kinds, run_model

VOCAB, SEQ, BATCH = 64, 12, 4


def fixture_config(**kw):
    c = dict(layers=2, hidden=32, heads=4, ffn=64, vocab=VOCAB, max_pos=32,
             head="cls", gelu="erf", mask_fill="min", attention="eager",
             embedding=16, seq=SEQ, batch=BATCH)
    c.update(kw)
    return types.SimpleNamespace(**c)


class HfStyleBert(nn.Module):
    """Hugging Face's BertForSequenceClassification module names
    (bert.encoder.layer[i].attention.self.query, ...output.dense, ...)."""

    class SelfAttention(nn.Module):
        def __init__(self, h, heads):
            super().__init__()
            self.num_attention_heads, self.head = heads, h // heads
            self.query, self.key, self.value = (nn.Linear(h, h) for _ in range(3))

        def t(self, x):
            return x.view(x.size(0), x.size(1), self.num_attention_heads, self.head).permute(0, 2, 1, 3)

        def forward(self, x, bias):
            q, k, v = self.t(self.query(x)), self.t(self.key(x)), self.t(self.value(x))
            s = torch.matmul(q, k.transpose(-1, -2)) / self.head ** 0.5 + bias
            p = nn.functional.softmax(s, dim=-1)
            c = torch.matmul(p, v).permute(0, 2, 1, 3).contiguous()
            return c.view(c.size(0), c.size(1), -1)

    class Dense(nn.Module):
        def __init__(self, i, o, h):
            super().__init__()
            self.dense, self.LayerNorm = nn.Linear(i, o), nn.LayerNorm(h, eps=1e-12)

        def forward(self, x, residual):
            return self.LayerNorm(self.dense(x) + residual)

    class Layer(nn.Module):
        def __init__(self, h, heads, f):
            super().__init__()
            self.attention = nn.Module()
            self.attention.self = HfStyleBert.SelfAttention(h, heads)
            self.attention.output = HfStyleBert.Dense(h, h, h)
            self.intermediate = nn.Module()
            self.intermediate.dense = nn.Linear(h, f)
            self.output = HfStyleBert.Dense(f, h, h)

        def forward(self, x, bias):
            a = self.attention.output(self.attention.self(x, bias), x)
            return self.output(nn.functional.gelu(self.intermediate.dense(a)), a)

    def __init__(self, h=32, heads=4, f=64, layers=2, labels=3):
        super().__init__()
        self.bert = nn.Module()
        self.bert.embeddings = nn.Module()
        e = self.bert.embeddings
        e.word_embeddings, e.position_embeddings = nn.Embedding(VOCAB, h), nn.Embedding(32, h)
        e.token_type_embeddings, e.LayerNorm = nn.Embedding(2, h), nn.LayerNorm(h, eps=1e-12)
        self.bert.encoder = nn.Module()
        self.bert.encoder.layer = nn.ModuleList(self.Layer(h, heads, f) for _ in range(layers))
        self.bert.pooler = nn.Module()
        self.bert.pooler.dense = nn.Linear(h, h)
        self.classifier = nn.Linear(h, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        e = self.bert.embeddings
        pos = torch.arange(input_ids.size(1))[None]
        x = e.LayerNorm(e.word_embeddings(input_ids) + e.position_embeddings(pos) +
                        e.token_type_embeddings(token_type_ids))
        bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in self.bert.encoder.layer:
            x = layer(x, bias)
        return self.classifier(torch.tanh(self.bert.pooler.dense(x[:, 0])))


FAMILIES = {
    "bnbert": (lambda: BertClassifier(BertConfig(vocab=VOCAB, hidden=32, layers=2, heads=4,
                                                 ffn=64, max_pos=32, labels=3)), 3),
    "hf-style": (HfStyleBert, 3),
    "fixture-bert": (lambda: make_bert.Bert(fixture_config()), 3),
    "fixture-distilbert": (lambda: make_bert.DistilBert(fixture_config()), 2),
    "fixture-roberta": (lambda: make_bert.Roberta(fixture_config()), 2),
    "fixture-albert": (lambda: make_bert.Albert(fixture_config()), 3),
}
INPUT_NAMES = {3: ("input_ids", "attention_mask", "token_type_ids"),
               2: ("input_ids", "attention_mask")}


def trained_student(family, weights, act_bits, granularity="tensor", attention_bits=None):
    """A prepared model after a few optimizer steps (weights, biases and
    clips all moved from their start)."""
    build, n_inputs = FAMILIES[family]
    model = build()
    prepare(model, "ternary" if weights == "tws" else weights, act_bits, granularity,
            attention_bits=attention_bits)
    names = INPUT_NAMES[n_inputs]
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for step in range(3):
        if step == 2 and weights == "tws":
            tws_split(model)
            # Fine-tuning moves the halves apart; make their scales differ
            # clearly, so a swapped or shared scale fails.
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, QuantLinear):
                        m.weight2.mul_(1.5)
            opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        x = inputs_for(names, BATCH, SEQ, VOCAB, torch.Generator().manual_seed(step))
        loss = model(**x).float().pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    # Binarizers start at beta = mean x, near 0 after a layer norm; move
    # each threshold clearly off it, so a dropped or mis-signed beta fails.
    with torch.no_grad():
        binarizers = [m for m in model.modules() if isinstance(m, BinaryActQuant)]
        for i, m in enumerate(binarizers):
            if m.signed:
                m.beta.add_((0.4 if i % 2 else -0.3) * m.alpha)
            else:  # probabilities: the threshold among them (> 1 / SEQ)
                m.alpha.fill_(1.0 / SEQ)
                m.beta.fill_(0.6 / SEQ)
    return model.eval(), names


def assert_agrees(ref, got):
    spread = float(ref.max() - ref.min())
    diff = float(np.abs(ref - got).max())
    assert diff <= 1e-2 * spread, f"max |diff| {diff} vs logit range {spread}"
    assert (ref.argmax(-1) == got.argmax(-1)).all()
    return diff


CASES = [("ternary", 8), ("tws", 8), ("tws", 4), ("binary", 8), ("int8", 4),
         ("binary", 2), ("tws", 2), ("binary", 1), ("tws", 1)]


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("weights,act_bits", CASES)
def test_bundle_equals_torch(tmp_path, family, weights, act_bits):
    model, names = trained_student(family, weights, act_bits)
    x = inputs_for(names, BATCH, SEQ, VOCAB)
    ref, got = deploy_and_compare(tmp_path, model, x)
    assert_agrees(ref, got)
    if act_bits > 1:  # the FFN's GELU runs inside its output's quantizer
        kinds = op_kinds(tmp_path / "m.bnb", {n: v.numpy() for n, v in x.items()}, tmp_path)
        assert "Gelu" not in kinds, kinds


@pytest.mark.parametrize("family", list(FAMILIES))
def test_binary_attention_equals_torch(tmp_path, family):
    """BiT's binary attention (Q, K, V and P binarized) beside fully binary
    linears: the bundle runs AttentionBinary and agrees with PyTorch."""
    model, names = trained_student(family, "tws", 1, attention_bits=1)
    x = inputs_for(names, BATCH, SEQ, VOCAB)
    ref, got = deploy_and_compare(tmp_path, model, x)
    assert_agrees(ref, got)
    kinds = op_kinds(tmp_path / "m.bnb", {n: v.numpy() for n, v in x.items()}, tmp_path)
    assert "AttentionBinary" in kinds and "AttentionI8" not in kinds, kinds


def test_row_granularity(tmp_path):
    model, names = trained_student("bnbert", "tws", 8, "row")
    x = inputs_for(names, BATCH, SEQ, VOCAB)
    assert_agrees(*deploy_and_compare(tmp_path, model, x))


def test_no_batch_coupling(tmp_path):
    """A sentence alone and in a batch of mixed lengths: bit-identical."""
    model, names = trained_student("bnbert", "tws", 8)
    x = inputs_for(names, BATCH, SEQ, VOCAB)
    _, batched = deploy_and_compare(tmp_path, model, x)
    one = {n: v[2:3] for n, v in x.items()}
    shapes = {n: tuple(v.shape) for n, v in one.items()}
    compile_model(tmp_path / "m.onnx", tmp_path / "one.bnb", shapes)
    alone = run_model(tmp_path / "one.bnb", one)
    np.testing.assert_array_equal(alone[0], batched[2])


def test_quantized_model_refuses_requantizing_flags(tmp_path):
    model, names = trained_student("bnbert", "ternary", 8)
    x = inputs_for(names, BATCH, SEQ, VOCAB)
    deploy_and_compare(tmp_path, model, x)
    shapes = {n: tuple(v.shape) for n, v in x.items()}
    for flags, says in ((["--weights=binary"], "quantized weights"),
                        (["--split-ternary"], "quantized weights"),
                        (["--granularity=row"], "quantized weights"),
                        (["--act-bits=4"], "quantizes its activations")):
        with pytest.raises(ToolError) as refused:
            compile_model(tmp_path / "m.onnx", tmp_path / "x.bnb", shapes, flags)
        assert "(exit 1)" in str(refused.value), flags
        message = str(refused.value).split("\n", 1)[1]  # the compiler's stderr
        assert says in message and "m.onnx" in message, message


@pytest.mark.parametrize("act_bits", [8, 4])
def test_dynamic_scales_per_sequence(tmp_path, act_bits):
    """A float model compiled with --act-bits (dynamic scales): a sentence's
    logits are bit-identical alone (at its own length) and in a batch of
    mixed lengths, as the scales are per sequence over its real tokens."""
    model = BertClassifier(BertConfig(vocab=VOCAB, hidden=32, layers=2, heads=4,
                                      ffn=64, max_pos=32, labels=3)).eval()
    names = INPUT_NAMES[3]
    batch = inputs_for(names, BATCH, SEQ, VOCAB)
    export_onnx(model, tmp_path / "f.onnx", {n: (BATCH, SEQ) for n in names})
    flags = ["--weights=binary", f"--act-bits={act_bits}"]
    compile_model(tmp_path / "f.onnx", tmp_path / "batch.bnb",
                  {n: (BATCH, SEQ) for n in names}, flags)
    batched = run_model(tmp_path / "batch.bnb", batch)
    row = 2
    length = int(batch["attention_mask"][row].sum())
    alone = {n: v[row:row + 1, :length + 1] for n, v in batch.items()}
    compile_model(tmp_path / "f.onnx", tmp_path / "one.bnb",
                  {n: (1, length + 1) for n in names}, flags)
    one = run_model(tmp_path / "one.bnb", alone)
    np.testing.assert_array_equal(one[0], batched[row])


@pytest.mark.parametrize("family", ["bnbert", "fixture-roberta"])
def test_trained_model_as_a_shape_range(tmp_path, family):
    """A trained QAT export compiled for a range (batch 1..4, sequence
    2..SEQ) gives, at every shape, exactly the bundle compiled for that
    shape, and agrees with PyTorch."""
    model, names = trained_student(family, "tws", 8)
    x = inputs_for(names, BATCH, SEQ, VOCAB)
    export_onnx(model, tmp_path / "m.onnx", {n: tuple(v.shape) for n, v in x.items()})
    compile_model(tmp_path / "m.onnx", tmp_path / "range.bnb",
                  {n: (f"1..{BATCH}", f"2..{SEQ}") for n in names})
    ranged = bnrt.Model(str(tmp_path / "range.bnb"))
    for batch, seq in [(BATCH, SEQ), (1, 2), (3, 7)]:
        xs = {n: v[:batch, :seq].contiguous() for n, v in x.items()}
        xs["attention_mask"][:, 0] = 1
        compile_model(tmp_path / "m.onnx", tmp_path / "fixed.bnb",
                      {n: (batch, seq) for n in names})
        fixed = bnrt.Model(str(tmp_path / "fixed.bnb"))
        feed = {n: v.numpy() for n, v in xs.items()}
        got = ranged.run(**feed)["logits"]
        np.testing.assert_array_equal(got, fixed.run(**feed)["logits"])
        with exporting(model), torch.no_grad():
            assert_agrees(model(**xs).numpy(), got)
