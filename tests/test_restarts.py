"""The catalog pieces the timm, transformers and optax ports lower to: restarts (timm's cycles),
cosine_cycles (HF's unclamped cosine and hard restarts), lr_noise (timm's noise), warmup_onto (timm's tanh
warmup), polynomial's k_decay, fractional step_decay and join boundaries; against the independent
references of tests/reference_formulas.py, and the float32 accuracy misses of issue 12 item 8 these ports
had (each a regression test: relative error against an exact value)."""

from __future__ import annotations

import math
from fractions import Fraction

import jax.numpy as jnp
import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import ScheduleArgumentError
from jaxsched._numerics import MAX_STEP, Steps, jax_backend, numpy_backend
from jaxsched._shapes import MAX_CYCLE_TABLE, cycle_phase, geometric_table
from jaxsched.compat import optax as co
from jaxsched.compat import timm
from jaxsched.compat import transformers as hf
from tests.helpers import assert_matches
from tests.reference_formulas import reference

NEW = ["restarts", "cosine_cycles", "lr_noise", "warmup_onto"]


@pytest.mark.parametrize("name", NEW)
def test_examples_match_reference(name: str) -> None:
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        s = jaxsched.from_config({"name": name, **ex})
        # lr_noise's inverse error function is a float32-accurate polynomial (~4e-7), by definition.
        assert_matches(s, reference(name, **ex), rtol64=1e-6 if name == "lr_noise" else 1e-12, rtol32=2e-6)


def f32_relative(s: jaxsched.Schedule, steps: np.ndarray, exact: np.ndarray) -> float:
    got = np.asarray(s(jnp.asarray(steps, jnp.int32)), np.float64)
    return float(np.max(np.abs(got - exact) / np.abs(exact)))


# -- restarts -------------------------------------------------------------------------------------------


@given(
    st.integers(1, 60),
    st.sampled_from([1.0, 2.0, 3.0, 1.5, 1.7, 1.05]),
    st.floats(0.3, 1.0),
    st.sampled_from(["cosine", "tanh", "polynomial"]),
    st.floats(0.5, 2.0),
    st.floats(0.5, 3.0),
    st.none() | st.integers(1, 30),
    st.floats(0.0, 1e-3),
)
def test_restarts_against_reference(T0, mult, decay, shape, k, power, cycles, end) -> None:
    s = jaxsched.restarts(1.0, T0, mult, decay, end, cycles, shape, k_decay=k, power=power)
    ref = reference(
        "restarts",
        init_value=1.0,
        first_period=T0,
        period_mult=mult,
        peak_decay=decay,
        end_value=end,
        max_cycles=cycles,
        shape=shape,
        k_decay=k,
        power=power,
    )
    steps = np.unique(
        np.concatenate(
            [np.arange(300), [c + d for c in s.key_steps() for d in (-1, 0, 1)], [10**5 + 7, 2**24 + 1]]
        )
    )
    assert_matches(s, ref, steps[steps >= 0], rtol32=3e-6)


def test_restarts_fractional_cycle_ends_in_float32() -> None:
    """Issue 12 item 8: timm's cosine with cycle_mul=1.5 just before a fractional cycle end was 1.5e-5 off
    in float32; the position in the cycle is now exact, so the value there is within 1e-6 relative."""
    for T0 in (17, 20, 100):
        s = timm.CosineLRScheduler(1.0, t_initial=T0, cycle_mul=1.5, cycle_limit=60)
        ref = reference("restarts", init_value=1.0, first_period=T0, period_mult=1.5, max_cycles=60)
        ceil = geometric_table(T0, 1.5, 60)[2]
        steps = np.unique(np.concatenate([ceil - 2, ceil - 1, ceil]))
        steps = steps[(steps >= 1) & (steps <= MAX_STEP)]
        exact = np.array([ref(int(k)) for k in steps])
        assert f32_relative(s, steps, exact) <= 1e-6, T0
        np.testing.assert_allclose(s.numpy(steps), exact, rtol=1e-12)


def test_restarts_far_cycles_and_limits() -> None:
    s = jaxsched.restarts(1.0, 3, 2.0)
    start = 3 * (2**29 - 1)  # cycle 29
    steps = np.array([start - 1, start, start + 1, MAX_STEP - 1, MAX_STEP])
    assert_matches(
        s, reference("restarts", init_value=1.0, first_period=3, period_mult=2.0), steps, rtol32=1e-6
    )
    with pytest.raises(ScheduleArgumentError, match=r"^period_mult"):
        jaxsched.restarts(1.0, 1, 1.00001)  # more than MAX_CYCLE_TABLE cycles before the last step
    assert len(geometric_table(1, 1.00001, 100)[0]) == 101  # a limit keeps the table short
    assert MAX_CYCLE_TABLE == 2**16
    with pytest.raises(ScheduleArgumentError, match=r"^peak_decay"):
        jaxsched.restarts(1.0, 10, peak_decay=1.5)
    with pytest.raises(ScheduleArgumentError, match=r"^lower"):
        jaxsched.restarts(1.0, 10, shape="tanh", lower=3.0, upper=-3.0)


