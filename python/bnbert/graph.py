# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The user's model as a trainable PyTorch module, built from the compiler's
view of it: `bnbert-compile MODEL.onnx --emit graph` writes the raised float
`bnq` function (docs/training.md, "The graph file"), and `GraphModel` runs
those ops with torch, each weight a parameter. Every structure the
compiler imports (BERT, DistilBERT, RoBERTa, ALBERT, ONNX Runtime's fused
ops, any input and output names) is trainable with nothing parsed twice.

The graph is written at three shapes, [2, S], [3, S] and [2, S - 1];
each dimension is learned as c x batch^p x sequence^q from them, so the
module runs any batch and any sequence up to S, and its ONNX export keeps
both dynamic (a bundle of it can take a shape range).

Quantization points are found by structure, as the compiler finds them
(lib/Transforms/QuantizeWeights.cpp, QuantizeActivations.cpp,
FuseAttention.cpp): every `bnq.linear` whose result is not returned
directly, with its input; the embedding table with the most rows; each
`bnq.attention`'s query, key, value and probabilities.
"""
import json
import struct
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import modules as M
from .integer_nonlinear import use_integer_nonlinear

GRAPH_BATCHES = (2, 3)  # the graph is written at (2, S), (3, S) and (2, S - 1)

_DTYPES = {"float32": (np.float32, torch.float32), "int64": (np.int64, torch.int64),
           "int32": (np.int32, torch.int32), "bool": (np.bool_, torch.bool)}


class GraphError(ValueError):
    pass


def read_graph(path):
    """(header, data) of a graph file; errors name the file."""
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise GraphError(f"{path}: not a bnq graph file (too short)")
    (size,) = struct.unpack("<Q", raw[:8])
    try:
        header = json.loads(raw[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise GraphError(f"{path}: not a bnq graph file (bad header)") from None
    if header.get("format") != "bnq-graph" or header.get("version") != 1:
        raise GraphError(f"{path}: not a version 1 bnq graph file")
    return header, memoryview(raw)[8 + size:]


def _constant(op, data):
    result = op["results"][0]
    np_dtype = _DTYPES[result["dtype"]][0]
    view = data[op["offset"]:op["offset"] + op["bytes"]]
    return np.frombuffer(view, np_dtype).reshape(result["shape"]).copy()


class _Dims:
    """A shape whose dimensions are c * batch^p * seq^q (p, q in 0..2),
    learned from the same value in the graphs at (2, S), (3, S) and
    (2, S - 1)."""

    def __init__(self, shapes, seq, where):
        b0, b1 = GRAPH_BATCHES
        self.terms = []
        for d0, d1, d2 in zip(*shapes):
            fit = [(d0 // (b0 ** p * seq ** q), p, q) for p in range(3) for q in range(3)
                   if d0 % (b0 ** p * seq ** q) == 0 and
                   d1 == d0 // (b0 ** p * seq ** q) * b1 ** p * seq ** q and
                   d2 == d0 // (b0 ** p * seq ** q) * b0 ** p * (seq - 1) ** q]
            if not fit:
                raise GraphError(f"{where}: dimension {d0} at [{b0}, {seq}] is {d1} at "
                                 f"[{b1}, {seq}] and {d2} at [{b0}, {seq - 1}]: not c x "
                                 f"batch^p x sequence^q")
            self.terms.append(fit[0])

    def at(self, batch, seq):
        return [c * batch ** p * seq ** q for c, p, q in self.terms]


def _varying_axes(shapes):
    """(batch axis, sequence axis) of a constant seen at the three shapes:
    the axis whose size changes with the batch / with the sequence, or
    None; GraphError when a change is not one axis of one kind."""
    base, by_batch, by_seq = shapes
    batch = [i for i, (a, b) in enumerate(zip(base, by_batch)) if a != b]
    seq = [i for i, (a, b) in enumerate(zip(base, by_seq)) if a != b]
    if len(batch) > 1 or len(seq) > 1 or (batch and batch == seq):
        raise GraphError("a constant whose shape follows the input's in a way the "
                         "trainer cannot extend")
    return (batch[0] if batch else None), (seq[0] if seq else None)


class Attention(nn.Module):
    """bnq.attention: P = softmax(scale Q_h K_h^T + mask[b, None, :]),
    out = P V_h per head, written as torch exports BERT attention so the
    compiler fuses it again. After `prepare_graph`, Q, K, V and P pass
    through their activation quantizers."""

    def __init__(self, heads, scale):
        super().__init__()
        self.heads, self.scale = heads, scale
        self.q_quant = self.k_quant = self.v_quant = self.prob_quant = None

    def forward(self, q, k, v, mask, taps):
        if self.q_quant is not None:
            q, k, v = self.q_quant(q), self.k_quant(k), self.v_quant(v)
        b, sq, e = q.size()
        d = e // self.heads
        qh = q.reshape(b, sq, self.heads, d).permute(0, 2, 1, 3)
        kt = k.reshape(b, k.size(1), self.heads, d).permute(0, 2, 3, 1)
        vh = v.reshape(b, v.size(1), self.heads, d).permute(0, 2, 1, 3)
        scores = torch.matmul(qh, kt) * self.scale
        if mask is not None:
            scores = scores + mask.reshape(b, 1, 1, mask.size(-1))
        if taps is not None:
            taps[1].append(scores)
        probs = F.softmax(scores, dim=-1)
        if self.prob_quant is not None:
            probs = self.prob_quant(probs)
        ctx = torch.matmul(probs, vh).permute(0, 2, 1, 3)
        return ctx.reshape(b, sq, e)


def _unary(name):
    return {"erf": torch.erf, "sqrt": torch.sqrt, "exp": torch.exp, "neg": torch.neg,
            "relu": torch.relu, "sigmoid": torch.sigmoid}[name]


_BINARY = {"bnq.add": torch.add, "bnq.sub": torch.sub, "bnq.mul": torch.mul,
           "bnq.div": torch.div, "bnq.pow": torch.pow}


class GraphModel(nn.Module):
    """A raised float bnq graph as an nn.Module: forward(**inputs) takes
    the graph's inputs by name (any integer or float dtype; cast to the
    graph's) at any batch and sequence up to its own, and returns the output
    named `output` (default: the classifier's logits, see `logits_output`).
    Linears, embeddings and layer norms are nn modules holding the graph's
    weights as parameters (a linear weight the graph uses twice, as ALBERT's
    shared layer, is one parameter; each layer norm has its own); other
    constants are buffers."""

    def __init__(self, graphs, seq, output=None):
        super().__init__()
        headers = [h for h, _ in graphs]
        if any([o["op"] for o in h["ops"]] != [o["op"] for o in headers[0]["ops"]]
               for h in headers[1:]):
            raise GraphError("the graphs at different shapes differ in their ops")
        self.seq = seq
        self.inputs = [dict(i, dims=_Dims([h["inputs"][k]["shape"] for h in headers], seq,
                                          f"input {i['name']}"))
                       for k, i in enumerate(headers[0]["inputs"])]
        self.outputs = {o["name"]: o["id"] for o in headers[0]["outputs"]}
        self.output = output or logits_output(headers[0])
        if self.output not in self.outputs:
            raise GraphError(f"the model has no output {self.output!r} "
                             f"(it has {', '.join(self.outputs)})")
        self.linears, self.embeddings = nn.ModuleDict(), nn.ModuleDict()
        self.norms, self.attentions = nn.ModuleDict(), nn.ModuleDict()
        # While recording: (hidden states, attention scores, forced), the
        # layer norms' outputs and the scores appended as they run; when
        # `forced` is a list, layer norm i's output is replaced by forced[i]
        # (block reconstruction feeds each block the teacher's input).
        self.taps = None
        self.program = []
        self._owners = {}  # weight constant id -> (module, attribute) holding it
        self._build(graphs)

    # -- construction --------------------------------------------------------
    def _build(self, graphs):
        (h0, d0) = graphs[0]
        role = {}  # constant id -> the module kind that owns it as a weight
        for op in h0["ops"]:
            args = op["operands"]
            if op["op"] == "bnq.linear":
                role.update({args[1]: "linear", **({args[2]: "linear"} if len(args) > 2 else {})})
            elif op["op"] == "bnq.embedding":
                role[args[0]] = "embedding"
            elif op["op"] == "bnq.layer_norm":
                role.update({args[1]: "norm", args[2]: "norm"})
        self.constants = {}
        for index, op0 in enumerate(h0["ops"]):
            if op0["op"] != "arith.constant":
                continue
            cid = op0["results"][0]["id"]
            where = f"node {op0['node'] or cid}"
            try:
                batch_axis, seq_axis = _varying_axes(
                    [h["ops"][index]["results"][0]["shape"] for h, _ in graphs])
            except GraphError as e:
                raise GraphError(f"{where}: {e}") from None
            if cid in role and batch_axis is None and seq_axis is None:
                values = [_constant(op0, d0)]  # a weight: read once
            else:  # small: every value checked at every shape
                values = [_constant(h["ops"][index], d) for h, d in graphs]
                if batch_axis is None and seq_axis is None and any(
                        not np.array_equal(values[0], v) for v in values[1:]):
                    raise GraphError(f"{where}: a constant whose value follows the "
                                     f"input's shape in a way the trainer cannot extend")
            value = values[0]
            if batch_axis is not None:
                # One row of a constant with a batch axis (folded token types
                # or position ids), broadcast at run time.
                first = np.take(value, [0], axis=batch_axis)
                if not (value == first).all():
                    raise GraphError(f"{where}: a constant that varies along the batch")
                value = first
            if seq_axis is not None:
                # A constant with a sequence axis (position ids): the shorter
                # graph's must be its prefix; sliced to the run's length.
                shorter = np.take(values[2], [0], axis=batch_axis) \
                    if batch_axis is not None else values[2]
                if not np.array_equal(np.take(value, range(shorter.shape[seq_axis]),
                                              axis=seq_axis), shorter):
                    raise GraphError(f"{where}: a constant along the sequence whose "
                                     f"shorter form is not its prefix")
            self.constants[cid] = (torch.from_numpy(value), batch_axis, seq_axis)
            if cid not in role:
                self.register_buffer(f"c{cid}", self.constants[cid][0], persistent=True)
        self.dims, self.result_dtypes = {}, {}
        for index, op0 in enumerate(h0["ops"]):
            for k, r0 in enumerate(op0["results"]):
                shapes = [h["ops"][index]["results"][k]["shape"] for h, _ in graphs]
                self.dims[r0["id"]] = _Dims(shapes, self.seq, f"node {op0['node']}")
                self.result_dtypes[r0["id"]] = r0["dtype"]
        returned = set(self.outputs.values())
        for index, op in enumerate(h0["ops"]):
            kind, args, attrs = op["op"], op["operands"], op.get("attrs", {})
            key = str(index)
            if kind == "arith.constant":
                continue
            if kind == "bnq.linear":
                key = self._linear(args, op["results"][0]["id"] in returned, op["node"])
            elif kind == "bnq.embedding" and role.get(args[0]) == "embedding":
                key = self._embedding(args[0])
            elif kind == "bnq.layer_norm":
                key = self._norm(key, args[1], args[2], attrs["epsilon"])
            elif kind == "bnq.attention":
                self.attentions[key] = Attention(attrs["num_heads"], attrs["scale"])
            self.program.append((kind, key, args, [r["id"] for r in op["results"]], attrs,
                                 op["node"]))

    def _own(self, module, attr, cid):
        """Makes the constant `module`.`attr`, a parameter: its own storage
        the first time (no copy of a large weight), a copy when another
        parameter holds it already (the exporter merges equal initializers,
        e.g. zero biases; training must not tie them). The first owner is
        where any other use of the constant reads it (see _const)."""
        owner = self._owners.get(cid)
        value = self.constants[cid][0]
        setattr(module, attr, nn.Parameter(value.clone() if owner else value))
        self._owners.setdefault(cid, (module, attr))

    def _linear(self, args, returned, node):
        key = "_".join(map(str, args[1:]))  # one module per weight (ALBERT shares them)
        if key not in self.linears:
            w = self.constants.get(args[1])
            if w is None:
                raise GraphError("a linear whose weight is computed, not stored")
            out_f, in_f = w[0].shape
            lin = nn.Linear(in_f, out_f, bias=len(args) > 2)
            self._own(lin, "weight", args[1])
            if len(args) > 2:
                self._own(lin, "bias", args[2])
            lin.returned, lin.node = returned, node or f"linear {key}"
            self.linears[key] = lin
        self.linears[key].returned = self.linears[key].returned or returned
        return key

    def _embedding(self, cid):
        key = str(cid)
        if key not in self.embeddings:
            table = self.constants[cid][0]
            emb = nn.Embedding(*table.shape)
            self._own(emb, "weight", cid)
            self.embeddings[key] = emb
        return key

    def _norm(self, key, gamma, beta, eps):
        # One per op: exporters merge equal initializers (the all-ones scales
        # of an untrained model), which must not tie the layers in training.
        norm = nn.LayerNorm(self.constants[gamma][0].shape[-1], eps=eps)
        self._own(norm, "weight", gamma)
        self._own(norm, "bias", beta)
        self.norms[key] = norm
        return key

    # -- running ---------------------------------------------------------------
    def _const(self, cid, batch, seq):
        value, batch_axis, seq_axis = self.constants[cid]
        # A weight as it trains, where it trains; other constants as buffers.
        module, attr = self._owners.get(cid, (self, f"c{cid}"))
        value = getattr(module, attr)
        if seq_axis is not None:
            value = value.narrow(seq_axis, 0, seq)
        if batch_axis is not None:
            shape = list(value.shape)
            shape[batch_axis] = batch
            value = value.expand(shape)
        return value

    def forward(self, *args, **inputs):
        inputs.update(zip([i["name"] for i in self.inputs], args))  # as ONNX export passes them
        missing = [i["name"] for i in self.inputs if i["name"] not in inputs]
        if missing:
            raise GraphError(f"missing input(s) {', '.join(missing)}")
        first = inputs[self.inputs[0]["name"]]
        batch, seq = first.size(0), first.size(1)
        if not 1 <= seq <= self.seq:
            raise GraphError(f"sequence {seq}: the model runs 1..{self.seq}")
        env = {}
        for spec in self.inputs:
            x = inputs[spec["name"]]
            if list(x.shape) != spec["dims"].at(batch, seq):
                raise GraphError(f"input {spec['name']}: shape {list(x.shape)}, the "
                                 f"model runs {spec['dims'].at(batch, seq)}")
            env[spec["id"]] = x.to(_DTYPES[spec["dtype"]][1])
        taps = self.taps
        for kind, key, args, results, attrs, node in self.program:
            x = [env[a] if a in env else self._const(a, batch, seq) if a in self.constants
                 else None for a in args]
            env[results[0]] = self._run(kind, key, x, attrs, self.dims[results[0]].at(batch, seq),
                                        results[0], taps)
            if kind == "bnq.layer_norm" and taps is not None:
                taps[0].append(env[results[0]])
                if len(taps) > 2 and taps[2] is not None:
                    env[results[0]] = taps[2][len(taps[0]) - 1]
        return env[self.outputs[self.output]]

    def _run(self, kind, key, x, attrs, shape, rid, taps):
        """One op on its operands `x`; `shape` is its result's at this run."""
        if kind == "bnq.linear":
            return self.linears[key](x[0])
        if kind == "bnq.embedding":
            table = self.embeddings[key] if key in self.embeddings else None
            ids = x[1].long()
            return table(ids) if table is not None else F.embedding(ids, x[0])
        if kind == "bnq.layer_norm":
            return self.norms[key](x[0])
        if kind == "bnq.attention":
            return self.attentions[key](x[0], x[1], x[2], x[3] if len(x) > 3 else None, taps)
        if kind in _BINARY:
            return _BINARY[kind](x[0], x[1])
        if kind == "bnq.batch_matmul":
            rhs = x[1].transpose(-1, -2) if attrs.get("transpose_rhs") else x[1]
            return torch.matmul(x[0], rhs)
        if kind == "bnq.softmax":
            return F.softmax(x[0], dim=attrs["axis"])
        if kind == "bnq.gelu":
            return F.gelu(x[0], approximate="tanh" if attrs["approximation"] == "tanh" else "none")
        if kind == "bnq.tanh":
            return torch.tanh(x[0])
        if kind == "bnq.unary":
            return _unary(attrs["function"])(x[0])
        if kind == "bnq.reshape":
            return x[0].reshape(shape)
        if kind == "bnq.transpose":
            return x[0].permute(*attrs["permutation"])
        if kind == "bnq.slice":
            out = x[0]
            for axis, (start, size) in enumerate(zip(attrs["offsets"], shape)):
                if start != 0 or size != out.size(axis):
                    out = out.narrow(axis, start, size)
            return out
        if kind == "bnq.cast":
            return x[0].to(_DTYPES[self._dtype(rid)][1])
        if kind == "bnq.clamp":
            return torch.clamp(x[0], attrs["min"], attrs["max"])
        if kind == "bnq.reduce_mean":
            return x[0].mean(dim=tuple(attrs["axes"]), keepdim=True)
        if kind == "bnq.reduce_sum":
            # As a product with ones: exact for mask counts, and exported as
            # a MatMul the frontend imports (it has no plain ReduceSum).
            ones = torch.ones(x[0].size(-1), 1, dtype=x[0].dtype, device=x[0].device)
            return torch.matmul(x[0], ones)[..., 0]
        if kind == "bnq.length_mask":
            keep = torch.arange(shape[-1], device=x[0].device)[None, :] < x[0].reshape(-1, 1)
            fill = torch.full((), attrs["filter_value"], device=x[0].device)
            return torch.where(keep, torch.zeros((), device=x[0].device), fill)
        if kind == "bnq.position_ids":
            pad = attrs["padding_idx"]
            real = (x[0] != pad).long()
            return torch.cumsum(real, dim=1) * real + pad
        raise GraphError(f"op {kind} has no PyTorch form in bnbert.graph")

    def _dtype(self, rid):
        return self.result_dtypes[rid]

    def word_embeddings(self):
        """The embedding modules with the most rows (the word table; ties
        are all returned), as the compiler's weight passes pick it."""
        if not self.embeddings:
            return []
        rows = max(e.num_embeddings for e in self.embeddings.values())
        return [k for k, e in self.embeddings.items() if e.num_embeddings == rows]


def logits_output(header):
    """The classifier output: the one named `logits`, else the only rank-2
    float output; the error names the outputs."""
    shapes = {}
    for op in header["ops"]:
        for r in op["results"]:
            shapes[r["id"]] = r
    outs = header["outputs"]
    named = [o["name"] for o in outs if o["name"] == "logits"]
    if named:
        return named[0]
    rank2 = [o["name"] for o in outs if o["id"] in shapes and
             len(shapes[o["id"]]["shape"]) == 2 and shapes[o["id"]]["dtype"] == "float32"]
    if len(rank2) == 1:
        return rank2[0]
    raise GraphError(f"cannot tell which output holds the logits (outputs: "
                     f"{', '.join(o['name'] for o in outs)}): the model needs a "
                     f"classifier output named 'logits' or one [batch, classes] output")


def onnx_inputs(path):
    """[(name, rank)] of an ONNX model's graph inputs (initializers
    excluded); the error names the file."""
    import onnx
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as e:  # onnx raises DecodeError, OSError, ...
        raise GraphError(f"{path}: not a readable ONNX model ({e})") from None
    stored = {i.name for i in model.graph.initializer}
    return [(i.name, len(i.type.tensor_type.shape.dim))
            for i in model.graph.input if i.name not in stored]


def load_onnx(path, seq, output=None, workdir=None):
    """GraphModel of a float ONNX model at sequence length `seq`, raised by
    bnbert-compile (whose message, naming the node, is the error when the
    compiler refuses the model)."""
    import tempfile
    from .deploy import compile_graph
    inputs = onnx_inputs(path)
    for name, rank in inputs:
        if rank != 2:
            raise GraphError(f"{path}: input {name} has rank {rank}; text models "
                             f"take [batch, sequence] inputs")
    with tempfile.TemporaryDirectory(prefix="bnbert-graph-", dir=workdir) as tmp:
        graphs = []
        b0, b1 = GRAPH_BATCHES
        for batch, length in ((b0, seq), (b1, seq), (b0, seq - 1)):
            out = Path(tmp) / f"graph{batch}x{length}.bnqg"
            compile_graph(path, out, {name: (batch, length) for name, _ in inputs})
            graphs.append(read_graph(out))
        return GraphModel(graphs, seq, output)


def prepare_graph(model, weights="ternary", act_bits=8, granularity="tensor",
                  quantize_embeddings=True, attention_bits=None, integer_nonlinear=False):
    """Makes a GraphModel quantization-aware (in place; returns the table of
    what was quantized, one row per weight and attention): every linear not
    returned directly (its weight and input), the word-embedding table per
    row, each attention's Q, K, V and probabilities. The rule is the
    compiler's, so the exported model is quantized exactly where
    bnbert-compile expects it."""
    if weights not in M.Q.WEIGHT_QUANTIZERS:
        raise ValueError(f"weights must be ternary, binary or int8, got {weights!r}")
    M.check_act_bits(act_bits)
    att_bits = M.attention_bits_for(act_bits, attention_bits)
    M.check_integer_nonlinear(integer_nonlinear, att_bits)
    per_row = granularity == "row"
    table = []
    for key, lin in list(model.linears.items()):
        shape = f"{lin.out_features}x{lin.in_features}"
        if lin.returned:
            table.append(("linear", lin.node, shape, "float (returned directly: the classifier)"))
            lin._bnbert_kept = True
            continue
        model.linears[key] = M.QuantLinear(lin, weights, act_bits, per_row)
        table.append(("linear", lin.node, shape, f"{weights} weight, {act_bits}-bit input"))
    for key in (model.word_embeddings() if quantize_embeddings else []):
        emb = model.embeddings[key]
        model.embeddings[key] = M.QuantEmbedding(emb, weights)
        table.append(("embedding", f"table {key}", f"{emb.num_embeddings}x{emb.embedding_dim}",
                      f"{weights} per row"))
    for key, att in model.attentions.items():
        att.q_quant, att.k_quant, att.v_quant = (M.attention_quant(att_bits)
                                                 for _ in range(3))
        att.prob_quant = M.attention_quant(att_bits, probabilities=True)
        table.append(("attention", f"attention {key}", f"{att.heads} heads",
                      f"Q, K, V, P at {att_bits} bits"))
    if not any(row[0] == "linear" and not row[3].startswith("float") for row in table):
        raise GraphError("the model has no linear to quantize")
    model.bnbert_config = {"weights": weights, "act_bits": act_bits,
                           "attention_bits": att_bits, "granularity": granularity,
                           "integer_nonlinear": bool(integer_nonlinear)}
    if integer_nonlinear:
        use_integer_nonlinear(model)
        table.append(("nonlinear", "GELU, softmax, layer norm", "-", "integer (I-BERT)"))
    return table
