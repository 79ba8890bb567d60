//===- model.cpp - load, validate and run a bundle (the C API) ------------===//
//
// Loading checks everything a run relies on, so kernels never see an
// out-of-range offset or an inconsistent shape: the flatbuffers verifier,
// then each value (dtype, dims, bytes within the data or the arena, input
// and output indices), then each op (arity, dtypes and shapes as its kernel
// reads them). A failure names the value or op.
//
//===----------------------------------------------------------------------===//
#include "bnrt.h"
#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"
#include "bnrt/kernels.h"
#include "ops.h"
#include "scratch.h"
#include "status.h"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <tuple>
#include <vector>

using namespace bnrt;

namespace {

constexpr int64_t kMaxBytes = int64_t(1) << 40;

struct LoadError {
  bnrt_status status;
  std::string message;
};

[[noreturn]] void invalid(const std::string &message) {
  throw LoadError{BNRT_ERROR_INVALID, message};
}

} // namespace

struct bnrt_model {
  std::vector<uint8_t> storage; // the bundle's bytes, copied to ...
  uint8_t *buf = nullptr;       // ... a 64-byte aligned start
  size_t size = 0;
  const fb::Bundle *bundle = nullptr;
  const uint8_t *data = nullptr;
  int64_t dataSize = 0;
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> arenaStorage;
  uint8_t *arena = nullptr;
  std::vector<std::vector<int64_t>> shapes;  // per value
  std::vector<int32_t> producers;            // per value: op index or -1
  std::vector<int32_t> inputs, outputs;      // value ids
  std::vector<std::vector<uint64_t>> packed; // per op (GEMM weights)
  std::vector<int8_t> scratch;
  std::vector<double> opSeconds;
  bool profiling = false;
  bnrt_isa isa = BNRT_ISA_SCALAR;
  bnrt_threads *pool = nullptr;
  // Per-thread scratch reserved on every pool thread after a run that grew
  // it (scratch.h), so later runs allocate nothing.
  ScratchReservation scratchReservation;
  // Operand views of every op, built at load; only the views of the
  // caller's input/output buffers (ioViews) are re-pointed per run.
  std::vector<std::vector<View>> opInputs, opOutputs;
  struct IoView {
    View *view;
    int32_t value;
  };
  std::vector<IoView> ioViews;

  ~bnrt_model() { bnrt_threads_destroy(pool); }

