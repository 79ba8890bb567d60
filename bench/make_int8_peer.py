# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes the int8 peer of an fp32 BERT ONNX file the way onnxruntime's
dynamic quantization (quantize_dynamic, QInt8 weights, per tensor) builds
it: every MatMul whose right operand is a constant 2-D weight becomes

    DynamicQuantizeLinear(x) -> (x_u8, x_scale, x_zero_point)
    MatMulInteger(x_u8, W_s8, x_zero_point, 0) -> Cast(float)
    Mul(x_scale * w_scale)

with W_s8 = round(W / w_scale), w_scale = max|W| / 127. Attention's
activation x activation MatMuls, Gemm heads and everything else stay
float, as in onnxruntime's output. (ORT's optimizer then fuses each chain
into its DynamicQuantizeMatMul kernel.)

    make_int8_peer.py IN.onnx OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = onnx.load(sys.argv[1])
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    # torch.onnx.export may route shared weights through Identity nodes.
    alias = {n.output[0]: n.input[0] for n in graph.node
             if n.op_type == "Identity" and n.input[0] in inits}

    def constant_weight(name):
        init = inits.get(alias.get(name, name))
        if init is None or len(init.dims) != 2:
            return None
        return numpy_helper.to_array(init)

    nodes, new_inits, count = [], [], 0
    for node in graph.node:
        w = constant_weight(node.input[1]) if node.op_type == "MatMul" else None
        if w is None:
            nodes.append(node)
            continue
        p = f"{node.name or node.output[0]}_int8"
        scale = float(np.abs(w).max()) / 127 or 1.0
        wq = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        new_inits += [numpy_helper.from_array(wq, p + "_W"),
                      numpy_helper.from_array(np.array(0, np.int8), p + "_Wzp"),
                      numpy_helper.from_array(np.array(scale, np.float32),
                                              p + "_Wscale")]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [node.input[0]],
                             [p + "_x", p + "_xs", p + "_xzp"], p + "_dql"),
            helper.make_node("MatMulInteger",
                             [p + "_x", p + "_W", p + "_xzp", p + "_Wzp"],
                             [p + "_i32"], p + "_mmi"),
            helper.make_node("Cast", [p + "_i32"], [p + "_f"], p + "_cast",
                             to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "_xs", p + "_Wscale"], [p + "_s"],
                             p + "_scale"),
            helper.make_node("Mul", [p + "_f", p + "_s"], [node.output[0]],
                             p + "_out"),
        ]
        count += 1
    if count == 0:
        sys.exit(f"{sys.argv[1]}: no MatMul with a constant 2-D weight")
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(new_inits)
    # Weights now only read through their int8 copies are dropped.
    used = {i for n in graph.node for i in n.input}
    used |= {alias[i] for i in list(used) if i in alias}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])
    print(f"make_int8_peer: {count} MatMuls quantized -> {sys.argv[2]}")


if __name__ == "__main__":
    main()
