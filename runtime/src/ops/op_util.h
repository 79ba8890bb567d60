//===- op_util.h - helpers several op kernels share -------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_SRC_OPS_OP_UTIL_H
#define BNRT_SRC_OPS_OP_UTIL_H

#include "../ops.h"
#include "../thread_pool.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bnrt {

/// Row-major strides of a shape of rank <= kMaxRank, in a fixed array:
/// runs must not allocate.
struct Strides {
  int64_t at[kMaxRank] = {};
  int64_t operator[](size_t d) const { return at[d]; }
};
Strides stridesOf(const std::vector<int64_t> &shape);

/// The most chunks `chunked` splits work into.
constexpr int kMaxChunks = 256;

/// fn(begin, end) over [0, n) units of `unit` elements, in chunks across
/// the pool (elementwise or per-row work: any split gives the same bits).
/// Work under 16384 elements per chunk runs inline; element chunks start
/// on multiples of 64 (whole vectors).
void chunked(::bnrt_threads *pool, int64_t n,
             FunctionRef<void(int64_t, int64_t)> fn, int64_t unit = 1);

/// The m rows of k codes at `x` with row stride lda >= k, zero-padded in
/// `scratch` when lda > k (the GEMM kernels read whole padded rows).
const int8_t *paddedRows(const int8_t *x, int64_t m, int64_t k, int64_t lda,
                         std::vector<int8_t> &scratch);

/// f(x) in double, rounded once to float: the float functions of glibc
/// differ between x86-64 and AArch64 in the last bit (tanhf does), the
/// double ones agree after the rounding, so every target computes the same
/// bits.
inline float viaDouble(double (*f)(double), float x) {
  return static_cast<float>(f(static_cast<double>(x)));
}

/// y[i] = f(x[i]) over the elements of an f32 op's first operand.
template <typename F> void mapElements(const View &x, const View &y, F f) {
  int64_t n = y.numElements();
  const float *px = x.f32();
  float *py = y.f32();
  for (int64_t i = 0; i < n; ++i)
    py[i] = f(px[i]);
}

/// The weight fields of a GEMM on packed sign planes (bnrt_bgemm_args,
/// bnrt_bgemm_f32_args and bnrt_xgemm_args name them alike) from the op's
/// operands: the activations in[0] ([..., K]), then from in[at] the bits
/// [P, N, W], the plane scales [P, 1 | N] and an optional bias [N]. What
/// packing depends on; runs fill in the activations and the output.
template <typename Args>
Args planeWeightArgs(const std::vector<View> &in, size_t at) {
  const View &bits = in[at], &alpha = in[at + 1];
  Args args{};
  args.n = bits.shape[1];
  args.k = in[0].shape.back();
  args.bits = static_cast<const uint64_t *>(bits.data);
  args.planes = static_cast<int32_t>(bits.shape[0]);
  args.alpha = alpha.f32();
  args.per_row = alpha.shape[1] != 1;
  args.bias = in.size() > at + 2 ? in[at + 2].f32() : nullptr;
  return args;
}

/// The message for an id outside a table of `vocab` rows.
std::string idError(int64_t id, int64_t position, int64_t vocab);

} // namespace bnrt

#endif // BNRT_SRC_OPS_OP_UTIL_H
