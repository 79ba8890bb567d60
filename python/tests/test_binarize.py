# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""BiT's elastic binarization, defined once (docs/dialect.md): the
trainer's (bnbert.quantizers) bits against the runtime's
(bnrt_binarize_rows) on the same float32 values, bit for bit, at the
boundaries too; its gradients; and a fully binary linear through the
runtime's kernel (bnrt_xgemm) against the same products in PyTorch."""
import ctypes

import numpy as np
import pytest
import torch

from bnbert import quantizers as Q
from bnrt._capi import library_path

U64P = ctypes.POINTER(ctypes.c_uint64)


@pytest.fixture(scope="module")
def lib():
    lib = ctypes.CDLL(library_path())
    lib.bnrt_binarize_rows.argtypes = [
        ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
        ctypes.c_float, ctypes.c_float, ctypes.c_int, ctypes.c_void_p]
    lib.bnrt_binarize_rows.restype = None
    return lib


def runtime_bits(lib, x, alpha, beta, signed):
    x = np.ascontiguousarray(x, dtype=np.float32)
    rows, k = x.shape
    words = (k + 63) // 64
    out = np.full((rows, words), 0xFFFF, dtype=np.uint64)  # overwritten
    lib.bnrt_binarize_rows(x.ctypes.data, rows, k, k, alpha, beta, int(signed),
                           out.ctypes.data)
    bits = np.unpackbits(out.view(np.uint8), bitorder="little").reshape(rows, -1)
    return bits[:, :k].astype(bool), bits[:, k:]


def crossing(predicate, start, toward):
    """The two adjacent float32 values from start toward +-inf where
    predicate(x) flips (one ulp at a time)."""
    x = np.float32(start)
    while True:
        nxt = np.nextafter(x, np.float32(toward))
        if predicate(nxt) != predicate(x):
            return [x, nxt]
        x = nxt


