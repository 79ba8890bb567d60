#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Whole-model benchmark against ONNX Runtime on this machine, in one run:
# BERT-base-sized (12 layers, hidden 768, 12 heads, FFN 3072, vocab 30522,
# random init) exported by the torch fixture (test/fixtures/make_bert.py),
# batch 1 (--batch B: B sequences a run, ORT's peers too), no padding.
#   ORT:    the fp32 export, and its int8 peer as onnxruntime's dynamic
#           quantization builds it (bench/make_int8_peer.py)
#   bnbert: bundles for binary A8, binary A4, ternary A8, TWS-split
#           binary A8 (split at compile time: its planes share a scale),
#           fine-tuned TWS A8 (tws-own-a8: what the trainer exports after
#           binary fine-tuning, each plane its own scale, static clips;
#           bench/make_trained_peer.py), fully binary W1A1 (binary-a1:
#           binarized linear inputs as the trainer's --act-bits 1 exports
#           them, 8-bit attention; make_trained_peer.py --form binary-a1),
#           W1A1 with BiT's binary attention too (binary-a1-att1:
#           --attention-bits 1, runs as AttentionBinary),
#           binary W1A2 (binary-a2: 2-bit static clips, 8-bit attention),
#           binary A8 and A4 as the trainer exports them (trained-a8,
#           trained-a4: static clips, where binary-a8 / binary-a4 quantize a
#           float model's activations with dynamic per-sequence scales),
#           binary A8 and the trainer's A4 with I-BERT's integer GELU,
#           softmax and layer norm (binary-a8-int, trained-a4-int:
#           --integer-nonlinear),
#           fp32 and weight-only binary (A32) (bnbert-compile), run by
#           bnbert-run
# at each sequence length and thread count. Prints a table of median
# latencies, ratios against ORT fp32 and int8, and model sizes; writes
# OUT/results.json, OUT/bert-vs-ort.png (when matplotlib is present) and
# the per-op profile of binary A8 at sequence 128 (OUT/profile-128.txt).
#
#   bench/bert-vs-ort.sh [--seqs 32,128,384] [--threads 1,2] [--runs 15]
#                        [--rounds 3] [--variants binary-a8,fp32,...]
#                        [--batch 1] [--out DIR]
# (runs per engine and case, spread over rounds that interleave engines;
# the table gives the median of the rounds' medians and the best run).
#
# Needs the build (scripts/build.sh). Installs onnxruntime-node into
# bench/node_modules (npm registry) and, as root, python3-matplotlib when
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
seqs=32,128,384 threads=1,2 runs=15 rounds=3 batch=1 out=$BUILD/bert-bench
only=binary-a8,binary-a8-int,binary-a4,trained-a8,trained-a4,trained-a4-int,binary-a2,binary-a1,binary-a1-att1,ternary-a8,tws-a8,tws-own-a8,fp32,binary-a32
while (($#)); do
  case $1 in
    --seqs) seqs=$2; shift 2;;
    --threads) threads=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --rounds) rounds=$2; shift 2;;
    --variants) only=$2; shift 2;;
    --batch) batch=$2; shift 2;;
    --out) out=$2; shift 2;;
    -h|--help) sed -n '3,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "bert-vs-ort.sh: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done
all_variants=("binary-a8:--weights binary --act-bits 8"
              "binary-a8-int:--weights binary --act-bits 8 --integer-nonlinear"
              "binary-a4:--weights binary --act-bits 4"
              "ternary-a8:--weights ternary --act-bits 8"
              "tws-a8:--weights binary --split-ternary --act-bits 8"
              "tws-own-a8:"
              "trained-a8:"
              "trained-a4:"
              "trained-a4-int:--integer-nonlinear"
              "binary-a2:"
              "binary-a1:"
              "binary-a1-att1:"
              "fp32:--weights fp32 --act-bits 32"
              "binary-a32:--weights binary --act-bits 32")
variants=()
for v in "${all_variants[@]}"; do
  [[ ,$only, == *,${v%%:*},* ]] && variants+=("$v")
