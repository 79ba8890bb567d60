//===- CompileDriverTest.cpp - bnbert::compileModel's policy
//---------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The compile driver called from C++, as bnbert-compile calls it: the stage
// sequence gives a bundle, a shape range compiles a second time, the
// stored-quantization rules refuse re-quantizing flags, flags that do not
// go together are refused before any work.
//
//===----------------------------------------------------------------------===//
#include "bnbert/Driver/Compile.h"
#include "bnrt/bundle_format.h"
#include "bnrt/sgemm_panels.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace bnbert;
using Weights = QuantizationRecipe::Weights;

namespace {

// Embedding, a linear layer and a classifier over the first token: the
// smallest graph with a weight to quantize and an activation to quantize.
constexpr const char *kFloatModel = R"(<ir_version: 8, opset_import: ["" : 14]>
agraph (int64[B, S] input_ids) => (float[B, 3] logits) <
    float[6, 4] word = {0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8, 0.9, -1.0,
                        1.1, -1.2, 1.3, -1.4, 1.5, -1.6, 1.7, -1.8, 1.9, -2.0,
                        0.2, 0.4, -0.6, 0.8},
    float[4, 4] w = {0.5, -0.25, 0.75, -1.0, 1.0, 0.5, -0.5, 0.25,
                     -0.75, 1.0, 0.25, -0.5, 0.5, 0.5, -1.0, 0.75},
    float[4] b = {0.1, 0.0, -0.1, 0.2},
    float[4, 3] head = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1},
    int64[1] first = {0}, int64[1] axis = {1}> {
  x = Gather (word, input_ids)
  h = MatMul (x, w)
  y = Add (h, b)
  t = Tanh (y)
  c = Gather <axis = 1> (t, first)
  s = Squeeze (c, axis)
  logits = MatMul (s, head)
}
)";

// The same linear with its weight stored as int8 codes (DequantizeLinear),
// as a trained model exports it.
constexpr const char *kStoredModel = R"(<ir_version: 8, opset_import: ["" : 14]>
agraph (int64[B, S] input_ids) => (float[B, S, 4] y) <
    float[6, 4] word = {0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8, 0.9, -1.0,
                        1.1, -1.2, 1.3, -1.4, 1.5, -1.6, 1.7, -1.8, 1.9, -2.0,
                        0.2, 0.4, -0.6, 0.8},
    int8[4, 4] codes = {1, -1, 0, 1, 0, 1, -1, 1, -1, 0, 1, 1, 1, 1, -1, 0},
    float scale = {0.5}, int8 zero = {0}> {
  x = Gather (word, input_ids)
  w = DequantizeLinear (codes, scale, zero)
  y = MatMul (x, w)
}
)";

class CompileDriver : public ::testing::Test {
protected:
  void SetUp() override {
    prepareCompileContext(context);
    // Diagnostics are part of what a failure says: keep them.
    handler.emplace(&context, [this](mlir::Diagnostic &d) {
      diagnostics += d.str() + "\n";
    });
  }

  std::string writeModel(const char *text) {
    llvm::SmallString<128> path;
    EXPECT_FALSE(
        llvm::sys::fs::createTemporaryFile("driver", "onnxtext", path));
    std::ofstream(path.c_str()) << text;
    files.push_back(path.str().str());
    return files.back();
  }

  void TearDown() override {
    for (const std::string &f : files)
      llvm::sys::fs::remove(f);
  }

  CompileRequest request(const char *model, const char *shape) {
    CompileRequest r;
    r.input = writeModel(model);
    r.shapes = {shape};
    r.progress = &progressStream;
    return r;
  }

  mlir::FailureOr<CompileResult> compile(const CompileRequest &r) {
    return compileModel(r, context, error);
  }

  mlir::MLIRContext context;
  std::optional<mlir::ScopedDiagnosticHandler> handler;
  std::string diagnostics, error, progress;
  llvm::raw_string_ostream progressStream{progress};
  std::vector<std::string> files;
};

/// A bundle is a size-prefixed flatbuffer with the BNB1 identifier.
bool isBundle(const std::vector<uint8_t> &bytes) {
  return bytes.size() > 16 &&
         std::string(bytes.begin() + 8, bytes.begin() + 12) == "BNB1";
}

