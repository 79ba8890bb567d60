# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The quantizers, with the compiler's exact definitions (docs/dialect.md,
"Quantization points and formulas"; lib/Quant/ and runtime/src/kernels/quantizer.h).

Weight quantizers return int8 codes and float32 scales, one per tensor or
one per row; statistics are taken in float64 per group, as the compiler
does, and the scale is rounded to float32 once at the end. The dequantized
weight is `scale[g(n)] * codes[n, k]` in float32.

The activation quantizer is symmetric per tensor with a static clip c:
`s = c / qmax` (float32), `q = clamp(round_half_even(x / s), -qmax, qmax)`,
`y = q * s`, qmax = 2^(bits-1) - 1. Its clip is learned: the gradient is
LSQ's (Esser et al. 2020), written for the clip instead of the step.
"""
import math

import torch


def qmax_of(bits):
    return float((1 << (bits - 1)) - 1)


def _groups(w, per_row):
    w64 = w.detach().to(torch.float64)
    return w64.reshape(w.shape[0], -1) if per_row else w64.reshape(1, -1)


def twn(w, per_row=False):
    """TWN: Delta = 0.7 mean|W|; codes sign(W) where |W| > Delta, else 0;
    alpha = mean |W| over the kept elements (0 when none)."""
    g = _groups(w, per_row)
    a = g.abs()
    delta = 0.7 * a.sum(1, keepdim=True) / g.shape[1]
    keep = a > delta
    codes = torch.where(keep, torch.sign(g), torch.zeros_like(g))
    kept = keep.sum(1)
    alpha = torch.where(kept > 0, (a * keep).sum(1) / kept.clamp(min=1),
                        torch.zeros_like(a[:, 0]))
    return codes.to(torch.int8).reshape(w.shape), alpha.to(torch.float32)


def bwn(w, per_row=False):
    """BWN: codes +1 where W >= 0, else -1; alpha = mean|W|."""
    g = _groups(w, per_row)
    codes = torch.where(g >= 0, torch.ones_like(g), -torch.ones_like(g))
    alpha = g.abs().sum(1) / g.shape[1]
    return codes.to(torch.int8).reshape(w.shape), alpha.to(torch.float32)


def int8(w, per_row=False):
    """Symmetric int8: scale = max|W| / 127 (float32), codes =
    clamp(round_half_even(W / scale), -127, 127) (0 where scale is 0)."""
    g = _groups(w, per_row)
    scale = (g.abs().max(1).values / 127.0).to(torch.float32)
    s64 = scale.to(torch.float64)[:, None]
    codes = torch.where(s64 > 0, torch.round(g / torch.where(
        s64 > 0, s64, torch.ones_like(s64))), torch.zeros_like(g))
    return codes.clamp(-127, 127).to(torch.int8).reshape(w.shape), scale


WEIGHT_QUANTIZERS = {"ternary": twn, "binary": bwn, "int8": int8}


def binarized_codes(x, alpha, beta, signed):
    """BiT's elastic binarization's codes (Liu et al. 2022): v = (x - beta)
    / alpha in float32, then sign(v) in {-1, +1} (v = 0 -> +1) when
    `signed`, else round(clip(v, 0, 1)) in {0, 1} (0.5 rounds to 0, half to
    even). The runtime's bnrt_binarize_rows takes the same bits."""
    v = (x - beta) / alpha
    if signed:
        return torch.where(v < 0, -torch.ones_like(v), torch.ones_like(v))
    return (v > 0.5).to(v.dtype)


def elastic_binarize(x, alpha, beta, signed):
    """alpha * binarized_codes(x, alpha, beta, signed) with BiT's
    gradients: inside the clipping range (|v| <= 1 signed, 0 <= v <= 1
    otherwise) d/dx = 1, d/dbeta = -1, d/dalpha = code - v; outside, d/dx
    = d/dbeta = 0 and d/dalpha = code. (The straight-through estimator on
    v's clip: alpha * (clip(v) + (code - clip(v)).detach()).)"""
    v = (x - beta) / alpha
    clipped = v.clamp(-1.0 if signed else 0.0, 1.0)
    codes = binarized_codes(x, alpha, beta, signed)
    return alpha * (clipped + (codes - clipped).detach())


class _ExportBinarize(torch.autograd.Function):
    """Elastic binarization for export, as standard ONNX the compiler
    raises to bnq.binarize {alpha, beta, signed} (ONNX Runtime runs it
    as it is): v = Div(Sub(x, beta), alpha), then signed: Where(Less(v, 0),
    -alpha, alpha); non-negative: Where(Less(0.5, v), alpha, 0)."""

    @staticmethod
    def forward(ctx, x, alpha, beta, signed):
        a = torch.tensor(alpha, dtype=torch.float32)
        b = torch.tensor(beta, dtype=torch.float32)
        return a * binarized_codes(x, a, b, signed)

    @staticmethod
    def symbolic(g, x, alpha, beta, signed):
        def const(value):
            return g.op("Constant", value_t=torch.tensor(value, dtype=torch.float32))
        a = const(alpha)
        v = g.op("Div", g.op("Sub", x, const(beta)), a)
        if signed:
            return g.op("Where", g.op("Less", v, const(0.0)), const(-alpha), a)
        return g.op("Where", g.op("Less", const(0.5), v), a, const(0.0))


def export_binarize(x, alpha, beta, signed):
    return _ExportBinarize.apply(x, float(alpha), float(beta), bool(signed))


def dequantize(codes, scale):
    """scale[g(n)] * codes[n, ...] in float32."""
    s = scale.reshape(-1, *([1] * (codes.dim() - 1)))
    return codes.to(torch.float32) * s