  /// Copies `n` bytes to 64-byte aligned storage (constants are aligned
  /// relative to the start of the bundle).
  void setBytes(const void *bytes, size_t n) {
    storage.resize(n + 64);
    buf = storage.data() +
          (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
    if (n)
      std::memcpy(buf, bytes, n);
    size = n;
  }
  void load();
  void validateValues();
  void validateOp(int index, const fb::Op &op);
  void prepack();
  void bindViews();
  void *address(int32_t id, const void *const *in, void *const *out) const;
};

namespace {

std::string valueLabel(const fb::Bundle *b, int32_t id) {
  const fb::Value *v = b->values()->Get(id);
  return "value " + std::to_string(id) +
         (v->name() && v->name()->size() ? " '" + v->name()->str() + "'" : "");
}

} // namespace

void bnrt_model::load() {
  if (size < 12 ||
      !flatbuffers::BufferHasIdentifier(buf, fb::BundleIdentifier(),
                                        /*size_prefixed=*/true))
    invalid("not a bnbert bundle (missing the BNB1 identifier)");
  if (flatbuffers::GetPrefixedSize(buf) + sizeof(flatbuffers::uoffset_t) !=
      size)
    invalid("the bundle is truncated or has trailing bytes (" +
            std::to_string(size) + " bytes, the header says " +
            std::to_string(flatbuffers::GetPrefixedSize(buf) +
                           sizeof(flatbuffers::uoffset_t)) +
            ")");
  flatbuffers::Verifier verifier(buf, size, /*max_depth=*/64,
                                 /*max_tables=*/1u << 24);
  if (!fb::VerifySizePrefixedBundleBuffer(verifier))
    invalid("the bundle is corrupt or truncated (flatbuffers verification "
            "failed)");
  bundle = fb::GetSizePrefixedBundle(buf);
  if (bundle->format_version() != fb::kBundleFormatVersion)
    throw LoadError{BNRT_ERROR_UNSUPPORTED,
                    "bundle format version " +
                        std::to_string(bundle->format_version()) +
                        "; this runtime reads version " +
                        std::to_string(fb::kBundleFormatVersion)};
  if (bundle->bitpack_layout() != BNRT_BITPACK_LAYOUT_VERSION)
    throw LoadError{BNRT_ERROR_UNSUPPORTED,
                    "packed weight layout " +
                        std::to_string(bundle->bitpack_layout()) +
                        "; this runtime reads layout " +
                        std::to_string(BNRT_BITPACK_LAYOUT_VERSION)};
  std::string target = bundle->target() ? bundle->target()->str() : "";
  if (target != hostTarget())
    throw LoadError{BNRT_ERROR_UNSUPPORTED,
                    "the bundle was compiled for '" + target +
                        "' but this is " + hostTarget() +
                        " (recompile with --target " + hostTarget() + ")"};
  if (!bundle->values() || !bundle->ops() || !bundle->inputs() ||
      !bundle->outputs())
    invalid("the bundle lacks values, ops, inputs or outputs");
  data = bundle->data() ? bundle->data()->data() : nullptr;
  dataSize = bundle->data() ? bundle->data()->size() : 0;
  if (data && reinterpret_cast<uintptr_t>(data) % 32 != 0)
    invalid("constant data is not 32-byte aligned");
  int64_t arenaBytes = bundle->arena_bytes();
  if (arenaBytes < 0 || arenaBytes > kMaxBytes)
    invalid("arena size " + std::to_string(arenaBytes) + " is out of range");
  validateValues();
  // Ops are validated in program order, so an operand's producer (when it
  // is an op's result) is known when its reader is checked.
  producers.assign(bundle->values()->size(), -1);
  for (uint32_t i = 0; i < bundle->ops()->size(); ++i) {
    validateOp(static_cast<int>(i), *bundle->ops()->Get(i));
    for (int32_t id : *bundle->ops()->Get(i)->outputs())
      producers[id] = static_cast<int32_t>(i);
  }
  // The arena is exactly what the planned slots need (a corrupt size
  // field is rejected rather than allocated), zeroed lazily by calloc.
  int64_t needed = 0;
  for (uint32_t id = 0; id < bundle->values()->size(); ++id) {
    const fb::Value *v = bundle->values()->Get(id);
    if (v->storage() != fb::Storage::Arena)
      continue;
    int64_t bytes = 1;
    for (int64_t d : shapes[id])
      bytes *= d;
    bytes = std::max<int64_t>(bytes * fb::elementBytes(v->dtype()), 1);
    needed = std::max(needed, v->offset() + (bytes + 63) / 64 * 64);
  }
  if (needed != arenaBytes)
    invalid("arena size " + std::to_string(arenaBytes) +
            " does not match its slots (" + std::to_string(needed) + ")");
  arenaStorage.reset(static_cast<uint8_t *>(std::calloc(arenaBytes + 64, 1)));
  if (!arenaStorage)
    throw std::bad_alloc();
  arena = arenaStorage.get() +
          (64 - reinterpret_cast<uintptr_t>(arenaStorage.get()) % 64) % 64;
  opSeconds.assign(bundle->ops()->size(), 0.0);
  bindViews();
  isa = bnrt_isa_default();
  prepack();
}

void bnrt_model::bindViews() {
  uint32_t count = bundle->ops()->size();
  opInputs.assign(count, {});
  opOutputs.assign(count, {});
  for (uint32_t i = 0; i < count; ++i) {
    const fb::Op *op = bundle->ops()->Get(i);
    for (auto [ids, views] : {std::pair{op->inputs(), &opInputs[i]},
                              std::pair{op->outputs(), &opOutputs[i]}}) {
      views->resize(ids->size()); // not resized again: pointers stay valid
      for (uint32_t j = 0; j < ids->size(); ++j) {
        int32_t id = ids->Get(j);
        const fb::Value *value = bundle->values()->Get(id);
        View &view = (*views)[j];
        view.dtype = value->dtype();
        view.shape = shapes[id];
        view.data = address(id, nullptr, nullptr);
        if (value->storage() == fb::Storage::Input ||
            value->storage() == fb::Storage::Output)
          ioViews.push_back({&view, id});
      }
    }
  }
}

void bnrt_model::validateValues() {
  auto values = bundle->values();
  shapes.resize(values->size());
  for (uint32_t id = 0; id < values->size(); ++id) {
    const fb::Value *v = values->Get(id);
    std::string label = valueLabel(bundle, id);
    if (v->dtype() < fb::DType::MIN || v->dtype() > fb::DType::MAX)
      invalid(label + " has an unknown dtype");
    int64_t count = 1;
    if (v->shape() && v->shape()->size() > bnrt::kMaxRank)
      invalid(label + " has rank " + std::to_string(v->shape()->size()) +
              " (at most " + std::to_string(bnrt::kMaxRank) + ")");
    if (v->shape())
      for (int64_t d : *v->shape()) {
        if (d < 0 || d > kMaxBytes ||
            count > kMaxBytes / std::max<int64_t>(d, 1))
          invalid(label + " has an invalid shape");
        count *= d;
        shapes[id].push_back(d);
      }
    int64_t bytes = count * fb::elementBytes(v->dtype());
    if (bytes > kMaxBytes)
      invalid(label + " is too large");
    int64_t offset = v->offset();
    switch (v->storage()) {
    case fb::Storage::Constant:
      if (offset < 0 || offset % 4 != 0 || offset > dataSize - bytes)
        invalid(label + " lies outside the bundle's data");
      break;
    case fb::Storage::Arena:
      if (offset < 0 || offset % 4 != 0 ||
          offset > bundle->arena_bytes() - bytes)
        invalid(label + " lies outside the activation arena");
      break;
    case fb::Storage::Input:
    case fb::Storage::Output: {
      auto list = v->storage() == fb::Storage::Input ? bundle->inputs()
                                                     : bundle->outputs();
      if (offset < 0 || offset >= list->size() ||
          list->Get(offset) != static_cast<int32_t>(id))
        invalid(label + " is not listed as input/output " +
                std::to_string(offset));
      break;
    }
    default:
      invalid(label + " has an unknown storage kind");
    }
  }
  for (auto [list, storage, ids] :
       {std::tuple{bundle->inputs(), fb::Storage::Input, &inputs},
        std::tuple{bundle->outputs(), fb::Storage::Output, &outputs}})
    for (uint32_t i = 0; i < list->size(); ++i) {
      int32_t id = list->Get(i);
      if (id < 0 || id >= static_cast<int32_t>(values->size()) ||
          values->Get(id)->storage() != storage ||
          values->Get(id)->offset() != static_cast<int64_t>(i))
        invalid("input/output list entry " + std::to_string(i) +
                " does not name its value");
      ids->push_back(id);
    }
}

/// Checks an op against what its kernel reads (docs/bundle.md).
void bnrt_model::validateOp(int index, const fb::Op &op) {
  std::string label =
      "op " + std::to_string(index) + " (" + opCodeName(op.code()) +
      (op.name() && op.name()->size() ? " '" + op.name()->str() + "'"
                                      : std::string()) +
      ")";
  auto fail = [&](const std::string &why) { invalid(label + ": " + why); };
  if (op.code() < fb::OpCode::MIN || op.code() > fb::OpCode::MAX)
    fail("unknown op code");
  if (!op.inputs() || !op.outputs() || !op.ints() || !op.floats())
    fail("missing operand or attribute lists");
  auto values = bundle->values();
  std::vector<int32_t> in(op.inputs()->begin(), op.inputs()->end());
  std::vector<int32_t> out(op.outputs()->begin(), op.outputs()->end());
  for (int32_t id : in)
    if (id < 0 || id >= static_cast<int32_t>(values->size()))
      fail("operand index out of range");
  for (int32_t id : out) {
    if (id < 0 || id >= static_cast<int32_t>(values->size()))
      fail("result index out of range");
    auto storage = values->Get(id)->storage();
    if (storage != fb::Storage::Arena && storage != fb::Storage::Output)
      fail("writes a constant or an input");
  }
  auto dtype = [&](int32_t id) { return values->Get(id)->dtype(); };
  auto shape = [&](int32_t id) -> const std::vector<int64_t> & {
    return shapes[id];
  };
  auto count = [&](int32_t id) {
    int64_t n = 1;
    for (int64_t d : shapes[id])
      n *= d;
    return n;
  };
  auto arity = [&](size_t lo, size_t hi, size_t results) {
    if (in.size() < lo || in.size() > hi || out.size() != results)
      fail("wrong number of operands or results");
  };
  auto needF32 = [&](std::initializer_list<int32_t> ids) {
    for (int32_t id : ids)
      if (dtype(id) != fb::DType::F32)
        fail(valueLabel(bundle, id) + " must be f32");
  };
  auto attrs = [&](size_t ints, size_t floats) {
    if (op.ints()->size() < ints || op.floats()->size() < floats)
      fail("missing attributes");
  };
  auto sameShape = [&](int32_t a, int32_t b) {
    if (shape(a) != shape(b))
      fail("operand and result shapes differ");
  };
  // A quantization scale: one, or one per sequence (index of dim 0).
  auto sequenceScale = [&](int32_t scale, const std::vector<int64_t> &x) {
    return count(scale) == 1 ||
           (x.size() >= 2 && shape(scale) == std::vector<int64_t>{x[0]});
  };
  auto withLast = [&](std::vector<int64_t> s, int64_t last) {
    if (s.empty())
      fail("operand must have rank >= 1");
    s.back() = last;
    return s;
  };
  switch (op.code()) {
  case fb::OpCode::Embedding: {
    arity(2, 2, 1);
    needF32({in[0], out[0]});
    if (shape(in[0]).size() != 2 || dtype(in[1]) == fb::DType::F32)
      fail("needs a [V, H] table and integer ids");
    std::vector<int64_t> expected = shape(in[1]);
    expected.push_back(shape(in[0])[1]);
    if (shape(out[0]) != expected)
      fail("result shape is not ids.shape + [H]");
    break;
  }
  case fb::OpCode::EmbeddingBits: {
    arity(3, 3, 1);
    attrs(2, 0);
    const auto &bits = shape(in[0]), &alpha = shape(in[1]), &o = shape(out[0]);
    int64_t planes = op.ints()->Get(0), perRow = op.ints()->Get(1);
    needF32({in[1], out[0]});
    if (dtype(in[0]) != fb::DType::I64 || dtype(in[2]) == fb::DType::F32 ||
        bits.size() != 3 || bits[0] != planes || planes < 1 || o.empty() ||
        bits[2] != bnrt_bitpack_row_words(o.back()) ||
        alpha != std::vector<int64_t>{planes, perRow ? bits[1] : 1})
      fail("bit planes, scales, ids and result do not agree");
    std::vector<int64_t> expected = shape(in[2]);
    expected.push_back(o.back());
    if (o != expected)
      fail("result shape is not ids.shape + [H]");
    break;
  }
  case fb::OpCode::LayerNorm: {
    arity(3, 3, 1);
    attrs(0, 1);
    needF32({in[0], in[1], in[2], out[0]});
    sameShape(in[0], out[0]);
    if (shape(in[0]).empty() ||
        shape(in[1]) != std::vector<int64_t>{shape(in[0]).back()} ||
        shape(in[2]) != shape(in[1]))
      fail("gamma and beta must be [H]");
    break;
  }
  case fb::OpCode::LinearF32: {
    arity(2, 3, 1);
    needF32({in[0], in[1], out[0]});
    const auto &w = shape(in[1]);
    if (w.size() != 2 || shape(in[0]).empty() || shape(in[0]).back() != w[1] ||
        shape(out[0]) != withLast(shape(in[0]), w[0]))
      fail("needs x [..., K], weight [N, K], result [..., N]");
    if (in.size() == 3) {
      needF32({in[2]});
      if (shape(in[2]) != std::vector<int64_t>{w[0]})
        fail("bias must be [N]");
    }
    break;
  }
  case fb::OpCode::LinearBits: {
    arity(4, 5, 1);
    attrs(2, 0);
    const auto &x = shape(in[0]), &bits = shape(in[2]), &alpha = shape(in[3]);
    int64_t planes = op.ints()->Get(0), perRow = op.ints()->Get(1);
    if (dtype(in[0]) != fb::DType::I8 || dtype(in[2]) != fb::DType::I64)
      fail("needs int8 codes and int64 bit planes");
    needF32({in[1], in[3], out[0]});
    if (!sequenceScale(in[1], x) || x.empty() || bits.size() != 3 ||
        bits[0] != planes || planes < 1 || planes > 8 ||
        bits[2] != bnrt_bitpack_row_words(x.back()) ||
        shape(out[0]) != withLast(x, bits[1]) ||
        alpha != std::vector<int64_t>{planes, perRow ? bits[1] : 1})
      fail("codes, bit planes, scales and result do not agree");
    if (in.size() == 5) {
      needF32({in[4]});
      if (shape(in[4]) != std::vector<int64_t>{bits[1]})
        fail("bias must be [N]");
    }
    if (op.ints()->size() > 2) {
      // Activation bits: <= 4 lets kernels assume codes within +-7, so the
      // codes must come from a Quantize of at most that many bits.
      int64_t actBits = op.ints()->Get(2);
      int32_t producer = producers[in[0]];
      const fb::Op *q = producer >= 0 ? bundle->ops()->Get(producer) : nullptr;
      if (actBits != 0 && (actBits < 2 || actBits > 8))
        fail("activation bits must be 0 or 2..8");
      if (actBits != 0 && actBits <= 4 &&
          (!q || q->code() != fb::OpCode::Quantize ||
           q->ints()->Get(0) > actBits))
        fail("codes of at most " + std::to_string(actBits) +
             " bits must come from a Quantize of that many bits");
    }
    break;
  }
  case fb::OpCode::LinearI8: {
    // codes, x_scale, weight i8 [N, K], w_scale [1 | N], bias?
    arity(4, 5, 1);
    attrs(1, 0);
    const auto &x = shape(in[0]), &w = shape(in[2]);
    int64_t perRow = op.ints()->Get(0);
    if (dtype(in[0]) != fb::DType::I8 || dtype(in[2]) != fb::DType::I8)
      fail("needs int8 codes and an int8 weight");
    needF32({in[1], in[3], out[0]});
    if (!sequenceScale(in[1], x) || x.empty() || w.size() != 2 ||
        x.back() != w[1] || shape(out[0]) != withLast(x, w[0]) ||
        count(in[3]) != (perRow ? w[0] : 1))
      fail("codes, weight, scales and result do not agree");
    if (in.size() == 5) {
      needF32({in[4]});
      if (shape(in[4]) != std::vector<int64_t>{w[0]})
        fail("bias must be [N]");
    }
    break;
  }
  case fb::OpCode::BatchMatmul: {
    arity(2, 2, 1);
    attrs(1, 0);
    needF32({in[0], in[1], out[0]});
    const auto &a = shape(in[0]), &b = shape(in[1]);
    size_t r = a.size();
    if (r < 2 || b.size() != r ||
        !std::equal(a.begin(), a.end() - 2, b.begin()))
      fail("operands need equal batch dimensions");
    bool t = op.ints()->Get(0) != 0;
    int64_t k = t ? b[r - 1] : b[r - 2], n = t ? b[r - 2] : b[r - 1];
    std::vector<int64_t> expected(a.begin(), a.end() - 1);
    expected.push_back(n);
    if (a[r - 1] != k || shape(out[0]) != expected)
      fail("inner dimensions or result shape do not agree");
    break;
  }
  case fb::OpCode::Softmax:
    arity(1, 1, 1);
    attrs(1, 0);
    needF32({in[0], out[0]});
    sameShape(in[0], out[0]);
    if (op.ints()->Get(0) < 0 ||
        op.ints()->Get(0) >= static_cast<int64_t>(shape(in[0]).size()))
      fail("axis out of range");
    break;
  case fb::OpCode::Gelu:
  case fb::OpCode::Unary:
    attrs(1, 0);
    [[fallthrough]];
  case fb::OpCode::Tanh:
    arity(1, 1, 1);
    needF32({in[0], out[0]});
    sameShape(in[0], out[0]);
    break;
  case fb::OpCode::Clamp:
    arity(1, 1, 1);
    attrs(0, 2);
    needF32({in[0], out[0]});
    sameShape(in[0], out[0]);
    break;
  case fb::OpCode::Add:
  case fb::OpCode::Sub:
  case fb::OpCode::Mul:
  case fb::OpCode::Div:
  case fb::OpCode::Pow: {
    arity(2, 2, 1);
    needF32({in[0], in[1], out[0]});
    const auto &a = shape(in[0]), &b = shape(in[1]), &o = shape(out[0]);
    size_t r = std::max(a.size(), b.size());
    if (o.size() != r)
      fail("result rank is not the broadcast rank");
    for (size_t d = 0; d < r; ++d) {
      int64_t da = d + a.size() >= r ? a[d + a.size() - r] : 1;
      int64_t db = d + b.size() >= r ? b[d + b.size() - r] : 1;
      int64_t want = da == 1 ? db : da;
      if ((da != db && da != 1 && db != 1) || o[d] != want)
        fail("operands do not broadcast to the result");
    }
    break;
  }
  case fb::OpCode::Copy:
    arity(1, 1, 1);
    if (count(in[0]) != count(out[0]) || dtype(in[0]) != dtype(out[0]))
      fail("copies need equal element counts and dtypes");
    break;
  case fb::OpCode::Transpose: {
    arity(1, 1, 1);
    needF32({in[0], out[0]});
    const auto &x = shape(in[0]);
    if (op.ints()->size() != x.size() || shape(out[0]).size() != x.size())
      fail("permutation rank does not match");
    std::vector<bool> seen(x.size(), false);
    for (size_t d = 0; d < x.size(); ++d) {
      int64_t p = op.ints()->Get(d);
      if (p < 0 || p >= static_cast<int64_t>(x.size()) || seen[p] ||
          shape(out[0])[d] != x[p])
        fail("invalid permutation");
      seen[p] = true;
    }
    break;
  }
  case fb::OpCode::Slice: {
    arity(1, 1, 1);
    needF32({in[0], out[0]});
    const auto &x = shape(in[0]), &o = shape(out[0]);
    if (op.ints()->size() != x.size() || o.size() != x.size())
      fail("offsets rank does not match");
    for (size_t d = 0; d < x.size(); ++d) {
      int64_t off = op.ints()->Get(d);
      if (off < 0 || off > x[d] || o[d] > x[d] - off)
        fail("slice exceeds its input");
    }
    break;
  }
  case fb::OpCode::Cast:
    arity(1, 1, 1);
    sameShape(in[0], out[0]);
    break;
  case fb::OpCode::ReduceSum: {
    arity(1, 1, 1);
    needF32({in[0], out[0]});
    const auto &x = shape(in[0]);
    if (x.empty() ||
        shape(out[0]) != std::vector<int64_t>(x.begin(), x.end() - 1))
      fail("result must drop the last axis");
    break;
  }
  case fb::OpCode::ReduceMean: {
    arity(1, 1, 1);
    needF32({in[0], out[0]});
    std::vector<int64_t> expected = shape(in[0]);
    for (int64_t axis : *op.ints()) {
      if (axis < 0 || axis >= static_cast<int64_t>(expected.size()))
        fail("axis out of range");
      expected[axis] = 1;
    }
    if (shape(out[0]) != expected)
      fail("result shape does not keep the reduced axes");
    break;
  }
  case fb::OpCode::PositionIds:
    arity(1, 1, 1);
    attrs(1, 0);
    if (op.ints()->Get(0) < 0)
      fail("padding_idx is negative");
    if ((dtype(in[0]) != fb::DType::I32 && dtype(in[0]) != fb::DType::I64) ||
        dtype(out[0]) != fb::DType::I64)
      fail("needs i32/i64 ids and an i64 result");
    if (shape(in[0]).size() != 2 || shape(out[0]) != shape(in[0]))
      fail("needs ids [B, S] and a result of their shape");
    break;
  case fb::OpCode::LengthMask:
    arity(1, 1, 1);
    attrs(0, 1);
    needF32({out[0]});
    if (shape(in[0]).size() != 1 || shape(out[0]).size() != 2 ||
        shape(out[0])[0] != shape(in[0])[0])
      fail("needs lengths [B] and a [B, S] result");
    break;
  case fb::OpCode::Attention: {
    arity(3, 4, 1);
    attrs(2, 2);
    needF32({in[0], in[1], in[2], out[0]});
    const auto &q = shape(in[0]), &k = shape(in[1]);
    int64_t heads = op.ints()->Get(0), bits = op.ints()->Get(1);
    if (q.size() != 3 || k.size() != 3 || shape(in[2]) != k || k[0] != q[0] ||
        k[2] != q[2] || shape(out[0]) != q || heads < 1 || q[2] % heads != 0 ||
        (bits != 0 && (bits < 2 || bits > 8)))
      fail("query, key, value, heads or result do not agree");
    if (in.size() == 4) {
      needF32({in[3]});
      if (shape(in[3]) != std::vector<int64_t>{q[0], k[1]})
        fail("mask must be [B, Sk]");
    }
    break;
  }
  case fb::OpCode::AttentionI8: {
    // q codes, q scale, k codes, k scale, v codes, v scale, mask?
    arity(6, 7, 1);
    attrs(2, 2);
    needF32({in[1], in[3], in[5], out[0]});
    for (int32_t codes : {in[0], in[2], in[4]})
      if (dtype(codes) != fb::DType::I8)
        fail(valueLabel(bundle, codes) + " must be int8 codes");
    const auto &q = shape(in[0]), &k = shape(in[2]);
    for (int i : {1, 3, 5})
      if (!sequenceScale(in[i], shape(in[i - 1])))
        fail(valueLabel(bundle, in[i]) +
             " must be one scale or one per sequence");
    int64_t heads = op.ints()->Get(0), bits = op.ints()->Get(1);
    if (q.size() != 3 || k.size() != 3 || shape(in[4]) != k || k[0] != q[0] ||
        k[2] != q[2] || shape(out[0]) != q || heads < 1 || q[2] % heads != 0 ||
        bits < 2 || bits > 8 || !(op.floats()->Get(1) > 0))
      fail("query, key, value, heads, prob_bits or result do not agree");
    if (in.size() == 7) {
      needF32({in[6]});
      if (shape(in[6]) != std::vector<int64_t>{q[0], k[1]})
        fail("mask must be [B, Sk]");
    }
    break;
  }
  case fb::OpCode::Quantize: {
    // x, mask? [B, S] -> codes, scale [1] or [B] (per sequence, dynamic)
    arity(1, 2, 2);
    attrs(1, 0);
    needF32({in[0], out[1]});
    const auto &x = shape(in[0]);
    if (dtype(out[0]) != fb::DType::I8 || !sequenceScale(out[1], x) ||
        op.ints()->Get(0) < 2 || op.ints()->Get(0) > 8)
      fail("needs int8 codes, one scale or one per sequence and bits in "
           "[2, 8]");
    sameShape(in[0], out[0]);
    if (op.floats()->size() && !(op.floats()->Get(0) > 0))
      fail("clip must be positive");
    bool perSequence = count(out[1]) != 1 || in.size() == 2;
    if (perSequence && (op.floats()->size() || x.size() < 2))
      fail("per-sequence scales need a dynamic clip and a [B, S, ...] input");
    if (in.size() == 2) {
      needF32({in[1]});
      if (shape(in[1]) != std::vector<int64_t>{x[0], x[1]})
        fail("mask must be [B, S] of the input");
    }
    break;
  }
  case fb::OpCode::Dequantize:
    arity(2, 2, 1);
    needF32({in[1], out[0]});
    if (dtype(in[0]) != fb::DType::I8 || !sequenceScale(in[1], shape(in[0])))
      fail("needs int8 codes and one scale or one per sequence");
    sameShape(in[0], out[0]);
    break;
  default:
    fail("unknown op code");
  }
}

/// Weight layouts of the selected ISA, built once (not per run).
void bnrt_model::prepack() {
  packed.assign(bundle->ops()->size(), {});
  for (uint32_t i = 0; i < bundle->ops()->size(); ++i)
    packOpWeights(bundle->ops()->Get(i)->code(), opInputs[i], isa, packed[i]);
}

void *bnrt_model::address(int32_t id, const void *const *in,
                          void *const *out) const {
  const fb::Value *v = bundle->values()->Get(id);
  switch (v->storage()) {
  case fb::Storage::Constant:
    return const_cast<uint8_t *>(data + v->offset());
  case fb::Storage::Arena:
    return arena + v->offset();
  case fb::Storage::Input:
    return in ? const_cast<void *>(in[v->offset()]) : nullptr;
  default:
    return out ? out[v->offset()] : nullptr;
  }
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

static bnrt_model *finishLoad(std::unique_ptr<bnrt_model> model,
                              bnrt_error *err) {
  try {
    model->load();
  } catch (const LoadError &e) {
    setError(err, e.status, e.message);
    return nullptr;
  } catch (const std::bad_alloc &) {
    setError(err, BNRT_ERROR_INVALID, "out of memory while loading");
    return nullptr;
  }
  setError(err, BNRT_OK, "");
  return model.release();
}

extern "C" bnrt_model *bnrt_model_load_memory(const void *bytes, size_t size,
                                              bnrt_error *err) {
  if (!bytes && size) {
    setError(err, BNRT_ERROR_ARGUMENT, "NULL data");
    return nullptr;
  }
  auto model = std::make_unique<bnrt_model>();
  try {
    model->setBytes(bytes, size);
  } catch (const std::bad_alloc &) {
    setError(err, BNRT_ERROR_INVALID, "out of memory");
    return nullptr;
  }
  return finishLoad(std::move(model), err);
}

extern "C" bnrt_model *bnrt_model_load_file(const char *path, bnrt_error *err) {
  std::ifstream file(path ? path : "", std::ios::binary | std::ios::ate);
  if (!path || !file) {
    setError(err, BNRT_ERROR_IO,
             std::string("cannot open '") + (path ? path : "(null)") + "'");
    return nullptr;
  }
  std::streamsize size = file.tellg();
  std::vector<char> bytes(size > 0 ? size_t(size) : 0);
  file.seekg(0);
  if (size > 0 && !file.read(bytes.data(), size)) {
    setError(err, BNRT_ERROR_IO, std::string("cannot read '") + path + "'");
    return nullptr;
  }
  return bnrt_model_load_memory(bytes.data(), bytes.size(), err);
}

extern "C" void bnrt_model_free(bnrt_model *model) { delete model; }

extern "C" int bnrt_model_num_inputs(const bnrt_model *m) {
  return static_cast<int>(m->inputs.size());
}
extern "C" int bnrt_model_num_outputs(const bnrt_model *m) {
  return static_cast<int>(m->outputs.size());
}

static const fb::Value *ioValue(const bnrt_model *m, int i, bool input) {
  const auto &ids = input ? m->inputs : m->outputs;
  if (i < 0 || i >= static_cast<int>(ids.size()))
    return nullptr;
  return m->bundle->values()->Get(ids[i]);
}

static const char *ioName(const bnrt_model *m, int i, bool input) {
  const fb::Value *v = ioValue(m, i, input);
  return v && v->name() ? v->name()->c_str() : nullptr;
}
extern "C" const char *bnrt_model_input_name(const bnrt_model *m, int i) {
  return ioName(m, i, true);
}
extern "C" const char *bnrt_model_output_name(const bnrt_model *m, int i) {
  return ioName(m, i, false);
}
extern "C" bnrt_dtype bnrt_model_input_dtype(const bnrt_model *m, int i) {
  const fb::Value *v = ioValue(m, i, true);
  return v ? static_cast<bnrt_dtype>(v->dtype()) : BNRT_DTYPE_F32;
}
extern "C" bnrt_dtype bnrt_model_output_dtype(const bnrt_model *m, int i) {
  const fb::Value *v = ioValue(m, i, false);
  return v ? static_cast<bnrt_dtype>(v->dtype()) : BNRT_DTYPE_F32;
}
static int ioShape(const bnrt_model *m, int i, bool input, int64_t *dims) {
  const auto &ids = input ? m->inputs : m->outputs;
  if (i < 0 || i >= static_cast<int>(ids.size()))
    return -1;
  const auto &shape = m->shapes[ids[i]];
  if (dims)
    std::copy(shape.begin(), shape.end(), dims);
  return static_cast<int>(shape.size());
}
extern "C" int bnrt_model_input_shape(const bnrt_model *m, int i,
                                      int64_t *dims) {
  return ioShape(m, i, true, dims);
}
extern "C" int bnrt_model_output_shape(const bnrt_model *m, int i,
                                       int64_t *dims) {
  return ioShape(m, i, false, dims);
}

extern "C" bnrt_status bnrt_model_set_threads(bnrt_model *m, int threads,
                                              bnrt_error *err) {
  m->scratchReservation.poolChanged();
  return resizePool(m->pool, threads, err);
}

extern "C" bnrt_status bnrt_model_set_isa(bnrt_model *m, const char *name,
                                          bnrt_error *err) {
  bnrt_isa isa = m->isa;
  if (availableIsa(name, isa, err) != BNRT_OK)
    return BNRT_ERROR_ARGUMENT;
  if (m->isa != isa) { // repack only on a change
    m->isa = isa;
    m->prepack();
  }
  return BNRT_OK;
}

extern "C" const char *bnrt_model_isa(const bnrt_model *m) {
  return bnrt_isa_name(m->isa);
}

extern "C" bnrt_status bnrt_model_run(bnrt_model *m, const void *const *inputs,
                                      void *const *outputs, bnrt_error *err) {
  if ((!inputs && !m->inputs.empty()) || (!outputs && !m->outputs.empty())) {
    setError(err, BNRT_ERROR_ARGUMENT, "NULL input or output array");
    return BNRT_ERROR_ARGUMENT;
  }
  for (size_t i = 0; i < m->inputs.size(); ++i)
    if (!inputs[i]) {
      setError(err, BNRT_ERROR_ARGUMENT,
               "input " + std::to_string(i) + " is NULL");
      return BNRT_ERROR_ARGUMENT;
    }
  for (size_t i = 0; i < m->outputs.size(); ++i)
    if (!outputs[i]) {
      setError(err, BNRT_ERROR_ARGUMENT,
               "output " + std::to_string(i) + " is NULL");
      return BNRT_ERROR_ARGUMENT;
    }
  OpContext ctx;
  ctx.isa = m->isa;
  ctx.pool = m->pool;
  ctx.scratch = &m->scratch;
  for (const auto &io : m->ioViews)
    io.view->data = m->address(io.value, inputs, outputs);
  auto ops = m->bundle->ops();
  for (uint32_t i = 0; i < ops->size(); ++i) {
    const fb::Op *op = ops->Get(i);
    ctx.packedWeights = m->packed[i].empty() ? nullptr : m->packed[i].data();
    auto start = std::chrono::steady_clock::now();
    std::string error;
    if (!runOp(OpAttrs::of(*op), m->opInputs[i], m->opOutputs[i], ctx, error)) {
      setError(err, BNRT_ERROR_ARGUMENT,
               "op " + std::to_string(i) + " (" + opCodeName(op->code()) +
                   (op->name() ? " '" + op->name()->str() + "'" : "") +
                   "): " + error);
      return BNRT_ERROR_ARGUMENT;
    }
    if (m->profiling)
      m->opSeconds[i] += std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  }
  m->scratchReservation.afterRun(m->pool);
  setError(err, BNRT_OK, "");
  return BNRT_OK;
}

extern "C" void bnrt_model_set_profiling(bnrt_model *m, int enabled) {
  m->profiling = enabled != 0;
  std::fill(m->opSeconds.begin(), m->opSeconds.end(), 0.0);
}
extern "C" int bnrt_model_num_ops(const bnrt_model *m) {
  return static_cast<int>(m->bundle->ops()->size());
}
extern "C" const char *bnrt_model_op_kind(const bnrt_model *m, int op) {
  if (op < 0 || op >= bnrt_model_num_ops(m))
    return nullptr;
  return opCodeName(m->bundle->ops()->Get(op)->code());
}
extern "C" const char *bnrt_model_op_name(const bnrt_model *m, int op) {
  if (op < 0 || op >= bnrt_model_num_ops(m))
    return nullptr;
  auto name = m->bundle->ops()->Get(op)->name();
  return name ? name->c_str() : "";
}
extern "C" double bnrt_model_op_seconds(const bnrt_model *m, int op) {
  if (op < 0 || op >= bnrt_model_num_ops(m))
    return 0;
  return m->opSeconds[op];
}
