// Round trip every bnq op: parse, print, parse again (custom and generic).
// RUN: bnbert-opt %s | bnbert-opt | FileCheck %s
// RUN: bnbert-opt %s --mlir-print-op-generic | bnbert-opt | FileCheck %s

// CHECK-LABEL: func.func @float_blocks
func.func @float_blocks(%table: tensor<100x8xf32>, %ids: tensor<2x5xi64>,
                        %g: tensor<8xf32>, %b: tensor<8xf32>,
                        %w: tensor<16x8xf32>, %bias: tensor<16xf32>,
                        %mask: tensor<2x5xf32>) -> tensor<2x5x16xf32> {
  // CHECK: %[[E:.*]] = bnq.embedding %{{.*}}[%{{.*}}] : (tensor<100x8xf32>, tensor<2x5xi64>) -> tensor<2x5x8xf32>
  %e = bnq.embedding %table[%ids] : (tensor<100x8xf32>, tensor<2x5xi64>) -> tensor<2x5x8xf32>
  // CHECK: %[[LN:.*]] = bnq.layer_norm %[[E]], %{{.*}}, %{{.*}} {epsilon = 9.99999996E-13 : f32} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  %ln = bnq.layer_norm %e, %g, %b {epsilon = 1.0e-12 : f32} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: bnq.layer_norm %[[LN]], %{{.*}}, %{{.*}} residual(%[[E]] : tensor<2x5x8xf32>) {epsilon = 9.99999996E-13 : f32} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  %lnr = bnq.layer_norm %ln, %g, %b residual(%e : tensor<2x5x8xf32>) {epsilon = 1.0e-12 : f32} : tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: bnq.attention %[[LN]], %[[LN]], %[[LN]] mask(%{{.*}}) {num_heads = 2 : i64, prob_bits = 8 : i32, prob_clip = 1.000000e+00 : f32, scale = 5.000000e-01 : f32}
  %att = bnq.attention %ln, %ln, %ln mask(%mask) {num_heads = 2 : i64, scale = 0.5 : f32, prob_bits = 8 : i32, prob_clip = 1.0 : f32} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5xf32>) -> tensor<2x5x8xf32>
  // CHECK: bnq.attention %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 1 : i64, scale = 1.000000e+00 : f32} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %att2 = bnq.attention %att, %att, %att {num_heads = 1 : i64, scale = 1.0 : f32} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  // CHECK: %[[L:.*]] = bnq.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x5x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  %l = bnq.linear %att2, %w, %bias : (tensor<2x5x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  // CHECK: bnq.linear %{{.*}}, %{{.*}} : (tensor<2x5x8xf32>, tensor<16x8xf32>) -> tensor<2x5x16xf32>
  %nobias = bnq.linear %att2, %w : (tensor<2x5x8xf32>, tensor<16x8xf32>) -> tensor<2x5x16xf32>
  // CHECK: bnq.gelu erf %{{.*}} : tensor<2x5x16xf32>
  %ge = bnq.gelu erf %l : tensor<2x5x16xf32>
  // CHECK: bnq.gelu tanh %{{.*}} : tensor<2x5x16xf32>
  %gt = bnq.gelu tanh %ge : tensor<2x5x16xf32>
  // CHECK: bnq.tanh %{{.*}} : tensor<2x5x16xf32>
  %t = bnq.tanh %gt : tensor<2x5x16xf32>
  // CHECK: bnq.softmax %{{.*}} {axis = -1 : i64} : tensor<2x5x16xf32>
  %s = bnq.softmax %t {axis = -1 : i64} : tensor<2x5x16xf32>
  // CHECK: bnq.add %{{.*}}, %{{.*}} : (tensor<2x5x16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  %a = bnq.add %s, %bias : (tensor<2x5x16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  // CHECK: bnq.sub
  %sb = bnq.sub %a, %nobias : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
  // CHECK: bnq.mul
  %m = bnq.mul %sb, %sb : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
  // CHECK: bnq.div
  %d = bnq.div %m, %bias : (tensor<2x5x16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  return %d : tensor<2x5x16xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x5x8xf32>, %y: tensor<?x4x5x2xf32>) -> tensor<2x4x5x5xf32> {
  // CHECK: bnq.reshape %{{.*}} : tensor<2x5x8xf32> -> tensor<2x5x4x2xf32>
  %r = bnq.reshape %x : tensor<2x5x8xf32> -> tensor<2x5x4x2xf32>
  // CHECK: bnq.transpose %{{.*}}, [0, 2, 1, 3] : tensor<2x5x4x2xf32> -> tensor<2x4x5x2xf32>
  %t = bnq.transpose %r, [0, 2, 1, 3] : tensor<2x5x4x2xf32> -> tensor<2x4x5x2xf32>
  // CHECK: bnq.batch_matmul %{{.*}}, %{{.*}} {transpose_rhs} : (tensor<2x4x5x2xf32>, tensor<2x4x5x2xf32>) -> tensor<2x4x5x5xf32>
  %mm = bnq.batch_matmul %t, %t {transpose_rhs} : (tensor<2x4x5x2xf32>, tensor<2x4x5x2xf32>) -> tensor<2x4x5x5xf32>
  // Dynamic dimensions verify against what is known.
  // CHECK: bnq.batch_matmul %{{.*}}, %{{.*}} : (tensor<?x4x5x2xf32>, tensor<2x4x2x5xf32>) -> tensor<?x4x5x5xf32>
  %tr = bnq.transpose %t, [0, 1, 3, 2] : tensor<2x4x5x2xf32> -> tensor<2x4x2x5xf32>
  %dyn = bnq.batch_matmul %y, %tr : (tensor<?x4x5x2xf32>, tensor<2x4x2x5xf32>) -> tensor<?x4x5x5xf32>
  // CHECK: bnq.slice %{{.*}}[0, 0, 1, 0] : tensor<2x4x5x2xf32> -> tensor<2x4x1x2xf32>
  %sl = bnq.slice %t[0, 0, 1, 0] : tensor<2x4x5x2xf32> -> tensor<2x4x1x2xf32>
  return %mm : tensor<2x4x5x5xf32>
}

