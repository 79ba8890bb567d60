#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# The training loop on the bundled real task: Debian fortunes quotes, 8
# categories (python3 -m bnbert.fortunes), a 4-layer BERT teacher trained
# from scratch, ternary QAT + distillation, TWS, binary fine-tuning, the
# direct-BWN baseline, QDQ export, compiled bundles evaluated on the test
# set (docs/training.md). About 45 minutes on 2 cores. Extra arguments go to
# bnbert.train (e.g. --act-bits 4, --resume); output under build/train/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
OUT=${BUILD_DIR:-build}/train
export PYTHONPATH=$PWD/python
export BNBERT_BIN=$PWD/${BUILD_DIR:-build}/bin:$PWD/${BUILD_DIR:-build}/runtime
/usr/bin/python3 -m bnbert.fortunes --out "$OUT/task"
/usr/bin/python3 -W ignore::FutureWarning -m bnbert.train \
  --train "$OUT/task/train.jsonl" --dev "$OUT/task/dev.jsonl" \
  --test "$OUT/task/test.jsonl" --out "$OUT/run" \
  --layers 4 --hidden 128 --heads 4 --ffn 512 --seq 64 --vocab 8000 \
  --epochs 3 --teacher-epochs 10 --threads 2 "$@"
echo "== report: $OUT/run/report.json"
cat "$OUT/run/report.json"
