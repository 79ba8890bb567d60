//===- RaiseOneToOne.td - one onnx op to one bnq op (DRR) -*- tablegen -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The declarative raising rules: each rewrites one onnx op with static
// shapes into its bnq (or arith) form. A rule whose constraint fails says
// which (-debug), and the dialect conversion driver reports any onnx op
// that no rule took.
//
//===----------------------------------------------------------------------===//
#ifndef BNBERT_RAISE_ONE_TO_ONE_TD
#define BNBERT_RAISE_ONE_TO_ONE_TD

include "mlir/IR/PatternBase.td"
include "mlir/Dialect/Arith/IR/ArithOps.td"
include "onnxir/OnnxOps.td"
include "bnq/BnqOps.td"

def IsF32 : Constraint<CPred<"::bnbert::raise::isF32($0)">, "an f32 tensor">;
def IsStatic : Constraint<CPred<"::bnbert::raise::staticType($0) != nullptr">,
                          "a statically shaped tensor">;
def SameType : Constraint<CPred<"$0.getType() == $1.getType()">,
                          "of the same type">;
def SupportedCast
    : Constraint<CPred<"::bnbert::raise::isSupportedCast($0, $1)">,
                 "a cast to f32, i32 or i64 from f32 or an integer, with a "
                 "static result">;

def : Pat<(Onnx_ConstantOp $value), (Arith_ConstantOp $value)>;

// Elementwise arithmetic on f32, with NumPy broadcasting.
class FloatBinary<Op from, Op to>
    : Pat<(from:$result $a, $b), (to $a, $b),
          [(IsF32 $a), (IsF32 $b), (IsStatic $result)]>;
def : FloatBinary<Onnx_AddOp, Bnq_AddOp>;
def : FloatBinary<Onnx_SubOp, Bnq_SubOp>;
def : FloatBinary<Onnx_MulOp, Bnq_MulOp>;
def : FloatBinary<Onnx_DivOp, Bnq_DivOp>;
def : FloatBinary<Onnx_PowOp, Bnq_PowOp>;

def : Pat<(Onnx_TanhOp $x), (Bnq_TanhOp $x), [(IsF32 $x)]>;

// Erf, Sqrt, Neg, Relu, Sigmoid outside a recognised block: bnq.unary.
class Unary<Op from, string function>
    : Pat<(from:$result $x),
          (Bnq_UnaryOp $x,
              ConstantAttr<Bnq_UnaryFunctionAttr,
                           "::bnbert::bnq::UnaryFunction::" # function>),
          [(IsF32 $x), (IsStatic $x), (SameType $x, $result)]>;
def : Unary<Onnx_ErfOp, "erf">;
def : Unary<Onnx_SqrtOp, "sqrt">;
def : Unary<Onnx_NegOp, "neg">;
def : Unary<Onnx_ReluOp, "relu">;
def : Unary<Onnx_SigmoidOp, "sigmoid">;

// Same elements, static types: bnq.reshape.
def : Pat<(Onnx_ReshapeOp:$result $data, $shape, $allowzero),
          (Bnq_ReshapeOp $data), [(IsStatic $data), (IsStatic $result)]>;
def : Pat<(Onnx_UnsqueezeOp:$result $data, $axes),
          (Bnq_ReshapeOp $data), [(IsStatic $data), (IsStatic $result)]>;
def : Pat<(Onnx_SqueezeOp:$result $data, $axes),
          (Bnq_ReshapeOp $data), [(IsStatic $data), (IsStatic $result)]>;
def : Pat<(Onnx_IdentityOp:$result $input),
          (Bnq_ReshapeOp $input), [(IsStatic $input), (IsStatic $result)]>;

def : Pat<(Onnx_CastOp:$result $input, $to), (Bnq_CastOp $input),
          [(SupportedCast $input, $result)]>;

#endif // BNBERT_RAISE_ONE_TO_ONE_TD
