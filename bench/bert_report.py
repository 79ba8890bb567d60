# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Summarizes bench/bert-vs-ort.sh's results.jsonl (one line per engine,
case and round): a table of median latencies (the median of the rounds'
medians) and best runs with ratios against ORT fp32 and ORT int8 (ratio >
1: faster than ORT), model sizes, OUT/results.json and OUT/bert-vs-ort.png.

    bert_report.py RESULTS.jsonl OUT FP32.onnx INT8.onnx SEQDIR...
"""
import glob
import json
import os
import sys


def main():
    results_file, out, fp32, int8, *seq_dirs = sys.argv[1:]
    runs = [json.loads(line) for line in open(results_file) if line.strip()]
    # One row per (engine, model, batch, seq, threads): the median of the
    # rounds' medians and the best run of all rounds.
    merged = {}
    for r in runs:
        r.setdefault("batch", 1)
        k = (r["engine"], r["model"], r["batch"], r["seq"], r["threads"])
        m = merged.setdefault(k, dict(r, medians=[], min_ms=r["min_ms"]))
        m["medians"].append(r["median_ms"])
        m["min_ms"] = min(m["min_ms"], r["min_ms"])
    rows = []
    for m in merged.values():
        medians = sorted(m.pop("medians"))
        m["median_ms"] = medians[len(medians) // 2]
        rows.append(m)
    sizes = {"ort fp32": os.path.getsize(fp32), "ort int8": os.path.getsize(int8)}
    for d in seq_dirs:
        for bundle in glob.glob(os.path.join(d, "*.bnb")):
            sizes.setdefault("bnbert " + os.path.basename(bundle)[:-4],
                             os.path.getsize(bundle))

    def key(r):
        return f"{r['engine']} {r['model']}"

    engines = list(dict.fromkeys(key(r) for r in rows))
    cases = sorted({(r["batch"], r["seq"], r["threads"]) for r in rows})
    table = []
    print(f"\n{'batch':>5} {'seq':>4} {'thr':>3}  {'engine':<20} {'median ms':>10} "
          f"{'min ms':>8} {'vs ORT fp32':>12} {'vs ORT int8':>12}")
    for batch, seq, threads in cases:
        here = {key(r): r for r in rows if (r["batch"], r["seq"],
                                            r["threads"]) == (batch, seq, threads)}
        base32 = here.get("ort fp32", {}).get("median_ms")
        base8 = here.get("ort int8", {}).get("median_ms")
        for e in engines:
            if e not in here:
                continue
            r = here[e]
            v32 = base32 / r["median_ms"] if base32 else None
            v8 = base8 / r["median_ms"] if base8 else None
            table.append(dict(batch=batch, seq=seq, threads=threads, engine=e,
                              median_ms=r["median_ms"], min_ms=r["min_ms"],
                              isa=r.get("isa"), speedup_vs_ort_fp32=v32,
                              speedup_vs_ort_int8=v8))
            fmt = lambda v: f"{v:11.2f}x" if v else f"{'-':>12}"
            print(f"{batch:>5} {seq:>4} {threads:>3}  {e:<20} {r['median_ms']:>10.2f} "
                  f"{r['min_ms']:>8.2f} {fmt(v32)} {fmt(v8)}")
    print(f"\n{'model':<20} {'bytes':>12} {'vs fp32 ONNX':>13}")
    for name, size in sizes.items():
        print(f"{name:<20} {size:>12} {sizes['ort fp32'] / size:>12.1f}x")
    json.dump({"results": table, "sizes_bytes": sizes},
              open(os.path.join(out, "results.json"), "w"), indent=1)
    print(f"\nwrote {os.path.join(out, 'results.json')}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib (apt-get install python3-matplotlib): no PNG")
        return
    # The plot: batch 1 when it was run, else the smallest batch.
    shown = min(b for b, _, _ in cases)
    thread_counts = sorted({t for b, _, t in cases if b == shown})
    seqs = sorted({s for b, s, _ in cases if b == shown})
    fig, axes = plt.subplots(1, len(thread_counts),
                             figsize=(6 * len(thread_counts), 4.5),
                             squeeze=False)
    width = 0.8 / len(engines)
    for ax, t in zip(axes[0], thread_counts):
        for i, e in enumerate(engines):
            ys = [next((r["median_ms"] for r in table if r["engine"] == e and
                        r["batch"] == shown and r["seq"] == s and
                        r["threads"] == t), 0) for s in seqs]
            ax.bar([j + i * width for j in range(len(seqs))], ys, width,
                   label=e)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(seqs))])
        ax.set_xticklabels([f"seq {s}" for s in seqs])
        ax.set_ylabel(f"median latency (ms), batch {shown}")
        ax.set_title(f"BERT-base, {t} thread(s)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    png = os.path.join(out, "bert-vs-ort.png")
    fig.savefig(png, dpi=110)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
