/*===- bnrt/aot.h - what ahead-of-time compiled models call -----*- C -*-===*
 *
 * `bnbert-compile --emit obj` writes an object file holding a model's
 * constants (packed weights) and a generated entry point,
 *
 *   int32_t NAME_run(bnrt_aot_context *ctx, const void *const *inputs,
 *                    void *const *outputs);
 *
 * whose straight-line code calls bnrt_aot_run_op once per op of the
 * program, with operand tensors at fixed offsets of the constants, of the
 * context's activation arena, or in the caller's buffers. Its C header
 * (NAME.h) declares NAME_run and describes the model (bnrt_aot_model
 * NAME_model). A program links the object with this runtime:
 *
 *   bnrt_error err;
 *   bnrt_aot_context *ctx = bnrt_aot_context_create(&NAME_model, &err);
 *   if (bnrt_aot_run(ctx, in, out, &err) != BNRT_OK) ...
 *   bnrt_aot_context_free(ctx);
 *
 * (examples/aot/run_aot.cpp). A context serves one run at a time.
 *===----------------------------------------------------------------------===*/
#ifndef BNRT_AOT_H
#define BNRT_AOT_H

#include "bnrt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bnrt_aot_context bnrt_aot_context;

/* One operand: the generated code fills `data` before each call. */
typedef struct {
  int32_t dtype; /* bnrt_dtype */
  int32_t rank;
  const int64_t *shape;
  void *data;
} bnrt_aot_tensor;

/* An input or output of the model. */
typedef struct {
  const char *name;
  bnrt_dtype dtype;
  int32_t rank;
  const int64_t *shape;
} bnrt_aot_io;

typedef int32_t (*bnrt_aot_entry)(bnrt_aot_context *ctx,
                                  const void *const *inputs,
                                  void *const *outputs);

/* The model an object holds (defined by its generated header). */
typedef struct {
  const char *target; /* "x86_64" or "aarch64" */
  int32_t num_inputs, num_outputs;
  const bnrt_aot_io *inputs, *outputs;
  int32_t num_ops;
  int64_t arena_bytes;
  bnrt_aot_entry run;
} bnrt_aot_model;

/* A context: the activation arena, per-op state (GEMM weights repacked for
 * the ISA, operand views), threads. NULL (and `err` set) on failure, e.g.
 * a model compiled for another target. */
bnrt_aot_context *bnrt_aot_context_create(const bnrt_aot_model *model,
                                          bnrt_error *err);
void bnrt_aot_context_free(bnrt_aot_context *ctx);
bnrt_status bnrt_aot_set_threads(bnrt_aot_context *ctx, int threads,
                                 bnrt_error *err);
bnrt_status bnrt_aot_set_isa(bnrt_aot_context *ctx, const char *isa,
                             bnrt_error *err);
const char *bnrt_aot_isa(const bnrt_aot_context *ctx);

/* Runs the model: checks the buffers, calls model->run, and turns a
 * failing op into a message naming it. */
bnrt_status bnrt_aot_run(bnrt_aot_context *ctx, const void *const *inputs,
                         void *const *outputs, bnrt_error *err);

/* Called by generated code. */
uint8_t *bnrt_aot_arena(bnrt_aot_context *ctx);
/* Runs op `index` (bundle op code `code`, docs/bundle.md); 0 on success,
 * else the failure is kept for bnrt_aot_run's message. */
int32_t bnrt_aot_run_op(bnrt_aot_context *ctx, int32_t index, int32_t code,
                        const char *name, const bnrt_aot_tensor *inputs,
                        int32_t num_inputs, const bnrt_aot_tensor *outputs,
                        int32_t num_outputs, const int64_t *ints,
                        int32_t num_ints, const float *floats,
                        int32_t num_floats);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_AOT_H */
