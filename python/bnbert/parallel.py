# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Data-parallel training on PyTorch's own engine: a run started by
`torchrun --nproc_per_node N [--nnodes M ...] -m bnbert.train ...` is one
process per rank, joined here into a process group (gloo on CPUs, NCCL on GPUs). Every rank
trains on its shard of each batch (the same global batch one process
takes: when it divides evenly among the ranks, the averaged gradient is
the one-process gradient up to float summation order) through
DistributedDataParallel, which averages the gradients;
rank 0 alone writes files (checkpoints, bundles, the report) and logs.
Started without torchrun it is one process and nothing here does
anything."""
import datetime
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

# How long a rank waits at a collective for the others: rank 0 compiles
# and evaluates bundles between stages while the rest wait. A rank that
# dies closes its connections, and torchrun stops the others at once.
WAIT = datetime.timedelta(hours=2)


def device_problem(name):
    """Why --device `name` cannot train here (None when it can)."""
    try:
        device = torch.device(name)
    except RuntimeError:
        return f"--device {name!r}: expected cpu, cuda or cuda:N"
    if device.type == "cpu":
        return None
    if device.type != "cuda":
        return f"--device {name!r}: bnbert.train trains on cpu or cuda"
    if not torch.cuda.is_available():
        return (f"--device {name}: this PyTorch sees no GPU (torch.cuda.is_available() "
                f"is false); train with --device cpu")
    if device.index is not None and device.index >= torch.cuda.device_count():
        return f"--device {name}: this machine has {torch.cuda.device_count()} GPU(s)"
    return None


class Ranks:
    """This process's place in the run: rank, world size, the device it
    trains on, and the collectives the trainer needs."""

    def __init__(self, device="cpu"):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.device = torch.device(device)
        if self.device.type == "cuda" and self.device.index is None:
            # One GPU per process of a machine, as torchrun numbers them.
            self.device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
        if self.world > 1 and not dist.is_initialized():
            backend = "nccl" if self.device.type == "cuda" else "gloo"
            dist.init_process_group(backend=backend, timeout=WAIT)
            self.rank, self.world = dist.get_rank(), dist.get_world_size()

    @property
    def main(self):
        """Whether this process writes the run's files (rank 0)."""
        return self.rank == 0

    def barrier(self):
        if self.world > 1:
            dist.barrier()

    def shard(self, indices):
        """This rank's part of one global batch of example indices."""
        return indices[self.rank::self.world]

    def wrap(self, model):
        """The module to run forward and backward through: `model` itself
        in one process, else a DistributedDataParallel over it (which also
        makes every rank start from rank 0's weights)."""
        if self.world == 1:
            return model
        # The same parameters take part in every step: a static graph, which
        # also lets a structure leave some unused (a pooler, a head).
        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids, static_graph=True)

    def close(self):
        if self.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def lost_peer(error):
    """Whether `error` is a collective failing because another rank of a
    data-parallel run stopped (killed, or failed on its own)."""
    text = str(error)
    return (dist.is_available() and dist.is_initialized() and
            ("gloo" in text or "NCCL" in text or "Connection" in text or "Timed out" in text))


def describe(error):
    """A lost rank's collective error as one line."""
    first = str(error).splitlines()[0]
    return (f"rank {dist.get_rank()}: another process of the run stopped ({first}); "
            f"the last checkpoint is kept: run again with --resume")
