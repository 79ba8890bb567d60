//===- BnqOps.td - bnq operations -------------------------*- tablegen -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#ifndef BNQ_OPS_TD
#define BNQ_OPS_TD

include "bnq/BnqDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Bnq_Op<string mnemonic, list<Trait> traits = []>
    : Op<Bnq_Dialect, mnemonic, traits>;

def Bnq_IdTensor : TensorOf<[I32, I64]>;
def Bnq_Int8Tensor : TensorOf<[I8]>;
// The per-tensor activation scale: tensor<f32>, implied by the syntax.
def Bnq_ScalarF32Tensor : 0DTensorOf<[F32]>,
    BuildableType<"::mlir::RankedTensorType::get({}, $_builder.getF32Type())">;

//===----------------------------------------------------------------------===//
// Float building blocks (created by the raising passes)
//===----------------------------------------------------------------------===//

def Bnq_EmbeddingOp : Bnq_Op<"embedding", [Pure]> {
  let summary = "row lookup: result[i..., h] = table[ids[i...], h]";
  let description = [{
    Gathers rows of a `[V, H]` table. The table may be a float constant or a
    quantized weight producer (row-wise scales for the word embeddings).
    Ids outside `[0, V)` are a run-time error in the runtime.
  }];
  let arguments = (ins F32Tensor:$table, Bnq_IdTensor:$ids);
  let results = (outs F32Tensor:$result);
  let assemblyFormat =
      "$table `[` $ids `]` attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Bnq_LayerNormOp : Bnq_Op<"layer_norm",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "layer normalization over the last axis";
  let description = [{
    `y = (x - mean(x)) / sqrt(var(x) + epsilon) * gamma + beta`, with mean
    and (biased) variance over the last axis; gamma and beta are `[H]`.
    With `integer`, I-BERT's integer form (runtime/include/bnrt/
    integer_nonlinear.h: x in fixed point, the integer mean, variance and
    square root; H <= 8192).
    With `residual` (same shape as `input`), x = input + residual (one f32
    add per element, as `bnq.add`): the transformer's residual connection,
    folded in by bnq-lower-to-runtime so the sum is never stored.
  }];
  let arguments = (ins F32Tensor:$input, F32Tensor:$gamma, F32Tensor:$beta,
                       Optional<F32Tensor>:$residual, F32Attr:$epsilon,
                       UnitAttr:$integer);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta
    (`residual` `(` $residual^ `:` type($residual) `)`)? attr-dict `:`
    type($input) `,` type($gamma) `,` type($beta)
  }];
  let hasVerifier = 1;
}

def Bnq_LinearOp : Bnq_Op<"linear", [Pure]> {
  let summary = "y = x W^T + b, W in [out, in] (PyTorch) layout";
  let description = [{
    `result[..., n] = sum_k input[..., k] * weight[n, k] + bias[n]`.
    The weight is any `[N, K]` f32 value: a float constant, or the result of
    `quant_weight` / `bitplane_weight` / `packed_weight`, which denote their
    dequantized tensor. The bias is optional.
  }];
  let arguments = (ins F32Tensor:$input, F32Tensor:$weight,
                       Optional<F32Tensor>:$bias);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_BatchMatmulOp : Bnq_Op<"batch_matmul", [Pure]> {
  let summary = "batched matrix product over equal leading dimensions";
  let description = [{
    `lhs [..., M, K] x rhs [..., K, N] -> [..., M, N]`; with
    `transpose_rhs`, rhs is `[..., N, K]`. Batch dimensions must match (no
    broadcasting).
  }];
  let arguments = (ins F32Tensor:$lhs, F32Tensor:$rhs,
                       UnitAttr:$transpose_rhs);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_SoftmaxOp : Bnq_Op<"softmax",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "softmax along one axis";
  let description = [{
    `y = exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (negative
    values count from the end). With `integer`, I-BERT's integer form
    (bnrt/integer_nonlinear.h; each y a multiple of 2^-16).
  }];
  let arguments = (ins F32Tensor:$input, I64Attr:$axis, UnitAttr:$integer);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Bnq_GeluOp : Bnq_Op<"gelu", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "GELU activation";
  let description = [{
    `erf`:  `y = 0.5 x (1 + erf(x / sqrt(2)))`;
    `tanh`: `y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    With `integer`, either is I-BERT's integer GELU (a second-order
    polynomial for erf on x in fixed point; bnrt/integer_nonlinear.h).
  }];
  let arguments = (ins F32Tensor:$input,
                       Bnq_GeluApproximationAttr:$approximation,
                       UnitAttr:$integer);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$approximation $input attr-dict `:` type($input)";
}

