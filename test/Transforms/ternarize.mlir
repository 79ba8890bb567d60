// RUN: bnbert-opt %s -split-input-file -bnq-ternarize | FileCheck %s
// RUN: bnbert-opt %s -split-input-file -bnq-ternarize="linear-granularity=row keep-latent=true" | FileCheck %s --check-prefix=ROW
// RUN: bnbert-opt %s -split-input-file -bnq-ternarize -bnq-ternarize | FileCheck %s --check-prefix=TWICE

// Hand-computed TWN: mean|W| = 0.3875, Delta = 0.27125, keeps -0.5 and 0.9,
// alpha = 0.7. Per row: row 0 mean 0.3 keeps -0.5 (alpha 0.5); row 1 mean
// 0.475 keeps 0.9 (alpha 0.9).
// CHECK-LABEL: func.func @linear
// CHECK-NOT: arith.constant dense<{{\[\[}}1.0
// CHECK: %[[W:.*]] = bnq.quant_weight ternary values(dense<{{\[\[}}0, -1], [0, 1]]> : tensor<2x2xi8>) scale(dense<0.699999988> : tensor<1xf32>) : tensor<2x2xf32>
// CHECK: bnq.linear %{{.*}}, %[[W]], %{{.*}}
// ROW-LABEL: func.func @linear
// ROW: bnq.quant_weight ternary values(dense<{{\[\[}}0, -1], [0, 1]]> : tensor<2x2xi8>) scale(dense<[5.000000e-01, 0.899999976]> : tensor<2xf32>) latent(dense<{{\[\[}}1.000000e-01, -5.000000e-01], [5.000000e-02, 0.899999976]]> : tensor<2x2xf32>)
// The second run finds no float constant left to quantize.
// TWICE-LABEL: func.func @linear
// TWICE: bnq.quant_weight ternary values(dense<{{\[\[}}0, -1], [0, 1]]> : tensor<2x2xi8>) scale(dense<0.699999988> : tensor<1xf32>)
// TWICE-NOT: bnq.quant_weight
func.func @linear(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[0.1, -0.5], [0.05, 0.9]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = bnq.linear %x, %w, %b : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %z = bnq.gelu erf %y : tensor<3x2xf32>
  return %z : tensor<3x2xf32>
}

// -----

// A QAT export whose float weight is already ternary-valued ({-a, 0, a})
// comes through with the same values and scale.
// CHECK-LABEL: func.func @already_ternary
// TWICE-LABEL: func.func @already_ternary
// CHECK: bnq.quant_weight ternary values(dense<{{\[\[}}1, 0, -1], [0, -1, 1]]> : tensor<2x3xi8>) scale(dense<3.750000e-02> : tensor<1xf32>)
func.func @already_ternary(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.0375, 0.0, -0.0375], [0.0, -0.0375, 0.0375]]> : tensor<2x3xf32>
  %y = bnq.linear %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %z = bnq.tanh %y : tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}

// -----

// Defaults: the classifier (returned directly) stays float; the word table
// (most rows) is ternarized per row, the position table stays float.
// CHECK-LABEL: func.func @selection
// CHECK-DAG: %[[POS:.*]] = arith.constant dense<5.000000e-01> : tensor<4x2xf32>
// CHECK-DAG: %[[CLS:.*]] = arith.constant dense<2.000000e+00> : tensor<3x2xf32>
// CHECK-DAG: %[[WORD:.*]] = bnq.quant_weight ternary values(dense<{{\[\[}}0, 1], [-1, 0], [1, 1], [0, -1], [0, 1], [1, 0]]> : tensor<6x2xi8>) scale(dense<[2.000000e+00, 3.000000e+00, 1.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>)
// CHECK-DAG: bnq.embedding %[[WORD]]
// CHECK-DAG: bnq.embedding %[[POS]]
// CHECK-DAG: bnq.linear %{{.*}}, %[[CLS]]
func.func @selection(%ids: tensor<4xi64>, %pos: tensor<4xi64>) -> tensor<4x3xf32> {
  %word = arith.constant dense<[[0.1, 2.0], [-3.0, 0.2], [1.0, 1.0], [0.0, -4.0], [0.3, 5.0], [6.0, 0.1]]> : tensor<6x2xf32>
  %ptab = arith.constant dense<0.5> : tensor<4x2xf32>
  %cls = arith.constant dense<2.0> : tensor<3x2xf32>
  %e = bnq.embedding %word[%ids] : (tensor<6x2xf32>, tensor<4xi64>) -> tensor<4x2xf32>
  %p = bnq.embedding %ptab[%pos] : (tensor<4x2xf32>, tensor<4xi64>) -> tensor<4x2xf32>
  %s = bnq.add %e, %p : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = bnq.linear %s, %cls : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
