# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The PyTorch quantizers against the compiler's, on the same tensors: a
linear whose input is the identity matrix returns its dequantized weight,
so bnbert-interpret after bnq-ternarize / -binarize / -quantize-int8 shows
the compiler's codes times scales, bit for bit."""
import subprocess

import numpy as np
import pytest
import torch

from bnbert import quantizers as Q
from bnbert.deploy import find_tool

PASSES = {"ternary": "bnq-ternarize", "binary": "bnq-binarize", "int8": "bnq-quantize-int8"}


def weight_module(w):
    n, k = w.shape
    rows = ", ".join("[" + ", ".join(f"0x{np.float32(v).view(np.uint32):08X}" for v in r) + "]"
                     for r in w)
    return f"""func.func @main(%x: tensor<{k}x{k}xf32>) -> tensor<{k}x{n}xf32> {{
  %w = arith.constant dense<[{rows}]> : tensor<{n}x{k}xf32>
  %y = bnq.linear %x, %w : (tensor<{k}x{k}xf32>, tensor<{n}x{k}xf32>) -> tensor<{k}x{n}xf32>
  return %y : tensor<{k}x{n}xf32>
}}
"""


def compiler_dequantized(tmp_path, w, fmt, granularity):
    src = tmp_path / "w.mlir"
    src.write_text(weight_module(w))
    out = tmp_path / f"{fmt}-{granularity}.mlir"
    subprocess.run([find_tool("bnbert-opt"), str(src),
                    f"-{PASSES[fmt]}=linear-granularity={granularity} keep-output-linears=false",
                    "-o", str(out)], check=True)
    k = w.shape[1]
    np.save(tmp_path / "eye.npy", np.eye(k, dtype=np.float32))
    subprocess.run([find_tool("bnbert-interpret"), str(out), f"--input=arg0={tmp_path / 'eye.npy'}",
                    f"--output-dir={tmp_path}"], check=True)
    return np.load(tmp_path / "result0.npy").T


@pytest.mark.parametrize("fmt", ["ternary", "binary", "int8"])
@pytest.mark.parametrize("granularity", ["tensor", "row"])
def test_weight_quantizers_equal_compiler(tmp_path, fmt, granularity):
    # Odd shape, a zero row (all-zero group), heavy tails.
    w = torch.randn(7, 13) * torch.rand(7, 1) * 0.1
    w[3] = 0
    w[5, 2] = 0.9
    codes, scale = Q.WEIGHT_QUANTIZERS[fmt](w, granularity == "row")
    ours = Q.dequantize(codes, scale).numpy()
    theirs = compiler_dequantized(tmp_path, w.numpy(), fmt, granularity)
    np.testing.assert_array_equal(ours, theirs)


def test_value_sets():
    w = torch.randn(5, 9)
    assert set(Q.twn(w)[0].unique().tolist()) <= {-1, 0, 1}
    assert set(Q.bwn(w)[0].unique().tolist()) == {-1, 1}
    assert Q.int8(w)[0].abs().max() == 127


def test_activation_quantizer_formula():
    """Round half to even, saturation at +-qmax, scale = clip / qmax."""
    clip = torch.tensor(7.0)
    x = torch.tensor([0.5, 1.5, 2.5, -2.5, 6.9, 7.4, 100.0, -100.0])
    y = Q.fake_quantize(x, clip, 4)  # qmax 7, scale 1
    assert y.tolist() == [0.0, 2.0, 2.0, -2.0, 7.0, 7.0, 7.0, -7.0]
    e = Q._ExportFakeQuant.apply(x, 7.0, 4)
    assert torch.equal(y, e)


def test_learned_clip_gradient():
    """Outside the clip the gradient goes to the clip (sign of x), inside to x."""
    clip = torch.tensor(1.0, requires_grad=True)
    x = torch.tensor([0.3, -0.2, 2.0, -3.0], requires_grad=True)
    Q.fake_quantize(x, clip, 8).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 0.0]
    expected = sum(np.sign(v) for v in (2.0, -3.0)) + sum(
        (round(v * 127) - v * 127) / 127 for v in (0.3, -0.2))
    assert clip.grad.item() == pytest.approx(expected / np.sqrt(4 * 127), rel=1e-4)
