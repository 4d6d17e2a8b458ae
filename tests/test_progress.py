"""jaxsched.schedules._progress (progress_interpolate, fraction_step_decay) against independent references."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jaxsched
from jaxsched import MAX_STEP
from tests.helpers import assert_matches
from tests.reference_formulas import reference


@pytest.mark.parametrize("name", ["progress_interpolate", "fraction_step_decay"])
def test_examples_match_reference(name):
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        assert_matches(cls(**ex), reference(name, **ex), rtol32=2e-6)


@given(
    st.sampled_from(["linear", "cosine", "polynomial"]),
    st.integers(0, 3000),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.sampled_from([0.5, 1.0, 2.0, 3.0, 1.7]),
    st.integers(0, 1),
    st.sampled_from([None, "end", "past"]),
)
def test_progress_any_configuration(shape, T, a, b, w, offset, hold):
    D = max(1, T - 1)
    N = None if hold is None else (D - offset if hold == "end" else D + 1 - offset)
    kw = {
        "start_value": a,
        "end_value": b,
        "total_steps": T,
        "shape": shape,
        "power": w,
        "offset": offset,
        "hold_from": N,
    }
    s = jaxsched.progress_interpolate(**kw)
    ref = reference("progress_interpolate", **kw)
    steps = np.unique(
        np.r_[np.arange(min(T + 3, 60)), np.linspace(0, T + 3, 200).astype(np.int64), [10**6, 2**31 - 1]]
    )
    want = np.array([ref(int(k)) for k in steps])
    np.testing.assert_allclose(s.numpy(steps), want, rtol=1e-12, atol=1e-15)


def test_progress_past_the_end_as_noether():
    lin = jaxsched.progress_interpolate(1.0, 0.0, 5, hold_from=5)
    assert lin.numpy(range(7)).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]  # -0.25, floored at 0
    up = jaxsched.progress_interpolate(0.0, 1.0, 5, hold_from=5)
    assert up.numpy(5) == 1.25
    cos = jaxsched.progress_interpolate(1.0, 0.0, 5, shape="cosine", hold_from=5)
    assert cos.numpy(5) == pytest.approx(cos.numpy(3), rel=1e-15)  # reflects back
    frac = jaxsched.progress_interpolate(0.0, 1.0, 4, shape="polynomial", power=0.5, hold_from=4)
    assert frac.numpy(4) == 1.0  # noether fails there (a complex number): the end value
    odd = jaxsched.progress_interpolate(0.0, 1.0, 8, shape="polynomial", power=3.0, hold_from=8)
    assert odd.numpy(8) == pytest.approx(1 + (1 / 7) ** 3, rel=1e-15)


def test_progress_float32_tail():
    # The rise from 0 keeps full precision at the first steps (expm1/log1p), the fall near its end.
    for kw in (
        {"start_value": 0.0, "end_value": 1.0, "shape": "polynomial", "power": 2.0},
        {"start_value": 1.0, "end_value": 1e-8, "shape": "cosine"},
        {"start_value": 1e-8, "end_value": 1.0, "shape": "cosine"},
    ):
        s = jaxsched.progress_interpolate(total_steps=10**8, **kw)
        steps = np.array([1, 2, 10, 10**8 - 3, 10**8 - 2], np.int32)
        want = np.array([reference("progress_interpolate", total_steps=10**8, **kw)(int(k)) for k in steps])
        np.testing.assert_allclose(np.asarray(s(steps), np.float64), want, rtol=1e-6)


def _py_index(step: int, total: int, interval: float) -> int:
    return int(round(step / total / interval, 10))


@settings(max_examples=12)  # each configuration is a new table: one JAX compile per example
@given(
    st.integers(1, 3000), st.sampled_from([0.1, 0.3, 0.01, 0.07, 1 / 3, 0.013, 0.999]), st.floats(0.1, 0.99)
)
def test_fraction_index_is_exact_in_float32(T, interval, rate):
    s = jaxsched.fraction_step_decay(1.0, rate, T, interval=interval)
    steps = np.unique(np.linspace(0, T, 300).astype(np.int64))
    k = np.array([_py_index(int(n), T, interval) for n in steps])
    np.testing.assert_allclose(s.numpy(steps), rate**k, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(s(steps), np.float64), rate**k, rtol=2e-6, atol=1e-30)


def test_fraction_ten_digit_rounding():
    # 0.3 / 0.1 = 2.9999999999999996 in float64: round(., 10) makes it 3; without rounding it is 2.
    assert jaxsched.fraction_step_decay(1.0, 0.5, 10, interval=0.1).numpy(3) == 0.125
    assert jaxsched.fraction_step_decay(1.0, 0.5, 10, interval=0.1, digits=None).numpy(3) == 0.25
    assert float(jaxsched.fraction_step_decay(1.0, 0.5, 10, interval=0.1)(3)) == 0.125


def test_fraction_marks_and_hold():
    s = jaxsched.fraction_step_decay(1.0, 0.1, 10, fractions=[0.5, 0.3])
    np.testing.assert_allclose(s.numpy([0, 2, 3, 4, 5, 10, 11]), [1, 1, 0.1, 0.1, 0.01, 0.01, 0.01])
    held = jaxsched.fraction_step_decay(1.0, 0.5, 10, interval=0.1, hold_from=4)
    assert held.numpy(100) == held.numpy(4) == 0.0625


def test_bad_input():
    with pytest.raises(ValueError, match="interval"):
        jaxsched.fraction_step_decay(1.0, 0.5, 10)
    with pytest.raises(ValueError, match="interval"):
        jaxsched.fraction_step_decay(1.0, 0.5, 10, interval=1.0)
    with pytest.raises(ValueError, match="interval"):  # a table beyond 100000 boundaries
        jaxsched.fraction_step_decay(1.0, 0.5, 10**7, interval=1e-7)
    with pytest.raises(ValueError, match=r"fractions\[1\]"):
        jaxsched.fraction_step_decay(1.0, 0.5, 10, fractions=[0.5, 1.2])
    with pytest.raises(ValueError, match="decay_rate"):
        jaxsched.fraction_step_decay(1.0, 10.0, 1000, interval=0.01)  # 10**100 overflows float32
    with pytest.raises(ValueError, match="total_steps"):
        jaxsched.fraction_step_decay(1.0, 0.5, 0, interval=0.1)
    with pytest.raises(ValueError, match="hold_from"):
        jaxsched.progress_interpolate(1.0, 0.0, 5, hold_from=6)
    with pytest.raises(ValueError, match="offset"):
        jaxsched.progress_interpolate(1.0, 0.0, 5, offset=5)
    with pytest.raises(ValueError, match="power"):
        jaxsched.progress_interpolate(1.0, 0.0, 5, shape="polynomial", power=0.0)


def test_quantize_holds_the_sampled_step():
    inner = jaxsched.linear(1.0, 0.0, 12)
    s = jaxsched.quantize(inner, every=4)
    steps = np.arange(20)
    np.testing.assert_array_equal(s.numpy(steps), inner.numpy(steps // 4 * 4))
    np.testing.assert_allclose(np.asarray(s(steps)), inner.numpy(steps // 4 * 4), rtol=1e-7)
    assert s.key_steps() == [0, 12]
    assert jaxsched.from_config(s.to_config()) == s


def test_config_round_trip():
    for name in ("progress_interpolate", "fraction_step_decay"):
        for ex in jaxsched.registry()[name].examples:
            s = jaxsched.registry()[name](**ex)
            assert jaxsched.from_config(s.to_config()) == s


@pytest.mark.parametrize("interval", [0.1, 1 / 3, 0.01])
def test_rounded_index_on_a_long_run_constructs_at_once(interval: float) -> None:
    """Regression: with decimal rounding (digits=0) each decay step lies half an interval from its exact
    boundary, and the boundaries were found by walking there one step at a time: over two minutes to
    construct at 2e9 steps. They are bisected now; the values are those of the index itself."""
    from jaxsched.schedules import _progress

    _progress._bounds.cache_clear()
    start = time.perf_counter()
    s = jaxsched.fraction_step_decay(
        1.0, decay_rate=0.5, total_steps=2_000_000_000, interval=interval, digits=0
    )
    assert time.perf_counter() - start < 5.0  # (was > 120 s)
    k = np.array([0, 10**8, 999_999_999, 1_000_000_000, 1_049_999_999, 1_050_000_000, MAX_STEP])
    want = [0.5 ** int(round((n / 2_000_000_000) / interval, 0)) for n in np.minimum(k, 2_000_000_000)]
    np.testing.assert_array_equal(s.numpy(k), want)
