//===- run_aot.cpp - run an ahead-of-time compiled BERT on .npy files -----===//
//
// Links with an object from `bnbert-compile --emit obj -o NAME.o` and the
// runtime (libbnrt). Build, for a model compiled as bert.o / bert.h:
//
//   c++ -O2 -std=c++17 -Iruntime/include -I. -include bert.h \
//       -DBNBERT_AOT_MODEL=bert_model examples/aot/run_aot.cpp bert.o \
//       build/runtime/libbnrt.a -lpthread -o run_bert
//   ./run_bert --input input_ids=ids.npy ... --output-dir out [--threads T]
//       [--isa NAME] [--bench N]
//
// (for AArch64: aarch64-linux-gnu-g++ and an AArch64 libbnrt.a, then run
// under qemu-aarch64 -L /usr/aarch64-linux-gnu). Inputs are checked
// against the model's names, dtypes and shapes; outputs are written as
// DIR/NAME.npy.
//
//===----------------------------------------------------------------------===//
#include "bnrt/aot.h"
#include "bnrt/npy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#ifndef BNBERT_AOT_MODEL
#error "define BNBERT_AOT_MODEL (NAME_model) and -include the model's NAME.h"
#endif

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "run_aot: %s\n", message.c_str());
  return 1;
}

const char *npyDtype(bnrt_dtype d) {
  switch (d) {
  case BNRT_DTYPE_F32:
    return "<f4";
  case BNRT_DTYPE_I32:
    return "<i4";
  case BNRT_DTYPE_I64:
    return "<i8";
  default:
    return "|i1";
  }
}

std::vector<int64_t> shapeOf(const bnrt_aot_io &io) {
  return std::vector<int64_t>(io.shape, io.shape + io.rank);
}

std::string describe(const std::string &dtype,
                     const std::vector<int64_t> &shape) {
  std::string s = dtype + " [";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

} // namespace

int main(int argc, char **argv) {
  const bnrt_aot_model &model = BNBERT_AOT_MODEL;
  std::map<std::string, std::string> inputFiles;
  std::string outputDir = ".", isa;
  int threads = 1, bench = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "run_aot: %s needs a value\n", arg.c_str());
        std::exit(1);
      }
      return argv[++i];
    };
    if (arg == "--input") {
      std::string spec = value();
      size_t eq = spec.find('=');
      if (eq == std::string::npos)
        return fail("--input expects NAME=FILE.npy");
      inputFiles[spec.substr(0, eq)] = spec.substr(eq + 1);
    } else if (arg == "--output-dir") {
      outputDir = value();
    } else if (arg == "--threads") {
      threads = std::atoi(value().c_str());
    } else if (arg == "--isa") {
      isa = value();
    } else if (arg == "--bench") {
      bench = std::atoi(value().c_str());
    } else {
      return fail("unknown argument " + arg);
    }
  }

  bnrt_error err;
  bnrt_aot_context *ctx = bnrt_aot_context_create(&model, &err);
  if (!ctx)
    return fail(err.message);
  struct Guard {
    bnrt_aot_context *ctx;
    ~Guard() { bnrt_aot_context_free(ctx); }
  } guard{ctx};
  if (bnrt_aot_set_threads(ctx, threads, &err) != BNRT_OK ||
      (!isa.empty() && bnrt_aot_set_isa(ctx, isa.c_str(), &err) != BNRT_OK))
    return fail(err.message);

  std::vector<bnrt::npy::Array> arrays(model.num_inputs);
  std::vector<const void *> inputs(model.num_inputs);
  for (int i = 0; i < model.num_inputs; ++i) {
    const bnrt_aot_io &io = model.inputs[i];
    auto it = inputFiles.find(io.name);
    if (it == inputFiles.end())
      return fail(std::string("missing --input ") + io.name + "=FILE.npy");
    std::string error;
    if (!bnrt::npy::read(it->second, arrays[i], error))
      return fail(it->second + ": " + error);
    if (arrays[i].dtype != npyDtype(io.dtype) || arrays[i].shape != shapeOf(io))
      return fail(std::string("input '") + io.name + "' (" + it->second +
                  ") is " + describe(arrays[i].dtype, arrays[i].shape) +
                  ", the model was compiled for " +
                  describe(npyDtype(io.dtype), shapeOf(io)));
    inputs[i] = arrays[i].data.data();
    inputFiles.erase(it);
  }
  if (!inputFiles.empty())
    return fail("the model has no input named '" + inputFiles.begin()->first +
                "'");

  std::vector<bnrt::npy::Array> results(model.num_outputs);
  std::vector<void *> outputs(model.num_outputs);
  for (int i = 0; i < model.num_outputs; ++i) {
    results[i].dtype = npyDtype(model.outputs[i].dtype);
    results[i].shape = shapeOf(model.outputs[i]);
    results[i].data.resize(results[i].numElements() *
                           bnrt::npy::itemSize(results[i].dtype));
    outputs[i] = results[i].data.data();
  }
  if (bnrt_aot_run(ctx, inputs.data(), outputs.data(), &err) != BNRT_OK)
    return fail(err.message);
  if (bench > 0) {
    std::vector<double> ms;
    for (int r = 0; r < bench; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (bnrt_aot_run(ctx, inputs.data(), outputs.data(), &err) != BNRT_OK)
        return fail(err.message);
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("{\"min_ms\":%.4f,\"median_ms\":%.4f,\"threads\":%d,"
                "\"isa\":\"%s\"}\n",
                ms.front(), ms[ms.size() / 2], threads, bnrt_aot_isa(ctx));
  }
  for (int i = 0; i < model.num_outputs; ++i) {
    std::string name = model.outputs[i].name;
    std::replace(name.begin(), name.end(), '/', '_');
    std::string error;
    if (!bnrt::npy::write(outputDir + "/" + name + ".npy", results[i], error))
      return fail(error);
  }
  return 0;
}
