// Export to ONNX (bnbert-translate --export-onnx) and back: a TWS-split
// weight becomes two linears on its latent halves (half the bias each), a
// static 4-bit clip becomes Clip + QDQ and is read back as the same
// bnq.quantize, a 1-bit activation (bnq.binarize) goes out as the trainer's
// Sub/Div/Less/Where form and comes back as the same op, attention with
// prob_bits or binarized probabilities is decomposed and fused again, and
// the re-imported model computes what the original computes (here the
// latent halves are the binary planes' values, so in float too), also
// after binarizing its halves again (bnq-binarize).
// RUN: bnbert-translate --export-onnx %s -o %t.onnx
// RUN: bnbert-translate --import-onnx %t.onnx | FileCheck %s --check-prefix=ONNX
// RUN: bnbert-translate --import-onnx %t.onnx | bnbert-opt -bnq-from-onnx -o %t.back.mlir
// RUN: FileCheck %s --input-file=%t.back.mlir
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)); np.save('%t.len.npy', np.array([3, 2], dtype=np.int64))"
// RUN: bnbert-interpret %s --input x=%t.x.npy --input len=%t.len.npy --output-dir %t.orig
// RUN: bnbert-interpret %t.back.mlir --input x=%t.x.npy --input len=%t.len.npy --output-dir %t.back
// RUN: %python %fixtures/compare_npy.py %t.orig/y.npy %t.back/y.npy --atol 1e-5
// RUN: bnbert-opt %t.back.mlir -bnq-binarize -o %t.rebin.mlir
// RUN: bnbert-interpret %t.rebin.mlir --input x=%t.x.npy --input len=%t.len.npy --output-dir %t.rebin
// RUN: %python %fixtures/compare_npy.py %t.orig/y.npy %t.rebin/y.npy --atol 1e-5

// ONNX: "onnx.Clip"
// ONNX: "onnx.QuantizeLinear"
// ONNX: "onnx.DequantizeLinear"
// ONNX: "onnx.MatMul"
// ONNX: "onnx.MatMul"
// ONNX: "onnx.Softmax"
// ONNX: "onnx.LayerNormalization"
// ONNX: "onnx.Less"
// ONNX: "onnx.Where"

// The split linear: two linears on the latent halves, half the bias each.
// CHECK-DAG: %[[W1:.*]] = arith.constant dense<{{\[\[}}5.000000e-01, 5.000000e-01, 5.000000e-01, -5.000000e-01]
// CHECK-DAG: %[[B1:.*]] = arith.constant dense<[5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00]>
// CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %{{.*}} {bits = 4 : i32, clip = 2.000000e+00 : f32}
// CHECK: %[[D:.*]] = bnq.dequantize %[[Q]], %[[S]]
// CHECK: %[[L1:.*]] = bnq.linear %[[D]], %[[W1]], %[[B1]]
// CHECK: %[[L2:.*]] = bnq.linear %[[D]], %{{.*}}, %[[B1]]
// CHECK: %[[H:.*]] = bnq.add %[[L1]], %[[L2]]
// CHECK: bnq.length_mask
// CHECK: bnq.attention %[[H]], %[[H]], %[[H]] mask(%{{.*}}) {num_heads = 2 : i64, prob_bits = 8 : i32, prob_clip = 1.000000e+00 : f32, scale = 5.000000e-01 : f32}
// CHECK: bnq.gelu tanh
// CHECK: bnq.layer_norm
// CHECK: %[[NB:.*]], %[[NS:.*]] = bnq.binarize %{{.*}} {alpha = 8.000000e-01 : f32, beta = 1.000000e-01 : f32, signed_codes = true}
// CHECK: %[[ND:.*]] = bnq.dequantize %[[NB]], %[[NS]]
// CHECK: bnq.attention %[[ND]], %[[ND]], %[[ND]] mask(%{{.*}}) {num_heads = 2 : i64, prob_alpha = 3.000000e-01 : f32, prob_beta = -5.000000e-02 : f32, scale = 5.000000e-01 : f32}
// Generic ops go out as their ONNX operators and come back.
// CHECK: bnq.unary sigmoid
// CHECK: bnq.pow
// CHECK: bnq.reduce_mean %{{.*}}[2]
func.func @main(%x: tensor<2x3x4xf32> {onnx.name = "x"}, %len: tensor<2xi64> {onnx.name = "len"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) {
  %w = bnq.bitplane_weight planes(dense<[[[1, 1, 1, -1], [1, -1, 1, 1], [-1, 1, 1, 1], [1, 1, -1, 1]], [[1, -1, 1, -1], [1, -1, -1, 1], [-1, 1, 1, 1], [1, -1, -1, 1]]]> : tensor<2x4x4xi8>) scales(dense<[[0.5], [0.5]]> : tensor<2x1xf32>) latent(dense<[[[0.5, 0.5, 0.5, -0.5], [0.5, -0.5, 0.5, 0.5], [-0.5, 0.5, 0.5, 0.5], [0.5, 0.5, -0.5, 0.5]], [[0.5, -0.5, 0.5, -0.5], [0.5, -0.5, -0.5, 0.5], [-0.5, 0.5, 0.5, 0.5], [0.5, -0.5, -0.5, 0.5]]]> : tensor<2x4x4xf32>) : tensor<4x4xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %q, %s = bnq.quantize %x {bits = 4 : i32, clip = 2.0 : f32} : tensor<2x3x4xf32> -> tensor<2x3x4xi8>
  %d = bnq.dequantize %q, %s : tensor<2x3x4xi8> -> tensor<2x3x4xf32>
  %h = bnq.linear %d, %w, %b : (tensor<2x3x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %m = bnq.length_mask %len {filter_value = -10000.0 : f32} : tensor<2xi64> -> tensor<2x3xf32>
  %a = bnq.attention %h, %h, %h mask(%m) {num_heads = 2 : i64, scale = 0.5 : f32, prob_bits = 8 : i32} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3xf32>) -> tensor<2x3x4xf32>
  %g = bnq.gelu tanh %a : tensor<2x3x4xf32>
  %gamma = arith.constant dense<1.0> : tensor<4xf32>
  %beta = arith.constant dense<0.0> : tensor<4xf32>
  %n = bnq.layer_norm %g, %gamma, %beta {epsilon = 1.0e-12 : f32} : tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>
  %nb, %ns = bnq.binarize %n {alpha = 0.8 : f32, beta = 0.1 : f32, signed_codes = true} : tensor<2x3x4xf32> -> tensor<2x3x4xi8>
  %nd = bnq.dequantize %nb, %ns : tensor<2x3x4xi8> -> tensor<2x3x4xf32>
  %a2 = bnq.attention %nd, %nd, %nd mask(%m) {num_heads = 2 : i64, scale = 0.5 : f32, prob_alpha = 0.3 : f32, prob_beta = -0.05 : f32} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3xf32>) -> tensor<2x3x4xf32>
  %u = bnq.unary sigmoid %a2 : tensor<2x3x4xf32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %p = bnq.pow %u, %two : (tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32>
  %r = bnq.reduce_mean %p[2] : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  %y = bnq.sub %p, %r : (tensor<2x3x4xf32>, tensor<2x3x1xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}
