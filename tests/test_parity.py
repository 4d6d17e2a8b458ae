"""The parity job (jaxsched._parity): its metric, its grid, mismatch detection, and the whole catalog."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

import jaxsched
from jaxsched import _config, _core, _parity
from jaxsched import _fields as fl
from jaxsched._core import Schedule
from jaxsched._numerics import Array, Backend, Steps
from jaxsched._references import _REFERENCES, Reference

# -- the metric ----------------------------------------------------------------------------------------


def test_relative_error_by_hand():
    assert _parity.relative_error([1.0, 2.0], [1.0, 2.0], 1e-6) == 0.0
    assert _parity.relative_error([1.1, 2.0], [1.0, 2.0], 1e-6) == pytest.approx(0.1)
    # Near zero the floor (a fraction of the largest magnitude) takes over: |1e-9 - 0| / (1e-3 * 2).
    assert _parity.relative_error([2.0, 1e-9], [2.0, 0.0], 1e-3) == pytest.approx(5e-7)
    assert _parity.relative_error([0.0, 0.0], [0.0, 0.0], 1e-6) == 0.0
    assert _parity.relative_error([np.nan], [1.0], 1e-6) == math.inf
    assert _parity.relative_error([np.inf], [1.0], 1e-6) == math.inf
    assert _parity.relative_error([1.0, 2.0], [1.0], 1e-6) == math.inf
    assert _parity.relative_error([], [], 1e-6) == 0.0
    # Negative values: the magnitude counts.
    assert _parity.relative_error([-1.01], [-1.0], 1e-6) == pytest.approx(0.01)


def test_running_error_equals_the_whole_curve_error():
    rng = np.random.default_rng(0)
    b = rng.uniform(-1, 1, 1000) * np.exp(-np.arange(1000) / 100)
    a = b * (1 + rng.normal(0, 1e-6, 1000))
    whole = _parity.relative_error(a, b, 1e-6)
    acc = _parity.Running(1e-6, float(np.max(np.abs(b))))
    for lo in range(0, 1000, 64):  # blocks of 64, as the job streams them
        acc.add(np.arange(lo, min(lo + 64, 1000)), a[lo : lo + 64], b[lo : lo + 64])
    assert acc.error == whole and acc.steps == 1000
    worst = int(np.argmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-6 * np.max(np.abs(b)))))
    assert acc.worst == worst and acc.value == a[worst] and acc.expected == b[worst]
    acc.add(np.array([5000]), [np.nan], np.array([1.0]))
    assert acc.error == math.inf and acc.worst == 5000


def test_chunks_cover_the_steps_then_the_far_steps():
    extra = _parity.far_steps(300, [0, 100, 1000])
    assert extra.tolist() == [
        999,
        1000,
        1001,
        10**5,
        10**6,
        2**24 - 1,
        2**24 + 1,
        10**8,
        2**31 - 2,
        2**31 - 1,
    ]
    seen, dense = [], 0
    for steps, valid, d in _parity.chunks(300, extra, 64):
        assert steps.shape == (64,) and steps.dtype == np.int64  # one shape: one compile per op
        assert np.all(steps[valid:] == steps[valid - 1])  # padding repeats the last step
        seen += steps[:valid].tolist()
        dense += d
    assert seen == list(range(300)) + extra.tolist()
    assert dense == 300
    assert _parity.chunk_size(10) == _parity.chunk_size(10**7) == _parity.BLOCK  # one shape per job


def test_every_catalog_example_is_compared_on_its_whole_horizon():
    # No example is too long for the job's default (the whole schedule, no --steps).
    cases, _ = _parity.default_cases()
    assert max(_parity.horizon(c.schedule) for c in cases) <= _parity.MAX_HORIZON


def test_horizon_is_the_whole_schedule():
    s = jaxsched.warmup_cosine_decay(0.0, 1.0, 100, 100_000)
    assert _parity.horizon(s) == 125_008  # no cap: the last key step plus 25%
    assert _parity.horizon(s, cap=4000) == 4000
    assert _parity.horizon(jaxsched.constant(1.0)) == 32


# -- mismatch detection ----------------------------------------------------------------------------------


class Skewed(Schedule, name="test_parity.skewed"):
    """A test schedule whose JAX values differ from its NumPy values by a relative ``skew``."""

    value: Any = fl.value()
    skew: Any = fl.value(default=0.0)

    def _key_steps(self) -> list[Any]:
        return [50]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        base = bk.value(self.value) / (1.0 + t.value())
        return base if bk.is_numpy else base * (1.0 + bk.value(self.skew))


# The fixtures above are registered while this module's tests run only: registry-wide tests elsewhere
# (the contract, the docs, the config round trips) see the library's classes, not these.
_FIXTURES = {"test_parity.skewed": Skewed}
_core._REGISTRY.pop("test_parity.skewed", None)


@pytest.fixture(autouse=True)
def _registered_fixtures():
    _core._REGISTRY.update(_FIXTURES)
    yield
    for name in _FIXTURES:
        _core._REGISTRY.pop(name, None)


def _one(s: Schedule, paths=_parity.PATHS) -> _parity.Result:
    [r] = _parity.run([_parity.case_from_schedule(s, "skewed")], paths=paths)
    return r


def test_agreeing_paths_pass():
    r = _one(Skewed(0.1), paths=("jax-f32", "jax-f64", "torch_bridge"))
    assert r.ok, r.paths
    assert r.paths["jax-f64"].error < 1e-15
    assert r.paths["torch_bridge"].error == 0.0


@pytest.mark.parametrize("skew", [1e-4, 2e-5])
def test_a_jax_mismatch_fails(skew):
    r = _one(Skewed(0.1, skew), paths=("jax-f32", "jax-f64", "torch_bridge"))
    assert not r.ok
    assert r.paths["jax-f32"].status == "FAIL"
    assert r.paths["jax-f64"].status == "FAIL"
    assert r.paths["jax-f64"].error == pytest.approx(skew, rel=1e-6)
    assert r.paths["torch_bridge"].status == "ok"  # the bridge evaluates the NumPy formula
    table = _parity.format_table([r])
    assert "FAIL  skewed jax-f64" in table and table.rstrip().endswith("1 FAILED.")


def test_below_tolerance_passes():
    # 1e-14 relative is below the float64 tolerance (1e-12) and the float32 one (1e-5).
    r = _one(Skewed(0.1, 1e-14), paths=("jax-f32", "jax-f64"))
    assert r.ok, r.paths


@pytest.mark.parametrize("worker", [False, True])
def test_x64_really_runs_in_float64(worker):
    # A long cosine: float32 is visibly off the float64 baseline, float64 is not.
    s = jaxsched.cosine_decay(1.0, decay_steps=3000, exponent=2.0)
    [r] = _parity.run([_parity.case_from_schedule(s)], paths=("jax-f32", "jax-f64"), worker=worker)
    assert r.ok
    assert r.paths["jax-f32"].error > 1e-9
    assert r.paths["jax-f64"].error < 1e-13
    assert r.paths["jax-f32"].steps == r.paths["jax-f64"].steps == r.steps + r.far


def test_the_worker_and_this_process_agree():
    cases = [
        _parity.case_from_config({"name": "cosine_decay", "init_value": 1.0, "decay_steps": k})
        for k in (10, 1000, 100_000)
    ]
    here = _parity.run(cases, paths=("jax-f32", "jax-f64"), worker=False)
    there = _parity.run(cases, paths=("jax-f32", "jax-f64"), worker=True)
    for a, b in zip(here, there, strict=True):
        assert a.paths == b.paths


def test_the_worker_leaves_out_the_working_directory(tmp_path, monkeypatch):
    # Issue 12.18: started with `python -m`, the worker imported a json.py from the working directory.
    marker = tmp_path / "ran.txt"
    (tmp_path / "json.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (tmp_path / "numpy.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    monkeypatch.chdir(tmp_path)
    cmd = _parity.worker_command("a", "b")
    assert cmd[1] == "-I"  # no PYTHON* variables, no user site, no script directory
    path = json.loads(cmd[4])
    assert str(tmp_path) not in path and "" not in path and "." not in path
    case = _parity.case_from_config({"name": "cosine_decay", "init_value": 1.0, "decay_steps": 50})
    [r] = _parity.run([case], paths=("jax-f64",), worker=True)
    assert r.paths["jax-f64"].status == "ok" and r.paths["jax-f64"].error < 1e-13
    assert not marker.exists()


def test_the_worker_measures_and_this_process_judges(monkeypatch):
    monkeypatch.setitem(_parity.TOLERANCES, "jax-f32", _parity.Tolerance(0.0, 1e-6))
    case = _parity.case_from_config({"name": "cosine_decay", "init_value": 1.0, "decay_steps": 3000})
    [r] = _parity.run([case], paths=("jax-f32",), worker=True)
    assert r.paths["jax-f32"].status == "FAIL" and r.paths["jax-f32"].tolerance == 0.0


def _with_reference(monkeypatch, run, module=None, library="fake"):
    monkeypatch.setitem(_REFERENCES, Skewed.config_name, Reference(library, run, module))


def test_original_agreeing(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: s.numpy(np.arange(n)))
    r = _one(Skewed(0.1), paths=("original",))
    assert r.ok and r.paths["original"].error == 0.0 and r.paths["original"].note == "fake"


def test_original_disagreeing(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: s.numpy(np.arange(n)) * (1 + 1e-8))
    r = _one(Skewed(0.1), paths=("original",))
    assert r.paths["original"].status == "FAIL"
    assert r.paths["original"].error == pytest.approx(1e-8, rel=1e-6)


def test_original_off_by_one_step(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: s.numpy(np.arange(1, n + 1)))
    r = _one(Skewed(0.1), paths=("original",))
    assert r.paths["original"].status == "FAIL"


def test_original_short_golden_curve(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: s.numpy(np.arange(10)))
    r = _one(Skewed(0.1), paths=("original",))
    assert r.ok and r.partial
    assert r.paths["original"].steps == 10 and r.steps == _parity.horizon(Skewed(0.1)) == 71
    assert _parity.status(r) == "partial"
    assert _parity.status(r, strict=True) == "partial"  # not a port: strict does not apply
    table = _parity.format_table([r])
    assert "fake (10 steps)" in table and table.splitlines()[2].endswith("partial")


def test_original_not_recorded_is_not_a_mismatch(monkeypatch):
    from jaxsched._references import NotRecordedError

    def missing(s, n):
        raise NotRecordedError("no fake golden curve recorded for this configuration")

    _with_reference(monkeypatch, missing)
    r = _one(Skewed(0.1), paths=("original",))
    assert r.ok and r.paths["original"].status == "n/a"
    assert r.paths["original"].note == "fake: no fake golden curve recorded for this configuration"


class LongSkewed(Skewed, name="test_parity.long_skewed"):
    """Skewed, with its last key step at 100,000 (a horizon of 125,008 steps)."""

    def _key_steps(self) -> list[Any]:
        return [100_000]


_FIXTURES["test_parity.long_skewed"] = LongSkewed
_core._REGISTRY.pop("test_parity.long_skewed", None)


@pytest.mark.parametrize("streaming", [False, True])
def test_a_late_deviation_is_found(monkeypatch, streaming):
    # An original that leaves the curve only after 110,000 steps: the whole horizon is compared.
    blocks: list[int] = []

    def curve(s, n):
        values = s.numpy(np.arange(n))
        values[110_000] *= 1 + 1e-6  # one step, late
        return values

    def stream(s, n, block):
        for lo in range(0, n, block):
            blocks.append(min(block, n - lo))
            yield curve(s, n)[lo : lo + block]

    ref = Reference("fake", curve, None, stream if streaming else None)
    monkeypatch.setitem(_REFERENCES, LongSkewed.config_name, ref)
    [r] = _parity.run([_parity.case_from_schedule(LongSkewed(0.1), "long")], paths=("original",))
    p = r.paths["original"]
    assert r.steps == 125_008 and p.steps == 125_008
    assert p.status == "FAIL" and p.worst == 110_000
    assert p.error == pytest.approx(1e-6, rel=1e-6)
    assert "FAIL  long original: 1e-06 > 1e-10 at step 110000" in _parity.format_table([r])
    if streaming:  # one block at a time, never the whole curve
        assert max(blocks) <= _parity.BLOCK and sum(blocks) == 125_008


def test_smaller_blocks_give_the_same_result():
    s = jaxsched.warmup_cosine_decay(0.0, 1.0, 1000, 20_000)
    a = _parity.run([_parity.case_from_schedule(s)], paths=("jax-f32", "torch_bridge"), worker=False)
    b = _parity.run(
        [_parity.case_from_schedule(s)], paths=("jax-f32", "torch_bridge"), worker=False, block=1024
    )
    assert a[0].paths == b[0].paths


def test_steps_given_are_every_path_s_steps(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: s.numpy(np.arange(n)))
    [r] = _parity.run([_parity.case_from_schedule(Skewed(0.1), "s")], steps=5000, worker=False)
    assert r.steps == 5000
    assert r.paths["original"].steps == r.paths["torch_bridge"].steps == 5000
    assert r.paths["jax-f32"].steps == 5000 + r.far
    assert r.ok, r.paths


def test_a_horizon_beyond_the_limit_needs_steps():
    s = jaxsched.cosine_decay(1.0, decay_steps=10**9)
    [r] = _parity.run([_parity.case_from_schedule(s)], paths=("jax-f32",))
    assert not r.ok and "its horizon is 1250000008 steps" in r.case.error
    [r] = _parity.run([_parity.case_from_schedule(s)], paths=("jax-f32",), steps=100)
    assert r.ok and r.steps == 100
    assert r.far == _parity.far_steps(100, s.key_steps()).size  # 10**9 - 1 and 10**9 + 1 among them
    assert r.paths["jax-f32"].steps == 100 + r.far


def test_original_not_installed(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: 1 / 0, module="no_such_module_for_jaxsched")
    r = _one(Skewed(0.1), paths=("original",))
    assert r.ok and r.paths["original"].status == "n/a"
    assert r.paths["original"].note == "fake not installed"


@pytest.mark.parametrize("module", ["no_such_package_for_jaxsched.core", "json.no_such_submodule"])
def test_original_in_a_missing_package_is_not_installed(monkeypatch, module):
    # `jaxsched parity` in the README's parity-only venv died with "No module named 'megatron'": the
    # Megatron reference names "megatron.core", and find_spec imports the missing parent to look.
    _with_reference(monkeypatch, lambda s, n: 1 / 0, module=module)
    r = _one(Skewed(0.1), paths=("original",))
    assert r.ok and r.paths["original"].status == "n/a"
    assert r.paths["original"].note == "fake not installed"


def test_every_reference_says_whether_it_is_installed():
    # In a process where no original library can be imported (the README's parity venv lacks some),
    # every reference's available() is False (or True when it needs nothing), never an exception.
    import subprocess
    import sys

    from jaxsched._references import references

    tops = sorted({ref.module.split(".")[0] for ref in references().values() if ref.module})
    assert "megatron" in tops and "torch" in tops
    code = f"""
