// RUN: bnbert-opt %s -split-input-file -bnq-quantize-activations | FileCheck %s
// RUN: bnbert-opt %s -split-input-file -bnq-quantize-activations="bits=4 attention=false" | FileCheck %s --check-prefix=A4
// RUN: not bnbert-opt %s -split-input-file -bnq-quantize-activations="bits=9" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: bnbert-opt %s -split-input-file -bnq-quantize-activations="per-sequence=false" | FileCheck %s --check-prefix=TENSOR

// BAD: error: bnq-quantize-activations: bits must be in [2, 8], got 9

// The input shared by two quantized linears gets one QDQ pair; the float
// linear (classifier) keeps its float input.
// CHECK-LABEL: func.func @linears
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[Q:.*]], %[[S:.*]] = bnq.quantize %[[X]] {bits = 8 : i32} : tensor<2x3xf32> -> tensor<2x3xi8>, tensor<2xf32>
// CHECK: %[[D:.*]] = bnq.dequantize %[[Q]], %[[S]] : tensor<2x3xi8> -> tensor<2x3xf32>, tensor<2xf32>
// CHECK: %[[A:.*]] = bnq.linear %[[D]], %{{.*}}
// CHECK: %[[B:.*]] = bnq.linear %[[D]], %{{.*}}
// CHECK-NOT: bnq.quantize
// CHECK: bnq.linear %[[B]], %{{.*}}
// A4-LABEL: func.func @linears
// A4-COUNT-1: bnq.quantize %{{.*}} {bits = 4 : i32}
// A4-NOT: bnq.quantize
// One scale per tensor on request.
// TENSOR-LABEL: func.func @linears
// TENSOR: bnq.quantize %{{.*}} {bits = 8 : i32} : tensor<2x3xf32> -> tensor<2x3xi8>{{$}}
func.func @linears(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = bnq.quant_weight binary values(dense<1> : tensor<3x3xi8>) scale(dense<0.5> : tensor<1xf32>) : tensor<3x3xf32>
  %f = arith.constant dense<1.0> : tensor<3x3xf32>
  %a = bnq.linear %x, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %b = bnq.linear %x, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %c = bnq.linear %b, %f : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// A value already dequantized (a static clip from the model) is kept.
// CHECK-LABEL: func.func @already_quantized
// A4-LABEL: func.func @already_quantized
// CHECK: bnq.quantize %{{.*}} {bits = 8 : i32, clip = 2.000000e+00 : f32}
// CHECK-NOT: bnq.quantize
func.func @already_quantized(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q, %s = bnq.quantize %x {bits = 8 : i32, clip = 2.0 : f32} : tensor<2x3xf32> -> tensor<2x3xi8>
  %d = bnq.dequantize %q, %s : tensor<2x3xi8> -> tensor<2x3xf32>
  %w = bnq.packed_weight bits(dense<0> : tensor<1x3x1xi64>) scales(dense<0.5> : tensor<1x1xf32>) : tensor<3x3xf32>
  %y = bnq.linear %d, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Query, key and value are quantized (one pair for a shared value) and the
// probabilities get prob_bits.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[QRY:[^:]*]]: tensor<1x4x8xf32>, %[[KV:[^:]*]]: tensor<1x4x8xf32>)
// CHECK-DAG: bnq.quantize %[[QRY]] {bits = 8 : i32}
// CHECK-DAG: bnq.quantize %[[KV]] {bits = 8 : i32}
// CHECK: bnq.attention %[[DQ:.*]], %[[DK:.*]], %[[DK]] {num_heads = 2 : i64, prob_bits = 8 : i32, scale = 5.000000e-01 : f32}
// A4-LABEL: func.func @attention
// A4-NOT: bnq.quantize
// A4: bnq.attention %{{.*}} {num_heads = 2 : i64, scale = 5.000000e-01 : f32}
func.func @attention(%q: tensor<1x4x8xf32>, %kv: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %y = bnq.attention %q, %kv, %kv {num_heads = 2 : i64, scale = 0.5 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// A symmetric clamp (an ONNX Clip from quantization-aware training) gives
// its operand a static clip; an asymmetric one does not.
// CHECK-LABEL: func.func @clamped
// A4-LABEL: func.func @clamped
// CHECK: %[[C:.*]] = bnq.clamp
// CHECK: bnq.quantize %[[C]] {bits = 8 : i32, clip = 1.500000e+00 : f32}
// CHECK: %[[R:.*]] = bnq.clamp
// CHECK: bnq.quantize %[[R]] {bits = 8 : i32} :
// A4: bnq.quantize %{{.*}} {bits = 4 : i32, clip = 1.500000e+00 : f32}
func.func @clamped(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %w = bnq.quant_weight binary values(dense<1> : tensor<3x3xi8>) scale(dense<0.5> : tensor<1xf32>) : tensor<3x3xf32>
  %c = bnq.clamp %x {min = -1.5 : f32, max = 1.5 : f32} : tensor<2x3xf32>
  %a = bnq.linear %c, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %r = bnq.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %b = bnq.linear %r, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %a, %b : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Dynamic scales per sequence skip padding: the attention mask every
// attention shares goes to each [B, S, ...] quantizer, which is placed
// after the mask is computed.
// CHECK-LABEL: func.func @sequence_scales
// CHECK: %[[M:.*]] = bnq.mul
// CHECK: bnq.quantize %arg0 mask(%[[M]] : tensor<2x4xf32>) {bits = 8 : i32} : tensor<2x4x8xf32> -> tensor<2x4x8xi8>, tensor<2xf32>
// CHECK: bnq.attention
// TENSOR-LABEL: func.func @sequence_scales
// TENSOR-NOT: mask(
// TENSOR: bnq.attention
func.func @sequence_scales(%x: tensor<2x4x8xf32>, %m: tensor<2x4xf32>) -> tensor<2x4x8xf32> {
  %w = bnq.quant_weight binary values(dense<1> : tensor<8x8xi8>) scale(dense<0.5> : tensor<1xf32>) : tensor<8x8xf32>
  %c = arith.constant dense<-10000.0> : tensor<f32>
  %bias = bnq.mul %m, %c : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %q = bnq.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %y = bnq.attention %q, %q, %q mask(%bias) {num_heads = 2 : i64, scale = 0.5 : f32} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// A pooled [B, H] value whose H equals the sequence length S is not a
// token tensor: its per-sequence scale covers every unit, without the mask.
// CHECK-LABEL: func.func @pooled_not_masked
// CHECK: bnq.quantize %arg2 {bits = 8 : i32} : tensor<2x4xf32> -> tensor<2x4xi8>, tensor<2xf32>
func.func @pooled_not_masked(%x: tensor<2x4x4xf32>, %m: tensor<2x4xf32>, %p: tensor<2x4xf32>) -> (tensor<2x4x4xf32>, tensor<2x4xf32>) {
  %w = bnq.quant_weight binary values(dense<1> : tensor<4x4xi8>) scale(dense<0.5> : tensor<1xf32>) : tensor<4x4xf32>
  %c = arith.constant dense<-10000.0> : tensor<f32>
  %bias = bnq.mul %m, %c : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %y = bnq.attention %x, %x, %x mask(%bias) {num_heads = 2 : i64, scale = 0.5 : f32} : (tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4xf32>) -> tensor<2x4x4xf32>
  %pooled = bnq.linear %p, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %y, %pooled : tensor<2x4x4xf32>, tensor<2x4xf32>
}
