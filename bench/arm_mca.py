#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Static throughput of the AArch64 kernels per core, by llvm-mca (there is
no AArch64 hardware here): see bench/arm-mca.sh for the usage."""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "runtime"
# The kernel files as the build compiles them (runtime/CMakeLists.txt);
# the +i8mm ones are estimated only on cores with FEAT_I8MM.
I8MM = ["-march=armv8.2-a+dotprod+i8mm"]
KERNELS = {
    "kernels/arm/bgemm_neondot.cpp": ["-march=armv8.2-a+dotprod"],
    "kernels/arm/bgemm_neon.cpp": [],
    "kernels/arm/bgemm_lut_neon.cpp": [],
    "kernels/arm/igemm_neondot.cpp": ["-march=armv8.2-a+dotprod"],
    "kernels/arm/bgemm_neoni8mm.cpp": I8MM,
    "kernels/arm/igemm_neoni8mm.cpp": I8MM,
    "kernels/arm/igemm_neon.cpp": [],
    "kernels/arm/sgemm_neon.cpp": [],
    "kernels/arm/bgemm_f32_neon.cpp": [],
    "kernels/arm/xgemm_neon.cpp": [],
}
# (llvm-mca model, the core, nominal clock in GHz of a part built on it,
# whether the core has FEAT_I8MM): the cores LLVM 19 has a scheduling
# model of its own for. (It has none for Cortex-A76 or X1: -mcpu=cortex-a76
# and cortex-x1 give Cortex-A57's model, and every Apple core the 2013
# Cyclone's, so those are left out; Neoverse-N1 is the A76's server twin,
# and N2's model is the one LLVM uses for Cortex-A710 and X2.) Clocks are
# assumptions for the time estimates only: Cortex-A55 2.0 and A510 2.0
# (phones' little cores), Neoverse-N1 2.5 (Graviton2; a Raspberry Pi 5's
# A76 runs at 2.4), N2 3.0, V1 2.6 (Graviton3), V2 2.8 (Graviton4).
CORES = [
    ("cortex-a55", "Cortex-A55", 2.0, False),
    ("cortex-a510", "Cortex-A510", 2.0, True),
    ("neoverse-n1", "Neoverse-N1", 2.5, False),
    ("neoverse-n2", "Neoverse-N2", 3.0, True),
    ("neoverse-v1", "Neoverse-V1", 2.6, True),
    ("neoverse-v2", "Neoverse-V2", 2.8, True),
]
# BERT-base at sequence 128, batch 1: the linears' multiply-adds (Q, K,
# V, output, FFN in and out, 12 layers) and attention's (Q.K and P.V);
# the linears' input columns (a lookup table per row and 4 of them).
LINEAR_MACS = 12 * 128 * (4 * 768 * 768 + 2 * 768 * 3072)
LINEAR_COLUMNS = 12 * (5 * 768 + 3072)
ATTENTION_MACS = 12 * 2 * 128 * 128 * 768


def ceiling_asm(instruction, macs):
    """16 independent instructions: the core's peak for them."""
    body = "\n".join(f"  {instruction.format(d=d)}" for d in range(16))
    return f"# LLVM-MCA-BEGIN ceiling macs={16 * macs}\n{body}\n# LLVM-MCA-END\n"


