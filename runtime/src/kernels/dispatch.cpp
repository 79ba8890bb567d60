//===- dispatch.cpp - the kernels of each ISA path ------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/dispatch.h"
#include "kernels/cpu.h"

namespace bnrt {

extern const VecKernels kVecKernelsPortable;
#if defined(__x86_64__)
extern const VecKernels kVecKernelsAvx2;
extern const VecKernels kVecKernelsAvx512;
#endif

const IsaKernels &isaKernels(bnrt_isa isa) {
  static const IsaKernels scalar = {bgemmScalar, igemmScalar,
                                    sgemmScalar, bgemmF32Scalar,
                                    xgemmScalar, &kVecKernelsPortable};
  switch (isa) {
#if defined(__x86_64__)
  case BNRT_ISA_AVX2: {
    // AVX-VNNI's int8 dots where the CPU has them (read once, cpu.h).
    static const IsaKernels avx2 = {
        bgemmAvx2, avxVnniUsed() ? igemmAvxVnni : igemmAvx2,
        sgemmAvx2, bgemmF32Avx2,
        xgemmAvx2, &kVecKernelsAvx2};
    return avx2;
  }
  case BNRT_ISA_AVX512: {
    // vpopcntq where the CPU has VPOPCNTDQ (read once, cpu.h).
    static const IsaKernels avx512 = {bgemmAvx512,
                                      igemmAvx512,
                                      sgemmAvx512,
                                      bgemmF32Avx512,
                                      hasAvx512Vpopcntdq() ? xgemmAvx512
                                                           : xgemmAvx2,
                                      &kVecKernelsAvx512};
    return avx512;
  }
#endif
#if defined(__aarch64__)
  case BNRT_ISA_NEON: {
    static const IsaKernels neon = {bgemmNeon, igemmNeon,
                                    sgemmNeon, bgemmF32Neon,
                                    xgemmNeon, &kVecKernelsPortable};
    return neon;
  }
  case BNRT_ISA_NEONDOT: {
    // sdot for the int8 dots; float and row kernels are NEON's.
    static const IsaKernels neondot = {bgemmNeonDot, igemmNeonDot,
                                       sgemmNeon,    bgemmF32Neon,
                                       xgemmNeon,    &kVecKernelsPortable};
    return neondot;
  }
  case BNRT_ISA_NEONI8MM: {
    // smmla for the int8 and bit-plane GEMMs (sdot without the layout).
    static const IsaKernels neoni8mm = {bgemmNeonI8mm, igemmNeonI8mm,
                                        sgemmNeon,     bgemmF32Neon,
                                        xgemmNeon,     &kVecKernelsPortable};
    return neoni8mm;
  }
#endif
  default:
    return scalar;
  }
}

const VecKernels &vecKernels(int isa) {
  return *isaKernels(static_cast<bnrt_isa>(isa)).vec;
}

} // namespace bnrt
