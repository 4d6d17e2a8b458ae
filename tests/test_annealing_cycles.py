"""jaxsched.annealing_cycles against an independent reference that walks the cycles as ignite does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import MAX_STEP
from jaxsched.schedules._annealing_cycles import MAX_DISTINCT_CYCLES, cycle_table
from tests.helpers import assert_matches
from tests.reference_formulas import reference

values = st.just(0.0) | st.floats(1e-4, 10)


def test_examples_match_reference():
    for ex in jaxsched.annealing_cycles.examples:
        s = jaxsched.annealing_cycles(**ex)
        assert_matches(s, reference("annealing_cycles", **ex), np.arange(0, 3000), rtol32=1e-5)


@given(
    values,
    values,
    st.integers(1, 60),
    st.sampled_from([1.0, 1.25, 1.5, 2.0, 3.7]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.integers(0, 20),
    st.sampled_from(["cos", "linear", "triangle"]),
)
def test_annealing_cycles(a, b, C, m, am, bm, W, shape):
    s = jaxsched.annealing_cycles(a, b, C, m, am, bm, W, shape)
    ref = reference(
        "annealing_cycles",
        start_value=a,
        end_value=b,
        cycle_size=C,
        cycle_mult=m,
        start_value_mult=am,
        end_value_mult=bm,
        warmup_duration=W,
        shape=shape,
    )
    assert_matches(s, ref, np.arange(0, 2500), rtol32=2e-5)


def test_cycle_lengths_truncate_like_ignite():
    table = cycle_table(10, 3, 1.5)
    assert [c for _, c, _ in table[:5]] == [10, 15, 22, 33, 49]
    assert [w for _, _, w in table[:5]] == [3, 4, 6, 9, 13]
    assert [s for s, _, _ in table[:3]] == [0, 13, 32]
    # Lengths that stop growing (floor(1.05 * 10) == 10) give one periodic entry.
    assert cycle_table(10, 0, 1.05) == ((0, 10, 0),)


def test_periodic_tail_is_exact_at_far_steps():
    s = jaxsched.annealing_cycles(1.0, 0.0, cycle_size=7, shape="linear", start_value_mult=0.5)
    ref = reference(
        "annealing_cycles", start_value=1.0, end_value=0.0, cycle_size=7, shape="linear", start_value_mult=0.5
    )
    steps = np.array([7 * 3 + 2, 7 * 100 + 6, 7 * 1000])
    assert_matches(s, ref, steps)
    far = np.array([MAX_STEP - 1, MAX_STEP])
    np.testing.assert_allclose(s.numpy(far), 0.0, atol=1e-300)  # 0.5**(2**31 / 7) underflows


def test_growing_cycles_reaching_past_the_last_step():
    # Cycles of 3 * 2**i: the last one starts before 2**31 - 1 and is longer than 2**30.
    s = jaxsched.annealing_cycles(1.0, 0.0, cycle_size=3, cycle_mult=2.0, shape="linear")
    start, C, _ = s._cycles[-1]
    assert start <= MAX_STEP < start + C
    steps = np.array([start - 1, start, start + 5, MAX_STEP])
    prev_start, prev_C, _ = s._cycles[-2]
    want = [(prev_start + prev_C - (start - 1)) / prev_C, 1.0, (C - 5) / C, (start + C - MAX_STEP) / C]
    np.testing.assert_allclose(s.numpy(steps), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s(steps.astype(np.int32)), np.float64), want, rtol=2e-6)


def test_too_many_distinct_cycles_is_refused():
    with pytest.raises(ValueError, match=r"^cycle_mult"):
        jaxsched.annealing_cycles(1.0, 0.0, cycle_size=10_000, cycle_mult=1.0001)
    assert MAX_DISTINCT_CYCLES == 4096


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"cycle_size": 0}, "cycle_size"),
        ({"cycle_size": 10, "cycle_mult": 0.9}, "cycle_mult"),
        ({"cycle_size": 10, "start_value_mult": 1.1}, "start_value_mult"),
        ({"cycle_size": 10, "end_value_mult": -0.1}, "end_value_mult"),
        ({"cycle_size": 10, "warmup_duration": -1}, "warmup_duration"),
        ({"cycle_size": 10, "shape": "sine"}, "shape"),
    ],
)
def test_validation(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}"):
        jaxsched.annealing_cycles(1.0, 0.1, **kwargs)
