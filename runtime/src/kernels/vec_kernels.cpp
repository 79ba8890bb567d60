//===- vec_kernels.cpp - the portable build of the row kernels ------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// (The x86 builds: x86/vec_kernels_avx2.cpp, x86/vec_kernels_avx512.cpp;
// which one an ISA path runs: dispatch.cpp.)
#define BNRT_VEC_KERNELS kVecKernelsPortable
#include "kernels/vec_kernels.inc"