import importlib.abc, sys
TOPS = {tops!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in TOPS:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
from jaxsched._references import references
bad = [n for n, r in references().items() if r.available() is not (r.module is None)]
print("ok" if not bad else bad)
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stdout + p.stderr


def test_original_raising(monkeypatch):
    def boom(s, n):
        raise RuntimeError("scheduler exploded\nsecond line")

    _with_reference(monkeypatch, boom)
    r = _one(Skewed(0.1), paths=("original",))
    assert not r.ok and r.paths["original"].status == "error"
    assert r.paths["original"].note == "fake: RuntimeError: scheduler exploded"


def test_a_config_that_does_not_build_is_an_error():
    case = _parity.case_from_config({"name": "cosine_decay", "init_value": 1.0, "decay_steps": -1})
    assert case.error is not None and "decay_steps" in case.error
    [r] = _parity.run([case], paths=("jax-f32",))
    assert not r.ok
    assert "ERROR cosine_decay" in _parity.format_table([r])


def test_default_cases_cover_every_registered_example():
    cases, failures = _parity.default_cases()
    assert failures == {}
    reg = jaxsched.registry()
    assert len(cases) == sum(len(c.examples) for c in reg.values())
    assert {c.label.split("[")[0] for c in cases} == {n for n, c in reg.items() if c.examples}
    only, _ = _parity.default_cases(["cosine_decay", "compat.torch.Step*"])
    labels = {c.label for c in only}
    assert "cosine_decay[0]" in labels and "compat.torch.StepLR[0]" in labels
    assert all("cosine_decay" in x or x.startswith("compat.torch.Step") for x in labels)


def test_json_report_is_serialisable():
    r = _one(Skewed(0.1, 1e-3), paths=("jax-f32",))
    data = json.loads(json.dumps(_parity.to_json([r])))
    assert data[0]["ok"] is False and data[0]["paths"]["jax-f32"]["status"] == "FAIL"
    assert data[0]["status"] == "FAIL" and data[0]["steps"] == 71
    assert data[0]["paths"]["jax-f32"]["steps"] == 71 + data[0]["far_steps"]


# -- the whole catalog -----------------------------------------------------------------------------------

_config.import_all_ports()
LABELS = [
    f"{name}[{i}]" for name, cls in sorted(jaxsched.registry().items()) for i in range(len(cls.examples))
]


@pytest.fixture(scope="module")
def catalog_results() -> dict[str, _parity.Result]:
    cases, failures = _parity.default_cases()
    assert failures == {}
    return {r.case.label: r for r in _parity.run(cases)}


def _catalog_problems(r: _parity.Result) -> object:
    if r.case.error is not None:
        return r.case.error
    missing = {"jax-f32", "jax-f64", "torch_bridge", "original"} - set(r.paths)
    if missing:
        return f"paths not run: {sorted(missing)}"
    problems = {p: (x.status, x.error, x.note) for p, x in r.paths.items() if x.status not in ("ok", "n/a")}
    if problems:
        return problems
    if r.paths["torch_bridge"].status != "ok":
        return r.paths["torch_bridge"].note
    return None


@pytest.mark.slow
def test_catalog_parity(catalog_results):
    """Every registered configuration agrees across JAX f32/f64, NumPy, torch_bridge and its original.
    (One test, not one per label: the run is shared, and parallel workers would each repeat it.)"""
    assert sorted(catalog_results) == sorted(LABELS)
    bad = {label: p for label, r in catalog_results.items() if (p := _catalog_problems(r)) is not None}
    assert not bad, bad


def test_ports_with_a_reference_are_compared(catalog_results):
    """Every port whose original is installed here is compared with it (none silently skipped)."""
    from jaxsched._references import references

    refs = references()
    for r in catalog_results.values():
        ref = refs.get(r.case.label.split("[")[0])
        if ref is not None and ref.available():
            assert r.paths["original"].status != "n/a", r.case.label
