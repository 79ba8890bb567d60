# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Quantized modules and `prepare`, which swaps them into a BERT-family
encoder at exactly the compiler's quantization points:

- every `nn.Linear` except the output classifier: its weight (TWN, BWN or
  int8, with latent float weights trained through a straight-through
  estimator) and its input (a learned-clip activation quantizer);
- the word-embedding table (the largest `nn.Embedding`): its weight, per row;
- attention's query, key and value (the outputs of the linears named
  query/key/value, q_lin/k_lin/v_lin or q_proj/k_proj/v_proj) and its
  probabilities (the softmax inside the module holding those linears).

LayerNorm, position and token-type embeddings and the classifier stay
float, as in the compiler.
"""
import torch
from torch import nn
from torch.nn import functional as F
from torch.overrides import TorchFunctionMode

from . import quantizers as Q
from .integer_nonlinear import use_integer_nonlinear

QKV_NAMES = {"query": "query", "key": "key", "value": "value",
             "q_lin": "query", "k_lin": "key", "v_lin": "value",
             "q_proj": "query", "k_proj": "key", "v_proj": "value"}
CLASSIFIER_NAMES = ("classifier", "out_proj", "qa_outputs", "score")


class ActQuant(nn.Module):
    """Symmetric per-tensor activation quantizer with a learned clip. The
    clip starts at `init_clip`, or, when None, from the first training batch
    (8 bits: max|x|; fewer: LSQ's 2 mean|x| sqrt(qmax), capped at max|x|)."""

    def __init__(self, bits, init_clip=None):
        super().__init__()
        self.bits = bits
        self.clip = nn.Parameter(torch.tensor(
            1.0 if init_clip is None else float(init_clip)))
        # uint8, not bool: gloo (data-parallel training) cannot broadcast bool.
        self.register_buffer("initialized",
                             torch.tensor(int(init_clip is not None), dtype=torch.uint8))
        self.exporting = False

    def forward(self, x):
        if not bool(self.initialized):
            with torch.no_grad():
                a = x.detach().abs()
                c = a.max()
                if self.bits < 8:
                    qmax = Q.qmax_of(self.bits)
                    c = torch.minimum(c, 2 * a.mean() * qmax ** 0.5)
                self.clip.fill_(max(float(c), 1e-4))
                self.initialized.fill_(1)
        if self.exporting:
            return Q.export_fake_quantize(x, self.clip.item(), self.bits)
        with torch.no_grad():  # keep the clip positive
            self.clip.clamp_(min=1e-4)
        return Q.fake_quantize(x, self.clip, self.bits)

    def extra_repr(self):
        return f"bits={self.bits}, clip={self.clip.item():.4g}"


class BinaryActQuant(nn.Module):
    """BiT's elastic binarization (1-bit activations): a learned scale
    alpha > 0 and threshold beta per quantization point; `signed` inputs
    become alpha * {-1, +1}, non-negative ones (probabilities) alpha *
    {0, 1} (docs/dialect.md, "1-bit activations"). Both start from the
    first training batch at the best 1-bit fit of it: signed beta = mean
    x, alpha = mean |x - beta|; non-negative beta = 0 and alpha by a few
    Lloyd steps (alpha = mean of the x above alpha / 2). For attention
    probabilities that fit trains much faster than BiT's start (alpha =
    4 mean x): after one epoch of the CI task's binary attention step,
    92.5% dev accuracy against 26.5% (44.5% with the threshold at the
    mean)."""

    bits = 1

    def __init__(self, signed=True):
        super().__init__()
        self.signed = signed
        self.alpha = nn.Parameter(torch.tensor(1.0))
        self.beta = nn.Parameter(torch.tensor(0.0))
        self.register_buffer("initialized", torch.tensor(0, dtype=torch.uint8))
        self.exporting = False

    def _initialize(self, x):
        x = x.detach().to(torch.float64)
        if self.signed:
            beta = x.mean()
            alpha = (x - beta).abs().mean()
        else:
            beta = torch.zeros((), dtype=torch.float64)
            alpha = x.max()
            for _ in range(8):
                above = x[x > alpha / 2]
                if above.numel() == 0:
                    break
                alpha = above.mean()
        self.alpha.fill_(max(float(alpha), 1e-4))
        self.beta.fill_(float(beta))
        self.initialized.fill_(1)

    def forward(self, x):
        if not bool(self.initialized):
            with torch.no_grad():
                self._initialize(x)
        # The scale is kept positive out of place: a module called twice in
        # one forward (ALBERT's shared layers) must not change it between.
        alpha = self.alpha.clamp(min=1e-4)
        if self.exporting:
            return Q.export_binarize(x, alpha.item(), self.beta.item(), self.signed)
        return Q.elastic_binarize(x, alpha, self.beta, self.signed)

    def extra_repr(self):
        return (f"bits=1, {'signed' if self.signed else 'non-negative'}, "
                f"alpha={self.alpha.item():.4g}, beta={self.beta.item():.4g}")


def act_quant(bits, init_clip=None):
    """The activation quantizer for `bits` (1: elastic binarization of a
    signed input; 2..8: the learned-clip quantizer)."""
    return BinaryActQuant() if bits == 1 else ActQuant(bits, init_clip)


def attention_quant(bits, probabilities=False):
    """The quantizer of attention's Q, K, V (signed) or, with
    `probabilities`, of P (in [0, 1]: binarized to {0, alpha}, or
    quantized on a clip that starts at 1)."""
    if bits == 1:
        return BinaryActQuant(signed=not probabilities)
    return ActQuant(bits, init_clip=1.0 if probabilities else None)


def check_integer_nonlinear(integer_nonlinear, attention_bits):
    if integer_nonlinear and attention_bits == 1:
        raise ValueError("integer_nonlinear: binary attention (attention bits 1) has no "
                         "integer softmax")


def check_act_bits(bits, name="act_bits"):
    if not isinstance(bits, int) or not 1 <= bits <= 8:
        raise ValueError(f"{name} must be in [1, 8], got {bits}")


class QuantLinear(nn.Module):
    """nn.Linear with a quantized weight and a quantized input.
    mode "ternary" / "binary" / "int8": one latent weight quantized by
    TWN / BWN / int8; mode "tws": two latent halves, each binarized with its
    own scale, summed (after `tws_split`). `output_quant` quantizes the
    result too, to that many bits (attention's Q, K, V)."""

    def __init__(self, linear, mode, act_bits, per_row, output_quant=False):
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.mode, self.per_row = mode, per_row
        self.weight = nn.Parameter(linear.weight.detach().clone())
        self.bias = (nn.Parameter(linear.bias.detach().clone())
                     if linear.bias is not None else None)
        self.input_quant = act_quant(act_bits)
        self.output_quant = attention_quant(output_quant) if output_quant else None
        self.exporting = False

    def quantized(self):
        """[(latent, codes, scale)] for each weight plane group."""
        if self.mode == "tws":
            return [(w,) + Q.bwn(w, self.per_row) for w in (self.weight, self.weight2)]
        return [(self.weight,) + Q.WEIGHT_QUANTIZERS[self.mode](self.weight, self.per_row)]

    def forward(self, x):
        x = self.input_quant(x)
        if self.exporting:  # one MatMul per quantized weight, as exported
            y = None
            for latent, codes, scale in self.quantized():
                part = torch.matmul(x, Q.export_weight(latent, codes, scale, True))
                y = part if y is None else y + part
            if self.bias is not None:
                y = y + self.bias
        else:
            w = None
            for latent, codes, scale in self.quantized():
                wq = latent + (Q.dequantize(codes, scale) - latent).detach()
                w = wq if w is None else w + wq
            y = F.linear(x, w, self.bias)
        return self.output_quant(y) if self.output_quant is not None else y

    def extra_repr(self):
        return (f"{self.in_features}, {self.out_features}, mode={self.mode}, "
                f"per_row={self.per_row}")


class QuantEmbedding(nn.Module):
    """nn.Embedding whose table is quantized per row (TWN, BWN or int8)."""

    def __init__(self, embedding, mode):
        super().__init__()
        self.mode = mode
        self.padding_idx = embedding.padding_idx
        self.weight = nn.Parameter(embedding.weight.detach().clone())
        self.exporting = False

    def forward(self, ids):
        codes, scale = Q.WEIGHT_QUANTIZERS[self.mode](self.weight, True)
        if self.exporting:
            table = Q.export_weight(self.weight, codes, scale, False)
        else:
            table = self.weight + (Q.dequantize(codes, scale) - self.weight).detach()
        return F.embedding(ids, table, self.padding_idx)


_SOFTMAX = (F.softmax, torch.softmax, torch.Tensor.softmax)


class _SoftmaxTap(TorchFunctionMode):
    """Active while one attention module runs: records each softmax input
    (the attention scores, for distillation) and fake-quantizes its output
    with the module's probability quantizer, if it has one."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in _SOFTMAX:
            taps = getattr(self.module, "_bnbert_scores", None)
            if taps is not None:
                taps.append(args[0])
            quant = getattr(self.module, "prob_quant", None)
            if quant is not None:
                out = quant(out)
        return out


def _enter_tap(module, args):
    module._bnbert_mode = _SoftmaxTap(module)
    module._bnbert_mode.__enter__()


def _exit_tap(module, args, output):
    module._bnbert_mode.__exit__(None, None, None)
    module._bnbert_mode = None


def attention_modules(model):
    """The attention modules: those `prepare` found by structure (its probe
    forward), else the modules holding a linear named query/q_lin/q_proj
    (in model order)."""
    probed = getattr(model, "_bnbert_attention", None)
    if probed is not None:
        return list(probed)
    found = []
    for name, module in model.named_modules():
        children = dict(module.named_children())
        if any(QKV_NAMES.get(c) == "query" for c in children) and module not in found:
            found.append(module)
    return found


def tap_attention(model):
    """Hooks each attention module so that its softmax runs through
    `_SoftmaxTap` (idempotent)."""
    for module in attention_modules(model):
        if not getattr(module, "_bnbert_tapped", False):
            module.register_forward_pre_hook(_enter_tap)
            module.register_forward_hook(_exit_tap)
            module._bnbert_tapped = True


class _Probe(TorchFunctionMode):
    """One forward of the model watched: the linears in call order with
    the module that was running each, and where each softmax ran."""

    def __init__(self, model):
        super().__init__()
        self.stack, self.events, self.hooks = [], [], []
        for m in model.modules():
            self.hooks.append(m.register_forward_pre_hook(self._enter))
            self.hooks.append(m.register_forward_hook(self._exit))

    def _enter(self, module, args):
        self.stack.append((module, len(self.events)))

    def _exit(self, module, args, output):
        self.stack.pop()
        if isinstance(module, nn.Linear):
            self.events.append(("linear", module, output))

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in _SOFTMAX:
            # The innermost running module that is not an nn.Softmax itself.
            owner = next(((m, i) for m, i in reversed(self.stack)
                          if not isinstance(m, nn.Softmax)), (None, 0))
            self.events.append(("softmax", owner, out))
        return out

    def remove(self):
        for h in self.hooks:
            h.remove()


def _tensors(value):
    if torch.is_tensor(value):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    return []


def find_structure(model, example_inputs):
    """(attention modules, their Q/K/V linears, the linears whose output
    the model returns) of `model`, found by running it once on
    `example_inputs` (a dict of keyword inputs, or a tuple): an attention
    module is the innermost module in which a softmax runs; its Q, K and V
    are the linears that ran inside it before the softmax; a classifier is
    a linear whose output is returned as it is."""
    probe = _Probe(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), probe:
            out = (model(**example_inputs) if isinstance(example_inputs, dict)
                   else model(*example_inputs))
    finally:
        probe.remove()
        model.train(was_training)
    returned = {id(t) for t in _tensors(out)}
    attention, qkv, classifier = [], [], []
    for i, (kind, what, output) in enumerate(probe.events):
        if kind == "linear" and id(output) in returned and what not in classifier:
            classifier.append(what)
        elif kind == "softmax" and what[0] is not None and what[0] not in attention:
            # A linear's event is its exit, so those between the module's
            # entry and its softmax ran inside it, before the softmax.
            module, start = what
            attention.append(module)
            qkv += [m for k, m, _ in probe.events[start:i] if k == "linear" and m not in qkv]
    return attention, qkv, classifier


def attention_bits_for(act_bits, attention_bits=None):
    """Q, K, V and probabilities follow act_bits down to 2 bits; with
    1-bit linear inputs they stay at 8 unless told (BiT finds binarizing
    attention its costliest step for accuracy). attention_bits 1 is BiT's
    binary attention: Q, K, V binarized to {-alpha, alpha}, P to
    {0, alpha}."""
    bits = attention_bits if attention_bits is not None else (
        act_bits if act_bits >= 2 else 8)
    check_act_bits(bits, "attention_bits")
    return bits


def prepare(model, weights="ternary", act_bits=8, granularity="tensor",
            quantize_embeddings=True, keep=(), example_inputs=None,
            skip=None, attention_bits=None, integer_nonlinear=False):
    """Makes `model` (in place; also returned) quantization-aware.

    weights: "ternary", "binary" or "int8" for the linears (and the
    word-embedding table, per row); act_bits: the linears' inputs, 8 or 4
    (2..8), or 1 (BiT's elastic binarization); attention_bits: Q, K, V
    and the probabilities (default: act_bits, 8 when act_bits is 1; 1 is
    BiT's binary attention);
    granularity: "tensor" or "row" scales for the linears;
    integer_nonlinear: GELU, softmax and layer norm in I-BERT's integer
    forms (integer_nonlinear.py; not with binary attention).

    What stays float: with `example_inputs` (one batch, as a dict of
    keyword inputs or a tuple), the structure decides (`find_structure`):
    the linears whose output the model returns (the classifier), and the
    attention modules, Q, K and V come from where softmax runs, whatever
    the modules are named. Without it, names do: linears named classifier,
    out_proj, qa_outputs or score stay float and attention is the module
    holding query/q_lin/q_proj. `keep`: more module names (last
    component) that stay float, added to those. `skip` (deprecated)
    replaces the name list. The table of what became what is
    `quantization_table(model)`; export_onnx refuses a model with a float
    linear that is neither the classifier nor kept."""
    if weights not in Q.WEIGHT_QUANTIZERS:
        raise ValueError(f"weights must be ternary, binary or int8, got {weights!r}")
    check_act_bits(act_bits)
    att_bits = attention_bits_for(act_bits, attention_bits)
    check_integer_nonlinear(integer_nonlinear, att_bits)
    if granularity not in ("tensor", "row"):
        raise ValueError(f"granularity must be tensor or row, got {granularity!r}")
    per_row = granularity == "row"
    embeddings = [m for m in model.modules() if isinstance(m, nn.Embedding)]
    word = max(embeddings, key=lambda m: m.num_embeddings) if embeddings else None
    names = set(CLASSIFIER_NAMES if skip is None else skip) | set(keep)
    if example_inputs is not None:
        attention, qkv, classifier = find_structure(model, example_inputs)
        if not attention:
            raise ValueError("prepare: no softmax ran in the probe forward, so the "
                             "model has no attention to quantize")
        model._bnbert_attention = attention
        is_kept = lambda name, child: child in classifier or name in set(keep)  # noqa: E731
        is_qkv = lambda name, child: child in qkv  # noqa: E731
        how = "by structure"
    else:
        is_kept = lambda name, child: name in names  # noqa: E731
        is_qkv = lambda name, child: name in QKV_NAMES  # noqa: E731
        how = "by name"
    table, replaced = [], 0
    for parent_name, parent in list(model.named_modules()):
        for name, child in list(parent.named_children()):
            where = f"{parent_name}.{name}" if parent_name else name
            if isinstance(child, nn.Linear):
                shape = f"{child.out_features}x{child.in_features}"
                if is_kept(name, child):
                    table.append((where, "linear", shape, f"float (kept {how})"))
                    child._bnbert_kept = True
                    continue
                qkv_here = is_qkv(name, child)
                setattr(parent, name, QuantLinear(child, weights, act_bits, per_row,
                                                  output_quant=att_bits if qkv_here else 0))
                table.append((where, "linear", shape, f"{weights} weight, {act_bits}-bit "
                              f"input{f', {att_bits}-bit output (Q/K/V)' if qkv_here else ''}"))
                replaced += 1
            elif child is word and quantize_embeddings:
                setattr(parent, name, QuantEmbedding(child, weights))
                table.append((where, "embedding", f"{child.num_embeddings}x"
                              f"{child.embedding_dim}", f"{weights} per row"))
    if not replaced:
        raise ValueError("prepare: the model has no nn.Linear to quantize")
    found = attention_modules(model)
    for module in found:
        module.prob_quant = attention_quant(att_bits, probabilities=True)
        table.append((type(module).__name__, "attention", "-",
                      f"probabilities at {att_bits} bits ({how})"))
    if not found:
        table.append(("-", "attention", "-", "none found: Q, K, V and probabilities "
                      "stay float (pass example_inputs to find it by structure)"))
    tap_attention(model)
    model.bnbert_config = {"weights": weights, "act_bits": act_bits,
                           "attention_bits": att_bits, "granularity": granularity,
                           "integer_nonlinear": bool(integer_nonlinear)}
    if integer_nonlinear:
        use_integer_nonlinear(model)
        table.append(("-", "nonlinear", "-", "GELU, softmax, layer norm in integers"))
    model._bnbert_table = table
    return model


def quantization_table(model):
    """What `prepare` made of each linear, the word table and each
    attention: [(where, kind, shape, what)]."""
    return list(getattr(model, "_bnbert_table", []))


def unquantized_linears(model):
    """The float nn.Linear modules of a prepared model that prepare did not
    keep on purpose (a linear added after prepare, or a foreign layer)."""
    return [name for name, m in model.named_modules()
            if type(m) is nn.Linear and not getattr(m, "_bnbert_kept", False)]


def tws_split(model):
    """Ternary weight splitting: every ternary QuantLinear becomes two
    binary halves (mode "tws") that start exactly where the ternary weight
    was: bwn(W1) + bwn(W2) = twn(W) to float rounding. The bias is kept
    once (the authors halve it over the two halves; their sum is the
    same). The word-embedding table stays ternary: its split would take
    the same two bits per weight."""
    split = 0
    for module in model.modules():
        if isinstance(module, QuantLinear) and module.mode == "ternary":
            h1, h2 = Q.tws_halves(module.weight, module.per_row)
            module.weight = nn.Parameter(h1.to(torch.float32))
            module.weight2 = nn.Parameter(h2.to(torch.float32))
            module.mode = "tws"
            split += 1
    if not split:
        raise ValueError("tws_split: no ternary QuantLinear (prepare the "
                         "model with weights='ternary' first)")
    if hasattr(model, "bnbert_config"):
        model.bnbert_config["weights"] = "tws"
    return model


def set_input_bits(model, bits):
    """Every quantized linear's input quantizer replaced by a fresh one of
    `bits` (1..8), initialized on the next forward (multi-step
    distillation: W1A8 -> W1A4 -> W1A2 -> W1A1, each step from the
    last); attention keeps its quantizers. Returns how many changed."""
    check_act_bits(bits)
    changed = 0
    for module in model.modules():
        if isinstance(module, QuantLinear):
            device = module.weight.device
            module.input_quant = act_quant(bits).to(device)
            changed += 1
    if hasattr(model, "bnbert_config"):
        model.bnbert_config["act_bits"] = bits
    return changed


def set_attention_bits(model, bits):
    """Attention's quantizers (Q, K, V and P; of `prepare` and of
    `prepare_graph`) replaced by fresh ones of `bits` (1..8), initialized
    on the next forward: multi-step distillation takes attention down with
    the linears' inputs. Returns how many changed."""
    check_act_bits(bits, "attention_bits")
    changed = 0
    for module in model.modules():
        if isinstance(module, QuantLinear) and module.output_quant is not None:
            device = module.weight.device
            module.output_quant = attention_quant(bits).to(device)
            changed += 1
        for name in ("q_quant", "k_quant", "v_quant", "prob_quant"):
            old = getattr(module, name, None)
            if old is not None:
                device = next(old.parameters()).device
                setattr(module, name, attention_quant(bits, name == "prob_quant").to(device))
                changed += 1
    if hasattr(model, "bnbert_config"):
        model.bnbert_config["attention_bits"] = bits
    return changed


def set_exporting(model, exporting):
    """Switches every quantizer between the training form and the export
    form (QDQ nodes with constant codes and clips)."""
    for module in model.modules():
        if isinstance(module, (ActQuant, BinaryActQuant, QuantLinear, QuantEmbedding)):
            module.exporting = exporting
