//===- bnbert-run.cpp - run a compiled bundle on .npy files ---------------===//
//
//   bnbert-run MODEL.bnb --input NAME=FILE.npy ... [--output-dir DIR]
//              [--bench N] [--threads T] [--isa scalar|avx2|avx512|neon|
//              neondot] [--profile]
//
// Writes DIR/<output name>.npy ('/' in a name becomes '_'). --bench N times N
// runs after one warm-up and prints
// {"min_ms":..,"median_ms":..,"threads":..,"isa":..}; --profile prints the time
// per op kind and the slowest ops. Exit 1 with one message on any error (bad
// file, wrong dtype or shape, unknown flag).
//
//===----------------------------------------------------------------------===//
#include "bnrt.h"
#include "bnrt/npy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "bnbert-run: %s\n", message.c_str());
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

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

void usage() {
  std::fprintf(
      stderr,
      "usage: bnbert-run MODEL.bnb --input NAME=FILE.npy ... [--output-dir "
      "DIR]\n"
      "                  [--bench N] [--threads T] [--isa ISA] [--profile]\n"
      "  --input NAME=FILE.npy  one per model input (int64/int32/float32 as "
      "the model declares)\n"
      "  --output-dir DIR       where outputs go as NAME.npy, created if\n"
      "                         missing (default: .)\n"
      "  --bench N              time N runs after a warm-up; print one JSON "
      "line\n"
      "  --threads T            worker threads (default 1)\n"
      "  --isa ISA              scalar, avx2, avx512, neon or neondot "
      "(default: best available)\n"
      "  --profile              print time per op kind and the slowest ops\n");
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, outputDir = ".", isa;
  std::map<std::string, std::string> inputFiles;
  int bench = 0, threads = 1;
  bool profile = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        return nullptr;
      return argv[++i];
    };
    auto number = [&](int &out) {
      const char *v = value();
      char *end = nullptr;
      long n = v ? std::strtol(v, &end, 10) : 0;
      if (!v || *end || n < 1 || n > 1000000)
        return false;
      out = static_cast<int>(n);
      return true;
    };
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (a == "--input") {
      const char *v = value();
      const char *eq = v ? std::strchr(v, '=') : nullptr;
      if (!eq || eq == v || !eq[1])
        return fail("--input expects NAME=FILE.npy");
      inputFiles[std::string(v, eq)] = eq + 1;
    } else if (a == "--output-dir") {
      const char *v = value();
      if (!v)
        return fail("--output-dir needs a directory");
      outputDir = v;
    } else if (a == "--bench") {
      if (!number(bench))
        return fail("--bench needs a positive count");
    } else if (a == "--threads") {
      if (!number(threads))
        return fail("--threads needs a positive count");
    } else if (a == "--isa") {
      const char *v = value();
      if (!v)
        return fail("--isa needs a name");
      isa = v;
    } else if (a == "--profile") {
      profile = true;
    } else if (a.rfind("-", 0) == 0) {
      usage();
      return fail("unknown option " + a);
    } else if (modelPath.empty()) {
      modelPath = a;
    } else {
      return fail("more than one model given ('" + modelPath + "', '" + a +
                  "')");
    }
  }
  if (modelPath.empty()) {
    usage();
    return fail("no model given");
  }

  bnrt_error err;
  bnrt_model *model = bnrt_model_load_file(modelPath.c_str(), &err);
  if (!model)
    return fail(modelPath + ": " + err.message);
  struct Guard {
    bnrt_model *m;
    ~Guard() { bnrt_model_free(m); }
  } guard{model};
  if (bnrt_model_set_threads(model, threads, &err) != BNRT_OK ||
      (!isa.empty() && bnrt_model_set_isa(model, isa.c_str(), &err) != BNRT_OK))
    return fail(err.message);

  // Inputs: every model input from a .npy of the declared dtype and shape.
  int numInputs = bnrt_model_num_inputs(model);
  std::vector<bnrt::npy::Array> arrays(numInputs);
  std::vector<const void *> inputs(numInputs);
  for (int i = 0; i < numInputs; ++i) {
    std::string name = bnrt_model_input_name(model, i);
    auto it = inputFiles.find(name);
    if (it == inputFiles.end())
      return fail("missing --input " + name + "=FILE.npy");
    std::string error;
    if (!bnrt::npy::read(it->second, arrays[i], error))
      return fail(it->second + ": " + error);
    std::vector<int64_t> shape(bnrt_model_input_shape(model, i, nullptr));
    bnrt_model_input_shape(model, i, shape.data());
    const char *dtype = npyDtype(bnrt_model_input_dtype(model, i));
    if (arrays[i].dtype != dtype)
      return fail("input '" + name + "' (" + it->second + ") has dtype " +
                  arrays[i].dtype + ", the model expects " + dtype);
    if (arrays[i].shape != shape)
      return fail("input '" + name + "' (" + it->second + ") has shape " +
                  shapeString(arrays[i].shape) + ", the model expects " +
                  shapeString(shape) + " (compiled with --shape)");
    inputs[i] = arrays[i].data.data();
    inputFiles.erase(it);
  }
  if (!inputFiles.empty())
    return fail("the model has no input named '" + inputFiles.begin()->first +
                "'");

  int numOutputs = bnrt_model_num_outputs(model);
  std::vector<bnrt::npy::Array> results(numOutputs);
  std::vector<void *> outputs(numOutputs);
  for (int i = 0; i < numOutputs; ++i) {
    results[i].dtype = npyDtype(bnrt_model_output_dtype(model, i));
    results[i].shape.resize(bnrt_model_output_shape(model, i, nullptr));
    bnrt_model_output_shape(model, i, results[i].shape.data());
    results[i].data.resize(results[i].numElements() *
                           bnrt::npy::itemSize(results[i].dtype));
    outputs[i] = results[i].data.data();
  }

  if (bnrt_model_run(model, inputs.data(), outputs.data(), &err) != BNRT_OK)
    return fail(err.message);
  if (bench > 0 || profile) {
    bnrt_model_set_profiling(model, profile);
    std::vector<double> times;
    int runs = std::max(bench, 1);
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (bnrt_model_run(model, inputs.data(), outputs.data(), &err) != BNRT_OK)
        return fail(err.message);
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - t0)
                          .count());
    }
    std::sort(times.begin(), times.end());
    if (bench > 0)
      std::printf("{\"min_ms\":%.4f,\"median_ms\":%.4f,\"threads\":%d,"
                  "\"isa\":\"%s\"}\n",
                  times.front(), times[times.size() / 2], threads,
                  bnrt_model_isa(model));
    if (profile) {
      std::map<std::string, double> byKind;
      std::vector<std::pair<double, int>> byOp;
      double total = 0;
      for (int op = 0; op < bnrt_model_num_ops(model); ++op) {
        double s = bnrt_model_op_seconds(model, op) / runs;
        byKind[bnrt_model_op_kind(model, op)] += s;
        byOp.push_back({s, op});
        total += s;
      }
      std::vector<std::pair<double, std::string>> kinds;
      for (auto &[kind, s] : byKind)
        kinds.push_back({s, kind});
      std::sort(kinds.rbegin(), kinds.rend());
      std::printf("profile: %.3f ms per run (%d runs, isa %s, %d threads)\n",
                  total * 1e3, runs, bnrt_model_isa(model), threads);
      std::printf("%-14s %10s %7s\n", "op kind", "ms", "share");
      for (auto &[s, kind] : kinds)
        std::printf("%-14s %10.3f %6.1f%%\n", kind.c_str(), s * 1e3,
                    total > 0 ? 100 * s / total : 0.0);
      std::sort(byOp.rbegin(), byOp.rend());
      std::printf("slowest ops:\n");
      for (size_t i = 0; i < byOp.size() && i < 10; ++i)
        std::printf("  %8.3f ms  %-12s %s\n", byOp[i].first * 1e3,
                    bnrt_model_op_kind(model, byOp[i].second),
                    bnrt_model_op_name(model, byOp[i].second));
    }
  }

  std::error_code ec;
  std::filesystem::create_directories(outputDir, ec);
  if (ec)
    return fail(outputDir +
                ": cannot create the output directory: " + ec.message());
  for (int i = 0; i < numOutputs; ++i) {
    // Output names are ONNX tensor names: keep them out of other folders.
    std::string name = bnrt_model_output_name(model, i);
    for (char &c : name)
      if (c == '/' || c == '\\')
        c = '_';
    std::string path = outputDir + "/" + name + ".npy";
    std::string error;
    if (!bnrt::npy::write(path, results[i], error))
      return fail(path + ": " + error);
  }
  return 0;
}
