#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Fails when a C/C++ source is not clang-format clean (LLVM style) or a
# source file lacks the SPDX license line.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find dialects include lib runtime tools unittests \
  -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) | sort)
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"

# Every source file carries the license's SPDX line (LICENSE).
spdx='SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception'
mapfile -t sources < <(git ls-files --cached --others --exclude-standard \
  '*.cpp' '*.h' '*.td' '*.fbs' '*.inc' '*.py' '*.sh' '*.js' 'CMakeLists.txt' \
  '*.cmake' .ci/run 2>/dev/null | while read -r f; do [[ -f $f ]] && echo "$f"; done)
missing=$(grep -L -- "$spdx" "${sources[@]}" || true)
if [[ -n $missing ]]; then
  echo "missing the SPDX line ($spdx):" >&2
  echo "$missing" >&2
  exit 1
fi
# ... after a script's shebang, which must stay the first line.
for f in "${sources[@]}"; do
  if sed -n '2,$p' "$f" | grep -q '^#!'; then
    echo "$f: the shebang is not the first line" >&2
    exit 1
  fi
done
echo "SPDX: ${#sources[@]} files carry the license line"
