#!/usr/bin/env bash
# Fails when a C/C++ source is not clang-format clean (LLVM style).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find dialects include lib runtime tools unittests \
  -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) | sort)
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
