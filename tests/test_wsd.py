"""jaxsched.schedules._wsd against independent references."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched.schedules._wsd import DECAY_SHAPES, WARMUP_SHAPES
from tests.helpers import assert_matches
from tests.reference_formulas import reference


def test_examples_match_reference():
    for ex in jaxsched.warmup_stable_decay.examples:
        assert_matches(
            jaxsched.warmup_stable_decay(**ex), reference("warmup_stable_decay", **ex), rtol32=1e-5
        )


@given(
    st.floats(1e-3, 1),
    st.integers(0, 1000),
    st.integers(0, 10**5),
    st.integers(1, 10**5),
    st.floats(0, 1e-4),
    st.floats(1e-6, 1e-4),
    st.sampled_from(WARMUP_SHAPES),
    st.sampled_from(DECAY_SHAPES),
)
def test_warmup_stable_decay(peak, W, stable, D, init, end, wshape, dshape):
    T = W + stable + D
    s = jaxsched.warmup_stable_decay(peak, W, T, D, init, end, wshape, dshape)
    ref = reference(
        "warmup_stable_decay",
        peak_value=peak,
        warmup_steps=W,
        total_steps=T,
        decay_steps=D,
        init_value=init,
        end_value=end,
        warmup_shape=wshape,
        decay_shape=dshape,
    )
    assert_matches(s, ref, rtol64=1e-11, rtol32=1e-5 if dshape != "exponential" else 3e-5)


def test_fractional_decay_steps_resolve_once():
    s = jaxsched.warmup_stable_decay(1.0, 10, 1000, 0.1)
    assert s.decay_steps == 100
    assert jaxsched.from_config(s.to_config()) == s


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.warmup_stable_decay(1.0, 600, 1000, 500), "warmup_steps"),
        (lambda: jaxsched.warmup_stable_decay(1.0, 10, 1000, 0), "decay_steps"),
        (lambda: jaxsched.warmup_stable_decay(1.0, 10, 0, 1), "total_steps"),
        (lambda: jaxsched.warmup_stable_decay(1.0, 10, 100, 10, warmup_shape="exp"), "warmup_shape"),
        (lambda: jaxsched.warmup_stable_decay(1.0, 10, 100, 10, decay_shape="sqrt"), "decay_shape"),
        (lambda: jaxsched.warmup_stable_decay(1.0, 10, 100, 10, decay_shape="exponential"), "end_value"),
    ],
)
def test_validation(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)
