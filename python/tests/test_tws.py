# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Ternary weight splitting: the halves sum to the latent weight, their
binarizations sum to the ternary weight, and a split model computes what
the ternary model computed (to float rounding)."""
import pytest
import torch

from bnbert import prepare, tws_split
from bnbert import quantizers as Q
from bnbert.model import BertClassifier, BertConfig
from bnbert.modules import QuantLinear


@pytest.mark.parametrize("per_row", [False, True])
def test_halves(per_row):
    w = torch.randn(9, 17) * 0.05
    w[4] = 0  # an all-zero group
    h1, h2 = Q.tws_halves(w, per_row)
    assert torch.allclose((h1 + h2).float(), w, atol=1e-7)
    ternary = Q.dequantize(*Q.twn(w, per_row)).double()
    split = Q.dequantize(*Q.bwn(h1, per_row)).double() + Q.dequantize(*Q.bwn(h2, per_row)).double()
    rows = [r for r in range(9) if r != 4] if per_row else list(range(9))
    assert torch.allclose(split[rows], ternary[rows], atol=1e-6)
    # The split signs are the ternary weight's: b1 = (t >= 0), b2 = (t > 0).
    t = Q.twn(w, per_row)[0]
    assert torch.equal(Q.bwn(h1, per_row)[0][rows], torch.where(t >= 0, 1, -1).to(torch.int8)[rows])
    assert torch.equal(Q.bwn(h2, per_row)[0][rows], torch.where(t > 0, 1, -1).to(torch.int8)[rows])


@pytest.mark.parametrize("granularity", ["tensor", "row"])
def test_split_model_equals_ternary(granularity):
    model = BertClassifier(BertConfig(vocab=50, hidden=32, layers=2, heads=4, ffn=64,
                                      max_pos=16, labels=3))
    prepare(model, "ternary", 8, granularity)
    ids = torch.randint(4, 50, (3, 10))
    x = {"input_ids": ids, "attention_mask": torch.ones_like(ids),
         "token_type_ids": torch.zeros_like(ids)}
    model.train()
    model(**x)  # initializes the clips
    model.eval()
    with torch.no_grad():
        before = model(**x)
        tws_split(model)
        after = model(**x)
    assert all(m.mode == "tws" for m in model.modules() if isinstance(m, QuantLinear))
    assert torch.allclose(before, after, atol=1e-6 * before.abs().max().item() + 1e-9)
    assert not torch.equal(before, torch.zeros_like(before))


def test_split_needs_ternary():
    model = BertClassifier(BertConfig(vocab=50, hidden=32, layers=1, heads=4, ffn=64,
                                      max_pos=16, labels=3))
    prepare(model, "binary", 8)
    with pytest.raises(ValueError, match="no ternary QuantLinear"):
        tws_split(model)


def test_prepare_rejects_bad_options():
    model = BertClassifier(BertConfig(vocab=50, hidden=32, layers=1, heads=4, ffn=64,
                                      max_pos=16, labels=3))
    with pytest.raises(ValueError, match="weights must be"):
        prepare(model, "quaternary")
    with pytest.raises(ValueError, match="act_bits"):
        prepare(model, "binary", act_bits=0)
    with pytest.raises(ValueError, match="attention_bits"):
        prepare(model, "binary", act_bits=1, attention_bits=0)
