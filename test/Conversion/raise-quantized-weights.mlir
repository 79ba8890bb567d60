// RUN: bnbert-opt %s -split-input-file -bnq-raise-onnx -verify-diagnostics | FileCheck %s
// QDQ weights (DequantizeLinear of int8 codes, zero point 0) stay quantized:
// lib/Conversion/RaiseQuantizedWeights.cpp.

// MatMul weight [K, N] with one scale per output column (axis 1): a
// ternary quant_weight in [N, K] layout with per-row scales.
// CHECK-LABEL: func.func @ternary_per_row
// CHECK: %[[W:.*]] = bnq.quant_weight ternary values(dense<{{\[\[}}1, -1, 0], [0, 1, -1]]> : tensor<2x3xi8>) scale(dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>) : tensor<2x3xf32>
// CHECK: bnq.linear %arg0, %[[W]] : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
// CHECK-NOT: onnx.
func.func @ternary_per_row(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %q = "onnx.Constant"() {value = dense<[[1, 0], [-1, 1], [0, -1]]> : tensor<3x2xi8>} : () -> tensor<3x2xi8>
  %s = "onnx.Constant"() {value = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = "onnx.Constant"() {value = dense<0> : tensor<2xi8>} : () -> tensor<2xi8>
  %w = "onnx.DequantizeLinear"(%q, %s, %z) {axis = 1 : i64} : (tensor<3x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<3x2xf32>
  %y = "onnx.MatMul"(%x, %w) : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Codes beyond {-1, 0, 1} are int8; a per-tensor scale stays one element;
// the bias Add folds into the linear.
// CHECK-LABEL: func.func @int8_per_tensor
// CHECK: %[[W:.*]] = bnq.quant_weight int8 values(dense<{{\[\[}}7, -127], [3, 0]]> : tensor<2x2xi8>) scale(dense<2.500000e-01> : tensor<1xf32>)
// CHECK: bnq.linear %arg0, %[[W]], %{{.*}} :
func.func @int8_per_tensor(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %q = "onnx.Constant"() {value = dense<[[7, 3], [-127, 0]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %s = "onnx.Constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %z = "onnx.Constant"() {value = dense<0> : tensor<i8>} : () -> tensor<i8>
  %b = "onnx.Constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %w = "onnx.DequantizeLinear"(%q, %s, %z) : (tensor<2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<2x2xf32>
  %m = "onnx.MatMul"(%x, %w) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %y = "onnx.Add"(%m, %b) : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A fine-tuned TWS layer: two binary MatMuls on one input with their own
// scales, summed, then the bias -> one linear on a two-plane weight.
// CHECK-LABEL: func.func @tws_pair
// CHECK: %[[W:.*]] = bnq.bitplane_weight planes(dense<{{\[\[\[}}1, -1], [1, 1]], {{\[\[}}-1, -1], [1, -1]]]> : tensor<2x2x2xi8>) scales(dense<{{\[\[}}5.000000e-01], [2.500000e-01]]> : tensor<2x1xf32>) : tensor<2x2xf32>
// CHECK: bnq.linear %arg0, %[[W]], %{{.*}} :
// CHECK-NOT: bnq.add
func.func @tws_pair(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %q1 = "onnx.Constant"() {value = dense<[[1, 1], [-1, 1]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %q2 = "onnx.Constant"() {value = dense<[[-1, 1], [-1, -1]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %s1 = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %s2 = "onnx.Constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %z = "onnx.Constant"() {value = dense<0> : tensor<i8>} : () -> tensor<i8>
  %b = "onnx.Constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %w1 = "onnx.DequantizeLinear"(%q1, %s1, %z) : (tensor<2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<2x2xf32>
  %w2 = "onnx.DequantizeLinear"(%q2, %s2, %z) : (tensor<2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<2x2xf32>
  %m1 = "onnx.MatMul"(%x, %w1) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %m2 = "onnx.MatMul"(%x, %w2) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %sum = "onnx.Add"(%m1, %m2) : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = "onnx.Add"(%sum, %b) : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Two binary linears on different inputs are not a TWS layer: they stay.
// CHECK-LABEL: func.func @binary_sum_other_inputs
// CHECK-COUNT-2: bnq.quant_weight binary
// CHECK: bnq.add
func.func @binary_sum_other_inputs(%x: tensor<4x2xf32>, %x2: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %q = "onnx.Constant"() {value = dense<[[1, 1], [-1, 1]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %s = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %w = "onnx.DequantizeLinear"(%q, %s) : (tensor<2x2xi8>, tensor<f32>) -> tensor<2x2xf32>
  %m1 = "onnx.MatMul"(%x, %w) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %m2 = "onnx.MatMul"(%x2, %w) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %sum = "onnx.Add"(%m1, %m2) : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %sum : tensor<4x2xf32>
}

// -----

// The word-embedding table with per-row scales (axis 0): embedding of a
// quant_weight.
// CHECK-LABEL: func.func @quantized_table
// CHECK: %[[T:.*]] = bnq.quant_weight ternary values(dense<{{\[\[}}1, 0], [-1, 1], [0, 0]]> : tensor<3x2xi8>) scale(dense<[1.000000e+00, 5.000000e-01, 0.000000e+00]> : tensor<3xf32>)
// CHECK: bnq.embedding %[[T]][%arg0]
func.func @quantized_table(%ids: tensor<2x4xi64>) -> tensor<2x4x2xf32> {
  %q = "onnx.Constant"() {value = dense<[[1, 0], [-1, 1], [0, 0]]> : tensor<3x2xi8>} : () -> tensor<3x2xi8>
  %s = "onnx.Constant"() {value = dense<[1.0, 0.5, 0.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %z = "onnx.Constant"() {value = dense<0> : tensor<3xi8>} : () -> tensor<3xi8>
  %t = "onnx.DequantizeLinear"(%q, %s, %z) {axis = 0 : i64} : (tensor<3x2xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x2xf32>
  %e = "onnx.Gather"(%t, %ids) {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2x4xi64>) -> tensor<2x4x2xf32>
  return %e : tensor<2x4x2xf32>
}

// -----

// Not a deployable quantized weight - code -128 (asymmetric int8), scales
// along the input axis - : folded to f32 values, as any DequantizeLinear.
// CHECK-LABEL: func.func @not_symmetric
// CHECK-NOT: bnq.quant_weight
// CHECK-DAG: arith.constant dense<{{\[\[}}-1.280000e+02, 1.000000e+00]
// CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [-1.000000e+00, 2.000000e+00]]>
func.func @not_symmetric(%x: tensor<4x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %q = "onnx.Constant"() {value = dense<[[-128, 1], [1, 1]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %s = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %w = "onnx.DequantizeLinear"(%q, %s) : (tensor<2x2xi8>, tensor<f32>) -> tensor<2x2xf32>
  %m = "onnx.MatMul"(%x, %w) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %q2 = "onnx.Constant"() {value = dense<[[1, -1], [1, 1]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %s2 = "onnx.Constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %w2 = "onnx.DequantizeLinear"(%q2, %s2) {axis = 0 : i64} : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
  %m2 = "onnx.MatMul"(%x, %w2) : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %m, %m2 : tensor<4x2xf32>, tensor<4x2xf32>
}
