//===- op_util.cpp - helpers several op kernels share ---------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "op_util.h"
#include "bnrt/kernels.h"

#include <algorithm>
#include <cstring>

namespace bnrt {

int64_t View::intAt(int64_t i) const {
  switch (dtype) {
  case fb::DType::I64:
    return static_cast<const int64_t *>(data)[i];
  case fb::DType::I32:
    return static_cast<const int32_t *>(data)[i];
  case fb::DType::I8:
    return static_cast<const int8_t *>(data)[i];
  case fb::DType::Bool:
    return static_cast<const uint8_t *>(data)[i] != 0;
  default:
    return static_cast<int64_t>(static_cast<const float *>(data)[i]);
  }
}

double View::numberAt(int64_t i) const {
  return dtype == fb::DType::F32 ? static_cast<const float *>(data)[i]
                                 : static_cast<double>(intAt(i));
}

Strides stridesOf(const std::vector<int64_t> &shape) {
  Strides s;
  int64_t stride = 1;
  for (int64_t i = int64_t(shape.size()) - 1; i >= 0; --i) {
    s.at[i] = stride;
    stride *= shape[i];
  }
  return s;
}

void chunked(::bnrt_threads *pool, int64_t n,
             FunctionRef<void(int64_t, int64_t)> fn, int64_t unit) {
  constexpr int64_t kMinChunk = 16384;
  int64_t grain = std::max<int64_t>(1, kMinChunk / unit);
  int64_t align = unit == 1 ? 64 : 1;
  int64_t chunks =
      std::min<int64_t>(std::min(4 * bnrt_threads_count(pool), kMaxChunks),
                        (n + grain - 1) / grain);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  parallelFor(pool, chunks, [&](int64_t c) {
    int64_t begin = n * c / chunks / align * align;
    int64_t end = c + 1 == chunks ? n : n * (c + 1) / chunks / align * align;
    fn(begin, end);
  });
}

const int8_t *paddedRows(const int8_t *x, int64_t m, int64_t k, int64_t lda,
                         std::vector<int8_t> &scratch) {
  if (lda == k)
    return x;
  scratch.assign(m * lda, 0);
  for (int64_t i = 0; i < m; ++i)
    std::memcpy(scratch.data() + i * lda, x + i * k, k);
  return scratch.data();
}

std::string idError(int64_t id, int64_t position, int64_t vocab) {
  return "id " + std::to_string(id) + " at position " +
         std::to_string(position) + " is outside the table's " +
         std::to_string(vocab) + " rows";
}

} // namespace bnrt
