#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# The main job on the bundled example model: a BERT with a classifier head
# (4 layers, hidden 256, 4 heads, FFN 1024, vocab 8000), built in plain
# PyTorch and exported with torch.onnx.export (test/fixtures/make_bert.py,
# opset 14) together with PyTorch's output on an example input (sequence
# 128, a padded attention mask). bnbert compiles it twice -- fp32 (the
# baseline) and binary weights with 8-bit activations through ternary
# weight splitting (the BinaryBERT path) -- runs both bundles with
# bnbert-run and prints sizes, latencies and output differences. The speed
# line compares with ONNX Runtime (fp32, and int8 as its dynamic
# quantization builds it) when onnxruntime-node is installed
# (bench/node_modules, or NODE_PATH; bench/bert-vs-ort.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BIN=${BUILD_DIR:-build}/bin
RUN=${BUILD_DIR:-build}/runtime/bnbert-run
WORK=${BUILD_DIR:-build}/example
PY=/usr/bin/python3
mkdir -p "$WORK"
SHAPE=1x128

echo "== export: the example BERT (PyTorch -> ONNX)"
"$PY" test/fixtures/make_bert.py "$WORK/bert.onnx" --layers 4 --hidden 256 \
  --heads 4 --ffn 1024 --vocab 8000 --max-pos 128 --opset 14 --seq 128 \
  --batch 1 --reference "$WORK/ref" >"$WORK/export.log" 2>&1 ||
  { cat "$WORK/export.log"; exit 1; }

shapes=(--shape input_ids=$SHAPE --shape attention_mask=$SHAPE
        --shape token_type_ids=$SHAPE)
inputs=(--input input_ids="$WORK/ref/input_ids.npy"
        --input attention_mask="$WORK/ref/attention_mask.npy"
        --input token_type_ids="$WORK/ref/token_type_ids.npy")

echo "== compile: fp32 baseline and binary (TWS) weights, 8-bit activations"
"$BIN/bnbert-compile" "$WORK/bert.onnx" "${shapes[@]}" --weights fp32 \
  --act-bits 32 -o "$WORK/fp32.bnb"
"$BIN/bnbert-compile" "$WORK/bert.onnx" "${shapes[@]}" --weights binary \
  --split-ternary --act-bits 8 --report -o "$WORK/binary.bnb" |
  tail -n 2

echo "== run (bnbert-run, 1 thread)"
mkdir -p "$WORK/fp32-out" "$WORK/binary-out"
fp32=$("$RUN" "$WORK/fp32.bnb" "${inputs[@]}" --output-dir "$WORK/fp32-out" --bench 5)
binary=$("$RUN" "$WORK/binary.bnb" "${inputs[@]}" --output-dir "$WORK/binary-out" --bench 5)

# ONNX Runtime in the same run, when it is installed.
export NODE_PATH=${NODE_PATH:-$PWD/bench/node_modules}
ort_fp32=null ort_int8=null
if command -v node > /dev/null &&
   node -e "require('onnxruntime-node')" 2> /dev/null; then
  [[ -f $WORK/bert-int8.onnx ]] ||
    "$PY" bench/make_int8_peer.py "$WORK/bert.onnx" "$WORK/bert-int8.onnx" > /dev/null
  ort_fp32=$(node test/fixtures/ort_run.js "$WORK/bert.onnx" "${inputs[@]}" --bench 5 --threads 1)
  ort_int8=$(node test/fixtures/ort_run.js "$WORK/bert-int8.onnx" "${inputs[@]}" --bench 5 --threads 1)
fi

"$PY" - "$WORK" "$fp32" "$binary" "$ort_fp32" "$ort_int8" <<'PYEOF'
import json, os, sys
import numpy as np
w, fp32, binary, ort32, ort8 = sys.argv[1], *map(json.loads, sys.argv[2:])
ref = np.load(f"{w}/ref/logits.npy")
fp = np.load(f"{w}/fp32-out/logits.npy")
bn = np.load(f"{w}/binary-out/logits.npy")
size = lambda f: os.path.getsize(f"{w}/{f}")
print(f"{'':22}{'size':>14}{'median latency':>18}   logits")
print(f"{'ONNX (PyTorch export)':22}{size('bert.onnx'):>12} B{'':>18}   {ref.ravel()}")
print(f"{'bnbert fp32':22}{size('fp32.bnb'):>12} B{fp32['median_ms']:>15.2f} ms   {fp.ravel()}")
print(f"{'bnbert binary A8':22}{size('binary.bnb'):>12} B{binary['median_ms']:>15.2f} ms   {bn.ravel()}")
if ort32:
    print(f"{'ONNX Runtime fp32':22}{'':>14}{ort32['median_ms']:>15.2f} ms")
    print(f"{'ONNX Runtime int8':22}{size('bert-int8.onnx'):>12} B{ort8['median_ms']:>15.2f} ms")
    speed = (f"{ort32['median_ms'] / binary['median_ms']:.1f}x ONNX Runtime fp32, "
             f"{ort8['median_ms'] / binary['median_ms']:.2f}x ONNX Runtime int8")
else:
    speed = (f"{fp32['median_ms'] / binary['median_ms']:.1f}x our fp32 bundle "
             "(install onnxruntime-node into bench/node_modules to compare "
             "with ONNX Runtime)")
print(f"size: {size('bert.onnx') / size('binary.bnb'):.1f}x smaller than the ONNX file; "
      f"speed, 1 thread: {speed} (isa {binary['isa']})")
print(f"fp32 bundle vs PyTorch: max |diff| {abs(fp - ref).max():.2e}; "
      f"binary vs fp32: max |diff| {abs(bn - fp).max():.2e}")
print("(random-init weights: the binary model's distance from fp32 is the "
      "quantization error, not task accuracy)")
PYEOF
