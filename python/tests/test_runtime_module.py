# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The runtime's Python module (python/bnrt) on compiled BERTs: the same
outputs as bnbert-run, shapes across a range, inspection, errors as
exceptions naming the input, and one Model shared by many threads."""
import ctypes
import subprocess
import sys
import threading

import numpy as np
import pytest

import bnrt
from bnbert.deploy import compile_bundle, find_tool

FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[2] / "test" / "fixtures"
NAMES = ("input_ids", "attention_mask", "token_type_ids")


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bnrt")
    subprocess.run([sys.executable, str(FIXTURES / "make_bert.py"), str(tmp / "m.onnx"),
                    "--layers", "2", "--hidden", "32", "--heads", "4", "--ffn", "64",
                    "--seq", "16"], check=True, capture_output=True)
    paths = {}
    for name, shape in [("fixed", (2, 16)), ("ranged", ("1..4", "1..16"))]:
        paths[name] = tmp / f"{name}.bnb"
        compile_bundle(tmp / "m.onnx", paths[name], {n: shape for n in NAMES})
    paths["dir"] = tmp
    return paths


def feed(batch, seq, seed=0):
    rng = np.random.default_rng(seed)
    mask = np.ones((batch, seq), np.int64)
    for b in range(1, batch):
        mask[b, max(1, seq - 3 * b):] = 0
    return {"input_ids": rng.integers(0, 100, (batch, seq)),
            "attention_mask": mask,
            "token_type_ids": np.zeros((batch, seq), np.int64)}


def cli_logits(bundle, inputs, tmp):
    args = [find_tool("bnbert-run"), str(bundle), "--output-dir", str(tmp)]
    for name, array in inputs.items():
        np.save(tmp / f"{name}.npy", array)
        args += ["--input", f"{name}={tmp / name}.npy"]
    subprocess.run(args, check=True, capture_output=True)
    return np.load(tmp / "logits.npy")


def test_inspects_the_model(bundles):
    m = bnrt.Model(str(bundles["ranged"]))
    assert [i.name for i in m.inputs] == list(NAMES)
    assert all(i.dtype == np.int64 for i in m.inputs)
    assert m.inputs[0].min_shape == (1, 1) and m.inputs[0].max_shape == (4, 16)
    assert [o.name for o in m.outputs] == ["logits"]
    assert m.outputs[0].max_shape == (4, 2)
    assert m.isa in ("scalar", "avx2", "avx512", "neon", "neondot", "neoni8mm")
    fixed = bnrt.Model(str(bundles["fixed"]), isa="scalar")
    assert fixed.inputs[1].min_shape == fixed.inputs[1].max_shape == (2, 16)
    assert fixed.isa == "scalar"


def test_same_outputs_as_bnbert_run(bundles, tmp_path):
    inputs = feed(2, 16)
    for name in ("fixed", "ranged"):
        m = bnrt.Model(str(bundles[name]), threads=2)
        out = m.run(**inputs)
        assert set(out) == {"logits"} and out["logits"].dtype == np.float32
        np.testing.assert_array_equal(out["logits"], cli_logits(bundles[name], inputs, tmp_path))


def test_ranged_model_runs_each_shape(bundles, tmp_path):
    m = bnrt.Model(str(bundles["ranged"]))
    for batch, seq in [(1, 1), (3, 5), (4, 16), (1, 9)]:
        inputs = feed(batch, seq, seed=seq)
        out = m.run(**inputs)["logits"]
        assert out.shape == (batch, 2)
        np.testing.assert_array_equal(out, cli_logits(bundles["ranged"], inputs, tmp_path))


def test_layouts_are_copied_dtypes_are_refused(bundles):
    m = bnrt.Model(str(bundles["ranged"]))
    inputs = feed(3, 12)
    want = m.run(**inputs)["logits"]
    # A non-contiguous view (every other column of a wider array) and a
    # Fortran-ordered copy give the same result.
    wide = {n: np.repeat(a, 2, axis=1)[:, ::2] for n, a in inputs.items()}
    assert not wide["input_ids"].flags.c_contiguous
    np.testing.assert_array_equal(m.run(**wide)["logits"], want)
    fortran = {n: np.asfortranarray(a) for n, a in inputs.items()}
    np.testing.assert_array_equal(m.run(**fortran)["logits"], want)
    with pytest.raises(ValueError, match="input 'input_ids' has dtype int32, the model takes int64"):
        m.run(**{**inputs, "input_ids": inputs["input_ids"].astype(np.int32)})


@pytest.mark.parametrize("change, message", [
    (lambda f: f.pop("token_type_ids"), "missing input 'token_type_ids'"),
    (lambda f: f.update(extra=f["input_ids"]), "the model has no input named 'extra'"),
    (lambda f: f.update(input_ids=np.zeros((2, 17), np.int64)),
     "input 'input_ids' dimension 1 is 17, outside its range 1..16"),
    (lambda f: f.update(attention_mask=np.ones((3, 8), np.int64)),
     "input 'attention_mask' dimension 0 is 3 but input 'input_ids' dimension 0 is 2"),
    (lambda f: f.update(input_ids=np.zeros((2, 8, 1), np.int64)),
     r"input 'input_ids' has shape \(2, 8, 1\), the model takes rank 2"),
    (lambda f: f.update(input_ids=np.full((2, 8), 10**6, np.int64)),
     "id 1000000 at position 0 is outside the table's 100 rows"),
])
def test_bad_inputs_raise_value_error(bundles, change, message):
    m = bnrt.Model(str(bundles["ranged"]))
    inputs = feed(2, 8)
    change(inputs)
    with pytest.raises(ValueError, match=message):
        m.run(**inputs)


def test_bad_models_and_flags(bundles, tmp_path):
    with pytest.raises(OSError, match="cannot open"):
        bnrt.Model(str(tmp_path / "missing.bnb"))
    corrupt = tmp_path / "corrupt.bnb"
    data = bytearray(bundles["fixed"].read_bytes())
    data[len(data) // 2] ^= 0x40
    corrupt.write_bytes(bytes(data))
    with pytest.raises(bnrt.Error, match="checksum mismatch"):
        bnrt.Model(str(corrupt))
    with pytest.raises(ValueError, match="threads must be in"):
        bnrt.Model(str(bundles["fixed"]), threads=100000)
    with pytest.raises(ValueError, match="ISA 'sse9'"):
        bnrt.Model(str(bundles["fixed"]), isa="sse9")


def test_calls_release_the_gil():
    # ctypes.CDLL releases the GIL around every foreign call (PyDLL, its
    # subclass, would hold it).
    assert type(bnrt._lib) is ctypes.CDLL


def test_one_model_many_threads(bundles):
    """4 threads share one Model (each gets its own context) and run
    different shapes; every result equals the single-threaded one."""
    m = bnrt.Model(str(bundles["ranged"]), threads=2)
    cases = [feed(1 + i % 4, 4 + 3 * i, seed=i) for i in range(5)]
    want = [m.run(**c)["logits"] for c in cases]
    failures = []

    def worker(t):
        try:
            for r in range(10):
                i = (t + r) % len(cases)
                if not np.array_equal(m.run(**cases[i])["logits"], want[i]):
                    failures.append(f"thread {t} run {r}: different logits")
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(f"thread {t}: {e!r}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    # An explicit context gives the same results.
    ctx = m.context(threads=1)
    np.testing.assert_array_equal(ctx.run(**cases[2])["logits"], want[2])


@pytest.mark.parametrize("value", [2, -1])
def test_a_mask_of_other_values_is_refused(bundles, value):
    # Attention would read it as a bias, the activation scales as padding.
    m = bnrt.Model(str(bundles["fixed"]))
    inputs = feed(2, 16)
    inputs["attention_mask"][1, 3] = value
    with pytest.raises(ValueError, match=f"'attention_mask' holds {value} at element 19; "
                                         "a mask is 0 \\(padding\\) or 1 \\(token\\)"):
        m.run(**inputs)
