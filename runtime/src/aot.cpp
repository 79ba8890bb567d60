//===- aot.cpp - the runtime side of ahead-of-time compiled models --------===//
//
// Generated code (bnbert-compile --emit obj) calls bnrt_aot_run_op per op
// with its operands; the first call of an op binds its views (and repacks
// GEMM weights for the ISA), later calls only re-point the data, so runs
// after the first allocate nothing. The operands come from the compiler's
// lowering of the same program a bundle holds, which the bundle loader's
// checks accept; the object is trusted code, like any linked library.
//
//===----------------------------------------------------------------------===//
#include "bnrt/aot.h"
#include "bnrt/bundle_format.h"
#include "bnrt/kernels.h"
#include "ops.h"
#include "scratch.h"
#include "status.h"

#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

using namespace bnrt;

struct bnrt_aot_context {
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  struct OpState {
    bool bound = false;
    std::vector<View> in, out;
    std::vector<uint64_t> packed; // GEMM weights for `packedIsa`
    int packedIsa = -1;
  };

  const bnrt_aot_model *model = nullptr;
  std::unique_ptr<uint8_t, Free> arena;
  bnrt_isa isa = bnrt_isa_default();
  bnrt_threads *pool = nullptr;
  std::vector<OpState> ops;
  std::vector<int8_t> scratch;
  std::string error;                     // the failing op's message
  ScratchReservation scratchReservation; // as bnrt_model's

  ~bnrt_aot_context() { bnrt_threads_destroy(pool); }
};

namespace {

void bindViews(std::vector<View> &views, const bnrt_aot_tensor *tensors,
               int32_t count) {
  views.resize(count);
  for (int32_t i = 0; i < count; ++i) {
    views[i].dtype = static_cast<fb::DType>(tensors[i].dtype);
    views[i].shape.assign(tensors[i].shape, tensors[i].shape + tensors[i].rank);
    views[i].data = tensors[i].data;
  }
}

} // namespace

extern "C" bnrt_aot_context *
bnrt_aot_context_create(const bnrt_aot_model *model, bnrt_error *err) {
  if (!model || !model->target || model->num_ops < 0 ||
      model->arena_bytes < 0) {
    setError(err, BNRT_ERROR_ARGUMENT, "no model description");
    return nullptr;
  }
  if (std::string(model->target) != hostTarget()) {
    setError(err, BNRT_ERROR_UNSUPPORTED,
             std::string("the object was compiled for '") + model->target +
                 "' but this is " + hostTarget() +
                 " (recompile with --target " + hostTarget() + ")");
    return nullptr;
  }
  auto *ctx = new (std::nothrow) bnrt_aot_context;
  size_t bytes = (static_cast<size_t>(model->arena_bytes) + 63) / 64 * 64;
  auto *arena =
      static_cast<uint8_t *>(std::aligned_alloc(64, bytes ? bytes : 64));
  if (!ctx || !arena) {
    delete ctx;
    std::free(arena);
    setError(err, BNRT_ERROR_ARGUMENT, "out of memory for the arena");
    return nullptr;
  }
  ctx->arena.reset(arena);
  ctx->model = model;
  ctx->ops.resize(model->num_ops);
  setError(err, BNRT_OK, "");
  return ctx;
}

extern "C" void bnrt_aot_context_free(bnrt_aot_context *ctx) { delete ctx; }

extern "C" bnrt_status bnrt_aot_set_threads(bnrt_aot_context *ctx, int threads,
                                            bnrt_error *err) {
  ctx->scratchReservation.poolChanged();
  return resizePool(ctx->pool, threads, err);
}

extern "C" bnrt_status bnrt_aot_set_isa(bnrt_aot_context *ctx, const char *name,
                                        bnrt_error *err) {
  // Weights repack at the next run.
  return availableIsa(name, ctx->isa, err);
}

extern "C" const char *bnrt_aot_isa(const bnrt_aot_context *ctx) {
  return bnrt_isa_name(ctx->isa);
}

extern "C" bnrt_status bnrt_aot_run(bnrt_aot_context *ctx,
                                    const void *const *inputs,
                                    void *const *outputs, bnrt_error *err) {
  const bnrt_aot_model *m = ctx->model;
  if ((!inputs && m->num_inputs) || (!outputs && m->num_outputs)) {
    setError(err, BNRT_ERROR_ARGUMENT, "NULL input or output array");
    return BNRT_ERROR_ARGUMENT;
  }
  for (int32_t i = 0; i < m->num_inputs + m->num_outputs; ++i)
    if (i < m->num_inputs ? !inputs[i] : !outputs[i - m->num_inputs]) {
      setError(err, BNRT_ERROR_ARGUMENT,
               std::string(i < m->num_inputs ? "input " : "output ") +
                   std::to_string(i < m->num_inputs ? i : i - m->num_inputs) +
                   " is NULL");
      return BNRT_ERROR_ARGUMENT;
    }
  ctx->error.clear();
  if (m->run(ctx, inputs, outputs) != 0) {
    setError(err, BNRT_ERROR_ARGUMENT, ctx->error);
    return BNRT_ERROR_ARGUMENT;
  }
  ctx->scratchReservation.afterRun(ctx->pool);
  setError(err, BNRT_OK, "");
  return BNRT_OK;
}

extern "C" uint8_t *bnrt_aot_arena(bnrt_aot_context *ctx) {
  return ctx->arena.get();
}

extern "C" int32_t
bnrt_aot_run_op(bnrt_aot_context *ctx, int32_t index, int32_t code,
                const char *name, const bnrt_aot_tensor *inputs,
                int32_t num_inputs, const bnrt_aot_tensor *outputs,
                int32_t num_outputs, const int64_t *ints, int32_t num_ints,
                const float *floats, int32_t num_floats) {
  auto kind = static_cast<fb::OpCode>(code);
  // The failing op's label, built only on failure (runs allocate nothing).
  auto fail = [&](const std::string &message) {
    ctx->error = "op " + std::to_string(index) + " (" + opCodeName(kind) +
                 (name ? std::string(" '") + name + "'" : "") + "): " + message;
    return 1;
  };
  if (index < 0 || index >= static_cast<int32_t>(ctx->ops.size()) ||
      kind < fb::OpCode::MIN || kind > fb::OpCode::MAX)
    return fail("not an op of this model (index or code)");
  try {
    auto &op = ctx->ops[index];
    if (!op.bound) {
      bindViews(op.in, inputs, num_inputs);
      bindViews(op.out, outputs, num_outputs);
      op.bound = true;
    } else {
      for (int32_t i = 0; i < num_inputs; ++i)
        op.in[i].data = inputs[i].data;
      for (int32_t i = 0; i < num_outputs; ++i)
        op.out[i].data = outputs[i].data;
    }
    OpContext opCtx;
    opCtx.isa = ctx->isa;
    opCtx.pool = ctx->pool;
    opCtx.scratch = &ctx->scratch;
    if (op.packedIsa != ctx->isa) { // GEMM weights for this ISA
      packOpWeights(kind, op.in, ctx->isa, op.packed);
      op.packedIsa = ctx->isa;
    }
    opCtx.packedWeights = op.packed.empty() ? nullptr : op.packed.data();
    OpAttrs attrs{kind, ints, num_ints, floats, num_floats};
    std::string error;
    if (!runOp(attrs, op.in, op.out, opCtx, error))
      return fail(error);
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
  return 0;
}
