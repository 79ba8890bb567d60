//===- context.cpp - one run's state, and runs (the C API) ----------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A context owns what a run writes: the activation arena (planned for the
// range's upper bound, so any smaller shape fits in it), the operand views
// over it, the worker pool and the profile. It reads its model, never
// writes it, so contexts of one model run concurrently. A new input shape
// binds the shape ranges' symbols, recomputes every value's shape and runs
// every op's check on them before any kernel sees them.
//
//===----------------------------------------------------------------------===//
#include "context.h"

#include <algorithm>
#include <chrono>

using namespace bnrt;

bnrt_context::bnrt_context(const bnrt_model &m) : model(&m) {
  int64_t bytes = m.bundle->arena_bytes();
  arenaStorage.reset(static_cast<uint8_t *>(std::calloc(bytes + 64, 1)));
  if (!arenaStorage)
    throw Error(BNRT_ERROR_OUT_OF_MEMORY, "out of memory for the " +
                                              std::to_string(bytes) +
                                              "-byte activation arena");
  arena = arenaStorage.get() +
          (64 - reinterpret_cast<uintptr_t>(arenaStorage.get()) % 64) % 64;
  for (const auto &symbol : m.symbols)
    sizes.push_back(symbol.max);
  shapes = m.shapes;
  m.buildViews(shapes, arena, views);
  opSeconds.assign(m.bundle->ops()->size(), 0.0);
}

bnrt_context::~bnrt_context() { bnrt_threads_destroy(pool); }

int64_t bnrt_context::bytesOf(int32_t value) const {
  int64_t n = fb::elementBytes(model->bundle->values()->Get(value)->dtype());
  for (int64_t d : shapes[value])
    n *= d;
  return n;
}

void bnrt_context::resize(const std::vector<int64_t> &newSizes) {
  Shapes next;
  model->shapesAt(newSizes, next);
  try {
    model->checkOps(next);
  } catch (const Error &e) { // the bundle is fine; these shapes are not
    throw Error(BNRT_ERROR_ARGUMENT,
                std::string("at these input shapes, ") + e.what());
  }
  shapes = std::move(next);
  sizes = newSizes;
  auto ops = model->bundle->ops();
  for (uint32_t i = 0; i < ops->size(); ++i)
    for (auto [ids, list] :
         {std::pair{ops->Get(i)->inputs(), &views.opInputs[i]},
          std::pair{ops->Get(i)->outputs(), &views.opOutputs[i]}})
      for (uint32_t j = 0; j < ids->size(); ++j)
        (*list)[j].shape = shapes[ids->Get(j)];
}

bnrt_status bnrt_context::setInputShapes(const int64_t *const *dims,
                                         const int *ranks, bnrt_error *err) {
  const bnrt_model &m = *model;
  // (Messages are built only on failure: a server sets shapes every run.)
  auto where = [&](size_t input, size_t d) {
    return "input '" + m.valueName(m.inputs[input]) + "' dimension " +
           std::to_string(d);
  };
  size_t n = m.symbols.size();
  int64_t newSizes[fb::kMaxShapeSymbols];
  std::pair<size_t, size_t> sizedBy[fb::kMaxShapeSymbols]; // (input, dim)
  std::fill(newSizes, newSizes + n, -1);
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    const auto &bound = m.shapes[m.inputs[i]];
    if (!dims[i] || ranks[i] != static_cast<int>(bound.size()))
      return argumentError(err, "input '" + m.valueName(m.inputs[i]) +
                                    "' needs rank " +
                                    std::to_string(bound.size()) + ", got " +
                                    std::to_string(dims[i] ? ranks[i] : 0));
    for (size_t d = 0; d < bound.size(); ++d) {
      int64_t size = dims[i][d];
      int symbol = m.inputDims[i][d].symbol;
      if (symbol < 0) {
        if (size != bound[d])
          return argumentError(err, where(i, d) + " is " +
                                        std::to_string(size) +
                                        "; the model is compiled for " +
                                        std::to_string(bound[d]));
        continue;
      }
      const auto &range = m.symbols[symbol];
      if (size < range.min || size > range.max)
        return argumentError(err, where(i, d) + " is " + std::to_string(size) +
                                      ", outside its range " +
                                      std::to_string(range.min) + ".." +
                                      std::to_string(range.max));
      if (newSizes[symbol] >= 0 && newSizes[symbol] != size)
        return argumentError(
            err, where(i, d) + " is " + std::to_string(size) + " but " +
                     where(sizedBy[symbol].first, sizedBy[symbol].second) +
                     " is " + std::to_string(newSizes[symbol]) +
                     " (the two share the range " + std::to_string(range.min) +
                     ".." + std::to_string(range.max) + ")");
      newSizes[symbol] = size;
      sizedBy[symbol] = {i, d};
    }
  }
  if (!std::equal(sizes.begin(), sizes.end(), newSizes))
    resize(std::vector<int64_t>(newSizes, newSizes + n));
  setError(err, BNRT_OK, "");
  return BNRT_OK;
}

