"""jaxsched.schedules._ramp (linear_from) against an independent reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference

levels = st.one_of(st.just(0.0), st.floats(1e-6, 2.0))  # (float32 tails far below 1e-30 flush to 0 in XLA)


def test_examples_match_reference() -> None:
    for ex in jaxsched.linear_from.examples:
        assert_matches(jaxsched.from_config({"name": "linear_from", **ex}), reference("linear_from", **ex))


@given(
    levels,
    st.integers(1, 10**6),
    levels,
    st.integers(0, 2 * 10**6),
    levels,
    st.one_of(st.integers(1, 10**6), st.floats(1, 1e9)),
)
def test_random_against_reference(peak, decay, alpha, at, end, T) -> None:
    child = {"name": "cosine_decay", "init_value": peak, "decay_steps": decay, "alpha": alpha}
    s = jaxsched.linear_from(jaxsched.from_config(child), at, end, T)
    assert_matches(
        s,
        reference("linear_from", schedule=child, at_step=at, end_value=end, transition_steps=T),
        rtol64=1e-12,
        rtol32=4e-6,
    )


def test_a_rewarmup_continues_from_where_the_decay_ended() -> None:
    decay = jaxsched.rsqrt_decay(1.0, timescale=10.0, min_steps=10.0)
    s = jaxsched.join([decay, jaxsched.linear_from(decay, 90, 1.0, 4)], [90])
    v = s.numpy([89, 90, 91, 92, 94, 200])
    assert v[1] == decay.numpy(90) and v[-1] == 1.0 and v[-2] == 1.0
    np.testing.assert_allclose(v[2] - v[1], (1.0 - v[1]) / 4, rtol=1e-14)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"at_step": -1}, "at_step"),
        ({"transition_steps": 0}, "transition_steps"),
        ({"end_value": -1.0}, "end_value"),
        ({"schedule": "x"}, "schedule"),
    ],
)
def test_validation(kwargs: dict, argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        jaxsched.linear_from(
            **{"schedule": 1.0, "at_step": 3, "end_value": 0.5, "transition_steps": 5, **kwargs}
        )
    assert str(info.value).startswith(argument), str(info.value)