def boundary_values(alpha, beta, k, seed):
    """Random values plus, exactly, the float32 pairs where the bit flips
    (v = 0 and v = 0.5, computed as the runtime computes v)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(beta, 2 * alpha, size=(7, k)).astype(np.float32)
    a, b = np.float32(alpha), np.float32(beta)
    v = lambda t: (np.float32(t) - b) / a  # noqa: E731
    above_half = lambda t: v(t) > 0.5  # noqa: E731
    half = np.float32(b + a / 2)
    edges = (crossing(lambda t: v(t) < 0, b, -np.inf)
             + crossing(above_half, half, -np.inf if above_half(half) else np.inf))
    x[0, :len(edges)] = edges
    return x


@pytest.mark.parametrize("signed", [True, False])
def test_runtime_bits_equal_the_trainer(lib, signed):
    # 60 scales and thresholds, each with random values and the float32
    # pairs where its bit flips (where a different rounding of v, such as
    # multiplying by 1 / alpha, would give another bit).
    rng = np.random.default_rng(11)
    flipped = 0
    for trial in range(60):
        alpha = float(np.float32(rng.uniform(0.01, 3.0)))
        beta = float(np.float32(rng.normal(0, 1)))
        k = int(rng.choice([1, 63, 64, 70, 200]))
        x = boundary_values(alpha, beta, max(k, 4), seed=trial)[:, :k]
        a, b = torch.tensor(np.float32(alpha)), torch.tensor(np.float32(beta))
        codes = Q.binarized_codes(torch.from_numpy(x), a, b, signed).numpy()
        expected = codes < 0 if signed else codes > 0
        bits, padding = runtime_bits(lib, x, alpha, beta, signed)
        assert (bits == expected).all(), (alpha, beta, k)
        assert not padding.any()
        if k >= 4:  # the edge pair does land on both sides
            edge = expected[0, :2] if signed else expected[0, 2:4]
            flipped += int(edge.any() and not edge.all())
    assert flipped >= 40


def test_gradients_follow_bit():
    x = torch.tensor([-3.0, -0.5, 0.0, 0.2, 0.45, 0.9, 2.5], requires_grad=True)
    for signed in (True, False):
        alpha = torch.tensor(0.8, requires_grad=True)
        beta = torch.tensor(0.1, requires_grad=True)
        y = Q.elastic_binarize(x, alpha, beta, signed)
        v = ((x - beta) / alpha).detach()
        codes = Q.binarized_codes(x.detach(), alpha.detach(), beta.detach(), signed)
        assert torch.equal(y.detach(), alpha.detach() * codes)
        lo = -1.0 if signed else 0.0
        inside = ((v >= lo) & (v <= 1.0)).to(v.dtype)
        gx, ga, gb = torch.autograd.grad(y.sum(), (x, alpha, beta))
        assert torch.allclose(gx, inside)
        assert torch.allclose(gb, -inside.sum())
        assert torch.allclose(ga, (codes - v * inside).sum(), atol=1e-6)


@pytest.mark.parametrize("signed", [True, False])
def test_fully_binary_linear_matches_pytorch(lib, signed):
    """binarize -> bnrt_xgemm against PyTorch's elastic_binarize and BWN
    weights: the integer dots are the same, and the runtime's float
    epilogue (x_scale * alpha) * dot is written out here."""
    lib.bnrt_xgemm.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int64,
                               ctypes.c_int64, ctypes.c_int64, ctypes.c_int64]
    lib.bnrt_xgemm.restype = None

    class Args(ctypes.Structure):
        _fields_ = [("m", ctypes.c_int64), ("n", ctypes.c_int64), ("k", ctypes.c_int64),
                    ("x", ctypes.c_void_p), ("x_planes", ctypes.c_int32),
                    ("x_signed", ctypes.c_int32), ("x_scale", ctypes.c_void_p),
                    ("bits", ctypes.c_void_p), ("planes", ctypes.c_int32),
                    ("alpha", ctypes.c_void_p), ("per_row", ctypes.c_int32),
                    ("bias", ctypes.c_void_p), ("y", ctypes.c_void_p),
                    ("ldy", ctypes.c_int64), ("packed", ctypes.c_void_p),
                    ("x_mask", ctypes.c_void_p)]

    torch.manual_seed(3)
    m, n, k = 5, 12, 130
    x = torch.randn(m, k)
    w = torch.randn(n, k)
    alpha_x, beta_x = 0.7, 0.05
    codes_w, alpha_w = Q.bwn(w, per_row=True)
    xb = Q.binarized_codes(x, torch.tensor(alpha_x), torch.tensor(beta_x), signed)
    dots = (xb.to(torch.int64) @ codes_w.to(torch.int64).T).to(torch.float32)
    scale = torch.tensor(np.float32(alpha_x)) * alpha_w  # x_scale * alpha(n)
    expected = (scale[None, :] * dots).numpy()

    xbits = np.zeros((m, (k + 63) // 64), dtype=np.uint64)
    lib.bnrt_binarize_rows(x.numpy().ctypes.data, m, k, k, alpha_x, beta_x, int(signed),
                           xbits.ctypes.data)
    wbits = np.zeros((n, (k + 63) // 64), dtype=np.uint64)
    neg = (codes_w.numpy() < 0)
    for r in range(n):
        packed = np.packbits(np.concatenate([neg[r], np.zeros(64 * wbits.shape[1] - k, bool)]),
                             bitorder="little")
        wbits[r] = packed.view(np.uint64)
    xs = np.array([alpha_x], dtype=np.float32)
    aw = alpha_w.numpy().astype(np.float32)
    y = np.full((m, n), np.nan, dtype=np.float32)
    args = Args(m, n, k, xbits.ctypes.data, 1, int(signed), xs.ctypes.data, wbits.ctypes.data,
                1, aw.ctypes.data, 1, None, y.ctypes.data, n, None)
    lib.bnrt_xgemm(ctypes.addressof(args), 0, 0, m, 0, n)  # the scalar path
    assert np.array_equal(y, expected)


def test_binary_act_quant_starts_at_the_best_fit_and_exports_its_forward():
    from bnbert.modules import BinaryActQuant, set_exporting
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4, 16, 32, generator=g) * 0.7 + 0.3
    signed = BinaryActQuant()
    y = signed(x)  # the first batch fits beta = mean x, alpha = mean |x - beta|
    x64 = x.double()
    assert signed.beta.item() == pytest.approx(x64.mean().item(), rel=1e-6)
    assert signed.alpha.item() == pytest.approx((x64 - x64.mean()).abs().mean().item(),
                                                rel=1e-6)
    assert set(torch.unique(y / signed.alpha.detach()).tolist()) == {-1.0, 1.0}
    probs = torch.softmax(torch.randn(2, 8, 8, generator=g) * 3, -1)
    nonneg = BinaryActQuant(signed=False)
    p = nonneg(probs)
    # Lloyd's fixed point: alpha is the mean of the values above alpha / 2.
    a = nonneg.alpha.item()
    assert a == pytest.approx(probs[probs > a / 2].double().mean().item(), rel=1e-4)
    assert set(torch.unique(p / nonneg.alpha.detach()).tolist()) <= {0.0, 1.0}
    # Gradients reach the scale and the threshold.
    (y.sum() + p.sum()).backward()
    assert signed.alpha.grad is not None and signed.beta.grad.abs().item() > 0
    # The export form computes the training forward's values.
    for quant, values, trained in ((signed, x, y), (nonneg, probs, p)):
        set_exporting(quant, True)
        with torch.no_grad():
            assert torch.equal(quant(values), trained.detach())
        set_exporting(quant, False)


def test_set_input_bits_steps_every_linear_input():
    from bnbert import prepare
    from bnbert.model import BertClassifier, BertConfig
    from bnbert.modules import ActQuant, BinaryActQuant, QuantLinear, set_input_bits
    model = BertClassifier(BertConfig(vocab=50, hidden=32, layers=1, heads=4, ffn=64,
                                      max_pos=16, labels=3))
    prepare(model, "binary", 8)
    linears = [m for m in model.modules() if isinstance(m, QuantLinear)]
    assert set_input_bits(model, 1) == len(linears)
    assert all(isinstance(m.input_quant, BinaryActQuant) for m in linears)
    # Attention's quantizers stay as they were.
    assert all(m.output_quant.bits == 8 for m in linears if m.output_quant is not None)
    assert model.bnbert_config["act_bits"] == 1
    set_input_bits(model, 4)
    assert all(isinstance(m.input_quant, ActQuant) and m.input_quant.bits == 4
               for m in linears)
    with pytest.raises(ValueError, match="act_bits"):
        set_input_bits(model, 9)


@pytest.mark.parametrize("from_graph", [False, True])
def test_binary_attention_quantizers(tmp_path, from_graph):
    """attention_bits 1: Q, K, V binarized with signed codes, P with codes
    {0, 1} (prepare, and prepare_graph on the compiler's graph of an ONNX
    model); set_attention_bits swaps all four per attention, and only
    them."""
    from bnbert import export_onnx, prepare
    from bnbert.graph import load_onnx, prepare_graph
    from bnbert.model import BertClassifier, BertConfig
    from bnbert.modules import (ActQuant, BinaryActQuant, QuantLinear,
                                set_attention_bits)
    model = BertClassifier(BertConfig(vocab=50, hidden=32, layers=2, heads=4, ffn=64,
                                      max_pos=16, labels=3))
    if from_graph:
        shapes = {"input_ids": (2, 8), "attention_mask": (2, 8), "token_type_ids": (2, 8)}
        export_onnx(model, tmp_path / "m.onnx", shapes)
        model = load_onnx(tmp_path / "m.onnx", 8)
        prepare_graph(model, "binary", act_bits=1, attention_bits=1)
    else:
        prepare(model, "binary", act_bits=1, attention_bits=1)

    def attention_quantizers():
        quants = []
        for m in model.modules():
            if isinstance(m, QuantLinear) and m.output_quant is not None:
                quants.append(("qkv", m.output_quant))
            for name in ("q_quant", "k_quant", "v_quant", "prob_quant"):
                if getattr(m, name, None) is not None:
                    quants.append(("p" if name == "prob_quant" else "qkv", getattr(m, name)))
        return quants
    quants = attention_quantizers()
    assert sum(kind == "qkv" for kind, _ in quants) == 6  # 2 layers x Q, K, V
    assert sum(kind == "p" for kind, _ in quants) == 2
    for kind, q in quants:
        assert isinstance(q, BinaryActQuant) and q.signed == (kind == "qkv")
    inputs = {"input_ids": torch.randint(4, 50, (2, 8)),
              "attention_mask": torch.ones(2, 8, dtype=torch.int64),
              "token_type_ids": torch.zeros(2, 8, dtype=torch.int64)}
    model(**inputs)  # fits every binarizer
    linear_inputs = [m.input_quant for m in model.modules() if isinstance(m, QuantLinear)]
    assert set_attention_bits(model, 4) == 8
    for kind, q in attention_quantizers():
        assert isinstance(q, ActQuant) and q.bits == 4
        # P's clip starts at 1; Q, K and V are fitted on the next batch.
        assert bool(q.initialized) == (kind == "p") and q.clip.item() == 1.0
    assert model.bnbert_config["attention_bits"] == 4
    # The linears' inputs were not touched.
    assert linear_inputs == [m.input_quant for m in model.modules()
                             if isinstance(m, QuantLinear)]
    with pytest.raises(ValueError, match="attention_bits"):
        set_attention_bits(model, 0)
