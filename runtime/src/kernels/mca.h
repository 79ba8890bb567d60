//===- mca.h - hot-loop markers for llvm-mca --------------------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// bench/arm-mca.sh compiles the kernels with BNRT_MCA_MARKERS and hands
// the assembly to llvm-mca, which analyses each region between an
// LLVM-MCA-BEGIN and its END as a loop body. The region's name carries
// the multiply-adds one iteration does ("... macs=256"). In every other
// build the markers are nothing.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_KERNELS_MCA_H
#define BNRT_SRC_KERNELS_MCA_H

#ifdef BNRT_MCA_MARKERS
#define BNRT_MCA_BEGIN(name) asm volatile("# LLVM-MCA-BEGIN " name)
#define BNRT_MCA_END() asm volatile("# LLVM-MCA-END")
#else
#define BNRT_MCA_BEGIN(name)
#define BNRT_MCA_END()
#endif

#endif // BNRT_SRC_KERNELS_MCA_H
