"""jaxsched.compat.pytorch_warmup and torch_bridge's warmups against the installed
pytorch_warmup."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched.compat import pytorch_warmup as pw
from torch_bridge import ScheduleLR
from torch_bridge import _warmup as tw

pytorch_warmup = pytest.importorskip("pytorch_warmup", reason="pytorch_warmup is the reference")

CLASSES = [
    pw.LinearWarmup,
    pw.ExponentialWarmup,
    pw.UntunedLinearWarmup,
    pw.UntunedExponentialWarmup,
    pw.RAdamWarmup,
]


def _original(s: jaxsched.Schedule, n: int) -> np.ndarray:
    return references()[s.config_name].run(s, n)


def _check(s: jaxsched.Schedule, n: int, rtol64: float = 1e-12, rtol32: float | None = 1e-5) -> None:
    """NumPy float64 and (unless ``rtol32`` is None: hypothesis loops skip JAX's per-config compile)
    JAX float32 against the original."""
    want = _original(s, n)
    steps = np.arange(n)
    np.testing.assert_allclose(s.numpy(steps), want, rtol=rtol64, atol=0)
    if rtol32 is not None:
        np.testing.assert_allclose(np.asarray(s(steps), np.float64), want, rtol=rtol32, atol=0)


@pytest.mark.parametrize("cls", CLASSES)
def test_examples_match_original(cls):
    for ex in cls.examples:
        s = cls(**ex)
        # RAdam: the original's float64 cancellation (~4e-12 relative at beta2=0.999) is larger than
        # ours.
        _check(s, 2500, rtol64=1e-10 if cls is pw.RAdamWarmup else 1e-13)


@given(st.integers(1, 400), st.booleans())
def test_linear_and_exponential_any_period(period, expo):
    cls = pw.ExponentialWarmup if expo else pw.LinearWarmup
    _check(cls(period), min(3 * period + 5, 600), rtol32=None)


@given(st.floats(0.0, 0.9995))
def test_untuned_periods_truncate_like_the_original(b2):
    for cls in (pw.UntunedLinearWarmup, pw.UntunedExponentialWarmup):
        _check(cls(b2), 64, rtol32=None)
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], betas=(0.9, b2))
    assert (
        pw.UntunedLinearWarmup(b2).warmup_period
        == pytorch_warmup.UntunedLinearWarmup(opt).warmup_params[0]["warmup_period"]
    )


def test_untuned_truncation_values():
    assert pw.UntunedLinearWarmup(0.999).warmup_period == 1999
    assert pw.UntunedExponentialWarmup(0.999).warmup_period == 999
    assert pw.UntunedLinearWarmup(0.99).warmup_period == 199
    assert pw.UntunedLinearWarmup(0.9995).warmup_period == 4000


@given(st.floats(0.61, 0.9999))
def test_radam_any_beta2(b2):
    s = pw.RAdamWarmup(b2)
    _check(s, 300, rtol64=1e-9, rtol32=None)
    assert s.offset == pytorch_warmup.radam.get_offset(b2, pytorch_warmup.radam.rho_inf_fn(b2))


@pytest.mark.parametrize("b2", [0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999])
def test_radam_float32(b2):
    # rho_t - 4 is computed without the cancellation of the original's form; float32 keeps ~1e-5.
    _check(pw.RAdamWarmup(b2), 2000, rtol64=1e-9, rtol32=2e-5)


@given(st.floats(0.600001, 0.8))
def test_radam_float32_at_low_beta2(b2):
    # Issue 12 item 8: 1.1e-4 off at step 0 before; the catalog's radam_warmup holds 1e-6 in float32.
    # (Closer to 0.6, rho_inf - 4 is below the original's own float64 rounding: see test_warmup_factors,
    # which checks against 40-digit values there.)
    _check(pw.RAdamWarmup(b2), 200, rtol64=1e-9, rtol32=1e-6)


def test_radam_first_factor_and_far_steps():
    s = pw.RAdamWarmup(0.999)
    assert s.numpy(0) == pytest.approx(0.017311503166315034, rel=1e-12)
    far = s.numpy([10_000, 100_000, 2**31 - 1])
    assert far[0] == pytest.approx(0.99977, abs=1e-5) and far[2] == 1.0
    assert np.all(np.isfinite(np.asarray(s([0, 2**31 - 1]))))


def _cosine_run(make_warmup, make_sched, n: int, lrs=(0.1, 0.05)) -> np.ndarray:
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    opt = torch.optim.Adam(params, betas=(0.9, 0.98))
    sched = make_sched(opt)
    warmup = make_warmup(opt)
    out = []
    for _ in range(n):
        out.append([g["lr"] for g in opt.param_groups])
        opt.step()
        with warmup.dampening():
            sched.step()
    return np.asarray(out, dtype=np.float64)


@pytest.mark.parametrize("name", ["LinearWarmup", "ExponentialWarmup"])
def test_bridge_warmup_over_torch_and_schedulelr_equals_original(name):
    # 31 updates: torch's cosine is periodic past T_max, the native one holds its end value.
    torch_cos = lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30)
    ours_cos = lambda opt: ScheduleLR(opt, [jaxsched.cosine_decay(0.1, 30), jaxsched.cosine_decay(0.05, 30)])
    want = _cosine_run(lambda opt: getattr(pytorch_warmup, name)(opt, warmup_period=[5, 9]), torch_cos, 31)
    got_torch = _cosine_run(lambda opt: getattr(tw, name)(opt, warmup_period=[5, 9]), torch_cos, 31)
    got_ours = _cosine_run(lambda opt: getattr(tw, name)(opt, warmup_period=[5, 9]), ours_cos, 31)
    np.testing.assert_allclose(got_torch, want, rtol=1e-12)
    np.testing.assert_allclose(got_ours, want, rtol=1e-12, atol=1e-17)
    # ... which is the JAX product schedule, group by group.
    factor = getattr(pw, name)
    for i, (lr, period) in enumerate(((0.1, 5), (0.05, 9))):
        product = jaxsched.cosine_decay(lr, 30) * factor(period)
        np.testing.assert_allclose(product.numpy(np.arange(30)), want[:30, i], rtol=1e-12, atol=1e-17)


@pytest.mark.parametrize("name", ["UntunedLinearWarmup", "UntunedExponentialWarmup", "RAdamWarmup"])
def test_bridge_untuned_and_radam_equal_original(name):
    step_lr = lambda opt: torch.optim.lr_scheduler.StepLR(opt, 7, 0.5)
    want = _cosine_run(lambda opt: getattr(pytorch_warmup, name)(opt), step_lr, 120)
    got = _cosine_run(lambda opt: getattr(tw, name)(opt), step_lr, 120)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_bridge_state_dict_resume():
    def run(split: int | None, n: int = 20) -> list[float]:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = ScheduleLR(opt, jaxsched.linear(1.0, 0.1, 20))
        warm = tw.LinearWarmup(opt, 6)
        out = []
        for k in range(n):
            if k == split:
                sd, osd, wsd = sched.state_dict(), opt.state_dict(), warm.state_dict()
                opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
                sched = ScheduleLR(opt, jaxsched.linear(1.0, 0.1, 20))
                warm = tw.LinearWarmup(opt, 6)
                sched.load_state_dict(sd)
                opt.load_state_dict(osd)
                warm.load_state_dict(wsd)
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            with warm.dampening():
                sched.step()
        return out

    np.testing.assert_allclose(run(4), run(None), rtol=1e-15)


def test_bad_input():
    with pytest.raises(ValueError, match="warmup_period"):
        pw.LinearWarmup(0)
    with pytest.raises(TypeError, match="warmup_period"):
        pw.ExponentialWarmup(2.5)
    with pytest.raises(ValueError, match=r"greater than 0\.6"):
        pw.RAdamWarmup(0.5)
    for bad in (float("nan"), 1.0, -0.1):
        with pytest.raises(ValueError, match="beta2"):
            pw.UntunedLinearWarmup(bad)
    opt = torch.optim.Adam(
        [
            {"params": [torch.nn.Parameter(torch.zeros(1))]},
            {"params": [torch.nn.Parameter(torch.zeros(1))]},
        ]
    )
    for make in (tw.LinearWarmup, pytorch_warmup.LinearWarmup):
        with pytest.raises(
            ValueError,
            match=r"The size of warmup_period \(3\) does not match the size "
            r"of param_groups \(2\)",
        ):
            make(opt, [1, 2, 3])
        with pytest.raises(TypeError, match="is not a list nor an int"):
            make(opt, 2.5)
        with pytest.raises(ValueError, match="must be a positive integer"):
            make(opt, [1, 0])
    with pytest.raises(TypeError, match="is not an Optimizer"):
        tw.LinearWarmup(object(), 3)


def test_config_round_trip():
    for cls in CLASSES:
        for ex in cls.examples:
            s = cls(**ex)
            assert jaxsched.from_config(s.to_config()) == s
