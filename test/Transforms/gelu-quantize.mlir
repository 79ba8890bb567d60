// quantize(gelu(x)) folded into quantize {input_gelu} by
// bnq-lower-to-runtime computes the same codes in the reference executor
// (on points around GELU's minimum, where the 2-bit code is -1, and around
// the code thresholds), and the ONNX exporter, which
// writes only the graph before the fold, names the op it refuses.
// RUN: bnbert-opt %s -bnq-lower-to-runtime -o %t.folded.mlir
// RUN: FileCheck %s < %t.folded.mlir
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[-3, -1.2, -0.9, -0.75, -0.6, -0.3], [-0.05, 0.0, 0.1, 0.17, 0.3, 2.0]], dtype=np.float32))"
// RUN: bnbert-interpret %s --input x=%t.x.npy --output-dir %t.orig
// RUN: bnbert-interpret %t.folded.mlir --input x=%t.x.npy --output-dir %t.fold
// RUN: %python %fixtures/compare_npy.py %t.orig/y.npy %t.fold/y.npy --atol 0
// RUN: %python -c "import numpy as np; y = np.load('%t.fold/y.npy'); assert set(np.round(y / 0.25).astype(int).ravel()) == {-1, 0, 1}, y"
// RUN: not bnbert-translate --export-onnx %t.folded.mlir -o %t.onnx 2>&1 | FileCheck %s --check-prefix=EXPORT

// CHECK: bnq.quantize %arg0 {bits = 2 : i32, clip = 2.500000e-01 : f32, input_gelu = #bnq<gelu_approximation erf>}
// CHECK-NOT: bnq.gelu
// EXPORT: 'bnq.quantize' op with input_gelu (bnq-lower-to-runtime's fold) is not exported: export before it
func.func @main(%x: tensor<2x6xf32> {onnx.name = "x"}) -> (tensor<2x6xf32> {onnx.name = "y"}) {
  %g = bnq.gelu erf %x : tensor<2x6xf32>
  %q, %s = bnq.quantize %g {bits = 2 : i32, clip = 0.25 : f32} : tensor<2x6xf32> -> tensor<2x6xi8>
  %d = bnq.dequantize %q, %s : tensor<2x6xi8> -> tensor<2x6xf32>
  return %d : tensor<2x6xf32>
}
