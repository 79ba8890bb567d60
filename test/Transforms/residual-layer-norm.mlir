// bnq-lower-to-runtime folds a residual add into the layer norm that alone
// reads it (the sum is never stored); an add with another user or one that
// broadcasts stays. The reference executor gives the folded function the
// same bits, and the ONNX exporter writes the fused op back as Add +
// LayerNormalization.
// RUN: bnbert-opt %s -bnq-lower-to-runtime -o %t.folded.mlir
// RUN: FileCheck %s < %t.folded.mlir
// RUN: %python -c "import numpy as np; r = np.random.default_rng(3); [np.save('%t.' + n + '.npy', r.normal(size=(2, 3, 8)).astype(np.float32) * 4) for n in 'ab']"
// RUN: bnbert-interpret %s --input a=%t.a.npy --input b=%t.b.npy --output-dir %t.orig
// RUN: bnbert-interpret %t.folded.mlir --input a=%t.a.npy --input b=%t.b.npy --output-dir %t.fold
// RUN: %python %fixtures/compare_npy.py %t.orig/y.npy %t.fold/y.npy --atol 0
// RUN: %python %fixtures/compare_npy.py %t.orig/z.npy %t.fold/z.npy --atol 0
// RUN: bnbert-translate --export-onnx %t.folded.mlir -o %t.onnx
// RUN: %python -c "import onnx; g = onnx.load('%t.onnx').graph; print(' '.join(n.op_type for n in g.node))" | FileCheck %s --check-prefix=EXPORT

// CHECK-LABEL: func.func @main
// CHECK: %[[Y:.*]] = bnq.layer_norm %arg0, %{{.*}}, %{{.*}} residual(%arg1 : tensor<2x3x8xf32>)
// The sum another op also reads stays an add.
// CHECK: %[[S:.*]] = bnq.add %[[Y]], %arg1
// CHECK: bnq.layer_norm %[[S]], %{{.*}}, %{{.*}} {
// CHECK: bnq.mul %[[S]]
// A broadcasting add stays.
// CHECK: %[[B:.*]] = bnq.add %{{.*}}, %{{.*}} : (tensor<2x3x8xf32>, tensor<8xf32>)
// CHECK: bnq.layer_norm %[[B]], %{{.*}}, %{{.*}} {
// EXPORT: Add LayerNormalization
func.func @main(%a: tensor<2x3x8xf32> {onnx.name = "a"}, %b: tensor<2x3x8xf32> {onnx.name = "b"})
    -> (tensor<2x3x8xf32> {onnx.name = "y"}, tensor<2x3x8xf32> {onnx.name = "z"}) {
  %g = arith.constant dense<[1.0, 0.5, 2.0, 1.5, 1.0, 0.25, 1.0, 3.0]> : tensor<8xf32>
  %beta = arith.constant dense<[0.0, 0.1, -0.2, 0.3, 0.0, 1.0, -1.0, 0.5]> : tensor<8xf32>
  %s0 = bnq.add %a, %b : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %y = bnq.layer_norm %s0, %g, %beta {epsilon = 1.0e-12 : f32} : tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  %s1 = bnq.add %y, %b : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %n1 = bnq.layer_norm %s1, %g, %beta {epsilon = 1.0e-5 : f32} : tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  %m = bnq.mul %s1, %n1 : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %s2 = bnq.add %m, %beta : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %z = bnq.layer_norm %s2, %g, %beta {epsilon = 1.0e-5 : f32} : tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %y, %z : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
