#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Prints the docs/accuracy.md table from bnbert.train reports.

  scripts/accuracy_table.py RUN_A8/report.json [RUN_A4/report.json ...]
"""
import json
import sys

ROWS = [("fp32", "fp32 teacher (PyTorch)", None),
        ("fp32_bundle", "fp32 bundle", "--weights fp32 --act-bits 32"),
        ("ptq_int8", "int8, post-training", "--weights int8"),
        ("ptq_ternary", "ternary (TWN), post-training", "--weights ternary"),
        ("ptq_binary", "binary (BWN), post-training", "--weights binary"),
        ("ptq_tws", "binary via TWS, post-training", "--weights binary --split-ternary"),
        ("bwn", "binary, direct BWN QAT + KD (2E epochs)", "bwn.onnx"),
        ("ternary", "ternary QAT + KD (E epochs)", "ternary.onnx"),
        ("binary", "**TWS binary, fine-tuned (E + E epochs)**", "model.onnx")]


def main(paths):
    reports = [json.load(open(p)) for p in paths]
    bits = [r["act_bits"] for r in reports]
    head = "| model | " + " | ".join(f"A{b} test acc." for b in bits)
    head += (" | bundle (A%d), smaller than fp32 | " % bits[0] +
             " | ".join(f"ms / batch (A{b})" for b in bits) +
             " | agreement with PyTorch (argmax, max logit diff / range) |")
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    first = reports[0]
    for key, name, how in ROWS:
        accs = " | ".join(f"{100 * r['test_accuracy'][key]:.1f}%" if key in r["test_accuracy"]
                          else "-" for r in reports)
        size = first["bundle_bytes"].get(key)
        fp32 = first["bundle_bytes"]["fp32_bundle"]
        size = f"{size / 1e6:.2f} MB ({fp32 / size:.1f}x)" if size else "-"
        ms = " | ".join(f"{r['latency_ms'][key]:.1f}" if key in r.get("latency_ms", {})
                        else "-" for r in reports)
        agree = first.get("agreement", {}).get(key)
        agree_text = "-"
        if agree:
            parts = []
            for r in reports:
                a = r["agreement"][key]
                parts.append(f"A{r['act_bits']}: {100 * a['argmax']:.1f}%, "
                             f"{100 * a['max_logit_diff'] / a['logit_range']:.2f}%")
            agree_text = "; ".join(parts)
        print(f"| {name} | {accs} | {size} | {ms} | {agree_text} |")
    n = first["examples"]["test"]
    print(f"\nTest set: {n} examples; one example is {100 / n:.2f} points, and the "
          f"95% binomial interval of an accuracy near 55% is about "
          f"±{196 * (0.55 * 0.45 / n) ** 0.5:.1f} points.")


if __name__ == "__main__":
    main(sys.argv[1:])