def test_restarts_rise_when_the_peak_decays_below_the_end() -> None:
    """A peak that has decayed below end_value: the cycle rises, computed from its small start."""
    s = jaxsched.restarts(1e-3, 100, 1.5, peak_decay=0.5, end_value=1e-5)
    ref = reference(
        "restarts", init_value=1e-3, first_period=100, period_mult=1.5, peak_decay=0.5, end_value=1e-5
    )
    steps = np.array([10**6 + 3, 10**8 + 11, 1008488675, MAX_STEP])
    exact = np.array([ref(int(k)) for k in steps])
    assert f32_relative(s, steps, exact) <= 1e-6


# -- cosine_cycles --------------------------------------------------------------------------------------


@given(
    st.sampled_from([0.5, 1.0, 1.3, 2.3, 0.25, 3.0]),
    st.sampled_from([1, 7, 100, 1000, 77.5]),
    st.booleans(),
    st.sampled_from([0, 1, 2.5]),
)
def test_cosine_cycles_against_reference(cycles, T, restart, offset) -> None:
    s = jaxsched.cosine_cycles(1.0, T, cycles, 0.01, restart, offset)
    ref = reference(
        "cosine_cycles",
        init_value=1.0,
        decay_steps=T,
        num_cycles=cycles,
        end_value=0.01,
        restart=restart,
        offset=offset,
    )
    steps = np.unique(np.concatenate([np.arange(200), [10**5 + 3, 2**24 + 1, 2**30, MAX_STEP]]))
    assert_matches(s, ref, steps, rtol32=2e-6)


def test_hf_cosine_near_interior_troughs_in_float32() -> None:
    """Issue 12 item 8: get_cosine_schedule_with_warmup(1.0, 0, 1000, num_cycles=1.3) at step 385 was
    7.3e-5 off in float32 (the phase 2.6 * 385 / 1000 rounded); the exact phase keeps 1e-6 relative."""
    s = hf.get_cosine_schedule_with_warmup(1.0, 0, 1000, num_cycles=1.3)
    ref = reference("cosine_cycles", init_value=1.0, decay_steps=1000, num_cycles=1.3)
    # Every trough (phase 1/2) up to 2**31 - 1, and the steps next to it.
    troughs = [round(1000 * (j + 0.5) / 1.3) for j in range(0, 2_700_000, 9973)]
    steps = np.unique(np.concatenate([[385], np.add.outer(troughs, [-1, 0, 1]).ravel()]))
    steps = steps[(steps >= 0) & (steps <= MAX_STEP)]
    exact = np.array([ref(int(k)) for k in steps])
    assert f32_relative(s, steps, exact) <= 1e-6
    assert f32_relative(s, np.array([385]), np.array([ref(385)])) <= 2e-7


def test_cosine_cycles_restart_exactly_on_its_step() -> None:
    """Whole cycles: the restart is exact (HF's float64 (49 * (1/49)) % 1 lands just below 1)."""
    s = jaxsched.cosine_cycles(1.0, 49, 49, restart=True)
    np.testing.assert_array_equal(s.numpy(np.arange(0, 20)), 1.0)
    np.testing.assert_array_equal(np.asarray(s(jnp.arange(0, 20))), 1.0)


