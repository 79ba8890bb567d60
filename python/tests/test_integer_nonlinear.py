# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""I-BERT's integer nonlinearities in PyTorch (bnbert.integer_nonlinear):
close to the float functions, the same bits as the runtime's
(runtime/include/bnrt/integer_nonlinear.h) through bnbert-compile, whether
the flag or the ONNX file's mark asks for them, gradients through the
straight-through estimator, and the mode that swaps them into a model's
forward (and out of its export)."""
import math

import numpy as np
import onnx
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from bnbert import integer_nonlinear as I
from bnbert.deploy import ToolError, compile_bundle, run_bundle
from bnbert.export import mark_integer_nonlinear


def values(shape, seed, spread=3.0):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * spread
    return x


def test_close_to_the_float_functions():
    x = values((64, 96), 0)
    assert (I.gelu_values(x) - F.gelu(x)).abs().max() < 0.02
    assert (I.gelu_values(x) - F.gelu(x)).abs().max() > 1e-4  # not the float one
    assert (I.softmax_values(x, -1) - F.softmax(x, -1)).abs().max() < 2e-3
    w, b = values((96,), 1, 1.0), values((96,), 2, 1.0)
    want = F.layer_norm(x + 2.0, (96,), w, b, 1e-12)
    got = I.layer_norm_values(x + 2.0, w, b, 1e-12)
    assert (got - want).abs().max() < 2e-3 * (1 + w.abs().max())
    p = I.softmax_values(x, -1)
    assert torch.equal(p * 65536, torch.round(p * 65536))  # 16 fraction bits


def test_special_values():
    x = torch.tensor([[1.0, float("-inf"), -1e4, 1.0], [0.0, float("nan"), 2.0, 3.0]])
    p = I.softmax_values(x, -1)
    assert p[0].tolist() == [0.5, 0.0, 0.0, 0.5]
    assert torch.isnan(p[1]).all()
    assert torch.isnan(I.gelu_values(torch.tensor([float("nan")]))).all()
    assert I.gelu_values(torch.tensor([-100.0, 100.0])).tolist() == pytest.approx([0, 100],
                                                                                 abs=1e-3)
    flat = torch.full((1, 8), 3.0)
    assert torch.equal(I.layer_norm_values(flat, None, torch.arange(8.0), 0.0),
                       torch.arange(8.0)[None])
    big = torch.tensor([0, 1, 2, 4, 2**40, 2**62 - 1])
    s = I.isqrt(big)
    assert ((s * s <= big) & ((s + 1) * (s + 1) > big)).all()
    with pytest.raises(ValueError, match="at most 8192"):
        I.layer_norm_values(torch.zeros(1, 8193), None, None, 1e-5)


class Nonlinear(nn.Module):
    """GELU, softmax and layer norm of one input, as BERT calls them."""

    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width, eps=1e-12)
        with torch.no_grad():
            self.norm.weight.copy_(values((width,), 3, 1.0))
            self.norm.bias.copy_(values((width,), 4, 1.0))

    def forward(self, x):
        return F.gelu(x), F.softmax(x, dim=-1), self.norm(x)


@pytest.mark.parametrize("how", ["flag", "mark"])
def test_the_runtime_computes_the_same_bits(tmp_path, how):
    """The float ops exported, compiled with the integer forms (by
    --integer-nonlinear, or by the file's mark), run by the runtime: the
    same bits as the PyTorch forms, NaN and saturated inputs included."""
    width, rows = 97, 6
    module = Nonlinear(width).eval()
    x = values((rows, width), 5, 4.0)
    x[0, 3], x[1, 0], x[2, 5] = 1e9, -1e9, 0.5 / 1024  # saturated, a rounding tie
    path = tmp_path / "nonlinear.onnx"
    torch.onnx.export(module, (x,), str(path), input_names=["x"],
                      output_names=["gelu", "softmax", "norm"], opset_version=14)
    flags = ["--weights=fp32", "--act-bits=32"]
    if how == "flag":
        flags.append("--integer-nonlinear")
    else:
        mark_integer_nonlinear(path)
        assert {p.key: p.value for p in onnx.load(str(path)).metadata_props} == {
            I.METADATA_KEY: "1"}
    bundle = tmp_path / "nonlinear.bnb"
    compile_bundle(path, bundle, {"x": (rows, width)}, flags)
    want = {"gelu": I.gelu_values(x), "softmax": I.softmax_values(x, -1),
            "norm": I.layer_norm_values(x, module.norm.weight, module.norm.bias, 1e-12)}
    for name, expected in want.items():
        got = run_bundle(bundle, {"x": x.numpy()}, rows, output=name)
        np.testing.assert_array_equal(got, expected.numpy(), err_msg=name)
    # Without either, the float functions: different values.
    plain = tmp_path / "plain.onnx"
    torch.onnx.export(module, (x,), str(plain), input_names=["x"],
                      output_names=["gelu", "softmax", "norm"], opset_version=14)
    compile_bundle(plain, tmp_path / "plain.bnb", {"x": (rows, width)},
                   ["--weights=fp32", "--act-bits=32"])
    floats = run_bundle(tmp_path / "plain.bnb", {"x": x.numpy()}, rows, output="gelu")
    assert not np.array_equal(floats, want["gelu"].numpy())


def test_the_mode_swaps_the_forms_in_and_out_and_passes_gradients():
    module = Nonlinear(32)
    x = values((4, 32), 6).requires_grad_(True)
    I.use_integer_nonlinear(module)
    gelu, probs, norm = module(x)
    assert torch.equal(gelu, I.gelu_values(x))
    assert torch.equal(probs, I.softmax_values(x, -1))
    assert torch.equal(norm, I.layer_norm_values(x, module.norm.weight, module.norm.bias,
                                                 1e-12))
    (gelu.sum() + norm.pow(2).sum()).backward()  # the float functions' gradients
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    assert module.norm.weight.grad is not None
    assert torch.equal(F.gelu(x), F.gelu(x))  # outside the forward: float again
    assert not torch.equal(F.gelu(x), I.gelu_values(x))
    with I.float_nonlinear(module):  # what the export traces
        assert torch.equal(module(x)[0], F.gelu(x))
    assert torch.equal(module(x)[0], I.gelu_values(x))


def test_compile_refuses_binary_attention(tmp_path):
    """The ONNX importer raises attention; the integer softmax then refuses
    binarized probabilities, as prepare does."""
    from bnbert.modules import check_integer_nonlinear
    with pytest.raises(ValueError, match="no integer softmax"):
        check_integer_nonlinear(True, 1)
    check_integer_nonlinear(True, 8)
    assert math.isfinite(I.GELU_OUT_SCALE) and I.GELU_QB < 0 < I.EXP_LN2
    with pytest.raises(ToolError):
        compile_bundle(tmp_path / "missing.onnx", tmp_path / "m.bnb", {"x": (1, 2)},
                       ["--integer-nonlinear"])
