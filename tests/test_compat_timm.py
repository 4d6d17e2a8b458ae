"""jaxsched.compat.timm against golden curves recorded from timm 1.0.31's own scheduler code.

The goldens come from ``tests/golden/record_timm.py`` (see its docstring for how to re-record them).
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._numerics import Steps, jax_backend, numpy_backend
from jaxsched._references import references
from jaxsched.compat import timm

GOLDEN = Path(__file__).parent / "golden"
CLASSES = [
    "CosineLRScheduler",
    "TanhLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "MultiStepLRScheduler",
]


def _golden(name: str) -> dict:
    return json.loads((GOLDEN / f"timm_{name}.json").read_text())


@pytest.mark.parametrize("name", CLASSES)
def test_matches_timm_goldens(name: str) -> None:
    doc = _golden(name)
    assert doc["timm_version"] == "1.0.31" and doc["cases"]
    ref = references()[f"compat.timm.{name}"]
    assert ref.library == "golden:timm"
    for case in doc["cases"]:
        s = getattr(timm, name)(doc["lr"], **case["kwargs"])
        want = ref.run(s, doc["n"])
        np.testing.assert_array_equal(want, case["values"])
        k = np.arange(doc["n"])
        np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12, atol=1e-16, err_msg=repr(s))
        np.testing.assert_allclose(np.asarray(s(k), np.float64), want, rtol=3e-6, atol=1e-8, err_msg=repr(s))
        assert jaxsched.from_config(s.to_config()) == s
        assert pickle.loads(pickle.dumps(s)) == s


def test_examples_are_recorded() -> None:
    """Every port's ``examples`` has a golden curve (the parity job compares them)."""
    for name in CLASSES:
        cls = getattr(timm, name)
        for ex in cls.examples:
            assert len(references()[cls.config_name].run(cls(**ex), 50)) == 50
    with pytest.raises(KeyError):
        references()["compat.timm.StepLRScheduler"].run(timm.StepLRScheduler(0.5, decay_t=3), 5)


def test_goldens_cover_the_interesting_options() -> None:
    seen = [kw for n in CLASSES for kw in (c["kwargs"] for c in _golden(n)["cases"])]
    assert any(kw.get("warmup_prefix") is True for kw in seen)
    assert any(kw.get("warmup_prefix") is False and kw.get("warmup_t") for kw in seen)
    assert any(kw.get("cycle_mul", 1) != 1 for kw in seen)
    assert any(kw.get("k_decay", 1) != 1 for kw in seen)
    assert any(kw.get("cycle_limit", 1) > 1 for kw in seen)
    assert any(kw.get("cycle_limit") == 0 for kw in seen)
    assert any(kw.get("t_in_epochs") is False for kw in seen)


