//===- BnqDialect.td - the bnq quantization dialect --------*- tablegen -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bnq holds a BERT encoder at every stage of compression: float building
// blocks after raising from ONNX, weights as ternary/binary/bit-plane values
// after the quantization passes, and bit-packed constants in the runtime's
// layout after packing. Every value keeps a float meaning (weights denote
// their dequantized tensor), so any stage can be executed and compared.
//
//===----------------------------------------------------------------------===//

#ifndef BNQ_DIALECT_TD
#define BNQ_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Bnq_Dialect : Dialect {
  let name = "bnq";
  let summary = "Binary/ternary quantization dialect for BERT-family encoders";
  let description = [{
    Float BERT building blocks (embedding, layer_norm, linear, attention,
    softmax, gelu, elementwise arithmetic, reshape/transpose), quantized
    weight producers (`quant_weight`, `bitplane_weight`, `packed_weight`)
    whose results denote the dequantized float weight, and activation
    quantization in QDQ form (`quantize` / `dequantize`). See
    docs/dialect.md for the formulas and which pass creates each op.
  }];
  let cppNamespace = "::bnbert::bnq";
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Bnq_WeightFormat : I32EnumAttr<"WeightFormat",
    "value set of a quantized weight", [
      I32EnumAttrCase<"int8", 0>,
      I32EnumAttrCase<"ternary", 1>,
      I32EnumAttrCase<"binary", 2>
    ]> {
  let cppNamespace = "::bnbert::bnq";
  let genSpecializedAttr = 0;
}
def Bnq_WeightFormatAttr : EnumAttr<Bnq_Dialect, Bnq_WeightFormat,
                                    "weight_format">;

def Bnq_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "GELU formula: exact (erf) or the tanh approximation", [
      I32EnumAttrCase<"erf", 0>,
      I32EnumAttrCase<"tanh", 1>
    ]> {
  let cppNamespace = "::bnbert::bnq";
  let genSpecializedAttr = 0;
}
def Bnq_GeluApproximationAttr : EnumAttr<Bnq_Dialect, Bnq_GeluApproximation,
                                         "gelu_approximation">;

def Bnq_UnaryFunction : I32EnumAttr<"UnaryFunction",
    "elementwise function of the generic bnq.unary", [
      I32EnumAttrCase<"erf", 0>,
      I32EnumAttrCase<"sqrt", 1>,
      I32EnumAttrCase<"exp", 2>,
      I32EnumAttrCase<"neg", 3>,
      I32EnumAttrCase<"relu", 4>,
      I32EnumAttrCase<"sigmoid", 5>
    ]> {
  let cppNamespace = "::bnbert::bnq";
  let genSpecializedAttr = 0;
}
def Bnq_UnaryFunctionAttr : EnumAttr<Bnq_Dialect, Bnq_UnaryFunction,
                                     "unary_function">;

#endif // BNQ_DIALECT_TD
