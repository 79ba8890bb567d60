# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Data-parallel training on PyTorch's own engine: a run started by
`torchrun --nproc_per_node N [--nnodes M ...] -m bnbert.train ...` is one
process per rank, joined here into a gloo process group. Every rank
trains on its shard of each batch (the same global batch one process
takes: when it divides evenly among the ranks, the averaged gradient is
the one-process gradient up to float summation order) through
DistributedDataParallel, which averages the gradients;
rank 0 alone writes files (checkpoints, bundles, the report) and logs.
Started without torchrun it is one process and nothing here does
anything."""
import datetime
import os

import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

# How long a rank waits at a collective for the others: rank 0 compiles
# and evaluates bundles between stages while the rest wait. A rank that
# dies closes its connections, and torchrun stops the others at once.
WAIT = datetime.timedelta(hours=2)


class Ranks:
    """This process's place in the run: rank, world size, and the
    collectives the trainer needs."""

    def __init__(self):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        if self.world > 1 and not dist.is_initialized():
            dist.init_process_group(backend="gloo", timeout=WAIT)
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
        return DistributedDataParallel(model, static_graph=True)

    def close(self):
        if self.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def lost_peer(error):
    """Whether `error` is a collective failing because another rank of a
    data-parallel run stopped (killed, or failed on its own)."""
    text = str(error)
    return (dist.is_available() and dist.is_initialized() and
            ("gloo" in text or "Connection" in text or "Timed out" in text))


def describe(error):
    """A lost rank's collective error as one line."""
    first = str(error).splitlines()[0]
    return (f"rank {dist.get_rank()}: another process of the run stopped ({first}); "
            f"the last checkpoint is kept: run again with --resume")
