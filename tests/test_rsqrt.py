"""jaxsched.schedules._rsqrt against an independent 40-digit reference and the forms it stands for."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import MAX_STEP
from tests.helpers import assert_matches, edge_steps
from tests.reference_formulas import reference
from tests.strategies import values


def test_examples_match_reference() -> None:
    for ex in jaxsched.rsqrt_decay.examples:
        assert_matches(jaxsched.rsqrt_decay(**ex), reference("rsqrt_decay", **ex))


@given(
    values,
    st.floats(1e-3, 1e7),
    st.one_of(st.integers(-MAX_STEP, MAX_STEP), st.floats(-3e9, 3e9), st.integers(-100, 100)),
    st.floats(1e-3, 1e7),
)
def test_random_against_reference(peak: float, tau: float, begin: float, floor: float) -> None:
    s = jaxsched.rsqrt_decay(peak, tau, begin, floor)
    b = int(begin)
    extra = [max(0, min(b + d, MAX_STEP)) for d in (-2, 0, 1, 5, 1000)]
    assert_matches(
        s,
        reference("rsqrt_decay", peak_value=peak, timescale=tau, begin=begin, min_steps=floor),
        edge_steps(s, extra=extra),
        rtol64=1e-12,
        rtol32=2e-6,
    )


def test_the_forms_of_the_stacks() -> None:
    k = np.array([0, 1, 5, 999, 1000, 1001, 10**6, MAX_STEP])
    W, tau, shift = 1000, 300.0, 50
    # t5x rsqrt_decay and rsqrt_normalized_decay
    np.testing.assert_allclose(
        jaxsched.rsqrt_decay(1.0, min_steps=W).numpy(k), [1 / math.sqrt(max(x, W)) for x in k], rtol=1e-15
    )
    np.testing.assert_allclose(
        jaxsched.rsqrt_decay(1.0, timescale=W, min_steps=W).numpy(k),
        [math.sqrt(W) / math.sqrt(max(x, W)) for x in k],
        rtol=1e-15,
    )
    # big_vision rsqrt (the decay factor, before the warmup factor)
    bv = jaxsched.rsqrt_decay(1.0, tau, W - tau - shift, tau + shift)
    want = [1 / math.sqrt(1 + (x + shift - W) / tau) if x >= W else 1 / math.sqrt(1 + shift / tau) for x in k]
    np.testing.assert_allclose(bv.numpy(k), want, rtol=1e-14)
    # HF inverse_sqrt after its warmup
    hf = jaxsched.inverse_sqrt(2.0, W, timescale=tau)
    np.testing.assert_allclose(
        jaxsched.rsqrt_decay(2.0, tau, W - tau, tau).numpy(k[k >= W]), hf.numpy(k[k >= W]), rtol=1e-15
    )


def test_a_large_negative_offset_neither_overflows_nor_cancels() -> None:
    s = jaxsched.rsqrt_decay(1.0, timescale=1.0, begin=-(2**31), min_steps=1.0)
    np.testing.assert_allclose(
        np.asarray(s(np.array([0, MAX_STEP], np.int32)), np.float64),
        [2**-15.5, 1 / math.sqrt(2**32 - 1)],
        rtol=1e-7,
    )
    near = jaxsched.rsqrt_decay(1.0, timescale=1.0, begin=2_000_000_000, min_steps=0.5)
    np.testing.assert_allclose(
        np.asarray(near(np.array([2_000_000_004], np.int32)), np.float64), [0.5], rtol=1e-7
    )


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"timescale": 0.0}, "timescale"),
        ({"min_steps": 0.0}, "min_steps"),
        ({"peak_value": -1.0}, "peak_value"),
        ({"begin": float("nan")}, "begin"),
        ({"begin": "3"}, "begin"),
    ],
)
def test_validation(kwargs: dict, argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        jaxsched.rsqrt_decay(**{"peak_value": 1.0, **kwargs})
    assert str(info.value).startswith(argument), str(info.value)
