"""jaxsched.schedules._warmup against independent references and optax."""

from __future__ import annotations

import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference


@pytest.mark.parametrize("name", ["warmup_constant", "warmup_linear_decay", "warmup_exponential_decay"])
def test_examples_match_reference(name):
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        assert_matches(cls(**ex), reference(name, **ex), rtol32=1e-5)


@given(st.floats(0, 1), st.floats(1e-3, 10), st.integers(0, 10**6))
def test_warmup_constant(init, peak, W):
    s = jaxsched.warmup_constant(init, peak, W)
    assert_matches(s, reference("warmup_constant", init_value=init, peak_value=peak, warmup_steps=W))


def test_warmup_constant_zero_warmup_is_peak_from_step_zero():
    assert jaxsched.warmup_constant(0.0, 1.0, 0).numpy([0, 1, 5]).tolist() == [1.0, 1.0, 1.0]
    # optax's version stays at init_value forever (documented difference).
    assert float(optax.warmup_constant_schedule(0.0, 1.0, 0)(5)) == 0.0


@given(st.floats(0, 1), st.floats(1e-3, 10), st.integers(0, 1000), st.integers(1, 10**6), st.floats(0, 1e-3))
def test_warmup_linear_decay(init, peak, W, extra, end):
    s = jaxsched.warmup_linear_decay(init, peak, W, W + extra, end)
    assert_matches(
        s,
        reference(
            "warmup_linear_decay",
            init_value=init,
            peak_value=peak,
            warmup_steps=W,
            decay_steps=W + extra,
            end_value=end,
        ),
    )


@given(
    st.floats(0, 1),
    st.floats(1e-3, 10),
    st.integers(0, 100),
    st.integers(1, 100),
    st.floats(0.1, 0.99),
    st.integers(0, 50),
    st.booleans(),
    st.none() | st.floats(1e-4, 1e-3),
)
def test_warmup_exponential_decay(init, peak, W, T, rate, B, staircase, end):
    s = jaxsched.warmup_exponential_decay(init, peak, W, T, rate, B, staircase, end)
    ref = reference(
        "warmup_exponential_decay",
        init_value=init,
        peak_value=peak,
        warmup_steps=W,
        transition_steps=T,
        decay_rate=rate,
        transition_begin=B,
        staircase=staircase,
        end_value=end,
    )
    assert_matches(s, ref, np.arange(0, 3000), rtol32=3e-5)


def test_equals_optax():
    ours = jaxsched.warmup_exponential_decay(0.0, 1.0, 2, 1, 0.5, transition_begin=2)
    theirs = optax.warmup_exponential_decay_schedule(0.0, 1.0, 2, 1, 0.5, transition_begin=2)
    steps = np.arange(20)
    np.testing.assert_allclose(ours.numpy(steps), [float(theirs(int(k))) for k in steps], rtol=1e-6)
    ours = jaxsched.warmup_constant(0.1, 1.0, 7)
    theirs = optax.warmup_constant_schedule(0.1, 1.0, 7)
    np.testing.assert_allclose(ours.numpy(steps), [float(theirs(int(k))) for k in steps], rtol=1e-6)


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.warmup_constant(0.0, 1.0, -1), "warmup_steps"),
        (lambda: jaxsched.warmup_linear_decay(0.0, 1.0, 10, 5), "warmup_steps"),
        (lambda: jaxsched.warmup_exponential_decay(0.0, 1.0, 10, 5, 0.0), "decay_rate"),
        (lambda: jaxsched.warmup_exponential_decay(0.0, 1.0, 10, 0, 0.5), "transition_steps"),
    ],
)
def test_validation(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)
