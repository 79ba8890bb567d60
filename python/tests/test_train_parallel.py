# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Data-parallel training, CI-sized: python3 -m bnbert.train under
torchrun (bnbert.torchrun: the same launcher, fixed for torch 1.13 on
Python 3.11) with 2 processes of 1 thread on gloo. It writes the same files
as one process and reaches the same compiled accuracy within the test
set's noise; killing one rank ends the run with a message, and --resume
continues it."""
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_train_e2e import write_splits

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--layers", "2", "--hidden", "64", "--heads", "2", "--ffn", "128", "--seq", "24",
         "--vocab", "200", "--epochs", "1", "--teacher-epochs", "5", "--lr", "1e-3",
         "--threads", "1", "--eval-batch", "100"]


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    return write_splits(tmp_path_factory.mktemp("task"))


def command(task, out, processes):
    train = ["-m", "bnbert.train", "--train", str(task / "train.jsonl"), "--dev",
             str(task / "dev.jsonl"), "--test", str(task / "test.jsonl"), "--out", str(out)]
    launcher = ([] if processes == 1 else
                ["-m", "bnbert.torchrun", "--standalone", "--nproc_per_node",
                 str(processes)])
    return [sys.executable] + launcher + train + FLAGS


def environment(mark=""):
    return {**os.environ, "OMP_NUM_THREADS": "1", "BNBERT_TEST_RUN": mark}


def files(out):
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())


def test_two_processes_write_what_one_does(task, tmp_path):
    reports = {}
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        done = subprocess.run(command(task, out, n), cwd=ROOT / "python",
                              capture_output=True, text=True, env=environment(), timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        reports[n] = json.loads((out / "report.json").read_text())
        assert reports[n]["processes"] == n
    assert files(tmp_path / "out1") == files(tmp_path / "out2")
    assert reports[2]["agreement_with_torch"] >= 0.995
    one, two = (reports[n]["test_accuracy"]["binary"] for n in (1, 2))
    p, count = (one + two) / 2, reports[1]["examples"]["test"]
    noise = 3 * math.sqrt(2 * max(p * (1 - p), 0.01) / count)  # 3 sigma of a difference
    assert abs(one - two) <= noise, (one, two, noise)


def ranks_of(mark):
    """pid of each rank of the run started with BNBERT_TEST_RUN=mark."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"BNBERT_TEST_RUN={mark}".encode() in env:
            rank = [e for e in env if e.startswith(b"RANK=")]
            if rank:
                found[int(rank[0][5:])] = int(pid)
    return found


def test_a_killed_rank_ends_the_run_and_resume_continues(task, tmp_path):
    out, mark = tmp_path / "out", f"kill-{os.getpid()}"
    run = subprocess.Popen(command(task, out, 2), cwd=ROOT / "python", env=environment(mark),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 300
        while not (out / "checkpoints" / "teacher.pt").exists():
            assert run.poll() is None and time.time() < deadline, "no teacher checkpoint"
            time.sleep(0.2)
        os.kill(ranks_of(mark)[1], signal.SIGKILL)
        _, stderr = run.communicate(timeout=120)  # ends: no hang
    finally:
        run.kill()
    assert run.returncode != 0
    stopped = [line for line in stderr.splitlines()
               if line.startswith("bnbert.train: rank 0: another process of the run stopped")]
    assert len(stopped) == 1, stderr[-3000:]
    assert "Traceback" not in stderr and "bnbert.train FAILED" in stderr

    done = subprocess.run(command(task, out, 2) + ["--resume"], cwd=ROOT / "python",
                          capture_output=True, text=True, env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "teacher: resuming after epoch" in done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["processes"] == 2 and report["agreement_with_torch"] >= 0.995
