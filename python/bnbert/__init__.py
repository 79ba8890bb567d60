# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""bnbert's training side: quantization-aware training of BERT-family
encoders in PyTorch with the compiler's exact quantizers (TernaryBERT /
BinaryBERT: ternary QAT with distillation, ternary weight splitting,
binary fine-tuning) and export to QDQ ONNX that bnbert-compile deploys
exactly. The loop as one command: python3 -m bnbert.train (docs/training.md).
"""
__version__ = "0.5.0"  # python/bnbert; checkpoints record it (checkpoint.py)

from .distill import Distiller
from .export import export_onnx, exporting
from .modules import find_structure, prepare, quantization_table, tws_split

__all__ = ["prepare", "tws_split", "export_onnx", "exporting", "Distiller",
           "find_structure", "quantization_table"]
