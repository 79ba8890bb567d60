//===- OpTableTest.cpp - the op table against the schema and the docs -----===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Every op code of bundle.fbs has its table entry at its own index, with
// the schema's name, and a row in docs/bundle.md; the loader refuses an op
// whose options are not the table its code carries, naming both.
//
//===----------------------------------------------------------------------===//
#include "BundleBuilder.h"
#include "bnrt.h"
#include "ops/op_kernel.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fb = bnrt::fb;

namespace {

TEST(OpTable, EveryCodeHasItsEntry) {
  for (int c = int(fb::OpCode::MIN); c <= int(fb::OpCode::MAX); ++c) {
    auto code = static_cast<fb::OpCode>(c);
    const bnrt::OpKernel *kernel = bnrt::opKernel(code);
    ASSERT_NE(kernel, nullptr) << fb::EnumNameOpCode(code);
    EXPECT_EQ(kernel->code, code);
    EXPECT_NE(kernel->check, nullptr);
    EXPECT_NE(kernel->run, nullptr);
    EXPECT_STREQ(bnrt::opCodeName(code), fb::EnumNameOpCode(code));
  }
  auto past = static_cast<fb::OpCode>(int(fb::OpCode::MAX) + 1);
  EXPECT_EQ(bnrt::opKernel(past), nullptr);
  EXPECT_STREQ(bnrt::opCodeName(past), "unknown");
}

TEST(OpTable, DocsListEveryCode) {
  std::ifstream file(BNRT_DOCS_DIR "/bundle.md");
  ASSERT_TRUE(file) << "cannot read " BNRT_DOCS_DIR "/bundle.md";
  std::stringstream text;
  text << file.rdbuf();
  std::string docs = text.str();
  for (int c = int(fb::OpCode::MIN); c <= int(fb::OpCode::MAX); ++c) {
    std::string name = fb::EnumNameOpCode(static_cast<fb::OpCode>(c));
    // A table row naming the code: "| `Name` |" or "| `A`, `Name`, ... |".
    bool listed = false;
    for (size_t at = docs.find("`" + name + "`"); at != std::string::npos;
         at = docs.find("`" + name + "`", at + 1)) {
      size_t line = docs.rfind('\n', at);
      line = line == std::string::npos ? 0 : line + 1;
      if (docs.compare(line, 2, "| ") == 0 &&
          docs.find(" |", line) > at) // in the row's first cell
        listed = true;
    }
    EXPECT_TRUE(listed) << name << " has no row in docs/bundle.md";
  }
}

/// A one-op bundle: Softmax on x [2, 3], with the given options.
std::string loadSoftmax(fb::OpOptions type, bool withOptions) {
  bnrt_test::BundleBuilder bb;
  int32_t x = bb.value("x", fb::DType::F32, {2, 3}, fb::Storage::Input, 0);
  int32_t y = bb.value("y", fb::DType::F32, {2, 3}, fb::Storage::Output, 0);
  flatbuffers::Offset<void> options;
  if (withOptions)
    options = type == fb::OpOptions::SoftmaxOptions
                  ? fb::CreateSoftmaxOptions(bb.b, 1).Union()
                  : fb::CreateClampOptions(bb.b, 0, 1).Union();
  bb.op(fb::OpCode::Softmax, {x}, {y}, type, options);
  std::vector<uint8_t> bytes = bb.finish({x}, {y}, 0);
  bnrt_error err;
  bnrt_model *m = bnrt_model_load_memory(bytes.data(), bytes.size(), &err);
  bnrt_model_free(m);
  return m ? "" : err.message;
}

TEST(OpTable, OptionsMustBeTheCodesTable) {
  EXPECT_EQ(loadSoftmax(fb::OpOptions::SoftmaxOptions, true), "");
  EXPECT_EQ(loadSoftmax(fb::OpOptions::ClampOptions, true),
            "op 0 (Softmax 'op'): needs options SoftmaxOptions, has "
            "ClampOptions");
  EXPECT_EQ(loadSoftmax(fb::OpOptions::NONE, false),
            "op 0 (Softmax 'op'): needs options SoftmaxOptions, has NONE");
}

} // namespace
