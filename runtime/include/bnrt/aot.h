/*===- bnrt/aot.h - models linked into a program as an object ---*- C -*-===*
 * SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
 *
 * `bnbert-compile --emit obj -o NAME.o` writes an object file holding a
 * model's constants (packed weights, scales) and its op program, and a C
 * header NAME.h declaring `NAME_model`. A program links the object with
 * this runtime and loads the model from memory, with no file to ship:
 *
 *   #include "NAME.h"
 *   bnrt_error err;
 *   bnrt_model *m = bnrt_model_load_aot(&NAME_model, &err);
 *   if (!m || bnrt_model_run(m, in, in_bytes, out, out_bytes, &err) != BNRT_OK)
 *     ...
 *   bnrt_model_free(m);
 *
 * The result is the same bnrt_model a bundle file loads to (bnrt.h): the
 * same validation at load, the same accessors, threads, ISA and runs. The
 * constants are used in place (the object's read-only data), not copied.
 * (examples/aot/run_aot.cpp.)
 *===----------------------------------------------------------------------===*/
#ifndef BNRT_AOT_H
#define BNRT_AOT_H

#include "bnrt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an object holds (defined by its generated header). */
typedef struct {
  const char *target;     /* "x86_64" or "aarch64" */
  const uint8_t *program; /* a bundle without constant data (bundle.fbs) */
  size_t program_size;
  const uint8_t *constants; /* the bundle's data, 64-byte aligned */
  size_t constants_size;
} bnrt_aot_model;

/* Loads the model an object holds; NULL (and `err` set) on failure, e.g.
 * an object compiled for another target. */
bnrt_model *bnrt_model_load_aot(const bnrt_aot_model *model, bnrt_error *err);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BNRT_AOT_H */
