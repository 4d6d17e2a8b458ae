"""jaxsched.inverse_power against an independent 40-digit reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference


def test_examples_match_reference():
    for ex in jaxsched.inverse_power.examples:
        assert_matches(jaxsched.inverse_power(**ex), reference("inverse_power", **ex))


values = st.just(0.0) | st.floats(1e-4, 10)


@given(values, st.floats(1e-3, 1e6), st.floats(0.05, 4), values)
def test_inverse_power(init, tau, alpha, end):
    s = jaxsched.inverse_power(init, tau, alpha, end)
    ref = reference("inverse_power", init_value=init, timescale=tau, exponent=alpha, end_value=end)
    assert_matches(s, ref, rtol32=3e-6 * max(alpha, 1.0))


def test_square_root_is_inverse_sqrt_after_warmup():
    s = jaxsched.inverse_power(2.0, timescale=100)
    isq = jaxsched.inverse_sqrt(2.0, warmup_steps=100)
    k = np.arange(0, 5000, 7)
    np.testing.assert_allclose(s.numpy(k), isq.numpy(k + 100), rtol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"timescale": 0.0}, "timescale"),
        ({"timescale": 1.0, "exponent": 0.0}, "exponent"),
        ({"timescale": 1.0, "end_value": -1.0}, "end_value"),
    ],
)
def test_validation(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}"):
        jaxsched.inverse_power(1.0, **kwargs)
