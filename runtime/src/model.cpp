//===- model.cpp - load, validate and run a bundle (the C API) ------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Loading checks everything a run relies on, so kernels never see an
// out-of-range offset or an inconsistent shape: the flatbuffers verifier,
// then each value (dtype, dims, bytes within the data or the arena, input
// and output indices), then each op (its code's entry in the op table,
// ops/op_table.cpp: options, arity, dtypes and shapes as its kernel reads
// them). A failure names the value or op. Two loaders fill the same
// model: a bundle's bytes, or an AOT object's program and constants.
//
//===----------------------------------------------------------------------===//
#include "bnrt.h"
#include "bnrt/aot.h"
#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"
#include "bnrt/checksum.h"
#include "bnrt/kernels.h"
#include "crc32c.h"
#include "ops/op_kernel.h"
#include "scratch.h"
#include "status.h"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <stdexcept>
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
  const uint8_t *data = nullptr; // constants: in the bundle, or an AOT
  int64_t dataSize = 0;          // object's global (externalData)
  const uint8_t *externalData = nullptr;
  int64_t externalDataSize = 0;
  std::vector<const OpKernel *> kernels; // per op
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
  if (size < 12 + checksum::kTrailerBytes ||
      !flatbuffers::BufferHasIdentifier(buf, fb::BundleIdentifier(),
                                        /*size_prefixed=*/true))
    invalid("not a bnbert bundle (missing the BNB1 identifier)");
  // The flatbuffer, then the checksum trailer over every byte before it.
  size_t bodySize =
      flatbuffers::GetPrefixedSize(buf) + sizeof(flatbuffers::uoffset_t);
  if (bodySize == size)
    throw LoadError{BNRT_ERROR_UNSUPPORTED,
                    "the bundle has no checksum (written by an older "
                    "bnbert-compile): compile the model again"};
  if (bodySize + checksum::kTrailerBytes != size)
    invalid("the bundle is truncated or has trailing bytes (" +
            std::to_string(size) + " bytes, the header says " +
            std::to_string(bodySize + checksum::kTrailerBytes) + ")");
  uint32_t stored = 0;
  for (int i = 3; i >= 0; --i)
    stored = stored << 8 | buf[bodySize + 4 + i];
  if (std::memcmp(buf + bodySize, checksum::kTrailerMagic, 4) != 0 ||
      crc32c(buf, bodySize) != stored)
    invalid("the bundle is corrupt (checksum mismatch)");
  flatbuffers::Verifier verifier(buf, bodySize, /*max_depth=*/64,
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
  if (externalData) {
    if (dataSize)
      invalid("an AOT program must not carry constant data of its own");
    data = externalData;
    dataSize = externalDataSize;
  }
  if (dataSize && reinterpret_cast<uintptr_t>(data) % 32 != 0)
    invalid("constant data is not 32-byte aligned");
  int64_t arenaBytes = bundle->arena_bytes();
  if (arenaBytes < 0 || arenaBytes > kMaxBytes)
    invalid("arena size " + std::to_string(arenaBytes) + " is out of range");
  validateValues();
  // Ops are validated in program order, so an operand's producer (when it
  // is an op's result) is known when its reader is checked.
  producers.assign(bundle->values()->size(), -1);
  kernels.assign(bundle->ops()->size(), nullptr);
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
    throw LoadError{BNRT_ERROR_OUT_OF_MEMORY, "out of memory for the " +
                                                  std::to_string(arenaBytes) +
                                                  "-byte activation arena"};
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

/// Checks an op: its code's table entry, its options, its operand ids;
/// then the entry's own check of what its kernel reads.
void bnrt_model::validateOp(int index, const fb::Op &op) {
  std::string label =
      "op " + std::to_string(index) + " (" + opCodeName(op.code()) +
      (op.name() && op.name()->size() ? " '" + op.name()->str() + "'"
                                      : std::string()) +
      ")";
  auto fail = [&](const std::string &why) { invalid(label + ": " + why); };
  const OpKernel *kernel = opKernel(op.code());
  if (!kernel)
    fail("unknown op code");
  if (op.options_type() != kernel->options ||
      (kernel->options != fb::OpOptions::NONE && !op.options()))
    fail(std::string("needs options ") +
         fb::EnumNameOpOptions(kernel->options) + ", has " +
         (op.options_type() >= fb::OpOptions::MIN &&
                  op.options_type() <= fb::OpOptions::MAX
              ? fb::EnumNameOpOptions(op.options_type())
              : "unknown"));
  if (!op.inputs() || !op.outputs())
    fail("missing operand lists");
  auto values = bundle->values();
  for (int32_t id : *op.inputs())
    if (id < 0 || id >= static_cast<int32_t>(values->size()))
      fail("operand index out of range");
  for (int32_t id : *op.outputs()) {
    if (id < 0 || id >= static_cast<int32_t>(values->size()))
      fail("result index out of range");
    auto storage = values->Get(id)->storage();
    if (storage != fb::Storage::Arena && storage != fb::Storage::Output)
      fail("writes a constant or an input");
  }
  try {
    kernel->check(OpCheck(*bundle, op, shapes, producers, label));
  } catch (const std::invalid_argument &e) {
    invalid(e.what());
  }
  kernels[index] = kernel;
}

/// Weight layouts of the selected ISA, built once (not per run).
void bnrt_model::prepack() {
  packed.assign(bundle->ops()->size(), {});
  for (uint32_t i = 0; i < bundle->ops()->size(); ++i)
    if (kernels[i]->pack)
      kernels[i]->pack(opInputs[i], isa, packed[i]);
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
// C API: no exception crosses it; every failure is a status and a message.
//===----------------------------------------------------------------------===//

namespace {

/// Runs `body` (returning a status), turning any exception into a status
/// and message in `err`.
template <typename F> bnrt_status guarded(bnrt_error *err, F &&body) {
  try {
    return body();
  } catch (const LoadError &e) {
    setError(err, e.status, e.message);
    return e.status;
  } catch (const std::bad_alloc &) {
    setError(err, BNRT_ERROR_OUT_OF_MEMORY, "out of memory");
    return BNRT_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    setError(err, BNRT_ERROR_RUNTIME, e.what());
    return BNRT_ERROR_RUNTIME;
  } catch (...) {
    setError(err, BNRT_ERROR_RUNTIME, "unknown failure");
    return BNRT_ERROR_RUNTIME;
  }
}

bnrt_status argumentError(bnrt_error *err, const std::string &message) {
  setError(err, BNRT_ERROR_ARGUMENT, message);
  return BNRT_ERROR_ARGUMENT;
}

/// Loads `fill`'s bytes into a new model; NULL (and `err`) on failure.
template <typename F> bnrt_model *loadModel(bnrt_error *err, F &&fill) {
  bnrt_model *result = nullptr;
  guarded(err, [&] {
    auto model = std::make_unique<bnrt_model>();
    bnrt_status status = fill(*model);
    if (status != BNRT_OK)
      return status;
    model->load();
    setError(err, BNRT_OK, "");
    result = model.release();
    return BNRT_OK;
  });
  return result;
}

} // namespace

extern "C" bnrt_model *bnrt_model_load_memory(const void *bytes, size_t size,
                                              bnrt_error *err) {
  return loadModel(err, [&](bnrt_model &model) {
    if (!bytes && size)
      return argumentError(err, "NULL data");
    model.setBytes(bytes, size);
    return BNRT_OK;
  });
}

extern "C" bnrt_model *bnrt_model_load_file(const char *path, bnrt_error *err) {
  return loadModel(err, [&](bnrt_model &model) {
    if (!path)
      return argumentError(err, "NULL path");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      setError(err, BNRT_ERROR_IO,
               std::string("cannot open '") + path +
                   "': " + (ec ? ec.message() : "not a regular file"));
      return BNRT_ERROR_IO;
    }
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    std::streamsize size = file ? std::streamsize(file.tellg()) : -1;
    if (size < 0) {
      setError(err, BNRT_ERROR_IO, std::string("cannot open '") + path + "'");
      return BNRT_ERROR_IO;
    }
    std::vector<char> bytes(static_cast<size_t>(size));
    file.seekg(0);
    if (size > 0 && !file.read(bytes.data(), size)) {
      setError(err, BNRT_ERROR_IO, std::string("cannot read '") + path + "'");
      return BNRT_ERROR_IO;
    }
    model.setBytes(bytes.data(), bytes.size());
    return BNRT_OK;
  });
}

extern "C" bnrt_model *bnrt_model_load_aot(const bnrt_aot_model *aot,
                                           bnrt_error *err) {
  return loadModel(err, [&](bnrt_model &model) {
    if (!aot || !aot->program || (!aot->constants && aot->constants_size))
      return argumentError(err, "no AOT model description");
    model.setBytes(aot->program, aot->program_size);
    // The constants stay in the object: no copy.
    model.externalData = aot->constants;
    model.externalDataSize = static_cast<int64_t>(aot->constants_size);
    return BNRT_OK;
  });
}

extern "C" void bnrt_model_free(bnrt_model *model) { delete model; }

extern "C" int bnrt_model_num_inputs(const bnrt_model *m) {
  return m ? static_cast<int>(m->inputs.size()) : -1;
}
extern "C" int bnrt_model_num_outputs(const bnrt_model *m) {
  return m ? static_cast<int>(m->outputs.size()) : -1;
}

/// Input or output i's value id, or -1 (NULL model, index out of range).
static int32_t ioId(const bnrt_model *m, int i, bool input) {
  if (!m)
    return -1;
  const auto &ids = input ? m->inputs : m->outputs;
  return i >= 0 && i < static_cast<int>(ids.size()) ? ids[i] : -1;
}

static const char *ioName(const bnrt_model *m, int i, bool input) {
  int32_t id = ioId(m, i, input);
  if (id < 0)
    return nullptr;
  auto name = m->bundle->values()->Get(id)->name();
  return name ? name->c_str() : "";
}
extern "C" const char *bnrt_model_input_name(const bnrt_model *m, int i) {
  return ioName(m, i, true);
}
extern "C" const char *bnrt_model_output_name(const bnrt_model *m, int i) {
  return ioName(m, i, false);
}

static bnrt_dtype ioDtype(const bnrt_model *m, int i, bool input) {
  int32_t id = ioId(m, i, input);
  return id < 0
             ? BNRT_DTYPE_INVALID
             : static_cast<bnrt_dtype>(m->bundle->values()->Get(id)->dtype());
}
extern "C" bnrt_dtype bnrt_model_input_dtype(const bnrt_model *m, int i) {
  return ioDtype(m, i, true);
}
extern "C" bnrt_dtype bnrt_model_output_dtype(const bnrt_model *m, int i) {
  return ioDtype(m, i, false);
}

static int ioShape(const bnrt_model *m, int i, bool input, int64_t *dims,
                   int capacity) {
  int32_t id = ioId(m, i, input);
  if (id < 0)
    return -1;
  const auto &shape = m->shapes[id];
  int rank = static_cast<int>(shape.size());
  if (dims && capacity >= rank)
    std::copy(shape.begin(), shape.end(), dims);
  return rank;
}
extern "C" int bnrt_model_input_shape(const bnrt_model *m, int i, int64_t *dims,
                                      int capacity) {
  return ioShape(m, i, true, dims, capacity);
}
extern "C" int bnrt_model_output_shape(const bnrt_model *m, int i,
                                       int64_t *dims, int capacity) {
  return ioShape(m, i, false, dims, capacity);
}

extern "C" bnrt_status bnrt_model_set_threads(bnrt_model *m, int threads,
                                              bnrt_error *err) {
  if (!m)
    return argumentError(err, "NULL model");
  return guarded(err, [&] {
    m->scratchReservation.poolChanged();
    return resizePool(m->pool, threads, err);
  });
}

extern "C" bnrt_status bnrt_model_set_isa(bnrt_model *m, const char *name,
                                          bnrt_error *err) {
  if (!m)
    return argumentError(err, "NULL model");
  return guarded(err, [&] {
    bnrt_isa isa = m->isa;
    if (availableIsa(name, isa, err) != BNRT_OK)
      return BNRT_ERROR_ARGUMENT;
    if (m->isa != isa) { // repack only on a change
      m->isa = isa;
      m->prepack();
    }
    setError(err, BNRT_OK, "");
    return BNRT_OK;
  });
}

extern "C" const char *bnrt_model_isa(const bnrt_model *m) {
  return m ? bnrt_isa_name(m->isa) : nullptr;
}

/// One run of every op, timed per op when profiling.
static bnrt_status runOps(bnrt_model *m, const void *const *inputs,
                          void *const *outputs, bnrt_error *err) {
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
    if (!m->kernels[i]->run(*op, m->opInputs[i], m->opOutputs[i], ctx, error))
      return argumentError(
          err, "op " + std::to_string(i) + " (" + opCodeName(op->code()) +
                   (op->name() ? " '" + op->name()->str() + "'" : "") +
                   "): " + error);
    if (m->profiling)
      m->opSeconds[i] += std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  }
  m->scratchReservation.afterRun(m->pool);
  setError(err, BNRT_OK, "");
  return BNRT_OK;
}