def tws_halves(w, per_row=False):
    """Ternary weight splitting (BinaryBERT): the latent halves W1, W2 with
    W1 + W2 = W whose BWN binarizations sum to TWN(W) (to float rounding).
    Per group with T = TWN codes, alpha its scale, Z the zeros of T:
    b = (alpha n - sum|W|) / (2|Z|); on Z: W1 = (W > 0 ? W + b : b),
    W2 = (W < 0 ? W - b : -b); elsewhere W1 = a W, W2 = (1 - a) W with
    a = (sum_{T!=0}|W| + sum_Z|W2| - sum_Z|W1|) / (2 sum_{T!=0}|W|)."""
    codes, alpha = twn(w, per_row)
    g = _groups(w, per_row)
    t = codes.reshape(g.shape).to(torch.float64)
    n = g.shape[1]
    a = g.abs()
    zero = t == 0
    zeros = zero.sum(1, keepdim=True)
    b = torch.where(zeros > 0,
                    (alpha.to(torch.float64)[:, None] * n - a.sum(1, keepdim=True))
                    / (2.0 * zeros.clamp(min=1)), torch.zeros_like(a[:, :1]))
    h1 = torch.where(zero, torch.where(g > 0, g + b, b.expand_as(g)), g)
    h2 = torch.where(zero, torch.where(g < 0, g - b, -b.expand_as(g)), g)
    nz = (a * ~zero).sum(1, keepdim=True)
    z1 = (h1.abs() * zero).sum(1, keepdim=True)
    z2 = (h2.abs() * zero).sum(1, keepdim=True)
    ratio = torch.where(nz > 0, (nz + z2 - z1) / (2.0 * nz.clamp(min=1e-300)),
                        torch.full_like(nz, 0.5))
    h1 = torch.where(zero, h1, ratio * g)
    h2 = torch.where(zero, h2, (1.0 - ratio) * g)
    return h1.reshape(w.shape), h2.reshape(w.shape)


class _LearnedClipQuant(torch.autograd.Function):
    """Fake quantization with a learned clip; gradients: straight through
    inside the clip; for the clip, LSQ's (q - x/s) / qmax inside and
    sign(x) outside, scaled by 1 / sqrt(numel * qmax)."""

    @staticmethod
    def forward(ctx, x, clip, bits):
        qmax = qmax_of(bits)
        s = clip / qmax
        r = x / s
        q = torch.clamp(torch.round(r), -qmax, qmax)
        ctx.save_for_backward(r, q)
        ctx.qmax = qmax
        return q * s

    @staticmethod
    def backward(ctx, grad):
        r, q = ctx.saved_tensors
        qmax = ctx.qmax
        inside = r.abs() <= qmax
        grad_x = grad * inside
        d_clip = torch.where(inside, (q - r) / qmax, torch.sign(r))
        scale = 1.0 / math.sqrt(grad.numel() * qmax)
        grad_clip = (grad * d_clip).sum().reshape(()) * scale
        return grad_x, grad_clip, None


def fake_quantize(x, clip, bits):
    """The compiler's quantize + dequantize with a static clip (a tensor,
    learned when it requires grad)."""
    return _LearnedClipQuant.apply(x, clip, bits)


class _ExportFakeQuant(torch.autograd.Function):
    """The same fake quantization, exported as Clip(-c, c) ->
    QuantizeLinear(s = c / qmax, 0) -> DequantizeLinear: the form the
    compiler raises to bnq.quantize {bits, clip = c}."""

    @staticmethod
    def forward(ctx, x, clip, bits):
        qmax = qmax_of(bits)
        s = torch.tensor(clip, dtype=torch.float32) / qmax
        return torch.clamp(torch.round(x / s), -qmax, qmax) * s

    @staticmethod
    def symbolic(g, x, clip, bits):
        c = torch.tensor(clip, dtype=torch.float32)
        s = c / qmax_of(bits)
        lo = g.op("Constant", value_t=-c)
        hi = g.op("Constant", value_t=c)
        scale = g.op("Constant", value_t=s)
        zero = g.op("Constant", value_t=torch.tensor(0, dtype=torch.int8))
        clipped = g.op("Clip", x, lo, hi)
        codes = g.op("QuantizeLinear", clipped, scale, zero)
        return g.op("DequantizeLinear", codes, scale, zero)


def export_fake_quantize(x, clip, bits):
    return _ExportFakeQuant.apply(x, float(clip), bits)


class _ExportWeight(torch.autograd.Function):
    """A quantized weight for export: returns scale * codes (transposed to
    [K, N] when `transpose`), exported as DequantizeLinear(int8 codes,
    scales, 0) with the scales on the output-row axis."""

    @staticmethod
    def forward(ctx, anchor, codes, scale, transpose):
        w = dequantize(torch.from_numpy(codes), torch.from_numpy(scale))
        return w.t().contiguous() if transpose else w

    @staticmethod
    def symbolic(g, anchor, codes, scale, transpose):
        c = torch.from_numpy(codes)
        c = c.t().contiguous() if transpose else c
        s = torch.from_numpy(scale)
        per_row = s.numel() > 1
        zero = torch.zeros(s.numel() if per_row else (), dtype=torch.int8)
        kwargs = {"axis_i": 1 if transpose else 0} if per_row else {}
        return g.op("DequantizeLinear", g.op("Constant", value_t=c),
                    g.op("Constant", value_t=s if per_row else s.reshape(())),
                    g.op("Constant", value_t=zero), **kwargs)


def export_weight(anchor, codes, scale, transpose):
    """`anchor` (the latent parameter) only ties the node into the trace."""
    return _ExportWeight.apply(anchor, codes.numpy(), scale.numpy(),
                               transpose)
