//===- bnrt/model_io.h - a model's inputs and outputs as .npy ---*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What bnbert-run and the AOT example both do around bnrt_context_run: read
// one .npy per model input (checked against its name and dtype; its shape
// set on the context, within the model's ranges), allocate the outputs at
// the shapes that follow, write them as DIR/NAME.npy. Header-only C++ over
// the C API (bnrt.h) and bnrt/npy.h.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_MODEL_IO_H
#define BNRT_MODEL_IO_H

#include "bnrt.h"
#include "bnrt/npy.h"

#include <map>
#include <string>
#include <vector>

namespace bnrt::npy {

/// The .npy descr of a runtime dtype.
inline const char *descrOf(bnrt_dtype d) {
  switch (d) {
  case BNRT_DTYPE_F32:
    return "<f4";
  case BNRT_DTYPE_I32:
    return "<i4";
  case BNRT_DTYPE_I64:
    return "<i8";
  case BNRT_DTYPE_BOOL:
    return "|b1";
  default:
    return "|i1";
  }
}

/// The arrays of one run: inputs read from files, outputs allocated, and
/// the pointer and size arrays bnrt_context_run takes.
struct ModelArrays {
  std::vector<Array> inputs, outputs;
  std::vector<const void *> inputData;
  std::vector<void *> outputData;
  std::vector<size_t> inputBytes, outputBytes;
};

/// Allocates the outputs at the shapes `context`'s inputs give them.
inline void allocateOutputs(const bnrt_model *model,
                            const bnrt_context *context, ModelArrays &arrays) {
  int numOutputs = bnrt_model_num_outputs(model);
  arrays.outputs.assign(numOutputs, {});
  arrays.outputData.assign(numOutputs, nullptr);
  arrays.outputBytes.assign(numOutputs, 0);
  for (int i = 0; i < numOutputs; ++i) {
    Array &r = arrays.outputs[i];
    r.dtype = descrOf(bnrt_model_output_dtype(model, i));
    r.shape.resize(bnrt_context_output_shape(context, i, nullptr, 0));
    bnrt_context_output_shape(context, i, r.shape.data(), int(r.shape.size()));
    r.data.resize(r.numElements() * itemSize(r.dtype));
    arrays.outputData[i] = r.data.data();
    arrays.outputBytes[i] = r.data.size();
  }
}

/// Reads `files` (input name -> .npy path, each input exactly once), sets
/// their shapes on `context` and allocates the outputs; false with `error`
/// naming the input otherwise.
inline bool prepareArrays(const bnrt_model *model, bnrt_context *context,
                          const std::map<std::string, std::string> &files,
                          ModelArrays &arrays, std::string &error) {
  int numInputs = bnrt_model_num_inputs(model);
  arrays.inputs.assign(numInputs, {});
  arrays.inputData.assign(numInputs, nullptr);
  arrays.inputBytes.assign(numInputs, 0);
  std::vector<const int64_t *> dims(numInputs);
  std::vector<int> ranks(numInputs);
  std::map<std::string, std::string> unused = files;
  for (int i = 0; i < numInputs; ++i) {
    std::string name = bnrt_model_input_name(model, i);
    auto it = unused.find(name);
    if (it == unused.end()) {
      error = "missing --input " + name + "=FILE.npy";
      return false;
    }
    Array &a = arrays.inputs[i];
    if (!read(it->second, a, error)) {
      error = it->second + ": " + error;
      return false;
    }
    std::string dtype = descrOf(bnrt_model_input_dtype(model, i));
    if (a.dtype != dtype) {
      error = "input '" + name + "' (" + it->second + ") has dtype " + a.dtype +
              ", the model expects " + dtype;
      return false;
    }
    arrays.inputData[i] = a.data.data();
    arrays.inputBytes[i] = a.data.size();
    dims[i] = a.shape.data();
    ranks[i] = static_cast<int>(a.shape.size());
    unused.erase(it);
  }
  if (!unused.empty()) {
    error = "the model has no input named '" + unused.begin()->first + "'";
    return false;
  }
  bnrt_error err;
  if (bnrt_context_set_input_shapes(context, dims.data(), ranks.data(), &err) !=
      BNRT_OK) {
    error = err.message;
    return false;
  }
  allocateOutputs(model, context, arrays);
  return true;
}

/// Writes each output as DIR/NAME.npy (an ONNX tensor name's '/' and '\'
/// become '_', keeping files out of other folders).
inline bool writeOutputs(const bnrt_model *model, const ModelArrays &arrays,
                         const std::string &dir, std::string &error) {
  for (size_t i = 0; i < arrays.outputs.size(); ++i) {
    std::string name = bnrt_model_output_name(model, static_cast<int>(i));
    for (char &c : name)
      if (c == '/' || c == '\\')
        c = '_';
    std::string path = dir + "/" + name + ".npy";
    if (!write(path, arrays.outputs[i], error)) {
      error = path + ": " + error;
      return false;
    }
  }
  return true;
}

} // namespace bnrt::npy

#endif // BNRT_MODEL_IO_H
