/*===- bnrt.h - the bnbert runtime's C API ------------------------*- C -*-===*
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * Load a compiled bundle (.bnb, from bnbert-compile), query its inputs and
 * outputs, and run it on caller-provided buffers:
 *
 *   bnrt_error err;
 *   bnrt_model *m = bnrt_model_load_file("model.bnb", &err);
 *   if (!m) { fprintf(stderr, "%s\n", err.message); ... }
 *   const void *in[3] = {ids, mask, types};   // in bnrt_model_input order
 *   size_t in_bytes[3] = {...};               // each buffer's size
 *   void *out[1] = {logits};
 *   size_t out_bytes[1] = {sizeof logits};
 *   if (bnrt_model_run(m, in, in_bytes, out, out_bytes, &err) != BNRT_OK) ...
 *   bnrt_model_free(m);
 *
 * Loading validates the whole bundle (checksum, flatbuffers verifier, every
 * offset, shape, dtype, and every op against the runtime's table of ops)
 * and fails with a message instead of crashing on a corrupt or truncated
 * file. Weights are repacked for the ISA at load.
 *
 * Models and contexts (the concurrency contract). A bnrt_model is
 * read-only once loaded: its program, constants and packed weights. A
 * bnrt_context holds one run's state: the activation arena (planned for
 * the largest shape), the current input shapes, worker threads and the
 * profile. One model serves any number of contexts, and different
 * contexts may run at the same time from different threads; one context
 * runs one call at a time (calls on it from several threads must be
 * serialized by the caller). A server keeps one context per serving
 * thread. bnrt_model_set_isa repacks the model's weights: call it before
 * runs start, never while a context of the model is running. Free the
 * contexts before their model. bnrt_model_run and bnrt_model_set_threads
 * use the model's own context (bnrt_model_context), so they too are one
 * call at a time.
 *
 * Shape ranges. A bundle compiled with --shape NAME=1..8x1..384 runs any
 * input shape in the range: set it with bnrt_context_set_input_shapes
 * before a run (a context starts at the largest shape); the outputs'
 * shapes follow (bnrt_context_output_shape). The work scales with the
 * shape given, not the largest.
 *
 * Memory. The arena is allocated when a context is created, worker threads
 * by set_threads, kernel scratch in the first run (again after
 * set_threads or a larger shape); later runs allocate nothing.
 *
 * Errors: every function reports failure through its return value (a
 * status, NULL, or -1) and, where it takes one, a bnrt_error with a message
 * naming the input, value or op; no C++ exception leaves the library. A
 * NULL model or context is an argument error, not a crash; so is a buffer
 * smaller than its shape needs.
 *===----------------------------------------------------------------------===*/
#ifndef BNRT_H
#define BNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  BNRT_OK = 0,
  BNRT_ERROR_IO = 1,            /* cannot read the file */
  BNRT_ERROR_INVALID = 2,       /* not a valid bundle (corrupt, truncated) */
  BNRT_ERROR_UNSUPPORTED = 3,   /* another target, format or layout version */
  BNRT_ERROR_ARGUMENT = 4,      /* bad argument or input (NULL buffer, an id
                                   outside a table, ...) */
  BNRT_ERROR_OUT_OF_MEMORY = 5, /* an allocation failed */
  BNRT_ERROR_RUNTIME = 6        /* the system failed (threads could not
                                   start, ...) */
} bnrt_status;

typedef struct {
  bnrt_status status;
  char message[512];
} bnrt_error;

typedef enum {
  BNRT_DTYPE_INVALID = -1, /* a NULL model or an index out of range */
  BNRT_DTYPE_F32 = 0,
  BNRT_DTYPE_I32 = 1,
  BNRT_DTYPE_I64 = 2,
  BNRT_DTYPE_I8 = 3,
  BNRT_DTYPE_BOOL = 4 /* one byte, 0 or 1 */
} bnrt_dtype;

typedef struct bnrt_model bnrt_model;
typedef struct bnrt_context bnrt_context;

/* Loading. `err` may be NULL. The memory variant copies `size` bytes.
 * Free a model after its contexts. */
bnrt_model *bnrt_model_load_file(const char *path, bnrt_error *err);
bnrt_model *bnrt_model_load_memory(const void *data, size_t size,
                                   bnrt_error *err);
void bnrt_model_free(bnrt_model *model);

/* Inputs and outputs, in the order run() takes their buffers. A NULL
 * model or an index out of range gives -1, NULL or BNRT_DTYPE_INVALID. */
