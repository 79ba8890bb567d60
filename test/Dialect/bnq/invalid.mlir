// One case per verifier rule of every bnq op.
// RUN: bnbert-opt %s -split-input-file -verify-diagnostics

func.func @embedding_table_rank(%t: tensor<100xf32>, %ids: tensor<2xi64>) {
  // expected-error @+1 {{table must have rank 2 ([V, H]), got rank 1}}
  %e = bnq.embedding %t[%ids] : (tensor<100xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  return
}

// -----

func.func @embedding_result_rank(%t: tensor<100x8xf32>, %ids: tensor<2x5xi64>) {
  // expected-error @+1 {{result must have rank 3, got rank 2}}
  %e = bnq.embedding %t[%ids] : (tensor<100x8xf32>, tensor<2x5xi64>) -> tensor<10x8xf32>
  return
}

// -----

func.func @embedding_width(%t: tensor<100x8xf32>, %ids: tensor<2xi64>) {
  // expected-error @+1 {{result dimension 1 is 4, expected 8}}
  %e = bnq.embedding %t[%ids] : (tensor<100x8xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @embedding_id_type(%t: tensor<100x8xf32>, %ids: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %e = bnq.embedding %t[%ids] : (tensor<100x8xf32>, tensor<2xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{epsilon must be positive and finite}}
  %y = bnq.layer_norm %x, %g, %g {epsilon = 0.0 : f32} : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @layer_norm_scalar(%x: tensor<f32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %y = bnq.layer_norm %x, %g, %g {epsilon = 1.0e-5 : f32} : tensor<f32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @layer_norm_gamma(%x: tensor<2x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{gamma dimension 0 is 4, expected 8}}
  %y = bnq.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : tensor<2x8xf32>, tensor<4xf32>, tensor<8xf32>
  return
}

// -----

func.func @layer_norm_residual(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %r: tensor<1x8xf32>) {
  // expected-error @+1 {{residual dimension 0 is 1, expected 2}}
  %y = bnq.layer_norm %x, %g, %g residual(%r : tensor<1x8xf32>) {epsilon = 1.0e-5 : f32} : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @layer_norm_beta(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8x1xf32>) {
  // expected-error @+1 {{beta must have rank 1, got rank 2}}
  %y = bnq.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : tensor<2x8xf32>, tensor<8xf32>, tensor<8x1xf32>
  return
}

// -----

func.func @layer_norm_result_type(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'bnq.layer_norm' op failed to verify that all of {input, result} have same type}}
  %y = "bnq.layer_norm"(%x, %g, %g) {epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_scalar_input(%x: tensor<f32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %y = bnq.linear %x, %w : (tensor<f32>, tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x8xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{weight must have rank 2 ([N, K]), got rank 1}}
  %y = bnq.linear %x, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @linear_k(%x: tensor<2x8xf32>, %w: tensor<4x6xf32>) {
  // expected-error @+1 {{input features (8) do not match weight K (6)}}
  %y = bnq.linear %x, %w : (tensor<2x8xf32>, tensor<4x6xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias dimension 0 is 8, expected 4}}
  %y = bnq.linear %x, %w, %b : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_result(%x: tensor<3x2x8xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{result dimension 0 is 2, expected 3}}
  %y = bnq.linear %x, %w : (tensor<3x2x8xf32>, tensor<4x8xf32>) -> tensor<2x2x4xf32>
  return
}

// -----

func.func @batch_matmul_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{operands must have equal rank >= 2, got 3 and 2}}
  %y = bnq.batch_matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @batch_matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{batch dimension 0 differs: 2 vs 3}}
  %y = bnq.batch_matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @batch_matmul_contraction(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) {
  // With transpose_rhs the rhs is [.., N, K], so K is 5 here.
  // expected-error @+1 {{contraction dimensions differ: 4 vs 5}}
  %y = bnq.batch_matmul %a, %b {transpose_rhs} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @batch_matmul_result(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) {
  // expected-error @+1 {{result dimension 2 is 4, expected 5}}
  %y = bnq.batch_matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %y = bnq.softmax %x {axis = -3 : i64} : tensor<2x8xf32>
  return
}

// -----

func.func @add_broadcast(%a: tensor<2x8xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operands are not broadcast-compatible}}
  %y = bnq.add %a, %b : (tensor<2x8xf32>, tensor<3xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @mul_result(%a: tensor<2x1xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{result dimension 1 is 1, expected 8}}
  %y = bnq.mul %a, %b : (tensor<2x1xf32>, tensor<1x8xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{cannot reshape 16 elements into 15}}
  %y = bnq.reshape %x : tensor<2x8xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @transpose_size(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{permutation has 3 entries for rank 2}}
  %y = bnq.transpose %x, [0, 1, 2] : tensor<2x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{permutation is not a permutation of 0..1}}
  %y = bnq.transpose %x, [1, 1] : tensor<2x8xf32> -> tensor<8x8xf32>
  return
}

// -----

func.func @transpose_result(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{result dimension 0 is 2, expected 8}}
  %y = bnq.transpose %x, [1, 0] : tensor<2x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @attention_scale(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{scale must be positive and finite}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = -1.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_heads(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{attribute 'num_heads' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %y = bnq.attention %x, %x, %x {num_heads = 0 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_prob_bits(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{prob_bits must be in [2, 8], got 16}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32, prob_bits = 16 : i32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_clip_without_bits(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{prob_clip without prob_bits must be >= 1 (it would change P), got 5.000000e-01}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32, prob_clip = 0.5 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_clip_value(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{prob_clip must be positive and finite}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32, prob_bits = 8 : i32, prob_clip = 0.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_prob_alpha_alone(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{prob_alpha and prob_beta come together (binarized probabilities)}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32, prob_alpha = 0.5 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_binarized_and_quantized(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{probabilities are binarized (prob_alpha) or quantized (prob_bits), not both}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32, prob_bits = 8 : i32, prob_alpha = 0.5 : f32, prob_beta = 0.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_prob_alpha_value(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{alpha must be positive and finite, got 0}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32, prob_alpha = 0.0 : f32, prob_beta = 0.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_rank(%x: tensor<1x4x8xf32>, %k: tensor<4x8xf32>) {
  // expected-error @+1 {{key must have rank 3 ([B, S, E]), got rank 2}}
  %y = bnq.attention %x, %k, %x {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_value_shape(%q: tensor<1x4x8xf32>, %k: tensor<1x6x8xf32>, %v: tensor<1x5x8xf32>) {
  // expected-error @+1 {{value dimension 1 is 5, expected 6}}
  %y = bnq.attention %q, %k, %v {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<1x6x8xf32>, tensor<1x5x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_divisible(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{embedding width 8 is not divisible by num_heads 3}}
  %y = bnq.attention %x, %x, %x {num_heads = 3 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_mask(%x: tensor<1x4x8xf32>, %m: tensor<1x5xf32>) {
  // expected-error @+1 {{mask_bias dimension 1 is 5, expected 4}}
  %y = bnq.attention %x, %x, %x mask(%m) {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x5xf32>) -> tensor<1x4x8xf32>
  return
}

// -----

func.func @attention_result(%x: tensor<1x4x8xf32>) {
  // expected-error @+1 {{result dimension 2 is 4, expected 8}}
  %y = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @quant_weight_dynamic() {
  // expected-error @+1 {{result must be a static rank-2 [N, K] tensor}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi8>) scale(dense<1.0> : tensor<1xf32>) : tensor<?x3xf32>
  return
}

// -----

func.func @quant_weight_values_type() {
  // expected-error @+1 {{values must have element type 'i8', got 'i32'}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi32>) scale(dense<1.0> : tensor<1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_values_shape() {
  // expected-error @+1 {{values must have shape [2, 3], got 'tensor<3x2xi8>'}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<3x2xi8>) scale(dense<1.0> : tensor<1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_scale_shape() {
  // expected-error @+1 {{scale must have shape [1] (per tensor) or [2] (per row), got 'tensor<3xf32>'}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi8>) scale(dense<1.0> : tensor<3xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_scale_type() {
  // expected-error @+1 {{scale must have element type f32}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi8>) scale(dense<1.0> : tensor<1xf16>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_scale_negative() {
  // expected-error @+1 {{scale must be finite and >= 0, element 1 is -2}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi8>) scale(dense<[1.0, -2.0]> : tensor<2xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_scale_nan() {
  // expected-error @+1 {{scale must be finite and >= 0, element 0 is nan}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi8>) scale(dense<0x7FC00000> : tensor<1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_latent() {
  // expected-error @+1 {{latent must have shape [2, 3], got 'tensor<6xf32>'}}
  %w = bnq.quant_weight binary values(dense<1> : tensor<2x3xi8>) scale(dense<1.0> : tensor<1xf32>) latent(dense<0.5> : tensor<6xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_not_binary() {
  // expected-error @+1 {{values element 1 is 0, outside the binary set {-1, +1}}}
  %w = bnq.quant_weight binary values(dense<[[1, 0, -1], [1, 1, 1]]> : tensor<2x3xi8>) scale(dense<1.0> : tensor<1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_not_ternary() {
  // expected-error @+1 {{values element 5 is 2, outside the ternary set {-1, 0, +1}}}
  %w = bnq.quant_weight ternary values(dense<[[1, 0, -1], [1, 1, 2]]> : tensor<2x3xi8>) scale(dense<1.0> : tensor<1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @quant_weight_int8_range() {
  // expected-error @+1 {{values element 0 is -128, outside the symmetric int8 range [-127, 127]}}
  %w = bnq.quant_weight int8 values(dense<[[-128, 0, -1], [1, 1, 2]]> : tensor<2x3xi8>) scale(dense<1.0> : tensor<1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @bitplane_plane_count() {
  // expected-error @+1 {{planes must have shape [P, N, ...] with 1 <= P <= 8, got 'tensor<9x2x3xi8>'}}
  %w = bnq.bitplane_weight planes(dense<1> : tensor<9x2x3xi8>) scales(dense<1.0> : tensor<9x1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @bitplane_shape() {
  // expected-error @+1 {{planes must have shape [2, 2, 3], got 'tensor<2x2x4xi8>'}}
  %w = bnq.bitplane_weight planes(dense<1> : tensor<2x2x4xi8>) scales(dense<1.0> : tensor<2x1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @bitplane_scales() {
  // expected-error @+1 {{scales must have shape [2, 1] (per tensor) or [2, 2] (per row), got 'tensor<1x2xf32>'}}
  %w = bnq.bitplane_weight planes(dense<1> : tensor<2x2x3xi8>) scales(dense<1.0> : tensor<1x2xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @bitplane_values() {
  // expected-error @+1 {{planes element 4 is 0, outside the binary set {-1, +1}}}
  %w = bnq.bitplane_weight planes(dense<[[[1, 1, -1], [1, 0, 1]]]> : tensor<1x2x3xi8>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @bitplane_latent() {
  // expected-error @+1 {{latent must have shape [1, 2, 3], got 'tensor<2x3xf32>'}}
  %w = bnq.bitplane_weight planes(dense<1> : tensor<1x2x3xi8>) scales(dense<1.0> : tensor<1x1xf32>) latent(dense<0.5> : tensor<2x3xf32>) : tensor<2x3xf32>
  return
}

// -----

func.func @packed_words() {
  // 70 columns need 2 words per row.
  // expected-error @+1 {{bits must have shape [1, 2, 2], got 'tensor<1x2x1xi64>'}}
  %w = bnq.packed_weight bits(dense<0> : tensor<1x2x1xi64>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x70xf32>
  return
}

// -----

func.func @packed_type() {
  // expected-error @+1 {{bits must have element type 'i64', got 'i32'}}
  %w = bnq.packed_weight bits(dense<0> : tensor<1x2x2xi32>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x70xf32>
  return
}

// -----

func.func @packed_padding() {
  // Bit 6 of a row's second word would be column 70, past K.
  // expected-error @+1 {{bits has nonzero padding past K = 70 in packed row 1}}
  %w = bnq.packed_weight bits(dense<[[[0, 0], [0, 64]]]> : tensor<1x2x2xi64>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x70xf32>
  return
}

// -----

func.func @quantize_bits(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'bits' failed to satisfy constraint}}
  %q, %s = bnq.quantize %x {bits = 16 : i32} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @quantize_clip(%x: tensor<4xf32>) {
  // expected-error @+1 {{clip must be positive and finite}}
  %q, %s = bnq.quantize %x {bits = 8 : i32, clip = -1.0 : f32} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @quantize_gelu_integer_alone(%x: tensor<4xf32>) {
  // expected-error @+1 {{input_gelu_integer needs input_gelu}}
  %q, %s = bnq.quantize %x {bits = 2 : i32, clip = 1.0 : f32, input_gelu_integer} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @layer_norm_integer_too_wide(%x: tensor<1x8193xf32>, %g: tensor<8193xf32>) {
  // expected-error @+1 {{integer layer norm takes rows of at most 8192 values, got 8193}}
  %n = bnq.layer_norm %x, %g, %g {epsilon = 1.0e-5 : f32, integer} : tensor<1x8193xf32>, tensor<8193xf32>, tensor<8193xf32>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{result dimension 0 is 5, expected 4}}
  %q, %s = bnq.quantize %x {bits = 8 : i32} : tensor<4xf32> -> tensor<5xi8>
  return
}

// -----

func.func @quantize_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be tensor of 8-bit signless integer values}}
  %q, %s = bnq.quantize %x {bits = 8 : i32} : tensor<4xf32> -> tensor<4xi32>
  return
}

// -----

func.func @dequantize_shape(%q: tensor<4xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{result dimension 0 is 2, expected 4}}
  %d = bnq.dequantize %q, %s : tensor<4xi8> -> tensor<2xf32>
  return
}

// -----

func.func @dequantize_scale(%q: tensor<4xi8>, %s: tensor<1xf32>) {
  // expected-error @+1 {{scale must be tensor<f32> or, per sequence, tensor<Bxf32> of a [B, S, ...] input}}
  %d = "bnq.dequantize"(%q, %s) : (tensor<4xi8>, tensor<1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @sequence_scale_count(%x: tensor<2x4x8xf32>) {
  // expected-error @+1 {{per-sequence scale has 3 elements for 2 sequences}}
  %q, %s = bnq.quantize %x {bits = 8 : i32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>, tensor<3xf32>
  return
}

// -----

func.func @sequence_scale_static_clip(%x: tensor<2x4x8xf32>) {
  // expected-error @+1 {{a static clip has one scale: no per-sequence scale or mask}}
  %q, %s = bnq.quantize %x {bits = 8 : i32, clip = 1.0 : f32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>, tensor<2xf32>
  return
}

// -----

func.func @mask_needs_sequence_scales(%x: tensor<2x4x8xf32>, %m: tensor<2x4xf32>) {
  // expected-error @+1 {{mask needs per-sequence scales}}
  %q, %s = bnq.quantize %x mask(%m : tensor<2x4xf32>) {bits = 8 : i32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>
  return
}

// -----

func.func @mask_shape(%x: tensor<2x4x8xf32>, %m: tensor<2x5xf32>) {
  // expected-error @+1 {{mask dimension 1 is 5, expected 4}}
  %q, %s = bnq.quantize %x mask(%m : tensor<2x5xf32>) {bits = 8 : i32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>, tensor<2xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x8xi64>) {
  // expected-error @+1 {{result element type must match the input's}}
  %y = bnq.reshape %x : tensor<2x8xi64> -> tensor<16xf32>
  return
}

// -----

func.func @slice_rank(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{input, result and offsets must have the same rank}}
  %y = bnq.slice %x[0] : tensor<2x8xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{slice of dimension 1 (offset 7, size 2) exceeds its extent 8}}
  %y = bnq.slice %x[0, 7] : tensor<2x8xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<2x8xi64>) {
  // expected-error @+1 {{result dimension 1 is 4, expected 8}}
  %y = bnq.cast %x : tensor<2x8xi64> -> tensor<2x4xf32>
  return
}

// -----

func.func @clamp_bounds(%x: tensor<4xf32>) {
  // expected-error @+1 {{needs min <= max, got [2.000000e+00, -2.000000e+00]}}
  %y = bnq.clamp %x {min = 2.0 : f32, max = -2.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @reduce_sum_shape(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{result dimension 0 is 5, expected 2}}
  %y = bnq.reduce_sum %x : tensor<2x5xf32> -> tensor<5xf32>
  return
}

// -----

func.func @reduce_sum_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{input must have rank >= 1}}
  %y = bnq.reduce_sum %x : tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @length_mask_rank(%x: tensor<2x5xi32>) {
  // expected-error @+1 {{lengths must be 1-D [B]}}
  %y = bnq.length_mask %x {filter_value = -1.0 : f32} : tensor<2x5xi32> -> tensor<2x5xf32>
  return
}

// -----

func.func @length_mask_result(%x: tensor<2xi32>) {
  // expected-error @+1 {{result must be 2-D [B, S]}}
  %y = bnq.length_mask %x {filter_value = -1.0 : f32} : tensor<2xi32> -> tensor<2xf32>
  return
}

// -----

func.func @length_mask_batch(%x: tensor<2xi32>) {
  // expected-error @+1 {{result dimension 0 is 3, expected 2}}
  %y = bnq.length_mask %x {filter_value = -1.0 : f32} : tensor<2xi32> -> tensor<3x5xf32>
  return
}

// -----

func.func @length_mask_filter(%x: tensor<2xi32>) {
  // expected-error @+1 {{filter_value must be finite}}
  %y = bnq.length_mask %x {filter_value = 0x7F800000 : f32} : tensor<2xi32> -> tensor<2x5xf32>
  return
}

// -----

func.func @reduce_mean_axis(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = bnq.reduce_mean %x[2] : tensor<2x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @reduce_mean_repeated(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{axis 1 is repeated}}
  %y = bnq.reduce_mean %x[1, 1] : tensor<2x5xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_mean_shape(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{result dimension 1 is 5, expected 1}}
  %y = bnq.reduce_mean %x[1] : tensor<2x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @pow_broadcast(%a: tensor<2x8xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operands are not broadcast-compatible}}
  %y = bnq.pow %a, %b : (tensor<2x8xf32>, tensor<3xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @position_ids_rank(%x: tensor<2x5x1xi64>) {
  // expected-error @+1 {{ids must be 2-D [B, S]}}
  %y = bnq.position_ids %x {padding_idx = 1 : i64} : tensor<2x5x1xi64> -> tensor<2x5x1xi64>
  return
}

// -----

func.func @position_ids_padding(%x: tensor<2x5xi64>) {
  // expected-error @+1 {{padding_idx must be >= 0, got -1}}
  %y = bnq.position_ids %x {padding_idx = -1 : i64} : tensor<2x5xi64> -> tensor<2x5xi64>
  return
}

// -----

func.func @position_ids_shape(%x: tensor<2x5xi32>) {
  // expected-error @+1 {{all of {ids, result} have same shape}}
  %y = bnq.position_ids %x {padding_idx = 1 : i64} : tensor<2x5xi32> -> tensor<2x4xi64>
  return
}

// -----

func.func @binarize_alpha(%x: tensor<4xf32>) {
  // expected-error @+1 {{alpha must be positive and finite, got 0}}
  %b, %s = bnq.binarize %x {alpha = 0.0 : f32, beta = 0.0 : f32, signed_codes = true} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @binarize_beta(%x: tensor<4xf32>) {
  // expected-error @+1 {{beta must be finite, got INF}}
  %b, %s = bnq.binarize %x {alpha = 1.0 : f32, beta = 0x7F800000 : f32, signed_codes = true} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @binarize_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{result dimension 0 is 3, expected 4}}
  %b, %s = bnq.binarize %x {alpha = 1.0 : f32, beta = 0.0 : f32, signed_codes = false} : tensor<4xf32> -> tensor<3xi8>
  return
}
