// RUN: bnbert-opt %s -split-input-file -bnq-raise-onnx -verify-diagnostics | FileCheck %s
// One function per raising rule of bnq-raise-onnx (lib/Conversion).

// Decomposed LayerNorm as torch exports it at opset < 17.
// CHECK-LABEL: func.func @decomposed_layer_norm
// CHECK: %[[G:.*]] = arith.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK: %[[N:.*]] = bnq.layer_norm %arg0, %[[G]], %[[B]] {epsilon = 9.99999996E-13 : f32}
// CHECK-NEXT: return %[[N]]
func.func @decomposed_layer_norm(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %two = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %eps = "onnx.Constant"() {value = dense<1.0e-12> : tensor<f32>} : () -> tensor<f32>
  %g = "onnx.Constant"() {value = dense<2.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %b = "onnx.Constant"() {value = dense<0.5> : tensor<4xf32>} : () -> tensor<4xf32>
  %m = "onnx.ReduceMean"(%x) {axes = array<i64: -1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %c = "onnx.Sub"(%x, %m) : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %p = "onnx.Pow"(%c, %two) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %v = "onnx.ReduceMean"(%p) {axes = array<i64: -1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %ve = "onnx.Add"(%v, %eps) : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = "onnx.Sqrt"(%ve) : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %d = "onnx.Div"(%c, %s) : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %mg = "onnx.Mul"(%d, %g) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %y = "onnx.Add"(%mg, %b) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A mean over another axis is not a LayerNorm: the ops are lowered
// generically (bnq.reduce_mean, bnq.sub), still correct.
// CHECK-LABEL: func.func @not_layer_norm
// CHECK: %[[M:.*]] = bnq.reduce_mean %arg0[0] : tensor<2x4xf32> -> tensor<1x4xf32>
// CHECK: bnq.sub %arg0, %[[M]]
func.func @not_layer_norm(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %m = "onnx.ReduceMean"(%x) {axes = array<i64: 0>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<1x4xf32>
  %c = "onnx.Sub"(%x, %m) : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %c : tensor<2x4xf32>
}

// -----

// Elementwise ops outside a recognised block: generic bnq.unary / bnq.pow;
// ReduceMean without keepdims adds a reshape.
// CHECK-LABEL: func.func @generic_ops
// CHECK: %[[E:.*]] = bnq.unary erf %arg0 : tensor<2x4xf32>
// CHECK: %[[S:.*]] = bnq.unary sigmoid %[[E]]
// CHECK: %[[R:.*]] = bnq.unary relu %[[S]]
// CHECK: %[[Q:.*]] = bnq.unary sqrt %[[R]]
// CHECK: %[[N:.*]] = bnq.unary neg %[[Q]]
// CHECK: %[[P:.*]] = bnq.pow %[[N]], %{{.*}} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
// CHECK: %[[M:.*]] = bnq.reduce_mean %[[P]][0, 1] : tensor<2x4xf32> -> tensor<1x1xf32>
// CHECK: bnq.reshape %[[M]] : tensor<1x1xf32> -> tensor<f32>
func.func @generic_ops(%x: tensor<2x4xf32>) -> tensor<f32> {
  %three = "onnx.Constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
  %e = "onnx.Erf"(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = "onnx.Sigmoid"(%e) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %r = "onnx.Relu"(%s) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %q = "onnx.Sqrt"(%r) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %n = "onnx.Neg"(%q) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %p = "onnx.Pow"(%n, %three) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %m = "onnx.ReduceMean"(%p) {keepdims = 0 : i64} : (tensor<2x4xf32>) -> tensor<f32>
  return %m : tensor<f32>
}

// -----

// erf GELU, torch's form: x * 0.5 * (1 + erf(x / sqrt(2))).
// CHECK-LABEL: func.func @erf_gelu
// CHECK-NEXT: %[[Y:.*]] = bnq.gelu erf %arg0 : tensor<2x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @erf_gelu(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %sqrt2 = "onnx.Constant"() {value = dense<1.41421354> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %half = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %d = "onnx.Div"(%x, %sqrt2) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %e = "onnx.Erf"(%d) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %a = "onnx.Add"(%e, %one) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %m = "onnx.Mul"(%x, %a) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = "onnx.Mul"(%m, %half) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// erf GELU with x * (1/sqrt(2)) and the factors in another order.
// CHECK-LABEL: func.func @erf_gelu_mul_form
// CHECK-NEXT: bnq.gelu erf %arg0
func.func @erf_gelu_mul_form(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = "onnx.Constant"() {value = dense<0.707106769> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %half = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %d = "onnx.Mul"(%r, %x) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %e = "onnx.Erf"(%d) : (tensor<4xf32>) -> tensor<4xf32>
  %a = "onnx.Add"(%one, %e) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %h = "onnx.Mul"(%half, %x) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %y = "onnx.Mul"(%h, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// tanh GELU, torch's approximate='tanh' export (x^3 as x * (x * x)).
// CHECK-LABEL: func.func @tanh_gelu
// CHECK-NEXT: %[[Y:.*]] = bnq.gelu tanh %arg0 : tensor<4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @tanh_gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %k = "onnx.Constant"() {value = dense<0.044715> : tensor<f32>} : () -> tensor<f32>
  %c = "onnx.Constant"() {value = dense<0.797884583> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %half = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %x2 = "onnx.Mul"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %x3 = "onnx.Mul"(%x, %x2) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %kx3 = "onnx.Mul"(%k, %x3) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %s = "onnx.Add"(%x, %kx3) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %cs = "onnx.Mul"(%c, %s) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %t = "onnx.Tanh"(%cs) : (tensor<4xf32>) -> tensor<4xf32>
  %a = "onnx.Add"(%one, %t) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %m = "onnx.Mul"(%x, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = "onnx.Mul"(%half, %m) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// HF gelu_new: x^3 as Pow(x, 3).
// CHECK-LABEL: func.func @tanh_gelu_pow
// CHECK-NEXT: bnq.gelu tanh %arg0
func.func @tanh_gelu_pow(%x: tensor<4xf32>) -> tensor<4xf32> {
  %three = "onnx.Constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
  %k = "onnx.Constant"() {value = dense<0.044715> : tensor<f32>} : () -> tensor<f32>
  %c = "onnx.Constant"() {value = dense<0.797884583> : tensor<f32>} : () -> tensor<f32>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %half = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %x3 = "onnx.Pow"(%x, %three) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %kx3 = "onnx.Mul"(%x3, %k) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %s = "onnx.Add"(%kx3, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %cs = "onnx.Mul"(%s, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %t = "onnx.Tanh"(%cs) : (tensor<4xf32>) -> tensor<4xf32>
  %a = "onnx.Add"(%t, %one) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %h = "onnx.Mul"(%x, %half) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %y = "onnx.Mul"(%h, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// MatMul with a constant [K, N] weight plus a [N] bias -> linear with the
// weight transposed to [N, K].
// CHECK-LABEL: func.func @matmul_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = bnq.linear %arg0, %[[W]], %[[B]] : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @matmul_bias(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = "onnx.Constant"() {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %b = "onnx.Constant"() {value = dense<[5.0, 6.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "onnx.MatMul"(%x, %w) : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %y = "onnx.Add"(%b, %m) : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Gemm with transB = 1 keeps the [N, K] weight; MatMul of two activations
// is a batch_matmul.
// CHECK-LABEL: func.func @gemm_and_batch_matmul
// CHECK: bnq.linear %arg0, %{{.*}}, %{{.*}} : (tensor<3x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// CHECK: bnq.batch_matmul %arg1, %arg2 : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
func.func @gemm_and_batch_matmul(%x: tensor<3x2xf32>, %a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> (tensor<3x4xf32>, tensor<2x3x5xf32>) {
  %w = "onnx.Constant"() {value = dense<1.0> : tensor<4x2xf32>} : () -> tensor<4x2xf32>
  %c = "onnx.Constant"() {value = dense<0.5> : tensor<4xf32>} : () -> tensor<4xf32>
  %y = "onnx.Gemm"(%x, %w, %c) {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<3x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %m = "onnx.MatMul"(%a, %b) : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %y, %m : tensor<3x4xf32>, tensor<2x3x5xf32>
}

// -----

// Gather from a constant table is an embedding; Gather of one position on
// an activation (the pooler's x[:, 0]) is a slice and a reshape.
// CHECK-LABEL: func.func @gathers
// CHECK: %[[E:.*]] = bnq.embedding %{{.*}}[%arg0] : (tensor<5x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32>
// CHECK: %[[S:.*]] = bnq.slice %[[E]][0, 0, 0] : tensor<2x4x3xf32> -> tensor<2x1x3xf32>
// CHECK: %[[R:.*]] = bnq.reshape %[[S]] : tensor<2x1x3xf32> -> tensor<2x3xf32>
// CHECK: return %[[R]]
func.func @gathers(%ids: tensor<2x4xi64>) -> tensor<2x3xf32> {
  %t = "onnx.Constant"() {value = dense<1.0> : tensor<5x3xf32>} : () -> tensor<5x3xf32>
  %e = "onnx.Gather"(%t, %ids) {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32>
  %zero = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %f = "onnx.Gather"(%e, %zero) {axis = 1 : i64} : (tensor<2x4x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %f : tensor<2x3xf32>
}

// -----

// Attention-mask arithmetic, softmax, transpose, reshape and casts.
// CHECK-LABEL: func.func @data_movement
// CHECK: %[[C:.*]] = bnq.cast %arg0 : tensor<2x4xi64> -> tensor<2x4xf32>
// CHECK: %[[S:.*]] = bnq.sub %{{.*}}, %[[C]]
// CHECK: %[[M:.*]] = bnq.mul %[[S]], %{{.*}}
// CHECK: bnq.reshape %[[M]] : tensor<2x4xf32> -> tensor<2x1x1x4xf32>
// CHECK: bnq.transpose %arg1, [0, 2, 1]
// CHECK: bnq.softmax %{{.*}} {axis = -1 : i64}
// CHECK: bnq.cast %arg2 : tensor<2x4xi64> -> tensor<2x4xi32>
func.func @data_movement(%mask: tensor<2x4xi64>, %x: tensor<2x4x3xf32>, %ids: tensor<2x4xi64>) -> (tensor<2x1x1x4xf32>, tensor<2x3x4xf32>, tensor<2x4xi32>) {
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %big = "onnx.Constant"() {value = dense<-10000.0> : tensor<f32>} : () -> tensor<f32>
  %axes = "onnx.Constant"() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %c = "onnx.Cast"(%mask) {to = 1 : i64} : (tensor<2x4xi64>) -> tensor<2x4xf32>
  %s = "onnx.Sub"(%one, %c) : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = "onnx.Mul"(%s, %big) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %u = "onnx.Unsqueeze"(%m, %axes) : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x1x4xf32>
  %t = "onnx.Transpose"(%x) {perm = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
  %p = "onnx.Softmax"(%t) {axis = -1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %i = "onnx.Cast"(%ids) {to = 6 : i64} : (tensor<2x4xi64>) -> tensor<2x4xi32>
  return %u, %p, %i : tensor<2x1x1x4xf32>, tensor<2x3x4xf32>, tensor<2x4xi32>
}

// -----

// An opset < 13 softmax whose legacy axis turns out not to be the last one
// cannot be a one-axis softmax: an error, never a silent change.
func.func @legacy_softmax(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{failed to legalize operation 'onnx.Softmax' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %p = "onnx.Softmax"(%x) {axis = -1 : i64, legacy_axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %p : tensor<2x3x4xf32>
}

// -----

// LayerNormalization (opset 17) without a bias gets a zero beta.
// CHECK-LABEL: func.func @layer_normalization
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: bnq.layer_norm %arg0, %{{.*}}, %[[Z]] {epsilon = 9.99999974E-6 : f32}
func.func @layer_normalization(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %g = "onnx.Constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %y = "onnx.LayerNormalization"(%x, %g) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Quantization-aware training's activation QDQ pair (int8, zero point 0)
// becomes a static-clip quantize: clip = 127 * scale.
// CHECK-LABEL: func.func @qdq_pair
// CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %arg0 {bits = 8 : i32, clip = 2.540000e+00 : f32} : tensor<2x4xf32> -> tensor<2x4xi8>
// CHECK: %[[D:.*]] = bnq.dequantize %[[Q]], %[[S]] : tensor<2x4xi8> -> tensor<2x4xf32>
// CHECK: return %[[D]]
func.func @qdq_pair(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %s = "onnx.Constant"() {value = dense<0.02> : tensor<f32>} : () -> tensor<f32>
  %z = "onnx.Constant"() {value = dense<0> : tensor<i8>} : () -> tensor<i8>
  %q = "onnx.QuantizeLinear"(%x, %s, %z) : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xi8>
  %d = "onnx.DequantizeLinear"(%q, %s, %z) : (tensor<2x4xi8>, tensor<f32>, tensor<i8>) -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// The trainer's elastic binarization (1-bit activations), signed:
// Where(Less(Div(Sub(x, beta), alpha), 0), -alpha, alpha).
// CHECK-LABEL: func.func @binarize_signed
// CHECK: %[[B:.*]], %[[S:.*]] = bnq.binarize %arg0 {alpha = 7.500000e-01 : f32, beta = 1.250000e-01 : f32, signed_codes = true} : tensor<2x4xf32> -> tensor<2x4xi8>
// CHECK: %[[D:.*]] = bnq.dequantize %[[B]], %[[S]] : tensor<2x4xi8> -> tensor<2x4xf32>
// CHECK: return %[[D]]
func.func @binarize_signed(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %a = "onnx.Constant"() {value = dense<0.75> : tensor<f32>} : () -> tensor<f32>
  %na = "onnx.Constant"() {value = dense<-0.75> : tensor<f32>} : () -> tensor<f32>
  %b = "onnx.Constant"() {value = dense<0.125> : tensor<f32>} : () -> tensor<f32>
  %z = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %s = "onnx.Sub"(%x, %b) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %v = "onnx.Div"(%s, %a) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %c = "onnx.Less"(%v, %z) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%c, %na, %a) : (tensor<2x4xi1>, tensor<f32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Non-negative inputs (probabilities): Where(Less(0.5, v), alpha, 0).
// CHECK-LABEL: func.func @binarize_non_negative
// CHECK: bnq.binarize %arg0 {alpha = 2.500000e-01 : f32, beta = 0.000000e+00 : f32, signed_codes = false}
func.func @binarize_non_negative(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %a = "onnx.Constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %b = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %h = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %s = "onnx.Sub"(%x, %b) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %v = "onnx.Div"(%s, %a) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %c = "onnx.Less"(%h, %v) : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%c, %a, %b) : (tensor<2x4xi1>, tensor<f32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Selected values that are not alpha times the codes (-alpha, 2 alpha)
// are not a binarization: nothing raises the comparison (an error naming
// it), never a binarize with other values.
// CHECK-NOT: bnq.binarize
func.func @not_a_binarization(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %a = "onnx.Constant"() {value = dense<0.75> : tensor<f32>} : () -> tensor<f32>
  %na = "onnx.Constant"() {value = dense<-0.75> : tensor<f32>} : () -> tensor<f32>
  %a2 = "onnx.Constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
  %z = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %s = "onnx.Sub"(%x, %z) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %v = "onnx.Div"(%s, %a) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  // expected-error @+2 {{failed to legalize operation 'onnx.Less'}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %c = "onnx.Less"(%v, %z) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%c, %na, %a2) : (tensor<2x4xi1>, tensor<f32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// An asymmetric (uint8, zero point 128) pair has no bnq form: an error.
func.func @asymmetric_qdq(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = "onnx.Constant"() {value = dense<0.02> : tensor<f32>} : () -> tensor<f32>
  %z = "onnx.Constant"() {value = dense<128> : tensor<ui8>} : () -> tensor<ui8>
  // expected-error @+2 {{failed to legalize operation 'onnx.QuantizeLinear' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %q = "onnx.QuantizeLinear"(%x, %s, %z) : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  %d = "onnx.DequantizeLinear"(%q, %s, %z) : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// A weight stored quantized with a zero point (no bnq.quant_weight form)
// folds to its f32 values and feeds a linear; symmetric ones stay
// quantized (raise-quantized-weights.mlir).
// CHECK-LABEL: func.func @dequantized_weight
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[}}0.000000e+00, -1.000000e+00], [-2.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK: bnq.linear %arg0, %[[W]]
func.func @dequantized_weight(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = "onnx.Constant"() {value = dense<[[1, 0], [-1, 1]]> : tensor<2x2xi8>} : () -> tensor<2x2xi8>
  %s = "onnx.Constant"() {value = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = "onnx.Constant"() {value = dense<1> : tensor<2xi8>} : () -> tensor<2xi8>
  %w = "onnx.DequantizeLinear"(%q, %s, %z) {axis = 1 : i64} : (tensor<2x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2xf32>
  %y = "onnx.MatMul"(%x, %w) : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Clip with constant bounds (a learned activation clip) -> bnq.clamp; an
// absent bound is unbounded.
// CHECK-LABEL: func.func @clip
// CHECK: bnq.clamp %arg0 {max = 2.500000e+00 : f32, min = -2.500000e+00 : f32}
// CHECK: bnq.clamp %arg0 {max = 0x7F800000 : f32, min = 0.000000e+00 : f32}
func.func @clip(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %lo = "onnx.Constant"() {value = dense<-2.5> : tensor<f32>} : () -> tensor<f32>
  %hi = "onnx.Constant"() {value = dense<2.5> : tensor<f32>} : () -> tensor<f32>
  %zero = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %a = "onnx.Clip"(%x, %lo, %hi) {operandSegmentSizes = array<i32: 1, 1, 1>} : (tensor<4xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %b = "onnx.Clip"(%x, %zero) {operandSegmentSizes = array<i32: 1, 1, 0>} : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// An op with no bnq form is an error naming it, never dropped.
func.func @leftover(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error @+2 {{failed to legalize operation 'onnx.Equal' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %e = "onnx.Equal"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %e : tensor<4xi1>
}

// -----

// masked_fill(scores, mask == 0, min) as DistilBERT exports it: the mask
// becomes an exact {0, 1} f32 indicator relu(1 - m^2) times the fill value,
// added to the scores (so bnq-fuse-attention sees BERT's additive mask).
// CHECK-LABEL: func.func @masked_fill_where_equal
// CHECK-DAG: %[[FILL:.*]] = arith.constant dense<-3.40282347E+38> : tensor<f32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[M:.*]] = bnq.cast %arg1 : tensor<2x4xi64> -> tensor<2x4xf32>
// CHECK: %[[SQ:.*]] = bnq.mul %[[M]], %[[M]]
// CHECK: %[[D:.*]] = bnq.sub %[[ONE]], %[[SQ]]
// CHECK: %[[EQ:.*]] = bnq.unary relu %[[D]]
// CHECK: %[[B:.*]] = bnq.mul %[[EQ]], %[[FILL]]
// CHECK: %[[B4:.*]] = bnq.reshape %[[B]] : tensor<2x4xf32> -> tensor<2x1x1x4xf32>
// CHECK: bnq.add %arg0, %[[B4]] : (tensor<2x3x4x4xf32>, tensor<2x1x1x4xf32>) -> tensor<2x3x4x4xf32>
// CHECK-NOT: onnx.
func.func @masked_fill_where_equal(%scores: tensor<2x3x4x4xf32>, %mask: tensor<2x4xi64>) -> tensor<2x3x4x4xf32> {
  %zero = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %shape4 = "onnx.Constant"() {value = dense<[2, 1, 1, 4]> : tensor<4xi64>} : () -> tensor<4xi64>
  %full = "onnx.Constant"() {value = dense<[2, 3, 4, 4]> : tensor<4xi64>} : () -> tensor<4xi64>
  %min = "onnx.Constant"() {value = dense<-3.40282347E+38> : tensor<f32>} : () -> tensor<f32>
  %eq = "onnx.Equal"(%mask, %zero) : (tensor<2x4xi64>, tensor<i64>) -> tensor<2x4xi1>
  %r = "onnx.Reshape"(%eq, %shape4) : (tensor<2x4xi1>, tensor<4xi64>) -> tensor<2x1x1x4xi1>
  %e = "onnx.Expand"(%r, %full) : (tensor<2x1x1x4xi1>, tensor<4xi64>) -> tensor<2x3x4x4xi1>
  %y = "onnx.Where"(%e, %min, %scores) : (tensor<2x3x4x4xi1>, tensor<f32>, tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %y : tensor<2x3x4x4xf32>
}

// -----

// A boolean mask (a bool graph input), inverted: Where(Not(b), c, x) fills
// where b is false, i.e. c * (1 - relu(1 - b^2)) with b cast to f32.
// CHECK-LABEL: func.func @masked_fill_where_not_bool
// CHECK: %[[M:.*]] = bnq.cast %arg1 : tensor<2x4xi1> -> tensor<2x4xf32>
// CHECK: bnq.unary relu
// CHECK: bnq.add %arg0
// CHECK-NOT: onnx.
func.func @masked_fill_where_not_bool(%x: tensor<2x4xf32>, %keep: tensor<2x4xi1>) -> tensor<2x4xf32> {
  %min = "onnx.Constant"() {value = dense<-1.0e+04> : tensor<f32>} : () -> tensor<f32>
  %pad = "onnx.Not"(%keep) : (tensor<2x4xi1>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%pad, %min, %x) : (tensor<2x4xi1>, tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Cast(Not(b) -> i64) of a boolean b: 1 - b in f32, cast back.
// CHECK-LABEL: func.func @bool_not_cast
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[F:.*]] = bnq.cast %arg0 : tensor<2x4xi1> -> tensor<2x4xf32>
// CHECK: %[[I:.*]] = bnq.sub %[[ONE]], %[[F]]
// CHECK: bnq.cast %[[I]] : tensor<2x4xf32> -> tensor<2x4xi64>
// CHECK-NOT: onnx.
func.func @bool_not_cast(%pad: tensor<2x4xi1>) -> tensor<2x4xi64> {
  %keep = "onnx.Not"(%pad) : (tensor<2x4xi1>) -> tensor<2x4xi1>
  %i = "onnx.Cast"(%keep) {to = 7 : i64} : (tensor<2x4xi1>) -> tensor<2x4xi64>
  return %i : tensor<2x4xi64>
}

// -----

// The fill in the other branch and a nonzero key: Where(m == 1, x, c)
// fills where m != 1, i.e. 1 - relu(1 - (m - 1)^2).
// CHECK-LABEL: func.func @masked_fill_where_not_equal
// CHECK-DAG: %[[FILL:.*]] = arith.constant dense<-1.000000e+04> : tensor<f32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[M:.*]] = bnq.cast %arg1
// CHECK: %[[T:.*]] = bnq.sub %[[M]], %[[ONE]]
// CHECK: %[[SQ:.*]] = bnq.mul %[[T]], %[[T]]
// CHECK: %[[D:.*]] = bnq.sub %[[ONE]], %[[SQ]]
// CHECK: %[[EQ:.*]] = bnq.unary relu %[[D]]
// CHECK: %[[NE:.*]] = bnq.sub %[[ONE]], %[[EQ]]
// CHECK: %[[B:.*]] = bnq.mul %[[NE]], %[[FILL]]
// CHECK: bnq.add %arg0, %[[B]] : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
func.func @masked_fill_where_not_equal(%x: tensor<2x4xf32>, %mask: tensor<2x4xi32>) -> tensor<2x4xf32> {
  %one = "onnx.Constant"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>
  %fill = "onnx.Constant"() {value = dense<-1.0e4> : tensor<f32>} : () -> tensor<f32>
  %eq = "onnx.Equal"(%mask, %one) : (tensor<2x4xi32>, tensor<i32>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%eq, %x, %fill) : (tensor<2x4xi1>, tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A float comparison has no exact indicator form here: not raised, and
// the node is named.
func.func @masked_fill_float_mask(%x: tensor<2x4xf32>, %mask: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %zero = "onnx.Constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %fill = "onnx.Constant"() {value = dense<-1.0e4> : tensor<f32>} : () -> tensor<f32>
  // expected-error @+2 {{failed to legalize operation 'onnx.Equal' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %eq = "onnx.Equal"(%mask, %zero) : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%eq, %fill, %x) : (tensor<2x4xi1>, tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// RoBERTa's position ids as torch exports create_position_ids_from_input_ids
// (ne -> Not(Equal), .int(), cumsum, type_as, + past length 0, * mask,
// .long(), + padding_idx).
// CHECK-LABEL: func.func @position_ids
// CHECK: %[[P:.*]] = bnq.position_ids %arg0 {padding_idx = 1 : i64} : tensor<2x5xi64> -> tensor<2x5xi64>
// CHECK-NEXT: return %[[P]]
func.func @position_ids(%ids: tensor<2x5xi64>) -> tensor<2x5xi64> {
  %pad = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %axis = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %zero = "onnx.Constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %eq = "onnx.Equal"(%ids, %pad) : (tensor<2x5xi64>, tensor<i64>) -> tensor<2x5xi1>
  %ne = "onnx.Not"(%eq) : (tensor<2x5xi1>) -> tensor<2x5xi1>
  %m = "onnx.Cast"(%ne) {to = 6 : i64} : (tensor<2x5xi1>) -> tensor<2x5xi32>
  %c = "onnx.CumSum"(%m, %axis) : (tensor<2x5xi32>, tensor<i64>) -> tensor<2x5xi32>
  %ct = "onnx.Cast"(%c) {to = 6 : i64} : (tensor<2x5xi32>) -> tensor<2x5xi32>
  %c0 = "onnx.Add"(%ct, %zero) : (tensor<2x5xi32>, tensor<i32>) -> tensor<2x5xi32>
  %k = "onnx.Mul"(%c0, %m) : (tensor<2x5xi32>, tensor<2x5xi32>) -> tensor<2x5xi32>
  %l = "onnx.Cast"(%k) {to = 7 : i64} : (tensor<2x5xi32>) -> tensor<2x5xi64>
  %p = "onnx.Add"(%l, %pad) : (tensor<2x5xi64>, tensor<i64>) -> tensor<2x5xi64>
  return %p : tensor<2x5xi64>
}

// -----

// An offset that is not the padding id the mask compares with is some
// other computation: not raised, the first op named.
func.func @position_ids_other_offset(%ids: tensor<2x5xi64>) -> tensor<2x5xi64> {
  %pad = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %two = "onnx.Constant"() {value = dense<2> : tensor<i64>} : () -> tensor<i64>
  %axis = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  // expected-error @+2 {{failed to legalize operation 'onnx.Equal' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %eq = "onnx.Equal"(%ids, %pad) : (tensor<2x5xi64>, tensor<i64>) -> tensor<2x5xi1>
  %ne = "onnx.Not"(%eq) : (tensor<2x5xi1>) -> tensor<2x5xi1>
  %m = "onnx.Cast"(%ne) {to = 7 : i64} : (tensor<2x5xi1>) -> tensor<2x5xi64>
  %c = "onnx.CumSum"(%m, %axis) : (tensor<2x5xi64>, tensor<i64>) -> tensor<2x5xi64>
  %k = "onnx.Mul"(%c, %m) : (tensor<2x5xi64>, tensor<2x5xi64>) -> tensor<2x5xi64>
  %p = "onnx.Add"(%k, %two) : (tensor<2x5xi64>, tensor<i64>) -> tensor<2x5xi64>
  return %p : tensor<2x5xi64>
}

// -----

// A -inf fill (masked_fill(m, float("-inf"))) becomes the lowest finite
// float: 0 * inf would make every kept position NaN.
// CHECK-LABEL: func.func @masked_fill_minus_inf
// CHECK: arith.constant dense<-3.40282347E+38> : tensor<f32>
// CHECK-NOT: 0xFF800000
func.func @masked_fill_minus_inf(%x: tensor<2x4xf32>, %mask: tensor<2x4xi64>) -> tensor<2x4xf32> {
  %zero = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %fill = "onnx.Constant"() {value = dense<0xFF800000> : tensor<f32>} : () -> tensor<f32>
  %eq = "onnx.Equal"(%mask, %zero) : (tensor<2x4xi64>, tensor<i64>) -> tensor<2x4xi1>
  %y = "onnx.Where"(%eq, %fill, %x) : (tensor<2x4xi1>, tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Hugging Face's expanded 4-D mask (the SDPA path): Where(bool(1 - m), min,
// 1 - m) over an Expand to [B, 1, S, S] is min where m != 1: a [B, 1, 1, S]
// bias that the Add broadcasts itself (so attention can fuse).
// CHECK-LABEL: func.func @expanded_mask
// CHECK-DAG: %[[MIN:.*]] = arith.constant dense<-3.40282347E+38> : tensor<f32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[M:.*]] = bnq.cast %arg1 : tensor<2x8xi64> -> tensor<2x8xf32>
// CHECK: %[[T:.*]] = bnq.sub %[[M]], %[[ONE]]
// CHECK: %[[EQ:.*]] = bnq.unary relu
// CHECK: %[[NE:.*]] = bnq.sub %[[ONE]], %[[EQ]]
// CHECK: %[[B:.*]] = bnq.mul %[[NE]], %[[MIN]]
// CHECK: %[[B4:.*]] = bnq.reshape %[[B]] : tensor<2x8xf32> -> tensor<2x1x1x8xf32>
// CHECK: bnq.add %arg0, %[[B4]] : (tensor<2x4x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x4x8x8xf32>
// CHECK-NOT: onnx.
func.func @expanded_mask(%scores: tensor<2x4x8x8xf32>, %mask: tensor<2x8xi64>) -> tensor<2x4x8x8xf32> {
  %a1 = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %a2 = "onnx.Constant"() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %shape = "onnx.Constant"() {value = dense<[2, 1, 8, 8]> : tensor<4xi64>} : () -> tensor<4xi64>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %min = "onnx.Constant"() {value = dense<-3.40282347E+38> : tensor<f32>} : () -> tensor<f32>
  %u1 = "onnx.Unsqueeze"(%mask, %a1) : (tensor<2x8xi64>, tensor<1xi64>) -> tensor<2x1x8xi64>
  %u2 = "onnx.Unsqueeze"(%u1, %a2) : (tensor<2x1x8xi64>, tensor<1xi64>) -> tensor<2x1x1x8xi64>
  %e = "onnx.Expand"(%u2, %shape) : (tensor<2x1x1x8xi64>, tensor<4xi64>) -> tensor<2x1x8x8xi64>
  %f = "onnx.Cast"(%e) {to = 1 : i64} : (tensor<2x1x8x8xi64>) -> tensor<2x1x8x8xf32>
  %inv = "onnx.Sub"(%one, %f) : (tensor<f32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
  %b = "onnx.Cast"(%inv) {to = 9 : i64} : (tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xi1>
  %w = "onnx.Where"(%b, %min, %inv) : (tensor<2x1x8x8xi1>, tensor<f32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
  %y = "onnx.Add"(%scores, %w) : (tensor<2x4x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<2x4x8x8xf32>
  return %y : tensor<2x4x8x8xf32>
}

// -----

// The same mask read by something other than an Add of the full shape
// keeps its [B, 1, S, S] value: not rewritten, and the Expand is named.
func.func @expanded_mask_returned(%mask: tensor<2x8xi64>) -> tensor<2x1x8x8xf32> {
  %a1 = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %a2 = "onnx.Constant"() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %shape = "onnx.Constant"() {value = dense<[2, 1, 8, 8]> : tensor<4xi64>} : () -> tensor<4xi64>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %min = "onnx.Constant"() {value = dense<-3.40282347E+38> : tensor<f32>} : () -> tensor<f32>
  %u1 = "onnx.Unsqueeze"(%mask, %a1) : (tensor<2x8xi64>, tensor<1xi64>) -> tensor<2x1x8xi64>
  %u2 = "onnx.Unsqueeze"(%u1, %a2) : (tensor<2x1x8xi64>, tensor<1xi64>) -> tensor<2x1x1x8xi64>
  // expected-error @+2 {{failed to legalize operation 'onnx.Expand' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %e = "onnx.Expand"(%u2, %shape) : (tensor<2x1x1x8xi64>, tensor<4xi64>) -> tensor<2x1x8x8xi64>
  %f = "onnx.Cast"(%e) {to = 1 : i64} : (tensor<2x1x8x8xi64>) -> tensor<2x1x8x8xf32>
  %inv = "onnx.Sub"(%one, %f) : (tensor<f32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
  %b = "onnx.Cast"(%inv) {to = 9 : i64} : (tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xi1>
  %w = "onnx.Where"(%b, %min, %inv) : (tensor<2x1x8x8xi1>, tensor<f32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
  return %w : tensor<2x1x8x8xf32>
}

// -----

// A mask expanded along the queries ([B, 1, S, 1] -> [B, 1, S, S]) is not
// the keys' bias: not rewritten.
func.func @expanded_mask_over_queries(%scores: tensor<2x4x8x8xf32>, %mask: tensor<2x8xi64>) -> tensor<2x4x8x8xf32> {
  %a1 = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %a3 = "onnx.Constant"() {value = dense<3> : tensor<1xi64>} : () -> tensor<1xi64>
  %shape = "onnx.Constant"() {value = dense<[2, 1, 8, 8]> : tensor<4xi64>} : () -> tensor<4xi64>
  %one = "onnx.Constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %min = "onnx.Constant"() {value = dense<-3.40282347E+38> : tensor<f32>} : () -> tensor<f32>
  %u1 = "onnx.Unsqueeze"(%mask, %a1) : (tensor<2x8xi64>, tensor<1xi64>) -> tensor<2x1x8xi64>
  %u2 = "onnx.Unsqueeze"(%u1, %a3) : (tensor<2x1x8xi64>, tensor<1xi64>) -> tensor<2x1x8x1xi64>
  // expected-error @+2 {{failed to legalize operation 'onnx.Expand' that was explicitly marked illegal}}
  // expected-note @+1 {{no bnq form for it in this context}}
  %e = "onnx.Expand"(%u2, %shape) : (tensor<2x1x8x1xi64>, tensor<4xi64>) -> tensor<2x1x8x8xi64>
  %f = "onnx.Cast"(%e) {to = 1 : i64} : (tensor<2x1x8x8xi64>) -> tensor<2x1x8x8xf32>
  %inv = "onnx.Sub"(%one, %f) : (tensor<f32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
  %b = "onnx.Cast"(%inv) {to = 9 : i64} : (tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xi1>
  %w = "onnx.Where"(%b, %min, %inv) : (tensor<2x1x8x8xi1>, tensor<f32>, tensor<2x1x8x8xf32>) -> tensor<2x1x8x8xf32>
  %y = "onnx.Add"(%scores, %w) : (tensor<2x4x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<2x4x8x8xf32>
  return %y : tensor<2x4x8x8xf32>
}
