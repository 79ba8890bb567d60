// bnq.position_ids (RoBERTa's position numbering): the reference executor
// against numpy's formula on ids with padding inside and at the end, and
// the ONNX export (Equal/Not/Cast/CumSum/Mul/Add, as torch writes it)
// raised back to the same op, computing the same.
// RUN: bnbert-translate --export-onnx %s -o %t.onnx
// RUN: bnbert-translate --import-onnx %t.onnx | FileCheck %s --check-prefix=ONNX
// RUN: bnbert-translate --import-onnx %t.onnx | bnbert-opt -bnq-from-onnx | FileCheck %s
// RUN: %python -c "import numpy as np; np.save('%t.ids.npy', np.array([[0, 5, 1, 7, 1], [3, 4, 9, 1, 1]], dtype=np.int64))"
// RUN: %python -c "import numpy as np; ids = np.load('%t.ids.npy'); m = (ids != 1).astype(np.int64); np.save('%t.expected.npy', np.cumsum(m, axis=1) * m + 1)"
// RUN: bnbert-interpret %s --input ids=%t.ids.npy --output-dir %t.orig
// RUN: %python %fixtures/compare_npy.py %t.expected.npy %t.orig/positions.npy --atol 0
// RUN: bnbert-translate --import-onnx %t.onnx | bnbert-opt -bnq-from-onnx -o %t.back.mlir
// RUN: bnbert-interpret %t.back.mlir --input ids=%t.ids.npy --output-dir %t.back
// RUN: %python %fixtures/compare_npy.py %t.expected.npy %t.back/positions.npy --atol 0

// ONNX: "onnx.CumSum"
// CHECK: bnq.position_ids %arg0 {padding_idx = 1 : i64} : tensor<2x5xi64> -> tensor<2x5xi64>
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<2x5xi64> {onnx.name = "ids"}) -> (tensor<2x5xi64> {onnx.name = "positions"}) {
  %p = bnq.position_ids %ids {padding_idx = 1 : i64} : tensor<2x5xi64> -> tensor<2x5xi64>
  return %p : tensor<2x5xi64>
}
