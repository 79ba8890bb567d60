#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Installs the Debian 12 packages bnbert builds and tests with. Idempotent:
# packages already present are skipped, so a warm machine runs this in seconds.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build git clang-format
  # libFuzzer for scripts/fuzz.sh (Debian's clang and its runtime).
  clang libclang-rt-14-dev
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler
  libgtest-dev libbenchmark-dev libsimde-dev
  g++-aarch64-linux-gnu qemu-user
  python3-onnx python3-numpy python3-torch python3-tqdm python3-sentencepiece
  python3-pytest
  # OpenBLAS takes over the libblas.so.3 alternative torch calls: training
  # runs several times faster than on the reference BLAS.
  libopenblas0-pthread
  # Real labelled text for the training example and its test: fortunes'
  # category files; German, Spanish, Russian and Chinese quotes for the
  # tokenizer tests.
  fortunes fortunes-min fortunes-de fortunes-es fortunes-ru fortunes-zh
  # Text in: the runtime's tokenizers (WordPiece on utf8proc, SentencePiece),
  # and Dask for the bulk-scoring example and its test.
  libutf8proc-dev libsentencepiece-dev python3-distributed
  # GPT-2's published byte-level BPE pattern in the reference tokenizer.
  python3-regex
)
# Node.js drives onnxruntime-node, the reference peer. Some images ship a
# Node.js whose package conflicts with Debian's npm: only install when absent.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#PACKAGES[@]} packages present"
fi

# ONNX Runtime, the peer the demo and the benchmarks measure against, from
# the npm registry into bench/node_modules (CPU only: the CUDA download is
# skipped). Without the registry everything else still works: the demo and
# the benchmarks then say ONNX Runtime is missing.
cd "$(dirname "$0")/../bench"
if ! NODE_PATH=$PWD/node_modules node -e "require('onnxruntime-node')" 2>/dev/null; then
  echo "install-deps: installing onnxruntime-node (npm) into bench/node_modules"
  if ! ONNXRUNTIME_NODE_INSTALL_CUDA=skip timeout 600 npm install --ignore-scripts \
       --no-save --no-audit --no-fund --silent onnxruntime-node >/dev/null 2>&1; then
    echo "install-deps: could not install onnxruntime-node (is the npm registry" \
         "reachable?): the demo and benchmarks will run without ONNX Runtime" >&2
  fi
fi
