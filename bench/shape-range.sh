#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# What a shape range costs: BERT-base (binary A8, random init, as in
# bench/bert-vs-ort.sh) compiled once for batch 1..8 x sequence 1..384,
# against bundles compiled at exactly each measured shape. Prints the
# median latency of both at each sequence length (batch 1), their ratio,
# the bundle sizes and the compile times.
#
#   bench/shape-range.sh [--seqs 32,128,384] [--threads 1] [--runs 15]
#                        [--rounds 3] [--out DIR]
#
# Needs the build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
seqs=32,128,384 threads=1 runs=15 rounds=3 out=$BUILD/bert-bench
while (($#)); do
  case $1 in
    --seqs) seqs=$2; shift 2;;
    --threads) threads=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --rounds) rounds=$2; shift 2;;
    --out) out=$2; shift 2;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "shape-range.sh: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done
py=/usr/bin/python3
compile=$BUILD/bin/bnbert-compile run=$BUILD/runtime/bnbert-run
for tool in "$compile" "$run"; do
  [[ -x $tool ]] || { echo "shape-range.sh: $tool missing; run scripts/build.sh" >&2; exit 1; }
done
mkdir -p "$out/range"
onnx=$out/bert-base.onnx
if [[ ! -f $onnx ]]; then
  echo "== exporting BERT-base from test/fixtures/make_bert.py"
  "$py" test/fixtures/make_bert.py "$onnx" --layers 12 --hidden 768 --heads 12 \
    --ffn 3072 --vocab 30522 --max-pos 512 --batch 1 --seq 128
fi
names=(input_ids attention_mask token_type_ids)
shapes() { for n in "${names[@]}"; do printf -- '--shape %s=%s ' "$n" "$1"; done; }
timed_compile() { # out shape
  local start=$SECONDS
  # shellcheck disable=SC2046
  "$compile" "$onnx" $(shapes "$2") -o "$1" 2> "$1.log" ||
    { cat "$1.log" >&2; exit 1; }
  echo $((SECONDS - start))
}
echo "== compiling the ranged bundle (1..8x1..384)"
ranged=$out/range/ranged.bnb
ranged_s=$(timed_compile "$ranged" 1..8x1..384)
declare -A fixed_s
for seq in ${seqs//,/ }; do
  echo "== compiling the bundle for exactly 1x$seq"
  fixed_s[$seq]=$(timed_compile "$out/range/fixed-$seq.bnb" "1x$seq")
  "$py" - "$out/range" "$seq" <<'PY'
import sys, numpy as np
d, s = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
np.save(f"{d}/ids-{s}.npy", rng.integers(1000, 30000, (1, s)))
np.save(f"{d}/mask-{s}.npy", np.ones((1, s), np.int64))
np.save(f"{d}/types-{s}.npy", np.zeros((1, s), np.int64))
PY
done
bench() { # bundle seq -> median ms
  "$run" "$1" --bench "$runs" --threads "$threads" \
    --input input_ids="$out/range/ids-$2.npy" \
    --input attention_mask="$out/range/mask-$2.npy" \
    --input token_type_ids="$out/range/types-$2.npy" |
    "$py" -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo
echo "CPU: $cpu; $threads thread(s); binary A8; medians of $rounds rounds x $runs runs"
echo "ranged bundle: $(stat -c %s "$ranged") bytes, compiled in ${ranged_s} s"
printf '| seq | exactly 1xS | ranged 1..8x1..384 | ranged / exact | exact bundle size, compile |\n'
printf '|---|---|---|---|---|\n'
for seq in ${seqs//,/ }; do
  fixed=$out/range/fixed-$seq.bnb
  f=() r=()
  for ((round = 0; round < rounds; ++round)); do
    f+=("$(bench "$fixed" "$seq")")
    r+=("$(bench "$ranged" "$seq")")
  done
  fm=$(median "${f[@]}") rm_=$(median "${r[@]}")
  printf '| %s | %.2f ms | %.2f ms | %.3fx | %s bytes, %s s |\n' "$seq" "$fm" "$rm_" \
    "$("$py" -c "print($rm_ / $fm)")" "$(stat -c %s "$fixed")" "${fixed_s[$seq]}"
done
