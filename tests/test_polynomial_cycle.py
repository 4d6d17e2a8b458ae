"""jaxsched.polynomial_cycle against an independent 40-digit reference and Keras/TF's definition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference


def test_examples_match_reference():
    for ex in jaxsched.polynomial_cycle.examples:
        assert_matches(jaxsched.polynomial_cycle(**ex), reference("polynomial_cycle", **ex))


values = st.just(0.0) | st.floats(1e-4, 10)


@given(values, st.integers(1, 10**6), values, st.floats(0.1, 5))
def test_polynomial_cycle(init, T, end, p):
    s = jaxsched.polynomial_cycle(init, T, end, p)
    ref = reference("polynomial_cycle", init_value=init, decay_steps=T, end_value=end, power=p)
    assert_matches(s, ref, rtol32=4e-6 * max(p, 1.0))


def test_cycles_restart_lower_and_end_at_each_multiple():
    s = jaxsched.polynomial_cycle(1.0, decay_steps=10, end_value=0.0)
    k = np.arange(0, 61)
    v = s.numpy(k)
    assert v[0] == 1.0 and np.all(v[10::10] == 0.0)
    np.testing.assert_allclose(v[[11, 21, 31]], [9 / 20, 9 / 30, 9 / 40], rtol=1e-15)
    # The same as the plain polynomial up to decay_steps.
    plain = jaxsched.polynomial(1.0, 0.0, 1.0, 10)
    np.testing.assert_array_equal(v[:11], plain.numpy(k[:11]))


def test_fractional_steps_follow_the_formula():
    s = jaxsched.polynomial_cycle(1.0, decay_steps=4, end_value=0.0, power=2.0)
    got = s.numpy([0.5, 4.0, 4.5, 7.25])
    want = [(3.5 / 4) ** 2, 0.0, (3.5 / 8) ** 2, (0.75 / 8) ** 2]
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_rising_keeps_float32_precision_at_a_cycle_start():
    # E > I: 1 - frac**p is a cancellation at the start of a long cycle unless computed from the step.
    s = jaxsched.polynomial_cycle(0.0, decay_steps=10**6, end_value=1.0, power=3.0)
    ref = reference("polynomial_cycle", init_value=0.0, decay_steps=10**6, end_value=1.0, power=3.0)
    steps = np.array([1, 2, 10**6 + 1, 3 * 10**6 + 7])
    got = np.asarray(s(steps), np.float64)
    np.testing.assert_allclose(got, [ref(int(k)) for k in steps], rtol=2e-6)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"init_value": 1.0, "decay_steps": 0}, "decay_steps"),
        ({"init_value": 1.0, "decay_steps": 2.5}, "decay_steps"),
        ({"init_value": 1.0, "decay_steps": 10, "power": 0.0}, "power"),
        ({"init_value": -1.0, "decay_steps": 10}, "init_value"),
    ],
)
def test_validation(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}"):
        jaxsched.polynomial_cycle(**kwargs)
