//===- cpu.h - what this CPU runs, beyond the bnrt_isa paths ----*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The ISA paths themselves (scalar, avx2, avx512, neon, neondot) are the
// C API's bnrt_isa_available / bnrt_isa_default (bnrt/kernels.h); these are
// the extensions a path takes on top of its base where the CPU has them.
// All in cpu.cpp, which the SIMDe test twin compiles to report them
// wherever AVX2 is.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_KERNELS_CPU_H
#define BNRT_SRC_KERNELS_CPU_H

namespace bnrt {

#if defined(__x86_64__)
/// Whether the CPU has AVX-512 VBMI (vpermb), which the 4-bit lookup
/// kernel (bgemmLut4Avx512) needs on top of the AVX-512 path.
bool hasAvx512Vbmi();
/// Whether the CPU has AVX-512 VPOPCNTDQ (vpopcntq), which the fully
/// binary GEMM's AVX-512 kernel (xgemmAvx512) needs.
bool hasAvx512Vpopcntdq();
/// Whether the AVX2 path's int8 dots use AVX-VNNI (vpdpbusd on 256 bits):
/// the CPU has it and BNRT_AVX_VNNI=0 (read once: measurements, the tests
/// of the plain path) does not turn it off.
bool avxVnniUsed();
#endif

} // namespace bnrt

#endif // BNRT_SRC_KERNELS_CPU_H
