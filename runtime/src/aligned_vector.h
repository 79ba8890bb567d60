//===- aligned_vector.h - vectors whose data start on a cache line -*- C++
//-*-===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Large std::vector data sits 16 bytes past a page (malloc's header), so
// every 512-bit load from it splits two cache lines; on Zen 5 that cost a
// GEMM reading packed weights or float rows a fifth of its speed. Kernel
// operands the runtime owns (repacked weights) live in these instead.
//
//===----------------------------------------------------------------------===//
#ifndef BNRT_SRC_ALIGNED_VECTOR_H
#define BNRT_SRC_ALIGNED_VECTOR_H

#include <cstddef>
#include <new>
#include <vector>

namespace bnrt {

constexpr std::size_t kCacheLine = 64;

template <class T> struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U> CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(std::size_t n) {
    return static_cast<T *>(
        ::operator new(n * sizeof(T), std::align_val_t(kCacheLine)));
  }
  void deallocate(T *p, std::size_t) {
    ::operator delete(p, std::align_val_t(kCacheLine));
  }
  template <class U> bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
  template <class U> bool operator!=(const CacheLineAllocator<U> &) const {
    return false;
  }
};

template <class T> using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

} // namespace bnrt

#endif // BNRT_SRC_ALIGNED_VECTOR_H
