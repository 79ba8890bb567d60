# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""pytest set-up: the package from this source tree; the compiler tools from
$BNBERT_BIN or the build tree (python/bnbert/deploy.py finds them)."""
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "test" / "fixtures"))  # make_bert.py's models

torch.set_num_threads(2)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
