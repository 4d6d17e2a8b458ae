"""jaxsched.compat.pytorch_accelerated and its torch_bridge classes against the installed
package."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched.compat import pytorch_accelerated as pa_port
from torch_bridge import _classes as tb

pa = pytest.importorskip("pytorch_accelerated.schedulers", reason="pytorch-accelerated is the reference")
from pytorch_accelerated.schedulers.wsd_scheduler import WSDLrScheduler as OrigWSD  # noqa: E402

OrigCosine = pa.CosineLrScheduler


def _check(s: jaxsched.Schedule, n: int, jax: bool = False) -> None:
    want = references()[s.config_name].run(s, n)
    scale = float(np.max(np.abs(want)))
    np.testing.assert_allclose(s.numpy(np.arange(n)), want, rtol=1e-12, atol=1e-15 * scale)
    if jax:
        np.testing.assert_allclose(
            np.asarray(s(np.arange(n)), np.float64), want, rtol=2e-6, atol=1e-7 * scale
        )


@pytest.mark.parametrize("cls", [pa_port.CosineLrScheduler, pa_port.WSDLrScheduler])
def test_examples_match_original(cls):
    for ex in cls.examples:
        s = cls(**ex)
        _check(s, max(s.key_steps()) + 20, jax=True)


cosine_configs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 1.0),
        "total_num_epochs": st.integers(1, 12),
        "num_update_steps_per_epoch": st.integers(1, 9),
        "k_decay": st.sampled_from([1.0, 0.5, 2.0, 1.3]),
        "lr_min": st.floats(0.0, 1e-4),
        "min_lr_ratio": st.none() | st.floats(0.0, 0.5),
        "num_warmup_epochs": st.integers(0, 4),
        "warmup_starting_lr": st.floats(0.0, 1e-4),
        "warmup_starting_lr_ratio": st.none() | st.floats(0.0, 0.5),
        "num_cooldown_epochs": st.integers(0, 3),
    }
)


@given(cosine_configs)
def test_cosine_any_configuration(cfg):
    s = pa_port.CosineLrScheduler(**cfg)
    _check(s, cfg["total_num_epochs"] * cfg["num_update_steps_per_epoch"] + 5)


wsd_configs = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-3, 1.0),
        "total_steps": st.integers(8, 400),
        "num_warmup_steps": st.none() | st.integers(0, 30),
        "decay_phase_ratio": st.floats(0.05, 1 / 3),
        "lr_min": st.floats(1e-3, 0.5),
        "warmup_starting_lr": st.floats(0.0, 1e-3),
        "use_inverse_sqrt_decay": st.booleans(),
        "num_checkpoints": st.integers(1, 4),
        "is_continuation_from_checkpoint": st.booleans(),
    }
)


@given(wsd_configs)
def test_wsd_any_configuration(cfg):
    s = pa_port.WSDLrScheduler(**cfg)
    # Past the last checkpoint the original falls back to the first period and divides by its decay
    # length when that is 0 (the port holds the floor there): compare up to that point (the runner
    # steps
    # once after the last value it records).
    zero_decay = pa_port._periods(s.total_steps, s.num_checkpoints, s.decay_phase_ratio)[0][3] == 0
    n = s.checkpoint_steps()[-1] if zero_decay else cfg["total_steps"] + 5
    want = references()[s.config_name].run(s, n)
    np.testing.assert_allclose(s.numpy(np.arange(n)), want, rtol=1e-12)


def test_cosine_first_value_twice_and_truncated_cosine():
    s = pa_port.CosineLrScheduler(
        0.01,
        10,
        1,
        lr_min=0.0,
        num_warmup_epochs=2,
        num_cooldown_epochs=2,
        warmup_starting_lr=0.001,
    )
    got = s.numpy(range(12))
    assert got[0] == got[1] == 0.001  # constructor value, then f(0)
    # The cosine is cut off W=2 updates early: 0.005 then straight to the floor.
    np.testing.assert_allclose(got[2:9], [0.0055, 0.01, 0.0093301270, 0.0075, 0.005, 0.0, 0.0], rtol=1e-8)
    no_warm = pa_port.CosineLrScheduler(0.01, 10, 1, lr_min=0.0)
    assert no_warm.numpy(0) == no_warm.numpy(1) == 0.01
    assert no_warm.numpy(10) > 0 and no_warm.numpy(11) == 0.0  # floor only at n = T - C


def test_wsd_snapping_and_fallback():
    s = pa_port.WSDLrScheduler(
        1.0,
        total_steps=100,
        num_warmup_steps=0,
        decay_phase_ratio=0.1,
        lr_min=0.1,
        num_checkpoints=3,
    )
    assert s.checkpoint_steps() == [25, 50, 100]
    # update k runs with f(k - 1): n = 23 -> 1 (stable), 24 -> decay, 25 -> back to base.
    np.testing.assert_allclose(s.numpy([24, 25, 26]), [1.0, 0.1 + 0.9 * (1 - 0.5**0.5), 1.0], rtol=1e-12)
    assert s.numpy(101) == pytest.approx(0.1)  # past the last checkpoint: the floor
    few = pa_port.WSDLrScheduler(1.0, total_steps=100, num_checkpoints=2, lr_min=0.1, num_warmup_steps=0)
    assert few.checkpoint_steps() == [25, 50]
    assert few.numpy(80) == pytest.approx(0.1)  # before T but past the checkpoints: fallback


def _opt(lrs=(0.1, 0.01), wd=(0.0, 0.05)) -> torch.optim.Optimizer:
    groups = [
        {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr, "weight_decay": w}
        for lr, w in zip(lrs, wd, strict=True)
    ]
    return torch.optim.AdamW(groups)


def _trace(opt: torch.optim.Optimizer, sched, n: int, field: str = "lr") -> np.ndarray:
    out = []
    for _ in range(n):
        out.append([g[field] for g in opt.param_groups])
        opt.step()
        sched.step()
    return np.asarray(out, dtype=np.float64)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {
            "num_warmup_epochs": 1,
            "min_lr_ratio": 0.1,
            "k_decay": 1.5,
            "num_cooldown_epochs": 1,
            "warmup_starting_lr_ratio": 0.2,
        },
    ],
)
def test_bridge_cosine_per_group_equals_original(kw):
    o1, o2 = _opt(), _opt()
    want = _trace(o1, OrigCosine(o1, 6, 7, **kw), 50)
    got = _trace(o2, tb.CosineLrScheduler(o2, 6, 7, **kw), 50)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-18)


def test_bridge_wsd_per_group_equals_original():
    kw = {
        "total_steps": 80,
        "num_warmup_steps": 8,
        "decay_phase_ratio": 0.25,
        "lr_min": 0.05,
        "warmup_starting_lr": 1e-3,
        "num_checkpoints": 2,
    }
    o1, o2 = _opt(), _opt()
    want = _trace(o1, OrigWSD(o1, **kw), 90)
    got = _trace(o2, tb.WSDLrScheduler(o2, **kw), 90)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(ValueError, match="should not exceed maximum base learning rate"):
        tb.WSDLrScheduler(_opt(), total_steps=10, warmup_starting_lr=0.5)
    with pytest.raises(ValueError, match="should not exceed maximum base learning rate"):
        OrigWSD(_opt(), total_steps=10, warmup_starting_lr=0.5)


def test_bridge_param_group_field_weight_decay():
    opt = _opt()
    sched = tb.CosineLrScheduler(opt, 4, 5, lr_min=0.0, param_group_field="weight_decay")
    got = _trace(opt, sched, 25, field="weight_decay")
    port = pa_port.CosineLrScheduler(0.05, 4, 5, lr_min=0.0)
    np.testing.assert_allclose(got[:, 1], port.numpy(np.arange(25)), rtol=1e-15)
    assert opt.param_groups[1]["initial_weight_decay"] == 0.05
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]  # the LR is untouched


def test_bridge_step_update_is_stateless():
    opt = _opt()
    sched = tb.CosineLrScheduler(opt, 3, 4)
    sched.step_update(5)
    o2 = _opt()
    orig = OrigCosine(o2, 3, 4)
    orig.step_update(5)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([g["lr"] for g in o2.param_groups], rel=1e-13)


def test_wsd_resume_original_loses_count_ours_keeps_it():
    kw = {
        "total_steps": 60,
        "num_warmup_steps": 10,
        "decay_phase_ratio": 0.2,
        "lr_min": 0.1,
        "warmup_starting_lr": 0.0,
    }
    port = pa_port.WSDLrScheduler(1.0, **kw)
    r = 25

    def resumed(make):
        opt = _opt((1.0,), (0.0,))
        sched = make(opt)
        for _ in range(r):
            opt.step()
            sched.step()
        sd, osd = sched.state_dict(), opt.state_dict()
        opt = _opt((1.0,), (0.0,))
        sched = make(opt)
        sched.load_state_dict(sd)
        opt.load_state_dict(osd)
        return _trace(opt, sched, 30)[:, 0]

    # The original restarts its count: what jaxsched.shift(port, r) describes.
    np.testing.assert_allclose(
        resumed(lambda o: OrigWSD(o, **kw)),
        jaxsched.shift(port, r).numpy(np.arange(r, r + 30)),
        rtol=1e-12,
    )
    # torch_bridge keeps counting: the uninterrupted curve (from the restored lr, then step r+1 on).
    got = resumed(lambda o: tb.WSDLrScheduler(o, **kw))
    np.testing.assert_allclose(got[1:], port.numpy(np.arange(r + 1, r + 30)), rtol=1e-12)


@given(cosine_configs, st.integers(0, 40))
def test_bridge_cosine_resume_with_last_epoch(cfg, k):
    total = cfg["total_num_epochs"] * cfg["num_update_steps_per_epoch"]
    assume(k <= total + 2)
    lr = cfg.pop("lr")
    opt = _opt((lr,), (0.0,))
    sched = tb.CosineLrScheduler(opt, **cfg, last_epoch=k)
    port = pa_port.CosineLrScheduler(lr, **cfg)
    assert opt.param_groups[0]["lr"] == pytest.approx(float(port.numpy(k)), rel=1e-14, abs=1e-300)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(float(port.numpy(k + 1)), rel=1e-14, abs=1e-300)


def test_bad_input():
    with pytest.raises(ValueError, match="total_num_epochs"):
        pa_port.CosineLrScheduler(0.1, 0, 10)
    with pytest.raises(ValueError, match="num_update_steps_per_epoch"):
        pa_port.CosineLrScheduler(0.1, 10, 0)
    with pytest.raises(ValueError, match="lr_min"):
        pa_port.CosineLrScheduler(0.1, 10, 10, lr_min=-1.0)
    with pytest.raises(ValueError, match="k_decay"):
        pa_port.CosineLrScheduler(0.1, 10, 10, k_decay=0.0)
    with pytest.raises(ValueError, match="Only num_epochs"):
        pa_port.WSDLrScheduler(0.1, num_epochs=2, num_update_steps_per_epoch=3, total_steps=6)
    with pytest.raises(ValueError, match="total_steps"):
        pa_port.WSDLrScheduler(0.1)
    with pytest.raises(ValueError, match="too large"):
        pa_port.WSDLrScheduler(0.1, total_steps=100, num_checkpoints=2, decay_phase_ratio=0.5)
    with pytest.raises(ValueError, match="lr_min"):  # the original divides by lr_min = 0
        pa_port.WSDLrScheduler(0.1, total_steps=100, lr_min=0.0, use_inverse_sqrt_decay=False)
    with pytest.raises(ValueError, match="total_steps"):  # T // 4 == 0: the original divides by zero
        pa_port.WSDLrScheduler(0.1, total_steps=3, num_checkpoints=2)
    for bad in (float("nan"), float("inf"), "abc"):
        with pytest.raises((ValueError, TypeError)):
            pa_port.CosineLrScheduler(bad, 10, 10)
    # Zero-length decay: the original divides by zero past the end; the port holds the floor.
    s = pa_port.WSDLrScheduler(1.0, total_steps=10, decay_phase_ratio=0.0, lr_min=0.2, num_warmup_steps=0)
    assert s.numpy([9, 10, 11, 12]).tolist() == [1.0, 1.0, 0.2, 0.2]


def test_config_round_trip():
    for cls in (pa_port.CosineLrScheduler, pa_port.WSDLrScheduler):
        for ex in cls.examples:
            s = cls(**ex)
            assert jaxsched.from_config(s.to_config()) == s
