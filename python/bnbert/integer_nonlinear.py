# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""I-BERT's integer GELU, softmax and layer norm in PyTorch: the integers of
runtime/include/bnrt/integer_nonlinear.h, step for step (int64 tensors), so
a model trained with them computes what the runtime computes.

Each function rounds its float input to fixed point (2^-10, half to even,
saturated) and continues in integers: GELU with I-BERT's second-order
polynomial for erf, softmax with exp by a shift and a polynomial and each
probability to 16 fraction bits, layer norm with the integer mean,
variance and square root. Gradients are the float functions' (a
straight-through estimator), so training sees the integer values forward.

`use_integer_nonlinear(model)` makes every GELU, softmax and layer norm of
the model's forward run these (a torch function mode entered around it);
`prepare(..., integer_nonlinear=True)` does that; export_onnx traces the
float ops (`float_nonlinear`) and marks the ONNX file, bnbert-compile
deploys the marked file with the integer forms, and `exporting(model)`
(the forward the bundle is compared with) keeps the integer forms.
"""
import contextlib
import math

import torch
from torch.nn import functional as F
from torch.overrides import TorchFunctionMode

FRACTION_BITS = 10
GELU_LIMIT = 1 << 24  # |q| of GELU and layer-norm inputs
SOFTMAX_LIMIT = 1 << 30
SOFTMAX_MAX_SHIFT = 30
PROBABILITY_BITS = 16
NORM_BITS = 16
STD_EXTRA_BITS = 6
MAX_LAYER_NORM_WIDTH = 8192
LN2_SHIFT = 24  # per element no division: reciprocals, as the header
PROBABILITY_SHIFT = 32
NORM_SHIFT = 28
METADATA_KEY = "bnbert.integer_nonlinear"  # the ONNX file's mark

_S = 2.0 ** -FRACTION_BITS
_A, _B = -0.2888, -1.769
_SE = _S / math.sqrt(2.0)
_SL = _A * _SE * _SE
GELU_QB = math.floor(_B / _SE)
GELU_QC = math.floor(1.0 / _SL)
GELU_OUT_SCALE = _S * _SL / 2
EXP_LN2 = math.floor(0.6931471805599453 / _S)
EXP_B = math.floor(1.353 / _S)
EXP_C = math.floor(0.344 / (0.3585 * _S * _S))
EXP_LN2_RECIPROCAL = ((1 << LN2_SHIFT) + EXP_LN2 - 1) // EXP_LN2


def fixed_point(x, limit):
    """round(x 2^10), half to even, within [-limit, limit]; NaN 0."""
    scaled = x.float() * float(1 << FRACTION_BITS)
    return torch.nan_to_num(scaled.clamp(-float(limit), float(limit)), nan=0.0).round().long()


def isqrt(v):
    """floor(sqrt(v)) of non-negative int64 values, exactly."""
    s = torch.sqrt(v.double()).long()
    s = s - (s * s > v).long()
    return s + ((s + 1) * (s + 1) <= v).long()


def gelu_values(x):
    q = fixed_point(x, GELU_LIMIT)
    magnitude = q.abs().clamp(max=-GELU_QB)
    poly = (magnitude + GELU_QB) ** 2 + GELU_QC
    erf = torch.where(q < 0, -poly, poly)
    y = ((q * (erf + GELU_QC)).double() * GELU_OUT_SCALE).float()
    return torch.where(torch.isnan(x), x.float(), y)


def _nan_rows(x, y, dim):
    """y, with every row (along dim) where x holds a NaN all NaN."""
    nan = torch.isnan(x).any(dim, keepdim=True)
    return torch.where(nan, torch.full_like(y, math.nan), y)


def softmax_values(x, dim):
    q = fixed_point(x, SOFTMAX_LIMIT)
    d = (q - q.amax(dim, keepdim=True)).clamp(min=-SOFTMAX_MAX_SHIFT * EXP_LN2)
    z = (-d * EXP_LN2_RECIPROCAL) >> LN2_SHIFT  # floor(-d / ln 2), exactly
    p = d + z * EXP_LN2
    e = ((p + EXP_B) ** 2 + EXP_C) >> z
    factor = torch.div(1 << (PROBABILITY_BITS + PROBABILITY_SHIFT), e.sum(dim, keepdim=True),
                       rounding_mode="floor")
    prob = (e * factor + (1 << (PROBABILITY_SHIFT - 1))) >> PROBABILITY_SHIFT
    return _nan_rows(x, prob.float() * 2.0 ** -PROBABILITY_BITS, dim)


def variance_epsilon(eps):
    """eps (as the float32 the bundle stores) in the variance's units."""
    e = float(torch.tensor(eps, dtype=torch.float32)) * 2.0 ** (2 * FRACTION_BITS)
    e = min(e, 2.0 ** 40)
    return math.floor(e + 0.5) if e > 0 else 0