def Bnq_TanhOp : Bnq_Op<"tanh", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "elementwise tanh (the BERT pooler activation)";
  let arguments = (ins F32Tensor:$input);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

class Bnq_BroadcastBinaryOp<string mnemonic, string formula>
    : Bnq_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # formula # " with NumPy broadcasting";
  let arguments = (ins F32Tensor:$lhs, F32Tensor:$rhs);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}
def Bnq_AddOp : Bnq_BroadcastBinaryOp<"add", "lhs + rhs">;
def Bnq_PowOp : Bnq_BroadcastBinaryOp<"pow", "lhs ^ rhs">;
def Bnq_SubOp : Bnq_BroadcastBinaryOp<"sub", "lhs - rhs">;
def Bnq_MulOp : Bnq_BroadcastBinaryOp<"mul", "lhs * rhs">;
def Bnq_DivOp : Bnq_BroadcastBinaryOp<"div", "lhs / rhs">;

def Bnq_ReshapeOp : Bnq_Op<"reshape", [Pure]> {
  let summary = "row-major reshape to the result type's shape";
  let description = [{
    Any element type (float activations, integer masks and ids); the result
    has the input's element type.
  }];
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Bnq_TransposeOp : Bnq_Op<"transpose", [Pure]> {
  let summary = "permute dimensions: result dim i = input dim permutation[i]";
  let arguments = (ins F32Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Bnq_SliceOp : Bnq_Op<"slice", [Pure]> {
  let summary = "contiguous box: result[i...] = input[offsets + i...]";
  let description = [{
    Unit strides; the sizes are the result type's shape (the BERT pooler
    takes `x[:, 0]` as a slice of size 1 on the sequence axis and a reshape).
  }];
  let arguments = (ins F32Tensor:$input, DenseI64ArrayAttr:$offsets);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `` $offsets attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Bnq_CastOp : Bnq_Op<"cast", [Pure]> {
  let summary = "element type conversion (masks to f32, ids to i32/i64)";
  let description = [{
    Integer to f32 is exact for masks and ids; f32 to integer truncates
    toward zero, integer to integer keeps the value (ids fit in i32).
  }];
  let arguments = (ins TensorOf<[AnySignlessInteger, F32]>:$input);
  let results = (outs TensorOf<[I32, I64, F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Bnq_ClampOp : Bnq_Op<"clamp", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "result = min(max(input, min), max)";
  let description = [{
    A clip on an activation (ONNX `Clip`, as quantization-aware training
    exports it). bnq-quantize-activations takes a symmetric clamp
    (min = -max) in front of a quantized operand as that operand's static
    clip value.
  }];
  let arguments = (ins F32Tensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Bnq_UnaryOp : Bnq_Op<"unary", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "generic elementwise function (ops no pattern fused)";
  let description = [{
    `erf`, `sqrt`, `exp`, `neg`, `relu` (max(x, 0)), `sigmoid`
    (1 / (1 + exp(-x))). bnq-raise-onnx lowers ONNX elementwise ops that are
    not part of a recognised block (layer norm, GELU) to this, so an
    unusual export stays correct instead of failing.
  }];
  let arguments = (ins F32Tensor:$input, Bnq_UnaryFunctionAttr:$function);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$function $input attr-dict `:` type($input)";
}

def Bnq_ReduceMeanOp : Bnq_Op<"reduce_mean", [Pure]> {
  let summary = "mean over `axes`, keeping them as size 1";
  let description = [{
    `result[i...] = mean over the axes of input` (the reduced dimensions
    have size 1 in the result, like ONNX ReduceMean with keepdims = 1).
    The generic form of the reductions inside a layer norm that did not
    match the layer-norm pattern.
  }];
  let arguments = (ins F32Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `` $axes attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Bnq_ReduceSumOp : Bnq_Op<"reduce_sum", [Pure]> {
  let summary = "sum over the last axis, which is dropped";
  let description = [{
    `result[i...] = sum_j input[i..., j]`. Counts the ones of an attention
    mask (ONNX Runtime's EmbedLayerNormalization mask_index).
  }];
  let arguments = (ins F32Tensor:$input);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Bnq_LengthMaskOp : Bnq_Op<"length_mask", [Pure]> {
  let summary = "additive attention mask from per-sequence key lengths";
  let description = [{
    lengths `[B]`, result `[B, S]`:
    `result[b, j] = (j < lengths[b]) ? 0 : filter_value`. This is ONNX
    Runtime's 1-D `mask_index` (right padding) as a `mask_bias` for
    `attention`.
  }];
  let arguments = (ins TensorOf<[I32, I64, F32]>:$lengths, F32Attr:$filter_value);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = "$lengths attr-dict `:` type($lengths) `->` type($result)";
  let hasVerifier = 1;
}

def Bnq_PositionIdsOp : Bnq_Op<"position_ids",
    [Pure, AllShapesMatch<["ids", "result"]>]> {
  let summary = "position ids that skip padding tokens (RoBERTa family)";
  let description = [{
    ids and result `[B, S]`: `result[b, j] = padding_idx` where
    `ids[b, j] == padding_idx`, else `padding_idx + n` with `n` the number
    of non-padding ids in `ids[b, 0..j]`. Hugging Face's
    `create_position_ids_from_input_ids` (RoBERTa, XLM-R, CamemBERT, ...).
  }];
  let arguments = (ins Bnq_IdTensor:$ids, I64Attr:$padding_idx);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$ids attr-dict `:` type($ids) `->` type($result)";
  let hasVerifier = 1;
}

def Bnq_AttentionOp : Bnq_Op<"attention", [Pure]> {
  let summary = "multi-head scaled dot-product attention";
  let description = [{
    q `[B, Sq, E]`, k and v `[B, Sk, E]`, E = num_heads * D. For each batch b
    and head h (columns h*D .. h*D+D-1):
      `P = softmax(scale * Q_h K_h^T + mask_bias[b, None, :])` over keys,
      `result[b, :, h*D:(h+1)*D] = P V_h`.
    `mask_bias` `[B, Sk]` is additive (0 keeps a key, a large negative value
    masks it), as BERT builds from the attention mask. When `prob_bits` is
    set, P is fake-quantized like `quantize` with that bit count and the
    static clip `prob_clip` (default 1.0, since P is in [0, 1]) before the
    second product; query, key and value are quantized by explicit
    `quantize`/`dequantize` pairs on the operands. Without `prob_bits`, a
    `prob_clip` (>= 1, so P is unchanged) is the model's learned clip on P,
    kept for a quantizer added later. With `prob_alpha` and `prob_beta`
    instead of `prob_bits`, P is binarized (BiT): `prob_alpha *
    binarize(P)` with non-negative codes, as `dequantize(binarize(P))`.
    With `integer`, the softmax is `softmax {integer}`'s (not with
    binarized P).
  }];
  let arguments = (ins F32Tensor:$query, F32Tensor:$key, F32Tensor:$value,
                       Optional<F32Tensor>:$mask_bias,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
                       F32Attr:$scale,
                       OptionalAttr<I32Attr>:$prob_bits,
                       OptionalAttr<F32Attr>:$prob_clip,
                       OptionalAttr<F32Attr>:$prob_alpha,
                       OptionalAttr<F32Attr>:$prob_beta,
                       UnitAttr:$integer);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` `(` $mask_bias^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantized weights. Each result is the dequantized f32 weight, so consumers
// (linear, embedding) need no quantized variants.
//===----------------------------------------------------------------------===//

def Bnq_QuantWeightOp : Bnq_Op<"quant_weight", [Pure]> {
  let summary = "integer-valued weight with a per-tensor or per-row scale";
  let description = [{
    `result[n, k] = scale[g(n)] * values[n, k]`, g(n) = 0 when `scale` has
    one element (per tensor) and n when it has N (per row).
    `values` is i8 `[N, K]` within the format's set: `binary` {-1, +1},
    `ternary` {-1, 0, +1}, `int8` [-127, 127]. Scales are finite and >= 0.
    `latent` optionally keeps the f32 weight this was quantized from: TWS
    needs it and fine-tuning export starts from it.
    Created by bnq-ternarize / bnq-binarize; consumed by bnq-split-ternary
    and bnq-pack-bits.
  }];
  let arguments = (ins Bnq_WeightFormatAttr:$format, ElementsAttr:$values,
                       ElementsAttr:$scale,
                       OptionalAttr<ElementsAttr>:$latent);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $format `values` `(` $values `)` `scale` `(` $scale `)`
    (`latent` `(` $latent^ `)`)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Bnq_BitplaneWeightOp : Bnq_Op<"bitplane_weight", [Pure]> {
  let summary = "weight as a sum of scaled {-1,+1} planes";
  let description = [{
    `result[n, k] = sum_p scales[p, g(n)] * planes[p, n, k]`, planes i8
    `[P, N, K]` with values in {-1, +1}, scales f32 `[P, 1]` (per tensor) or
    `[P, N]` (per row), 1 <= P <= 8. One plane is a binary weight; two planes
    with equal scales alpha/2 are a ternary weight (t = (b1 + b2) / 2) or a
    TWS-split pair. `latent` optionally keeps the f32 latent halves
    `[P, N, K]` (TWS: W1, W2 with W1 + W2 = W) for fine-tuning export.
    Created by bnq-split-ternary; consumed by bnq-pack-bits.
  }];
  let arguments = (ins ElementsAttr:$planes, ElementsAttr:$scales,
                       OptionalAttr<ElementsAttr>:$latent);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    `planes` `(` $planes `)` `scales` `(` $scales `)`
    (`latent` `(` $latent^ `)`)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Bnq_PackedWeightOp : Bnq_Op<"packed_weight", [Pure]> {
  let summary = "bit planes packed in the runtime's kernel layout";
  let description = [{
    Same value as a `bitplane_weight`, with the signs packed as the runtime
    reads them: `bits` is i64 `[P, N, W]`, W = ceil(K / 64); bit (k mod 64)
    of word `bits[p, n, k / 64]` is 1 when plane p holds -1 at (n, k).
    Padding bits past K are 0. The layout is defined once, in
    runtime/include/bnrt/bitpack.h, which compiler and runtime both include.
    Created by bnq-pack-bits; consumed by the bundle serializer.
  }];
  let arguments = (ins ElementsAttr:$bits, ElementsAttr:$scales);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    `bits` `(` $bits `)` `scales` `(` $scales `)` attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Activation quantization (QDQ form, as ONNX QuantizeLinear/DequantizeLinear)
//===----------------------------------------------------------------------===//

def Bnq_QuantizeOp : Bnq_Op<"quantize", [Pure]> {
  let summary = "symmetric uniform quantization to `bits` bits";
  let description = [{
    qmax = 2^(bits-1) - 1; c = `clip` when given (static, e.g. a learned clip
    value), else max|input| computed at run time; scale = c / qmax (1 when
    c = 0); `result = clamp(round_half_even(input / scale), -qmax, qmax)`,
    stored in i8 for any bits in [2, 8]. The second result is the scale:
    `tensor<f32>` (one per tensor), or, for a dynamic clip on a
    `[B, S, ...]` input, `tensor<Bxf32>`: one scale per sequence b, its max
    taken over the rows s where the optional `mask_bias` `[B, S]` (the
    attention's additive mask) is 0, so neither padding nor the other
    sequences of a batch change it.
    With `input_gelu` (static clip only) the quantized value is
    `gelu(input)` of that form: bnq-lower-to-runtime folds a GELU only the
    quantize reads, and the runtime compares the input with bounds instead
    of computing the GELU. `input_gelu_integer`: that GELU is `gelu
    {integer}` (I-BERT's form).
    Created by bnq-quantize-activations (or imported from QuantizeLinear).
  }];
  let arguments = (ins F32Tensor:$input, Optional<F32Tensor>:$mask_bias,
                       ConfinedAttr<I32Attr, [IntMinValue<2>, IntMaxValue<8>]>:$bits,
                       OptionalAttr<F32Attr>:$clip,
                       OptionalAttr<Bnq_GeluApproximationAttr>:$input_gelu,
                       UnitAttr:$input_gelu_integer);
  let results = (outs Bnq_Int8Tensor:$result, F32Tensor:$scale);
  let assemblyFormat = [{
    $input (`mask` `(` $mask_bias^ `:` type($mask_bias) `)`)? attr-dict `:`
    type($input) `->` type($result) `` custom<ScaleType>(type($scale))
  }];
  let hasVerifier = 1;
}

def Bnq_DequantizeOp : Bnq_Op<"dequantize", [Pure]> {
  let summary = "result = scale * input";
  let description = [{
    Inverse of `quantize`: `result = scale * float(input)`, with a
    per-sequence scale `[B]` applied along the leading axis. A
    quantize/dequantize pair in front of a linear or attention operand is
    what the runtime lowering turns into an integer kernel.
  }];
  let arguments = (ins Bnq_Int8Tensor:$input, F32Tensor:$scale);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` type($input) `->` type($result) ``
    custom<ScaleType>(type($scale))
  }];
  let hasVerifier = 1;
}

def Bnq_BinarizeOp : Bnq_Op<"binarize", [Pure]> {
  let summary = "BiT's elastic binarization to 1-bit codes";
  let description = [{
    `v = (input - beta) / alpha` in f32 (alpha > 0); with `signed_codes`
    `result = v < 0 ? -1 : 1`, else (non-negative inputs such as
    probabilities) `result = v > 0.5 ? 1 : 0`; the scale is `alpha`, so
    `dequantize(binarize(x))` is `alpha * code` (docs/dialect.md, "1-bit
    activations"). Raised from the trainer's export form
    `Where(Less(Div(Sub(x, beta), alpha), 0), -alpha, alpha)`, or
    `Where(Less(0.5, v), alpha, 0)`.
  }];
  let arguments = (ins F32Tensor:$input, F32Attr:$alpha, F32Attr:$beta,
                       BoolAttr:$signed_codes);
  let results = (outs Bnq_Int8Tensor:$result, Bnq_ScalarF32Tensor:$scale);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Runtime-level ops: one per integer kernel of the runtime, created by
// bnq-lower-to-runtime from the quantized graph. Operands are what the
// kernel reads (int8 codes and their scales, packed bit planes, int8
// weights as constants); the bundle writer maps each to one runtime op.
//===----------------------------------------------------------------------===//

// A quantization scale operand: tensor<f32>, or tensor<Bxf32> per sequence.
def Bnq_ScaleTensor : TensorRankOf<[F32], [0, 1]>;

def Bnq_LinearBitsOp : Bnq_Op<"linear_bits", [Pure]> {
  let summary = "GEMM of int8 codes with packed {-1,+1} weight planes";
  let description = [{
    `result[..., n] = codes_scale * sum_p plane_scales[p, g(n)] *
    sum_k codes[..., k] * sign_p(n, k) + bias[n]`, with `bits` the planes'
    packed signs (`[P, N, W]`, W = ceil(K / 64), layout of bnq.packed_weight)
    and `plane_scales` `[P, 1]` or `[P, N]`. `codes_scale` is one scale or
    one per sequence (the leading axis). `act_bits` is the bit count the
    codes were quantized with: kernels may use that codes of at most 4 bits
    lie in [-7, 7].
    From `linear(dequantize(quantize(x)), packed_weight)`.
  }];
  let arguments = (ins Bnq_Int8Tensor:$codes, Bnq_ScaleTensor:$codes_scale,
                       TensorOf<[I64]>:$bits, F32Tensor:$plane_scales,
                       Optional<F32Tensor>:$bias,
                       ConfinedAttr<I32Attr, [IntMinValue<2>, IntMaxValue<8>]>:$act_bits);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $codes `,` $codes_scale `,` $bits `,` $plane_scales
    (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_LinearBitsF32Op : Bnq_Op<"linear_bits_f32", [Pure]> {
  let summary = "GEMM of float activations with packed {-1,+1} weight planes";
  let description = [{
    `result[..., n] = sum_p plane_scales[p, g(n)] * sum_k input[..., k] *
    sign_p(n, k) + bias[n]` for weight-only quantized layers: the signs stay
    packed (`bits` `[P, N, W]`, the layout of bnq.packed_weight;
    `plane_scales` `[P, 1]` or `[P, N]`). From `linear(x, packed_weight)`
    where `x` is not quantized.
  }];
  let arguments = (ins F32Tensor:$input, TensorOf<[I64]>:$bits,
                       F32Tensor:$plane_scales, Optional<F32Tensor>:$bias);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $bits `,` $plane_scales (`bias` `(` $bias^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_LinearBinarizedOp : Bnq_Op<"linear_binarized", [Pure]> {
  let summary = "fully binary GEMM: binarized activations x {-1,+1} planes";
  let description = [{
    `result[..., n] = sum_p (alpha * plane_scales[p, g(n)]) * dot_p[..., n]
    + bias[n]`, where `dot_p = sum_k code[..., k] * sign_p(n, k)` is exact
    in integers and `code = binarize(input)` with `alpha`, `beta`,
    `signed_codes` as in bnq.binarize: the runtime binarizes the rows into
    bit planes and runs XNOR (signed) or AND (non-negative) and popcount
    (bnrt_xgemm). `bits` `[P, N, W]` and `plane_scales` `[P, 1]` or
    `[P, N]` as for linear_bits_f32. With `input_gelu` the binarized
    value is `gelu(input)` of that form (the runtime then compares the
    input with two bounds instead of computing the GELU);
    `input_gelu_integer`: that GELU is `gelu {integer}`.
    From `linear(dequantize(binarize(x)), packed_weight)`, with x =
    `gelu(input)` when that GELU has no other use.
  }];
  let arguments = (ins F32Tensor:$input, TensorOf<[I64]>:$bits,
                       F32Tensor:$plane_scales, Optional<F32Tensor>:$bias,
                       F32Attr:$alpha, F32Attr:$beta, BoolAttr:$signed_codes,
                       OptionalAttr<Bnq_GeluApproximationAttr>:$input_gelu,
                       UnitAttr:$input_gelu_integer);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $bits `,` $plane_scales (`bias` `(` $bias^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_LinearI8Op : Bnq_Op<"linear_i8", [Pure]> {
  let summary = "GEMM of int8 codes with an int8 weight";
  let description = [{
    `result[..., n] = codes_scale * weight_scale[g(n)] *
    sum_k codes[..., k] * weight[n, k] + bias[n]`, `weight` i8 `[N, K]`,
    `weight_scale` `[1]` (per tensor) or `[N]` (per row), sums exact in
    int32. From `linear(dequantize(quantize(x)), quant_weight)`.
  }];
  let arguments = (ins Bnq_Int8Tensor:$codes, Bnq_ScaleTensor:$codes_scale,
                       Bnq_Int8Tensor:$weight, F32Tensor:$weight_scale,
                       Optional<F32Tensor>:$bias);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $codes `,` $codes_scale `,` $weight `,` $weight_scale
    (`bias` `(` $bias^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_AttentionI8Op : Bnq_Op<"attention_i8", [Pure]> {
  let summary = "attention with both products as int8 GEMMs on codes";
  let description = [{
    `attention` (same `num_heads`, `scale`, `mask_bias`) on
    `query_scale * query`, `key_scale * key`, `value_scale * value` (int8
    codes, each scale one or one per sequence), with P quantized to
    `prob_bits` bits on the static clip `prob_clip` before P V.
    From `attention` whose q, k, v are `dequantize(quantize(...))` and
    whose `prob_bits` is set; `integer` as `attention`'s.
  }];
  let arguments = (ins Bnq_Int8Tensor:$query, Bnq_ScaleTensor:$query_scale,
                       Bnq_Int8Tensor:$key, Bnq_ScaleTensor:$key_scale,
                       Bnq_Int8Tensor:$value, Bnq_ScaleTensor:$value_scale,
                       Optional<F32Tensor>:$mask_bias,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
                       F32Attr:$scale,
                       ConfinedAttr<I32Attr, [IntMinValue<2>, IntMaxValue<8>]>:$prob_bits,
                       F32Attr:$prob_clip, UnitAttr:$integer);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $query `,` $query_scale `,` $key `,` $key_scale `,` $value `,`
    $value_scale (`mask` `(` $mask_bias^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_AttentionBinaryOp : Bnq_Op<"attention_binary", [Pure]> {
  let summary = "fully binary attention: both products by popcount";
  let description = [{
    `attention` (same `num_heads`, `scale`, `mask_bias`) on
    `dequantize(binarize(x))` of query, key and value, each with its own
    `*_alpha` and `*_beta` and signed codes, with the probabilities
    binarized by `prob_alpha`, `prob_beta` (non-negative codes) before
    P V. The runtime binarizes the rows into bit planes and runs Q K^T as
    XNOR and popcount over each head's D columns and P V as AND and
    popcount over the keys (bnrt_xgemm), so the dot products are exact
    integers. From `attention` whose q, k, v are signed
    `dequantize(binarize(x))` and whose probabilities are binarized.
  }];
  let arguments = (ins F32Tensor:$query, F32Tensor:$key, F32Tensor:$value,
                       Optional<F32Tensor>:$mask_bias,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
                       F32Attr:$scale,
                       F32Attr:$query_alpha, F32Attr:$query_beta,
                       F32Attr:$key_alpha, F32Attr:$key_beta,
                       F32Attr:$value_alpha, F32Attr:$value_beta,
                       F32Attr:$prob_alpha, F32Attr:$prob_beta);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` `(` $mask_bias^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Bnq_EmbeddingBitsOp : Bnq_Op<"embedding_bits", [Pure]> {
  let summary = "row lookup in a table of packed {-1,+1} planes";
  let description = [{
    `result[i..., h] = sum_p plane_scales[p, g(id)] * sign_p(id, h)`,
    id = ids[i...], `bits` `[P, V, W]` (layout of bnq.packed_weight),
    `plane_scales` `[P, 1]` or `[P, V]`; rows are decoded at lookup.
    From `embedding` of a `packed_weight`.
  }];
  let arguments = (ins TensorOf<[I64]>:$bits, F32Tensor:$plane_scales,
                       Bnq_IdTensor:$ids);
  let results = (outs F32Tensor:$result);
  let assemblyFormat = [{
    $bits `,` $plane_scales `[` $ids `]` attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // BNQ_OPS_TD
