# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""What a training run's checkpoints record so that `--resume` continues
exactly the run that wrote them, or refuses: the settings that determine
the weights (flags, a digest of every input file, the package and
checkpoint format versions) and every random state.

A checkpoint that cannot be read (truncated, corrupt) is named in a
one-line error that says what to do."""
import hashlib
import json
import random
from pathlib import Path

import numpy as np
import torch

from . import __version__, atomic

# Bumped when what a checkpoint holds changes meaning.
CHECKPOINT_FORMAT = 2

# Flags that do not change the trained weights (a run started on a GPU
# may resume on the CPU).
_NOT_SETTINGS = {"resume", "threads", "out", "eval_batch", "device"}
# Flags naming files: recorded by the digest of their bytes, not the path.
_FILES = ("train", "dev", "test", "source", "tokenizer")


class ResumeError(ValueError):
    pass


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_settings(args):
    """The settings of a run as a flat JSON-able dict."""
    settings = {f"--{k.replace('_', '-')}": v for k, v in sorted(vars(args).items())
                if k not in _NOT_SETTINGS and k not in _FILES and k != "teacher"}
    for name in _FILES:
        path = getattr(args, name, None)
        if path and Path(path).is_dir():  # a checkpoint folder: every file in it
            files = sorted(p for p in Path(path).iterdir() if p.is_file())
            digest = hashlib.sha256("".join(f"{p.name}:{file_digest(p)}\n"
                                            for p in files).encode()).hexdigest()
        else:
            readable = path and Path(path).is_file()  # load_data names a bad file
            digest = file_digest(path) if readable else None
        settings[f"--{name} (sha256)"] = digest
    if getattr(args, "teacher", None):
        given = Path(args.teacher)
        for name in ("tokenizer.model", "checkpoints/teacher.pt"):
            readable = (given / name).is_file()
            settings[f"--teacher {name} (sha256)"] = (file_digest(given / name)
                                                      if readable else None)
    settings["bnbert version"] = __version__
    settings["checkpoint format"] = CHECKPOINT_FORMAT
    return settings


def differences(recorded, now):
    """One line per setting that differs ('--heads: 4 in the checkpoints,
    now 2')."""
    lines = []
    for key in sorted(set(recorded) | set(now)):
        a, b = recorded.get(key, "(absent)"), now.get(key, "(absent)")
        if a != b:
            show = (lambda v: v[:12] + "..." if isinstance(v, str) and len(v) == 64 else v)
            lines.append(f"{key}: {show(a)} in the checkpoints, now {show(b)}")
    return lines


def record_settings(settings_path, settings, resume):
    """On --resume, refuses settings that differ from the recorded ones,
    listing each difference; otherwise (or with none recorded yet) records
    them."""
    if resume and settings_path.exists():
        try:
            recorded = json.loads(settings_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise ResumeError(f"{settings_path} is unreadable: delete the output "
                              f"directory's checkpoints/ and start again without "
                              f"--resume") from None
        diff = differences(recorded, settings)
        if diff:
            raise ResumeError("--resume: the checkpoints were made with other "
                              "settings (resume with the same flags and files, or use "
                              "another --out): " + "; ".join(diff))
    else:
        atomic.write_text(settings_path, json.dumps(settings, indent=1) + "\n")


def random_states(generator):
    states = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
              "python": random.getstate(), "batches": generator.get_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():  # dropout on a GPU
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_random_states(states, generator):
    torch.set_rng_state(states["torch"])
    np.random.set_state(states["numpy"])
    random.setstate(states["python"])
    generator.set_state(states["batches"])
    cuda = states.get("cuda")
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


def load(path, settings=None):
    """A stage checkpoint, refused when its settings differ from `settings`
    (None: not compared, for a teacher taken from another run with
    --teacher); errors name the file and say what to do."""
    try:
        state = torch.load(path, map_location="cpu")  # a GPU run's too
    except Exception as e:  # torch raises EOFError, RuntimeError, pickle errors
        raise ResumeError(f"{path} is unreadable ({type(e).__name__}): delete it to "
                          f"redo that stage, then --resume") from None
    if settings is None:
        return state
    if not isinstance(state, dict) or "settings" not in state:
        raise ResumeError(f"{path} was written by an older bnbert.train: delete it "
                          f"to redo that stage, then --resume")
    diff = differences(state["settings"], settings)
    if diff:
        raise ResumeError(f"{path} was made with other settings: " + "; ".join(diff))
    return state
