//===- Passes.td - bnq quantization passes -----------------*- tablegen -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNBERT_TRANSFORMS_PASSES_TD
#define BNBERT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

// The values of a granularity option (quant::Granularity).
defvar Bnq_GranularityValues = [{::llvm::cl::values(
    clEnumValN(::bnbert::quant::Granularity::PerTensor, "tensor",
               "one scale per tensor"),
    clEnumValN(::bnbert::quant::Granularity::PerRow, "row",
               "one scale per output row"))}];

// Options shared by the weight quantizers: what to quantize and how.
class Bnq_WeightQuantizerPass<string argument, string summaryText>
    : Pass<argument, "::mlir::func::FuncOp"> {
  let summary = summaryText;
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
  let options = [
    Option<"linearGranularity", "linear-granularity",
           "::bnbert::quant::Granularity",
           /*default=*/"::bnbert::quant::Granularity::PerTensor",
           "scale granularity of linear weights: tensor or row",
           Bnq_GranularityValues>,
    Option<"embeddingGranularity", "embedding-granularity",
           "::bnbert::quant::Granularity",
           /*default=*/"::bnbert::quant::Granularity::PerRow",
           "scale granularity of the word-embedding table: tensor or row",
           Bnq_GranularityValues>,
    Option<"quantizeEmbeddings", "quantize-embeddings", "bool",
           /*default=*/"true",
           "quantize the word-embedding table (the embedding with the most "
           "rows); position and token-type tables always stay float">,
    Option<"keepOutputLinears", "keep-output-linears", "bool",
           /*default=*/"true",
           "leave linears whose result is returned directly (classifier "
           "heads) in float">,
    Option<"keepLatent", "keep-latent", "bool", /*default=*/"false",
           "record the float weight as `latent` (TWS and fine-tuning export "
           "need it)">
  ];
}

def BnqTernarize : Bnq_WeightQuantizerPass<"bnq-ternarize",
    "Ternarize float weights (TWN) into bnq.quant_weight ternary"> {
  let description = [{
    For each selected weight W (per tensor, or per row):
    Delta = 0.7 * mean(|W|); T = sign(W) where |W| > Delta, else 0;
    alpha = mean(|W_i|) over the i with |W_i| > Delta (0 if there are none).
    Computed in double. Idempotent on ternary-valued weights.
  }];
}

def BnqBinarize : Bnq_WeightQuantizerPass<"bnq-binarize",
    "Binarize float weights (BWN) into bnq.quant_weight binary"> {
  let description = [{
    For each selected weight W (per tensor, or per row):
    B = +1 where W >= 0, else -1; alpha = mean(|W|). Computed in double.
    Idempotent on binary-valued weights.
  }];
}

def BnqQuantizeInt8 : Bnq_WeightQuantizerPass<"bnq-quantize-int8",
    "Quantize float weights to symmetric int8 (bnq.quant_weight int8)"> {
  let description = [{
    For each selected weight W (per tensor, or per row): scale = max|W| / 127
    (as f32), q = clamp(round_half_even(W / scale), -127, 127). The int8
    baseline next to the binary and ternary formats; idempotent on weights
    already int8-valued with a max of 127 codes.
  }];
}

