# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The trainer's writes are atomic: a failure or a kill -9 in the middle of
a write leaves the previous complete file (and no temporary beside it)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from bnbert import atomic

ROOT = Path(__file__).resolve().parents[2]


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "report.json"
    atomic.write_text(path, "old\n")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


WRITER = """
import sys, torch
sys.path.insert(0, sys.argv[2])
from bnbert import atomic
state = {"w": torch.randn(1 << 20)}
i = 0
while True:
    i += 1
    state["step"] = i
    atomic.torch_save(state, sys.argv[1])
    print(i, flush=True)
"""


def test_kill_during_checkpoint_writes(tmp_path):
    path = tmp_path / "ternary.pt"
    for trial in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(ROOT / "python")],
                                stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # one complete checkpoint exists
        time.sleep(0.01 + 0.037 * trial)  # land in different phases of a write
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        state = torch.load(path)  # loadable every time
        assert state["w"].numel() == 1 << 20 and state["step"] >= 1
