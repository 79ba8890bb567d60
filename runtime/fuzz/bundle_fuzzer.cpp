//===- bundle_fuzzer.cpp - libFuzzer harness for the bundle loader --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The input is a bundle whose checksum trailer is recomputed (a seed's own
// trailer is dropped first), so mutations reach the flatbuffers verifier
// and every validation behind it instead of stopping at the checksum
// (BundleTest checks that every flipped byte fails the checksum). A bundle
// that loads is run once on zero inputs at its largest shape, when its
// arena is small enough for a fuzzing process.
//
//===----------------------------------------------------------------------===//
#include "bnrt.h"
#include "bnrt/bundle_format.h"
#include "bnrt/checksum.h"

#include <cstring>
#include <vector>

namespace {

constexpr int64_t kMaxArenaBytes = int64_t(256) << 20;
constexpr int64_t kMaxIoBytes = int64_t(64) << 20;

int64_t ioBytes(const bnrt_model *m, int i, bool input) {
  int64_t dims[8];
  int rank = input ? bnrt_model_input_shape(m, i, dims, 8)
                   : bnrt_model_output_shape(m, i, dims, 8);
  if (rank < 0 || rank > 8)
    return -1;
  int64_t bytes = 8;
  for (int d = 0; d < rank; ++d) {
    if (dims[d] && bytes > kMaxIoBytes / dims[d])
      return -1;
    bytes *= dims[d];
  }
  return bytes;
}

void runOnce(bnrt_model *m, const uint8_t *bundle) {
  if (bnrt::fb::GetSizePrefixedBundle(bundle)->arena_bytes() > kMaxArenaBytes)
    return;
  std::vector<std::vector<uint8_t>> in(bnrt_model_num_inputs(m)),
      out(bnrt_model_num_outputs(m));
  std::vector<const void *> inPtr;
  std::vector<void *> outPtr;
  std::vector<size_t> inBytes, outBytes;
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t n = ioBytes(m, static_cast<int>(i), true);
    if (n < 0)
      return;
    in[i].assign(n, 0);
    inPtr.push_back(in[i].data());
    inBytes.push_back(in[i].size());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t n = ioBytes(m, static_cast<int>(i), false);
    if (n < 0)
      return;
    out[i].assign(n, 0);
    outPtr.push_back(out[i].data());
    outBytes.push_back(out[i].size());
  }
  bnrt_error err;
  bnrt_model_run(m, inPtr.data(), inBytes.data(), outPtr.data(),
                 outBytes.data(), &err);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  size_t trailer = bnrt::checksum::kTrailerBytes;
  if (size >= trailer &&
      std::memcmp(data + size - trailer, bnrt::checksum::kTrailerMagic, 4) == 0)
    bytes.resize(size - trailer);
  auto sum = bnrt::checksum::trailerFor(bytes.data(), bytes.size());
  bytes.insert(bytes.end(), sum.begin(), sum.end());
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  if (m) {
    // Loading copied the bytes to aligned storage; the header is the same.
    runOnce(m, bytes.data());
    bnrt_model_free(m);
  }
  return 0;
}
