// quantize(gelu(x)) with a dynamic clip (per sequence, masked) folds into
// quantize {input_gelu} too, erf and tanh forms: the runtime takes the clip
// from x's largest values and never stores the GELU. The reference
// executor gives the same codes and scales folded and unfused (a padding
// row whose values would set the clip is ignored either way). An integer
// GELU with a dynamic clip stays unfused (its clip needs every GELU first).
// RUN: bnbert-opt %s -bnq-lower-to-runtime -o %t.folded.mlir
// RUN: FileCheck %s < %t.folded.mlir
// RUN: %python -c "import numpy as np; r = np.random.default_rng(5); x = r.normal(size=(2, 3, 8)).astype(np.float32) * 2; x[0, 2] = 40; np.save('%t.x.npy', x); np.save('%t.m.npy', np.array([[0, 0, -1e4], [0, 0, 0]], dtype=np.float32))"
// RUN: bnbert-interpret %s --input x=%t.x.npy --input m=%t.m.npy --output-dir %t.orig
// RUN: bnbert-interpret %t.folded.mlir --input x=%t.x.npy --input m=%t.m.npy --output-dir %t.fold
// RUN: %python %fixtures/compare_npy.py %t.orig/erf.npy %t.fold/erf.npy --atol 0
// RUN: %python %fixtures/compare_npy.py %t.orig/tanh.npy %t.fold/tanh.npy --atol 0
// RUN: %python %fixtures/compare_npy.py %t.orig/integer.npy %t.fold/integer.npy --atol 0
// RUN: %python -c "import numpy as np; y = np.load('%t.fold/erf.npy'); assert 1 < y[0, 2].max() < 20, y  # padding saturates at its sequence's clip"

// CHECK: bnq.quantize %arg0 mask(%arg1 : tensor<2x3xf32>) {bits = 8 : i32, input_gelu = #bnq<gelu_approximation erf>}
// CHECK: bnq.quantize %arg0 mask(%arg1 : tensor<2x3xf32>) {bits = 8 : i32, input_gelu = #bnq<gelu_approximation tanh>}
// CHECK: %[[G:.*]] = bnq.gelu erf %arg0 {integer}
// CHECK: bnq.quantize %[[G]] mask(%arg1 : tensor<2x3xf32>) {bits = 8 : i32}
// CHECK-NOT: bnq.gelu
func.func @main(%x: tensor<2x3x8xf32> {onnx.name = "x"}, %m: tensor<2x3xf32> {onnx.name = "m"})
    -> (tensor<2x3x8xf32> {onnx.name = "erf"}, tensor<2x3x8xf32> {onnx.name = "tanh"},
        tensor<2x3x8xf32> {onnx.name = "integer"}) {
  %ge = bnq.gelu erf %x : tensor<2x3x8xf32>
  %qe, %se = bnq.quantize %ge mask(%m : tensor<2x3xf32>) {bits = 8 : i32} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<2xf32>
  %de = bnq.dequantize %qe, %se : tensor<2x3x8xi8> -> tensor<2x3x8xf32>, tensor<2xf32>
  %gt = bnq.gelu tanh %x : tensor<2x3x8xf32>
  %qt, %st = bnq.quantize %gt mask(%m : tensor<2x3xf32>) {bits = 8 : i32} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<2xf32>
  %dt = bnq.dequantize %qt, %st : tensor<2x3x8xi8> -> tensor<2x3x8xf32>, tensor<2xf32>
  %gi = bnq.gelu erf %x {integer} : tensor<2x3x8xf32>
  %qi, %si = bnq.quantize %gi mask(%m : tensor<2x3xf32>) {bits = 8 : i32} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<2xf32>
  %di = bnq.dequantize %qi, %si : tensor<2x3x8xi8> -> tensor<2x3x8xf32>, tensor<2xf32>
  return %de, %dt, %di : tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
