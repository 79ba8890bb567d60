//===- BundleBuilder.h - small bundles built by hand, for tests -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_TESTS_BUNDLEBUILDER_H
#define BNRT_TESTS_BUNDLEBUILDER_H

#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"
#include "bnrt/checksum.h"

#include <cstring>
#include <string>
#include <vector>

namespace bnrt_test {

/// Values, ops and constant data of a bundle, then finish() for its bytes.
struct BundleBuilder {
  flatbuffers::FlatBufferBuilder b;
  std::vector<uint8_t> data;
  std::vector<flatbuffers::Offset<bnrt::fb::Value>> values;
  std::vector<flatbuffers::Offset<bnrt::fb::Op>> ops;
  std::vector<flatbuffers::Offset<bnrt::fb::Symbol>> symbols;

  /// Appends `n` bytes of constant data, 64-byte aligned; returns the offset.
  int64_t constant(const void *p, size_t n) {
    size_t off = (data.size() + 63) / 64 * 64;
    data.resize(off + n);
    std::memcpy(data.data() + off, p, n);
    return static_cast<int64_t>(off);
  }

  /// A value; `off` is the arena or data offset, or the input/output index;
  /// `powers` (rank x symbols) makes dimensions vary with the symbols.
  int32_t value(const char *name, bnrt::fb::DType t, std::vector<int64_t> shape,
                bnrt::fb::Storage s, int64_t off,
                std::vector<uint8_t> powers = {}) {
    values.push_back(bnrt::fb::CreateValue(
        b, b.CreateString(name), t, b.CreateVector(shape), s, off,
        powers.empty() ? 0 : b.CreateVector(powers)));
    return static_cast<int32_t>(values.size() - 1);
  }

  /// A shape range's symbol.
  void symbol(const char *name, int64_t min, int64_t max) {
    symbols.push_back(
        bnrt::fb::CreateSymbol(b, b.CreateString(name), min, max));
  }

  /// An op; `options` is built on `b` first (e.g.
  /// fb::CreateQuantizeOptions(bb.b, 8).Union()) and `type` names it.
  void op(bnrt::fb::OpCode code, std::vector<int32_t> in,
          std::vector<int32_t> res,
          bnrt::fb::OpOptions type = bnrt::fb::OpOptions::NONE,
          flatbuffers::Offset<void> options = 0) {
    ops.push_back(bnrt::fb::CreateOp(b, code, b.CreateString("op"),
                                     b.CreateVector(in), b.CreateVector(res),
                                     type, options));
  }

  /// The bundle's bytes; its data starts `dataOffset` bytes past a 64-byte
  /// line (0, as bnbert-compile writes; 32, as older writers could).
  std::vector<uint8_t>
  finish(std::vector<int32_t> inputs, std::vector<int32_t> outputs,
         int64_t arenaBytes, const std::string &target = bnrt::fb::hostTarget(),
         uint32_t version = bnrt::fb::kBundleFormatVersion,
         size_t dataOffset = 0) {
    b.PreAlign(data.size() + (64 - dataOffset) % 64, 64);
    auto dataV = b.CreateVector(data);
    auto bundle = bnrt::fb::CreateBundle(
        b, version, BNRT_BITPACK_LAYOUT_VERSION, b.CreateString(target),
        b.CreateVector(values), b.CreateVector(ops), b.CreateVector(inputs),
        b.CreateVector(outputs), arenaBytes,
        symbols.empty() ? 0 : b.CreateVector(symbols), dataV);
    bnrt::fb::FinishSizePrefixedBundleBuffer(b, bundle);
    std::vector<uint8_t> bytes(b.GetBufferPointer(),
                               b.GetBufferPointer() + b.GetSize());
    auto trailer = bnrt::checksum::trailerFor(bytes.data(), bytes.size());
    bytes.insert(bytes.end(), trailer.begin(), trailer.end());
    return bytes;
  }
};

} // namespace bnrt_test

#endif // BNRT_TESTS_BUNDLEBUILDER_H
