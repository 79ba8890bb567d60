//===- ContribSchemas.cpp - com.microsoft schemas for the ONNX library ----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// ONNX Runtime's transformer optimizer writes fused operators in the
// com.microsoft domain. Registering their schemas (the subset of inputs,
// outputs and attributes bnbert imports) lets the ONNX checker validate
// those nodes and shape inference type their outputs like any standard
// operator; a node using an input or attribute outside this subset fails
// the checker with a message naming it.
//
//===----------------------------------------------------------------------===//
#include "ContribSchemas.h"

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"

#include <mutex>

namespace bnbert {
namespace {

using onnx::AttributeProto;
using onnx::InferenceContext;
using onnx::OpSchema;

constexpr const char *kDomain = "com.microsoft";

/// Sets output `index` to `elemType` with the given dims.
void setOutput(InferenceContext &ctx, size_t index, int32_t elemType,
               const std::vector<onnx::TensorShapeProto_Dimension> &dims) {
  if (index >= ctx.getNumOutputs())
    return;
  onnx::updateOutputElemType(ctx, index, elemType);
  auto *shape =
      ctx.getOutputType(index)->mutable_tensor_type()->mutable_shape();
  shape->clear_dim();
  for (const auto &dim : dims)
    *shape->add_dim() = dim;
}

onnx::TensorShapeProto_Dimension dimOf(int64_t value) {
  onnx::TensorShapeProto_Dimension dim;
  if (value >= 0)
    dim.set_dim_value(value);
  return dim;
}

int32_t inputElemType(InferenceContext &ctx, size_t index) {
  return ctx.getInputType(index)->tensor_type().elem_type();
}

void inferAttention(InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasInputShape(ctx, 0) || !onnx::hasInputShape(ctx, 1))
    return;
  const auto &input = onnx::getInputShape(ctx, 0);
  const auto &weights = onnx::getInputShape(ctx, 1);
  if (input.dim_size() != 3 || weights.dim_size() != 2)
    fail_shape_inference("Attention expects input [B, S, H] and weights "
                         "[H, 3H]");
  int64_t hidden = -1;
  if (const auto *sizes = ctx.getAttribute("qkv_hidden_sizes")) {
    if (sizes->ints_size() != 3)
      fail_shape_inference("qkv_hidden_sizes must have 3 values");
    hidden = sizes->ints(2);
  } else if (weights.dim(1).has_dim_value()) {
    if (weights.dim(1).dim_value() % 3 != 0)
      fail_shape_inference("Attention weights' second dimension is not 3H");
    hidden = weights.dim(1).dim_value() / 3;
  }
  setOutput(ctx, 0, inputElemType(ctx, 0),
            {input.dim(0), input.dim(1), dimOf(hidden)});
}

void inferEmbedLayerNormalization(InferenceContext &ctx) {
  if (!onnx::hasInputShape(ctx, 0) || !onnx::hasInputShape(ctx, 2))
    return;
  const auto &ids = onnx::getInputShape(ctx, 0);
  const auto &word = onnx::getInputShape(ctx, 2);
  if (ids.dim_size() != 2 || word.dim_size() != 2)
    fail_shape_inference("EmbedLayerNormalization expects input_ids [B, S] "
                         "and word_embedding [V, H]");
  setOutput(ctx, 0, inputElemType(ctx, 2),
            {ids.dim(0), ids.dim(1), word.dim(1)});
  setOutput(ctx, 1, onnx::TensorProto::INT32, {ids.dim(0)});
}

void registerSchemas() {
  onnx::OpSchemaRegistry::DomainToVersionRange::Instance().AddDomainToVersion(
      kDomain, 1, 1);
  const std::vector<std::string> floats = {"tensor(float)"};
  const std::vector<std::string> indices = {"tensor(int32)", "tensor(int64)"};

  onnx::RegisterSchema(
      OpSchema()
          .SetName("Attention")
          .SetDomain(kDomain)
          .SinceVersion(1)
          .Input(0, "input", "", "T")
          .Input(1, "weights", "", "T")
          .Input(2, "bias", "", "T", OpSchema::Optional)
          .Input(3, "mask_index", "", "M", OpSchema::Optional)
          .Output(0, "output", "", "T")
          .Attr("num_heads", "", AttributeProto::INT)
          .Attr("unidirectional", "", AttributeProto::INT, int64_t{0})
          .Attr("qkv_hidden_sizes", "", AttributeProto::INTS, false)
          .Attr("mask_filter_value", "", AttributeProto::FLOAT, -10000.0f)
          .Attr("scale", "", AttributeProto::FLOAT, false)
          .Attr("do_rotary", "", AttributeProto::INT, int64_t{0})
          .Attr("past_present_share_buffer", "", AttributeProto::INT,
                int64_t{0})
          .TypeConstraint("T", floats, "")
          .TypeConstraint("M", {"tensor(int32)"}, "")
          .TypeAndShapeInferenceFunction(inferAttention));

  onnx::RegisterSchema(OpSchema()
                           .SetName("SkipLayerNormalization")
                           .SetDomain(kDomain)
                           .SinceVersion(1)
                           .Input(0, "input", "", "T")
                           .Input(1, "skip", "", "T")
                           .Input(2, "gamma", "", "T")
                           .Input(3, "beta", "", "T", OpSchema::Optional)
                           .Input(4, "bias", "", "T", OpSchema::Optional)
                           .Output(0, "output", "", "T")
                           .Attr("epsilon", "", AttributeProto::FLOAT, 1e-12f)
                           .TypeConstraint("T", floats, "")
                           .TypeAndShapeInferenceFunction(
                               onnx::propagateShapeAndTypeFromFirstInput));

  onnx::RegisterSchema(
      OpSchema()
          .SetName("EmbedLayerNormalization")
          .SetDomain(kDomain)
          .SinceVersion(1)
          .Input(0, "input_ids", "", "T1")
          .Input(1, "segment_ids", "", "T1", OpSchema::Optional)
          .Input(2, "word_embedding", "", "T")
          .Input(3, "position_embedding", "", "T")
          .Input(4, "segment_embedding", "", "T", OpSchema::Optional)
          .Input(5, "gamma", "", "T")
          .Input(6, "beta", "", "T")
          .Input(7, "mask", "", "T1", OpSchema::Optional)
          .Input(8, "position_ids", "", "T1", OpSchema::Optional)
          .Output(0, "output", "", "T")
          .Output(1, "mask_index", "", "tensor(int32)", OpSchema::Optional)
          .Attr("epsilon", "", AttributeProto::FLOAT, 1e-12f)
          .Attr("mask_index_type", "", AttributeProto::INT, int64_t{1})
          .TypeConstraint("T", floats, "")
          .TypeConstraint("T1", indices, "")
          .TypeAndShapeInferenceFunction(inferEmbedLayerNormalization));

  onnx::RegisterSchema(OpSchema()
                           .SetName("BiasGelu")
                           .SetDomain(kDomain)
                           .SinceVersion(1)
                           .Input(0, "A", "", "T")
                           .Input(1, "B", "", "T")
                           .Output(0, "C", "", "T")
                           .TypeConstraint("T", floats, "")
                           .TypeAndShapeInferenceFunction(
                               onnx::propagateShapeAndTypeFromFirstInput));

  onnx::RegisterSchema(OpSchema()
                           .SetName("FastGelu")
                           .SetDomain(kDomain)
                           .SinceVersion(1)
                           .Input(0, "X", "", "T")
                           .Input(1, "bias", "", "T", OpSchema::Optional)
                           .Output(0, "Y", "", "T")
                           .TypeConstraint("T", floats, "")
                           .TypeAndShapeInferenceFunction(
                               onnx::propagateShapeAndTypeFromFirstInput));

  onnx::RegisterSchema(OpSchema()
                           .SetName("Gelu")
                           .SetDomain(kDomain)
                           .SinceVersion(1)
                           .Input(0, "X", "", "T")
                           .Output(0, "Y", "", "T")
                           .TypeConstraint("T", floats, "")
                           .TypeAndShapeInferenceFunction(
                               onnx::propagateShapeAndTypeFromFirstInput));
}

} // namespace

void registerContribSchemas() {
  static std::once_flag once;
  std::call_once(once, registerSchemas);
}

} // namespace bnbert
