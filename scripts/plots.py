#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Draws the pictures of docs/ from the tables in docs/ (so a picture never
says more than its table):

  docs/accuracy.png  test accuracy of every compiled variant of the real
                     task against its bundle size and its latency (the
                     first table of docs/accuracy.md, A8 and A4);
  docs/kernels.png   BERT-base speed against ONNX Runtime per sequence
                     length and variant, one and two threads (the last
                     whole-model table of docs/kernels.md).

  /usr/bin/python3 scripts/plots.py   (needs python3-matplotlib)
"""
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def tables(markdown):
    """Every markdown table: (header cells, rows of cells)."""
    found, rows = [], []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            if len(rows) > 2:
                found.append((rows[0], rows[2:]))
            rows = []
    return found


def number(cell):
    """The first number of a cell ("**30.7** 1.48x" -> 30.7), or None."""
    match = re.search(r"-?\d+(\.\d+)?", cell.replace("*", ""))
    return float(match.group()) if match else None


def _wrap(text, width):
    lines, line = [], ""
    for part in text.split("   "):
        if line and len(line) + len(part) + 3 > width:
            lines.append(line)
            line = part
        else:
            line = f"{line}   {part}" if line else part
    return lines + [line]


def accuracy_plot(plt):
    header, rows = tables((DOCS / "accuracy.md").read_text(encoding="utf-8"))[0]
    col = {name: i for i, name in enumerate(header)}
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.6))
    for ax, x_name, x_label, log in (
            (axes[0], "bundle (A8), smaller than fp32", "bundle size (MB, log scale)", True),
            (axes[1], "ms / batch ({bits})", "latency per batch (ms)", False)):
        for bits, marker in (("A8", "o"), ("A4", "s")):
            for row in rows:
                x = number(row[col[x_name.format(bits=bits)]])
                acc = number(row[col[f"{bits} test acc."]])
                if x is None or acc is None:
                    continue
                ax.scatter(x, acc, marker=marker, color="C0" if bits == "A8" else "C1",
                           label=bits if row is rows[1] else None)
                ax.annotate(str(rows.index(row) + 1), (x, acc), fontsize=7,
                            xytext=(4, 2 if bits == "A8" else -8), textcoords="offset points")
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(x_label)
        ax.set_ylabel("test accuracy (%)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Every compiled variant on the fortunes task (docs/accuracy.md)")
    names = "   ".join(f"{k + 1}: {row[0].replace('*', '')}" for k, row in enumerate(rows))
    fig.text(0.5, 0.01, "\n".join(_wrap(names, 170)), ha="center", fontsize=7)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(DOCS / "accuracy.png", dpi=110)


def kernels_plot(plt):
    candidates = [t for t in tables((DOCS / "kernels.md").read_text(encoding="utf-8"))
                  if t[0][:4] == ["seq", "thr", "ORT fp32", "ORT int8"]]
    header, rows = candidates[-1]
    variants = header[4:]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    for ax, threads in zip(axes, ("1", "2")):
        mine = [r for r in rows if r[1] == threads]
        seqs = [r[0] for r in mine]
        width = 0.8 / len(variants)
        for k, name in enumerate(variants):
            # Quantized variants against ORT int8; fp32 and A32 against ORT fp32.
            peer = 2 if name in ("fp32", "binary A32") else 3
            ratios = [number(r[peer]) / number(r[4 + k]) for r in mine]
            ax.bar([i + k * width for i in range(len(seqs))], ratios, width, label=name,
                   color=plt.cm.tab20.colors[k % 20])  # distinct up to 20 variants
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(seqs))])
        ax.set_xticklabels([f"seq {s}" for s in seqs])
        ax.set_title(f"{threads} thread{'s' if threads == '2' else ''}")
        ax.set_ylabel("speed against ONNX Runtime (x; int8 peer, fp32 for fp32/A32)")
        ax.grid(axis="y", alpha=0.3)
    axes[1].legend(fontsize=7, ncol=2)
    fig.suptitle("BERT-base, batch 1, one run per table (docs/kernels.md)")
    fig.tight_layout()
    fig.savefig(DOCS / "kernels.png", dpi=110)


def main():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("scripts/plots.py: needs matplotlib (apt-get install python3-matplotlib)",
              file=sys.stderr)
        return 1
    accuracy_plot(plt)
    kernels_plot(plt)
    print(f"wrote {DOCS / 'accuracy.png'} and {DOCS / 'kernels.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