def test_updates_per_epoch_holds_each_epoch() -> None:
    per_epoch = timm.CosineLRScheduler(0.1, t_initial=10, warmup_t=2, warmup_lr_init=1e-3)
    per_update = per_epoch.replace(updates_per_epoch=7)
    k = np.arange(200)
    np.testing.assert_array_equal(per_update.numpy(k), per_epoch.numpy(k // 7))
    keys = per_update.key_steps()  # whole epochs: the warmup's end (2) and the cycle's end (10) among them
    assert {0, 14, 70} <= set(keys) and all(k % 7 == 0 for k in keys), keys


# -- noise --------------------------------------------------------------------------------------------------


def test_noise_is_pure_bounded_in_range_and_equal_in_both_backends() -> None:
    base = timm.CosineLRScheduler(1.0, t_initial=1000, t_in_epochs=False)
    s = base.replace(noise_range_t=(100, 600), noise_pct=0.3, noise_std=0.5, noise_seed=7)
    k = np.arange(800)
    clean, noisy = base.numpy(k), s.numpy(k)
    ratio = noisy / clean - 1.0
    outside = (k < 100) | (k >= 600)
    np.testing.assert_array_equal(noisy[outside], clean[outside])
    inside = ratio[~outside]
    assert np.all(np.abs(inside) < 0.3) and np.std(inside) > 0.1
    np.testing.assert_allclose(np.asarray(s(k), np.float64), noisy, rtol=2e-5)  # same bits, f32
    np.testing.assert_array_equal(s.numpy(k), noisy)  # deterministic
    other = s.replace(noise_seed=8).numpy(k)
    assert np.mean(other[~outside] != noisy[~outside]) > 0.99
    start_only = base.replace(noise_range_t=700).numpy(k)
    np.testing.assert_array_equal(start_only[:700], clean[:700])
    assert np.all(start_only[700:] != clean[700:])


def test_noise_distribution_is_the_truncated_normal() -> None:
    """Against an independent float64 truncated normal: mean, std and CDF at a few points."""
    pct, std = 0.67, 1.0
    t = Steps(numpy_backend(), np.arange(200_000))
    n = timm.noise(numpy_backend(), t, 42, pct, std)
    assert np.all(np.abs(n) < pct)
    a = pct / std
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    z = math.erf(a / math.sqrt(2))
    want_std = std * math.sqrt(1 - 2 * a * phi / z)
    assert abs(np.mean(n)) < 3 * want_std / math.sqrt(n.size)
    assert abs(np.std(n) - want_std) < 0.01 * want_std
    for x in (-0.5, -0.1, 0.2, 0.6):
        cdf = (math.erf(x / (std * math.sqrt(2))) + z) / (2 * z)
        assert abs(np.mean(n <= x) - cdf) < 0.005
    j = np.asarray(
        timm.noise(jax_backend(), Steps(jax_backend(), np.arange(1000, dtype=np.int32)), 42, pct, std),
        np.float64,
    )
    np.testing.assert_allclose(j, n[:1000], rtol=1e-5, atol=1e-6)


def test_noise_matches_timm_only_in_distribution() -> None:
    """timm's draws use torch.Generator(seed + t); the stream differs, so the values differ."""
    torch = pytest.importorskip("torch")
    g = torch.Generator()
    g.manual_seed(42 + 5)
    theirs = torch.randn(1, generator=g).item()
    ours = float(timm.noise(numpy_backend(), Steps(numpy_backend(), np.asarray([5])), 42, 10.0, 1.0)[0])
    assert theirs != ours


# -- hypothesis: cycles far out, against an independent float64 transcription of timm's _get_lr -------------


def _timm_cosine(
    t: int, T0: int, mul: float, decay: float, limit: int, lr: float, low: float, k: float
) -> float:
    if mul != 1:
        i = math.floor(math.log(1 - t / T0 * (1 - mul), mul))
        ti = mul**i * T0
        tc = t - (1 - mul**i) / (1 - mul) * T0
    else:
        i, ti, tc = t // T0, T0, t - T0 * (t // T0)
    if i >= limit:
        return low
    return low + 0.5 * (lr * decay**i - low) * (1 + math.cos(math.pi * tc**k / ti**k))


@given(
    st.integers(1, 50),
    st.sampled_from([1.0, 2.0, 3.0]),
    st.floats(0.3, 1.0),
    st.integers(1, 8),
    st.floats(0.5, 2.0),
    st.lists(st.integers(1, 10**6), max_size=8),
)
def test_cosine_cycles_against_transcription(T0, mul, decay, limit, k, far) -> None:
    s = timm.CosineLRScheduler(
        1.0, t_initial=T0, lr_min=0.01, cycle_mul=mul, cycle_decay=decay, cycle_limit=limit, k_decay=k
    )
    steps = np.array(sorted({*range(1, 120), *far}))
    want = np.array([_timm_cosine(int(t), T0, mul, decay, limit, 1.0, 0.01, k) for t in steps])
    # timm's float log can put an exact cycle start one cycle early: compare away from the starts.
    starts = {round(T0 * (mul**i - 1) / (mul - 1)) if mul != 1 else T0 * i for i in range(40)}
    keep = np.array([t not in starts for t in steps])
    np.testing.assert_allclose(s.numpy(steps)[keep], want[keep], rtol=1e-9, atol=1e-12)


# -- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: timm.CosineLRScheduler(0.1, t_initial=0), "t_initial"),
        (lambda: timm.CosineLRScheduler(0.1, t_initial=10, lr_min=-1.0), "lr_min"),
        (lambda: timm.CosineLRScheduler(0.1, t_initial=10, cycle_mul=0.5), "cycle_mul"),
        (lambda: timm.TanhLRScheduler(0.1, t_initial=10, lb=3.0, ub=-7.0), "lb"),
        (lambda: timm.PolyLRScheduler(0.1, t_initial=10, warmup_t=-1), "warmup_t"),
        (lambda: timm.StepLRScheduler(0.1, decay_t=0), "decay_t"),
        (lambda: timm.MultiStepLRScheduler(0.1, decay_t=[5, 3]), "decay_t"),
        (
            lambda: timm.CosineLRScheduler(0.1, t_initial=10, t_in_epochs=False, updates_per_epoch=5),
            "updates_per_epoch",
        ),
        (lambda: timm.CosineLRScheduler(0.1, t_initial=10, noise_range_t=(1, 2, 3)), "noise_range_t"),
        (lambda: timm.CosineLRScheduler(0.1, t_initial=10, noise_range_t=5, noise_pct=0.0), "noise_pct"),
    ],
)
def test_bad_input_names_the_argument(make, argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)
