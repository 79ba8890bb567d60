# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Hugging Face checkpoint folders without the `transformers` package: the
`*ForSequenceClassification` models of type bert, distilbert, roberta and
albert, rebuilt in plain PyTorch with Hugging Face's parameter names (so
the checkpoint's state dict loads as it is) and exported to ONNX, which the
trainer then reads like any user's ONNX model (one frontend).

A folder holds `config.json`, the weights (`model.safetensors`: an 8-byte
header length, a JSON header, raw little-endian arrays; or
`pytorch_model.bin`) and the tokenizer (`vocab.txt`; ALBERT `spiece.model`).
"""
import json
import math
import struct
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

FAMILIES = ("bert", "distilbert", "roberta", "albert")


class CheckpointError(ValueError):
    pass


# -- weights -------------------------------------------------------------------

_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64,
                       "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
                       "U8": np.uint8, "BOOL": np.bool_, "BF16": np.uint16}


def read_safetensors(path):
    """{name: float32 (or integer) tensor} of a .safetensors file."""
    raw = Path(path).read_bytes()
    try:
        (size,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + size].decode("utf-8"))
    except (struct.error, UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{path}: not a safetensors file (bad header)") from None
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(info.get("dtype"))
        start, end = info.get("data_offsets", (0, -1))
        if dtype is None or 8 + size + end > len(raw) or start > end:
            raise CheckpointError(f"{path}: tensor {name}: dtype {info.get('dtype')} or "
                                  f"byte range {start}..{end} unreadable")
        a = np.frombuffer(raw, dtype, (end - start) // np.dtype(dtype).itemsize,
                          8 + size + start).reshape(info["shape"])
        if info["dtype"] == "BF16":  # the high half of a float32
            a = (a.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = torch.from_numpy(
            a.astype(np.float32) if a.dtype.kind == "f" else a.copy())
    return tensors


def read_weights(folder):
    for name, reader in (("model.safetensors", read_safetensors),
                         ("pytorch_model.bin", lambda p: torch.load(p, map_location="cpu"))):
        path = folder / name
        if path.is_file():
            try:
                state = reader(path)
            except CheckpointError:
                raise
            except Exception as e:  # torch.load: pickle and zip errors
                raise CheckpointError(f"{path}: unreadable ({type(e).__name__})") from None
            return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    raise CheckpointError(f"{folder}: no model.safetensors or pytorch_model.bin")


# -- the four structures, with Hugging Face's names ------------------------------

def _act(name):
    if name in ("gelu", "gelu_python"):
        return lambda x: F.gelu(x)
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    raise CheckpointError(f"hidden activation {name!r} is not supported "
                          f"(gelu, gelu_new, gelu_pytorch_tanh, relu)")


def _heads(x, heads):
    b, s, e = x.size()
    return x.view(b, s, heads, e // heads).permute(0, 2, 1, 3)


def _attend(q, k, v, heads, mask_bias):
    qh, kh, vh = _heads(q, heads), _heads(k, heads), _heads(v, heads)
    scores = torch.matmul(qh, kh.transpose(-1, -2)) / math.sqrt(qh.size(-1))
    probs = F.softmax(scores + mask_bias, dim=-1)
    ctx = torch.matmul(probs, vh).permute(0, 2, 1, 3).contiguous()
    return ctx.view(ctx.size(0), ctx.size(1), -1)


def _mask_bias(mask):
    return (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min


class _Linear(nn.Module):  # a holder of `dense` (Hugging Face's nesting)
    def __init__(self, n_in, n_out):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)


class _DenseNorm(nn.Module):
    def __init__(self, n_in, n_out, eps):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out)
        self.LayerNorm = nn.LayerNorm(n_out, eps=eps)


class _SelfAttention(nn.Module):
    def __init__(self, h):
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(h, h) for _ in range(3))


class _Attention(nn.Module):
    def __init__(self, h, eps):
        super().__init__()
        self.self = _SelfAttention(h)
        self.output = _DenseNorm(h, h, eps)


class _BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-12)
        self.heads, self.act = c["num_attention_heads"], _act(c.get("hidden_act", "gelu"))
        self.attention = _Attention(h, eps)
        self.intermediate = _Linear(h, c["intermediate_size"])
        self.output = _DenseNorm(c["intermediate_size"], h, eps)

    def forward(self, x, bias):
        s = self.attention.self
        a = _attend(s.query(x), s.key(x), s.value(x), self.heads, bias)
        x = self.attention.output.LayerNorm(x + self.attention.output.dense(a))
        y = self.output.dense(self.act(self.intermediate.dense(x)))
        return self.output.LayerNorm(x + y)


class _Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(_BertLayer(c) for _ in range(c["num_hidden_layers"]))


class _Embeddings(nn.Module):
    def __init__(self, c, width, padding_idx=None):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], width)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], width)
        self.token_type_embeddings = nn.Embedding(c.get("type_vocab_size", 2), width)
        self.LayerNorm = nn.LayerNorm(width, eps=c.get("layer_norm_eps", 1e-12))
        self.padding_idx = padding_idx  # RoBERTa numbers positions after padding

    def forward(self, ids, types):
        if self.padding_idx is None:
            positions = torch.arange(ids.size(1))[None, :].expand_as(ids)
        else:
            real = ids.ne(self.padding_idx).long()
            positions = torch.cumsum(real, dim=1) * real + self.padding_idx
        x = self.word_embeddings(ids) + self.position_embeddings(positions)
        return self.LayerNorm(x + self.token_type_embeddings(types))


class _BertModel(nn.Module):
    def __init__(self, c, pooler, padding_idx=None):
        super().__init__()
        self.embeddings = _Embeddings(c, c["hidden_size"], padding_idx)
        self.encoder = _Encoder(c)
        if pooler:
            self.pooler = _Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, ids, mask, types):
        x = self.embeddings(ids, types)
        bias = _mask_bias(mask)
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return x


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = _BertModel(c, pooler=True)
        self.classifier = nn.Linear(c["hidden_size"], c["num_labels"])

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(torch.tanh(self.bert.pooler.dense(x[:, 0])))


class _RobertaHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.out_proj = nn.Linear(c["hidden_size"], c["num_labels"])


class RobertaForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.roberta = _BertModel(c, pooler=False, padding_idx=c.get("pad_token_id", 1))
        self.classifier = _RobertaHead(c)

    def forward(self, input_ids, attention_mask):
        x = self.roberta(input_ids, attention_mask, torch.zeros_like(input_ids))
        head = self.classifier
        return head.out_proj(torch.tanh(head.dense(x[:, 0])))


class _DistilAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (nn.Linear(d, d) for _ in range(4))


class _DistilFfn(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.lin1, self.lin2 = nn.Linear(d, hidden), nn.Linear(hidden, d)


class _DistilLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dim"]
        self.heads, self.act = c["n_heads"], _act(c.get("activation", "gelu"))
        self.attention = _DistilAttention(d)
        self.sa_layer_norm = nn.LayerNorm(d, eps=1e-12)
        self.ffn = _DistilFfn(d, c["hidden_dim"])
        self.output_layer_norm = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x, bias):
        a = self.attention
        x = self.sa_layer_norm(x + a.out_lin(_attend(a.q_lin(x), a.k_lin(x), a.v_lin(x),
                                                     self.heads, bias)))
        return self.output_layer_norm(x + self.ffn.lin2(self.act(self.ffn.lin1(x))))


class _DistilEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["dim"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["dim"])
        self.LayerNorm = nn.LayerNorm(c["dim"], eps=1e-12)


class _DistilTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(_DistilLayer(c) for _ in range(c["n_layers"]))


class _DistilModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = _DistilEmbeddings(c)
        self.transformer = _DistilTransformer(c)


class DistilBertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.distilbert = _DistilModel(c)
        self.pre_classifier = nn.Linear(c["dim"], c["dim"])
        self.classifier = nn.Linear(c["dim"], c["num_labels"])

    def forward(self, input_ids, attention_mask):
        e = self.distilbert.embeddings
        positions = torch.arange(input_ids.size(1))[None, :].expand_as(input_ids)
        x = e.LayerNorm(e.word_embeddings(input_ids) + e.position_embeddings(positions))
        bias = _mask_bias(attention_mask)
        for layer in self.distilbert.transformer.layer:
            x = layer(x, bias)
        return self.classifier(F.relu(self.pre_classifier(x[:, 0])))


class _AlbertAttention(_SelfAttention):
    def __init__(self, h, eps):
        super().__init__(h)
        self.dense = nn.Linear(h, h)
        self.LayerNorm = nn.LayerNorm(h, eps=eps)


class _AlbertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-12)
        self.heads, self.act = c["num_attention_heads"], _act(c.get("hidden_act", "gelu_new"))
        self.attention = _AlbertAttention(h, eps)
        self.ffn = nn.Linear(h, c["intermediate_size"])
        self.ffn_output = nn.Linear(c["intermediate_size"], h)
        self.full_layer_layer_norm = nn.LayerNorm(h, eps=eps)

    def forward(self, x, bias):
        a = self.attention
        x = a.LayerNorm(x + a.dense(_attend(a.query(x), a.key(x), a.value(x), self.heads, bias)))
        return self.full_layer_layer_norm(x + self.ffn_output(self.act(self.ffn(x))))


class _AlbertGroup(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.albert_layers = nn.ModuleList(_AlbertLayer(c)
                                           for _ in range(c.get("inner_group_num", 1)))


class _AlbertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embedding_hidden_mapping_in = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.albert_layer_groups = nn.ModuleList(
            _AlbertGroup(c) for _ in range(c.get("num_hidden_groups", 1)))


class _AlbertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = _Embeddings(c, c["embedding_size"])
        self.encoder = _AlbertEncoder(c)
        self.pooler = nn.Linear(c["hidden_size"], c["hidden_size"])


class AlbertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers, self.groups = c["num_hidden_layers"], c.get("num_hidden_groups", 1)
        self.albert = _AlbertModel(c)
        self.classifier = nn.Linear(c["hidden_size"], c["num_labels"])

    def forward(self, input_ids, attention_mask, token_type_ids):
        m = self.albert
        x = m.encoder.embedding_hidden_mapping_in(m.embeddings(input_ids, token_type_ids))
        bias = _mask_bias(attention_mask)
        for i in range(self.layers):  # layers share the weights of their group
            group = m.encoder.albert_layer_groups[i * self.groups // self.layers]
            for layer in group.albert_layers:
                x = layer(x, bias)
        return self.classifier(torch.tanh(m.pooler(x[:, 0])))


_CLASSES = {"bert": BertForSequenceClassification, "roberta": RobertaForSequenceClassification,
            "distilbert": DistilBertForSequenceClassification,
            "albert": AlbertForSequenceClassification}
# Buffers some checkpoints save that the structure computes itself.
_IGNORED = ("position_ids", "token_type_ids")


# -- the folder ------------------------------------------------------------------

class Checkpoint:
    """A Hugging Face classification checkpoint folder, read and checked:
    `model` (eval mode, the checkpoint's weights), `inputs` (ONNX input
    names), `labels` (id2label in logit order), `tokenizer` and
    `lowercase`."""

    def __init__(self, folder):
        folder = Path(folder)
        self.folder = folder
        try:
            c = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CheckpointError(f"{folder}: no config.json (not a Hugging Face "
                                  f"checkpoint folder)") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CheckpointError(f"{folder / 'config.json'}: not JSON ({e})") from None
        kind = c.get("model_type")
        if kind not in FAMILIES:
            raise CheckpointError(f"{folder / 'config.json'}: model_type {kind!r}; "
                                  f"supported: {', '.join(FAMILIES)}")
        heads = [a for a in c.get("architectures") or [] if a.endswith("ForSequenceClassification")]
        if c.get("architectures") and not heads:
            raise CheckpointError(f"{folder / 'config.json'}: architectures "
                                  f"{c['architectures']}; a *ForSequenceClassification "
                                  f"model is needed (its classifier is the teacher's head)")
        id2label = c.get("id2label") or {}
        c.setdefault("num_labels", len(id2label) or 2)
        self.labels = [str(id2label.get(str(i), id2label.get(i, f"LABEL_{i}")))
                       for i in range(c["num_labels"])]
        try:
            self.model = _CLASSES[kind](c).eval()
        except KeyError as e:
            raise CheckpointError(f"{folder / 'config.json'}: no {e} for {kind}") from None
        state = {k: v for k, v in read_weights(folder).items()
                 if not k.endswith(_IGNORED)}
        own = self.model.state_dict()
        for name, value in state.items():
            if name in own and own[name].shape != value.shape:
                raise CheckpointError(f"{folder}: {name} is {list(value.shape)}, "
                                      f"config.json makes it {list(own[name].shape)}")
        got = self.model.load_state_dict(state, strict=False)
        if got.missing_keys:
            raise CheckpointError(f"{folder}: the weights lack {len(got.missing_keys)} "
                                  f"tensors of a {kind} classifier, e.g. "
                                  f"{', '.join(got.missing_keys[:3])}")
        extra = [k for k in got.unexpected_keys if k.split(".")[0] in
                 ("bert", "roberta", "distilbert", "albert", "classifier")]
        if extra:
            raise CheckpointError(f"{folder}: weights config.json has no place for, "
                                  f"e.g. {', '.join(extra[:3])}")
        self.inputs = (["input_ids", "attention_mask"] if kind in ("roberta", "distilbert")
                       else ["input_ids", "attention_mask", "token_type_ids"])
        self.kind = kind
        self.tokenizer, self.lowercase, self.tokenizer_problem = self._tokenizer()

    def _tokenizer(self):
        """(path, lowercase, None), or (None, lowercase, why) when the
        folder has no tokenizer the runtime reads (--tokenizer then
        decides)."""
        folder = self.folder
        settings = {}
        if (folder / "tokenizer_config.json").is_file():
            try:
                settings = json.loads((folder / "tokenizer_config.json").read_text("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                settings = {}
        lowercase = bool(settings.get("do_lower_case", self.kind != "roberta"))
        for name in ("vocab.txt", "spiece.model"):
            if (folder / name).is_file():
                return folder / name, lowercase, None
        if (folder / "vocab.json").is_file() or (folder / "tokenizer.json").is_file():
            what = "vocab.json + merges.txt" if (folder / "vocab.json").is_file() \
                else "tokenizer.json"
            return None, lowercase, (f"{folder}: its tokenizer is {what}, which the "
                                     f"runtime does not read yet; give a vocab.txt or "
                                     f".model with --tokenizer")
        return None, lowercase, (f"{folder}: no vocab.txt or spiece.model; give the "
                                 f"tokenizer with --tokenizer")

    def export(self, path, seq):
        """The model as ONNX (opset 14, batch and sequence dynamic)."""
        example = tuple(torch.ones(2, seq, dtype=torch.int64) for _ in self.inputs)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's own deprecations
            torch.onnx.export(self.model, example, str(path), input_names=self.inputs,
                              output_names=["logits"], opset_version=14,
                              dynamic_axes={n: {0: "batch", 1: "sequence"}
                                            for n in self.inputs})
        return path
