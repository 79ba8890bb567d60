// RUN: bnbert-opt %s -split-input-file -bnq-binarize | FileCheck %s
// RUN: bnbert-opt %s -split-input-file -bnq-binarize="linear-granularity=row keep-output-linears=false quantize-embeddings=false" | FileCheck %s --check-prefix=ROW
// RUN: not bnbert-opt %s -split-input-file -bnq-binarize="linear-granularity=column" 2>&1 | FileCheck %s --check-prefix=BAD

// BWN: zero counts as +1; alpha = mean|W| = 0.5 (rows: 0.25 and 0.75).
// CHECK-LABEL: func.func @linear
// CHECK: %[[W:.*]] = bnq.quant_weight binary values(dense<{{\[\[}}1, -1], [1, -1]]> : tensor<2x2xi8>) scale(dense<5.000000e-01> : tensor<1xf32>) : tensor<2x2xf32>
// CHECK: bnq.linear %{{.*}}, %[[W]]
// ROW-LABEL: func.func @linear
// ROW: scale(dense<[2.500000e-01, 7.500000e-01]> : tensor<2xf32>)
// BAD: for the --linear-granularity option: Cannot find option named 'column'!
func.func @linear(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[0.0, -0.5], [0.25, -1.25]]> : tensor<2x2xf32>
  %y = bnq.linear %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %z = bnq.tanh %y : tensor<3x2xf32>
  return %z : tensor<3x2xf32>
}

// -----

// By default the head (returned directly) keeps the float constant while the
// other use is binarized. With keep-output-linears=false both uses share one
// quant_weight.
// CHECK-LABEL: func.func @shared
// CHECK: %[[Q:.*]] = bnq.quant_weight binary
// CHECK: %[[F:.*]] = arith.constant
// CHECK: bnq.linear %{{.*}}, %[[Q]]
// CHECK: bnq.linear %{{.*}}, %[[F]]
// ROW-LABEL: func.func @shared
// ROW: %[[W:.*]] = bnq.quant_weight binary
// ROW-NOT: bnq.quant_weight
// ROW: bnq.linear %{{.*}}, %[[W]]
// ROW: bnq.linear %{{.*}}, %[[W]]
func.func @shared(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [3.0, -4.0]]> : tensor<2x2xf32>
  %a = bnq.linear %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %b = bnq.linear %a, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %b : tensor<1x2xf32>
}
