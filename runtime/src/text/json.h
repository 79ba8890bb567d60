//===- json.h - a small strict JSON reader for tokenizer files --*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// RFC 8259 JSON into a tree, for Hugging Face tokenizer.json and RoBERTa's
// vocab.json (the runtime has no JSON library and needs only reading).
// Strict: one value, no trailing commas or comments, strings valid UTF-8
// with \u escapes (surrogate pairs joined), nesting at most 64 deep;
// errors give the byte offset.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_TEXT_JSON_H
#define BNRT_SRC_TEXT_JSON_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bnrt::json {

struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> items;                          // Array
  std::vector<std::pair<std::string, Value>> fields; // Object, in order

  bool isNull() const { return kind == Kind::Null; }
  bool isString() const { return kind == Kind::String; }
  bool isObject() const { return kind == Kind::Object; }
  bool isArray() const { return kind == Kind::Array; }
  bool isNumber() const { return kind == Kind::Number; }
  bool isBool() const { return kind == Kind::Bool; }
  /// An object's field, or null when absent (or not an object).
  const Value *get(std::string_view key) const;
  /// A number that is an integer in int64 range.
  bool isInteger() const;
};

/// Parses `text`; false with `error` ("at byte N: ...") on failure.
bool parse(std::string_view text, Value &out, std::string &error);

} // namespace bnrt::json

#endif // BNRT_SRC_TEXT_JSON_H
