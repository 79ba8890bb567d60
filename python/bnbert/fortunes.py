# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A real text-classification task from Debian's `fortunes` package:
classify a quote into its category file. Writes train/dev/test jsonl
({"text": quote, "label": category}) split with a fixed seed. With
--pairs, a sentence-pair task instead ({"text", "text_pair", "label"},
half of each label; every text from the same split):
  same-category  do two quotes come from the same category ("same",
                 "different")
  continuation   is the second text the rest of the quote the first one
                 begins ("next", "other": a quote cut in two at its middle
                 word, or its first half with another quote's second half)

  python3 -m bnbert.fortunes --out DIR [--categories a,b,...] [--seed 0]
      [--dev 0.1] [--test 0.2] [--max-chars 600]
      [--pairs same-category|continuation]
"""
import argparse
import json
import random
import sys
from pathlib import Path

FORTUNES = Path("/usr/share/games/fortunes")
# Eight topical category files of `fortunes` with 580-1250 quotes each
# (the grab-bag files - cookie, miscellaneous, fortunes - are left out).
DEFAULT = ("computers", "definitions", "men-women", "people", "politics",
           "science", "songs-poems", "work")


def read_category(path):
    quotes, lines = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip() == "%":
            text = " ".join(" ".join(lines).split())
            if text:
                quotes.append(text)
            lines = []
        else:
            lines.append(line)
    text = " ".join(" ".join(lines).split())
    if text:
        quotes.append(text)
    return quotes


def pair_row(items, i, same, rng):
    """Quote i with another quote of the split, of its category or not (not,
    when the split has no other quote of its category)."""
    text, label = items[i]
    partners = [j for j, (_, c) in enumerate(items) if (c == label) == same and j != i]
    if not partners:
        return pair_row(items, i, False, rng)
    other = items[rng.choice(partners)][0]
    return {"text": text, "text_pair": other, "label": "same" if same else "different"}


def halves(text):
    """A quote cut at its middle word."""
    words = text.split()
    middle = max(1, len(words) // 2)
    return " ".join(words[:middle]), " ".join(words[middle:])


def continuation_row(items, i, follows, rng):
    """Quote i's first half with its own second half, or another's."""
    first, rest = halves(items[i][0])
    if not follows:
        rest = halves(items[rng.choice([j for j in range(len(items)) if j != i])][0])[1]
    return {"text": first, "text_pair": rest, "label": "next" if follows else "other"}


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m bnbert.fortunes", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--categories", default=",".join(DEFAULT))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dev", type=float, default=0.1)
    p.add_argument("--test", type=float, default=0.2)
    p.add_argument("--max-chars", type=int, default=600,
                   help="drop longer quotes (poems and dialogues; default 600)")
    p.add_argument("--limit", type=int, default=0,
                   help="at most this many quotes per category (0: all)")
    p.add_argument("--pairs", choices=("same-category", "continuation"),
                   help="a pair task instead (see above)")
    a = p.parse_args(argv)
    if not (0 < a.dev < 1 and 0 < a.test < 1 and a.dev + a.test < 1):
        p.error("--dev and --test must be fractions with dev + test < 1")
    rows = []
    for name in a.categories.split(","):
        path = FORTUNES / name
        if not path.is_file():
            print(f"bnbert.fortunes: no category file {path} (install the "
                  f"'fortunes' package: scripts/install-deps.sh)", file=sys.stderr)
            return 1
        quotes = [q for q in read_category(path) if len(q) <= a.max_chars]
        random.Random(f"{a.seed}:{name}").shuffle(quotes)
        rows += [(q, name) for q in quotes[:a.limit or None]]
    random.Random(a.seed).shuffle(rows)
    n_test, n_dev = int(len(rows) * a.test), int(len(rows) * a.dev)
    splits = {"test": rows[:n_test], "dev": rows[n_test:n_test + n_dev],
              "train": rows[n_test + n_dev:]}
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for split, items in splits.items():
        rng = random.Random(f"{a.seed}:pairs:{split}")
        with open(out / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for i, (text, label) in enumerate(items):
                row = {"text": text, "label": label}
                if a.pairs == "same-category":
                    row = pair_row(items, i, i % 2 == 0, rng)
                elif a.pairs == "continuation":
                    row = continuation_row(items, i, i % 2 == 0, rng)
                f.write(json.dumps(row) + "\n")
    print(f"bnbert.fortunes: {', '.join(f'{k} {len(v)}' for k, v in splits.items())} "
          f"quotes in {len(a.categories.split(','))} categories -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
