// The bundled one-layer example (examples/tiny-bert-layer.mlir): the six encoder linears and
// the word-embedding table are binarized; the classifier head and the
// position table stay float.
// RUN: bnbert-opt %S/../../examples/tiny-bert-layer.mlir -bnq-binarize | FileCheck %s

// CHECK-LABEL: func.func @tiny_bert_layer
// CHECK-DAG: %[[WORD:.*]] = bnq.quant_weight binary {{.*}} : tensor<32x16xf32>
// CHECK-DAG: %[[POS:.*]] = arith.constant {{.*}} : tensor<8x16xf32>
// CHECK-DAG: %[[CLS:.*]] = arith.constant {{.*}} : tensor<2x16xf32>
// CHECK: bnq.embedding %[[WORD]]
// CHECK: bnq.embedding %[[POS]]
// Quantized weights print as numbered values, float constants as %cst_N.
// CHECK-COUNT-6: bnq.linear %{{[a-z0-9_]+}}, %{{[0-9]+}}, %{{.*}}
// CHECK: bnq.linear %{{.*}}, %[[CLS]]
// CHECK-NOT: bnq.quant_weight
