// RUN: bnbert-opt %s -split-input-file -verify-diagnostics
// Every onnx-dialect verifier rule, one negative case each.

func.func @constant_type() {
  // expected-error @+1 {{value type 'tensor<2xf32>' differs from the result type 'tensor<3xf32>'}}
  %c = "onnx.Constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}

// -----

func.func @binary(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operands are not broadcast-compatible}}
  %y = "onnx.Less"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @cast(%a: tensor<2xf32>) {
  // expected-error @+1 {{unsupported target type 8}}
  %y = "onnx.Cast"(%a) {to = 8 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_axis(%a: tensor<2x3xf32>, %i: tensor<i64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = "onnx.Gather"(%a, %i) {axis = 2 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{needs at least one input}}
  %y = "onnx.Concat"() {axis = 0 : i64} : () -> tensor<0xi64>
  return
}

// -----

func.func @transpose_size(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 3 entries for rank 2}}
  %y = "onnx.Transpose"(%a) {perm = array<i64: 0, 1, 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{perm is not a permutation}}
  %y = "onnx.Transpose"(%a) {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{A and B must have rank 2}}
  %y = "onnx.Gemm"(%a, %b) : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %y = "onnx.Softmax"(%a) {axis = -3 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_axis(%a: tensor<2x3xf32>, %g: tensor<3xf32>) {
  // expected-error @+1 {{axis 5 is out of range for rank 2}}
  %y = "onnx.LayerNormalization"(%a, %g) {axis = 5 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}
