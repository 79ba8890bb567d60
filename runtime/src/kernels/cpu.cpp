//===- cpu.cpp - which SIMD paths this CPU runs ---------------------------===//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#include "kernels/cpu.h"
#include "bnrt/kernels.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif

static const char *const kNames[BNRT_ISA_COUNT] = {
    "scalar", "avx2", "avx512", "neon", "neondot", "neoni8mm"};

extern "C" const char *bnrt_isa_name(bnrt_isa isa) {
  return isa >= 0 && isa < BNRT_ISA_COUNT ? kNames[isa] : "unknown";
}

extern "C" int bnrt_isa_parse(const char *name) {
  for (int i = 0; i < BNRT_ISA_COUNT; ++i)
    if (name && std::strcmp(name, kNames[i]) == 0)
      return i;
  return -1;
}

extern "C" int bnrt_isa_available(bnrt_isa isa) {
  switch (isa) {
  case BNRT_ISA_SCALAR:
    return 1;
#if defined(__x86_64__)
  // libgcc's CPU model also checks that the OS saves the vector state.
  // The AVX2 files are built with -mavx2 -mfma: both must be there (some
  // virtual CPUs report AVX2 without FMA).
  case BNRT_ISA_AVX2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case BNRT_ISA_AVX512:
#ifdef BNRT_AVX512_EMULATED // test library: the AVX-512 kernels run on SIMDe
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni");
#endif
#if defined(__aarch64__) && defined(__linux__)
  case BNRT_ISA_NEON:
    return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
  case BNRT_ISA_NEONDOT:
    return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  case BNRT_ISA_NEONI8MM: // its kernels use sdot too
    return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0 &&
           (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
#elif defined(__aarch64__)
  case BNRT_ISA_NEON:
    return 1;
#endif
  default:
    return 0;
  }
}

#if defined(__x86_64__)
bool bnrt::hasAvx512Vbmi() {
#ifdef BNRT_AVX512_EMULATED // the VBMI kernel runs on SIMDe too
  return true;
#else
  static const bool has = __builtin_cpu_supports("avx512vbmi");
  return has;
#endif
}

bool bnrt::hasAvx512Vpopcntdq() {
#ifdef BNRT_AVX512_EMULATED // runs on SIMDe too
  return true;
#else
  static const bool has = __builtin_cpu_supports("avx512vpopcntdq");
  return has;
#endif
}

bool bnrt::avxVnniUsed() {
#ifdef BNRT_AVX512_EMULATED // the AVX-VNNI kernels run on SIMDe too
  static const bool has = true;
#else
  // CPUID leaf 7, subleaf 1, EAX bit 4 (clang's __builtin_cpu_supports
  // does not know "avxvnni"); the OS saves the ymm state where AVX2 runs.
  static const bool has = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __builtin_cpu_supports("avx2") &&
           __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) &&
           (eax & (1u << 4)) != 0;
  }();
#endif
  static const bool used = [] {
    const char *env = std::getenv("BNRT_AVX_VNNI");
    return has && !(env && std::strcmp(env, "0") == 0);
  }();
  return used;
}
#endif

extern "C" bnrt_isa bnrt_isa_default(void) {
  int forced = bnrt_isa_parse(std::getenv("BNRT_ISA"));
  if (forced >= 0 && bnrt_isa_available(static_cast<bnrt_isa>(forced)))
    return static_cast<bnrt_isa>(forced);
  for (bnrt_isa isa : {BNRT_ISA_AVX512, BNRT_ISA_AVX2, BNRT_ISA_NEONI8MM,
                       BNRT_ISA_NEONDOT, BNRT_ISA_NEON})
    if (bnrt_isa_available(isa))
      return isa;
  return BNRT_ISA_SCALAR;
}
