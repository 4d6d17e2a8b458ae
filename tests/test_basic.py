"""jaxsched.schedules._basic against independent references, optax, and its validation rules."""

from __future__ import annotations

import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference

values = st.floats(0, 10, allow_nan=False).filter(lambda x: x > 1e-6 or x == 0)
positive = st.floats(1e-4, 10)
durations = st.integers(1, 5000)
begins = st.integers(0, 500)


@pytest.mark.parametrize(
    "name",
    [
        "constant",
        "linear",
        "polynomial",
        "exponential_decay",
        "step_decay",
        "multistep_decay",
        "piecewise_constant",
        "piecewise_interpolate",
        "inverse_time_decay",
    ],
)
def test_examples_match_reference(name):
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        assert_matches(cls(**ex), reference(name, **ex))


@given(values, values, st.floats(0.1, 4), durations, begins)
def test_polynomial(init, end, power, T, B):
    s = jaxsched.polynomial(init, end, power, T, B)
    assert_matches(
        s,
        reference(
            "polynomial", init_value=init, end_value=end, power=power, transition_steps=T, transition_begin=B
        ),
    )


@given(positive, durations, st.floats(0.05, 3), begins, st.booleans(), st.none() | st.floats(1e-3, 5))
def test_exponential_decay(init, T, rate, B, staircase, end):
    if rate > 1 and end is None:
        end = 100.0 * init  # a growing exponential needs its ceiling
    s = jaxsched.exponential_decay(init, T, rate, B, staircase, end)
    ref = reference(
        "exponential_decay",
        init_value=init,
        transition_steps=T,
        decay_rate=rate,
        transition_begin=B,
        staircase=staircase,
        end_value=end,
    )
    # rate**p in float32 amplifies the rounding of p by |p ln rate|; the accuracy test bounds that.
    steps = np.arange(0, 20 * T + B, max(1, T // 7))
    assert_matches(s, ref, steps, rtol32=3e-5)


@given(positive, st.integers(1, 100), st.floats(0.0, 1.0))
def test_step_decay(init, size, rate):
    s = jaxsched.step_decay(init, size, rate)
    assert_matches(
        s,
        reference("step_decay", init_value=init, step_size=size, decay_rate=rate),
        np.arange(0, 40 * size, max(1, size // 3)),
        rtol32=2e-5,
    )


@given(positive, st.lists(st.integers(0, 300), max_size=6), st.floats(0.1, 1.0))
def test_multistep_decay(init, milestones, rate):
    s = jaxsched.multistep_decay(init, milestones, rate)
    assert_matches(
        s,
        reference("multistep_decay", init_value=init, milestones=milestones, decay_rate=rate),
        np.arange(0, 400),
    )


def test_multistep_duplicate_milestone_decays_twice():
    s = jaxsched.multistep_decay(1.0, [2, 2, 5], 0.5)
    np.testing.assert_allclose(s.numpy(np.arange(7)), [1, 1, 0.25, 0.25, 0.25, 0.125, 0.125])


@given(positive, st.dictionaries(st.integers(0, 300), st.floats(0, 3), max_size=5))
def test_piecewise_constant(init, bs):
    s = jaxsched.piecewise_constant(init, bs)
    assert_matches(
        s,
        reference("piecewise_constant", init_value=init, boundaries_and_scales=bs),
        np.arange(0, 320),
        rtol32=1e-5,
    )


@given(
    st.sampled_from(["linear", "cosine"]),
    positive,
    st.dictionaries(st.integers(0, 300), st.floats(0.01, 3), max_size=5),
)
def test_piecewise_interpolate(kind, init, bs):
    s = jaxsched.piecewise_interpolate(kind, init, bs)
    assert_matches(
        s,
        reference("piecewise_interpolate", interpolate_type=kind, init_value=init, boundaries_and_scales=bs),
        np.arange(0, 320),
        rtol32=1e-5,
    )


@given(positive, durations, st.floats(0, 5), st.booleans())
def test_inverse_time_decay(init, T, rate, staircase):
    s = jaxsched.inverse_time_decay(init, T, rate, staircase)
    assert_matches(
        s,
        reference("inverse_time_decay", init_value=init, decay_steps=T, decay_rate=rate, staircase=staircase),
    )


# -- optax equality pairs -----------------------------------------------------------------------------

OPTAX_PAIRS = [
    (jaxsched.linear(1.0, 0.1, 40, 5), optax.linear_schedule(1.0, 0.1, 40, 5)),
    (jaxsched.polynomial(1.0, 0.01, 2.0, 100, 5), optax.polynomial_schedule(1.0, 0.01, 2.0, 100, 5)),
    (jaxsched.exponential_decay(1.0, 7, 0.5), optax.exponential_decay(1.0, 7, 0.5)),
    (
        jaxsched.exponential_decay(1.0, 7, 0.5, 3, True, 0.1),
        optax.exponential_decay(1.0, 7, 0.5, 3, True, 0.1),
    ),
    (
        jaxsched.exponential_decay(1.0, 7, 1.5, 3, False, 4.0),
        optax.exponential_decay(1.0, 7, 1.5, 3, False, 4.0),
    ),
    (
        jaxsched.piecewise_constant(0.1, {3: 2.0, 6: 0.5}),
        optax.piecewise_constant_schedule(0.1, {3: 2.0, 6: 0.5}),
    ),
    (
        jaxsched.piecewise_interpolate("linear", 200.0, {5: 1.5, 10: 0.25}),
        optax.piecewise_interpolate_schedule("linear", 200.0, {5: 1.5, 10: 0.25}),
    ),
    (
        jaxsched.piecewise_interpolate("cosine", 1.0, {0: 2.0, 30: 0.1, 90: 0.5}),
        optax.piecewise_interpolate_schedule("cosine", 1.0, {0: 2.0, 30: 0.1, 90: 0.5}),
    ),
]


@pytest.mark.parametrize("ours,theirs", OPTAX_PAIRS, ids=lambda x: getattr(x, "config_name", ""))
def test_equals_optax(ours, theirs):
    steps = np.arange(0, 200)
    want = np.array([float(theirs(int(k))) for k in steps])
    np.testing.assert_allclose(np.asarray(ours(steps)), want, rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(ours.numpy(steps), want, rtol=2e-6, atol=1e-7)


def test_constant_returns_array_of_step_shape():
    out = jaxsched.constant(0.5)(np.arange(4))
    assert out.shape == (4,) and out.dtype == np.float32


# -- validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.linear(1.0, 0.0, 0), "transition_steps"),
        (lambda: jaxsched.linear(1.0, 0.0, -3), "transition_steps"),
        (lambda: jaxsched.linear(1.0, 0.0, 10, -1), "transition_begin"),
        (lambda: jaxsched.linear(float("nan"), 0.0, 10), "init_value"),
        (lambda: jaxsched.linear(1.0, float("inf"), 10), "end_value"),
        (lambda: jaxsched.polynomial(1.0, 0.0, 0.0, 10), "power"),
        (lambda: jaxsched.polynomial(1.0, 0.0, -1.0, 10), "power"),
        (lambda: jaxsched.exponential_decay(1.0, 10, 0.0), "decay_rate"),
        (lambda: jaxsched.exponential_decay(1.0, 10, -0.5), "decay_rate"),
        (lambda: jaxsched.exponential_decay(1.0, 0, 0.5), "transition_steps"),
        (lambda: jaxsched.step_decay(1.0, 0, 0.5), "step_size"),
        (lambda: jaxsched.step_decay(1.0, 0.5, 0.5), "step_size"),
        (lambda: jaxsched.multistep_decay(1.0, [3, -1], 0.5), "milestones[1]"),
        (lambda: jaxsched.piecewise_constant(1.0, {3: -1.0}), "boundaries_and_scales[3]"),
        (lambda: jaxsched.piecewise_constant(1.0, {-3: 1.0}), "boundaries_and_scales[-3] boundary"),
        (lambda: jaxsched.piecewise_interpolate("Linear", 1.0, {3: 1.0}), "interpolate_type"),
        (lambda: jaxsched.inverse_time_decay(1.0, 0, 1.0), "decay_steps"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.linear("1", 0.0, 10), "init_value"),
        (lambda: jaxsched.linear(True, 0.0, 10), "init_value"),
        (lambda: jaxsched.multistep_decay(1.0, 5, 0.5), "milestones"),
        (lambda: jaxsched.exponential_decay(1.0, 10, 0.5, staircase="yes"), "staircase"),
        (lambda: jaxsched.piecewise_interpolate(3, 1.0), "interpolate_type"),
    ],
)
def test_bad_types_raise_type_error_naming_them(make, argument):
    with pytest.raises(TypeError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)


def test_error_message_shows_value():
    with pytest.raises(ValueError, match=r"transition_steps: must be >= 1, got -5"):
        jaxsched.linear(1.0, 0.0, -5)


def test_growing_exponential_needs_a_ceiling():
    with pytest.raises(ValueError, match=r"^decay_rate: > 1 grows without bound"):
        jaxsched.exponential_decay(1.0, 10, 1.5)
    s = jaxsched.exponential_decay(1.0, 10, 1.5, end_value=4.0)
    assert s.numpy(2**31 - 1) == 4.0 and float(s(2**31 - 1)) == 4.0


def test_polynomial_rise_reaches_its_end_exactly_in_float32():
    s = jaxsched.polynomial(0.0, 1.0, 0.5, 47)
    assert np.asarray(s(np.arange(45, 50)))[2:].tolist() == [1.0, 1.0, 1.0]
