# -*- Python -*-
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "BNBERT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.bnbert_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py",
                   "fixtures"]

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.bnbert_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["bnbert-opt", "bnbert-translate", "bnbert-interpret", "bnbert-compile"],
    tool_dirs)
llvm_config.add_tool_substitutions(
    ["bnbert-run"], [os.path.join(config.bnbert_obj_root, "runtime")])

# Fixture scripts run on the configured interpreter (CMake's
# Python3_EXECUTABLE: Debian's python3, with numpy, onnx and torch). Tests
# that build models in PyTorch say REQUIRES: torch.
config.substitutions.append(("%python", config.python_executable))
import subprocess
if subprocess.run([config.python_executable, "-c", "import torch, onnx, numpy"],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("torch")
config.substitutions.append(
    ("%fixtures", os.path.join(config.test_source_root, "fixtures")))
llvm_config.with_environment("PATH", config.bnbert_tools_dir, append_path=True)
llvm_config.with_environment(
    "PATH", os.path.join(config.bnbert_obj_root, "runtime"), append_path=True)

# A target other than the host, for "bundle built for another target".
import platform
config.substitutions.append(
    ("%other_target",
     "x86_64" if platform.machine() in ("aarch64", "arm64") else "aarch64"))

# Ahead-of-time objects (--emit obj) link with the runtime into the example
# program (examples/aot/run_aot.cpp); AArch64 ones with the cross-built
# runtime, run under qemu.
# The runtime's GoogleTest program (for tests that take a compiled model).
config.substitutions.append(("%bnrt_tests", config.bnrt_tests))
config.substitutions.append(("%host_cxx", config.host_cxx))
config.substitutions.append(("%host_runtime", config.host_runtime))
config.substitutions.append(
    ("%runtime_include", os.path.join(config.bnbert_src_root, "runtime", "include")))
config.substitutions.append(
    ("%examples", os.path.join(config.bnbert_src_root, "examples")))
# The runtime's tokenizers (bnrt/text.h) need libutf8proc and
# libsentencepiece at build time.
if config.bnrt_has_text:
    config.available_features.add("text")
if config.aarch64_cxx and config.aarch64_runtime:
    config.available_features.add("aarch64-cross")
    config.substitutions.append(("%aarch64_cxx", config.aarch64_cxx))
    config.substitutions.append(("%aarch64_runtime", config.aarch64_runtime))
