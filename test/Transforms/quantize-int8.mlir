// RUN: bnbert-opt %s -split-input-file -bnq-quantize-int8 | FileCheck %s
// RUN: bnbert-opt %s -split-input-file -bnq-quantize-int8="linear-granularity=row" | FileCheck %s --check-prefix=ROW

// Symmetric int8: scale = max|W| / 127 = 0.02; codes round half to even (-0.03 / 0.02 = -1.5 -> -2).
// CHECK-LABEL: func.func @linear
// CHECK: %[[W:.*]] = bnq.quant_weight int8 values(dense<{{\[\[}}127, 50], [-2, 2]]> : tensor<2x2xi8>) scale(dense<2.000000e-02> : tensor<1xf32>) : tensor<2x2xf32>
// CHECK: bnq.linear %{{.*}}, %[[W]]
// ROW-LABEL: func.func @linear
// ROW: values(dense<{{\[\[}}127, 50], [-127, 127]]> : tensor<2x2xi8>) scale(dense<[2.000000e-02, 2.36220469E-4]> : tensor<2xf32>)
func.func @linear(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[2.54, 1.0], [-0.03, 0.03]]> : tensor<2x2xf32>
  %y = bnq.linear %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %z = bnq.tanh %y : tensor<3x2xf32>
  return %z : tensor<3x2xf32>
}

// -----

// Already int8-valued weights (a QAT export) come back unchanged: same codes
// and scale.
// CHECK-LABEL: func.func @idempotent
// CHECK: bnq.quant_weight int8 values(dense<{{\[\[}}127, -64], [3, 0]]> : tensor<2x2xi8>) scale(dense<5.000000e-01> : tensor<1xf32>)
func.func @idempotent(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[63.5, -32.0], [1.5, 0.0]]> : tensor<2x2xf32>
  %y = bnq.linear %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %z = bnq.tanh %y : tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
