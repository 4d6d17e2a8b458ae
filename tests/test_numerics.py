"""Numerics (jaxsched/_numerics.py, _shapes.py): steps, exact counts, powers. Every case reported in issue 12
(items 3, 6, 7, 8, 9, 13, 15, 19) is a regression test here; the property tests close their classes."""

from __future__ import annotations

import decimal
import fractions
import math

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._numerics import MAX_STEP


def jit_arg(s, k):
    return np.asarray(jax.jit(lambda a, x: a(x))(s, k))


def test_phase_ending_past_the_last_step_stays_exact():
    # item 3: the float32 total saturated at 2**31 - 1: decay 352M steps early (1.7e9: jax 0.6165, numpy 1).
    s = jaxsched.tri_stage(1.0, 0, hold_steps=2 * 10**9, decay_steps=5 * 10**8)
    k = np.array([1_700_000_000, 1_999_999_999, 2_000_000_000, 2_100_000_000, MAX_STEP])
    want = [1.0, 1.0, 1.0] + [0.01 ** ((x - 2e9) / 5e8) for x in k[3:]]
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s(k)), want, rtol=1e-6)
    np.testing.assert_allclose(jit_arg(s, k), want, rtol=1e-6)
    with pytest.raises(ValueError, match="hold_steps"):
        jaxsched.tri_stage(1.0, 2**30, hold_steps=2**30 + 10, decay_steps=5)


def test_int64_steps_saturate_under_x64():
    # item 6: s(2**40) 0.353 vs s(jnp.int64(2**40)) 0.224 under x64, also inside jit.
    s = jaxsched.repeat(jaxsched.linear(1.0, 0.0, 1000), 1700)
    want = s.numpy(MAX_STEP)
    with jax.enable_x64(True):
        for got in (s(2**40), s(jnp.int64(2**40)), jax.jit(s)(jnp.int64(2**40)), s(np.uint64(2**63))):
            assert float(got) == pytest.approx(float(want), rel=1e-12)


def test_object_and_decimal_steps_keep_fractions():
    # item 6: object-dtype steps dropped fractions (s([2**70, 2.5]) gave 0.98 where s(2.5) is 0.975).
    s = jaxsched.linear(1.0, 0.0, 100)
    np.testing.assert_allclose(s.numpy([2**70, 2.5]), [0.0, 0.975])
    np.testing.assert_allclose(np.asarray(s([2**70, 2.5])), [0.0, 0.975], rtol=1e-6)
    assert float(s(decimal.Decimal("50.9"))) == pytest.approx(0.491, rel=1e-6)
    assert float(s.numpy(fractions.Fraction(1, 2))) == pytest.approx(0.995)


@pytest.mark.parametrize("bad", ["5", b"5", 1j, True, None, "abc", [1, "x"], np.array([True])])
def test_non_numeric_steps_are_refused_naming_step(bad):
    # item 15: s('5'), s(b'5'), s(1j), s(True) were accepted; s(None), s('abc') failed without naming step.
    s = jaxsched.constant(0.1)
    with pytest.raises(TypeError, match="step"):
        s(bad)
    with pytest.raises(TypeError, match="step"):
        s.numpy(bad)


def test_growth_without_a_ceiling_is_refused():
    # item 7: inf or NaN from accepted input.
    with pytest.raises(ValueError, match="decay_rate"):
        jaxsched.step_decay(0.1, 1, decay_rate=1.5)
    with pytest.raises(ValueError, match="peak_decay"):
        jaxsched.cosine_restarts(1.0, 10, peak_decay=2.0)
    with pytest.raises(ValueError, match="decay_rate"):
        jaxsched.warmup_exponential_decay(0.0, 0.0, 0, 1, 2.0)
    with pytest.raises(ValueError, match="peak_decay"):
        jaxsched.cosine_restarts(1e30, 10, peak_decay=1e10, max_cycles=10)
    bounded = jaxsched.cosine_restarts(1.0, 10, peak_decay=2.0, max_cycles=3)
    assert np.all(np.isfinite(bounded.numpy([0, 25, 10**9])))


def test_zero_start_of_a_growing_exponential_stays_zero():
    # item 7: exponential_decay(init_value=0, decay_rate=1.2, end_value=1) was NaN at large steps.
    s = jaxsched.exponential_decay(0.0, 1, 1.2, end_value=1.0)
    for got in (
        s.numpy([0, 10**6, MAX_STEP]),
        np.asarray(s([0, 10**6, MAX_STEP])),
        jit_arg(s, np.array([0, 10**6, MAX_STEP])),
    ):
        np.testing.assert_array_equal(got, 0.0)


