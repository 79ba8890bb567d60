# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""`python3 -m bnbert.torchrun ...`: PyTorch's torchrun, unchanged, with
one fix where it is needed. torchrun of torch 1.13 (Debian 12's) fails at
start on Python 3.11 ("'NoneType' object has no attribute 'get'"): it
reads its --redirects/--tee values by iterating an IntFlag, and Python
3.11 no longer iterates the flag's zero and combined members, so the
default "0" maps to None. Newer torch releases read them as Std(int(v));
so does this launcher. Elsewhere it is torchrun as it is, except that a
failed run ends with torchrun's table of failed ranks and exit 1, without
the launcher's own traceback above it."""
import re
import sys

from torch.distributed import run
from torch.distributed.elastic.multiprocessing import api
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError


def _std_from_str(vm):
    """Std.from_str as newer torch writes it: "2" -> Std.ERR,
    "0:3,1:0" -> {0: Std.ALL, 1: Std.NONE}."""
    if re.fullmatch(r"[0-3]", vm):
        return api.Std(int(vm))
    if re.fullmatch(r"(\d:[0-3],)*\d:[0-3]", vm):
        return {int(i): api.Std(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
    raise ValueError(f"{vm} is not a value 0-3 or a mapping such as 0:1,1:2")


def needs_fix():
    try:
        return api.Std.from_str("0") is None
    except ValueError:
        return True


def main():
    if needs_fix():
        api.Std.from_str = staticmethod(_std_from_str)
    try:
        return run.main()
    except ChildFailedError as e:  # its table of failed ranks, not a traceback
        print(e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
