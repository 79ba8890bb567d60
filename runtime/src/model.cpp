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
#include "model.h"

#include "bnrt/aot.h"
#include "bnrt/bitpack.h"
#include "bnrt/bundle_format.h"
#include "bnrt/checksum.h"
#include "crc32c.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <tuple>

using namespace bnrt;

namespace {

constexpr int64_t kMaxBytes = int64_t(1) << 40;
/// What a constant's or arena value's offset must be a multiple of.
constexpr int64_t kValueAlign = 8;

/// Whether a [long] vector has elements that are not 8-byte aligned:
/// flatbuffers' verifier checks only the length field's alignment (found
/// by fuzzing). An empty one has nothing to read.
bool misaligned(const flatbuffers::Vector<int64_t> *v) {
  return v && v->size() &&
         reinterpret_cast<uintptr_t>(v->data()) % alignof(int64_t) != 0;
}

} // namespace

bnrt_model::~bnrt_model() = default;

uint8_t *bnrt_model::reserveBytes(size_t n) {
  storage.reset(new uint8_t[n + 64]);
  buf = storage.get() +
        (64 - reinterpret_cast<uintptr_t>(storage.get()) % 64) % 64;
  size = n;
  return buf;
}

void bnrt_model::setBytes(const void *bytes, size_t n) {
  uint8_t *to = reserveBytes(n);
  if (n)
    std::memcpy(to, bytes, n);
}

void bnrt_model::alignConstants() {
  size_t offset = bundle->data() ? bundle->data()->data() - buf : 0;
  // Moving by a multiple of 32 keeps every field's alignment; data not
  // 32-byte aligned is refused below.
  if (!bundle->data() || bundle->data()->size() == 0 || !storage ||
      offset % 32 != 0)
    return;
  uint8_t *start =
      storage.get() +
      (64 - (reinterpret_cast<uintptr_t>(storage.get()) + offset) % 64) % 64;
  if (start == buf)
    return;
  std::memmove(start, buf, size); // storage holds size + 64 bytes
  buf = start;
  bundle = fb::GetSizePrefixedBundle(buf);
}

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
    throw Error(BNRT_ERROR_UNSUPPORTED,
                "the bundle has no checksum (written by an older "
                "bnbert-compile): compile the model again");
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
  alignConstants();
  if (bundle->format_version() < fb::kOldestBundleFormatVersion ||
      bundle->format_version() > fb::kBundleFormatVersion)
    throw Error(BNRT_ERROR_UNSUPPORTED,
                "bundle format version " +
                    std::to_string(bundle->format_version()) +
                    "; this runtime reads versions " +
                    std::to_string(fb::kOldestBundleFormatVersion) + " to " +
                    std::to_string(fb::kBundleFormatVersion));
  if (bundle->bitpack_layout() != BNRT_BITPACK_LAYOUT_VERSION)
    throw Error(BNRT_ERROR_UNSUPPORTED,
                "packed weight layout " +
                    std::to_string(bundle->bitpack_layout()) +
                    "; this runtime reads layout " +
                    std::to_string(BNRT_BITPACK_LAYOUT_VERSION));
  std::string target = bundle->target() ? bundle->target()->str() : "";
  if (target != hostTarget())
    throw Error(BNRT_ERROR_UNSUPPORTED,
                "the bundle was compiled for '" + target + "' but this is " +
                    hostTarget() + " (recompile with --target " + hostTarget() +
                    ")");
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
  validateRanges();
  // Ops are validated in program order, so an operand's producer (when it
  // is an op's result) is known when its reader is checked.
  producers.assign(bundle->values()->size(), -1);
  kernels.assign(bundle->ops()->size(), nullptr);
  for (uint32_t i = 0; i < bundle->ops()->size(); ++i) {
    validateOp(static_cast<int>(i), *bundle->ops()->Get(i));
    for (int32_t id : *bundle->ops()->Get(i)->outputs())
      producers[id] = static_cast<int32_t>(i);
  }
  // Every op's check at the bound, and at the range's lower end: with
  // the ranges' products of symbols, a shape between passes as both do
  // (and contexts check again at every new input shape).
  checkOps(shapes);
  if (!symbols.empty()) {
    std::vector<int64_t> lower;
    for (const Symbol &s : symbols)
      lower.push_back(s.min);
    Shapes atLower;
    shapesAt(lower, atLower);
    checkOps(atLower);
  }
  // The arena is exactly what the planned slots need (a corrupt size
  // field is rejected rather than allocated).
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
  isa = bnrt_isa_default();
  prepack();
}

