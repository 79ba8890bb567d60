//===- dispatch.h - one table of kernels per ISA path -----------*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Which function runs a GEMM or a row kernel on each bnrt_isa path, in one
// place: the GEMM front doors (bnrt_bgemm_a8, bnrt_igemm, bnrt_sgemm,
// bnrt_bgemm_f32) and the ops look their kernel up here. A path without a
// kernel of its own takes the scalar (portable) one; all give the same
// bits. Adding an ISA path is a row of this table (dispatch.cpp), its
// files under kernels/<arch>/ and its flags in runtime/CMakeLists.txt.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_KERNELS_DISPATCH_H
#define BNRT_SRC_KERNELS_DISPATCH_H

#include "bnrt/kernels.h"
#include "kernels/bgemm_f32_impl.h"
#include "kernels/bgemm_impl.h"
#include "kernels/igemm_impl.h"
#include "kernels/sgemm_impl.h"
#include "kernels/vec_kernels.h"
#include "kernels/xgemm_impl.h"

namespace bnrt {

struct IsaKernels {
  BgemmFn bgemm;       ///< bit-plane weights x int8 codes
  IgemmFn igemm;       ///< int8 x int8
  SgemmFn sgemm;       ///< float x float
  BgemmF32Fn bgemmF32; ///< bit-plane weights x float (reads args.patterns)
  XgemmFn xgemm;       ///< bit-plane weights x bit-plane activations
  const VecKernels *vec;
};

/// The kernels of `isa`; the scalar row for a value that names no path
/// compiled into this build.
const IsaKernels &isaKernels(bnrt_isa isa);

} // namespace bnrt

#endif // BNRT_SRC_KERNELS_DISPATCH_H
