//===- npy_fuzzer.cpp - libFuzzer harness for the .npy reader -------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The reader takes a path (it checks the claimed size against the file's
// before allocating), so each input is written to this process's file.
//
//===----------------------------------------------------------------------===//
#include "bnrt/npy.h"

#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string path =
      "/tmp/bnrt-npy-fuzz-" + std::to_string(getpid()) + ".npy";
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  bnrt::npy::Array array;
  std::string error;
  if (bnrt::npy::read(path, array, error) &&
      array.data.size() != static_cast<size_t>(array.numElements()) *
                               bnrt::npy::itemSize(array.dtype))
    __builtin_trap(); // a read that succeeds holds exactly its shape
  return 0;
}