void bnrt_model::buildViews(const Shapes &valueShapes, uint8_t *arena,
                            ProgramViews &views) const {
  uint32_t count = bundle->ops()->size();
  views.opInputs.assign(count, {});
  views.opOutputs.assign(count, {});
  views.io.clear();
  for (uint32_t i = 0; i < count; ++i) {
    const fb::Op *op = bundle->ops()->Get(i);
    for (auto [ids, list] : {std::pair{op->inputs(), &views.opInputs[i]},
                             std::pair{op->outputs(), &views.opOutputs[i]}}) {
      list->resize(ids->size()); // not resized again: pointers stay valid
      for (uint32_t j = 0; j < ids->size(); ++j) {
        int32_t id = ids->Get(j);
        const fb::Value *value = bundle->values()->Get(id);
        View &view = (*list)[j];
        view.dtype = value->dtype();
        view.shape = valueShapes[id];
        view.data = nullptr;
        switch (value->storage()) {
        case fb::Storage::Constant:
          view.data = const_cast<uint8_t *>(data + value->offset());
          break;
        case fb::Storage::Arena:
          view.data = arena ? arena + value->offset() : nullptr;
          break;
        default:
          views.io.push_back({&view, id});
        }
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
    if (misaligned(v->shape()))
      invalid(label + " has a misaligned shape");
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
    // The kernels read packed weights and int64 values as 8-byte words (the
    // writer puts everything on 64-byte lines): a 4-byte offset passed
    // here until fuzzing found one read misaligned.
    if ((v->storage() == fb::Storage::Constant ||
         v->storage() == fb::Storage::Arena) &&
        offset % kValueAlign != 0)
      invalid(label + " has offset " + std::to_string(offset) +
              ", not a multiple of " + std::to_string(kValueAlign));
    switch (v->storage()) {
    case fb::Storage::Constant:
      if (offset < 0 || offset > dataSize - bytes)
        invalid(label + " lies outside the bundle's data");
      break;
    case fb::Storage::Arena:
      if (offset < 0 || offset > bundle->arena_bytes() - bytes)
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
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fb::Value *v = values->Get(inputs[i]);
    if (v->name() && v->name()->str() == "attention_mask" &&
        v->dtype() != fb::DType::Bool)
      maskInput = static_cast<int>(i);
  }
}

/// Checks what a run of the symbols' sizes relies on: each symbol's
/// range, each ranged dimension's powers (its bound a multiple of their
/// product at the bound), inputs sized by one symbol each, and constants
/// whose dense prefix is their smaller shape.
void bnrt_model::validateRanges() {
  auto values = bundle->values();
  if (bundle->symbols() && bundle->symbols()->size() > fb::kMaxShapeSymbols)
    invalid("the bundle has " + std::to_string(bundle->symbols()->size()) +
            " shape ranges (at most " + std::to_string(fb::kMaxShapeSymbols) +
            ")");
  if (bundle->symbols())
    for (const fb::Symbol *s : *bundle->symbols()) {
      std::string name = s->name() ? s->name()->str() : "";
      if (s->min() < 1 || s->min() > s->max() || s->max() > kMaxBytes)
        invalid("shape range '" + name + "' is " + std::to_string(s->min()) +
                ".." + std::to_string(s->max()));
      symbols.push_back({name, s->min(), s->max()});
    }
  size_t n = symbols.size();
  dimPowers.assign(values->size(), {});
  dimCoefficients.assign(values->size(), {});
  for (uint32_t id = 0; id < values->size(); ++id) {
    const fb::Value *v = values->Get(id);
    const auto &shape = shapes[id];
    dimCoefficients[id] = shape;
    if (!v->dim_powers() || v->dim_powers()->size() == 0)
      continue;
    std::string label = valueLabel(bundle, id);
    if (v->dim_powers()->size() != shape.size() * n)
      invalid(label + " has " + std::to_string(v->dim_powers()->size()) +
              " dimension powers for rank " + std::to_string(shape.size()) +
              " and " + std::to_string(n) + " shape range(s)");
    dimPowers[id].assign(v->dim_powers()->begin(), v->dim_powers()->end());
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t product = 1;
      for (size_t j = 0; j < n; ++j)
        for (int p = 0; p < dimPowers[id][d * n + j]; ++p) {
          if (dimPowers[id][d * n + j] > 3 ||
              product > kMaxBytes / symbols[j].max)
            invalid(label + " has an invalid dimension power");
          product *= symbols[j].max;
        }
      if (shape[d] % product != 0)
        invalid(label + " dimension " + std::to_string(d) + " (" +
                std::to_string(shape[d]) +
                ") is not a multiple of its ranged sizes");
      dimCoefficients[id][d] = shape[d] / product;
    }
  }
  std::vector<bool> sized(n, false);
  inputDims.assign(inputs.size(), {});
  for (size_t i = 0; i < inputs.size(); ++i) {
    int32_t id = inputs[i];
    for (size_t d = 0; d < shapes[id].size(); ++d) {
      int symbol = -1;
      for (size_t j = 0; j < n && !dimPowers[id].empty(); ++j)
        if (dimPowers[id][d * n + j]) {
          if (symbol >= 0 || dimPowers[id][d * n + j] != 1 ||
              dimCoefficients[id][d] != 1)
            invalid(valueLabel(bundle, id) + " dimension " + std::to_string(d) +
                    " must be one shape range");
          symbol = static_cast<int>(j);
          sized[j] = true;
        }
      inputDims[i].push_back({symbol});
    }
  }
  for (size_t j = 0; j < n; ++j)
    if (!sized[j])
      invalid("shape range '" + symbols[j].name + "' sizes no input");
  // A ranged constant is read as the dense prefix of its stored bound.
  for (uint32_t id = 0; id < values->size(); ++id) {
    const fb::Value *v = values->Get(id);
    if (v->storage() == fb::Storage::Constant && !dimPowers[id].empty() &&
        !fb::readsAsPrefix(shapes[id], dimPowers[id], n, data + v->offset(),
                           fb::elementBytes(v->dtype())))
      invalid(valueLabel(bundle, id) +
              " is a constant whose smaller shapes are not a prefix of it");
  }
}

void bnrt_model::shapesAt(const std::vector<int64_t> &sizes,
                          Shapes &out) const {
  out = shapes;
  size_t n = symbols.size();
  for (size_t id = 0; id < shapes.size(); ++id)
    for (size_t d = 0; d < shapes[id].size() && !dimPowers[id].empty(); ++d) {
      int64_t dim = dimCoefficients[id][d];
      for (size_t j = 0; j < n; ++j)
        for (int p = 0; p < dimPowers[id][d * n + j]; ++p)
          dim *= sizes[j];
      out[id][d] = dim;
    }
}

std::string bnrt_model::opLabel(int index) const {
  const fb::Op *op = bundle->ops()->Get(index);
  return "op " + std::to_string(index) + " (" + opCodeName(op->code()) +
         (op->name() && op->name()->size() ? " '" + op->name()->str() + "'"
                                           : std::string()) +
         ")";
}

void bnrt_model::checkOps(const Shapes &valueShapes) const {
  for (uint32_t i = 0; i < bundle->ops()->size(); ++i)
    kernels[i]->check(OpCheck(*bundle, *bundle->ops()->Get(i), valueShapes,
                              producers, opLabel(static_cast<int>(i))));
}

/// Checks an op's structure: its code's table entry, its options, its
/// operand ids (checkOps then runs the entry's check of what its kernel
/// reads).
void bnrt_model::validateOp(int index, const fb::Op &op) {
  std::string label = opLabel(index);
  auto fail = [&](const std::string &why) { invalid(label + ": " + why); };
  const OpKernel *kernel = opKernel(op.code());
  if (!kernel)
    fail("unknown op code");
  bool absentAllowed =
      kernel->optionsOptional && op.options_type() == fb::OpOptions::NONE;
  if (!absentAllowed &&
      (op.options_type() != kernel->options ||
       (kernel->options != fb::OpOptions::NONE && !op.options())))
    fail(std::string("needs options ") +
         fb::EnumNameOpOptions(kernel->options) + ", has " +
         (op.options_type() >= fb::OpOptions::MIN &&
                  op.options_type() <= fb::OpOptions::MAX
              ? fb::EnumNameOpOptions(op.options_type())
              : "unknown"));
  if (!op.inputs() || !op.outputs())
    fail("missing operand lists");
  if (misaligned(op.options_as_TransposeOptions()
                     ? op.options_as_TransposeOptions()->permutation()
                     : nullptr) ||
      misaligned(op.options_as_SliceOptions()
                     ? op.options_as_SliceOptions()->offsets()
                     : nullptr) ||
      misaligned(op.options_as_ReduceMeanOptions()
                     ? op.options_as_ReduceMeanOptions()->axes()
                     : nullptr))
    fail("has misaligned options");
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
  kernels[index] = kernel;
}

/// Weight layouts of the selected ISA, built once (not per run) from the
/// constants' views.
void bnrt_model::prepack() {
  ProgramViews views;
  buildViews(shapes, nullptr, views);
  packed.assign(bundle->ops()->size(), {});
  for (uint32_t i = 0; i < bundle->ops()->size(); ++i)
    if (kernels[i]->pack)
      kernels[i]->pack(*bundle->ops()->Get(i), views.opInputs[i], isa,
                       packed[i]);
}

//===----------------------------------------------------------------------===//
// C API: no exception crosses it; every failure is a status and a message.
//===----------------------------------------------------------------------===//

namespace {

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
    // Straight into the model's storage: no second copy of the bundle.
    auto *bytes =
        reinterpret_cast<char *>(model.reserveBytes(static_cast<size_t>(size)));
    file.seekg(0);
    if (size > 0 && !file.read(bytes, size)) {
      setError(err, BNRT_ERROR_IO, std::string("cannot read '") + path + "'");
      return BNRT_ERROR_IO;
    }
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

int32_t bnrt::ioId(const bnrt_model *m, int i, bool input) {
  if (!m)
    return -1;
  const auto &ids = input ? m->inputs : m->outputs;
  return i >= 0 && i < static_cast<int>(ids.size()) ? ids[i] : -1;
}

int bnrt::writeShape(const std::vector<int64_t> &shape, int64_t *dims,
                     int capacity) {
  int rank = static_cast<int>(shape.size());
  if (dims && capacity >= rank)
    std::copy(shape.begin(), shape.end(), dims);
  return rank;
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
  return id < 0 ? -1 : writeShape(m->shapes[id], dims, capacity);
}
extern "C" int bnrt_model_input_shape(const bnrt_model *m, int i, int64_t *dims,
                                      int capacity) {
  return ioShape(m, i, true, dims, capacity);
}
extern "C" int bnrt_model_output_shape(const bnrt_model *m, int i,
                                       int64_t *dims, int capacity) {
  return ioShape(m, i, false, dims, capacity);
}
extern "C" int bnrt_model_input_range(const bnrt_model *m, int i, int64_t *mins,
                                      int64_t *maxs, int capacity) {
  int rank = ioShape(m, i, true, maxs, capacity);
  if (rank < 0 || !mins || capacity < rank)
    return rank;
  for (int d = 0; d < rank; ++d) {
    int symbol = m->inputDims[i][d].symbol;
    mins[d] = symbol < 0 ? m->shapes[m->inputs[i]][d] : m->symbols[symbol].min;
  }
  return rank;
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

static const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>> *
labelsOf(const bnrt_model *m) {
  return m && m->bundle->text() ? m->bundle->text()->labels() : nullptr;
}
extern "C" int bnrt_model_num_labels(const bnrt_model *m) {
  if (!m)
    return -1;
  auto *labels = labelsOf(m);
  return labels ? static_cast<int>(labels->size()) : 0;
}
extern "C" const char *bnrt_model_label(const bnrt_model *m, int i) {
  auto *labels = labelsOf(m);
  return labels && i >= 0 && i < static_cast<int>(labels->size())
             ? labels->Get(i)->c_str()
             : nullptr;
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