def test_float32_accuracy_cases_of_item_8():
    cases = [
        (jaxsched.one_cycle(10**9, 1.0, anneal="linear"), [10**9 - 3, 10**9 - 100, 3 * 10**8 - 1]),
        (jaxsched.cosine_decay(1.0, 100_000, k_decay=0.2), [1, 2, 3, 4, 99_999, 50_000]),
        (jaxsched.noam(model_size=1e30, warmup_steps=10**9), [0, 10**9]),
        (jaxsched.exponential_decay(1e30, 1, 1e-10, end_value=1e-30), [2, 5, 6]),
        (
            jaxsched.one_cycle(1001, 1.0, pct_start=0.3, anneal="linear", three_phase=True),
            [298, 299, 300, 599, 600, 999, 1000],
        ),
    ]
    for s, k in cases:
        ref = s.numpy(k)
        for got in (np.asarray(s(k)), jit_arg(s, np.asarray(k))):
            np.testing.assert_allclose(got, ref, rtol=1e-6, err_msg=repr(s))
    assert float(jaxsched.noam(model_size=1e30, warmup_steps=10**9)(0)) == pytest.approx(
        1e-15 * 10**-13.5, rel=1e-6
    )  # 3.16e-29, was 0
    assert float(jaxsched.exponential_decay(1e30, 1, 1e-10, end_value=1e-30)(5)) == pytest.approx(
        1e-20, rel=1e-6
    )


def test_cosine_k_decay_near_the_peak_against_mpmath():
    s = jaxsched.cosine_decay(1.0, 100_000, k_decay=0.2)
    for k in (1, 2, 5, 17, 1000, 60_000, 99_990, 99_999):
        with mpmath.workdps(40):
            want = float((1 + mpmath.cos(mpmath.pi * (mpmath.mpf(k) / 100_000) ** mpmath.mpf(0.2))) / 2)
        assert float(s(k)) == pytest.approx(want, rel=1e-6)
        assert float(s.numpy(k)) == pytest.approx(want, rel=1e-12)


def test_floor_by_a_fractional_constant_is_exact_at_multiples():
    # item 9: floor(41 / 20.5) came out 1 under jit (division by a constant became a reciprocal product).
    for size, k in [(20.5, 41), (20.5, 82), (1.1, 11), (2.5, 10), (1000.5, 2001)]:
        s = jaxsched.exponential_decay(1.0, size, 0.5, staircase=True)
        want = 0.5 ** math.floor(fractions.Fraction(k) / fractions.Fraction(size))
        for got in (s(k), jit_arg(s, k), s.numpy(k)):
            assert float(got) == pytest.approx(want, rel=1e-6)


def test_huge_period_multiplier_does_not_overflow():
    # item 13: cosine_restarts(period_mult=2.0**31)(5) raised OverflowError (the NumPy path worked).
    s = jaxsched.cosine_restarts(1.0, 10, period_mult=2.0**31)
    np.testing.assert_allclose(np.asarray(s([5, 15, 10**9])), s.numpy([5, 15, 10**9]), rtol=1e-6)


def test_many_piece_join_is_one_evaluation_per_structure():
    # item 19: a 1,000-piece join compiled in 22 s, 10,000 pieces never: the graph grew with the pieces.
    def ops(n: int) -> int:
        pieces = [jaxsched.cosine_decay(1.0 + i, 100) for i in range(n)]
        s = jaxsched.join(pieces, [100 * (i + 1) for i in range(n - 1)])
        return len(str(jax.make_jaxpr(lambda k: s(k))(5)).splitlines())

    small, big = ops(100), ops(10_000)
    assert big <= small + 5
    s = jaxsched.join(
        [jaxsched.cosine_decay(1.0 + i, 100) for i in range(10_000)], [100 * (i + 1) for i in range(9_999)]
    )
    k = np.array([0, 50, 100, 150, 999_950, 999_999])
    np.testing.assert_allclose(np.asarray(s(k)), s.numpy(k), rtol=1e-6)


@given(st.lists(st.sampled_from(["cos", "lin", "const"]), min_size=9, max_size=30), st.integers(0, 10**6))
def test_mixed_many_piece_join_matches_chain(kinds, step):
    makers = {
        "cos": lambda i: jaxsched.cosine_decay(1.0 + i, 50),
        "lin": lambda i: jaxsched.linear(1.0 + i, 0.5, 30),
        "const": lambda i: jaxsched.constant(0.1 * i),
    }
    pieces = [makers[k](i) for i, k in enumerate(kinds)]
    bounds = [40 * (i + 1) for i in range(len(pieces) - 1)]
    s = jaxsched.join(pieces, bounds)
    i = int(np.searchsorted(bounds, step, side="right"))
    start = 0 if i == 0 else bounds[i - 1]
    want = pieces[i].numpy(step - start)
    assert s.numpy(step) == pytest.approx(float(want), rel=1e-12)
    assert float(s(step)) == pytest.approx(float(want), rel=1e-6, abs=1e-30)
