//===- bgemm_choice.cpp - lookup or VNNI: timed once on this CPU ----------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The AVX-512 lookup kernels and the VNNI kernel give the same bits; which
// is faster depends on the core (a lookup is one vpermt2w / vpermw /
// vpermb per 192-256 multiply-adds, fast where permutes issue twice a
// cycle, slower where they take 3 uops). So the first GEMM that could use
// a lookup kernel times both on a small layer of that kind (BERT's K, 32
// rows, about a millisecond in all) and the process keeps the faster.
//
//===----------------------------------------------------------------------===//
#include "aligned_vector.h"
#include "kernels/bgemm_impl.h"

#if defined(__x86_64__)

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace bnrt {
namespace {

enum LookupKind { kPatterns, kNibbles, kTernary, kKinds };

/// Whether the lookup kernel of `kind` beats VNNI on a 32 x 768 x 320
/// layer (best of 5 interleaved runs each).
bool lookupFaster(LookupKind kind) {
  constexpr int64_t m = 32, k = 768, n = 320;
  int32_t planes = kind == kTernary ? 2 : 1;
  int actBits = kind == kNibbles ? 4 : 8;
  int range = kind == kNibbles ? 7 : 127;
  uint64_t state = 0x9E3779B97F4A7C15u; // any codes and signs will do
  auto next = [&] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
  };
  std::vector<int8_t> x(m * k);
  for (int8_t &v : x)
    v = static_cast<int8_t>(static_cast<int>(next() % (2 * range + 1)) - range);
  std::vector<uint64_t> bits(planes * n * (k / 64));
  for (uint64_t &w : bits)
    w = next();
  std::vector<float> alpha(planes, 0.01f), y(m * n);
  bnrt_bgemm_args args{};
  args.m = m, args.n = n, args.k = k, args.x = x.data(), args.lda = k;
  args.x_scale = 0.02f, args.bits = bits.data(), args.planes = planes;
  args.alpha = alpha.data(), args.y = y.data(), args.ldy = n;
  args.act_bits = actBits;
  AlignedVector<uint64_t> packed(
      bnrt_bgemm_packed_bytes(&args, BNRT_ISA_AVX512) / 8);
  bnrt_bgemm_pack(&args, BNRT_ISA_AVX512, packed.data());
  args.packed = packed.data();
  double best[2] = {1e30, 1e30}; // [lookup]
  for (int round = 0; round < 5; ++round)
    for (bool lookup : {true, false}) {
      auto start = std::chrono::steady_clock::now();
      bgemmAvx512Choosing(args, 0, m, 0, n, lookup);
      std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start;
      best[lookup] = std::min(best[lookup], took.count());
    }
  return best[1] < best[0];
}

} // namespace

bool bgemmLookupChosen(const Avx512Layouts &layouts) {
  if (const char *forced = std::getenv("BNRT_BGEMM_LOOKUP"))
    if ((forced[0] == '0' || forced[0] == '1') && forced[1] == 0)
      return forced[0] == '1';
  LookupKind kind = layouts.nibbles   ? kNibbles
                    : layouts.ternary ? kTernary
                                      : kPatterns;
  static std::once_flag once[kKinds];
  static bool faster[kKinds];
  std::call_once(once[kind], [&] { faster[kind] = lookupFaster(kind); });
  return faster[kind];
}

} // namespace bnrt

#endif // __x86_64__
