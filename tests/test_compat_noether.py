"""jaxsched.compat.noether against golden values from noether's own code, and an independent
reference.

emmiai-noether needs Python >= 3.12; ``tests/golden/record_noether.py`` recorded ``get_value(step,
T)``
from its ``noether.core.schedules`` (2026.4.0) into ``tests/golden/noether.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import jaxsched
from jaxsched.compat import noether as nt
from torch_bridge import _classes as tb

GOLDEN = json.loads((Path(__file__).parent / "golden" / "noether.json").read_text())


@pytest.mark.parametrize(
    "case",
    GOLDEN["cases"],
    ids=lambda c: f"{c['config']['kind'].rsplit('.', 1)[1]}-T{c['total_steps']}",
)
def test_matches_golden(case):
    T = case["total_steps"]
    s = nt.from_noether_config(case["config"], T)
    want = np.array([np.nan if x is None else x for x in case["values"]])
    ok = ~np.isnan(want)
    # Values are never negative (the core's contract): where noether extrapolates below 0 at step == T
    # (a linear or odd-power decay to 0; its trainer never applies step T) the port gives 0.
    want[ok] = np.maximum(want[ok], 0.0)
    steps = np.arange(T + 1)
    scale = float(np.max(np.abs(want[ok])))
    # The floor: noether's own rounding near 0 (e.g. 1 + (1e-6 - 1) = 1.0000000000287557e-06).
    np.testing.assert_allclose(s.numpy(steps)[ok], want[ok], rtol=1e-12, atol=1e-15 * scale)
    np.testing.assert_allclose(np.asarray(s(steps), np.float64)[ok], want[ok], rtol=4e-6, atol=1e-7 * scale)
    # Where noether raises, and past T (it raises too), the port holds a finite value.
    far = s.numpy([T, T + 1, 10**9, 2**31 - 1])
    assert np.all(np.isfinite(far)) and np.all(far[1:] == far[0])


def _py_index(step: int, total: int, interval: float) -> int:
    return int(round(step / total / interval, 10))


@settings(max_examples=12)  # each total_steps is a new static structure: one JAX compile per example
@given(
    st.integers(1, 3000),
    st.sampled_from([0.1, 0.3, 0.01, 0.07, 0.2, 1 / 3, 0.013, 0.5, 0.999]),
    st.floats(0.1, 0.99),
)
def test_step_interval_index_is_exact_in_float32(T, interval, factor):
    s = nt.StepIntervalSchedule(factor, interval, 1.0, total_steps=T)
    steps = np.unique(np.linspace(0, T, 300).astype(np.int64))
    k = np.array([_py_index(int(n), T, interval) for n in steps])
    # float32 factor**k differs from float64 in rounding only; the index itself must be exact.
    got32 = np.asarray(s(steps), np.float64)
    np.testing.assert_allclose(got32, factor**k, rtol=2e-6 * (1 + k.max()), atol=1e-30)  # underflow
    np.testing.assert_allclose(s.numpy(steps), factor**k, rtol=1e-13)


def test_ten_digit_rounding_case():
    # 0.3 / 0.1 = 2.9999999999999996 in float64: noether's round(., 10) makes it 3.
    s = nt.StepIntervalSchedule(0.5, 0.1, total_steps=10)
    assert float(s(3)) == 0.125 and float(s.numpy(3)) == 0.125
    s = nt.StepDecreasingSchedule(1.0, 0.5, 0.1, total_steps=10)
    assert [float(s(k)) for k in (2, 3)] == [0.25, 0.125]


def _py_progress(shape: str, step: int, total: int, first: bool, last: bool, power: float = 1.0) -> float:
    if last:
        total += 1
    if first:
        step, total = step + 1, total + 1
    p = step / max(1, total - 1)
    if shape == "linear":
        return p
    if shape == "cosine":
        return 1 - (1 + math.cos(math.pi * p)) / 2
    return 1 - (1 - p) ** power


@given(
    st.sampled_from(["linear", "cosine", "polynomial"]),
    st.booleans(),
    st.integers(0, 400),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.booleans(),
    st.booleans(),
    st.sampled_from([1.0, 2.0, 3.0]),
)
def test_progress_schedules_any_configuration(shape, increasing, T, a, b, first, last, power):
    lo, hi = min(a, b), max(a, b)
    name = {"linear": "Linear", "cosine": "Cosine", "polynomial": "Polynomial"}[shape]
    name += "IncreasingSchedule" if increasing else "DecreasingSchedule"
    kw = {"max_value": hi, "exclude_first": first, "exclude_last": last, "total_steps": T}
    kw.update({"start_value": lo} if increasing else {"end_value": lo})
    if shape == "polynomial":
        kw["power"] = power
    s = getattr(nt, name)(**kw)
    start, end = (lo, hi) if increasing else (hi, lo)
    steps = np.arange(T + 1)
    want = [  # floored at 0: the extrapolation at step T of a decay to near 0 (see test_matches_golden)
        max(0.0, start + _py_progress(shape, int(k), T, first, last, power) * (end - start)) for k in steps
    ]
    np.testing.assert_allclose(s.numpy(steps), want, rtol=1e-12, atol=1e-15)


@given(
    st.integers(2, 500),
    st.floats(0.0, 1.0),
    st.floats(1e-4, 1.0),
    st.sampled_from([0.0, 0.01, 0.5]),
    st.booleans(),
)
def test_linear_warmup_cosine_decay_any_configuration(T, pct, peak, start_frac, by_steps):
    start = start_frac * peak  # noether asserts start_value <= max_value
    W = int(pct * (T - 1))
    kw = {"warmup_steps": W} if by_steps else {"warmup_percent": pct}
    s = nt.LinearWarmupCosineDecaySchedule(
        max_value=peak, start_value=start, end_value=1e-6, total_steps=T, **kw
    )
    assert W in s.key_steps()  # with warmup_percent: int(pct * (T - 1)), truncated
    got = s.numpy(np.arange(T))
    # The warmup, from noether's construction: (k+1)/(W+1) * peak from 0, else start + k/W * (peak -
    # start).
    for k in range(min(W, T)):
        want = (k + 1) / (W + 1) * peak if start == 0 else start + k / max(1, W) * (peak - start)
        assert got[k] == pytest.approx(want, rel=1e-12, abs=1e-18)
    if W < T - 1:
        assert got[W] == pytest.approx(peak, rel=1e-12)
        assert got[T - 1] == pytest.approx(1e-6, rel=1e-9, abs=1e-15)


def test_overrun_at_total_steps():
    s = nt.LinearDecreasingSchedule(1.0, total_steps=5)
    # noether gives -0.25 at step 5; values are never negative here (the core's contract): 0.
    assert s.numpy(range(7)).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]
    up = nt.LinearIncreasingSchedule(1.0, total_steps=5)
    assert up.numpy(range(7)).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.25]  # past the end
    cos = nt.CosineDecreasingSchedule(1.0, total_steps=5)
    assert cos.numpy(5) == pytest.approx(0.1464466094, rel=1e-9)  # reflects back up
    frac = nt.PolynomialIncreasingSchedule(1.0, power=0.5, total_steps=4)
    assert frac.numpy(4) == 1.0  # noether fails there (a complex number); the port holds the end


def test_epoch_interval():
    cfg = {
        "kind": "noether.core.schedules.LinearDecreasingSchedule",
        "max_value": 1.0,
        "interval": "epoch",
    }
    s = nt.from_noether_config(cfg, 12, updates_per_epoch=4)
    assert s.numpy(range(12)).tolist() == pytest.approx([1.0] * 4 + [1 - 4 / 11] * 4 + [1 - 8 / 11] * 4)
    with pytest.raises(ValueError, match="updates_per_epoch"):
        nt.from_noether_config(cfg, 12)


def test_from_config_dispatches_noether_configs():
    cfg = {
        "kind": "noether.core.schedules.LinearWarmupCosineDecaySchedule",
        "warmup_percent": 0.05,
        "end_value": 1e-6,
        "max_value": 1e-3,
    }
    s = jaxsched.from_config(cfg, total_steps=400)
    assert s == nt.from_noether_config(cfg, 400)
    assert jaxsched.from_config(s.to_config()) == s


def test_config_round_trip_and_sequential_children():
    for name, cls in jaxsched.registry().items():
        if name.startswith("compat.noether."):
            for ex in cls.examples:
                s = jaxsched.from_config({"name": name, **ex})
                assert jaxsched.from_config(s.to_config()) == s
                assert np.all(np.isfinite(s.numpy([0, 1, 50, 10**6])))


def test_bridge_noether_schedule():
    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3, weight_decay=0.05)
    cfg = {
        "kind": "noether.core.schedules.CosineIncreasingSchedule",
        "max_value": 0.1,
        "start_value": 0.01,
    }
    sched = tb.noether_schedule(opt, cfg, 20, field="weight_decay")
    port = nt.from_noether_config(cfg, 20)
    got = []
    for _ in range(21):
        got.append(opt.param_groups[0]["weight_decay"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(got, port.numpy(np.arange(21)), rtol=1e-15)


def test_bad_input():
    P = "noether.core.schedules."
    with pytest.raises(ValueError, match="end_value must be less than or equal to max_value"):
        nt.LinearDecreasingSchedule(0.1, end_value=0.2, total_steps=10)
    with pytest.raises(ValueError, match="start_value"):
        nt.LinearIncreasingSchedule(0.1, start_value=0.2, total_steps=10)
    with pytest.raises(ValueError, match="only one of overhang_percent and overhang_steps"):
        nt.ConstantSchedule(1.0, total_steps=10, overhang_percent=0.1, overhang_steps=2)
    with pytest.raises(ValueError, match="decreases_interval"):
        nt.StepDecreasingSchedule(1.0, 0.5, 1.0, total_steps=10)
    with pytest.raises(ValueError, match="steps"):
        nt.StepFixedSchedule(0.5, [], total_steps=10)
    with pytest.raises(ValueError, match="range"):
        nt.StepFixedSchedule(0.5, [0.5, 1.2], total_steps=10)
    with pytest.raises(ValueError, match="exactly one of warmup_steps or warmup_percent"):
        nt.LinearWarmupCosineDecaySchedule(total_steps=10)
    with pytest.raises(ValueError, match="total_steps"):
        nt.StepIntervalSchedule(0.5, 0.1, total_steps=0)  # noether divides by zero
    with pytest.raises(ValueError, match="values"):
        nt.CustomSchedule([1.0, 2.0], total_steps=5)  # noether raises IndexError later
    with pytest.raises(ValueError, match="power"):
        nt.PolynomialDecreasingSchedule(1.0, power=-1.0, total_steps=5)
    with pytest.raises(ValueError, match="kind"):
        nt.from_noether_config({"kind": P + "PeriodicBoolSchedule"}, 10)
    with pytest.raises(ValueError, match="unknown field"):
        nt.from_noether_config({"kind": P + "ConstantSchedule", "value": 1.0, "vale": 2}, 10)
    with pytest.raises(ValueError, match="total_steps is needed"):
        nt.LinearDecreasingSchedule(1.0).numpy(3)
    with pytest.raises(ValueError, match="end_step must be <= next start_step"):
        nt.SequentialStepSchedule(
            [
                {"schedule": nt.ConstantSchedule(1.0), "start_step": 0, "end_step": 5},
                {"schedule": nt.ConstantSchedule(2.0), "start_step": 3},
            ],
            total_steps=10,
        )
    for bad in (float("nan"), float("inf"), "abc"):
        with pytest.raises((ValueError, TypeError)):
            nt.CosineDecreasingSchedule(bad, total_steps=10)


def test_config_reads_noether_configs_through_a_hook():
    """No import cycle: jaxsched._config imports no port; noether registers its reader on import."""
    import ast
    import inspect

    from jaxsched import _config

    tree = ast.parse(inspect.getsource(_config))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("jaxsched.compat.") for m in modules)
    assert _config._READERS["kind"] is nt._read_config


def test_ports_lower_to_catalog_schedules():
    s = nt.LinearWarmupCosineDecaySchedule(max_value=1e-3, warmup_steps=20, total_steps=300)
    names = set()

    def walk(x):
        names.add(x.config_name)
        for name, _ in type(x)._roles:
            child = getattr(x, name)
            for c in child if isinstance(child, tuple) else (child,):
                if isinstance(c, jaxsched.Schedule):
                    walk(c)

    walk(s.lowered())
    assert names and not any(n.startswith("compat.") for n in names)
    assert names <= {"join", "progress_interpolate", "constant"}
