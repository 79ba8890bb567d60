// RUN: bnbert-opt %s -split-input-file -bnq-lower-to-runtime | FileCheck %s

// A linear on dequantized codes and packed planes reads the codes: the
// planes' bits and scales become constants, the dequantize goes.
// CHECK-LABEL: func.func @linear_bits
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x70xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-DAG: %[[BITS:.*]] = arith.constant dense<{{\[\[\[}}9, 32], [0, 1]]]> : tensor<1x2x2xi64>
// CHECK-DAG: %[[SC:.*]] = arith.constant dense<{{\[\[}}2.500000e-01, 5.000000e-01]]> : tensor<1x2xf32>
// CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %[[X]] {bits = 4 : i32}
// CHECK-NOT: bnq.dequantize
// CHECK: %[[R:.*]] = bnq.linear_bits %[[Q]], %[[S]], %[[BITS]], %[[SC]] bias(%[[B]]) {act_bits = 4 : i32} : (tensor<2x3x70xi8>, tensor<2xf32>, tensor<1x2x2xi64>, tensor<1x2xf32>, tensor<2xf32>) -> tensor<2x3x2xf32>
// CHECK-NOT: bnq.packed_weight
// CHECK: return %[[R]]
func.func @linear_bits(%x: tensor<2x3x70xf32>, %b: tensor<2xf32>) -> tensor<2x3x2xf32> {
  %w = bnq.packed_weight bits(dense<[[[9, 32], [0, 1]]]> : tensor<1x2x2xi64>) scales(dense<[[0.25, 0.5]]> : tensor<1x2xf32>) : tensor<2x70xf32>
  %q, %s = bnq.quantize %x {bits = 4 : i32} : tensor<2x3x70xf32> -> tensor<2x3x70xi8>, tensor<2xf32>
  %d = bnq.dequantize %q, %s : tensor<2x3x70xi8> -> tensor<2x3x70xf32>, tensor<2xf32>
  %y = bnq.linear %d, %w, %b : (tensor<2x3x70xf32>, tensor<2x70xf32>, tensor<2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// An int8 weight: linear_i8 on the codes with the weight's values and
// scale; a dequantize with another user stays for it.
// CHECK-LABEL: func.func @linear_i8
// CHECK-DAG: %[[V:.*]] = arith.constant dense<{{\[\[}}1, -2], [3, 127]]> : tensor<2x2xi8>
// CHECK-DAG: %[[SC:.*]] = arith.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
// CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize
// CHECK: %[[D:.*]] = bnq.dequantize %[[Q]], %[[S]]
// CHECK: %[[R:.*]] = bnq.linear_i8 %[[Q]], %[[S]], %[[V]], %[[SC]] : (tensor<4x2xi8>, tensor<f32>, tensor<2x2xi8>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK: bnq.add %[[R]], %[[D]]
func.func @linear_i8(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = bnq.quant_weight int8 values(dense<[[1, -2], [3, 127]]> : tensor<2x2xi8>) scale(dense<[0.1, 0.2]> : tensor<2xf32>) : tensor<2x2xf32>
  %q, %s = bnq.quantize %x {bits = 8 : i32, clip = 2.0 : f32} : tensor<4x2xf32> -> tensor<4x2xi8>
  %d = bnq.dequantize %q, %s : tensor<4x2xi8> -> tensor<4x2xf32>
  %y = bnq.linear %d, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %z = bnq.add %y, %d : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %z : tensor<4x2xf32>
}

// -----

// Float inputs with packed planes (a weight-only model) keep the signs
// packed: linear_bits_f32 on the float input. Float weights stay a float
// linear.
// CHECK-LABEL: func.func @weight_only_and_float
// CHECK-SAME: (%[[X:.*]]: tensor<4x2xf32>, %[[W:.*]]: tensor<2x2xf32>)
// CHECK-DAG: %[[BITS:.*]] = arith.constant dense<{{\[\[}}[1], [2]]]> : tensor<1x2x1xi64>
// CHECK-DAG: %[[SC:.*]] = arith.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK: %[[A:.*]] = bnq.linear_bits_f32 %[[X]], %[[BITS]], %[[SC]] : (tensor<4x2xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<4x2xf32>
// CHECK-NOT: bnq.linear_i8
// CHECK: bnq.linear %{{.*}}, %[[W]] :
// CHECK-NOT: bnq.packed_weight
func.func @weight_only_and_float(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %p = bnq.packed_weight bits(dense<[[[1], [2]]]> : tensor<1x2x1xi64>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x2xf32>
  %a = bnq.linear %x, %p : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %q, %s = bnq.quantize %x {bits = 8 : i32} : tensor<4x2xf32> -> tensor<4x2xi8>
  %d = bnq.dequantize %q, %s : tensor<4x2xi8> -> tensor<4x2xf32>
  %b = bnq.linear %d, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %a, %b : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// Attention on codes with quantized probabilities: attention_i8, prob_clip
// made explicit (1.0 when the attention has none).
// CHECK-LABEL: func.func @attention_i8
// CHECK: %[[QQ:.*]], %[[QS:.*]] = bnq.quantize %arg0
// CHECK: %[[KQ:.*]], %[[KS:.*]] = bnq.quantize %arg1
// CHECK: %[[VQ:.*]], %[[VS:.*]] = bnq.quantize %arg2
// CHECK-NOT: bnq.dequantize
// CHECK: bnq.attention_i8 %[[QQ]], %[[QS]], %[[KQ]], %[[KS]], %[[VQ]], %[[VS]] mask(%arg3) {num_heads = 2 : i64, prob_bits = 8 : i32, prob_clip = 1.000000e+00 : f32, scale = 5.000000e-01 : f32}
func.func @attention_i8(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>, %m: tensor<1x3xf32>) -> tensor<1x3x4xf32> {
  %qq, %qs = bnq.quantize %q {bits = 8 : i32} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>, tensor<1xf32>
  %qd = bnq.dequantize %qq, %qs : tensor<1x3x4xi8> -> tensor<1x3x4xf32>, tensor<1xf32>
  %kq, %ks = bnq.quantize %k {bits = 8 : i32} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>, tensor<1xf32>
  %kd = bnq.dequantize %kq, %ks : tensor<1x3x4xi8> -> tensor<1x3x4xf32>, tensor<1xf32>
  %vq, %vs = bnq.quantize %v {bits = 8 : i32} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>, tensor<1xf32>
  %vd = bnq.dequantize %vq, %vs : tensor<1x3x4xi8> -> tensor<1x3x4xf32>, tensor<1xf32>
  %r = bnq.attention %qd, %kd, %vd mask(%m) {num_heads = 2 : i64, scale = 0.5 : f32, prob_bits = 8 : i32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3xf32>) -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Float probabilities, or one float operand, keep the float attention.
// CHECK-LABEL: func.func @attention_float
// CHECK-NOT: bnq.attention_i8
// CHECK: bnq.attention
// CHECK: bnq.attention
func.func @attention_float(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x3x4xf32>) {
  %qq, %qs = bnq.quantize %q {bits = 8 : i32} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>, tensor<1xf32>
  %qd = bnq.dequantize %qq, %qs : tensor<1x3x4xi8> -> tensor<1x3x4xf32>, tensor<1xf32>
  %a = bnq.attention %qd, %qd, %qd {num_heads = 2 : i64, scale = 0.5 : f32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  %b = bnq.attention %qd, %k, %qd {num_heads = 2 : i64, scale = 0.5 : f32, prob_bits = 8 : i32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  return %a, %b : tensor<1x3x4xf32>, tensor<1x3x4xf32>
}

// -----

// A packed embedding table is decoded at lookup.
// CHECK-LABEL: func.func @embedding_bits
// CHECK-DAG: %[[BITS:.*]] = arith.constant dense<{{\[\[\[}}1], [2], [0]]]> : tensor<1x3x1xi64>
// CHECK-DAG: %[[SC:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00]]> : tensor<1x3xf32>
// CHECK: bnq.embedding_bits %[[BITS]], %[[SC]][%arg0] : (tensor<1x3x1xi64>, tensor<1x3xf32>, tensor<2x5xi64>) -> tensor<2x5x2xf32>
func.func @embedding_bits(%ids: tensor<2x5xi64>) -> tensor<2x5x2xf32> {
  %t = bnq.packed_weight bits(dense<[[[1], [2], [0]]]> : tensor<1x3x1xi64>) scales(dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>) : tensor<3x2xf32>
  %e = bnq.embedding %t[%ids] : (tensor<3x2xf32>, tensor<2x5xi64>) -> tensor<2x5x2xf32>
  return %e : tensor<2x5x2xf32>
}

// -----

// A linear on binarized activations and packed planes: linear_binarized
// on the float input, carrying the binarizer; the codes are never written.
// CHECK-LABEL: func.func @linear_binarized
// CHECK-SAME: (%[[X:.*]]: tensor<4x2xf32>)
// CHECK-DAG: %[[BITS:.*]] = arith.constant dense<{{\[\[}}[1], [2]]]> : tensor<1x2x1xi64>
// CHECK-DAG: %[[SC:.*]] = arith.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK: %[[Y:.*]] = bnq.linear_binarized %[[X]], %[[BITS]], %[[SC]] {alpha = 5.000000e-01 : f32, beta = 1.000000e-01 : f32, signed_codes = true} : (tensor<4x2xf32>, tensor<1x2x1xi64>, tensor<1x1xf32>) -> tensor<4x2xf32>
// CHECK-NOT: bnq.binarize
// CHECK: return %[[Y]]
func.func @linear_binarized(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %p = bnq.packed_weight bits(dense<[[[1], [2]]]> : tensor<1x2x1xi64>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x2xf32>
  %b, %s = bnq.binarize %x {alpha = 0.5 : f32, beta = 0.1 : f32, signed_codes = true} : tensor<4x2xf32> -> tensor<4x2xi8>
  %d = bnq.dequantize %b, %s : tensor<4x2xi8> -> tensor<4x2xf32>
  %y = bnq.linear %d, %p : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Binarized activations into a float weight: no fully binary kernel; the
// binarize and dequantize stay (Binarize, Dequantize at run time).
// CHECK-LABEL: func.func @binarized_float_linear
// CHECK: %[[B:.*]], %[[S:.*]] = bnq.binarize
// CHECK: %[[D:.*]] = bnq.dequantize %[[B]], %[[S]]
// CHECK: bnq.linear %[[D]], %arg1
func.func @binarized_float_linear(%x: tensor<4x2xf32>, %w: tensor<2x2xf32>) -> tensor<4x2xf32> {
  %b, %s = bnq.binarize %x {alpha = 0.5 : f32, beta = 0.0 : f32, signed_codes = false} : tensor<4x2xf32> -> tensor<4x2xi8>
  %d = bnq.dequantize %b, %s : tensor<4x2xi8> -> tensor<4x2xf32>
  %y = bnq.linear %d, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A GELU only the binarization reads is folded into linear_binarized (the
// runtime binarizes GELU(x) by two bounds on x); one read elsewhere too
// stays a GELU.
// CHECK-LABEL: func.func @gelu_folded
// CHECK-SAME: (%[[X:.*]]: tensor<4x2xf32>)
// CHECK: %[[Y:.*]] = bnq.linear_binarized %[[X]], %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, beta = 1.000000e-01 : f32, input_gelu = #bnq<gelu_approximation tanh>, signed_codes = true}
// CHECK: %[[G:.*]] = bnq.gelu erf %[[X]]
// CHECK: %[[Z:.*]] = bnq.linear_binarized %[[G]], %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, beta = 1.000000e-01 : f32, signed_codes = true}
// CHECK: bnq.add %[[Z]], %[[G]]
func.func @gelu_folded(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %p = bnq.packed_weight bits(dense<[[[1], [2]]]> : tensor<1x2x1xi64>) scales(dense<1.0> : tensor<1x1xf32>) : tensor<2x2xf32>
  %g = bnq.gelu tanh %x : tensor<4x2xf32>
  %b, %s = bnq.binarize %g {alpha = 0.5 : f32, beta = 0.1 : f32, signed_codes = true} : tensor<4x2xf32> -> tensor<4x2xi8>
  %d = bnq.dequantize %b, %s : tensor<4x2xi8> -> tensor<4x2xf32>
  %y = bnq.linear %d, %p : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %g2 = bnq.gelu erf %x : tensor<4x2xf32>
  %b2, %s2 = bnq.binarize %g2 {alpha = 0.5 : f32, beta = 0.1 : f32, signed_codes = true} : tensor<4x2xf32> -> tensor<4x2xi8>
  %d2 = bnq.dequantize %b2, %s2 : tensor<4x2xi8> -> tensor<4x2xf32>
  %z = bnq.linear %d2, %p : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %w = bnq.add %z, %g2 : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y, %w : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// Signed binarized q, k, v and binarized probabilities: attention_binary
// on the float inputs, carrying the four binarizers; no codes are written.
// CHECK-LABEL: func.func @attention_binary
// CHECK-NOT: bnq.binarize
// CHECK: bnq.attention_binary %arg0, %arg1, %arg2 mask(%arg3) {key_alpha = 2.500000e-01 : f32, key_beta = 0.000000e+00 : f32, num_heads = 2 : i64, prob_alpha = 1.250000e-01 : f32, prob_beta = -5.000000e-02 : f32, query_alpha = 5.000000e-01 : f32, query_beta = 1.000000e-01 : f32, scale = 5.000000e-01 : f32, value_alpha = 7.500000e-01 : f32, value_beta = -2.000000e-01 : f32}
func.func @attention_binary(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>, %m: tensor<1x3xf32>) -> tensor<1x3x4xf32> {
  %qb, %qs = bnq.binarize %q {alpha = 0.5 : f32, beta = 0.1 : f32, signed_codes = true} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %qd = bnq.dequantize %qb, %qs : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %kb, %ks = bnq.binarize %k {alpha = 0.25 : f32, beta = 0.0 : f32, signed_codes = true} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %kd = bnq.dequantize %kb, %ks : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %vb, %vs = bnq.binarize %v {alpha = 0.75 : f32, beta = -0.2 : f32, signed_codes = true} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %vd = bnq.dequantize %vb, %vs : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %r = bnq.attention %qd, %kd, %vd mask(%m) {num_heads = 2 : i64, scale = 0.5 : f32, prob_alpha = 0.125 : f32, prob_beta = -0.05 : f32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3xf32>) -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Binarized probabilities with a value of non-negative codes, or a float
// key, keep the float attention (the bundle writer names what it needs).
// CHECK-LABEL: func.func @attention_binary_needs_signed_operands
// CHECK-NOT: bnq.attention_binary
// CHECK: bnq.attention
// CHECK: bnq.attention
func.func @attention_binary_needs_signed_operands(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>) -> (tensor<1x3x4xf32>, tensor<1x3x4xf32>) {
  %qb, %qs = bnq.binarize %q {alpha = 0.5 : f32, beta = 0.1 : f32, signed_codes = true} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %qd = bnq.dequantize %qb, %qs : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %nb, %ns = bnq.binarize %q {alpha = 0.5 : f32, beta = 0.1 : f32, signed_codes = false} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %nd = bnq.dequantize %nb, %ns : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %a = bnq.attention %qd, %qd, %nd {num_heads = 2 : i64, scale = 0.5 : f32, prob_alpha = 0.125 : f32, prob_beta = 0.0 : f32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  %b = bnq.attention %qd, %k, %qd {num_heads = 2 : i64, scale = 0.5 : f32, prob_alpha = 0.125 : f32, prob_beta = 0.0 : f32} : (tensor<1x3x4xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  return %a, %b : tensor<1x3x4xf32>, tensor<1x3x4xf32>
}

// -----

// A GELU only a quantize reads is folded into it (with a static clip the
// runtime finds the codes of GELU(x) by comparing x with bounds; with a
// dynamic one it never stores the GELU); a GELU read elsewhere too stays.
// CHECK-LABEL: func.func @gelu_into_quantize
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>)
// CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %[[X]] {bits = 2 : i32, clip = 2.500000e-01 : f32, input_gelu = #bnq<gelu_approximation erf>}
// CHECK: bnq.quantize %[[X]] {bits = 2 : i32, input_gelu = #bnq<gelu_approximation tanh>} :
// CHECK: %[[H:.*]] = bnq.gelu erf %[[X]]
// CHECK: bnq.quantize %[[H]] {bits = 4 : i32, clip = 1.000000e+00 : f32} :
// CHECK: bnq.add %{{.*}}, %[[H]]
func.func @gelu_into_quantize(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %g = bnq.gelu erf %x : tensor<4x3xf32>
  %q, %s = bnq.quantize %g {bits = 2 : i32, clip = 0.25 : f32} : tensor<4x3xf32> -> tensor<4x3xi8>
  %d = bnq.dequantize %q, %s : tensor<4x3xi8> -> tensor<4x3xf32>
  %g2 = bnq.gelu tanh %x : tensor<4x3xf32>
  %q2, %s2 = bnq.quantize %g2 {bits = 2 : i32} : tensor<4x3xf32> -> tensor<4x3xi8>
  %d2 = bnq.dequantize %q2, %s2 : tensor<4x3xi8> -> tensor<4x3xf32>
  %g3 = bnq.gelu erf %x : tensor<4x3xf32>
  %q3, %s3 = bnq.quantize %g3 {bits = 4 : i32, clip = 1.0 : f32} : tensor<4x3xf32> -> tensor<4x3xi8>
  %d3 = bnq.dequantize %q3, %s3 : tensor<4x3xi8> -> tensor<4x3xf32>
  %e = bnq.add %d3, %g3 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %d, %d2, %e : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}
