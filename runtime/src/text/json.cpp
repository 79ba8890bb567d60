//===- json.cpp - a small strict JSON reader ------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "json.h"

#include <cmath>
#include <cstdlib>

namespace bnrt::json {

const Value *Value::get(std::string_view key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (const auto &[name, value] : fields)
    if (name == key)
      return &value;
  return nullptr;
}

bool Value::isInteger() const {
  return kind == Kind::Number && std::floor(number) == number &&
         std::abs(number) < 9.2e18;
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
public:
  explicit Parser(std::string_view text) : s(text) {}

  bool document(Value &out) {
    skipSpace();
    if (!value(out, 0))
      return false;
    skipSpace();
    if (i != s.size())
      return fail("text after the JSON value");
    return true;
  }

  std::string error;

private:
  bool fail(const std::string &why) {
    if (error.empty())
      error = "at byte " + std::to_string(i) + ": " + why;
    return false;
  }

  void skipSpace() {
    while (i < s.size() &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
      ++i;
  }

  bool literal(std::string_view word) {
    if (s.substr(i, word.size()) != word)
      return fail("not a JSON value");
    i += word.size();
    return true;
  }

  bool value(Value &out, int depth) {
    if (depth > kMaxDepth)
      return fail("nested more than 64 deep");
    if (i >= s.size())
      return fail("unexpected end of the text");
    switch (s[i]) {
    case '{':
      return object(out, depth);
    case '[':
      return array(out, depth);
    case '"':
      out.kind = Value::Kind::String;
      return string(out.string);
    case 't':
      out.kind = Value::Kind::Bool;
      out.boolean = true;
      return literal("true");
    case 'f':
      out.kind = Value::Kind::Bool;
      return literal("false");
    case 'n':
      out.kind = Value::Kind::Null;
      return literal("null");
    default:
      return number(out);
    }
  }

  bool object(Value &out, int depth) {
    out.kind = Value::Kind::Object;
    ++i; // {
    skipSpace();
    if (i < s.size() && s[i] == '}') {
      ++i;
      return true;
    }
    while (true) {
      skipSpace();
      if (i >= s.size() || s[i] != '"')
        return fail("expected a field name");
      std::string name;
      if (!string(name))
        return false;
      skipSpace();
      if (i >= s.size() || s[i] != ':')
        return fail("expected ':'");
      ++i;
      skipSpace();
      out.fields.emplace_back(std::move(name), Value());
      if (!value(out.fields.back().second, depth + 1))
        return false;
      skipSpace();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        ++i;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool array(Value &out, int depth) {
    out.kind = Value::Kind::Array;
    ++i; // [
    skipSpace();
    if (i < s.size() && s[i] == ']') {
      ++i;
      return true;
    }
    while (true) {
      skipSpace();
      out.items.emplace_back();
      if (!value(out.items.back(), depth + 1))
        return false;
      skipSpace();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == ']') {
        ++i;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool number(Value &out) {
    size_t start = i;
    if (i < s.size() && s[i] == '-')
      ++i;
    auto digits = [&] {
      size_t from = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        ++i;
      return i > from;
    };
    if (i < s.size() && s[i] == '0')
      ++i;
    else if (!digits())
      return fail("not a JSON value");
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits())
        return fail("a number without digits after '.'");
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        ++i;
      if (!digits())
        return fail("a number without exponent digits");
    }
    out.kind = Value::Kind::Number;
    out.number =
        std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
    return true;
  }

  bool hex4(uint32_t &v) {
    if (i + 4 > s.size())
      return fail("a \\u escape needs 4 hex digits");
    v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        return fail("a \\u escape needs 4 hex digits");
    }
    return true;
  }

  static void append(std::string &out, uint32_t c) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | c >> 6);
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | c >> 12);
      out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | c >> 18);
      out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }

  /// The length of a valid UTF-8 sequence starting at s[i], or 0.
  size_t utf8Length() const {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    size_t n = b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF5 ? 4 : 0;
    if (!n || i + n > s.size())
      return 0;
    for (size_t k = 1; k < n; ++k)
      if ((byte(i + k) & 0xC0) != 0x80)
        return 0;
    if ((b == 0xE0 && byte(i + 1) < 0xA0) ||
        (b == 0xED && byte(i + 1) >= 0xA0) || // surrogates
        (b == 0xF0 && byte(i + 1) < 0x90) || (b == 0xF4 && byte(i + 1) >= 0x90))
      return 0;
    return n;
  }

  bool string(std::string &out) {
    ++i; // "
    out.clear();
    while (true) {
      if (i >= s.size())
        return fail("a string without its closing quote");
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"') {
        ++i;
        return true;
      }
      if (c < 0x20)
        return fail("a control character inside a string");
      if (c >= 0x80) {
        size_t n = utf8Length();
        if (!n)
          return fail("invalid UTF-8 inside a string");
        out.append(s.substr(i, n));
        i += n;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++i;
        continue;
      }
      if (++i >= s.size())
        return fail("a string without its closing quote");
      char e = s[i++];
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t v = 0;
        if (!hex4(v))
          return false;
        if (v >= 0xD800 && v < 0xDC00) { // a high surrogate: its low one
          uint32_t low = 0;
          if (s.substr(i, 2) != "\\u")
            return fail("a lone surrogate in a \\u escape");
          i += 2;
          if (!hex4(low))
            return false;
          if (low < 0xDC00 || low >= 0xE000)
            return fail("a lone surrogate in a \\u escape");
          v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
        } else if (v >= 0xDC00 && v < 0xE000) {
          return fail("a lone surrogate in a \\u escape");
        }
        append(out, v);
        break;
      }
      default:
        --i;
        return fail(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  std::string_view s;
  size_t i = 0;
};

} // namespace

bool parse(std::string_view text, Value &out, std::string &error) {
  Parser parser(text);
  out = Value();
  if (parser.document(out))
    return true;
  error = parser.error;
  return false;
}

} // namespace bnrt::json
