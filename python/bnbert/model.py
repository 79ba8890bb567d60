# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The BERT classifier the trainer builds (Hugging Face BertModel's
structure: word/position/token-type embeddings, post-LN encoder layers with
masked multi-head self-attention and a GELU FFN, a tanh pooler on the first
token, a linear classifier). Any BERT-family nn.Module works with
`prepare`; this one is what `python3 -m bnbert.train` trains from scratch."""
import math
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass
class BertConfig:
    vocab: int = 8000
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    ffn: int = 1024
    max_pos: int = 128
    labels: int = 2
    dropout: float = 0.1

    def to_dict(self):
        return asdict(self)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.head_dim = c.heads, c.hidden // c.heads
        self.query = nn.Linear(c.hidden, c.hidden)
        self.key = nn.Linear(c.hidden, c.hidden)
        self.value = nn.Linear(c.hidden, c.hidden)
        self.dropout = nn.Dropout(c.dropout)

    def split(self, x):
        b, s, _ = x.size()
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask_bias):
        q, k, v = (self.split(self.query(x)), self.split(self.key(x)),
                   self.split(self.value(x)))
        scores = torch.matmul(q, k.transpose(-1, -2))
        scores = scores / math.sqrt(self.head_dim) + mask_bias
        probs = self.dropout(nn.functional.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size(0), ctx.size(1), -1)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = SelfAttention(c)
        self.attention_output = nn.Linear(c.hidden, c.hidden)
        self.attention_norm = nn.LayerNorm(c.hidden, eps=1e-12)
        self.intermediate = nn.Linear(c.hidden, c.ffn)
        self.output = nn.Linear(c.ffn, c.hidden)
        self.output_norm = nn.LayerNorm(c.hidden, eps=1e-12)
        self.dropout = nn.Dropout(c.dropout)

    def forward(self, x, mask_bias):
        a = self.dropout(self.attention_output(self.attention(x, mask_bias)))
        x = self.attention_norm(x + a)
        h = self.output(nn.functional.gelu(self.intermediate(x)))
        return self.output_norm(x + self.dropout(h))


class BertClassifier(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.word_embeddings = nn.Embedding(c.vocab, c.hidden)
        self.position_embeddings = nn.Embedding(c.max_pos, c.hidden)
        self.token_type_embeddings = nn.Embedding(2, c.hidden)
        self.embedding_norm = nn.LayerNorm(c.hidden, eps=1e-12)
        self.dropout = nn.Dropout(c.dropout)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.layers))
        self.pooler = nn.Linear(c.hidden, c.hidden)
        self.classifier = nn.Linear(c.hidden, c.labels)
        self.register_buffer("position_ids", torch.arange(c.max_pos)[None],
                             persistent=False)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):  # as BertPreTrainedModel._init_weights
        if isinstance(m, (nn.Linear, nn.Embedding)):
            m.weight.data.normal_(0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            m.bias.data.zero_()

    def forward(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.size(1)
        x = (self.word_embeddings(input_ids) +
             self.position_embeddings(self.position_ids[:, :seq]) +
             self.token_type_embeddings(token_type_ids))
        x = self.dropout(self.embedding_norm(x))
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(pooled)