TEST_F(CompileDriver, StagesGiveABundleAndSayWhatTheyDo) {
  CompileRequest r = request(kFloatModel, "input_ids=2x5");
  auto first = compile(r);
  ASSERT_TRUE(succeeded(first)) << error << diagnostics;
  EXPECT_TRUE(isBundle(first->bytes));
  for (const char *stage : {"import ", "raise to bnq",
                            "quantize (weights binary, activations 8 bit)",
                            "lower to runtime ops", "write bundle for"})
    EXPECT_NE(progress.find(stage), std::string::npos) << stage << progress;
  EXPECT_EQ(progress.find("compile again"), std::string::npos);
  // The same request, the same bytes; another recipe, others.
  auto again = compile(r);
  ASSERT_TRUE(succeeded(again));
  EXPECT_EQ(again->bytes, first->bytes);
  r.weights = Weights::Ternary;
  auto ternary = compile(r);
  ASSERT_TRUE(succeeded(ternary)) << error << diagnostics;
  EXPECT_NE(ternary->bytes, first->bytes);
}

/// A float linear layer [N = 70, K = 4] (one panel of 64 rows and a tail
/// of 6), w[k][n] = 100 k + n / 2 as ONNX
/// MatMul stores it ([K, N]).
std::string wideLinearModel() {
  std::ostringstream text;
  text << R"(<ir_version: 8, opset_import: ["" : 14]>
agraph (float[B, 4] x) => (float[B, 70] y) <
    float[4, 70] w = {)";
  for (int k = 0; k < 4; ++k)
    for (int n = 0; n < 70; ++n)
      text << (k || n ? ", " : "") << 100 * k + n / 2.0;
  text << "}> {\n  y = MatMul (x, w)\n}\n";
  return text.str();
}

TEST_F(CompileDriver, FloatLinearWeightsAreStoredInTheGemmsPanels) {
  std::string model = wideLinearModel();
  CompileRequest r = request(model.c_str(), "x=3x4");
  r.weights = Weights::Fp32;
  auto result = compile(r);
  ASSERT_TRUE(succeeded(result)) << error << diagnostics;
  const auto *bundle = bnrt::fb::GetSizePrefixedBundle(result->bytes.data());
  int linears = 0;
  for (const auto *op : *bundle->ops()) {
    if (op->code() != bnrt::fb::OpCode::LinearF32)
      continue;
    ++linears;
    ASSERT_NE(op->options_as_LinearF32Options(), nullptr);
    EXPECT_TRUE(op->options_as_LinearF32Options()->weight_panels());
    const auto *w = bundle->values()->Get(op->inputs()->Get(1));
    ASSERT_EQ(w->shape()->size(), 2u);
    ASSERT_EQ(w->shape()->Get(0), 70);
    std::vector<float> rows(70 * 4), panels(70 * 4), stored(70 * 4);
    for (int n = 0; n < 70; ++n)
      for (int k = 0; k < 4; ++k)
        rows[n * 4 + k] = float(100 * k + n / 2.0);
    bnrt::sgemm_panels::pack(rows.data(), 70, 4, panels.data());
    std::memcpy(stored.data(), bundle->data()->data() + w->offset(),
                stored.size() * 4);
    for (size_t i = 0; i < stored.size(); ++i)
      ASSERT_EQ(stored[i], panels[i]) << "float " << i;
  }
  EXPECT_EQ(linears, 1);
}

TEST_F(CompileDriver, AShapeRangeCompilesASecondTime) {
  auto fixed = compile(request(kFloatModel, "input_ids=2x5"));
  auto ranged = compile(request(kFloatModel, "input_ids=1..2x1..5"));
  ASSERT_TRUE(succeeded(fixed) && succeeded(ranged)) << error << diagnostics;
  EXPECT_TRUE(isBundle(ranged->bytes));
  EXPECT_NE(ranged->bytes, fixed->bytes); // it carries the symbols
  EXPECT_NE(progress.find("for the shape range"), std::string::npos)
      << progress;
}

