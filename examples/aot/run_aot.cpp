//===- run_aot.cpp - run an ahead-of-time compiled BERT on .npy files -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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
#include "bnrt/model_io.h"

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

} // namespace

int main(int argc, char **argv) {
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
      if (!inputFiles.emplace(spec.substr(0, eq), spec.substr(eq + 1)).second)
        return fail("--input " + spec.substr(0, eq) +
                    " is given more than once");
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
  bnrt_model *model = bnrt_model_load_aot(&BNBERT_AOT_MODEL, &err);
  if (!model)
    return fail(err.message);
  struct Guard {
    bnrt_model *m;
    ~Guard() { bnrt_model_free(m); }
  } guard{model};
  if (bnrt_model_set_threads(model, threads, &err) != BNRT_OK ||
      (!isa.empty() && bnrt_model_set_isa(model, isa.c_str(), &err) != BNRT_OK))
    return fail(err.message);

  bnrt::npy::ModelArrays arrays;
  std::string error;
  if (!bnrt::npy::prepareArrays(model, bnrt_model_context(model, nullptr),
                                inputFiles, arrays, error))
    return fail(error);
  auto run = [&] {
    return bnrt_model_run(model, arrays.inputData.data(),
                          arrays.inputBytes.data(), arrays.outputData.data(),
                          arrays.outputBytes.data(), &err) == BNRT_OK;
  };
  if (!run())
    return fail(err.message);
  if (bench > 0) {
    std::vector<double> ms;
    for (int r = 0; r < bench; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (!run())
        return fail(err.message);
      ms.push_back(std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("{\"min_ms\":%.4f,\"median_ms\":%.4f,\"threads\":%d,"
                "\"isa\":\"%s\"}\n",
                ms.front(), ms[ms.size() / 2], threads, bnrt_model_isa(model));
  }
  if (!bnrt::npy::writeOutputs(model, arrays, outputDir, error))
    return fail(error);
  return 0;
}
