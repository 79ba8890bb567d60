# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Files written so that a kill at any instant leaves the previous
complete version or the new one, never a truncated file: write a
temporary file in the same directory, flush and fsync it, rename it over
the target (atomic on POSIX), fsync the directory.

Test hooks: with BNBERT_KILL_AT_WRITE=N in the environment the process
kills itself (SIGKILL) in its N-th write, after the temporary file is
written and before the rename, which is where a kill hurts most; with
BNBERT_WRITE_LOG=FILE each write appends its number and path to FILE."""
import contextlib
import os
import signal
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; on success it replaces `path`,
    on an exception it is removed and `path` is untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        _kill_hook(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale(directory):
    """Removes the temporaries a killed writer left in `directory` (names
    this module makes: .NAME.XXXXXXXX.tmp)."""
    for path in Path(directory).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()


_writes = 0


def _kill_hook(path):
    global _writes
    _writes += 1
    log = os.environ.get("BNBERT_WRITE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{_writes}\t{path}\n")
    if os.environ.get("BNBERT_KILL_AT_WRITE") == str(_writes):
        os.kill(os.getpid(), signal.SIGKILL)


def write_text(path, text):
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def torch_save(obj, path):
    import torch
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def np_save(path, array):
    import numpy as np
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.save(f, array)
