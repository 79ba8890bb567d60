//===- NpyTest.cpp - the .npy reader against hostile files ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Sizes are checked against the file before anything is allocated: a shape
// whose element count overflows or exceeds the data, an unterminated
// header, trailing bytes and a directory are errors with a message, never
// an abort or a huge allocation.
//
//===----------------------------------------------------------------------===//
#include "bnrt/npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

/// A version 1.0 file with `header` (padded, newline-terminated unless
/// `terminate` is false) and `dataBytes` zero bytes.
std::string writeNpy(const std::string &name, const std::string &dict,
                     size_t dataBytes, bool terminate = true) {
  std::string path =
      (std::filesystem::temp_directory_path() / ("bnrt-npy-" + name + ".npy"))
          .string();
  std::string header = dict;
  if (terminate) {
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
  }
  std::ofstream out(path, std::ios::binary);
  char len[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
  out.write("\x93NUMPY\x01\x00", 8);
  out.write(len, 2);
  out << header << std::string(dataBytes, '\0');
  return path;
}

std::string readError(const std::string &path) {
  bnrt::npy::Array a;
  std::string error;
  return bnrt::npy::read(path, a, error) ? "" : error;
}

const char *kDict = "{'descr': '<i8', 'fortran_order': False, 'shape': ";

TEST(Npy, ReadsAWellFormedFile) {
  std::string path = writeNpy("good", std::string(kDict) + "(2, 3), }", 48);
  bnrt::npy::Array a;
  std::string error;
  ASSERT_TRUE(bnrt::npy::read(path, a, error)) << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data.size(), 48u);
}

TEST(Npy, AShapeThatIsNotATupleIsAnError) {
  for (const char *shape : {"82 , }", "( }", "), }", "}"})
    EXPECT_NE(readError(writeNpy("not-a-tuple", std::string(kDict) + shape, 8))
                  .find("corrupt shape"),
              std::string::npos)
        << shape;
}

TEST(Npy, HugeOrOverflowingShapesAreRejectedBeforeAllocating) {
  EXPECT_NE(
      readError(
          writeNpy("huge", std::string(kDict) + "(1099511627776, 1000), }", 16))
          .find("needs"),
      std::string::npos);
  std::string overflow = readError(writeNpy(
      "overflow",
      std::string(kDict) + "(1099511627776, 1099511627776, 1099511627776), }",
      16));
  EXPECT_NE(overflow.find("too large to hold"), std::string::npos) << overflow;
}

TEST(Npy, DataMustMatchTheShape) {
  std::string shortData =
      readError(writeNpy("short", std::string(kDict) + "(2, 3), }", 40));
  EXPECT_NE(shortData.find("holds 40 bytes of data, its shape (2, 3) needs 48"),
            std::string::npos)
      << shortData;
  EXPECT_NE(readError(writeNpy("long", std::string(kDict) + "(2, 3), }", 56)),
            "");
}

TEST(Npy, UnterminatedHeaderAndDirectoriesAreErrors) {
  std::string unterminated = readError(
      writeNpy("unterminated", std::string(kDict) + "(2, 3), ", 48, false));
  EXPECT_NE(unterminated.find("unterminated or malformed header"),
            std::string::npos)
      << unterminated;
  std::string dir = readError(std::filesystem::temp_directory_path().string());
  EXPECT_NE(dir.find("cannot open"), std::string::npos) << dir;
}

} // namespace
