//===- vec_kernels.cpp - the portable build and the per-ISA choice --------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#define BNRT_VEC_KERNELS kVecKernelsPortable
#include "vec_kernels.inc"

#include "bnrt/kernels.h"

namespace bnrt {

#if defined(__x86_64__)
extern const VecKernels kVecKernelsAvx2;
extern const VecKernels kVecKernelsAvx512;
#endif

const VecKernels &vecKernels(int isa) {
#if defined(__x86_64__)
  if (isa == BNRT_ISA_AVX2)
    return kVecKernelsAvx2;
  if (isa == BNRT_ISA_AVX512)
    return kVecKernelsAvx512;
#endif
  (void)isa;
  return kVecKernelsPortable;
}

} // namespace bnrt
