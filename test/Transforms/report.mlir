// RUN: bnbert-opt %s -bnq-ternarize=keep-latent=true -bnq-split-ternary -bnq-pack-bits -bnq-report -o /dev/null 2>&1 | FileCheck %s
// RUN: bnbert-opt %s -bnq-binarize -bnq-report -o /dev/null 2>&1 | FileCheck %s --check-prefix=BIN

// 4x128 f32 = 2048 bytes; two packed planes = 2 * (4 rows * 2 words * 8
// bytes + 1 scale * 4 bytes) = 136 bytes. The head stays fp32.
// CHECK: weights of @encoder
// CHECK: name format shape fp32 bytes bytes ratio
// CHECK-DAG: encoder.ffn.weight packed 2-plane 4x128 2048 136 15.1x
// CHECK-DAG: classifier.weight fp32 2x4 32 32 1.0x
// CHECK: total 2080 168 12.4x
// Unpacked binary counts as one packed plane: 4 * 2 * 8 + 4 = 68 bytes.
// BIN: encoder.ffn.weight binary 4x128 2048 68 30.1x
func.func @encoder(%x: tensor<1x128xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<0.5> : tensor<4x128xf32> loc("encoder.ffn.weight")
  %h = arith.constant dense<1.0> : tensor<2x4xf32> loc("classifier.weight")
  %y = bnq.linear %x, %w : (tensor<1x128xf32>, tensor<4x128xf32>) -> tensor<1x4xf32>
  %g = bnq.gelu erf %y : tensor<1x4xf32>
  %z = bnq.linear %g, %h : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