done
for name in ${only//,/ }; do
  [[ " ${all_variants[*]%%:*} " == *" $name "* ]] ||
    { echo "bert-vs-ort.sh: unknown variant '$name' (${all_variants[*]%%:*})" >&2; exit 2; }
done
py=/usr/bin/python3
compile=$BUILD/bin/bnbert-compile run=$BUILD/runtime/bnbert-run
for tool in "$compile" "$run"; do
  [[ -x $tool ]] || { echo "bert-vs-ort.sh: $tool missing; run scripts/build.sh" >&2; exit 1; }
done
export NODE_PATH=${NODE_PATH:-$PWD/bench/node_modules}
if ! NODE_PATH=$NODE_PATH node -e "require('onnxruntime-node')" 2>/dev/null; then
  echo "== installing onnxruntime-node into bench/node_modules"
  (cd bench && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --ignore-scripts \
     --no-save --silent onnxruntime-node)
fi
if ! "$py" -c "import matplotlib" 2>/dev/null && [[ $(id -u) -eq 0 ]]; then
  echo "== installing python3-matplotlib (for the PNG)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3-matplotlib > /dev/null || echo "(no matplotlib: the PNG is skipped)"
fi
mkdir -p "$out"
results=$out/results.jsonl
: > "$results"
rm -f "$out/profile-128.txt"

fp32=$out/bert-base.onnx int8=$out/bert-base-int8.onnx
if [[ ! -f $fp32 ]]; then
  echo "== exporting BERT-base from test/fixtures/make_bert.py"
  "$py" test/fixtures/make_bert.py "$fp32" --layers 12 --hidden 768 --heads 12 \
    --ffn 3072 --vocab 30522 --max-pos 512 --batch 1 --seq 128
fi
[[ -f $int8 ]] || "$py" bench/make_int8_peer.py "$fp32" "$int8"
[[ $batch =~ ^[1-9][0-9]*$ ]] || { echo "bert-vs-ort.sh: --batch needs a positive count" >&2; exit 2; }
# The trainer's forms (make_trained_peer.py --form KIND) behind variants.
declare -A peer_form=([tws-own-a8]=tws-own [binary-a1]=binary-a1
                      [binary-a1-att1]=binary-a1-att1 [binary-a2]=binary-a2
                      [trained-a8]=binary-a8 [trained-a4]=binary-a4
                      [trained-a4-int]=binary-a4)
peer() { echo "$out/bert-base-${peer_form[$1]}.onnx"; }
for variant in "${!peer_form[@]}"; do
  kind=${peer_form[$variant]} file=$(peer "$variant")
  if [[ ,$only, == *,$variant,* && ! -f $file ]]; then
    echo "== exporting a trained-form $kind BERT-base (bench/make_trained_peer.py)"
    "$py" bench/make_trained_peer.py "$file" --form "$kind" --layers 12 \
      --hidden 768 --heads 12 --ffn 3072 --vocab 30522 --max-pos 512 \
      2> "$out/$kind.log" || { cat "$out/$kind.log" >&2; exit 1; }
  fi
done

record() { # engine model seq threads json-line
  "$py" -c 'import json,sys; r=json.loads(sys.argv[6]); r.update(engine=sys.argv[1], model=sys.argv[2], seq=int(sys.argv[3]), threads=int(sys.argv[4]), batch=int(sys.argv[5])); print(json.dumps(r))' "$1" "$2" "$3" "$4" "$batch" "$5" >> "$results"
}
for seq in ${seqs//,/ }; do
  dir=$out/seq$seq
  ((batch == 1)) || dir=$out/batch${batch}-seq$seq
  mkdir -p "$dir"
  "$py" - "$dir" "$seq" "$batch" <<'PY'
import sys, numpy as np
d, s, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(s)
np.save(f"{d}/input_ids.npy", rng.integers(0, 30522, (b, s), dtype=np.int64))
np.save(f"{d}/attention_mask.npy", np.ones((b, s), np.int64))
np.save(f"{d}/token_type_ids.npy", np.zeros((b, s), np.int64))
PY
  for v in "${variants[@]}"; do mkdir -p "$dir/out-${v%%:*}"; done
  inputs=()
  for n in input_ids attention_mask token_type_ids; do
    inputs+=(--input "$n=$dir/$n.npy")
  done
  for v in "${variants[@]}"; do
    name=${v%%:*} flags=${v#*:} src=$fp32
    # A trainer's form is quantized as the file says.
    [[ -n ${peer_form[$name]:-} ]] && src=$(peer "$name")
    if [[ ! -f $dir/$name.bnb || $compile -nt $dir/$name.bnb ]]; then
      echo "== seq $seq: compiling $name"
      shape=${batch}x$seq
      # shellcheck disable=SC2086
      "$compile" "$src" --shape input_ids=$shape --shape attention_mask=$shape \
        --shape token_type_ids=$shape $flags -o "$dir/$name.bnb" 2> "$dir/$name.log"
    fi
  done
  # Every engine runs in each of `rounds` rounds (runs / rounds times):
  # on a shared VM, load bursts then hit all engines alike.
  per_round=$(( (runs + rounds - 1) / rounds ))
  for t in ${threads//,/ }; do
    for round in $(seq "$rounds"); do
      echo "== batch $batch, seq $seq, $t thread(s), round $round/$rounds"
      for model in fp32 int8; do
        file=$([[ $model == fp32 ]] && echo "$fp32" || echo "$int8")
        record ort "$model" "$seq" "$t" \
          "$(node test/fixtures/ort_run.js "$file" "${inputs[@]}" --bench "$per_round" --threads "$t")"
      done
      for v in "${variants[@]}"; do
        name=${v%%:*}
        record bnbert "$name" "$seq" "$t" \
          "$("$run" "$dir/$name.bnb" "${inputs[@]}" --bench "$per_round" \
             --threads "$t" --output-dir "$dir/out-$name")"
      done
    done
  done
  if [[ $seq == 128 && $batch == 1 && ,$only, == *,binary-a8,* ]]; then
    "$run" "$dir/binary-a8.bnb" "${inputs[@]}" --profile \
      --output-dir "$dir/out-binary-a8" > "$out/profile-128.txt" 2>&1
  fi
done
"$py" bench/bert_report.py "$results" "$out" "$fp32" "$int8" "$out"/*seq*/
[[ -f $out/profile-128.txt ]] && { echo; echo "bnbert-run --profile, binary A8, seq 128:"; head -14 "$out/profile-128.txt"; }
