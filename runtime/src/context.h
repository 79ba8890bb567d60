//===- context.h - one run's state over a loaded model ----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A context reads its model (model.h) and owns what a run writes; the
// model knows contexts only through the C API (bnrt_model_run's own one).
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_CONTEXT_H
#define BNRT_SRC_CONTEXT_H

#include "model.h"
#include "scratch.h"

struct bnrt_context {
  const bnrt_model *model = nullptr;
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> arenaStorage;
  uint8_t *arena = nullptr;
  std::vector<int64_t> sizes; // the symbols' current sizes
  bnrt::Shapes shapes;        // every value's shape at `sizes`
  bnrt::ProgramViews views;
  std::vector<int8_t> scratch; // zero-padded GEMM activations
  std::vector<double> opSeconds;
  bool profiling = false;
  bnrt_threads *pool = nullptr;
  // Per-thread scratch reserved on every pool thread after a run that grew
  // it (scratch.h), so later runs allocate nothing.
  bnrt::ScratchReservation scratchReservation;

  explicit bnrt_context(const bnrt_model &model);
  ~bnrt_context();
  bnrt_context(const bnrt_context &) = delete;
  bnrt_context &operator=(const bnrt_context &) = delete;

  /// Binds the symbols from the inputs' shapes; the argument error names
  /// the input, the dimension and its range.
  bnrt_status setInputShapes(const int64_t *const *dims, const int *ranks,
                             bnrt_error *err);
  bnrt_status run(const void *const *inputs, const size_t *inputBytes,
                  void *const *outputs, const size_t *outputBytes,
                  bnrt_error *err);
  int64_t bytesOf(int32_t value) const;

private:
  void resize(const std::vector<int64_t> &newSizes);
};

#endif // BNRT_SRC_CONTEXT_H
