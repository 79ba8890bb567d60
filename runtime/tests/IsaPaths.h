//===- IsaPaths.h - the kernel paths this CPU runs, for tests -*- C++ -*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#ifndef BNRT_TESTS_ISAPATHS_H
#define BNRT_TESTS_ISAPATHS_H

#include "bnrt/kernels.h"

#include <vector>

namespace bnrt_test {

/// Every ISA path this CPU runs, in enum order; without the scalar one
/// (which the tests compare against) unless `withScalar`.
inline std::vector<bnrt_isa> availableIsas(bool withScalar) {
  std::vector<bnrt_isa> isas;
  for (int i = withScalar ? 0 : 1; i < BNRT_ISA_COUNT; ++i)
    if (bnrt_isa_available(static_cast<bnrt_isa>(i)))
      isas.push_back(static_cast<bnrt_isa>(i));
  return isas;
}

} // namespace bnrt_test

#endif // BNRT_TESTS_ISAPATHS_H
