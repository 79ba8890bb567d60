//===- text_run.h - bnbert-run --text: text in, labels out ------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Tokenizes texts with the model's tokenizer (--tokenizer, else the one the
// bundle carries; bnrt/text.h), runs them in
// batches of the model's largest batch, each padded to its longest text
// within the sequence range (the model's length when fixed; longer texts
// are truncated), and prints one JSON line per text: its index, the
// predicted label (argmax of the output "logits", or of the only rank-2
// output; its name when the bundle carries label names), the logits, and with
// --show-ids the token ids. With --pairs each text is TEXT<TAB>PAIR,
// encoded as a pair. The outputs of all texts are also written as
// DIR/NAME.npy. The same batching as bnrt.Model.run_text (python/bnrt).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_TOOLS_TEXT_RUN_H
#define BNRT_TOOLS_TEXT_RUN_H

#include "bnrt.h"
#include "bnrt/model_io.h"
#include "bnrt/text.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bnrt::tools {

struct Text {
  std::string text;
  std::string origin; // "--text 2", "FILE line 5": named in errors
  std::string pair;   // with --pairs: the second text
};

struct TextOptions {
  std::vector<Text> texts;
  bool requested = false; // --text or --text-file given (a file may be empty)
  std::string tokenizer;  // empty: the one the bundle carries
  bool lowercase = true;
  bool showIds = false;
  bool pairs = false; // each text is TEXT<TAB>PAIR
};

/// --pairs: splits each text at its one tab into the text and its pair;
/// false with `error` naming the first text without exactly one.
inline bool splitPairs(std::vector<Text> &texts, std::string &error) {
  for (Text &t : texts) {
    size_t tab = t.text.find('\t');
    if (tab == std::string::npos ||
        t.text.find('\t', tab + 1) != std::string::npos) {
      error = t.origin + ": --pairs needs TEXT<TAB>PAIR, with one tab (found " +
              (tab == std::string::npos ? "none" : "more than one") + ")";
      return false;
    }
    t.pair = t.text.substr(tab + 1);
    t.text.resize(tab);
  }
  return true;
}

/// Appends FILE's lines as texts; false with `error` if unreadable.
inline bool readTextFile(const std::string &path, std::vector<Text> &texts,
                         std::string &error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "--text-file " + path + " is a directory, not a file of texts";
    return false;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open --text-file " + path;
    return false;
  }
  std::string line;
  size_t before = texts.size();
  for (int n = 1; std::getline(file, line); ++n) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    texts.push_back({line, path + " line " + std::to_string(n)});
  }
  if (texts.size() == before) {
    error = "--text-file " + path + " is empty (one text per line)";
    return false;
  }
  return true;
}

