// An integer GELU (bnq-integer-nonlinear) folds into its static-clip
// quantize too: bnq-lower-to-runtime sets input_gelu_integer, and the
// reference executor gives the same codes folded and unfused, on points
// around the integer GELU's minimum (2-bit code -1) and around the code
// thresholds; the codes differ from the float GELU's somewhere.
// RUN: bnbert-opt %s -bnq-lower-to-runtime -o %t.folded.mlir
// RUN: FileCheck %s < %t.folded.mlir
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[-3, -1.2, -0.9, -0.75, -0.6, -0.3], [-0.05, 0.0, 0.1, 0.17, 0.3, 2.0], [0.2, 0.205, 0.21, 0.2138, -1.38, -1.2]], dtype=np.float32))"
// RUN: bnbert-interpret %s --input x=%t.x.npy --output-dir %t.orig
// RUN: bnbert-interpret %t.folded.mlir --input x=%t.x.npy --output-dir %t.fold
// RUN: %python %fixtures/compare_npy.py %t.orig/y.npy %t.fold/y.npy --atol 0
// RUN: sed 's/ {integer}//' %s > %t.float.mlir
// RUN: bnbert-interpret %t.float.mlir --input x=%t.x.npy --output-dir %t.float
// RUN: not %python %fixtures/compare_npy.py %t.orig/y.npy %t.float/y.npy --atol 0 > /dev/null

// CHECK: bnq.quantize %arg0 {bits = 2 : i32, clip = 2.500000e-01 : f32, input_gelu = #bnq<gelu_approximation erf>, input_gelu_integer}
// CHECK-NOT: bnq.gelu
func.func @main(%x: tensor<3x6xf32> {onnx.name = "x"}) -> (tensor<3x6xf32> {onnx.name = "y"}) {
  %g = bnq.gelu erf %x {integer} : tensor<3x6xf32>
  %q, %s = bnq.quantize %g {bits = 2 : i32, clip = 0.25 : f32} : tensor<3x6xf32> -> tensor<3x6xi8>
  %d = bnq.dequantize %q, %s : tensor<3x6xi8> -> tensor<3x6xf32>
  return %d : tensor<3x6xf32>
}
