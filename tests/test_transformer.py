"""jaxsched.schedules._transformer against independent references."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from tests.helpers import assert_matches
from tests.reference_formulas import reference


@pytest.mark.parametrize("name", ["inverse_sqrt", "noam"])
def test_examples_match_reference(name):
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        assert_matches(cls(**ex), reference(name, **ex))


@given(st.floats(1e-4, 1), st.integers(0, 10**5), st.none() | st.floats(1, 1e5), st.floats(0, 1e-4))
def test_inverse_sqrt(peak, W, tau, init):
    s = jaxsched.inverse_sqrt(peak, W, tau, init)
    assert_matches(
        s, reference("inverse_sqrt", peak_value=peak, warmup_steps=W, timescale=tau, init_value=init)
    )


@given(st.integers(1, 8192), st.integers(1, 10**5), st.floats(0.01, 10))
def test_noam(d, W, scale):
    s = jaxsched.noam(d, W, scale)
    assert_matches(s, reference("noam", model_size=d, warmup_steps=W, scale=scale))


def test_noam_peak_at_warmup_minus_one():
    s = jaxsched.noam(512, 4000)
    vals = s.numpy([3998, 3999, 4000])
    assert vals[1] > vals[0] and vals[1] > vals[2]
    assert vals[1] == pytest.approx((512 * 4000) ** -0.5)


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.inverse_sqrt(1.0, -1), "warmup_steps"),
        (lambda: jaxsched.inverse_sqrt(1.0, 10, timescale=0.0), "timescale"),
        (lambda: jaxsched.noam(0, 10), "model_size"),
        (lambda: jaxsched.noam(512, 0), "warmup_steps"),
    ],
)
def test_validation(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)
