// RUN: bnbert-opt %s -bnq-binarybert | FileCheck %s --check-prefix=TWS
// RUN: bnbert-opt %s -bnq-binarybert="act-bits=32 granularity=row" | FileCheck %s --check-prefix=TWSROW
// RUN: bnbert-opt %s -bnq-binarize-direct="act-bits=4" | FileCheck %s --check-prefix=BWN
// RUN: bnbert-opt %s -bnq-quantize="weights=binary split-ternary=true" | FileCheck %s --check-prefix=TWS
// RUN: bnbert-opt %s -bnq-quantize="weights=binary act-bits=4" | FileCheck %s --check-prefix=BWN

// The BinaryBERT pipeline ends in two packed planes per linear with 8-bit
// activations; the head stays float.
// TWS-LABEL: func.func @ffn
// TWS-DAG: %[[W:.*]] = bnq.packed_weight bits({{.*}} : tensor<2x4x1xi64>) scales({{.*}} : tensor<2x1xf32>)
// TWS-DAG: %[[Q:.*]], %[[S:.*]] = bnq.quantize %{{.*}} {bits = 8 : i32}
// TWS-DAG: %[[D:.*]] = bnq.dequantize %[[Q]], %[[S]]
// TWS: bnq.linear %[[D]], %[[W]]
// TWS: bnq.linear %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<2x4xf32>)
// TWS-NOT: bnq.quant_weight
// TWS-NOT: bnq.bitplane_weight
// TWSROW-LABEL: func.func @ffn
// TWSROW: bnq.packed_weight bits({{.*}} : tensor<2x4x1xi64>) scales({{.*}} : tensor<2x4xf32>)
// TWSROW-NOT: bnq.quantize
// BWN-LABEL: func.func @ffn
// BWN-DAG: bnq.packed_weight bits({{.*}} : tensor<1x4x1xi64>) scales({{.*}} : tensor<1x1xf32>)
// BWN-DAG: bnq.quantize %{{.*}} {bits = 4 : i32}
func.func @ffn(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[0.3, -0.02, 0.5, -0.4], [0.01, 0.2, -0.6, 0.05], [-0.3, 0.03, 0.1, 0.7], [0.2, -0.8, 0.04, 0.02]]> : tensor<4x4xf32>
  %h = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %y = bnq.linear %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %g = bnq.gelu erf %y : tensor<2x4xf32>
  %z = bnq.linear %g, %h : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
  return %z : tensor<2x2xf32>
}
