"""The parity job (jaxsched._parity): its metric, its grid, mismatch detection, and the whole catalog."""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

import numpy as np
import pytest

import jaxsched
from jaxsched import _config, _parity
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


def test_grid_is_fixed_size_and_covers_the_curve():
    s = jaxsched.warmup_cosine_decay(0.0, 1.0, 100, 10_000)
    n = _parity.horizon(s)
    assert n == 4000  # capped
    g = _parity.grid(n, s.key_steps())
    assert g.shape == (4096,) and g.dtype == np.int64
    np.testing.assert_array_equal(g[:n], np.arange(n))
    assert {9999, 10_000, 10_001, 2**24 + 1, 2**31 - 1} <= set(g.tolist())
    assert np.all(np.diff(g) >= 0) and g.max() == 2**31 - 1
    small = jaxsched.constant(1.0)
    assert _parity.horizon(small) == 32
    assert _parity.grid(32).shape == (4096,)


def test_horizon_reaches_past_the_last_key_step():
    s = jaxsched.cosine_decay(1.0, decay_steps=1000)
    assert _parity.horizon(s) == 1258
    assert _parity.horizon(s, cap=500) == 500


# -- mismatch detection ----------------------------------------------------------------------------------

class Skewed(Schedule):
    """A test schedule whose JAX values differ from its NumPy values by a relative ``skew``."""

    config_name: ClassVar[str] = "test_parity.skewed"
    value: Any
    skew: Any = 0.0

    def _key_steps(self) -> list[Any]:
        return [50]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        base = bk.value(self.value) / (1.0 + t.value())
        return base if bk.is_numpy else base * (1.0 + bk.value(self.skew))


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


def test_x64_worker_really_runs_in_float64():
    # A long cosine: float32 is visibly off the float64 baseline, float64 is not.
    s = jaxsched.cosine_decay(1.0, decay_steps=3000, exponent=2.0)
    r = _one(s, paths=("jax-f32", "jax-f64"))
    assert r.ok
    assert r.paths["jax-f32"].error > 1e-9
    assert r.paths["jax-f64"].error < 1e-13


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
    assert r.ok


def test_original_not_installed(monkeypatch):
    _with_reference(monkeypatch, lambda s, n: 1 / 0, module="no_such_module_for_jaxsched")
    r = _one(Skewed(0.1), paths=("original",))
    assert r.ok and r.paths["original"].status == "n/a"
    assert r.paths["original"].note == "fake not installed"


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


# -- the whole catalog -----------------------------------------------------------------------------------

_config.import_all_ports()
LABELS = [f"{name}[{i}]" for name, cls in sorted(jaxsched.registry().items())
          for i in range(len(cls.examples))]


@pytest.fixture(scope="module")
def catalog_results() -> dict[str, _parity.Result]:
    cases, failures = _parity.default_cases()
    assert failures == {}
    return {r.case.label: r for r in _parity.run(cases)}


@pytest.mark.slow
@pytest.mark.parametrize("label", LABELS)
def test_catalog_parity(catalog_results, label):
    """Every registered configuration agrees across JAX f32/f64, NumPy, torch_bridge and its original."""
    r = catalog_results[label]
    assert r.case.error is None, r.case.error
    assert set(r.paths) >= {"jax-f32", "jax-f64", "torch_bridge", "original"}
    problems = {p: (x.status, x.error, x.note) for p, x in r.paths.items()
                if x.status not in ("ok", "n/a")}
    assert not problems, problems
    assert r.paths["torch_bridge"].status == "ok", r.paths["torch_bridge"].note


def test_ports_with_a_reference_are_compared(catalog_results):
    """Every port whose original is installed here is compared with it (none silently skipped)."""
    from jaxsched._references import references

    refs = references()
    for r in catalog_results.values():
        ref = refs.get(r.case.label.split("[")[0])
        if ref is not None and ref.available():
            assert r.paths["original"].status != "n/a", r.case.label
