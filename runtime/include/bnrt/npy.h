//===- bnrt/npy.h - NumPy .npy files (read and write) -----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The tensor exchange format of the tools: version 1.0/2.0 headers,
// little-endian, C order. Header-only C++17, no dependencies, so both the
// runtime's tools and the compiler's use it.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_NPY_H
#define BNRT_NPY_H

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bnrt::npy {

struct Array {
  std::string dtype; // NumPy descr: "<f4", "<i8", "<i4", "|b1", ...
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// Bytes per element of a descr, or 0 when unsupported.
inline size_t itemSize(const std::string &dtype) {
  if (dtype == "<f4" || dtype == "<i4" || dtype == "<u4")
    return 4;
  if (dtype == "<f8" || dtype == "<i8" || dtype == "<u8")
    return 8;
  if (dtype == "|b1" || dtype == "|i1" || dtype == "|u1")
    return 1;
  return 0;
}

namespace detail {
inline std::string field(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  at = header.find(':', at);
  if (at == std::string::npos)
    return "";
  size_t begin = header.find_first_not_of(" ", at + 1);
  if (begin == std::string::npos)
    return "";
  char open = header[begin];
  if (open == '\'') {
    size_t end = header.find('\'', begin + 1);
    return end == std::string::npos ? ""
                                    : header.substr(begin + 1, end - begin - 1);
  }
  if (open == '(') {
    size_t end = header.find(')', begin);
    return end == std::string::npos ? ""
                                    : header.substr(begin, end - begin + 1);
  }
  size_t end = header.find_first_of(",}", begin);
  return header.substr(begin, end - begin);
}
} // namespace detail

/// Reads `path` into `out`; on failure returns false and sets `error`.
inline bool read(const std::string &path, Array &out, std::string &error) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::streamoff fileSize = in ? std::streamoff(in.tellg()) : -1;
  if (!std::filesystem::is_regular_file(path, ec) || !in || fileSize < 0) {
    error = "cannot open '" + path + "' (missing, or not a regular file)";
    return false;
  }
  in.seekg(0);
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = "'" + path + "' is not a .npy file";
    return false;
  }
  uint32_t headerLength = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    headerLength = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    headerLength = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  if (!in || headerLength > (1u << 20)) {
    error = "'" + path + "' has a corrupt header";
    return false;
  }
  std::string header(headerLength, '\0');
  if (!in.read(header.data(), headerLength)) {
    error = "'" + path + "' has a truncated header";
    return false;
  }
  // The header is a dict literal ending in a newline (the format's rule).
  size_t close = header.rfind('}');
  if (header.empty() || header.back() != '\n' || header.find('{') != 0 ||
      close == std::string::npos ||
      header.find_first_not_of(" \n", close + 1) != std::string::npos) {
    error = "'" + path + "' has an unterminated or malformed header";
    return false;
  }
  out.dtype = detail::field(header, "descr");
  if (detail::field(header, "fortran_order") != "False") {
    error = "'" + path + "' is in Fortran order; save it in C order";
    return false;
  }
  if (itemSize(out.dtype) == 0) {
    error = "'" + path + "' has unsupported dtype '" + out.dtype + "'";
    return false;
  }
  std::string shape = detail::field(header, "shape");
  // A tuple; anything else once made the loop below run forever (found by
  // bnrt-fuzz-npy: 'shape': 82 ,...).
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
    error = "'" + path + "' has a corrupt shape " + shape;
    return false;
  }
  out.shape.clear();
  for (size_t i = 1; i + 1 < shape.size();) {
    size_t end = shape.find_first_of(",)", i);
    std::string token = shape.substr(i, end - i);
    if (token.find_first_not_of(" ") != std::string::npos) {
      // No exceptions here: the compiler's tools build without them.
      char *end = nullptr;
      long long d = std::strtoll(token.c_str(), &end, 10);
      if (d < 0 || d > (1ll << 40) || end == token.c_str() ||
          std::string(end).find_first_not_of(" ") != std::string::npos) {
        error = "'" + path + "' has a corrupt shape " + shape;
        return false;
      }
      out.shape.push_back(d);
    }
    i = end + 1;
  }
  // The claimed size against the file's, before allocating anything: an
  // element count that overflows or exceeds the data is an error.
  uint64_t bytes = itemSize(out.dtype);
  for (int64_t d : out.shape) {
    if (d != 0 && bytes > UINT64_MAX / uint64_t(d)) {
      error = "'" + path + "' has a shape " + shape + " too large to hold";
      return false;
    }
    bytes *= uint64_t(d);
  }
  uint64_t available = uint64_t(fileSize) - uint64_t(in.tellg());
  if (bytes != available) {
    error = "'" + path + "' holds " + std::to_string(available) +
            " bytes of data, its shape " + shape + " needs " +
            std::to_string(bytes);
    return false;
  }
  out.data.resize(bytes);
  if (!in.read(out.data.data(), bytes)) {
    error = "'" + path + "' is truncated: expected " + std::to_string(bytes) +
            " bytes of data";
    return false;
  }
  return true;
}

/// Writes `array` to `path` (version 1.0 header).
inline bool write(const std::string &path, const Array &array,
                  std::string &error) {
  std::string shape = "(";
  for (int64_t d : array.shape)
    shape += std::to_string(d) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (array.shape.size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + array.dtype +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream outFile(path, std::ios::binary);
  if (!outFile) {
    error = "cannot write '" + path + "'";
    return false;
  }
  uint16_t length = static_cast<uint16_t>(header.size());
  outFile.write("\x93NUMPY\x01\x00", 8);
  char len[2] = {char(length & 0xff), char(length >> 8)};
  outFile.write(len, 2);
  outFile.write(header.data(), header.size());
  outFile.write(array.data.data(), array.data.size());
  if (!outFile) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace bnrt::npy

#endif // BNRT_NPY_H
