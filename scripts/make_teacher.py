#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A fine-tuned fp32 teacher made outside the training loop, as a user
brings one to `python3 -m bnbert.train --from`: a whole-word WordPiece
vocabulary built from the training text (the most frequent words, plus
every character alone and as a `##` continuation, so any word has a
WordPiece spelling), a BERT of the given shape written in plain PyTorch
(test/fixtures/make_bert.py's, Hugging Face's structure) trained on the
labelled jsonl with the runtime's tokenizer, and its ONNX export.

  make_teacher.py --train T.jsonl --dev D.jsonl --out DIR [--layers 3]
      [--hidden 192] [--heads 3] [--ffn 768] [--seq 64] [--vocab 6000]
      [--epochs 10] [--threads 2]

DIR gets vocab.txt, teacher.onnx (output `logits`), labels.txt (the label
names in logit order, one line each) and a line of dev accuracy per epoch
on stderr; the epoch with the best dev accuracy is exported.
"""
import argparse
import collections
import copy
import json
import re
import sys
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "test" / "fixtures"))
import bnrt  # noqa: E402
from make_bert import Bert  # noqa: E402


def basic_words(text):
    """Lower-cased, accent-stripped words and single punctuation marks (as
    BERT's basic tokenizer splits an uncased text)."""
    text = "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if unicodedata.category(c) != "Mn" and
                   (c.isspace() or not unicodedata.category(c).startswith("C")))
    return re.findall(r"\w+|[^\w\s]", text)


def build_vocab(texts, size):
    counts = collections.Counter(w for t in texts for w in basic_words(t))
    chars = sorted({c for w in counts for c in w})
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    fixed = specials + chars + ["##" + c for c in chars]
    words = [w for w, _ in counts.most_common() if w not in set(chars)]
    return fixed + words[:max(0, size - len(fixed))]


def read(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--train", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--out", required=True)
    for name, default in (("layers", 3), ("hidden", 192), ("heads", 3), ("ffn", 768),
                          ("seq", 64), ("vocab", 6000), ("epochs", 10), ("threads", 2),
                          ("batch", 32), ("seed", 0)):
        p.add_argument(f"--{name}", type=int, default=default)
    p.add_argument("--lr", type=float, default=5e-4)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    train, dev = read(a.train), read(a.dev)
    labels = sorted({r["label"] for r in train})
    (out / "vocab.txt").write_text("\n".join(build_vocab([r["text"] for r in train], a.vocab))
                                   + "\n", encoding="utf-8")
    (out / "labels.txt").write_text("\n".join(map(str, labels)) + "\n")
    tok = bnrt.Tokenizer(str(out / "vocab.txt"))

    def encode(rows):
        enc = tok.encode_batch([r["text"] for r in rows], a.seq, a.seq)
        x = {k: torch.from_numpy(v) for k, v in enc.items()}
        return x, torch.tensor([labels.index(r["label"]) for r in rows])

    (xt, yt), (xd, yd) = encode(train), encode(dev)
    c = SimpleNamespace(vocab=tok.vocab_size, hidden=a.hidden, layers=a.layers,
                        heads=a.heads, ffn=a.ffn, max_pos=a.seq, head="cls", gelu="erf",
                        attention="eager")
    model = Bert(c)
    model.classifier = nn.Linear(a.hidden, len(labels))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    steps = a.epochs * ((len(yt) + a.batch - 1) // a.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
    best, best_state = -1.0, None
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(yt))
        for i in range(0, len(yt), a.batch):
            idx = order[i:i + a.batch]
            loss = F.cross_entropy(model(*(xt[n][idx] for n in names)), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(*(xd[n][i:i + 128] for n in names)).argmax(-1)
                              for i in range(0, len(yd), 128)])
        acc = float((pred == yd).float().mean())
        print(f"epoch {epoch + 1}: dev accuracy {acc:.4f}", file=sys.stderr, flush=True)
        if acc > best:
            best, best_state = acc, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    model.eval()
    torch.onnx.export(model, tuple(xt[n][:2] for n in names), str(out / "teacher.onnx"),
                      input_names=names, output_names=["logits"], opset_version=14,
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names})
    print(f"teacher: best dev accuracy {best:.4f} -> {out / 'teacher.onnx'}", file=sys.stderr)


if __name__ == "__main__":
    main()