// CHECK-LABEL: func.func @masks
func.func @masks(%m: tensor<2x8xi64>) -> tensor<2x1x1x8xf32> {
  // CHECK: bnq.reshape %{{.*}} : tensor<2x8xi64> -> tensor<2x1x1x8xi64>
  %r = bnq.reshape %m : tensor<2x8xi64> -> tensor<2x1x1x8xi64>
  // CHECK: bnq.cast %{{.*}} : tensor<2x1x1x8xi64> -> tensor<2x1x1x8xf32>
  %c = bnq.cast %r : tensor<2x1x1x8xi64> -> tensor<2x1x1x8xf32>
  return %c : tensor<2x1x1x8xf32>
}

// CHECK-LABEL: func.func @weights
func.func @weights() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x70xf32>) {
  // CHECK: bnq.quant_weight ternary values(dense<{{\[\[}}1, 0, -1], [0, 0, 1]]> : tensor<2x3xi8>) scale(dense<5.000000e-01> : tensor<1xf32>) latent(dense<{{.*}}> : tensor<2x3xf32>) : tensor<2x3xf32>
  %t = bnq.quant_weight ternary values(dense<[[1, 0, -1], [0, 0, 1]]> : tensor<2x3xi8>) scale(dense<0.5> : tensor<1xf32>) latent(dense<[[0.6, 0.1, -0.4], [0.0, 0.1, 0.5]]> : tensor<2x3xf32>) : tensor<2x3xf32>
  // CHECK: bnq.quant_weight int8 values(dense<{{\[\[}}127, -127, 3], [0, 1, -5]]> : tensor<2x3xi8>) scale(dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>) : tensor<2x3xf32>
  %i = bnq.quant_weight int8 values(dense<[[127, -127, 3], [0, 1, -5]]> : tensor<2x3xi8>) scale(dense<[0.1, 0.2]> : tensor<2xf32>) : tensor<2x3xf32>
  // CHECK: bnq.bitplane_weight planes(dense<{{.*}}> : tensor<2x2x3xi8>) scales(dense<2.500000e-01> : tensor<2x1xf32>) : tensor<2x3xf32>
  %p = bnq.bitplane_weight planes(dense<[[[1, 1, -1], [1, -1, 1]], [[1, -1, -1], [-1, 1, 1]]]> : tensor<2x2x3xi8>) scales(dense<0.25> : tensor<2x1xf32>) : tensor<2x3xf32>
  // 70 columns need two words per row; bit 5 of the second word is column 69.
  // CHECK: bnq.packed_weight bits(dense<{{\[\[\[}}9, 32], [0, 1]]]> : tensor<1x2x2xi64>) scales(dense<{{\[\[}}1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>) : tensor<2x70xf32>
  %k = bnq.packed_weight bits(dense<[[[9, 32], [0, 1]]]> : tensor<1x2x2xi64>) scales(dense<[[1.0, 2.0]]> : tensor<1x2xf32>) : tensor<2x70xf32>
  return %t, %i, %p, %k : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x70xf32>
}

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %{{.*}} {bits = 8 : i32} : tensor<4x8xf32> -> tensor<4x8xi8>
  %q, %s = bnq.quantize %x {bits = 8 : i32} : tensor<4x8xf32> -> tensor<4x8xi8>
  // CHECK: bnq.dequantize %[[Q]], %[[S]] : tensor<4x8xi8> -> tensor<4x8xf32>
  %d = bnq.dequantize %q, %s : tensor<4x8xi8> -> tensor<4x8xf32>
  // CHECK: bnq.quantize %{{.*}} {bits = 4 : i32, clip = 2.500000e+00 : f32}
  %q4, %s4 = bnq.quantize %x {bits = 4 : i32, clip = 2.5 : f32} : tensor<4x8xf32> -> tensor<4x8xi8>
  %d4 = bnq.dequantize %q4, %s4 : tensor<4x8xi8> -> tensor<4x8xf32>
  // CHECK: bnq.quantize %{{.*}} {bits = 2 : i32, clip = 5.000000e-01 : f32, input_gelu = #bnq<gelu_approximation tanh>}
  %q2, %s2 = bnq.quantize %x {bits = 2 : i32, clip = 0.5 : f32, input_gelu = #bnq<gelu_approximation tanh>} : tensor<4x8xf32> -> tensor<4x8xi8>
  %d2 = bnq.dequantize %q2, %s2 : tensor<4x8xi8> -> tensor<4x8xf32>
  return %d, %d4, %d2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// 1-bit activations round-trip with their scale, threshold and code set.
// CHECK-LABEL: func.func @binarized
func.func @binarized(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[B:.*]], %[[S:.*]] = bnq.binarize %{{.*}} {alpha = 5.000000e-01 : f32, beta = -2.500000e-01 : f32, signed_codes = true} : tensor<4x8xf32> -> tensor<4x8xi8>
  %b, %s = bnq.binarize %x {alpha = 0.5 : f32, beta = -0.25 : f32, signed_codes = true} : tensor<4x8xf32> -> tensor<4x8xi8>
  // CHECK: bnq.dequantize %[[B]], %[[S]]
  %d = bnq.dequantize %b, %s : tensor<4x8xi8> -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// Binarized probabilities; the fully binary attention with its four
// binarizers.
// CHECK-LABEL: func.func @binary_attention
func.func @binary_attention(%x: tensor<2x5x8xf32>, %m: tensor<2x5xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x8xf32>) {
  // CHECK: bnq.attention %arg0, %arg0, %arg0 {num_heads = 2 : i64, prob_alpha = 2.500000e-01 : f32, prob_beta = -1.000000e-01 : f32, scale = 5.000000e-01 : f32}
  %a = bnq.attention %x, %x, %x {num_heads = 2 : i64, scale = 0.5 : f32, prob_alpha = 0.25 : f32, prob_beta = -0.1 : f32} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  // CHECK: bnq.attention_binary %arg0, %arg0, %arg0 mask(%arg1) {key_alpha = 2.000000e+00 : f32, key_beta = 0.000000e+00 : f32, num_heads = 4 : i64, prob_alpha = 2.500000e-01 : f32, prob_beta = 0.000000e+00 : f32, query_alpha = 1.000000e+00 : f32, query_beta = 5.000000e-01 : f32, scale = 5.000000e-01 : f32, value_alpha = 3.000000e+00 : f32, value_beta = -1.000000e+00 : f32}
  %b = bnq.attention_binary %x, %x, %x mask(%m) {num_heads = 4 : i64, scale = 0.5 : f32, query_alpha = 1.0 : f32, query_beta = 0.5 : f32, key_alpha = 2.0 : f32, key_beta = 0.0 : f32, value_alpha = 3.0 : f32, value_beta = -1.0 : f32, prob_alpha = 0.25 : f32, prob_beta = 0.0 : f32} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5xf32>) -> tensor<2x5x8xf32>
  return %a, %b : tensor<2x5x8xf32>, tensor<2x5x8xf32>
}

