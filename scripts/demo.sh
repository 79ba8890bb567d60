#!/usr/bin/env bash
# The main job on the bundled example: a one-layer tiny BERT encoder in the
# bnq dialect, binarized (BWN) by bnbert-opt, with a summary of what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BIN=${BUILD_DIR:-build}/bin
MODEL=examples/tiny-bert-layer.mlir
OUT=${BUILD_DIR:-build}/tiny-bert-layer.binary.mlir

"$BIN/bnbert-opt" "$MODEL" -bnq-binarize -o "$OUT"
echo "== $MODEL: float ops"
grep -oE 'bnq\.[a-z_]+' "$MODEL" | sort | uniq -c
echo "== after -bnq-binarize ($OUT)"
grep -oE 'bnq\.[a-z_]+|arith\.constant' "$OUT" | sort | uniq -c
echo "== binarized weights (shape, scale)"
grep -oE 'bnq.quant_weight +binary .*scale\(dense<[^>]*> : tensor<[0-9x]+xf32>\)' "$OUT" |
  sed -E 's/values\(dense<.*> : (tensor<[0-9x]+xi8>)\)/\1/'
