#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Static throughput of the AArch64 kernels per core, by llvm-mca-19: no
# AArch64 hardware here, so these are ESTIMATES. Compiles every AArch64
# kernel file with the cross compiler and its build flags plus
# BNRT_MCA_MARKERS, which marks each hot loop (runtime/src/kernels/mca.h:
# its name carries the multiply-adds one iteration does); llvm-mca then
# gives cycles per iteration on Cortex-A55, A76, X1, Neoverse-N1, N2, V1,
# V2 and Apple M1 (LLVM's apple-a14 model). Prints per kernel and core
# the cycles per iteration, multiply-adds per cycle and the core's
# ceilings for sdot and, where the core has FEAT_I8MM, smmla (16
# independent instructions through the same model), then BERT-base's
# estimated GEMM time per core for each variant next to ONNX Runtime's
# int8 GEMMs at those ceilings.
#
#   bench/arm-mca.sh [--json]   (needs g++-aarch64-linux-gnu, llvm-19-tools)
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/arm_mca.py "$@"