extern "C" bnrt_status bnrt_model_run(bnrt_model *m, const void *const *inputs,
                                      void *const *outputs, bnrt_error *err) {
  if (!m)
    return argumentError(err, "NULL model");
  if ((!inputs && !m->inputs.empty()) || (!outputs && !m->outputs.empty()))
    return argumentError(err, "NULL input or output array");
  for (size_t i = 0; i < m->inputs.size(); ++i)
    if (!inputs[i])
      return argumentError(err, "input " + std::to_string(i) + " is NULL");
  for (size_t i = 0; i < m->outputs.size(); ++i)
    if (!outputs[i])
      return argumentError(err, "output " + std::to_string(i) + " is NULL");
  return guarded(err, [&] { return runOps(m, inputs, outputs, err); });
}

extern "C" void bnrt_model_set_profiling(bnrt_model *m, int enabled) {
  if (!m)
    return;
  m->profiling = enabled != 0;
  std::fill(m->opSeconds.begin(), m->opSeconds.end(), 0.0);
}
extern "C" int bnrt_model_num_ops(const bnrt_model *m) {
  return m ? static_cast<int>(m->bundle->ops()->size()) : -1;
}
static const fb::Op *opAt(const bnrt_model *m, int op) {
  return m && op >= 0 && op < bnrt_model_num_ops(m) ? m->bundle->ops()->Get(op)
                                                    : nullptr;
}
extern "C" const char *bnrt_model_op_kind(const bnrt_model *m, int op) {
  const fb::Op *o = opAt(m, op);
  return o ? opCodeName(o->code()) : nullptr;
}
extern "C" const char *bnrt_model_op_name(const bnrt_model *m, int op) {
  const fb::Op *o = opAt(m, op);
  return o ? (o->name() ? o->name()->c_str() : "") : nullptr;
}
extern "C" double bnrt_model_op_seconds(const bnrt_model *m, int op) {
  return opAt(m, op) ? m->opSeconds[op] : 0;
}
