//===- vec_kernels_avx512.cpp - vec_kernels.inc compiled for avx512
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//-------------===//
#define BNRT_VEC_KERNELS kVecKernelsAvx512
#include "kernels/vec_kernels.inc"
