//===- bnbert-run.cpp - run a compiled bundle on .npy files ---------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//   bnbert-run MODEL.bnb --input NAME=FILE.npy ... [--output-dir DIR]
//              [--bench N] [--threads T] [--isa scalar|avx2|avx512|neon|
//              neondot|neoni8mm] [--profile]
//   bnbert-run MODEL.bnb [--tokenizer VOCAB] (--text T | --text-file F)...
//              [--cased] [--show-ids] [--output-dir DIR] [--threads T]
//
// Writes DIR/<output name>.npy ('/' in a name becomes '_'). --bench N times N
// runs after one warm-up and prints
// {"min_ms":..,"median_ms":..,"threads":..,"isa":..}; --profile prints the time
// per op kind and the slowest ops. With --text the inputs come from texts
// and the model's tokenizer (text_run.h), one JSON line per text. Exit 1
// with one message on any error (bad file, wrong dtype or shape, unknown
// flag).
//
//===----------------------------------------------------------------------===//
#include "bnrt.h"
#include "bnrt/model_io.h"
#include "text_run.h"

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
      "  --threads T            worker threads (default 1; at most 4x the\n"
      "                         hardware threads and 256)\n"
      "  --isa ISA              scalar, avx2, avx512, neon, neondot or "
      "neoni8mm\n"
      "                         (default: the best this CPU has)\n"
      "  --profile              print time per op kind and the slowest ops\n"
      "text in (instead of --input):\n"
      "  --tokenizer FILE       the model's WordPiece vocab.txt or "
      "SentencePiece .model\n"
      "                         (default: the one the bundle carries)\n"
      "  --text TEXT            one text (repeatable)\n"
      "  --text-file FILE       one text per line\n"
      "  --cased                WordPiece: keep case and accents (default: "
      "uncased rules)\n"
      "  --pairs                each text is a pair, TEXT<TAB>PAIR, encoded "
      "as the model's\n"
      "                         family does ([CLS] a [SEP] b [SEP])\n"
      "  --show-ids             print each text's token ids\n"
      "  prints one JSON line per text: {\"text\":i,\"label\":..,"
      "\"logits\":[..]}\n"
      "  (label: the class name when the bundle carries them, else its "
      "index)\n");
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, outputDir = ".", isa;
  std::map<std::string, std::string> inputFiles;
  int bench = 0, threads = 1;
  bool profile = false;
  bnrt::tools::TextOptions text;
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
      if (!inputFiles.emplace(std::string(v, eq), eq + 1).second)
        return fail("--input " + std::string(v, eq) +
                    " is given more than once");
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
    } else if (a == "--text") {
      const char *v = value();
      if (!v)
        return fail("--text needs a text");
      text.texts.push_back(
          {v, "--text " + std::to_string(text.texts.size() + 1)});
      text.requested = true;
    } else if (a == "--text-file") {
      const char *v = value();
      std::string error;
      if (!v)
        return fail("--text-file needs a file");
      if (!bnrt::tools::readTextFile(v, text.texts, error))
        return fail(error);
      text.requested = true;
    } else if (a == "--tokenizer") {
      const char *v = value();
      if (!v)
        return fail("--tokenizer needs a vocab.txt or .model file");
      text.tokenizer = v;
    } else if (a == "--cased") {
      text.lowercase = false;
    } else if (a == "--show-ids") {
      text.showIds = true;
    } else if (a == "--pairs") {
      text.pairs = true;
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
  bool textIn = text.requested || !text.tokenizer.empty() || text.pairs;
  if (textIn && !text.requested)
    return fail(std::string(text.pairs ? "--pairs" : "--tokenizer") +
                " needs --text or --text-file");
  if (text.pairs) {
    std::string error;
    if (!bnrt::tools::splitPairs(text.texts, error))
      return fail(error);
  }
  if (textIn && (!inputFiles.empty() || bench || profile))
    return fail("--text runs texts; --input, --bench and --profile take "
                ".npy inputs");

  bnrt_error err;
  bnrt_model *model = bnrt_model_load_file(modelPath.c_str(), &err);
  if (!model)
    return fail(modelPath + ": " + err.message);
  struct Guard {
    bnrt_model *m;
    ~Guard() { bnrt_model_free(m); }
  } guard{model};
  if (!isa.empty() && bnrt_model_set_isa(model, isa.c_str(), &err) != BNRT_OK)
    return fail(err.message);
  bnrt_context *context = bnrt_model_context(model, &err);
  if (!context || bnrt_context_set_threads(context, threads, &err) != BNRT_OK)
    return fail(err.message);

  if (textIn) {
    std::string error;
    std::error_code ec;
    std::filesystem::create_directories(outputDir, ec);
    if (ec)
      return fail(outputDir +
                  ": cannot create the output directory: " + ec.message());
    if (!bnrt::tools::runTexts(model, context, text, outputDir, error))
      return fail(error);
    return 0;
  }

  // Inputs: every model input from a .npy of the declared dtype, its shape
  // within the model's range.
  bnrt::npy::ModelArrays arrays;
  std::string error;
  if (!bnrt::npy::prepareArrays(model, context, inputFiles, arrays, error))
    return fail(error);
  auto run = [&] {
    return bnrt_context_run(context, arrays.inputData.data(),
                            arrays.inputBytes.data(), arrays.outputData.data(),
                            arrays.outputBytes.data(), &err) == BNRT_OK;
  };
  if (!run())
    return fail(err.message);
  if (bench > 0 || profile) {
    bnrt_context_set_profiling(context, profile);
    std::vector<double> times;
    int runs = std::max(bench, 1);
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      if (!run())
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
        double s = bnrt_context_op_seconds(context, op) / runs;
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
  if (!bnrt::npy::writeOutputs(model, arrays, outputDir, error))
    return fail(error);
  return 0;
}
