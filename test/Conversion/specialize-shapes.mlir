// RUN: bnbert-opt %s -split-input-file -onnx-specialize-shapes | FileCheck %s

// torch's view(b, s, heads, head_dim): Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape folds to a constant shape and a static Reshape type;
// the function result type follows.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: -> tensor<2x8x4x8xf32>
// CHECK: %[[C:.*]] = "onnx.Constant"() {value = dense<[2, 8, 4, 8]> : tensor<4xi64>}
// CHECK: %[[R:.*]] = "onnx.Reshape"(%{{.*}}, %[[C]]) {{.*}} : (tensor<2x8x32xf32>, tensor<4xi64>) -> tensor<2x8x4x8xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x8x32xf32>) -> tensor<?x?x4x8xf32> {
  %s = "onnx.Shape"(%x) : (tensor<2x8x32xf32>) -> tensor<3xi64>
  %i0 = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %b = "onnx.Gather"(%s, %i0) {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %i1 = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %n = "onnx.Gather"(%s, %i1) {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %ax = "onnx.Constant"() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %bu = "onnx.Unsqueeze"(%b, %ax) : (tensor<i64>, tensor<1xi64>) -> tensor<*xi64>
  %nu = "onnx.Unsqueeze"(%n, %ax) : (tensor<i64>, tensor<1xi64>) -> tensor<*xi64>
  %h = "onnx.Constant"() {value = dense<[4, 8]> : tensor<2xi64>} : () -> tensor<2xi64>
  %shape = "onnx.Concat"(%bu, %nu, %h) {axis = 0 : i64} : (tensor<*xi64>, tensor<*xi64>, tensor<2xi64>) -> tensor<?xi64>
  %r = "onnx.Reshape"(%x, %shape) : (tensor<2x8x32xf32>, tensor<?xi64>) -> tensor<?x?x4x8xf32>
  return %r : tensor<?x?x4x8xf32>
}

// -----

// Position ids: a buffer sliced to the sequence length, and -1 in Reshape.
// CHECK-LABEL: func.func @slice_and_infer
// CHECK: "onnx.Constant"() {value = dense<{{\[\[}}0, 1, 2]]> : tensor<1x3xi64>}
// CHECK-NOT: onnx.Slice
// CHECK: "onnx.Reshape"{{.*}} -> tensor<3x8xf32>
func.func @slice_and_infer(%x: tensor<1x3x8xf32>) -> (tensor<?x?xi64>, tensor<?x8xf32>) {
  %buf = "onnx.Constant"() {value = dense<[[0, 1, 2, 3, 4, 5]]> : tensor<1x6xi64>} : () -> tensor<1x6xi64>
  %s = "onnx.Shape"(%x) {start = 1 : i64, end = 2 : i64} : (tensor<1x3x8xf32>) -> tensor<1xi64>
  %zero = "onnx.Constant"() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %one = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %p = "onnx.Slice"(%buf, %zero, %s, %one) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0>} : (tensor<1x6xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xi64>
  %t = "onnx.Constant"() {value = dense<[-1, 8]> : tensor<2xi64>} : () -> tensor<2xi64>
  %r = "onnx.Reshape"(%x, %t) : (tensor<1x3x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  return %p, %r : tensor<?x?xi64>, tensor<?x8xf32>
}

// -----

// Mask arithmetic stays (it depends on an input) but gets static types;
// Range, ConstantOfShape, Equal, Where and Expand fold.
// CHECK-LABEL: func.func @mask_and_range
// CHECK-DAG: "onnx.Constant"() {value = dense<[0, 1, 2, 3]> : tensor<4xi64>}
// CHECK-DAG: "onnx.Constant"() {value = dense<1> : tensor<2x4xi64>}
// CHECK-DAG: "onnx.Cast"(%{{.*}}) {to = 1 : i64} : (tensor<2x1x1x4xi64>) -> tensor<2x1x1x4xf32>
// CHECK-NOT: onnx.Range
// CHECK-NOT: onnx.Where
func.func @mask_and_range(%mask: tensor<2x4xi64>) -> (tensor<?xi64>, tensor<?x?xi64>, tensor<*xf32>) {
  %start = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %limit = "onnx.Constant"() {value = dense<4> : tensor<i64>} : () -> tensor<i64>
  %delta = "onnx.Constant"() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %range = "onnx.Range"(%start, %limit, %delta) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %shape = "onnx.Constant"() {value = dense<[2, 4]> : tensor<2xi64>} : () -> tensor<2xi64>
  %ones = "onnx.ConstantOfShape"(%shape) {value = dense<1> : tensor<1xi64>} : (tensor<2xi64>) -> tensor<?x?xi64>
  %eq = "onnx.Equal"(%ones, %limit) : (tensor<?x?xi64>, tensor<i64>) -> tensor<?x?xi1>
  %w = "onnx.Where"(%eq, %limit, %ones) : (tensor<?x?xi1>, tensor<i64>, tensor<?x?xi64>) -> tensor<?x?xi64>
  %e = "onnx.Expand"(%w, %shape) : (tensor<?x?xi64>, tensor<2xi64>) -> tensor<?x?xi64>
  %axes = "onnx.Constant"() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %u = "onnx.Unsqueeze"(%mask, %axes) : (tensor<2x4xi64>, tensor<2xi64>) -> tensor<*xi64>
  %c = "onnx.Cast"(%u) {to = 1 : i64} : (tensor<*xi64>) -> tensor<*xf32>
  return %range, %e, %c : tensor<?xi64>, tensor<?x?xi64>, tensor<*xf32>
}

// -----

// Unknown input shapes: nothing to fold, nothing breaks.
// CHECK-LABEL: func.func @dynamic
// CHECK: "onnx.Shape"
// CHECK: "onnx.Reshape"{{.*}} -> tensor<?x?xf32>
func.func @dynamic(%x: tensor<?x8xf32>) -> tensor<?x?xf32> {
  %s = "onnx.Shape"(%x) : (tensor<?x8xf32>) -> tensor<2xi64>
  %r = "onnx.Reshape"(%x, %s) : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
