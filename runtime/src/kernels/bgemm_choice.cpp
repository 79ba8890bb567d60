//===- bgemm_choice.cpp - lookup or multiply: timed once on this CPU ------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The lookup kernels and the multiply-add kernels (VNNI on AVX-512; sdot,
// smmla or byte selects on AArch64) give the same bits; which is faster
// depends on the core (a lookup is one vpermt2w / vpermw / vpermb per
// 192-256 multiply-adds on x86, fast where permutes issue twice a cycle,
// slower where they take 3 uops; on AArch64 one tbl and one sadalp per 64,
// against sdot's 16 or smmla's 32 per instruction). So the first GEMM
// that could use a lookup kernel times both on a small layer of that kind
// (BERT's K, 32 rows, about a millisecond in all) and the process keeps
// the faster. BNRT_BGEMM_LOOKUP=0 or =1 decides instead (read on every
// call: tests and benchmarks switch it).
//
//===----------------------------------------------------------------------===//
#include "aligned_vector.h"
#include "kernels/bgemm_impl.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace bnrt {
namespace {

/// -1 when BNRT_BGEMM_LOOKUP does not decide, else 0 or 1.
int forcedLookup() {
  if (const char *forced = std::getenv("BNRT_BGEMM_LOOKUP"))
    if ((forced[0] == '0' || forced[0] == '1') && forced[1] == 0)
      return forced[0] - '0';
  return -1;
}

/// Which of run(args, 0 .. count - 1) is fastest on a 32 x 768 x 320 layer
/// of `planes` planes sharing their scale and codes of `actBits` bits
/// packed for `isa` (best of 5 interleaved runs each).
template <typename Run>
int fastestOf(bnrt_isa isa, int32_t planes, int actBits, int count,
              const Run &run) {
  constexpr int64_t m = 32, k = 768, n = 320;
  int range = actBits == 8 ? 127 : (1 << (actBits - 1)) - 1;
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
  AlignedVector<uint64_t> packed(bnrt_bgemm_packed_bytes(&args, isa) / 8);
  bnrt_bgemm_pack(&args, isa, packed.data());
  args.packed = packed.data();
  std::vector<double> best(count, 1e30);
  for (int round = 0; round < 5; ++round)
    for (int i = 0; i < count; ++i) {
      auto start = std::chrono::steady_clock::now();
      run(args, i);
      std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start;
      best[i] = std::min(best[i], took.count());
    }
  return static_cast<int>(std::min_element(best.begin(), best.end()) -
                          best.begin());
}

} // namespace

#if defined(__x86_64__)
bool bgemmLookupChosen(const Avx512Layouts &layouts) {
  if (int forced = forcedLookup(); forced >= 0)
    return forced == 1;
  enum { kPatterns, kNibbles, kTernary, kKinds };
  int kind = layouts.nibbles   ? kNibbles
             : layouts.ternary ? kTernary
                               : kPatterns;
  static std::once_flag once[kKinds];
  static bool faster[kKinds];
  std::call_once(once[kind], [&] {
    faster[kind] = fastestOf(BNRT_ISA_AVX512, kind == kTernary ? 2 : 1,
                             kind == kNibbles ? 4 : 8, 2,
                             [](const bnrt_bgemm_args &a, int lookup) {
                               bgemmAvx512Choosing(a, 0, a.m, 0, a.n, lookup);
                             }) == 1;
  });
  return faster[kind];
}
#endif

#if defined(__aarch64__)
namespace {

BgemmFn ownKernel(bnrt_isa isa) {
  return isa == BNRT_ISA_NEON       ? bgemmNeonBytes
         : isa == BNRT_ISA_NEONDOT  ? bgemmNeonDotPanels
         : isa == BNRT_ISA_NEONI8MM ? bgemmNeonI8mmPanels
                                    : nullptr;
}

void runChosen(NeonBgemm kernel, bnrt_isa isa, const bnrt_bgemm_args &a,
               int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (kernel == NeonBgemm::Lookup && neonLookupRuns(a, n0))
    return bgemmLutNeon(a, nibblePairs(a, isa), m0, m1, n0, n1);
  if (kernel == NeonBgemm::Bytes)
    return bgemmNeonBytes(a, m0, m1, n0, n1);
  ownKernel(isa)(a, m0, m1, n0, n1);
}

} // namespace

NeonBgemm neonBgemmChosen(bnrt_isa isa, const bnrt_bgemm_args &a) {
  if (!ownKernel(isa))
    return NeonBgemm::Own;
  bool narrow = neonLookupLayout(a);
  if (int forced = forcedLookup(); forced >= 0)
    return forced == 1 && narrow ? NeonBgemm::Lookup : NeonBgemm::Own;
  // One plane or several (the multiply kernels sum shared planes into one
  // panel, a lookup pays for each); 8-bit or narrow codes (lookup).
  int kind = 2 * (a.planes > 1) + narrow;
  static std::once_flag once[BNRT_ISA_COUNT][4];
  static NeonBgemm fastest[BNRT_ISA_COUNT][4];
  std::call_once(once[isa][kind], [&] {
    // On neon its own kernel is the byte selects: two candidates.
    std::vector<NeonBgemm> candidates = {NeonBgemm::Own};
    if (isa != BNRT_ISA_NEON)
      candidates.push_back(NeonBgemm::Bytes);
    if (narrow)
      candidates.push_back(NeonBgemm::Lookup);
    int best = fastestOf(isa, a.planes > 1 ? 2 : 1, narrow ? 4 : 8,
                         static_cast<int>(candidates.size()),
                         [&](const bnrt_bgemm_args &t, int i) {
                           runChosen(candidates[i], isa, t, 0, t.m, 0, t.n);
                         });
    fastest[isa][kind] = candidates[best];
  });
  return fastest[isa][kind];
}

void neonBgemmRun(bnrt_isa isa, const bnrt_bgemm_args &a, int64_t m0,
                  int64_t m1, int64_t n0, int64_t n1) {
  runChosen(neonBgemmChosen(isa, a), isa, a, m0, m1, n0, n1);
}
#endif

} // namespace bnrt
