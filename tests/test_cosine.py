"""jaxsched.schedules._cosine against independent references and optax."""

from __future__ import annotations

import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference

values = st.floats(1e-4, 10)


@pytest.mark.parametrize("name", ["cosine_decay", "warmup_cosine_decay", "cosine_restarts", "tanh_decay"])
def test_examples_match_reference(name):
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        assert_matches(cls(**ex), reference(name, **ex), rtol32=1e-5)


@given(values, st.integers(1, 10**6), st.floats(0, 0.9), st.floats(0.5, 3), st.floats(0.5, 3))
def test_cosine_decay(init, T, alpha, exponent, k_decay):
    s = jaxsched.cosine_decay(init, T, alpha, exponent, k_decay)
    assert_matches(
        s,
        reference(
            "cosine_decay", init_value=init, decay_steps=T, alpha=alpha, exponent=exponent, k_decay=k_decay
        ),
        rtol32=2e-5,
    )


@given(
    st.floats(0, 1),
    values,
    st.integers(0, 1000),
    st.integers(1, 10**6),
    st.floats(0, 1e-3),
    st.floats(0.5, 3),
)
def test_warmup_cosine_decay(init, peak, W, extra, end, exponent):
    s = jaxsched.warmup_cosine_decay(init, peak, W, W + extra, end, exponent)
    assert_matches(
        s,
        reference(
            "warmup_cosine_decay",
            init_value=init,
            peak_value=peak,
            warmup_steps=W,
            decay_steps=W + extra,
            end_value=end,
            exponent=exponent,
        ),
        rtol32=2e-5,
    )


@given(
    values,
    st.integers(1, 200),
    st.sampled_from([1.0, 2.0, 3.0, 1.5]),
    st.floats(0.3, 1.0),
    st.floats(0, 1e-3),
    st.none() | st.integers(1, 5),
    st.integers(0, 50),
)
def test_cosine_restarts(init, first, mult, decay, end, max_cycles, warmup):
    warmup = min(warmup, first - 1)
    s = jaxsched.cosine_restarts(init, first, mult, decay, end, max_cycles, warmup)
    ref = reference(
        "cosine_restarts",
        init_value=init,
        first_period=first,
        period_mult=mult,
        peak_decay=decay,
        end_value=end,
        max_cycles=max_cycles,
        warmup_steps=warmup,
    )
    # A fractional period_mult has fractional cycle starts, located in float32 (documented); an
    # integer one is exact integer arithmetic.
    assert_matches(s, ref, np.arange(0, 3000), rtol32=2e-5 if mult.is_integer() else 3e-3)


@pytest.mark.xfail(
    strict=True,
    reason="known defect: with a fractional period_mult the cycle start is located with a float32 logarithm "
    "and start formula, so a whole step within float32 rounding of a fractional cycle start lands in the "
    "wrong cycle (peak instead of the trough); compat.timm's restarts use an exact cycle table "
    "(_shapes.table_cycles), which cosine_restarts' traced first_period does not allow yet",
)
def test_cosine_restarts_fractional_mult_float32_at_every_cycle_start():
    s = jaxsched.cosine_restarts(1.0, 7, period_mult=1.1)
    k = np.arange(90_000, 100_000)
    got = np.asarray(s(k.astype(np.int32)), np.float64)
    np.testing.assert_allclose(got, s.numpy(k), rtol=1e-6, atol=1e-7)  # 1.0 against ~0 at step 97866


def test_cosine_restarts_exact_at_huge_steps():
    # Cycles of 3 * 2**i: the cycle containing step 2**31 - 1 and its neighbours.
    s = jaxsched.cosine_restarts(1.0, 3, 2.0)
    ref = reference("cosine_restarts", init_value=1.0, first_period=3, period_mult=2.0)
    start = 3 * (2**29 - 1)  # start of cycle 29
    steps = np.array([start - 1, start, start + 1, 2**31 - 2, 2**31 - 1])
    assert_matches(s, ref, steps, rtol32=1e-5)


