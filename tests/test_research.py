"""Research schedules against independent float64 transcriptions of their papers' / sources' formulas."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched.schedules import _research as R  # noqa: N812
from tests.helpers import assert_matches, edge_steps

# -- references: written from the papers / original code, not from jaxsched ---------------------------------


def ref_tri_stage(k: int, peak, W, H, D, a, z) -> float:
    """fairseq tri_stage: stage decided on the update count, exp decay with factor -ln(z)/D."""
    if k < W:
        init = peak * a
        return init + (peak - init) / W * k
    off = k - W
    if off < H:
        return peak
    off -= H
    if off <= D:
        return peak * math.exp(-(-math.log(z) / D) * off)
    return peak * z


def ref_rsqrt_cooldown(k: int, peak, W, T, C, tau) -> float:
    """big_vision: base * warmup * rsqrt * cooldown, with the cooldown factor clamped at 0."""
    lr = peak
    if k >= W:
        lr = lr / math.sqrt(1 + (k - W) / tau)
    lr *= min(1.0, k / W) if W else 1.0
    lr *= min(1.0, max(0.0, (T - k) / C))
    return lr


def ref_wsd_cycles(k: int, peak, lengths, W0, Wr, D, init, end) -> float:
    """levanter-style cycles (linear shapes): (re)warmup from the previous end, stable, linear decay."""
    b = 0
    for i, L in enumerate(lengths):
        if k < b + L:
            e = k - b
            w = W0 if i == 0 else Wr
            start = init if i == 0 else end
            if e < w:
                return start + (peak - start) * e / w
            if e < L - D:
                return peak
            return peak + (end - peak) * (e - (L - D)) / D
        b += L
    return end


def ref_power(k: int, peak, bs, seq, a, b, W) -> float:
    """Shen et al. / levanter: min(lr, bs * a * tokens**b), linear warmup from 0."""
    if k < W:
        return peak * k / W
    if k == 0:
        return peak
    return min(peak, bs * a * (k * bs * seq) ** b)


# -- hypothesis ---------------------------------------------------------------------------------------------


@given(
    st.floats(1e-4, 1.0),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(1, 200),
    st.floats(0.0, 1.0),
    st.floats(1e-3, 1.0),
)
def test_tri_stage(peak, W, H, D, a, z) -> None:
    s = R.tri_stage(peak, W, H, D, init_lr_scale=a, final_lr_scale=z)
    assert_matches(s, lambda k: ref_tri_stage(k, peak, W, H, D, a, z), rtol64=1e-11, rtol32=2e-5)


@given(
    st.floats(1e-4, 1.0),
    st.integers(0, 100),
    st.integers(1, 200),
    st.integers(100, 10**6),
    st.floats(1.0, 1e5),
)
def test_inverse_sqrt_cooldown(peak, W, C, extra, tau) -> None:
    T = W + C + extra
    s = R.inverse_sqrt_cooldown(peak, W, T, C, timescale=tau)
    assert_matches(s, lambda k: ref_rsqrt_cooldown(k, peak, W, T, C, tau), rtol32=2e-5)


@given(
    st.floats(1e-4, 1.0),
    st.lists(st.integers(20, 300), min_size=1, max_size=4),
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(1, 10),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
)
def test_wsd_cycles(peak, lengths, W0, Wr, D, init, end_frac) -> None:
    end = end_frac * peak
    s = R.warmup_stable_decay_cycles(peak, lengths, W0, D, rewarmup_steps=Wr, init_value=init, end_value=end)
    assert_matches(
        s, lambda k: ref_wsd_cycles(k, peak, lengths, W0, Wr, D, init, end), rtol64=1e-11, rtol32=2e-5
    )


@given(
    st.floats(1e-4, 0.1),
    st.integers(1, 4096),
    st.integers(1, 8192),
    st.floats(0.1, 10.0),
    st.floats(-1.0, -0.05),
    st.integers(0, 100),
)
def test_power_scheduler(peak, bs, seq, a, b, W) -> None:
    s = R.power_scheduler(peak, bs, seq, a=a, b=b, warmup_steps=W)
    assert_matches(s, lambda k: ref_power(k, peak, bs, seq, a, b, W), rtol64=1e-11, rtol32=5e-5)


# -- edges, the D2Z note, configs ---------------------------------------------------------------------------


def test_d2z_is_warmup_linear_decay_to_zero() -> None:
    """Bergsma et al.'s D2Z: linear warmup, then linear decay reaching exactly 0 at the end."""
    s = jaxsched.warmup_linear_decay(0.0, 1e-3, warmup_steps=10, decay_steps=110)
    k = np.arange(130)
    want = np.where(k < 10, 1e-3 * k / 10, 1e-3 * np.clip((110 - k) / 100, 0, 1))
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12, atol=1e-18)
    assert float(s(110)) == 0.0


def test_wsd_cycles_single_length_and_fraction_of_peak() -> None:
    a = R.warmup_stable_decay_cycles(1.0, 50, 5, 10, num_cycles=3, rewarmup_steps=2, end_value=0.1)
    b = R.warmup_stable_decay_cycles(1.0, [50, 50, 50], 5, 10, rewarmup_steps=2, end_value=0.1)
    assert a == b
    np.testing.assert_array_equal(a.numpy(edge_steps(a)), b.numpy(edge_steps(b)))
    assert float(a(49)) == pytest.approx(0.1 + 0.9 / 10) and float(a(150)) == pytest.approx(0.1)


@pytest.mark.parametrize(
    "cls", [R.TriStage, R.InverseSqrtCooldown, R.WarmupStableDecayCycles, R.PowerScheduler]
)
def test_examples_roundtrip(cls) -> None:
    for ex in cls.examples:
        s = cls(**ex)
        assert jaxsched.from_config(s.to_config()) == s
        assert pickle.loads(pickle.dumps(s)) == s
        vals = s.numpy(edge_steps(s))
        assert np.all(np.isfinite(vals)) and np.all(vals >= 0)


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: R.tri_stage(0.0, 1, 1, 1), "peak_value"),
        (lambda: R.tri_stage(1.0, 1, 1, 0), "decay_steps"),
        (lambda: R.tri_stage(1.0, 1, 1, 5, final_lr_scale=0.0), "final_lr_scale"),
        (lambda: R.inverse_sqrt_cooldown(1.0, 10, 100, 95), "cooldown_steps"),
        (lambda: R.inverse_sqrt_cooldown(1.0, 10, 100, 10, timescale=0), "timescale"),
        (lambda: R.warmup_stable_decay_cycles(1.0, [10, 5], 2, 4, rewarmup_steps=2), "rewarmup_steps"),
        (lambda: R.warmup_stable_decay_cycles(1.0, [], 2, 4), "cycle_steps"),
        (lambda: R.warmup_stable_decay_cycles(1.0, [10, 20], 2, 4, num_cycles=2), "num_cycles"),
        (lambda: R.warmup_stable_decay_cycles(1.0, 10, 2, 4, decay_shape="step"), "decay_shape"),
        (lambda: R.power_scheduler(0.1, 0, 128), "batch_size"),
        (lambda: R.power_scheduler(0.1, 8, 128, b=0.5), "b"),
        (lambda: R.power_scheduler(0.1, 8, 128, a=-1.0), "a"),
    ],
)
def test_bad_input_names_the_argument(make, argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)
