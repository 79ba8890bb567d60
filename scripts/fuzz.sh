#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Fuzzes the file readers with libFuzzer for a bounded time, under
# ASan/UBSan: the bundle loader (from bundles compiled here), the .npy
# reader (from arrays numpy writes), the tokenizer files a bundle carries
# (tokenizer.json, vocab.txt, SentencePiece models made from real text)
# and the ONNX importer (from PyTorch exports and the ONNX text tests). Needs the main build (for the seed
# bundles) and clang with its libFuzzer runtime (scripts/install-deps.sh).
# The importer's harness needs the compiler's libraries built with clang:
# a second build tree (build-fuzz-import) that builds only that target.
#
#   scripts/fuzz.sh [SECONDS per harness, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
BUILD=${BUILD_DIR:-build}
py=/usr/bin/python3
fuzz=build-fuzz
cmake -S runtime -B "$fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DBNRT_FUZZ=ON -DBNRT_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
  > /dev/null
cmake --build "$fuzz" -j 2 --target bnrt-fuzz-bundle bnrt-fuzz-npy bnrt-fuzz-tokenizer
cmake -S . -B build-fuzz-import -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DBNBERT_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
  > /dev/null
cmake --build build-fuzz-import -j 2 --target bnbert-fuzz-import

seeds=$fuzz/seeds
rm -rf "$seeds" && mkdir -p "$seeds/bundle" "$seeds/npy" "$seeds/onnx" "$seeds/tokenizer"
tiny=(--layers 1 --hidden 32 --heads 4 --ffn 64 --seq 8 --vocab 50)
"$py" test/fixtures/make_bert.py "$seeds/m.onnx" "${tiny[@]}" > /dev/null 2>&1
cp "$seeds/m.onnx" "$seeds/onnx/bert.onnx"
"$py" test/fixtures/make_bert.py "$seeds/onnx/fused.onnx" "${tiny[@]}" --fused > /dev/null 2>&1
"$py" test/fixtures/make_bert.py "$seeds/onnx/roberta-bool.onnx" "${tiny[@]}" \
  --family roberta --mask-input bool > /dev/null 2>&1
cp test/Import/*.onnxtext "$seeds/onnx/"
shapes=(--shape input_ids=1x8 --shape attention_mask=1x8 --shape token_type_ids=1x8)
"$BUILD/bin/bnbert-compile" "$seeds/m.onnx" "${shapes[@]}" -o "$seeds/bundle/a8.bnb" 2> /dev/null
"$BUILD/bin/bnbert-compile" "$seeds/m.onnx" "${shapes[@]}" --weights fp32 --act-bits 32 \
  -o "$seeds/bundle/fp32.bnb" 2> /dev/null
"$BUILD/bin/bnbert-compile" "$seeds/m.onnx" --shape input_ids=1..2x1..8 \
  --shape attention_mask=1..2x1..8 --shape token_type_ids=1..2x1..8 --act-bits 4 \
  -o "$seeds/bundle/ranged-a4.bnb" 2> /dev/null
"$py" - "$seeds/npy" <<'PY'
import sys, numpy as np
d = sys.argv[1]
np.save(f"{d}/ids.npy", np.arange(16, dtype=np.int64).reshape(2, 8))
np.save(f"{d}/f32.npy", np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
np.save(f"{d}/scalar.npy", np.float32(1.5))
np.save(f"{d}/i8.npy", np.arange(-4, 4, dtype=np.int8))
PY
# Tokenizer files of every kind the runtime reads, from real text.
PYTHONPATH=python:python/tests "$py" - "$seeds/tokenizer" <<'PY'
import json, sys
from pathlib import Path
import hf_reference as hf
from text_reference import fortunes_corpus, write_vocab
d = Path(sys.argv[1])
texts = fortunes_corpus(60)
vocab = write_vocab(d / "vocab.txt", texts, True)
(d / "bert.json").write_text(json.dumps(hf.bert_tokenizer_json(vocab, True)))
bpe, rules = hf.train_byte_bpe(texts, merges=60)
(d / "roberta.json").write_text(json.dumps(hf.roberta_tokenizer_json(bpe, rules)))
hf.train_unigram(d / "spm.model", texts)
(d / "unigram.json").write_text(json.dumps(hf.unigram_tokenizer_json(d / "spm.model")))
PY
export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1
fuzzers=("bundle:$fuzz/bnrt-fuzz-bundle:the bundle loader"
  "npy:$fuzz/bnrt-fuzz-npy:the .npy reader"
  "tokenizer:$fuzz/bnrt-fuzz-tokenizer:the tokenizer files (tokenizer.json, vocab.txt, SentencePiece)"
  "onnx:build-fuzz-import/bin/bnbert-fuzz-import:the ONNX importer")
for entry in "${fuzzers[@]}"; do
  IFS=: read -r target harness what <<< "$entry"
  echo "== fuzzing $what for $seconds s"
  mkdir -p "$fuzz/corpus-$target"
  log=$fuzz/$target.log
  if ! "$harness" "$fuzz/corpus-$target" "$seeds/$target" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 > "$log" 2>&1; then
    tail -80 "$log"
    echo "fuzz.sh: $what failed; the input is saved as crash-*/timeout-* here" >&2
    exit 1
  fi
  tail -5 "$log"
done