@given(values, st.integers(1, 10**5), st.floats(0, 1e-3))
def test_tanh_decay(init, T, end):
    s = jaxsched.tanh_decay(init, T, end)
    assert_matches(s, reference("tanh_decay", init_value=init, decay_steps=T, end_value=end), rtol32=2e-5)


OPTAX_PAIRS = [
    (jaxsched.cosine_decay(1.0, 50, 0.1, 2.0), optax.cosine_decay_schedule(1.0, 50, 0.1, 2.0)),
    (
        jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 100, 0.05),
        optax.warmup_cosine_decay_schedule(0.0, 1.0, 10, 100, 0.05),
    ),
    (
        jaxsched.warmup_cosine_decay(0.1, 1.0, 0, 100, 0.0, 1.5),
        optax.warmup_cosine_decay_schedule(0.1, 1.0, 0, 100, 0.0, 1.5),
    ),
]


@pytest.mark.parametrize("ours,theirs", OPTAX_PAIRS)
def test_equals_optax(ours, theirs):
    steps = np.arange(0, 150)
    want = np.array([float(theirs(int(k))) for k in steps])
    # optax's own float32 cosine tail is inaccurate, hence the absolute floor.
    np.testing.assert_allclose(np.asarray(ours(steps)), want, rtol=2e-6, atol=2e-7)


def test_sgdr_equals_optax_sgdr():
    kwargs = [dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=4)] * 2
    theirs = optax.sgdr_schedule(kwargs)
    ours = jaxsched.cosine_restarts(1.0, 4, warmup_steps=1, max_cycles=2)
    # optax warms up from init_value=0 (= end_value here) and holds end_value after the last cycle.
    steps = np.arange(12)
    np.testing.assert_allclose(ours.numpy(steps), [float(theirs(int(k))) for k in steps], atol=1e-6)


def test_float32_tail_is_accurate_where_optax_is_not():
    T = 10_000
    exact = 0.5 * (1 + np.cos(np.pi * (T - 1) / T))
    ours = float(jaxsched.cosine_decay(1.0, T)(T - 1))
    theirs = float(optax.cosine_decay_schedule(1.0, T)(T - 1))
    assert abs(ours - exact) / exact < 1e-6
    assert abs(theirs - exact) / exact > 0.01  # documented optax float32 cancellation


def test_peak_zero_keeps_end_value():
    s = jaxsched.warmup_cosine_decay(0.0, 0.0, 2, 10, end_value=0.5)
    assert s.numpy(10) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.cosine_decay(1.0, 0), "decay_steps"),
        (lambda: jaxsched.cosine_decay(1.0, 10, exponent=-1.0), "exponent"),
        (lambda: jaxsched.cosine_decay(1.0, 10, k_decay=-1.0), "k_decay"),
        (lambda: jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 10), "warmup_steps"),
        (lambda: jaxsched.warmup_cosine_decay(0.0, 1.0, 20, 10), "warmup_steps"),
        (lambda: jaxsched.warmup_cosine_decay(0.0, 1.0, -1, 10), "warmup_steps"),
        (lambda: jaxsched.cosine_restarts(1.0, 0), "first_period"),
        (lambda: jaxsched.cosine_restarts(1.0, 10, period_mult=0.5), "period_mult"),
        (lambda: jaxsched.cosine_restarts(1.0, 10, peak_decay=0.0), "peak_decay"),
        (lambda: jaxsched.cosine_restarts(1.0, 10, warmup_steps=10), "warmup_steps"),
        (lambda: jaxsched.cosine_restarts(1.0, 10, max_cycles=0), "max_cycles"),
        (lambda: jaxsched.tanh_decay(1.0, 10, lower=3.0, upper=-7.0), "lower"),
    ],
)
def test_validation(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)