@pytest.mark.parametrize(
    ("cycles", "length"), [(1.3, 1000), (0.5, 1000), (2.3, 77), (1.5, 77.5), (1 / 3, 1.0)]
)
def test_cycle_phase_is_exact(cycles: float, length: float) -> None:
    """The phase primitive against exact rationals (of the float64 arguments), on both backends."""
    rng = np.random.default_rng(0)
    n = np.concatenate([np.arange(2000), rng.integers(0, MAX_STEP, 2000), [MAX_STEP]])
    exact = [Fraction(cycles) / Fraction(length) * int(k) for k in n]
    frac = np.array([float(x - x.numerator // x.denominator) for x in exact])
    for bk, tol in ((numpy_backend(), 1e-10), (jax_backend(), 1e-7)):
        dtype = np.int64 if bk.is_numpy else np.int32
        y, rest, dist = (
            np.asarray(a, np.float64)
            for a in cycle_phase(bk, Steps(bk, bk.xp.asarray(n.astype(dtype))), cycles, length)
        )
        np.testing.assert_allclose(y, frac, rtol=0, atol=tol)
        np.testing.assert_allclose(rest, 1 - frac, rtol=0, atol=tol)
        np.testing.assert_allclose(dist, frac - 0.5, rtol=0, atol=tol)


# -- lr_noise -------------------------------------------------------------------------------------------


def test_lr_noise_is_the_truncated_normal_and_pure() -> None:
    s = jaxsched.lr_noise(100, 600, pct=0.3, std=0.5, seed=7)
    k = np.arange(800)
    v = s.numpy(k)
    outside = (k < 100) | (k >= 600)
    np.testing.assert_array_equal(v[outside], 1.0)
    assert np.all(np.abs(v[~outside] - 1) < 0.3) and np.std(v[~outside]) > 0.1
    np.testing.assert_allclose(np.asarray(s(k), np.float64), v, rtol=2e-6)
    np.testing.assert_array_equal(s.numpy(k), v)
    assert np.mean(s.replace(seed=8).numpy(k)[~outside] != v[~outside]) > 0.99
    with pytest.raises(ScheduleArgumentError, match=r"^pct"):
        jaxsched.lr_noise(0, pct=1.5)  # the factor could go negative


# -- warmup_onto, polynomial k_decay, fractional step_decay and join ------------------------------------


def test_warmup_onto_reaches_the_curve() -> None:
    g = jaxsched.tanh_decay(1.0, 100)
    s = jaxsched.warmup_onto(g, 10, init_value=0.01)
    assert float(s.numpy(10)) == float(g.numpy(10))
    assert abs(float(s.numpy(9)) - (0.01 + (float(g.numpy(10)) - 0.01) * 0.9)) < 1e-15
    assert float(jaxsched.warmup_onto(g, 0).numpy(0)) == float(g.numpy(0))


@given(st.floats(0.2, 5.0), st.floats(0.2, 4.0), st.integers(1, 10**6), st.booleans())
def test_polynomial_k_decay(k: float, p: float, T: int, rising: bool) -> None:
    init, end = (0.01, 1.0) if rising else (1.0, 0.01)
    s = jaxsched.polynomial(init, end, p, T, k_decay=k)
    steps = np.unique(np.concatenate([np.arange(50), [T // 3, T // 2, T - 2, T - 1, T, T + 1, MAX_STEP]]))
    assert_matches(
        s,
        reference("polynomial", init_value=init, end_value=end, power=p, transition_steps=T, k_decay=k),
        steps[steps >= 0],
        rtol32=4e-6,
    )


def test_fractional_step_decay_and_join() -> None:
    s = jaxsched.step_decay(1.0, 2.5, 0.5)
    np.testing.assert_array_equal(s.numpy(np.arange(8)), [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25])
    j = jaxsched.join([jaxsched.constant(1.0), jaxsched.linear(2.0, 0.0, 4)], [2.5])
    # From step 3 on, the second piece sees the exact steps since 2.5: 0.5, 1.5, 2.5, ...
    np.testing.assert_allclose(j.numpy(np.arange(7)), [1.0, 1.0, 1.0, 1.75, 1.25, 0.75, 0.25])
    np.testing.assert_allclose(np.asarray(j(jnp.arange(7))), j.numpy(np.arange(7)), rtol=1e-7)
    with pytest.raises(ScheduleArgumentError, match=r"^boundaries\[0\]"):
        jaxsched.join([1.0, 2.0], [2.0**31])


def test_optax_linear_onecycle_tail_in_float32() -> None:
    """Issue 12 item 8: linear_onecycle_schedule at 1e6 steps was 5e-4 off in float32 near the end of its
    last phase (the steps left came out of a float32 difference); piecewise_interpolate now takes them
    exactly from the phase's end."""
    for T in (10**6, 10**9):
        s = co.linear_onecycle_schedule(T, 1.0)
        ref = reference(
            "piecewise_interpolate",
            interpolate_type="linear",
            init_value=1.0 / 25,
            boundaries_and_scales={int(0.3 * T): 25.0, int(0.85 * T): 1 / 25.0, T: 1e-4},
        )
        steps = np.unique(
            np.concatenate(
                [
                    T - np.geomspace(1, T // 10, 200).astype(np.int64),
                    [int(0.3 * T) - 1, int(0.85 * T) + 1, T - 1, T],
                ]
            )
        )
        exact = np.array([ref(int(k)) for k in steps])
        assert f32_relative(s, steps, exact) <= 1e-6, T


def test_references_are_independent() -> None:
    """The restarts reference is timm's formula: spot-check it by hand at one point."""
    ref = reference("restarts", init_value=1.0, first_period=20, period_mult=1.5)
    start, length = 20 * (1.5**3 - 1) / 0.5, 20 * 1.5**3  # cycle 3
    x = (100 - start) / length
    assert math.isclose(ref(100), float((1 + mpmath.cos(mpmath.pi * x)) / 2), rel_tol=1e-15)