def BnqSplitTernary : Pass<"bnq-split-ternary", "::mlir::func::FuncOp"> {
  let summary = "Ternary weight splitting (TWS): ternary quant_weight to two "
                "binary planes";
  let description = [{
    Replaces each `bnq.quant_weight ternary` (which must carry its `latent`
    weight W and be its TWN ternarization) by a two-plane
    `bnq.bitplane_weight`: the BWN binarizations of latent halves W1 + W2 = W
    (formulas in docs/dialect.md), each with scale alpha / 2, so the split
    weight equals the ternary one to float rounding. The halves are kept as
    `latent` for fine-tuning. Non-ternary quantized weights are an error.
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
}

def BnqPackBits : Pass<"bnq-pack-bits", "::mlir::func::FuncOp"> {
  let summary = "Pack binary, ternary and bit-plane weights into the runtime "
                "layout (bnq.packed_weight)";
  let description = [{
    `quant_weight binary` becomes one plane; `quant_weight ternary` two
    planes b1 = (t >= 0 ? 1 : -1), b2 = (t > 0 ? 1 : -1) with scales alpha/2
    (exact: (alpha/2)(b1 + b2) = alpha t); `bitplane_weight` keeps its
    planes. Bits follow runtime/include/bnrt/bitpack.h. int8 weights stay.
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
}

def BnqLowerToRuntime : Pass<"bnq-lower-to-runtime", "::mlir::func::FuncOp"> {
  let summary = "Quantized bnq to the runtime's integer and bit-plane ops "
                "(linear_bits, linear_bits_f32, linear_i8, attention_i8, "
                "embedding_bits)";
  let description = [{
    Decides which parts of a quantized graph run as integer kernels:
    - `linear(dequantize(quantize(x)), packed_weight)` -> `linear_bits` on
      the codes, with the packed signs and plane scales as constants;
    - `linear(x, packed_weight)` with a float `x` (a weight-only model) ->
      `linear_bits_f32`: the signs stay packed;
    - `linear(dequantize(quantize(x)), quant_weight)` -> `linear_i8` on the
      codes, with the int8 values and scales as constants;
    - `attention` with `prob_bits` whose q, k, v are each
      `dequantize(quantize(...))` of at most 8 bits -> `attention_i8`;
    - `embedding` of a `packed_weight` -> `embedding_bits`;
    - `quantize(gelu(x))` -> `quantize` of x with `input_gelu` (a static
      clip: codes by bounds on x; a dynamic one: the GELU never stored;
      not for the integer GELU with a dynamic clip);
    - `layer_norm(add(a, b))`, an add of equal shapes used only there ->
      `layer_norm(a) residual(b)` (the sum is never stored).
    A `dequantize` left without users disappears; everything else stays as
    it is (the float ops map 1:1 to runtime ops). The bundle writer and the
    object emitter read the result (docs/bundle.md).
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect",
                           "::mlir::arith::ArithDialect"];
}

def BnqQuantizeActivations
    : Pass<"bnq-quantize-activations", "::mlir::func::FuncOp"> {
  let summary = "Quantize the inputs of quantized linears and the attention "
                "operands (QDQ form)";
  let description = [{
    Inserts `bnq.quantize` / `bnq.dequantize` (symmetric, dynamic max|x|
    scale) on the input of every `bnq.linear` whose weight is quantized,
    and on the query, key and value of every `bnq.attention`, whose softmax
    probabilities get `prob_bits`. The dynamic scales are per sequence
    (`per-sequence=true`, the default: one scale per index of the leading
    axis, over the real tokens where the function's attention mask says
    so), so a sequence's result never depends on what it is batched with;
    `per-sequence=false` takes one scale over the whole tensor. A value
    produced by a symmetric `bnq.clamp` gets that static clip instead; a
    value already produced by `bnq.dequantize` (a static clip imported from
    the model) is left as it is. One QDQ pair serves all uses of a value.
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
  let options = [
    Option<"bits", "bits", "int", /*default=*/"8",
           "activation bits, 2 to 8">,
    Option<"quantizeAttention", "attention", "bool", /*default=*/"true",
           "also quantize attention operands and probabilities">,
    Option<"perSequence", "per-sequence", "bool", /*default=*/"true",
           "dynamic scales per sequence over its real tokens (else one per "
           "tensor)">
  ];
}

def BnqReport : Pass<"bnq-report", "::mlir::func::FuncOp"> {
  let summary = "Print each weight's format, shape and size before/after, "
                "and the compression ratio (to stderr)";
  let description = [{
    One row per weight-like value (f32 constants of rank >= 1 and quantized
    weight producers): its name (the op's location), format, shape, bytes
    as fp32 and bytes as deployed (packed planes + scales, int8 codes +
    scales, or fp32), then the totals and their ratio. The IR is unchanged.
  }];
}

def BnqFuseAttention : Pass<"bnq-fuse-attention", "::mlir::func::FuncOp"> {
  let summary = "Fuse the multi-head attention chain into bnq.attention";
  let description = [{
    Matches reshape/transpose of Q, K, V into heads, batch_matmul(Q, K^T),
    division (or multiplication) by a constant, an optional additive
    [B, 1, 1, S] mask, softmax over keys, batch_matmul with V and the merge
    of heads, and replaces it by one bnq.attention. Chains that differ stay
    as they are (still correct, just not fused).
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
}

def BnqIntegerNonlinear
    : Pass<"bnq-integer-nonlinear", "::mlir::func::FuncOp"> {
  let summary = "Compute GELU, softmax and layer norm in I-BERT's integer "
                "forms";
  let description = [{
    Sets `integer` on every `bnq.gelu`, `bnq.softmax`, `bnq.layer_norm` and
    `bnq.attention` (its softmax): the model was trained with these forms
    (python -m bnbert.train --integer-nonlinear), which
    runtime/include/bnrt/integer_nonlinear.h defines. Attention with
    binarized probabilities has no integer softmax and is an error, as is
    a layer norm over more than 8192 values.
  }];
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
}

#endif // BNBERT_TRANSFORMS_PASSES_TD
