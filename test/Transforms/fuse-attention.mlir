// RUN: bnbert-opt %s -split-input-file -bnq-fuse-attention | FileCheck %s

// torch's BERT self-attention after raising: split heads, Q K^T / sqrt(D)
// + mask, softmax, P V, merge heads.
// CHECK-LABEL: func.func @torch_chain
// CHECK: %[[M:.*]] = bnq.reshape %arg3 : tensor<1x1x1x3xf32> -> tensor<1x3xf32>
// CHECK: %[[A:.*]] = bnq.attention %arg0, %arg1, %arg2 mask(%[[M]]) {num_heads = 2 : i64, scale = 0.707106769 : f32}
// CHECK-NEXT: return %[[A]]
func.func @torch_chain(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>, %mask: tensor<1x1x1x3xf32>) -> tensor<1x3x4xf32> {
  %c = arith.constant dense<1.41421354> : tensor<f32>
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %d = bnq.div %s, %c : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %m = bnq.add %d, %mask : (tensor<1x2x3x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %m {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %p, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Scaling by multiplication, no mask.
// CHECK-LABEL: func.func @mul_no_mask
// CHECK: bnq.attention %arg0, %arg1, %arg2 {num_heads = 2 : i64, scale = 2.500000e-01 : f32}
func.func @mul_no_mask(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %c = arith.constant dense<0.25> : tensor<f32>
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %d = bnq.mul %s, %c : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %d {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %p, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Keys not transposed to [B, H, D, S] is not attention: left as it is.
// CHECK-LABEL: func.func @not_attention
// CHECK-NOT: bnq.attention
// CHECK: bnq.softmax
func.func @not_attention(%q: tensor<1x2x4xf32>, %k: tensor<1x2x4xf32>) -> tensor<1x2x4xf32> {
  %q4 = bnq.reshape %q : tensor<1x2x4xf32> -> tensor<1x2x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %k4 = bnq.reshape %k : tensor<1x2x4xf32> -> tensor<1x2x2x2xf32>
  %kh = bnq.transpose %k4, [0, 2, 1, 3] : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %s = bnq.batch_matmul %qh, %kh : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x2x2xf32>
  %o = bnq.batch_matmul %p, %kh : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x2x2x2xf32> -> tensor<1x2x4xf32>
  return %r : tensor<1x2x4xf32>
}

// -----

// DistilBERT scales the query before Q K^T: (Qh / c) Kt + mask.
// CHECK-LABEL: func.func @query_scaled_first
// CHECK: %[[M:.*]] = bnq.reshape %arg3 : tensor<1x1x1x3xf32> -> tensor<1x3xf32>
// CHECK: %[[A:.*]] = bnq.attention %arg0, %arg1, %arg2 mask(%[[M]]) {num_heads = 2 : i64, scale = 0.707106769 : f32}
// CHECK-NEXT: return %[[A]]
func.func @query_scaled_first(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>, %mask: tensor<1x1x1x3xf32>) -> tensor<1x3x4xf32> {
  %c = arith.constant dense<1.41421354> : tensor<f32>
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %qs = bnq.div %qh, %c : (tensor<1x2x3x2xf32>, tensor<f32>) -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qs, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %m = bnq.add %s, %mask : (tensor<1x2x3x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %m {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %p, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// torch's SDPA export scales query and key by sqrt(scale) each.
// CHECK-LABEL: func.func @query_and_key_scaled
// CHECK: bnq.attention %arg0, %arg1, %arg2 {num_heads = 2 : i64, scale = 0.707106{{[0-9]*}} : f32}
func.func @query_and_key_scaled(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %c = arith.constant dense<0.840896427> : tensor<f32>
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %qs = bnq.mul %qh, %c : (tensor<1x2x3x2xf32>, tensor<f32>) -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %ks = bnq.mul %kt, %c : (tensor<1x2x2x3xf32>, tensor<f32>) -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qs, %ks : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %p, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// A learned probability clip written as Clip(-1, 1): the identity on P,
// kept as prob_clip for a later quantizer; attention still fuses.
// CHECK-LABEL: func.func @prob_clip_identity
// CHECK: bnq.attention %arg0, %arg1, %arg2 {num_heads = 2 : i64, prob_clip = 1.000000e+00 : f32, scale = 1.000000e+00 : f32}
// CHECK-NOT: bnq.clamp
func.func @prob_clip_identity(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %pc = bnq.clamp %p {min = -1.0 : f32, max = 1.0 : f32} : tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %pc, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Clip(0, 0.5) then a 4-bit quantizer that saturates at 0.5: the clamp is
// subsumed by the quantizer.
// CHECK-LABEL: func.func @prob_clip_then_quantizer
// CHECK: bnq.attention %arg0, %arg1, %arg2 {num_heads = 2 : i64, prob_bits = 4 : i32, prob_clip = 5.000000e-01 : f32, scale = 1.000000e+00 : f32}
func.func @prob_clip_then_quantizer(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %c = bnq.clamp %p {min = 0.0 : f32, max = 0.5 : f32} : tensor<1x2x3x3xf32>
  %codes, %scale = bnq.quantize %c {bits = 4 : i32, clip = 0.5 : f32} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi8>
  %pc = bnq.dequantize %codes, %scale : tensor<1x2x3x3xi8> -> tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %pc, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Clip(-0.5, 0.5) alone changes P: no fused form, the chain stays.
// CHECK-LABEL: func.func @prob_clip_below_one
// CHECK-NOT: bnq.attention
// CHECK: bnq.clamp
func.func @prob_clip_below_one(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %pc = bnq.clamp %p {min = -0.5 : f32, max = 0.5 : f32} : tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %pc, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Binarized probabilities (BiT: dequantize(binarize(P)), codes 0 | 1)
// become prob_alpha / prob_beta.
// CHECK-LABEL: func.func @binarized_probabilities
// CHECK: bnq.attention %arg0, %arg1, %arg2 {num_heads = 2 : i64, prob_alpha = 2.500000e-01 : f32, prob_beta = -1.000000e-01 : f32, scale = 1.000000e+00 : f32}
// CHECK-NOT: bnq.binarize
func.func @binarized_probabilities(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %codes, %scale = bnq.binarize %p {alpha = 0.25 : f32, beta = -0.1 : f32, signed_codes = false} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi8>
  %pc = bnq.dequantize %codes, %scale : tensor<1x2x3x3xi8> -> tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %pc, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}

// -----

// Signed codes on P are not the probabilities' binarization: no fused form.
// CHECK-LABEL: func.func @signed_binarized_probabilities
// CHECK-NOT: bnq.attention
func.func @signed_binarized_probabilities(%q: tensor<1x3x4xf32>, %k: tensor<1x3x4xf32>, %v: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %q4 = bnq.reshape %q : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %qh = bnq.transpose %q4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %k4 = bnq.reshape %k : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %kt = bnq.transpose %k4, [0, 2, 3, 1] : tensor<1x3x2x2xf32> -> tensor<1x2x2x3xf32>
  %v4 = bnq.reshape %v : tensor<1x3x4xf32> -> tensor<1x3x2x2xf32>
  %vh = bnq.transpose %v4, [0, 2, 1, 3] : tensor<1x3x2x2xf32> -> tensor<1x2x3x2xf32>
  %s = bnq.batch_matmul %qh, %kt : (tensor<1x2x3x2xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  %p = bnq.softmax %s {axis = -1 : i64} : tensor<1x2x3x3xf32>
  %codes, %scale = bnq.binarize %p {alpha = 0.25 : f32, beta = 0.3 : f32, signed_codes = true} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi8>
  %pc = bnq.dequantize %codes, %scale : tensor<1x2x3x3xi8> -> tensor<1x2x3x3xf32>
  %o = bnq.batch_matmul %pc, %vh : (tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %ot = bnq.transpose %o, [0, 2, 1, 3] : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
  %r = bnq.reshape %ot : tensor<1x3x2x2xf32> -> tensor<1x3x4xf32>
  return %r : tensor<1x3x4xf32>
}