/// `text` as a JSON string literal.
inline std::string jsonString(const char *text) {
  std::string out = "\"";
  for (const char *p = text; *p; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// Runs the texts; false with `error` naming the text, input or output.
inline bool runTexts(bnrt_model *model, bnrt_context *context,
                     const TextOptions &options, const std::string &outputDir,
                     std::string &error) {
  bnrt_error err;
  struct TokenizerGuard {
    bnrt_tokenizer *t;
    ~TokenizerGuard() { bnrt_tokenizer_free(t); }
  } tok{options.tokenizer.empty()
            ? bnrt_model_tokenizer(model, &err)
            : bnrt_tokenizer_load(options.tokenizer.c_str(), options.lowercase,
                                  &err)};
  if (!tok.t) {
    error = options.tokenizer.empty()
                ? "--text needs --tokenizer: " + std::string(err.message)
                : "--tokenizer " + options.tokenizer + ": " + err.message;
    return false;
  }
  // The model's inputs: the ones a tokenizer makes, [batch, sequence].
  int numInputs = bnrt_model_num_inputs(model);
  int idsInput = -1;
  for (int i = 0; i < numInputs; ++i) {
    std::string name = bnrt_model_input_name(model, i);
    if (name != "input_ids" && name != "attention_mask" &&
        name != "token_type_ids") {
      error = "the model's input '" + name +
              "' is not one a tokenizer makes (input_ids, attention_mask, "
              "token_type_ids)";
      return false;
    }
    if (bnrt_model_input_range(model, i, nullptr, nullptr, 0) != 2) {
      error = "the model's input '" + name + "' is not [batch, sequence]";
      return false;
    }
    if (name == "input_ids")
      idsInput = i;
  }
  if (idsInput < 0) {
    error = "the model has no input 'input_ids'";
    return false;
  }
  int64_t mins[2], maxs[2];
  bnrt_model_input_range(model, idsInput, mins, maxs, 2);
  int64_t vocab = bnrt_tokenizer_vocab_size(tok.t);

  int numOutputs = bnrt_model_num_outputs(model);
  std::vector<npy::Array> all(numOutputs);
  std::vector<std::vector<int64_t>> textIds(options.texts.size());
  for (size_t start = 0; start < options.texts.size(); start += maxs[0]) {
    size_t count = std::min<size_t>(maxs[0], options.texts.size() - start);
    int64_t rows = std::max<int64_t>(count, mins[0]);
    std::vector<const char *> data(rows, ""), pairs(rows, "");
    std::vector<size_t> lengths(rows, 0), pairLengths(rows, 0);
    for (size_t r = 0; r < count; ++r) {
      const Text &t = options.texts[start + r];
      data[r] = t.text.data();
      lengths[r] = t.text.size();
      pairs[r] = t.pair.data();
      pairLengths[r] = t.pair.size();
    }
    int64_t seq = 0;
    std::vector<int64_t> ids(rows * maxs[1]), mask(rows * maxs[1]),
        types(rows * maxs[1]);
    if (bnrt_tokenizer_encode_pairs(
            tok.t, data.data(), lengths.data(),
            options.pairs ? pairs.data() : nullptr,
            options.pairs ? pairLengths.data() : nullptr, rows, mins[1],
            maxs[1], ids.data(), mask.data(), types.data(), &seq,
            &err) != BNRT_OK) {
      error = err.message;
      // Name the failing text by where it came from.
      for (size_t r = 0; r < count; ++r)
        if (bnrt_tokenizer_encode(tok.t, data[r], lengths[r], nullptr, 0, 0,
                                  &err) < 0 ||
            bnrt_tokenizer_encode(tok.t, pairs[r], pairLengths[r], nullptr, 0,
                                  0, &err) < 0) {
          error = options.texts[start + r].origin + ": " + err.message;
          break;
        }
      return false;
    }
    for (auto *values : {&ids, &mask, &types})
      values->resize(rows * seq);
    for (size_t r = 0; r < count; ++r)
      for (int64_t i = 0; i < seq && mask[r * seq + i]; ++i)
        textIds[start + r].push_back(ids[r * seq + i]);
    // The model's inputs in its dtypes, then its outputs at this shape.
    npy::ModelArrays arrays;
    std::vector<int64_t> shape = {rows, seq};
    std::vector<const int64_t *> dims(numInputs, shape.data());
    std::vector<int> ranks(numInputs, 2);
    arrays.inputs.resize(numInputs);
    for (int i = 0; i < numInputs; ++i) {
      std::string name = bnrt_model_input_name(model, i);
      const std::vector<int64_t> &values = name == "input_ids"        ? ids
                                           : name == "attention_mask" ? mask
                                                                      : types;
      npy::Array &a = arrays.inputs[i];
      a.shape = shape;
      bnrt_dtype dtype = bnrt_model_input_dtype(model, i);
      if (dtype != BNRT_DTYPE_I64 && dtype != BNRT_DTYPE_I32) {
        error = "the model's input '" + name + "' is not int64 or int32";
        return false;
      }
      a.dtype = npy::descrOf(dtype);
      a.data.resize(values.size() * npy::itemSize(a.dtype));
      for (size_t e = 0; e < values.size(); ++e) {
        if (dtype == BNRT_DTYPE_I64)
          std::memcpy(&a.data[e * 8], &values[e], 8);
        else {
          int32_t v = static_cast<int32_t>(values[e]);
          std::memcpy(&a.data[e * 4], &v, 4);
        }
      }
      arrays.inputData.push_back(a.data.data());
      arrays.inputBytes.push_back(a.data.size());
    }
    if (bnrt_context_set_input_shapes(context, dims.data(), ranks.data(),
                                      &err) != BNRT_OK) {
      error = err.message;
      return false;
    }
    npy::allocateOutputs(model, context, arrays);
    for (int o = 0; o < numOutputs; ++o) {
      const std::vector<int64_t> &shape = arrays.outputs[o].shape;
      if (shape.empty() || shape[0] != rows) {
        error = std::string("output '") + bnrt_model_output_name(model, o) +
                "' is not batch-first: its rows cannot be told apart";
        return false;
      }
    }
    if (bnrt_context_run(context, arrays.inputData.data(),
                         arrays.inputBytes.data(), arrays.outputData.data(),
                         arrays.outputBytes.data(), &err) != BNRT_OK) {
      error = err.message;
      if (error.find("outside the table") != std::string::npos)
        error += " (the tokenizer has " + std::to_string(vocab) +
                 " pieces: is it the model's own?)";
      return false;
    }
    // Keep the texts' rows (not the padding rows).
    for (int o = 0; o < numOutputs; ++o) {
      const npy::Array &r = arrays.outputs[o];
      size_t rowBytes = r.data.size() / rows;
      npy::Array &dst = all[o];
      if (dst.shape.empty()) {
        dst.dtype = r.dtype;
        dst.shape = r.shape;
        dst.shape[0] = 0;
      }
      dst.shape[0] += count;
      dst.data.insert(dst.data.end(), r.data.begin(),
                      r.data.begin() + rowBytes * count);
    }
  }
  // One JSON line per text, labelled from the logits.
  int labelOutput = -1;
  for (int o = 0; o < numOutputs; ++o)
    if (std::string(bnrt_model_output_name(model, o)) == "logits" ||
        (numOutputs == 1 && all[o].shape.size() == 2))
      labelOutput = o;
  for (size_t t = 0; t < options.texts.size(); ++t) {
    std::printf("{\"text\":%zu", t);
    if (labelOutput >= 0 && all[labelOutput].dtype == "<f4") {
      const npy::Array &l = all[labelOutput];
      int64_t classes = l.shape.size() == 2 ? l.shape[1] : 1;
      const float *row =
          reinterpret_cast<const float *>(l.data.data()) + t * classes;
      int best = static_cast<int>(std::max_element(row, row + classes) - row);
      // The bundle's label names where it carries one per class.
      if (bnrt_model_num_labels(model) == classes)
        std::printf(",\"label\":%s,\"logits\":[",
                    jsonString(bnrt_model_label(model, best)).c_str());
      else
        std::printf(",\"label\":%d,\"logits\":[", best);
      for (int64_t c = 0; c < classes; ++c)
        std::printf("%s%.9g", c ? "," : "", row[c]);
      std::printf("]");
    }
    if (options.showIds) {
      std::printf(",\"ids\":[");
      for (size_t i = 0; i < textIds[t].size(); ++i)
        std::printf("%s%lld", i ? "," : "",
                    static_cast<long long>(textIds[t][i]));
      std::printf("]");
    }
    std::printf("}\n");
  }
  npy::ModelArrays written;
  written.outputs = std::move(all);
  return npy::writeOutputs(model, written, outputDir, error);
}

} // namespace bnrt::tools

#endif // BNRT_TOOLS_TEXT_RUN_H
