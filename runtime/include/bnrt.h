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
 *   void *out[1] = {logits};
 *   if (bnrt_model_run(m, in, out, &err) != BNRT_OK) ...
 *   bnrt_model_free(m);
 *
 * Loading validates the whole bundle (flatbuffers verifier, every offset,
 * shape, dtype, and every op against the runtime's table of ops) and fails
 * with a message instead of crashing on a corrupt or truncated file. The
 * arena and the repacked weights are allocated at load, worker threads
 * started by bnrt_model_set_threads, kernel scratch in the first run
 * (again after set_threads); later runs allocate nothing. A model linked
 * into a program as an object loads with bnrt_model_load_aot (bnrt/aot.h)
 * into the same bnrt_model.
 *
 * Errors: every function reports failure through its return value (a
 * status, NULL, or -1) and, where it takes one, a bnrt_error with a message
 * naming the input, value or op; no C++ exception leaves the library. A
 * NULL model is an argument error, not a crash.
 *
 * Threads: a bnrt_model holds the state of one run (its arena, scratch and
 * profile), so one model runs one call at a time: calls on the same model
 * from several threads must be serialized by the caller (or use one model
 * per thread). Different models are independent. A run itself may use the
 * model's worker threads (bnrt_model_set_threads).
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
  BNRT_DTYPE_I8 = 3
} bnrt_dtype;

typedef struct bnrt_model bnrt_model;

/* Loading. `err` may be NULL. The memory variant copies `size` bytes. */
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
/* The rank; the dimensions go to dims[0 .. rank-1] when dims is not NULL
 * and capacity >= rank (nothing is written otherwise). */
int bnrt_model_input_shape(const bnrt_model *model, int i, int64_t *dims,
                           int capacity);
int bnrt_model_output_shape(const bnrt_model *model, int i, int64_t *dims,
                            int capacity);

/* Threads for later runs (1 = the calling thread only; default 1; at most
 * 4x the hardware threads and at most 256: more is an argument error), and the
 * kernel ISA ("scalar", "avx2", "avx512", "neon", "neondot"; default: the
 * best this CPU has, or $BNRT_ISA). */
bnrt_status bnrt_model_set_threads(bnrt_model *model, int threads,
                                   bnrt_error *err);
bnrt_status bnrt_model_set_isa(bnrt_model *model, const char *isa,
                               bnrt_error *err);
const char *bnrt_model_isa(const bnrt_model *model);

/* Runs once. inputs[i] / outputs[i] are dense row-major buffers of the
 * shapes and dtypes above. Ids out of a table's range are an error. */
bnrt_status bnrt_model_run(bnrt_model *model, const void *const *inputs,
                           void *const *outputs, bnrt_error *err);

/* Per-op time of the runs since the last reset (profiling on), by op. */
void bnrt_model_set_profiling(bnrt_model *model, int enabled);
int bnrt_model_num_ops(const bnrt_model *model);
const char *bnrt_model_op_kind(const bnrt_model *model, int op);
const char *bnrt_model_op_name(const bnrt_model *model, int op);
double bnrt_model_op_seconds(const bnrt_model *model, int op);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_H */
