# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""bnbert's training side: quantization-aware training of BERT-family
encoders in PyTorch with the compiler's exact quantizers (TernaryBERT /
BinaryBERT: ternary QAT with distillation, ternary weight splitting,
binary fine-tuning) and export to QDQ ONNX that bnbert-compile deploys
exactly. The loop as one command: python3 -m bnbert.train (docs/training.md).
"""
from .distill import Distiller
from .export import export_onnx, exporting
from .modules import prepare, tws_split

__all__ = ["prepare", "tws_split", "export_onnx", "exporting", "Distiller"]
