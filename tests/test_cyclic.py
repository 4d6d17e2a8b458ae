"""jaxsched.schedules._cyclic against independent references (torch's formulas, transcribed)."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jaxsched
from jaxsched._numerics import MAX_STEP
from jaxsched.schedules._cyclic import CYCLIC_MODES
from tests.helpers import assert_matches
from tests.reference_formulas import reference


@pytest.mark.parametrize("name", ["cyclic", "one_cycle"])
def test_examples_match_reference(name):
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        rtol32 = 1e-4 if ex.get("mode") == "exp_range" else 1e-5
        assert_matches(jaxsched.from_config({"name": name, **ex}), reference(name, **ex), rtol32=rtol32)


@given(
    st.floats(1e-5, 1e-3),
    st.floats(2e-3, 1),
    st.integers(1, 500),
    st.none() | st.integers(1, 500),
    st.sampled_from(CYCLIC_MODES),
    st.floats(0.99, 1.0),
)
def test_cyclic(base, top, up, down, mode, gamma):
    s = jaxsched.cyclic(base, top, up, down, mode, gamma)
    ref = reference(
        "cyclic", base_value=base, max_value=top, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma
    )
    steps = np.arange(0, 3000)
    # exp_range multiplies by gamma**k: float32 rounding of gamma grows with k.
    assert_matches(s, ref, steps, rtol64=1e-9, rtol32=3e-4 if mode == "exp_range" else 2e-5)


def test_cyclic_exact_at_huge_steps():
    s = jaxsched.cyclic(0.0, 1.0, 3, 4)
    steps = np.array([2**31 - 7, 2**31 - 4, 2**31 - 2, 2**31 - 1])
    ref = reference("cyclic", base_value=0.0, max_value=1.0, step_size_up=3, step_size_down=4)
    assert_matches(s, ref, steps, rtol32=1e-6)


@given(
    st.integers(100, 10**5),
    st.floats(1e-3, 1),
    st.floats(0.05, 0.45),
    st.floats(2, 100),
    st.floats(10, 1e4),
    st.sampled_from(["cos", "linear"]),
    st.booleans(),
)
def test_one_cycle(T, peak, pct, div, fdiv, anneal, three):
    s = jaxsched.one_cycle(T, peak, pct, div, fdiv, anneal, three)
    ref = reference(
        "one_cycle",
        transition_steps=T,
        peak_value=peak,
        pct_start=pct,
        div_factor=div,
        final_div_factor=fdiv,
        anneal=anneal,
        three_phase=three,
    )
    assert_matches(s, ref, rtol64=1e-9, rtol32=5e-5)


def test_one_cycle_torch_trace():
    # torch.optim.lr_scheduler.OneCycleLR(max_lr=1.0, total_steps=10) applies these (reference notes).
    s = jaxsched.one_cycle(10, 1.0)
    assert s.numpy(0) == pytest.approx(0.04)
    assert s.numpy(2) == 1.0
    assert s.numpy(9) == pytest.approx(4e-6)
    assert s.numpy(10) == pytest.approx(4e-6)  # held, not extrapolated as torch does


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: jaxsched.cyclic(0.1, 1.0, 0), "step_size_up"),
        (lambda: jaxsched.cyclic(0.1, 1.0, 2, -1), "step_size_down"),
        (lambda: jaxsched.cyclic(0.1, 1.0, 1000.3), "step_size_up"),
        (lambda: jaxsched.cyclic(0.1, 1.0, 2, mode="tri"), "mode"),
        (lambda: jaxsched.cyclic(0.1, 1.0, 2, mode="exp_range", gamma=0.0), "gamma"),
        (lambda: jaxsched.one_cycle(10, 1.0, pct_start=0.1), "pct_start"),
        (lambda: jaxsched.one_cycle(10, 1.0, pct_start=1.5), "pct_start"),
        (lambda: jaxsched.one_cycle(10, 1.0, pct_start=0.6, three_phase=True), "pct_start"),
        (lambda: jaxsched.one_cycle(10, 1.0, div_factor=0.0), "div_factor"),
        (lambda: jaxsched.one_cycle(10, 1.0, anneal="cosine"), "anneal"),
        (lambda: jaxsched.one_cycle(1, 1.0), "transition_steps"),
    ],
)
def test_validation(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument + ":"), str(info.value)


def test_sawtooth_with_no_falling_phase():
    # issue 12 item 10: torch's CyclicLR with step_size_down=0 draws a sawtooth (refused before).
    s = jaxsched.cyclic(0.1, 1.0, step_size_up=4, step_size_down=0)
    np.testing.assert_allclose(s.numpy(range(9)), [0.1, 0.325, 0.55, 0.775, 0.1, 0.325, 0.55, 0.775, 0.1])
    np.testing.assert_allclose(np.asarray(s(np.arange(9))), s.numpy(range(9)), rtol=1e-6)


@pytest.mark.parametrize("up", [1000.5, 2.5, 250.25])
def test_fractional_sizes_exact_at_every_step(up):
    # issue 12 item 4: fractional sizes made positions float32 (0.73 relative error at 1e9 steps, negative
    # values near 2**31). Reference: torch's float64 formula evaluated with exact rationals.
    from fractions import Fraction

    k = np.array([0, 1, 2, 3, 10**6 + 7, 10**9, 2 * 10**9 + 1, MAX_STEP - 2, MAX_STEP], np.int64)
    s = jaxsched.cyclic(0.0, 1.0, step_size_up=up)
    total = Fraction(up) * 2
    want = []
    for step in k.tolist():
        pos = Fraction(step) % total
        want.append(float(pos / Fraction(up) if pos <= Fraction(up) else (total - pos) / Fraction(up)))
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12, atol=1e-15)
    for got in (np.asarray(s(k)), np.asarray(jax.jit(lambda a, x: a(x))(s, k))):
        assert np.all(got >= 0)
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("up", "down"), [(2789950.5546875, 2.5), (2**30 + 1, 3), (2**22 + 0.5, 2**22 - 1.25)]
)
def test_a_short_ramp_after_a_long_one(up, down):
    """Regression: the falling ramp's position was e - up in float32 (off by up to half an ulp of e, 0.125
    at 2.8e6), and with fractional sizes traced (the schedule as a jit argument) the cycle index
    oscillated at a cycle's last step, giving the cycle's start value there."""
    s = jaxsched.cyclic(4671.77, 0.1, step_size_up=up, step_size_down=down)
    top = int(up)
    k = np.unique(
        np.r_[np.arange(0, 30), np.arange(top - 8, top + 12), np.arange(MAX_STEP - 300, MAX_STEP + 1)]
    )
    ref = s.numpy(k)
    for got in (np.asarray(s(k)), np.asarray(jax.jit(lambda sched, x: sched(x))(s, k))):
        np.testing.assert_allclose(got, ref, rtol=0, atol=2e-7 * 4671.77)  # float32 on the curve's scale


@given(
    st.floats(1e-5, 1.0),
    st.floats(0.0, 1.0),
    st.integers(1, 300),
    st.none() | st.integers(0, 300),
    st.sampled_from(CYCLIC_MODES),
    st.floats(0.99, 1.0),
)
def test_cyclic_cosine_shape(base, top, up, down, mode, gamma):
    s = jaxsched.cyclic(base, top, up, down, mode, gamma, shape="cosine")
    ref = reference(
        "cyclic",
        base_value=base,
        max_value=top,
        step_size_up=up,
        step_size_down=down,
        mode=mode,
        gamma=gamma,
        shape="cosine",
    )
    assert_matches(s, ref, np.arange(0, 1500), rtol64=1e-9, rtol32=3e-4 if mode == "exp_range" else 2e-5)


def test_cosine_wave_from_its_top_keeps_float32_precision_near_zero():
    # torch's CosineAnnealingLR(lr, T) is this wave: near the trough the value is tiny and exact.
    T = 10**4
    s = jaxsched.cyclic(1.0, 0.0, T, T, shape="cosine")
    ref = reference("cyclic", base_value=1.0, max_value=0.0, step_size_up=T, step_size_down=T, shape="cosine")
    k = np.array([0, 1, T - 2, T - 1, T, T + 1, 2 * T - 1, 2 * T, 10**9 - 1, MAX_STEP])
    assert_matches(s, ref, k, rtol32=1e-6)
    assert float(s(T - 1)) == pytest.approx(2.4674011e-8, rel=1e-6)  # sin(pi/2T)**2, not 0 or 3e-8


@given(st.sampled_from(["cycle", "iterations"]), st.floats(0.5, 1.0), st.integers(1, 20), st.integers(0, 20))
def test_cyclic_scale_schedule(scale_mode, rate, up, down):
    scale = {"name": "exponential_decay", "init_value": 1.0, "transition_steps": 1, "decay_rate": rate}
    s = jaxsched.from_config(
        {
            "name": "cyclic",
            "base_value": 0.01,
            "max_value": 0.1,
            "step_size_up": up,
            "step_size_down": down,
            "scale": scale,
            "scale_mode": scale_mode,
        }
    )
    ref = reference(
        "cyclic",
        base_value=0.01,
        max_value=0.1,
        step_size_up=up,
        step_size_down=down,
        scale=scale,
        scale_mode=scale_mode,
    )
    assert_matches(s, ref, np.arange(0, 400), rtol64=1e-9, rtol32=2e-5)


def test_cyclic_scale_replaces_the_mode():
    with pytest.raises(ValueError, match="mode"):
        jaxsched.cyclic(0.1, 1.0, 2, mode="triangular2", scale=jaxsched.constant(0.5))


@given(
    st.integers(1, 300),
    st.floats(1e-3, 1),
    st.floats(0.0, 1.0),
    st.sampled_from(["cos", "linear"]),
    st.booleans(),
    st.none() | st.floats(0.5, 1.0),
)
def test_one_cycle_torch_end_and_short_rise(T, peak, pct, anneal, three, level):
    kwargs = {
        "transition_steps": T,
        "peak_value": peak,
        "pct_start": pct,
        "anneal": anneal,
        "three_phase": three,
        "after_end": "extrapolate",
        "short_rise": True,
    }
    if level is not None:  # a momentum-like curve: down to the peak value and back up
        kwargs.update(initial_value=level, final_value=level)
    try:
        s = jaxsched.one_cycle(**kwargs)
    except ValueError as err:  # a phase of length 0, or no third phase before the end
        assert str(err).startswith("pct_start:")
        assume(False)
        raise
    first, last = pct * T - 1, T - 1
    ends = [first, 2 * first, last]
    shortest = min(abs(b - a) for a, b in zip([0.0, *ends[:2]], ends, strict=True) if b != a)
    # float32 rounds the phase ends (about T * 6e-8); a short phase amplifies that by T / its length.
    rtol32 = 5e-5 + 2 * 6e-8 * T / min(shortest, 1.0) ** 2
    assert_matches(s, reference("one_cycle", **kwargs), np.arange(0, T + 5), rtol64=1e-9, rtol32=rtol32)
    assert np.all(s.numpy(np.arange(T + 5)) >= 0)


def test_one_cycle_extrapolates_one_step_as_torch():
    # torch.optim.lr_scheduler.OneCycleLR(max_lr=1.0, total_steps=10) at step 10 (reference notes).
    cos = jaxsched.one_cycle(10, 1.0, after_end="extrapolate")
    assert float(cos.numpy(10)) == pytest.approx(0.0495, abs=1e-4) and cos.numpy(11) == pytest.approx(4e-6)
    lin = jaxsched.one_cycle(10, 1.0, anneal="linear", three_phase=True, after_end="extrapolate")
    assert lin.numpy(10) == 0.0  # torch goes to -0.0079952 there; floored
    short = jaxsched.one_cycle(3, 1.0, pct_start=0.25, short_rise=True)
    assert float(short.numpy(0)) == pytest.approx(0.9698, abs=1e-4)
    with pytest.raises(ValueError, match="pct_start"):
        jaxsched.one_cycle(3, 1.0, pct_start=0.25)  # without short_rise a rise before step 0 is refused
    with pytest.raises(ValueError, match="length 0"):
        jaxsched.one_cycle(4, 1.0, pct_start=0.25, short_rise=True)
