# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""`export_onnx`: a prepared (trained) model in standard ONNX quantized form.

- quantized weights: int8 initializers through DequantizeLinear (per
  tensor, or per output row on the axis that indexes rows), codes in
  {-1, 0, 1} (ternary), {-1, 1} (binary) or [-127, 127] (int8); a TWS
  layer is two binary MatMuls on the same input, summed, then the bias;
- activation clips: Clip(-c, c) -> QuantizeLinear(c / qmax, 0) ->
  DequantizeLinear, on every quantized linear's input, on Q, K and V and
  on the attention probabilities.

ONNX Runtime runs the file as it is; `bnbert-compile` deploys it exactly
(no --weights / --act-bits: the file says what it is). A model prepared
with integer_nonlinear is exported with the float GELU, softmax and layer
norm and the metadata mark bnbert.integer_nonlinear = 1, which makes
bnbert-compile deploy the integer forms (ONNX Runtime runs the float ones).
"""
import contextlib
import warnings

import onnx
import torch

from .atomic import atomic_path
from .integer_nonlinear import METADATA_KEY, float_nonlinear
from .modules import set_exporting, unquantized_linears


@contextlib.contextmanager
def exporting(model):
    """The model in export form (eval mode, QDQ nodes); the forward it
    runs is the one the ONNX file records."""
    was_training = model.training
    model.eval()
    set_exporting(model, True)
    try:
        yield model
    finally:
        set_exporting(model, False)
        model.train(was_training)


def export_onnx(model, path, shapes, input_names=None, output_names=("logits",),
                opset=14):
    """Writes `model` to `path`. `shapes` maps each input name (in forward
    order) to its example shape, e.g. {"input_ids": (1, 128), ...}; the
    batch and sequence axes are exported dynamic (fix them with
    bnbert-compile --shape). Inputs are int64 ids/masks of zeros/ones."""
    if hasattr(model, "bnbert_config"):
        left = unquantized_linears(model)
        if left:
            raise ValueError(f"export_onnx: {len(left)} linear(s) neither quantized nor "
                             f"kept float by prepare: {', '.join(left[:5])} (prepare the "
                             f"model after adding them, or keep them with keep=)")
    names = list(input_names or shapes.keys())
    device = next(model.parameters()).device  # traced where it trained
    example = tuple(torch.ones(shapes[n], dtype=torch.int64, device=device) for n in names)
    dynamic = {n: {0: "batch", 1: "sequence"} for n in names}
    dynamic.update({n: {0: "batch"} for n in output_names})
    # torch 1.13 warns about its own deprecated helpers and traced shapes
    # (the graph is exported at fixed shapes on purpose): not the user's to fix.
    # The trace records the float GELU, softmax and layer norm (ONNX has no
    # integer ones; the file's mark says which the bundle runs), while
    # `exporting(model)` alone still computes the integer forms the bundle
    # computes.
    with exporting(model), float_nonlinear(model), warnings.catch_warnings(), \
            atomic_path(path) as tmp:
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, str(tmp), input_names=names,
                          output_names=list(output_names), opset_version=opset,
                          dynamic_axes=dynamic, do_constant_folding=True)
        if getattr(model, "bnbert_config", {}).get("integer_nonlinear"):
            mark_integer_nonlinear(tmp)
    return path


def mark_integer_nonlinear(path):
    """The ONNX file says its GELU, softmax and layer norm are the integer
    forms (ONNX has no such ops; bnbert-compile reads the mark)."""
    model = onnx.load(str(path))
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, "1"
    onnx.save(model, str(path))
