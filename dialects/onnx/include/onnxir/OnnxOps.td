//===- OnnxOps.td - the ONNX operators bnbert imports ------*- tablegen -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One op per supported ONNX operator, named and ordered exactly like the
// ONNX spec (operands in input order, attributes under their ONNX names), so
// the importer builds them generically from a NodeProto. Opset differences
// are normalized on import: Unsqueeze/Squeeze axes are always operands,
// Softmax always has opset-13 semantics (one axis). Folders fold shape
// subgraphs to constants once the input shapes are fixed.
//
//===----------------------------------------------------------------------===//
#ifndef ONNXIR_OPS_TD
#define ONNXIR_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let summary = "ONNX operators as imported, before raising to bnq";
  let cppNamespace = "::bnbert::onnxir";
  let hasConstantMaterializer = 1;
  // Plain attributes: the importer sets them by ONNX name, generically.
  let usePropertiesForAttributes = 0;
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, !listconcat(traits, [Pure])>;

def Onnx_ConstantOp : Onnx_Op<"Constant", [ConstantLike]> {
  let summary = "constant tensor (also every initializer)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Onnx_IdentityOp : Onnx_Op<"Identity"> {
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

class Onnx_BinaryOp<string mnemonic> : Onnx_Op<mnemonic> {
  let summary = "elementwise with NumPy broadcasting";
  let arguments = (ins AnyTensor:$A, AnyTensor:$B);
  let results = (outs AnyTensor:$C);
  let hasFolder = 1;
  let hasVerifier = 1;
}
def Onnx_AddOp : Onnx_BinaryOp<"Add">;
def Onnx_SubOp : Onnx_BinaryOp<"Sub">;
def Onnx_MulOp : Onnx_BinaryOp<"Mul">;
def Onnx_DivOp : Onnx_BinaryOp<"Div">;
def Onnx_PowOp : Onnx_BinaryOp<"Pow">;
def Onnx_EqualOp : Onnx_BinaryOp<"Equal">;
def Onnx_LessOp : Onnx_BinaryOp<"Less">;

class Onnx_UnaryOp<string mnemonic, bit folds = 0> : Onnx_Op<mnemonic> {
  let arguments = (ins AnyTensor:$X);
  let results = (outs AnyTensor:$Y);
  let hasFolder = folds;
}
def Onnx_SqrtOp : Onnx_UnaryOp<"Sqrt", 1>;
def Onnx_NegOp : Onnx_UnaryOp<"Neg", 1>;
def Onnx_NotOp : Onnx_UnaryOp<"Not", 1>;
def Onnx_ErfOp : Onnx_UnaryOp<"Erf">;
def Onnx_TanhOp : Onnx_UnaryOp<"Tanh">;
def Onnx_SigmoidOp : Onnx_UnaryOp<"Sigmoid">;
def Onnx_ReluOp : Onnx_UnaryOp<"Relu">;

def Onnx_CastOp : Onnx_Op<"Cast"> {
  let summary = "element type conversion; `to` is an ONNX TensorProto type";
  let arguments = (ins AnyTensor:$input, I64Attr:$to);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Onnx_CumSumOp : Onnx_Op<"CumSum"> {
  let summary = "cumulative sum along the axis given by the `axis` operand";
  let arguments = (ins AnyTensor:$x, AnyTensor:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$exclusive,
                       DefaultValuedAttr<I64Attr, "0">:$reverse);
  let results = (outs AnyTensor:$y);
}

def Onnx_WhereOp : Onnx_Op<"Where"> {
  let arguments = (ins AnyTensor:$condition, AnyTensor:$X, AnyTensor:$Y);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def Onnx_ShapeOp : Onnx_Op<"Shape"> {
  let summary = "the input's shape as i64 (folds once the shape is static)";
  let arguments = (ins AnyTensor:$data, OptionalAttr<I64Attr>:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs AnyTensor:$shape);
  let hasFolder = 1;
}

def Onnx_GatherOp : Onnx_Op<"Gather"> {
  let arguments = (ins AnyTensor:$data, AnyTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Onnx_UnsqueezeOp : Onnx_Op<"Unsqueeze"> {
  let arguments = (ins AnyTensor:$data, AnyTensor:$axes);
  let results = (outs AnyTensor:$expanded);
  let hasFolder = 1;
}

def Onnx_SqueezeOp : Onnx_Op<"Squeeze"> {
  let arguments = (ins AnyTensor:$data, Optional<AnyTensor>:$axes);
  let results = (outs AnyTensor:$squeezed);
  let hasFolder = 1;
}

def Onnx_ConcatOp : Onnx_Op<"Concat"> {
  let arguments = (ins Variadic<AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyTensor:$concat_result);
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Onnx_SliceOp : Onnx_Op<"Slice", [AttrSizedOperandSegments]> {
  let arguments = (ins AnyTensor:$data, AnyTensor:$starts, AnyTensor:$ends,
                       Optional<AnyTensor>:$axes,
                       Optional<AnyTensor>:$steps);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def Onnx_ExpandOp : Onnx_Op<"Expand"> {
  let arguments = (ins AnyTensor:$input, AnyTensor:$shape);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def Onnx_ConstantOfShapeOp : Onnx_Op<"ConstantOfShape"> {
  let arguments = (ins AnyTensor:$input, OptionalAttr<ElementsAttr>:$value);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def Onnx_RangeOp : Onnx_Op<"Range"> {
  let arguments = (ins AnyTensor:$start, AnyTensor:$limit,
                       AnyTensor:$delta);
  let results = (outs AnyTensor:$output);
  let hasFolder = 1;
}

def Onnx_ReshapeOp : Onnx_Op<"Reshape"> {
  let arguments = (ins AnyTensor:$data, AnyTensor:$shape,
                       DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs AnyTensor:$reshaped);
  let hasFolder = 1;
}

def Onnx_TransposeOp : Onnx_Op<"Transpose"> {
  let arguments = (ins AnyTensor:$data,
                       OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs AnyTensor:$transposed);
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Onnx_ReduceMeanOp : Onnx_Op<"ReduceMean"> {
  let arguments = (ins AnyTensor:$data,
                       OptionalAttr<DenseI64ArrayAttr>:$axes,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs AnyTensor:$reduced);
}

def Onnx_MatMulOp : Onnx_Op<"MatMul"> {
  let arguments = (ins AnyTensor:$A, AnyTensor:$B);
  let results = (outs AnyTensor:$Y);
}

def Onnx_GemmOp : Onnx_Op<"Gemm"> {
  let summary = "Y = alpha * A' B' + beta * C";
  let arguments = (ins AnyTensor:$A, AnyTensor:$B, Optional<AnyTensor>:$C,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<I64Attr, "0">:$transA,
                       DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs AnyTensor:$Y);
  let hasVerifier = 1;
}

def Onnx_SoftmaxOp : Onnx_Op<"Softmax"> {
  let summary = "softmax along one axis (opset-13 semantics)";
  let description = [{
    `legacy_axis` marks an opset < 13 softmax imported before its rank was
    known: it flattens at that axis, which equals the one-axis softmax only
    when it is the last axis; raising checks that once shapes are static.
  }];
  let arguments = (ins AnyTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       OptionalAttr<I64Attr>:$legacy_axis);
  let results = (outs AnyTensor:$output);
  let hasVerifier = 1;
}

def Onnx_LayerNormalizationOp : Onnx_Op<"LayerNormalization"> {
  let arguments = (ins AnyTensor:$X, AnyTensor:$Scale,
                       Optional<AnyTensor>:$B,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<I64Attr, "1">:$stash_type);
  let results = (outs AnyTensor:$Y);
  let hasVerifier = 1;
}

def Onnx_ClipOp : Onnx_Op<"Clip", [AttrSizedOperandSegments]> {
  let arguments = (ins AnyTensor:$input, Optional<AnyTensor>:$min,
                       Optional<AnyTensor>:$max);
  let results = (outs AnyTensor:$output);
}

def Onnx_QuantizeLinearOp : Onnx_Op<"QuantizeLinear"> {
  let arguments = (ins AnyTensor:$x, AnyTensor:$y_scale,
                       Optional<AnyTensor>:$y_zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs AnyTensor:$y);
}

def Onnx_DequantizeLinearOp : Onnx_Op<"DequantizeLinear"> {
  let arguments = (ins AnyTensor:$x, AnyTensor:$x_scale,
                       Optional<AnyTensor>:$x_zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs AnyTensor:$y);
}

//===----------------------------------------------------------------------===//
// com.microsoft: the fused operators ONNX Runtime's transformer optimizer
// writes. The importer registers their schemas with the ONNX library
// (lib/Import/ContribSchemas.cpp) so the checker and shape inference cover
// them like standard operators.
//===----------------------------------------------------------------------===//

class Onnx_MsOp<string name, list<Trait> traits = []>
    : Onnx_Op<"com.microsoft." # name, traits>;

def Onnx_MsAttentionOp
    : Onnx_MsOp<"Attention", [AttrSizedOperandSegments]> {
  let summary = "multi-head self-attention with a packed QKV projection";
  let description = [{
    `input [B, S, H_in]`, `weights [H_in, Hq + Hk + Hv]` (Hq = Hk = Hv
    unless `qkv_hidden_sizes`), `bias [Hq + Hk + Hv]`, `mask_index` `[B]`
    (key lengths, right padding) or `[B, S]` (1 keeps, 0 masks).
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$weights,
                       Optional<AnyTensor>:$bias,
                       Optional<AnyTensor>:$mask_index,
                       I64Attr:$num_heads,
                       DefaultValuedAttr<I64Attr, "0">:$unidirectional,
                       OptionalAttr<DenseI64ArrayAttr>:$qkv_hidden_sizes,
                       DefaultValuedAttr<F32Attr, "-10000.0">:$mask_filter_value,
                       OptionalAttr<F32Attr>:$scale,
                       DefaultValuedAttr<I64Attr, "0">:$do_rotary,
                       DefaultValuedAttr<I64Attr, "0">:$past_present_share_buffer);
  let results = (outs AnyTensor:$output);
}

def Onnx_MsSkipLayerNormalizationOp
    : Onnx_MsOp<"SkipLayerNormalization", [AttrSizedOperandSegments]> {
  let summary = "LayerNorm(input + skip + bias) over the last axis";
  let arguments = (ins AnyTensor:$input, AnyTensor:$skip, AnyTensor:$gamma,
                       Optional<AnyTensor>:$beta, Optional<AnyTensor>:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-12">:$epsilon);
  let results = (outs AnyTensor:$output);
}

def Onnx_MsEmbedLayerNormalizationOp
    : Onnx_MsOp<"EmbedLayerNormalization", [AttrSizedOperandSegments]> {
  let summary = "LayerNorm(word[ids] + position[pos] + segment[seg])";
  let description = [{
    Positions are 0..S-1 unless `position_ids` is given. `mask_index` is the
    number of ones of each row of `mask` (0 without a mask).
  }];
  let arguments = (ins AnyTensor:$input_ids, Optional<AnyTensor>:$segment_ids,
                       AnyTensor:$word_embedding,
                       AnyTensor:$position_embedding,
                       Optional<AnyTensor>:$segment_embedding,
                       AnyTensor:$gamma, AnyTensor:$beta,
                       Optional<AnyTensor>:$mask,
                       Optional<AnyTensor>:$position_ids,
                       DefaultValuedAttr<F32Attr, "1.0e-12">:$epsilon,
                       DefaultValuedAttr<I64Attr, "1">:$mask_index_type);
  let results = (outs AnyTensor:$output, AnyTensor:$mask_index);
}

def Onnx_MsBiasGeluOp : Onnx_MsOp<"BiasGelu"> {
  let summary = "erf GELU of A + B";
  let arguments = (ins AnyTensor:$A, AnyTensor:$B);
  let results = (outs AnyTensor:$C);
}

def Onnx_MsFastGeluOp : Onnx_MsOp<"FastGelu"> {
  let summary = "tanh-approximated GELU of X (+ bias)";
  let arguments = (ins AnyTensor:$X, Optional<AnyTensor>:$bias);
  let results = (outs AnyTensor:$Y);
}

def Onnx_MsGeluOp : Onnx_MsOp<"Gelu"> {
  let summary = "erf GELU";
  let arguments = (ins AnyTensor:$X);
  let results = (outs AnyTensor:$Y);
}

#endif // ONNXIR_OPS_TD
