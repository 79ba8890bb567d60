//===- Passes.td - bnq quantization passes -----------------*- tablegen -*-===//
#ifndef BNBERT_TRANSFORMS_PASSES_TD
#define BNBERT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

// Options shared by the weight quantizers: what to quantize and how.
class Bnq_WeightQuantizerPass<string argument, string summaryText>
    : Pass<argument, "::mlir::func::FuncOp"> {
  let summary = summaryText;
  let dependentDialects = ["::bnbert::bnq::BnqDialect"];
  let options = [
    Option<"linearGranularity", "linear-granularity", "std::string",
           /*default=*/"\"tensor\"",
           "scale granularity of linear weights: tensor or row">,
    Option<"embeddingGranularity", "embedding-granularity", "std::string",
           /*default=*/"\"row\"",
           "scale granularity of the word-embedding table: tensor or row">,
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

#endif // BNBERT_TRANSFORMS_PASSES_TD
