#!/usr/bin/env bash
# The main job on the bundled example: a one-layer tiny BERT encoder in the
# bnq dialect, through the BinaryBERT pipeline of bnbert-opt (ternarize,
# ternary weight splitting, 8-bit activations, bit packing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BIN=${BUILD_DIR:-build}/bin
MODEL=examples/tiny-bert-layer.mlir
OUT=${BUILD_DIR:-build}/tiny-bert-layer.binarybert.mlir

"$BIN/bnbert-opt" "$MODEL" -bnq-binarybert -o "$OUT"
echo "== $MODEL (float): ops"
grep -oE 'bnq\.[a-z_]+' "$MODEL" | sort | uniq -c
echo "== after -bnq-binarybert ($OUT): ops"
grep -oE 'bnq\.[a-z_]+' "$OUT" | sort | uniq -c
echo "== packed weights: [planes x rows x 64-bit words] -> weight shape"
grep -oE 'bnq.packed_weight .*' "$OUT" |
  sed -E 's/.*: tensor<([0-9x]+)xi64>\) scales\(.*: tensor<([0-9x]+)xf32>\) : tensor<([0-9x]+)xf32>/  bits \1, scales \2 -> weight \3/'