// Per-sequence scales, the padding masked out of their maxima.
// CHECK-LABEL: func.func @sequence_scales
func.func @sequence_scales(%x: tensor<2x4x8xf32>, %m: tensor<2x4xf32>) -> tensor<2x4x8xf32> {
  // CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %arg0 mask(%arg1 : tensor<2x4xf32>) {bits = 8 : i32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>, tensor<2xf32>
  %q, %s = bnq.quantize %x mask(%m : tensor<2x4xf32>) {bits = 8 : i32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>, tensor<2xf32>
  // CHECK: bnq.dequantize %[[Q]], %[[S]] : tensor<2x4x8xi8> -> tensor<2x4x8xf32>, tensor<2xf32>
  %d = bnq.dequantize %q, %s : tensor<2x4x8xi8> -> tensor<2x4x8xf32>, tensor<2xf32>
  return %d : tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @mask_and_clip
func.func @mask_and_clip(%m: tensor<2x5xi32>, %len: tensor<2xi32>, %x: tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>, tensor<2x5xi64>) {
  // CHECK: bnq.cast %{{.*}} : tensor<2x5xi32> -> tensor<2x5xf32>
  %f = bnq.cast %m : tensor<2x5xi32> -> tensor<2x5xf32>
  // CHECK: bnq.reduce_sum %{{.*}} : tensor<2x5xf32> -> tensor<2xf32>
  %s = bnq.reduce_sum %f : tensor<2x5xf32> -> tensor<2xf32>
  // CHECK: bnq.length_mask %{{.*}} {filter_value = -1.000000e+04 : f32} : tensor<2xf32> -> tensor<2x5xf32>
  %b = bnq.length_mask %s {filter_value = -10000.0 : f32} : tensor<2xf32> -> tensor<2x5xf32>
  // CHECK: bnq.length_mask %{{.*}} {filter_value = -1.000000e+04 : f32} : tensor<2xi32> -> tensor<2x5xf32>
  %b2 = bnq.length_mask %len {filter_value = -10000.0 : f32} : tensor<2xi32> -> tensor<2x5xf32>
  // CHECK: bnq.clamp %{{.*}} {max = 2.000000e+00 : f32, min = -2.000000e+00 : f32} : tensor<2x5xf32>
  %c = bnq.clamp %x {min = -2.0 : f32, max = 2.0 : f32} : tensor<2x5xf32>
  // CHECK: bnq.cast %{{.*}} : tensor<2x5xi32> -> tensor<2x5xi64>
  %i = bnq.cast %m : tensor<2x5xi32> -> tensor<2x5xi64>
  return %b, %c, %i : tensor<2x5xf32>, tensor<2x5xf32>, tensor<2x5xi64>
}

// CHECK-LABEL: func.func @generic
func.func @generic(%x: tensor<2x5xf32>) -> tensor<2x1xf32> {
  // CHECK: bnq.unary erf %{{.*}} : tensor<2x5xf32>
  %e = bnq.unary erf %x : tensor<2x5xf32>
  // CHECK: bnq.unary sigmoid
  %s = bnq.unary sigmoid %e : tensor<2x5xf32>
  // CHECK: bnq.pow %{{.*}}, %{{.*}} : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %p = bnq.pow %s, %x : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  // CHECK: bnq.reduce_mean %{{.*}}[1] : tensor<2x5xf32> -> tensor<2x1xf32>
  %m = bnq.reduce_mean %p[1] : tensor<2x5xf32> -> tensor<2x1xf32>
  return %m : tensor<2x1xf32>
}
