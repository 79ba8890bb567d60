//===- ContribSchemas.h - com.microsoft schemas for the ONNX library
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//-------===//
#ifndef BNBERT_IMPORT_CONTRIBSCHEMAS_H
#define BNBERT_IMPORT_CONTRIBSCHEMAS_H

namespace bnbert {

/// Registers the com.microsoft operators bnbert imports with ONNX's schema
/// registry (once per process).
void registerContribSchemas();

} // namespace bnbert

#endif // BNBERT_IMPORT_CONTRIBSCHEMAS_H
