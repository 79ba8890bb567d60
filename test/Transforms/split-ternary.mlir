// RUN: bnbert-opt %s -split-input-file -bnq-split-ternary -verify-diagnostics | FileCheck %s

// Hand-computed TWS (W = [0.1, -0.5, -0.05, 0.9], T = [0, -1, 0, 1],
// alpha = 0.7): b = (0.7*4 - 1.55) / 4 = 0.3125, so the zeros split into
// W1 = [0.4125, 0.3125], W2 = [-0.3125, -0.3625];
// a = (1.4 + 0.675 - 0.725) / 2.8 = 0.48214, so W1 = a W, W2 = (1 - a) W on
// the nonzeros. Both halves binarize with scale alpha / 2 = 0.35, and
// b1 + b2 = 2 T.
// CHECK-LABEL: func.func @per_tensor
// CHECK: %[[W:.*]] = bnq.bitplane_weight planes(dense<{{\[\[\[}}1, -1, 1, 1]], {{\[\[}}-1, -1, -1, 1]]]> : tensor<2x1x4xi8>) scales(dense<3.500000e-01> : tensor<2x1xf32>) latent(dense<{{\[\[\[}}4.125000e-01, -0.241071433, 3.125000e-01, 0.433928549]], {{\[\[}}-3.125000e-01, -0.258928567, -0.362499982, 0.466071427]]]> : tensor<2x1x4xf32>) : tensor<1x4xf32>
// CHECK: bnq.linear %{{.*}}, %[[W]]
func.func @per_tensor(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w = bnq.quant_weight ternary values(dense<[[0, -1, 0, 1]]> : tensor<1x4xi8>) scale(dense<0.7> : tensor<1xf32>) latent(dense<[[0.1, -0.5, -0.05, 0.9]]> : tensor<1x4xf32>) : tensor<1x4xf32>
  %y = bnq.linear %x, %w : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// Per-row weights split per row: each plane gets one scale per row, alpha/2.
// Row 0 is [0.2, 0.4] -> T = [0, 1], alpha 0.4; row 1 [-2, 1] -> [-1, 0], 2.
// CHECK-LABEL: func.func @per_row
// CHECK: bnq.bitplane_weight planes(dense<{{\[\[\[}}1, 1], [-1, 1]], {{\[\[}}-1, 1], [-1, -1]]]> : tensor<2x2x2xi8>) scales(dense<{{\[\[}}2.000000e-01, 1.000000e+00], [2.000000e-01, 1.000000e+00]]> : tensor<2x2xf32>)
func.func @per_row() -> tensor<2x2xf32> {
  %w = bnq.quant_weight ternary values(dense<[[0, 1], [-1, 0]]> : tensor<2x2xi8>) scale(dense<[0.4, 2.0]> : tensor<2xf32>) latent(dense<[[0.2, 0.4], [-2.0, 1.0]]> : tensor<2x2xf32>) : tensor<2x2xf32>
  return %w : tensor<2x2xf32>
}

// -----

func.func @binary_weight() -> tensor<1x2xf32> {
  // expected-error @+1 {{cannot split a binary weight: TWS splits ternary weights (run bnq-ternarize first)}}
  %w = bnq.quant_weight binary values(dense<[[1, -1]]> : tensor<1x2xi8>) scale(dense<0.5> : tensor<1xf32>) : tensor<1x2xf32>
  return %w : tensor<1x2xf32>
}

// -----

func.func @no_latent() -> tensor<1x2xf32> {
  // expected-error @+1 {{has no latent weight to split: run bnq-ternarize with keep-latent=true}}
  %w = bnq.quant_weight ternary values(dense<[[1, 0]]> : tensor<1x2xi8>) scale(dense<0.5> : tensor<1xf32>) : tensor<1x2xf32>
  return %w : tensor<1x2xf32>
}

// -----

func.func @inconsistent_latent() -> tensor<1x4xf32> {
  // TWN(latent) is [0, -1, 0, 1], not [1, -1, 0, 1].
  // expected-error @+1 {{ternary values are not the TWN ternarization of the latent weight (first difference at element 0); TWS cannot reproduce them}}
  %w = bnq.quant_weight ternary values(dense<[[1, -1, 0, 1]]> : tensor<1x4xi8>) scale(dense<0.7> : tensor<1xf32>) latent(dense<[[0.1, -0.5, -0.05, 0.9]]> : tensor<1x4xf32>) : tensor<1x4xf32>
  return %w : tensor<1x4xf32>
}