TEST_F(CompileDriver, TheReportComparesWithTheOnnxWeights) {
  CompileRequest r = request(kFloatModel, "input_ids=2x5");
  std::string report;
  llvm::raw_string_ostream os(report);
  r.report = &os;
  ASSERT_TRUE(succeeded(compile(r))) << error << diagnostics;
  // word 96 + w 64 + b 16 + head 48 bytes as fp32.
  EXPECT_NE(report.find("weights: 224 bytes as fp32"), std::string::npos)
      << report;
}

TEST_F(CompileDriver, StoredQuantizationIsDeployedAsStored) {
  CompileRequest r = request(kStoredModel, "input_ids=1x3");
  auto kept = compile(r);
  ASSERT_TRUE(succeeded(kept)) << error << diagnostics;
  EXPECT_NE(progress.find("quantize (weights as stored"), std::string::npos)
      << progress;
  EXPECT_NE(progress.find("activations 32 bit"), std::string::npos)
      << progress; // only the model's own quantizers: it has none
  for (auto change : {+[](CompileRequest &q) { q.weights = Weights::Binary; },
                      +[](CompileRequest &q) {
                        q.granularity = quant::Granularity::PerRow;
                      }}) {
    CompileRequest q = r;
    change(q);
    EXPECT_TRUE(failed(compile(q)));
    EXPECT_NE(error.find("stores 1 quantized weights"), std::string::npos)
        << error;
  }
}

TEST_F(CompileDriver, FlagsThatDoNotGoTogetherAreRefusedBeforeAnyWork) {
  struct Case {
    void (*change)(CompileRequest &);
    const char *message;
  };
  const Case cases[] = {
      {[](CompileRequest &r) {
         r.weights = Weights::Ternary;
         r.splitTernary = true;
       },
       "--split-ternary needs --weights binary"},
      {[](CompileRequest &r) { r.actBits = 1; }, "--act-bits 1 has no post"},
      {[](CompileRequest &r) { r.actBits = 0; }, "--act-bits must be 32, 8"},
      {[](CompileRequest &r) { r.target = "riscv64"; },
       "--target must be x86_64 or aarch64"},
      {[](CompileRequest &r) {
         r.emit = EmitKind::Object;
         r.aotName = "not an identifier";
       },
       "--name must be a C identifier"},
      {[](CompileRequest &r) { r.shapes = {"input_ids=2xq"}; }, "--shape"},
  };
  for (const Case &c : cases) {
    progress.clear();
    CompileRequest r = request(kFloatModel, "input_ids=2x5");
    c.change(r);
    EXPECT_TRUE(failed(compile(r))) << c.message;
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.message << ": " << error << diagnostics;
    EXPECT_EQ(progress.find("raise to bnq"), std::string::npos) << c.message;
  }
}

TEST_F(CompileDriver, RequestsTheModelCannotTakeNameWhy) {
  CompileRequest dynamic = request(kFloatModel, "input_ids=2x5");
  dynamic.shapes.clear();
  EXPECT_TRUE(failed(compile(dynamic)));
  EXPECT_NE(error.find("input(s) input_ids have dynamic dimensions"),
            std::string::npos)
      << error;

  CompileRequest graph = request(kFloatModel, "input_ids=2x5");
  graph.emit = EmitKind::Graph;
  auto file = compile(graph);
  ASSERT_TRUE(succeeded(file)) << error << diagnostics;
  EXPECT_FALSE(file->bytes.empty());
  graph.actBits = 4;
  EXPECT_TRUE(failed(compile(graph)));
  EXPECT_NE(error.find("--emit graph writes the float model"),
            std::string::npos)
      << error;

  CompileRequest labels = request(kFloatModel, "input_ids=2x5");
  labels.labels = "a,b";
  EXPECT_TRUE(failed(compile(labels)));
  EXPECT_NE(error.find("--labels names 2 classes but no output has that many"),
            std::string::npos)
      << error;
  labels.labels = "a,b,c";
  auto named = compile(labels);
  ASSERT_TRUE(succeeded(named)) << error << diagnostics;
  EXPECT_TRUE(isBundle(named->bytes));
}

} // namespace
