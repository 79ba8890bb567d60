//===- igemm_avx2.cpp - int8 GEMM with AVX2 -------------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/x86/igemm_avx2.h"

namespace bnrt {

void igemmAvx2(const bnrt_igemm_args &args, int64_t m0, int64_t m1) {
  igemmLoop<Avx2>(args, m0, m1);
}

} // namespace bnrt
