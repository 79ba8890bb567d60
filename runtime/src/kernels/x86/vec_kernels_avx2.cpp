//===- vec_kernels_avx2.cpp - vec_kernels.inc compiled for avx2
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//-------------===//
#define BNRT_VEC_KERNELS kVecKernelsAvx2
#include "kernels/vec_kernels.inc"
