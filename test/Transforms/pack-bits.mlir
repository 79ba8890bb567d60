// RUN: bnbert-opt %s -split-input-file -bnq-pack-bits | FileCheck %s

// Binary, 70 columns: two words per row; a -1 sets its bit
// (bnrt/bitpack.h). Row 0 has -1 at columns 0, 3 and 69: words 9 and 1 << 5.
// Row 1 has -1 at column 64: words 0 and 1.
// CHECK-LABEL: func.func @binary_two_words
// CHECK: bnq.packed_weight bits(dense<{{\[\[\[}}9, 32], [0, 1]]]> : tensor<1x2x2xi64>) scales(dense<[{{\[}}2.500000e-01, 5.000000e-01]]> : tensor<1x2xf32>) : tensor<2x70xf32>
// CHECK-NOT: bnq.quant_weight
func.func @binary_two_words() -> tensor<2x70xf32> {
  %w = bnq.quant_weight binary values(dense<[[-1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1]]> : tensor<2x70xi8>) scale(dense<[0.25, 0.5]> : tensor<2xf32>) : tensor<2x70xf32>
  return %w : tensor<2x70xf32>
}

// -----

// Ternary t = (b1 + b2) / 2 with b1 = (t >= 0 ? 1 : -1), b2 = (t > 0 ? 1 : -1):
// [0, -1, 0, 1] -> b1 = [1, -1, 1, 1] (bits 0b0010), b2 = [-1, -1, -1, 1]
// (bits 0b0111); both planes scale alpha / 2.
// CHECK-LABEL: func.func @ternary
// CHECK: bnq.packed_weight bits(dense<{{\[\[\[}}2]], {{\[\[}}7]]]> : tensor<2x1x1xi64>) scales(dense<3.500000e-01> : tensor<2x1xf32>) : tensor<1x4xf32>
func.func @ternary() -> tensor<1x4xf32> {
  %w = bnq.quant_weight ternary values(dense<[[0, -1, 0, 1]]> : tensor<1x4xi8>) scale(dense<0.7> : tensor<1xf32>) latent(dense<[[0.1, -0.5, -0.05, 0.9]]> : tensor<1x4xf32>) : tensor<1x4xf32>
  return %w : tensor<1x4xf32>
}

// -----

// Bit planes keep their planes and scales; the latent halves are dropped.
// CHECK-LABEL: func.func @bitplane
// CHECK: bnq.packed_weight bits(dense<{{\[\[\[}}4], [2]], {{\[\[}}6], [1]]]> : tensor<2x2x1xi64>) scales(dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>) : tensor<2x3xf32>
func.func @bitplane() -> tensor<2x3xf32> {
  %w = bnq.bitplane_weight planes(dense<[[[1, 1, -1], [1, -1, 1]], [[1, -1, -1], [-1, 1, 1]]]> : tensor<2x2x3xi8>) scales(dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>) latent(dense<0.5> : tensor<2x2x3xf32>) : tensor<2x3xf32>
  return %w : tensor<2x3xf32>
}

// -----

// int8 weights stay for the int8 kernels.
// CHECK-LABEL: func.func @int8
// CHECK: bnq.quant_weight int8
// CHECK-NOT: bnq.packed_weight
func.func @int8() -> tensor<1x2xf32> {
  %w = bnq.quant_weight int8 values(dense<[[5, -7]]> : tensor<1x2xi8>) scale(dense<0.1> : tensor<1xf32>) : tensor<1x2xf32>
  return %w : tensor<1x2xf32>
}
