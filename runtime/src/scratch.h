//===- scratch.h - per-thread kernel scratch that stops growing -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Kernels that need working memory take it from the calling thread's
// buffer for their slot. Every request also raises the slot's high-water
// mark over all threads, and reserveScratchOnEveryThread (after a model's
// first run) grows every pool thread's buffers to those marks: whichever
// thread later takes whichever tile, no run after the first allocates.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_SCRATCH_H
#define BNRT_SRC_SCRATCH_H

#include <cstddef>
#include <cstdint>

struct bnrt_threads;

namespace bnrt {

enum class ScratchSlot {
  BgemmPanels,
  BgemmRowSums,
  LookupTables,
  FloatTables,
  LinearI8Dots,
  ReduceMeanSums,
  QuantizeMaxima,
  AttentionKeys,
  AttentionValues,
  AttentionQueries,
  AttentionProbs,
  AttentionScores,
  AttentionOutputs,
  AttentionWork,
  AttentionFixedPoint, // the integer softmax's logits
  FixedPointRow,       // LayerNorm's and Softmax's integer forms
  NormRow,             // LayerNorm's row plus its residual
  RowPairs,            // the i8mm kernels' interleaved activation rows
  BinarizedRows,       // LinearBinarized's activations as bit rows
  GeluRows,            // LinearBinarized's input GELU when not fused
  SgemmPanel,          // the float GEMM's weight rows, transposed
  Count
};

/// `bytes` of the calling thread's buffer for `slot`, 64-byte aligned;
/// contents unspecified.
void *threadScratchBytes(ScratchSlot slot, size_t bytes);

template <typename T> T *threadScratch(ScratchSlot slot, size_t count) {
  return static_cast<T *>(threadScratchBytes(slot, count * sizeof(T)));
}

/// Grows every buffer of every thread of `pool` (and the caller's) to the
/// high-water marks.
void reserveScratchOnEveryThread(::bnrt_threads *pool);

/// When a model (bundle or AOT context) reserves its threads' scratch:
/// after a run that raised a high-water mark, and after its pool changed.
class ScratchReservation {
public:
  void poolChanged() { reservedAt = kNever; }
  /// After a successful run on `pool`.
  void afterRun(::bnrt_threads *pool);

private:
  static constexpr uint64_t kNever = ~uint64_t(0);
  uint64_t reservedAt = kNever; // the marks' growth count when reserved
};

} // namespace bnrt

#endif // BNRT_SRC_SCRATCH_H