namespace {

/// "" when every value of a mask is 0 or 1; else what the first other value
/// is and where. Attention reads a mask as an additive bias and the
/// per-sequence activation scales read it as "is padding": only 0 and 1
/// mean the same to both.
template <typename T>
std::string firstNonBinary(const void *data, int64_t bytes) {
  const T *values = static_cast<const T *>(data);
  int64_t n = bytes / static_cast<int64_t>(sizeof(T));
  for (int64_t i = 0; i < n; ++i)
    if (!(values[i] == T(0) || values[i] == T(1)))
      return "holds " + std::to_string(values[i]) + " at element " +
             std::to_string(i) + "; a mask is 0 (padding) or 1 (token)";
  return "";
}

std::string maskValueError(fb::DType dtype, const void *data, int64_t bytes) {
  switch (dtype) {
  case fb::DType::F32:
    return firstNonBinary<float>(data, bytes);
  case fb::DType::I32:
    return firstNonBinary<int32_t>(data, bytes);
  case fb::DType::I64:
    return firstNonBinary<int64_t>(data, bytes);
  case fb::DType::I8:
    return firstNonBinary<int8_t>(data, bytes);
  default:
    return "";
  }
}

} // namespace

bnrt_status bnrt_context::run(const void *const *inputs,
                              const size_t *inputBytes, void *const *outputs,
                              const size_t *outputBytes, bnrt_error *err) {
  const bnrt_model &m = *model;
  if ((!m.inputs.empty() && (!inputs || !inputBytes)) ||
      (!m.outputs.empty() && (!outputs || !outputBytes)))
    return argumentError(err, "NULL input or output array (buffers and their "
                              "sizes are both needed)");
  // (Messages are built only on failure: runs allocate nothing.)
  for (auto [ids, data, given, kind] :
       {std::tuple{&m.inputs, static_cast<const void *const *>(inputs),
                   inputBytes, "input"},
        std::tuple{&m.outputs, static_cast<const void *const *>(outputs),
                   outputBytes, "output"}})
    for (size_t i = 0; i < ids->size(); ++i) {
      int64_t needed = bytesOf((*ids)[i]);
      if (data[i] && given[i] >= static_cast<size_t>(needed))
        continue;
      std::string name = std::string(kind) + " " + std::to_string(i) + " '" +
                         m.valueName((*ids)[i]) + "'";
      if (!data[i])
        return argumentError(err, name + " is NULL");
      return argumentError(
          err, name + " has " + std::to_string(given[i]) +
                   " bytes; its shape needs " + std::to_string(needed) +
                   (m.symbols.empty() ? "" : " (set the input shapes first)"));
    }
  if (m.maskInput >= 0) {
    std::string bad =
        maskValueError(m.bundle->values()->Get(m.inputs[m.maskInput])->dtype(),
                       inputs[m.maskInput], bytesOf(m.inputs[m.maskInput]));
    if (!bad.empty())
      return argumentError(err, "input " + std::to_string(m.maskInput) +
                                    " 'attention_mask' " + bad);
  }
  OpContext ctx;
  ctx.isa = m.isa;
  ctx.pool = pool;
  ctx.scratch = &scratch;
  const fb::Bundle &bundle = *m.bundle;
  for (const auto &io : views.io) {
    const fb::Value *v = bundle.values()->Get(io.value);
    io.view->data = v->storage() == fb::Storage::Input
                        ? const_cast<void *>(inputs[v->offset()])
                        : outputs[v->offset()];
  }
  auto ops = bundle.ops();
  for (uint32_t i = 0; i < ops->size(); ++i) {
    ctx.packedWeights = m.packed[i].empty() ? nullptr : m.packed[i].data();
    auto start = std::chrono::steady_clock::now();
    try {
      m.kernels[i]->run(*ops->Get(i), views.opInputs[i], views.opOutputs[i],
                        ctx);
    } catch (
        const Error &e) { // data the op cannot take (an id outside a table)
      setError(err, e.status, m.opLabel(static_cast<int>(i)) + ": " + e.what());
      return e.status;
    }
    if (profiling)
      opSeconds[i] += std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  }
  scratchReservation.afterRun(pool);
  setError(err, BNRT_OK, "");
  return BNRT_OK;
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" bnrt_context *bnrt_context_create(const bnrt_model *m,
                                             bnrt_error *err) {
  if (!m) {
    argumentError(err, "NULL model");
    return nullptr;
  }
  bnrt_context *result = nullptr;
  guarded(err, [&] {
    result = new bnrt_context(*m);
    setError(err, BNRT_OK, "");
    return BNRT_OK;
  });
  return result;
}

