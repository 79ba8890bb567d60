// bnq-integer-nonlinear marks every GELU, softmax, layer norm and
// attention `integer`; the reference executor then computes I-BERT's
// integer forms (bnrt/integer_nonlinear.h): close to the float functions,
// not equal to them, and on the 2^-16 grid for probabilities (the softmax
// of two equal logits is equal). The exporter refuses the marked ops, and
// binary attention has no integer softmax.
// RUN: bnbert-opt %s -bnq-integer-nonlinear --split-input-file --verify-diagnostics | FileCheck %s
// RUN: %python -c "import sys; print(open('%s').read().split('// -' + '----')[0])" > %t.main.mlir
// RUN: bnbert-opt %t.main.mlir -bnq-integer-nonlinear -o %t.int.mlir
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.array([[-4, -1.5, -0.5, 0.0, 0.25, 0.25, 1.0, 3.0]], dtype=np.float32))"
// RUN: bnbert-interpret %t.main.mlir --input x=%t.x.npy --output-dir %t.float
// RUN: bnbert-interpret %t.int.mlir --input x=%t.x.npy --output-dir %t.int
// RUN: %python %fixtures/compare_npy.py %t.float/gelu.npy %t.int/gelu.npy --atol 0.02
// RUN: %python %fixtures/compare_npy.py %t.float/softmax.npy %t.int/softmax.npy --atol 0.002
// RUN: %python %fixtures/compare_npy.py %t.float/norm.npy %t.int/norm.npy --atol 0.002
// RUN: not %python %fixtures/compare_npy.py %t.float/gelu.npy %t.int/gelu.npy --atol 0 > /dev/null
// RUN: %python -c "import numpy as np; p = np.load('%t.int/softmax.npy'); assert (p * 65536 == np.round(p * 65536)).all() and p[0, 4] == p[0, 5], p"
// RUN: not bnbert-translate --export-onnx %t.int.mlir -o %t.onnx 2>&1 | FileCheck %s --check-prefix=EXPORT

// CHECK-LABEL: func.func @main
// CHECK: bnq.gelu erf %arg0 {integer}
// CHECK: bnq.softmax %arg0 {axis = -1 : i64, integer}
// CHECK: bnq.layer_norm %arg0, %{{.*}}, %{{.*}} {epsilon = 9.99999996E-13 : f32, integer}
// EXPORT: 'bnq.gelu' op with integer (bnq-integer-nonlinear) is not exported: export before it
func.func @main(%x: tensor<1x8xf32> {onnx.name = "x"})
    -> (tensor<1x8xf32> {onnx.name = "gelu"}, tensor<1x8xf32> {onnx.name = "softmax"},
        tensor<1x8xf32> {onnx.name = "norm"}) {
  %g = bnq.gelu erf %x : tensor<1x8xf32>
  %s = bnq.softmax %x {axis = -1 : i64} : tensor<1x8xf32>
  %gamma = arith.constant dense<[1.0, 2.0, 0.5, 1.0, 1.0, 1.0, -1.0, 1.0]> : tensor<8xf32>
  %beta = arith.constant dense<0.125> : tensor<8xf32>
  %n = bnq.layer_norm %x, %gamma, %beta {epsilon = 1.0e-12 : f32} : tensor<1x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %g, %s, %n : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

func.func @binary(%q: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{binarized probabilities (binary attention) have no integer softmax}}
  %a = bnq.attention %q, %q, %q {num_heads = 2 : i64, scale = 0.5 : f32, prob_alpha = 0.25 : f32, prob_beta = 0.0 : f32} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}

// -----

func.func @wide(%x: tensor<1x8193xf32>, %g: tensor<8193xf32>) -> tensor<1x8193xf32> {
  // expected-error @+1 {{integer layer norm takes rows of at most 8192 values, got 8193}}
  %n = bnq.layer_norm %x, %g, %g {epsilon = 1.0e-5 : f32} : tensor<1x8193xf32>, tensor<8193xf32>, tensor<8193xf32>
  return %n : tensor<1x8193xf32>
}