int bnrt_model_num_inputs(const bnrt_model *model);
int bnrt_model_num_outputs(const bnrt_model *model);
const char *bnrt_model_input_name(const bnrt_model *model, int i);
const char *bnrt_model_output_name(const bnrt_model *model, int i);
bnrt_dtype bnrt_model_input_dtype(const bnrt_model *model, int i);
bnrt_dtype bnrt_model_output_dtype(const bnrt_model *model, int i);
/* The rank; the dimensions at the largest shape the model runs go to
 * dims[0 .. rank-1] when dims is not NULL and capacity >= rank (nothing is
 * written otherwise). */
int bnrt_model_input_shape(const bnrt_model *model, int i, int64_t *dims,
                           int capacity);
int bnrt_model_output_shape(const bnrt_model *model, int i, int64_t *dims,
                            int capacity);
/* Input i's range: the rank; each dimension's smallest and largest size to
 * mins / maxs (either may be NULL) when capacity >= rank. A fixed
 * dimension has min == max. */
int bnrt_model_input_range(const bnrt_model *model, int i, int64_t *mins,
                           int64_t *maxs, int capacity);

/* The kernel ISA ("scalar", "avx2", "avx512", "neon", "neondot",
 * "neoni8mm"; default:
 * the best this CPU has, or $BNRT_ISA). Setting it repacks the weights:
 * not while a context of the model runs. */
bnrt_status bnrt_model_set_isa(bnrt_model *model, const char *isa,
                               bnrt_error *err);
const char *bnrt_model_isa(const bnrt_model *model);

/* The label names the bundle carries (bnbert-compile --labels), one per
 * class in logit order: the count (0 when it has none; -1 for NULL) and
 * the name of label i (NULL out of range). */
int bnrt_model_num_labels(const bnrt_model *model);
const char *bnrt_model_label(const bnrt_model *model, int i);

/* The ops, in program order (for profiles). */
int bnrt_model_num_ops(const bnrt_model *model);
const char *bnrt_model_op_kind(const bnrt_model *model, int op);
const char *bnrt_model_op_name(const bnrt_model *model, int op);

/* Contexts: one run's state over a shared, read-only model (see the
 * concurrency contract above). NULL (and `err`) when the arena cannot be
 * allocated. */
bnrt_context *bnrt_context_create(const bnrt_model *model, bnrt_error *err);
void bnrt_context_free(bnrt_context *ctx);

/* Threads for the context's later runs (1 = the calling thread only;
 * default 1; at most 4x the hardware threads and at most 256: more is an
 * argument error). */
bnrt_status bnrt_context_set_threads(bnrt_context *ctx, int threads,
                                     bnrt_error *err);

/* The input shapes of the next runs: dims[i] holds ranks[i] sizes, for
 * every input in order. Each must lie in the input's range and inputs
 * sized by one range must agree; the error names the input, dimension and
 * range. A context starts at the largest shape. */
bnrt_status bnrt_context_set_input_shapes(bnrt_context *ctx,
                                          const int64_t *const *dims,
                                          const int *ranks, bnrt_error *err);
/* The context's current shapes, as bnrt_model_input_shape. */
int bnrt_context_input_shape(const bnrt_context *ctx, int i, int64_t *dims,
                             int capacity);
int bnrt_context_output_shape(const bnrt_context *ctx, int i, int64_t *dims,
                              int capacity);

/* Runs once. inputs[i] / outputs[i] are dense row-major buffers of the
 * context's current shapes and the model's dtypes, holding at least
 * input_bytes[i] / output_bytes[i] bytes (checked against the shapes).
 * Ids out of a table's range are an error. */
bnrt_status bnrt_context_run(bnrt_context *ctx, const void *const *inputs,
                             const size_t *input_bytes, void *const *outputs,
                             const size_t *output_bytes, bnrt_error *err);

/* Per-op time of the context's runs since the last reset (profiling on). */
void bnrt_context_set_profiling(bnrt_context *ctx, int enabled);
double bnrt_context_op_seconds(const bnrt_context *ctx, int op);

/* The model's own context (made on first use), and the shorthands that
 * use it: one caller at a time. */
bnrt_context *bnrt_model_context(bnrt_model *model, bnrt_error *err);
bnrt_status bnrt_model_set_threads(bnrt_model *model, int threads,
                                   bnrt_error *err);
bnrt_status bnrt_model_run(bnrt_model *model, const void *const *inputs,
                           const size_t *input_bytes, void *const *outputs,
                           const size_t *output_bytes, bnrt_error *err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_H */
