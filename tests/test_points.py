"""jaxsched.schedules._points (piecewise linear / cosine / constant through absolute points) against
independent 40-digit references."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import MAX_STEP
from tests.helpers import assert_matches
from tests.reference_formulas import reference
from tests.strategies import values

NAMES = ["piecewise_linear", "piecewise_cosine", "piecewise_constant_points"]


@pytest.mark.parametrize("name", NAMES)
def test_examples_match_reference(name: str) -> None:
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        assert_matches(cls(**ex), reference(name, **ex))


keys = st.one_of(
    st.integers(0, 300), st.integers(0, MAX_STEP), st.floats(0.0, 1e5), st.integers(MAX_STEP, 2**40)
)
point_sets = st.dictionaries(keys, values, min_size=1, max_size=7)


@pytest.mark.parametrize("name", NAMES)
@given(points=point_sets, extra=st.lists(st.integers(0, MAX_STEP), max_size=6))
def test_random_points_against_reference(name: str, points: dict, extra: list[int]) -> None:
    s = jaxsched.registry()[name](points)
    steps = sorted(
        {
            *extra,
            *(max(0, min(int(b) + d, MAX_STEP)) for b in points for d in (-1, 0, 1, 2)),
            *range(8),
            MAX_STEP,
        }
    )
    assert_matches(s, reference(name, points=points), np.array(steps), rtol64=1e-12, rtol32=4e-6)


def test_values_are_absolute_so_a_curve_can_rise_from_zero() -> None:
    pts = {0: 1.0, 10: 0.0, 20: 1.0}
    lin, cos, const = (
        jaxsched.piecewise_linear(pts),
        jaxsched.piecewise_cosine(pts),
        jaxsched.piecewise_constant_points(pts),
    )
    assert lin.numpy([0, 5, 10, 15, 20, 99]).tolist() == [1.0, 0.5, 0.0, 0.5, 1.0, 1.0]
    np.testing.assert_allclose(cos.numpy([0, 5, 10, 15, 20]), [1.0, 0.5, 0.0, 0.5, 1.0], atol=1e-16)
    assert const.numpy([0, 9, 10, 19, 20]).tolist() == [1.0, 1.0, 0.0, 0.0, 1.0]
    # before the first point: its value; fractional steps count
    late = jaxsched.piecewise_linear({5.5: 2.0, 7.5: 0.0})
    assert late.numpy([0, 5, 6, 7, 8]).tolist() == [2.0, 2.0, 1.5, 0.5, 0.0]


def test_a_segment_ending_past_the_last_step_is_exact() -> None:
    s = jaxsched.piecewise_linear({0: 0.0, 2 * MAX_STEP: 2.0})
    assert s.numpy([MAX_STEP]).tolist() == [MAX_STEP / MAX_STEP * 1.0]
    assert float(s(MAX_STEP)) == 1.0


def test_configs_hold_pairs_and_read_string_keys() -> None:
    s = jaxsched.piecewise_cosine({"0": 1.0, "12.5": 0.0, 30: 0.5})
    cfg = json.loads(json.dumps(s.to_config()))
    assert cfg == {"name": "piecewise_cosine", "points": [[0, 1.0], [12.5, 0.0], [30, 0.5]]}
    assert jaxsched.from_config(cfg) == s
    assert jaxsched.piecewise_cosine([("12.5", 0.0), (0, 1.0), (30.0, 0.5)]) == s


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "points",
    [
        {},
        None,
        {-1: 1.0},
        {3: -0.5},
        {3: float("nan")},
        [(3, 1.0), (3, 2.0)],
        {"x": 1.0},
        [(1, 2, 3)],
        {5: "a"},
    ],
)
def test_validation_names_points(name: str, points: object) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        jaxsched.registry()[name](points)
    assert str(info.value).startswith("points"), str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_a_segment_shorter_than_float32_resolves(name: str) -> None:
    """Regression (found by the property test above): a point at 1.4e-45 made a segment whose length
    float32 flushes to 0, and step 0 came out NaN on the JAX path."""
    s = jaxsched.registry()[name]({0: 1e-8, 1.401298464324817e-45: 1e-30, 138: 10.0})
    k = np.array([0, 1, 2, 137, 138, 139])
    want = s.numpy(k)
    assert want[0] == 1e-8
    np.testing.assert_allclose(np.asarray(s(k)), want, rtol=4e-6, atol=1e-7 * 10.0)