def mca(asm_path, cpu):
    """{region: cycles per iteration} of every marked region."""
    out = subprocess.run(["llvm-mca-19", "-mtriple=aarch64", f"-mcpu={cpu}",
                          "-mattr=+dotprod,+i8mm", "-iterations=200", str(asm_path)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"llvm-mca-19 -mcpu={cpu} {asm_path}: {out.stderr.strip()[:300]}")
    regions, name = {}, None
    for line in out.stdout.splitlines():
        m = re.match(r"\[\d+\] Code Region - (.*)", line)
        if m:
            name = m.group(1).strip()
        m = re.match(r"Iterations:\s+(\d+)", line)
        if m:
            iterations = int(m.group(1))
        m = re.match(r"Total Cycles:\s+(\d+)", line)
        if m and name:
            regions[name] = int(m.group(1)) / iterations
    return regions


def compile_kernels(workdir, cxx):
    """{stem: (assembly with the hot-loop markers (kernels/mca.h), whether
    it needs FEAT_I8MM)}."""
    files = {}
    for source, flags in KERNELS.items():
        out = workdir / (Path(source).stem + ".s")
        cmd = [cxx, "-std=c++17", "-O3", "-DNDEBUG", "-ffp-contract=off", *flags,
               "-DBNRT_MCA_MARKERS", f"-I{RUNTIME / 'include'}", f"-I{RUNTIME / 'src'}", "-S",
               str(RUNTIME / "src" / source), "-o", str(out)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}:\n{done.stderr[-2000:]}")
        files[Path(source).stem] = (out, flags is I8MM)
    return files


def measure(cxx):
    rows = []
    with tempfile.TemporaryDirectory(prefix="bnbert-mca-") as tmp:
        workdir = Path(tmp)
        files = compile_kernels(workdir, cxx)
        (workdir / "sdot.s").write_text(ceiling_asm(
            "sdot v{d}.4s, v16.16b, v17.16b", 16))
        (workdir / "smmla.s").write_text(ceiling_asm(
            "smmla v{d}.4s, v16.16b, v17.16b", 32))
        for cpu, core, ghz, i8mm in CORES:
            sdot = 16 * 16 / mca(workdir / "sdot.s", cpu)["ceiling macs=256"]
            smmla = (16 * 32 / mca(workdir / "smmla.s", cpu)["ceiling macs=512"]
                     if i8mm else None)
            for stem, (path, needs_i8mm) in files.items():
                if needs_i8mm and not i8mm:
                    continue
                for region, cycles in mca(path, cpu).items():
                    # macs=0: a weight decoding loop (per 16 bytes decoded).
                    macs = int(re.search(r"macs=(\d+)", region).group(1))
                    rows.append({"kernel": f"{stem}: {region.split(' macs=')[0]}",
                                 "cpu": core, "model": cpu, "ghz": ghz,
                                 "cycles_per_iteration": round(cycles, 2),
                                 "mac_per_cycle": round(macs / cycles, 1) if macs else None,
                                 "sdot_ceiling": round(sdot, 1),
                                 "smmla_ceiling": round(smmla, 1) if smmla else None})
    return rows


def estimates(rows):
    """Estimated BERT-base GEMM time per core (ms, seq 128, batch 1, one
    core): each variant's multiply-adds at its kernel's rate plus decoding
    its weight planes into panels (once per 16 bytes of panel per plane) or
    building lookup tables (once per activation row and 4 columns), with
    the fastest of the kernels the runtime times against each other
    (bgemm_choice.cpp), next to ONNX Runtime's int8 GEMMs at the core's
    smmla (else sdot) ceiling."""
    out = []
    for _, core, ghz, i8mm in CORES:
        rate = {r["kernel"]: r["mac_per_cycle"] for r in rows if r["cpu"] == core}
        cycles = {r["kernel"]: r["cycles_per_iteration"] for r in rows if r["cpu"] == core}
        first = next(r for r in rows if r["cpu"] == core)
        # The default path's own kernels (every core here has dotprod;
        # neoni8mm where it has FEAT_I8MM).
        if i8mm:
            panels = rate["bgemm_neoni8mm: bitplane-smmla-panels"]
            decode = cycles["bgemm_neoni8mm: bitplane-smmla-decode"]
            int8 = rate["igemm_neoni8mm: int8-smmla"]
        else:
            panels = rate["bgemm_neondot: bitplane-sdot-panels"]
            decode = cycles["bgemm_neondot: bitplane-sdot-decode"]
            int8 = rate["igemm_neondot: int8"]
        fp32 = rate["sgemm_neon: float"]
        weight_only = rate["bgemm_f32_neon: weight-only-float"]
        peer = first["smmla_ceiling"] or first["sdot_ceiling"]
        ms = lambda cycles: cycles / ghz / 1e6  # noqa: E731
        # Per plane: every linear's multiply-adds at a kernel's rate, its
        # panels decoded ((sum of N K) / 16 vectors), its tables built.
        plane_decode = LINEAR_MACS / 128 / 16 * decode
        tables = 128 * LINEAR_COLUMNS / 4 * cycles["bgemm_lut_neon: bitplane-lookup-table"]
        bytes_plane = LINEAR_MACS / rate["bgemm_neon: bitplane-bytes"]
        lookup_plane = LINEAR_MACS / rate["bgemm_lut_neon: bitplane-lookup-tbl"]
        attention = ATTENTION_MACS / int8

        def linears(planes, shared, narrow):
            """The fastest kernel's cycles: panels sum shared planes."""
            options = [(1 if shared else planes) * LINEAR_MACS / panels
                       + planes * plane_decode, planes * bytes_plane]
            if narrow:
                options.append(tables + planes * lookup_plane)
            return min(options)
        out.append({
            "cpu": core, "ghz": ghz,
            "binary": ms(linears(1, True, False) + attention),
            "binary A4": ms(linears(1, True, True) + attention),
            # Fully binary linears (bnrt_xgemm; binarizing the activations
            # and the compiler's side are not counted).
            "W1A1": ms(LINEAR_MACS / rate["xgemm_neon: xnor-popcount"] + attention),
            "ternary/TWS": ms(linears(2, True, False) + attention),
            "TWS own scales": ms(linears(2, False, False) + attention),
            "int8": ms((LINEAR_MACS + ATTENTION_MACS) / int8),
            "fp32": ms((LINEAR_MACS + ATTENTION_MACS) / fp32),
            "binary A32": ms(LINEAR_MACS / weight_only + ATTENTION_MACS / fp32),
            "ORT int8 (ceiling)": ms((LINEAR_MACS + ATTENTION_MACS) / peer),
            "ORT kernel": "smmla" if first["smmla_ceiling"] else "sdot"})
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench/arm-mca.sh", description=__doc__)
    p.add_argument("--json", action="store_true",
                   help="one JSON object per kernel and core, then one per core's estimate")
    p.add_argument("--cxx", default="aarch64-linux-gnu-g++")
    args = p.parse_args(argv)
    try:
        rows = measure(args.cxx)
    except (RuntimeError, FileNotFoundError) as e:
        print(f"arm-mca: {e}", file=sys.stderr)
        return 1
    est = estimates(rows)
    if args.json:
        for r in rows:
            print(json.dumps(r))
        for e in est:
            print(json.dumps({"estimate_ms": e}))
        return 0
    print("ESTIMATES by llvm-mca-19 (static, one core, no hardware measured)\n")
    print(f"{'kernel (hot loop)':38} {'core':12} {'cyc/iter':>8} {'MAC/cyc':>8} "
          f"{'sdot ceil':>9} {'smmla ceil':>10}")
    for r in rows:
        smmla = f"{r['smmla_ceiling']:.0f}" if r["smmla_ceiling"] else "-"
        rate = f"{r['mac_per_cycle']:.1f}" if r["mac_per_cycle"] else "-"
        print(f"{r['kernel']:38} {r['cpu']:12} {r['cycles_per_iteration']:8.2f} "
              f"{rate:>8} {r['sdot_ceiling']:9.0f} {smmla:>10}")
    print("\nEstimated BERT-base GEMM time, seq 128, batch 1, one core (ms; the GEMMs "
          "alone, at assumed clocks)")
    keys = [k for k in est[0] if k not in ("cpu", "ghz", "ORT kernel")]
    print(f"{'core (GHz)':18} " + " ".join(f"{k:>15}" for k in keys))
    for e in est:
        print(f"{e['cpu'] + ' (' + str(e['ghz']) + ')':18} "
              + " ".join(f"{e[k]:15.1f}" for k in keys) + f"  ({e['ORT kernel']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
