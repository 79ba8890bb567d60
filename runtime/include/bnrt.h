/*===- bnrt.h - the bnbert runtime's C API ------------------------*- C -*-===*
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
 * shape, dtype and op arity) and fails with a message instead of crashing on
 * a corrupt or truncated file. Memory (arena, repacked weights, threads) is
 * allocated at load, kernel scratch in the first run (again after
 * bnrt_model_set_threads); later runs allocate nothing.
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
  BNRT_ERROR_IO = 1,          /* cannot read the file */
  BNRT_ERROR_INVALID = 2,     /* not a valid bundle (corrupt, truncated) */
  BNRT_ERROR_UNSUPPORTED = 3, /* another target, format or layout version */
  BNRT_ERROR_ARGUMENT = 4     /* bad argument (index, NULL buffer, ...) */
} bnrt_status;

typedef struct {
  bnrt_status status;
  char message[512];
} bnrt_error;

typedef enum {
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

/* Inputs and outputs, in the order run() takes their buffers. */
int bnrt_model_num_inputs(const bnrt_model *model);
int bnrt_model_num_outputs(const bnrt_model *model);
const char *bnrt_model_input_name(const bnrt_model *model, int i);
const char *bnrt_model_output_name(const bnrt_model *model, int i);
bnrt_dtype bnrt_model_input_dtype(const bnrt_model *model, int i);
bnrt_dtype bnrt_model_output_dtype(const bnrt_model *model, int i);
/* Rank, and the dimensions in dims[0 .. rank-1] (dims may be NULL). */
int bnrt_model_input_shape(const bnrt_model *model, int i, int64_t *dims);
int bnrt_model_output_shape(const bnrt_model *model, int i, int64_t *dims);

/* Threads for later runs (1 = the calling thread only; default 1), and the
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
