#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# GEMM microbenchmark against ONNX Runtime, measured in one run on this
# machine: y = x W^T at M=128, K=768, N=3072 (BERT-base FFN-in), 1 and 2
# threads.
#   bnbert: bnrt-bench (bit-plane GEMM, A8; 1 plane = binary, 2 = TWS or
#           ternary) on every ISA path this CPU has
#   ORT:    MatMul fp32 and MatMulInteger u8 x s8 (onnxruntime-node, CPU)
# Prints a table in GOPS (2 M N K / time, best of the runs; medians too).
# Needs the build (scripts/build.sh) and onnxruntime-node: set NODE_PATH to
# a node_modules holding it (default: bench/node_modules, installed by
# `npm install --prefix bench onnxruntime-node` with
# ONNXRUNTIME_NODE_INSTALL_CUDA=skip).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
WORK=$BUILD/gemm-bench
export NODE_PATH=${NODE_PATH:-$PWD/bench/node_modules}
M=128 K=768 N=3072
/usr/bin/python3 bench/make_gemm_models.py "$WORK" --m $M --k $K --n $N
# Ten repetitions of each bnbert kernel: best and median reported like
# ORT's runs (this is a shared VM; single runs vary by 2x).
"$BUILD/runtime/bnrt-bench" --benchmark_filter="M${M}_K${K}_N${N}" \
  --benchmark_format=json --benchmark_min_time=0.05 \
  --benchmark_repetitions=10 > "$WORK/bnrt.json"
for model in fp32 int8; do
  input=$([ $model = fp32 ] && echo a_f32 || echo a_u8)
  for threads in 1 2; do
    node test/fixtures/ort_run.js "$WORK/$model.onnx" \
      --input A="$WORK/$input.npy" --bench 200 --threads $threads \
      > "$WORK/ort-$model-$threads.json"
  done
done
/usr/bin/python3 - "$WORK" $M $K $N <<'PY'
import json, sys
work, m, k, n = sys.argv[1], *map(int, sys.argv[2:])
ops = 2 * m * n * k
rows, times = [], {}
for b in json.load(open(f"{work}/bnrt.json"))["benchmarks"]:
    if b.get("run_type", "iteration") != "iteration":
        continue  # Google Benchmark's own aggregates
    name = b["run_name"].split("/")
    ms = b["real_time"] if b["time_unit"] == "ms" else b["real_time"] / 1e6
    key = f"bnbert {name[0][-2:].upper()} {name[1]} {name[3]} {name[4]}"
    times.setdefault(key, []).append(ms)
for key, ts in times.items():
    ts.sort()
    rows.append((key, ts[0], ts[len(ts) // 2]))
for model, label in (("fp32", "ORT MatMul fp32"), ("int8", "ORT MatMulInteger u8s8")):
    for threads in (1, 2):
        r = json.loads(open(f"{work}/ort-{model}-{threads}.json").read().strip().splitlines()[-1])
        rows.append((f"{label} threads{threads}", r["min_ms"], r["median_ms"]))
print(f"M={m} K={k} N={n}")
print(f"{'kernel':34} {'ms':>8} {'GOPS':>8}   (best; median in brackets)")
for label, ms, median in rows:
    extra = f"   [{median:.2f} ms]" if median else ""
    print(f"{label:34} {ms:8.2f} {ops / ms / 1e6:8.0f}{extra}")
PY
