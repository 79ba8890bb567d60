// Export errors name the op and exit 1.
// RUN: not bnbert-translate --export-onnx %s -o %t.onnx 2>&1 | FileCheck %s
// RUN: not bnbert-translate --export-onnx %s 2>&1 | FileCheck %s --check-prefix=OUT

// CHECK: error: 'bnq.linear' op cannot export its weight: a constant or bnq weight op is needed
// OUT: bnbert-translate: --export-onnx needs -o FILE.onnx
func.func @main(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %y = bnq.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
