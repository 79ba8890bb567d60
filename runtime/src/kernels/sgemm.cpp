//===- sgemm.cpp - float GEMM: the scalar reference and dispatch ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/dispatch.h"
#include "kernels/sgemm_impl.h"

#include <cmath>

namespace bnrt {
namespace {

/// The definition (sgemm_impl.h) written out lane by lane.
struct ScalarLanes {
  static constexpr bool kTrees4x4 = false;
  struct Vec {
    float lane[kSgemmLanes];
  };
  static Vec zero() { return Vec{}; }
  static Vec load(const float *p) { return loadPart(p, kSgemmLanes); }
  static Vec loadPart(const float *p, int count) {
    Vec v{};
    for (int l = 0; l < count; ++l)
      v.lane[l] = p[l];
    return v;
  }
  static Vec fma(const Vec &a, const Vec &b, Vec acc) {
    for (int l = 0; l < kSgemmLanes; ++l)
      acc.lane[l] = std::fma(a.lane[l], b.lane[l], acc.lane[l]);
    return acc;
  }
  static float tree(Vec v) {
    for (int width = kSgemmLanes / 2; width >= 1; width /= 2)
      for (int l = 0; l < width; ++l)
        v.lane[l] += v.lane[l + width];
    return v.lane[0];
  }
};

} // namespace

void sgemmScalar(const bnrt_sgemm_args &args, int64_t n0, int64_t n1) {
  sgemmTiles<ScalarLanes, 1, 1>(args, n0, n1);
}

} // namespace bnrt

extern "C" void bnrt_sgemm(const bnrt_sgemm_args *args, bnrt_isa isa,
                           int64_t n_begin, int64_t n_end) {
  bnrt::SgemmFn fn = bnrt::isaKernels(isa).sgemm;
  if (n_begin < n_end && args->m > 0)
    fn(*args, n_begin, n_end);
}
