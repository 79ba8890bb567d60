#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""make_gemm_models.py DIR [--m 128 --k 768 --n 3072]: writes the single-GEMM
ONNX models bench/gemm-vs-ort.sh times with onnxruntime, and their inputs:
  fp32.onnx  Y = MatMul(A f32 [M,K], W f32 [K,N])
  int8.onnx  Y = MatMulInteger(A u8 [M,K], W i8 [K,N]) -> int32 (what
             ORT's dynamic quantization runs, minus the quantize op)
  a_f32.npy, a_u8.npy: random inputs."""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--m", type=int, default=128)
p.add_argument("--k", type=int, default=768)
p.add_argument("--n", type=int, default=3072)
a = p.parse_args()
os.makedirs(a.dir, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, node, a_type, w, y_type):
    g = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("A", a_type, [a.m, a.k])],
        [helper.make_tensor_value_info("Y", y_type, [a.m, a.n])],
        [numpy_helper.from_array(w, "W")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(a.dir, name + ".onnx"))


save("fp32", helper.make_node("MatMul", ["A", "W"], ["Y"]), TensorProto.FLOAT,
     rng.standard_normal((a.k, a.n)).astype(np.float32), TensorProto.FLOAT)
save("int8", helper.make_node("MatMulInteger", ["A", "W"], ["Y"]),
     TensorProto.UINT8,
     rng.integers(-127, 128, (a.k, a.n)).astype(np.int8), TensorProto.INT32)
np.save(os.path.join(a.dir, "a_f32.npy"),
        rng.standard_normal((a.m, a.k)).astype(np.float32))
np.save(os.path.join(a.dir, "a_u8.npy"),
        rng.integers(0, 256, (a.m, a.k)).astype(np.uint8))
