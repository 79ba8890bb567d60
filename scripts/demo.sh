#!/usr/bin/env bash
# The main job on the bundled example model: a small BERT with a classifier
# head, built and exported by test/fixtures/make_bert.py (plain PyTorch,
# torch.onnx.export, opset 14) together with PyTorch's outputs on an example
# input with a padded attention mask. bnbert imports the .onnx, raises it to
# float bnq ops, compiles it with the BinaryBERT pipeline (TWN -> TWS ->
# 8-bit activations -> bit packing), prints the size table, and runs the
# float and the binary model with the reference executor against PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BIN=${BUILD_DIR:-build}/bin
WORK=${BUILD_DIR:-build}/example
PY=/usr/bin/python3
mkdir -p "$WORK"
SHAPE=1x16

echo "== export: the example BERT (2 layers, hidden 64, 4 heads, FFN 256, vocab 1000)"
"$PY" test/fixtures/make_bert.py "$WORK/bert.onnx" --layers 2 --hidden 64 \
  --heads 4 --ffn 256 --vocab 1000 --opset 14 --seq 16 --batch 1 \
  --reference "$WORK/ref" >"$WORK/export.log" 2>&1 ||
  { cat "$WORK/export.log"; exit 1; }
ls -l "$WORK/bert.onnx"

echo "== import + raise (bnbert-translate --import-onnx | bnbert-opt -bnq-from-onnx)"
"$BIN/bnbert-translate" --import-onnx "$WORK/bert.onnx" \
  --shape input_ids=$SHAPE --shape attention_mask=$SHAPE \
  --shape token_type_ids=$SHAPE --mlir-print-debuginfo -o "$WORK/bert.onnx.mlir"
# Debug info keeps the ONNX names on ops through the text files.
"$BIN/bnbert-opt" -bnq-from-onnx "$WORK/bert.onnx.mlir" --mlir-print-debuginfo \
  -o "$WORK/float.mlir"
grep -oE '= bnq\.[a-z_]+' "$WORK/float.mlir" | sort | uniq -c

echo "== compile: bnbert-opt -bnq-binarybert -bnq-report (TWS: 2 planes/weight)"
"$BIN/bnbert-opt" "$WORK/float.mlir" -bnq-binarybert -bnq-report \
  -o "$WORK/binary.mlir"
echo "== for comparison, -bnq-binarize-direct (BWN: 1 plane/weight), total:"
"$BIN/bnbert-opt" "$WORK/float.mlir" -bnq-binarize-direct -bnq-report \
  -o /dev/null 2>&1 | grep '^total' 

inputs=(--input input_ids="$WORK/ref/input_ids.npy"
        --input attention_mask="$WORK/ref/attention_mask.npy"
        --input token_type_ids="$WORK/ref/token_type_ids.npy")
"$BIN/bnbert-interpret" "$WORK/float.mlir" "${inputs[@]}" --output-dir "$WORK/float-out"
"$BIN/bnbert-interpret" "$WORK/binary.mlir" "${inputs[@]}" --output-dir "$WORK/binary-out"
echo "== outputs (logits) on the example input"
"$PY" - "$WORK" <<'PYEOF'
import sys, numpy as np
w = sys.argv[1]
ref = np.load(f"{w}/ref/logits.npy")
fp = np.load(f"{w}/float-out/logits.npy")
bn = np.load(f"{w}/binary-out/logits.npy")
print("PyTorch        ", ref.ravel())
print("bnbert fp32    ", fp.ravel(), " max |diff| vs PyTorch %.2e" % abs(fp - ref).max())
print("bnbert binary  ", bn.ravel(), " max |diff| vs fp32    %.2e" % abs(bn - fp).max())
PYEOF
echo "(the random-init example is not trained: the binary model's distance"
echo " from fp32 shows the quantization error, not task accuracy)"
