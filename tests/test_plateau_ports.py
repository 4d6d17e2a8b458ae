"""Metric-driven ports against their installed originals, over the same metric sequences.

timm's ``PlateauLRScheduler`` (``jaxsched.compat.timm.PlateauLRScheduler``,
``torch_bridge.PlateauLRScheduler``) and HF transformers' ``GreedyLR``
(``jaxsched.compat.transformers.GreedyLR``, ``torch_bridge.GreedyLR``): each is driven with the same
metrics as the original, and every LR is compared (exactly: torch side in float64, optax side under
``jax_enable_x64``; float32 within 1e-6 on float32 metrics).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import optimization as hfo

import torch_bridge
from jaxsched import ScheduleArgumentError
from jaxsched.compat import timm as ct
from jaxsched.compat import transformers as ch
from tests._timm_import import timm_scheduler


def _opt(lrs: tuple[float, ...] = (0.1, 0.03), lr_scale: float | None = None) -> torch.optim.Optimizer:
    groups: list[dict[str, Any]] = []
    for i, lr in enumerate(lrs):
        g: dict[str, Any] = {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}
        if lr_scale is not None and i == len(lrs) - 1:
            g["lr_scale"] = lr_scale
        groups.append(g)
    return torch.optim.SGD(groups, momentum=0.9)


def _lrs(opt: torch.optim.Optimizer) -> list[float]:
    return [float(g["lr"]) for g in opt.param_groups]


def _optax_lrs(tx: Any, metrics: list[float], *, x64: bool = True) -> list[float]:
    with jax.enable_x64(x64):
        params = jnp.zeros(1)
        state = tx.init(params)
        update = jax.jit(lambda s, m: tx.update(jnp.ones(1), s, params, value=m))
        out = [float(state.lr)]
        for m in metrics:
            upd, state = update(state, m)
            out.append(float(state.lr))
            assert float(upd[0]) == pytest.approx(float(state.scale), rel=1e-6)
    return out


metric_lists = st.lists(
    st.sampled_from([0.5, 0.6, 0.7, 0.60001]) | st.floats(-2, 2, allow_nan=False), min_size=1, max_size=40
)

# -- timm PlateauLRScheduler ---------------------------------------------------------------------------------


@st.composite
def timm_configs(draw: Any) -> dict[str, Any]:
    return {
        "decay_rate": draw(st.sampled_from([0.1, 0.5, 0.9])),
        "patience_t": draw(st.integers(0, 3)),
        "threshold": draw(st.sampled_from([1e-4, 0.0, 0.05])),
        "cooldown_t": draw(st.integers(0, 2)),
        "warmup_t": draw(st.integers(0, 4)),
        "warmup_lr_init": draw(st.sampled_from([0.0, 1e-4, 0.02])),
        "lr_min": draw(st.sampled_from([0.0, 1e-3])),
        "mode": draw(st.sampled_from(["min", "max"])),
    }


def timm_trace(cfg: dict[str, Any], metrics: list[Any], lr_scale: float | None = None) -> list[list[float]]:
    opt = _opt(lr_scale=lr_scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # timm deprecates its plateau scheduler
        sched = timm_scheduler().PlateauLRScheduler(opt, **cfg)
    out = [_lrs(opt)]
    for epoch, m in enumerate(metrics, start=1):
        sched.step(epoch, m)
        out.append(_lrs(opt))
    return out


@given(cfg=timm_configs(), metrics=metric_lists, scaled=st.booleans())
def test_timm_plateau_torch_bridge_equals_timm(
    cfg: dict[str, Any], metrics: list[float], scaled: bool
) -> None:
    metrics = [None if i % 7 == 3 else m for i, m in enumerate(metrics)]  # metric=None skips the rule
    want = timm_trace(cfg, metrics, 0.5 if scaled else None)
    opt = _opt(lr_scale=0.5 if scaled else None)
    sched = torch_bridge.PlateauLRScheduler(opt, **cfg)
    got = [_lrs(opt)]
    for epoch, m in enumerate(metrics, start=1):
        sched.step(epoch, m)
        sched.step_update(epoch * 10, m)  # a no-op, as timm's
        got.append(_lrs(opt))
    assert got == want


# Each optax example compiles its own update (about 0.5 s): fewer examples than the torch-side tests.
@settings(max_examples=12)
@given(cfg=timm_configs(), metrics=metric_lists)
def test_timm_plateau_optax_equals_timm(cfg: dict[str, Any], metrics: list[float]) -> None:
    want = [row[0] for row in timm_trace(cfg, metrics)]
    assert _optax_lrs(ct.PlateauLRScheduler(0.1, **cfg), metrics) == want


FIXED_METRICS = [0.5, 0.6, 0.6, 0.6, 0.6, 0.61, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.65, 0.8, 0.8, 0.8, 0.8, 0.8]


@pytest.mark.parametrize(
    "cfg",
    [
        {"decay_rate": 0.5, "patience_t": 1, "warmup_t": 3, "warmup_lr_init": 1e-4, "cooldown_t": 1},
        {"decay_rate": 0.1, "patience_t": 0, "mode": "min", "lr_min": 1e-4},
    ],
)
def test_timm_plateau_optax_float32(cfg: dict[str, Any]) -> None:
    metrics = [float(np.float32(m)) for m in FIXED_METRICS]  # what float32 carries
    want = [row[0] for row in timm_trace(cfg, metrics)]
    assert len(set(want)) > 2
    np.testing.assert_allclose(
        _optax_lrs(ct.PlateauLRScheduler(0.1, **cfg), metrics, x64=False), want, rtol=1e-6, atol=0
    )


def test_timm_plateau_per_update_with_steps_per_epoch() -> None:
    """Per-update optax use: with ``steps_per_epoch`` the rule steps on each epoch's first update with the
    last epoch's metric, so the LR of epoch ``e`` is timm's after ``step(e, metric)``."""
    cfg = {"decay_rate": 0.5, "patience_t": 1, "warmup_t": 2, "warmup_lr_init": 1e-3}
    metrics = [0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7]
    want = [row[0] for row in timm_trace(cfg, metrics)]
    n = 3
    fed = [0.0] * n + [m for m in metrics for _ in range(n)]
    got = _optax_lrs(ct.PlateauLRScheduler(0.1, steps_per_epoch=n, **cfg), fed)
    assert got[1:] == [w for w in want for _ in range(n)]
    assert len(set(want)) > 3  # warmup and reductions both happen


def test_timm_plateau_state_round_trip_and_refusals() -> None:
    cfg = {"decay_rate": 0.5, "patience_t": 1, "cooldown_t": 1}
    opt = _opt()
    a = torch_bridge.PlateauLRScheduler(opt, **cfg)
    for e, m in enumerate([0.5, 0.4, 0.4, 0.4], start=1):
        a.step(e, m)
    buf = io.BytesIO()
    torch.save(a.state_dict(), buf)
    buf.seek(0)
    sd = torch.load(buf, weights_only=True)
    opt2 = _opt()
    b = torch_bridge.PlateauLRScheduler(opt2, **cfg)  # construction writes the base LRs, as timm's
    opt2.load_state_dict(opt.state_dict())
    b.load_state_dict(sd)
    for e, m in enumerate([0.4, 0.4, 0.6, 0.4, 0.4], start=5):
        a.step(e, m)
        b.step(e, m)
        assert _lrs(opt) == _lrs(opt2)
    with pytest.raises(ScheduleArgumentError, match="noise_range_t"):
        torch_bridge.PlateauLRScheduler(_opt(), noise_range_t=10)
    with pytest.raises(ScheduleArgumentError, match="noise_range_t"):
        ct.PlateauLRScheduler(0.1, noise_range_t=[2, 5])
    with pytest.raises(ScheduleArgumentError, match=r"decay_rate|factor"):
        ct.PlateauLRScheduler(0.1, decay_rate=1.5)
    with pytest.raises(KeyError, match="initial_lr"):
        torch_bridge.PlateauLRScheduler(_opt(), initialize=False)
    c = torch_bridge.PlateauLRScheduler(opt2, initialize=False, **cfg)  # initial_lr is there now
    assert c.base_values == [0.1, 0.03] and _lrs(opt2) == [0.1, 0.03]


# -- HF GreedyLR ---------------------------------------------------------------------------------------------


@st.composite
def greedy_configs(draw: Any) -> dict[str, Any]:
    return {
        "mode": draw(st.sampled_from(["min", "max"])),
        "factor": draw(st.sampled_from([0.5, 0.95]) | st.floats(0.05, 0.99)),
        "patience": draw(st.integers(0, 3)),
        "threshold": draw(st.sampled_from([1e-6, 0.0, 0.05])),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "cooldown": draw(st.integers(0, 2)),
        "warmup": draw(st.integers(0, 2)),
        "min_lr": draw(st.sampled_from([1e-3, 0.02, 0.05])),
        "max_lr": draw(st.sampled_from([0.2, 1.0])),
        "eps": draw(st.sampled_from([1e-8, 0.0, 1e-3])),
        "smooth": draw(st.booleans()),
        "window_size": draw(st.integers(1, 4)),
        "reset_start": draw(st.integers(-1, 3)),
    }


walks = st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=60).map(
    lambda xs: [float(x) for x in np.cumsum(xs)]
)


def greedy_trace(
    cfg: dict[str, Any], metrics: list[float], lrs: tuple[float, ...] = (0.1, 0.03)
) -> list[list[float]]:
    opt = _opt(lrs)
    sched = hfo.GreedyLR(opt, **cfg)
    out = [_lrs(opt)]
    for m in metrics:
        sched.step(m)
        out.append(_lrs(opt))
    return out


@given(cfg=greedy_configs(), metrics=walks, per_group=st.booleans())
def test_greedy_torch_bridge_equals_hf(cfg: dict[str, Any], metrics: list[float], per_group: bool) -> None:
    if per_group:
        cfg = cfg | {"min_lr": [cfg["min_lr"], 1e-3], "max_lr": [cfg["max_lr"], 0.5]}
    want = greedy_trace(cfg, metrics)
    opt = _opt()
    sched = torch_bridge.GreedyLR(opt, **cfg)
    got = [_lrs(opt)]
    for m in metrics:
        sched.step(torch.tensor(m, dtype=torch.float64))
        got.append(_lrs(opt))
    assert got == want
    assert sched.get_last_lr() == want[-1]


@settings(max_examples=12)
@given(cfg=greedy_configs(), metrics=walks)
def test_greedy_optax_equals_hf(cfg: dict[str, Any], metrics: list[float]) -> None:
    want = [row[0] for row in greedy_trace(cfg, metrics, (0.1,))]
    assert _optax_lrs(ch.GreedyLR(0.1, **cfg), metrics) == want


@pytest.mark.parametrize(
    "cfg",
    [
        {"factor": 0.5, "patience": 1, "min_lr": 0.01, "max_lr": 0.5},
        {
            "factor": 0.8,
            "patience": 0,
            "mode": "max",
            "threshold_mode": "rel",
            "threshold": 0.01,
            "smooth": True,
            "window_size": 3,
            "cooldown": 1,
            "warmup": 1,
            "reset_start": 1,
            "min_lr": 0.05,
        },
    ],
)
def test_greedy_optax_float32(cfg: dict[str, Any]) -> None:
    metrics = [float(np.float32(m)) for m in FIXED_METRICS + FIXED_METRICS[::-1]]
    want = [row[0] for row in greedy_trace(cfg, metrics, (0.1,))]
    assert len(set(want)) > 2
    np.testing.assert_allclose(
        _optax_lrs(ch.GreedyLR(0.1, **cfg), metrics, x64=False), want, rtol=1e-6, atol=0
    )


def test_greedy_through_get_scheduler_and_state_round_trip() -> None:
    kw = {"factor": 0.5, "patience": 1, "min_lr": 0.01, "smooth": True, "window_size": 3, "reset_start": 2}
    metrics = [1.0, 0.9, 0.8, 0.8, 0.8, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.2]
    opt = _opt((0.1,))
    ref = hfo.get_scheduler("greedy", opt, scheduler_specific_kwargs=kw)
    want = [0.1]
    for m in metrics:
        ref.step(m)
        want.append(opt.param_groups[0]["lr"])
    assert _optax_lrs(ch.get_scheduler("greedy", 0.1, scheduler_specific_kwargs=kw), metrics) == want
    assert len(set(want)) >= 3
    # torch side: a state saved half-way loads (weights_only) into a fresh scheduler and continues equally
    opt = _opt((0.1,))
    a = torch_bridge.GreedyLR(opt, **kw)
    for m in metrics[:7]:
        a.step(m)
    buf = io.BytesIO()
    torch.save(a.state_dict(), buf)
    buf.seek(0)
    opt2 = _opt((0.1,))
    b = torch_bridge.GreedyLR(opt2, **kw)
    b.load_state_dict(torch.load(buf, weights_only=True))
    opt2.load_state_dict(opt.state_dict())
    for m in metrics[7:]:
        a.step(m)
        b.step(m)
        assert _lrs(opt) == _lrs(opt2)
    assert _lrs(opt) == [want[-1]]
    with pytest.raises(ValueError, match="factor"):
        b.load_state_dict(a.state_dict() | {"factor": 0.9})


@pytest.mark.parametrize(
    ("kwargs", "argument", "hf_message"),
    [
        ({"factor": 1.0}, "factor", "Factor should be < 1.0."),
        ({"mode": "avg"}, "mode", "mode avg is unknown!"),
        ({"threshold_mode": "pct"}, "threshold_mode", "threshold mode pct is unknown!"),
        ({"factor": 0.0}, "factor", None),  # HF divides by it at the first increase
        ({"smooth": True, "window_size": 0}, "window_size", None),  # HF divides by zero at the first step
    ],
)
def test_greedy_refusals(kwargs: dict[str, Any], argument: str, hf_message: str | None) -> None:
    if hf_message is not None:
        with pytest.raises(ValueError, match=hf_message):
            hfo.GreedyLR(_opt(), **kwargs)
    for build in (lambda: ch.GreedyLR(0.1, **kwargs), lambda: torch_bridge.GreedyLR(_opt(), **kwargs)):
        with pytest.raises(ScheduleArgumentError) as err:
            build()
        assert err.value.argument == argument
        if hf_message is not None:
            assert hf_message in str(err.value)
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        torch_bridge.GreedyLR(_opt(), min_lr=[0.1])
