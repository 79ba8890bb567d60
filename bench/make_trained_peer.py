# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes a BERT-base model in the form the trainer exports (python/bnbert:
prepare -> [tws_split] -> export_onnx), for timing only:

- tws-own (default): after binary fine-tuning of a TWS split, every
  encoder linear two binary planes, each with its own scale (the second
  half of every split weight scaled by 1.3, as fine-tuning moves the
  halves apart), 8-bit activations with static clips;
- binary-a1: fully binary (W1A1): binary weights, every linear's input
  BiT's elastic binarization (runs as LinearBinarized); attention at 8
  bits, as the trainer's --act-bits 1 leaves it;
- binary-a1-att1: binary-a1 with BiT's binary attention too (Q, K, V
  and probabilities binarized; runs as AttentionBinary), as the
  trainer's --act-bits 1 --attention-bits 1 exports it;
- binary-a2: binary weights, 2-bit linear inputs with static clips
  (codes in {-1, 0, 1}), attention at 8 bits (--act-bits 2);
- binary-a8, binary-a4: binary weights, 8- or 4-bit linear inputs with
  static clips (the trainer's --weights binary --act-bits 8 | 4), attention
  at 8 bits.

The weights are random; clips, scales and thresholds come from one batch
of random ids.

    make_trained_peer.py OUT.onnx [--form tws-own|binary-a1|binary-a1-att1|binary-a2|
                                          binary-a4|binary-a8]
        [--layers 12
        --hidden 768 --heads 12 --ffn 3072 --vocab 30522 --max-pos 512]
"""
import argparse
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
from bnbert.export import export_onnx  # noqa: E402
from bnbert.model import BertClassifier, BertConfig  # noqa: E402
from bnbert.modules import QuantLinear, prepare, tws_split  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--form", choices=("tws-own", "binary-a1", "binary-a1-att1", "binary-a2",
                                      "binary-a4", "binary-a8"),
                   default="tws-own")
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--hidden", type=int, default=768)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--ffn", type=int, default=3072)
    p.add_argument("--vocab", type=int, default=30522)
    p.add_argument("--max-pos", type=int, default=512)
    a = p.parse_args()
    torch.manual_seed(0)
    model = BertClassifier(BertConfig(vocab=a.vocab, hidden=a.hidden,
                                      layers=a.layers, heads=a.heads,
                                      ffn=a.ffn, max_pos=a.max_pos))
    if a.form == "tws-own":
        prepare(model, "ternary", 8)
        tws_split(model)
        split = [m for m in model.modules()
                 if isinstance(m, QuantLinear) and m.mode == "tws"]
        with torch.no_grad():
            for m in split:
                m.weight2.mul_(1.3)
        what = f"{len(split)} TWS linears, planes with their own scales"
    else:
        bits = int(a.form.split("-")[1][1:])
        attention = 1 if a.form.endswith("-att1") else 8
        prepare(model, "binary", bits, attention_bits=attention)
        what = f"binary weights, {bits}-bit linear inputs, {attention}-bit attention"
    with torch.no_grad():
        ids = torch.randint(0, a.vocab, (2, 128))
        model.train()
        model(ids, torch.ones_like(ids), torch.zeros_like(ids))  # the clips
    shape = (1, 128)
    export_onnx(model, a.out, {"input_ids": shape, "attention_mask": shape,
                               "token_type_ids": shape})
    print(f"wrote {a.out}: {what}")


if __name__ == "__main__":
    main()
