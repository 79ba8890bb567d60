// RUN: bnbert-opt %s -split-input-file -verify-diagnostics

// Verifiers of the runtime-level ops (created by bnq-lower-to-runtime).
func.func @bad_bits(%c: tensor<2x70xi8>, %s: tensor<f32>) -> tensor<2x2xf32> {
  %bits = arith.constant dense<0> : tensor<1x2x1xi64>
  %sc = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{bits dimension 2 is 1, expected 2}}
  %y = bnq.linear_bits %c, %s, %bits, %sc {act_bits = 8 : i32} : (tensor<2x70xi8>, tensor<f32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @bad_bits_f32(%x: tensor<2x70xf32>) -> tensor<2x2xf32> {
  %bits = arith.constant dense<0> : tensor<1x2x1xi64>
  %sc = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{bits dimension 2 is 1, expected 2}}
  %y = bnq.linear_bits_f32 %x, %bits, %sc : (tensor<2x70xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @bad_bits_f32_result(%x: tensor<2x64xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %bits = arith.constant dense<0> : tensor<1x2x1xi64>
  %sc = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{bias}}
  %y = bnq.linear_bits_f32 %x, %bits, %sc bias(%b) : (tensor<2x64xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @bad_i8_scale(%c: tensor<2x3xi8>, %s: tensor<f32>, %w: tensor<4x3xi8>) -> tensor<2x4xf32> {
  %ws = arith.constant dense<1.0> : tensor<3xf32>
  // expected-error @+1 {{weight_scale must be [1] or [N]}}
  %y = bnq.linear_i8 %c, %s, %w, %ws : (tensor<2x3xi8>, tensor<f32>, tensor<4x3xi8>, tensor<3xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @bad_heads(%q: tensor<1x3x4xi8>, %s: tensor<f32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{embedding width 4 is not divisible by num_heads 3}}
  %r = bnq.attention_i8 %q, %s, %q, %s, %q, %s {num_heads = 3 : i64, scale = 0.5 : f32, prob_bits = 8 : i32, prob_clip = 1.0 : f32} : (tensor<1x3x4xi8>, tensor<f32>, tensor<1x3x4xi8>, tensor<f32>, tensor<1x3x4xi8>, tensor<f32>) -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

func.func @binarized_alpha(%x: tensor<2x64xf32>) -> tensor<2x2xf32> {
  %bits = arith.constant dense<1> : tensor<1x2x1xi64>
  %sc = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{alpha must be positive and finite, got -1}}
  %y = bnq.linear_binarized %x, %bits, %sc {alpha = -1.0 : f32, beta = 0.0 : f32, signed_codes = true} : (tensor<2x64xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @binarized_integer_without_gelu(%x: tensor<2x64xf32>) -> tensor<2x2xf32> {
  %bits = arith.constant dense<1> : tensor<1x2x1xi64>
  %sc = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{input_gelu_integer needs input_gelu}}
  %y = bnq.linear_binarized %x, %bits, %sc {alpha = 1.0 : f32, beta = 0.0 : f32, signed_codes = true, input_gelu_integer} : (tensor<2x64xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @binarized_words(%x: tensor<2x65xf32>) -> tensor<2x2xf32> {
  %bits = arith.constant dense<1> : tensor<1x2x1xi64>
  %sc = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{bits dimension 2 is 1, expected 2}}
  %y = bnq.linear_binarized %x, %bits, %sc {alpha = 1.0 : f32, beta = 0.0 : f32, signed_codes = true} : (tensor<2x65xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @attention_binary_beta(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{beta must be finite, got INF}}
  %r = bnq.attention_binary %x, %x, %x {num_heads = 2 : i64, scale = 0.5 : f32, query_alpha = 1.0 : f32, query_beta = 0.0 : f32, key_alpha = 1.0 : f32, key_beta = 0x7F800000 : f32, value_alpha = 1.0 : f32, value_beta = 0.0 : f32, prob_alpha = 0.5 : f32, prob_beta = 0.0 : f32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

func.func @attention_binary_heads(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{embedding width 4 is not divisible by num_heads 3}}
  %r = bnq.attention_binary %x, %x, %x {num_heads = 3 : i64, scale = 0.5 : f32, query_alpha = 1.0 : f32, query_beta = 0.0 : f32, key_alpha = 1.0 : f32, key_beta = 0.0 : f32, value_alpha = 1.0 : f32, value_beta = 0.0 : f32, prob_alpha = 0.5 : f32, prob_beta = 0.0 : f32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}
