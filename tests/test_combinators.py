"""jaxsched._combinators: join, multiply, shift, clip, repeat, per_epoch."""

from __future__ import annotations

import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference

WARM = dict(init_value=0.0, end_value=1.0, transition_steps=10)
COS = dict(init_value=1.0, decay_steps=50, alpha=0.01)


def test_join_matches_optax_join_schedules():
    ours = jaxsched.join([jaxsched.linear(**WARM), jaxsched.cosine_decay(**COS), 0.01], [10, 60])
    theirs = optax.join_schedules(
        [
            optax.linear_schedule(0.0, 1.0, 10),
            optax.cosine_decay_schedule(1.0, 50, 0.01),
            optax.constant_schedule(0.01),
        ],
        [10, 60],
    )
    steps = np.arange(100)
    np.testing.assert_allclose(
        ours.numpy(steps), [float(theirs(int(k))) for k in steps], rtol=2e-6, atol=1e-7
    )


@given(st.lists(st.integers(0, 200), min_size=1, max_size=4))
def test_join_pieces_see_relative_steps(boundaries):
    boundaries = sorted(boundaries)
    pieces = [jaxsched.linear(float(i + 1), 0.0, 37) for i in range(len(boundaries) + 1)]
    s = jaxsched.join(pieces, boundaries)
    refs = [
        reference("linear", init_value=float(i + 1), end_value=0.0, transition_steps=37)
        for i in range(len(pieces))
    ]
    starts = [0, *boundaries]

    def ref(k):
        i = max(j for j, b in enumerate(starts) if k >= b)
        return refs[i](k - starts[i])

    assert_matches(s, ref, np.arange(0, 300))


def test_join_huge_boundaries_are_exact():
    s = jaxsched.join([jaxsched.constant(1.0), jaxsched.linear(1.0, 0.0, 2**30)], [2**31 - 2**30 - 1])
    assert float(s(2**31 - 1)) == 0.0
    assert float(s(2**31 - 2)) == pytest.approx(2.0**-30, rel=1e-6)


def test_multiply_and_products():
    a, b = jaxsched.cosine_decay(**COS), jaxsched.linear(**WARM)
    s = jaxsched.multiply(a, b, 2.0)
    steps = np.arange(80)
    np.testing.assert_allclose(s.numpy(steps), a.numpy(steps) * b.numpy(steps) * 2.0)
    assert jaxsched.multiply([a, b]) == jaxsched.multiply(a, b) == a * b


def test_shift():
    g = jaxsched.cosine_decay(**COS)
    s = jaxsched.shift(g, 7)
    steps = np.arange(100)
    np.testing.assert_allclose(s.numpy(steps), g.numpy(np.maximum(steps - 7, 0)))
    s = jaxsched.shift(g, -7)
    np.testing.assert_allclose(s.numpy(steps), g.numpy(steps + 7))
    assert float(jaxsched.shift(g, -5)(2**31 - 1)) == pytest.approx(float(g(2**31 - 1)))


def test_clip():
    g = jaxsched.exponential_decay(1.0, 1, 0.5)
    s = jaxsched.clip(g, 0.2, 0.6)
    np.testing.assert_allclose(s.numpy(np.arange(5)), [0.6, 0.5, 0.25, 0.2, 0.2])


@given(st.integers(1, 500), st.integers(0, 2**31 - 1))
def test_repeat_is_exact_modulo(period, step):
    g = jaxsched.linear(1.0, 0.0, period)
    s = jaxsched.repeat(g, period)
    assert float(s.numpy(step)) == pytest.approx(float(g.numpy(step % period)), rel=1e-12)
    assert float(s(step)) == pytest.approx(float(g.numpy(step % period)), rel=1e-6, abs=1e-9)


def test_per_epoch():
    g = jaxsched.multistep_decay(1.0, [2, 4], 0.1)
    s = jaxsched.per_epoch(g, steps_per_epoch=3)
    steps = np.arange(20)
    np.testing.assert_allclose(s.numpy(steps), g.numpy(steps // 3))
    np.testing.assert_allclose(np.asarray(s(steps)), g.numpy(steps // 3), rtol=1e-6)


def test_nested_config_round_trip():
    s = jaxsched.clip(
        jaxsched.repeat(
            jaxsched.join([jaxsched.linear(**WARM), jaxsched.cosine_decay(**COS) * 0.5], [10]), 60
        ),
        min_value=1e-3,
    )
    again = jaxsched.from_config(s.to_config())
    assert again == s
    np.testing.assert_array_equal(again.numpy(np.arange(200)), s.numpy(np.arange(200)))


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.join([1.0, 2.0], []), "boundaries"),
        (lambda: jaxsched.join([1.0, 2.0], [5, 6]), "boundaries"),
        (lambda: jaxsched.join([1.0, 2.0, 3.0], [6, 5]), "boundaries"),
        (lambda: jaxsched.join([1.0, 2.0], [-1]), "boundaries[0]"),
        (lambda: jaxsched.join([], []), "schedules"),
        (lambda: jaxsched.repeat(1.0, 0), "period"),
        (lambda: jaxsched.per_epoch(1.0, 0), "steps_per_epoch"),
        (lambda: jaxsched.clip(1.0, 2.0, 1.0), "min_value"),
        (lambda: jaxsched.shift(1.0, 2.5), "steps"),
    ],
)
def test_validation(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)


def test_type_validation():
    with pytest.raises(TypeError, match=r"^schedules\[1\]:"):
        jaxsched.join([1.0, "x"], [3])
    with pytest.raises(TypeError, match=r"^schedule:"):
        jaxsched.repeat(lambda k: k, 3)