extern "C" void bnrt_context_free(bnrt_context *ctx) { delete ctx; }

extern "C" bnrt_status bnrt_context_set_threads(bnrt_context *ctx, int threads,
                                                bnrt_error *err) {
  if (!ctx)
    return argumentError(err, "NULL context");
  return guarded(err, [&] {
    ctx->scratchReservation.poolChanged();
    return resizePool(ctx->pool, threads, err);
  });
}

extern "C" bnrt_status bnrt_context_set_input_shapes(bnrt_context *ctx,
                                                     const int64_t *const *dims,
                                                     const int *ranks,
                                                     bnrt_error *err) {
  if (!ctx)
    return argumentError(err, "NULL context");
  if (!ctx->model->inputs.empty() && (!dims || !ranks))
    return argumentError(err, "NULL shape arrays");
  return guarded(err, [&] { return ctx->setInputShapes(dims, ranks, err); });
}

static int contextShape(const bnrt_context *ctx, int i, bool input,
                        int64_t *dims, int capacity) {
  int32_t id = ioId(ctx ? ctx->model : nullptr, i, input);
  return id < 0 ? -1 : writeShape(ctx->shapes[id], dims, capacity);
}
extern "C" int bnrt_context_input_shape(const bnrt_context *ctx, int i,
                                        int64_t *dims, int capacity) {
  return contextShape(ctx, i, true, dims, capacity);
}
extern "C" int bnrt_context_output_shape(const bnrt_context *ctx, int i,
                                         int64_t *dims, int capacity) {
  return contextShape(ctx, i, false, dims, capacity);
}

extern "C" bnrt_status
bnrt_context_run(bnrt_context *ctx, const void *const *inputs,
                 const size_t *input_bytes, void *const *outputs,
                 const size_t *output_bytes, bnrt_error *err) {
  if (!ctx)
    return argumentError(err, "NULL context");
  return guarded(err, [&] {
    return ctx->run(inputs, input_bytes, outputs, output_bytes, err);
  });
}

extern "C" void bnrt_context_set_profiling(bnrt_context *ctx, int enabled) {
  if (!ctx)
    return;
  ctx->profiling = enabled != 0;
  std::fill(ctx->opSeconds.begin(), ctx->opSeconds.end(), 0.0);
}
extern "C" double bnrt_context_op_seconds(const bnrt_context *ctx, int op) {
  return ctx && op >= 0 && op < static_cast<int>(ctx->opSeconds.size())
             ? ctx->opSeconds[op]
             : 0;
}

// The model's own context: what bnrt_model_set_threads and bnrt_model_run
// use, made on first use (a server's per-thread contexts need no extra).
static bnrt_status ownContext(bnrt_model *m, bnrt_context *&ctx,
                              bnrt_error *err) {
  if (!m)
    return argumentError(err, "NULL model");
  bnrt_status status = BNRT_OK;
  std::call_once(m->ownContextOnce, [&] {
    status = guarded(err, [&] {
      m->ownContext.reset(new bnrt_context(*m));
      return BNRT_OK;
    });
  });
  ctx = m->ownContext.get();
  if (ctx)
    return BNRT_OK;
  if (status == BNRT_OK) // failed in an earlier call
    setError(err, status = BNRT_ERROR_OUT_OF_MEMORY,
             "the model's own context could not be created");
  return status;
}

extern "C" bnrt_context *bnrt_model_context(bnrt_model *m, bnrt_error *err) {
  bnrt_context *ctx = nullptr;
  ownContext(m, ctx, err);
  return ctx;
}

extern "C" bnrt_status bnrt_model_set_threads(bnrt_model *m, int threads,
                                              bnrt_error *err) {
  bnrt_context *ctx = nullptr;
  bnrt_status status = ownContext(m, ctx, err);
  return status != BNRT_OK ? status
                           : bnrt_context_set_threads(ctx, threads, err);
}

extern "C" bnrt_status bnrt_model_run(bnrt_model *m, const void *const *inputs,
                                      const size_t *input_bytes,
                                      void *const *outputs,
                                      const size_t *output_bytes,
                                      bnrt_error *err) {
  bnrt_context *ctx = nullptr;
  bnrt_status status = ownContext(m, ctx, err);
  return status != BNRT_OK ? status
                           : bnrt_context_run(ctx, inputs, input_bytes, outputs,
                                              output_bytes, err);
}