def layer_norm_values(x, weight, bias, eps):
    h = x.shape[-1]
    if h > MAX_LAYER_NORM_WIDTH:
        raise ValueError(f"the integer layer norm takes rows of at most "
                         f"{MAX_LAYER_NORM_WIDTH} values, got {h}")
    q = fixed_point(x, GELU_LIMIT)
    c = q - torch.div(q.sum(-1, keepdim=True), h, rounding_mode="floor")
    variance = torch.div((c * c).sum(-1, keepdim=True), h, rounding_mode="floor")
    deviation = isqrt((variance + variance_epsilon(eps)) << (2 * STD_EXTRA_BITS))
    factor = torch.div(1 << (NORM_BITS + STD_EXTRA_BITS + NORM_SHIFT), deviation.clamp(min=1),
                       rounding_mode="floor") * (deviation > 0).long()
    norm = (c * factor) >> NORM_SHIFT
    gamma = (weight.detach().double() if weight is not None
             else torch.ones(h, dtype=torch.float64, device=x.device)) * 2.0 ** -NORM_BITS
    beta = (bias.detach().double() if bias is not None
            else torch.zeros(h, dtype=torch.float64, device=x.device))
    return _nan_rows(x, (norm.double() * gamma + beta).float(), -1)


class _StraightThrough(torch.autograd.Function):
    """The integer values forward (exactly), the float function's gradient
    back."""

    @staticmethod
    def forward(ctx, integer, exact):
        return integer.clone()

    @staticmethod
    def backward(ctx, grad):
        return None, grad


def _straight_through(integer, exact):
    return _StraightThrough.apply(integer.detach(), exact)


_SOFTMAX = (F.softmax, torch.softmax, torch.Tensor.softmax)


def _softmax_dim(args, kwargs):
    dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
    if dim is None:
        raise ValueError("integer softmax needs an explicit dim")
    return dim


class IntegerNonlinear(TorchFunctionMode):
    """While active, F.gelu, softmax and F.layer_norm (over the last axis)
    compute the integer forms."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        exact = func(*args, **kwargs)
        if func is F.gelu:
            return _straight_through(gelu_values(args[0]), exact)
        if func in _SOFTMAX:
            return _straight_through(softmax_values(args[0], _softmax_dim(args, kwargs)),
                                     exact)
        if func is F.layer_norm:
            x, shape = args[0], kwargs.get("normalized_shape", args[1])
            if len(shape) != 1:
                raise ValueError(f"the integer layer norm normalizes the last axis only, "
                                 f"got normalized_shape {tuple(shape)}")
            rest = dict(zip(("weight", "bias", "eps"), args[2:]), **kwargs)
            return _straight_through(
                layer_norm_values(x, rest.get("weight"), rest.get("bias"),
                                  rest.get("eps", 1e-5)), exact)
        return exact


def _enter(model, args):
    if getattr(model, "_bnbert_integer_paused", False):
        return
    model._bnbert_integer_mode = IntegerNonlinear()
    model._bnbert_integer_mode.__enter__()


def _exit(model, args, output):
    mode = getattr(model, "_bnbert_integer_mode", None)
    if mode is not None:
        mode.__exit__(None, None, None)
        model._bnbert_integer_mode = None


def use_integer_nonlinear(model):
    """Makes `model`'s forward compute GELU, softmax and layer norm in the
    integer forms (idempotent)."""
    if not getattr(model, "_bnbert_integer_hooked", False):
        model.register_forward_pre_hook(_enter)
        model.register_forward_hook(_exit)
        model._bnbert_integer_hooked = True


@contextlib.contextmanager
def float_nonlinear(model):
    """Within it `model` computes the float forms: the ONNX export traces
    them (ONNX has no integer ones)."""
    paused = getattr(model, "_bnbert_integer_paused", False)
    model._bnbert_integer_paused = True
    try:
        yield model
    finally:
        model._bnbert_integer_paused = paused
