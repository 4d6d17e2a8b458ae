"""reduce_on_plateau (optax) and torch_bridge.ReduceLROnPlateau against torch's ReduceLROnPlateau."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import ScheduleArgumentError
from jaxsched._plateau import reduce_on_plateau
from torch_bridge import ReduceLROnPlateau

LS = torch.optim.lr_scheduler


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    return {
        "mode": draw(st.sampled_from(["min", "max"])),
        "factor": draw(st.sampled_from([0.1, 0.5, 0.9]) | st.floats(0.0, 0.99)),
        "patience": draw(st.integers(0, 4)),
        "threshold": draw(st.sampled_from([1e-4, 0.0, 0.05, 0.5])),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "cooldown": draw(st.integers(0, 3)),
        "min_lr": draw(st.sampled_from([0.0, 1e-4, 0.02])),
        "eps": draw(st.sampled_from([1e-8, 0.0, 1e-3])),
    }


# Plateaus, noise, repeats and negative values (where torch's "rel" mode is wrong-signed).
metric_lists = st.lists(
    st.sampled_from([1.0, 0.5, 0.49995, -1.0, 2.0]) | st.floats(-3, 3, allow_nan=False),
    min_size=1, max_size=40,
)


def _groups() -> torch.optim.Optimizer:
    p = [torch.nn.Parameter(torch.zeros(1)) for _ in range(2)]
    return torch.optim.SGD([{"params": [p[0]], "lr": 0.1}, {"params": [p[1]], "lr": 0.003}],
                           momentum=0.9, weight_decay=0.01)


def torch_lrs(cfg: dict[str, Any], metrics: list[float]) -> np.ndarray:
    opt = _groups()
    sched = LS.ReduceLROnPlateau(opt, **cfg)
    out = []
    for m in metrics:
        sched.step(m)
        out.append([g["lr"] for g in opt.param_groups])
    return np.array(out)


@given(cfg=configs(), metrics=metric_lists)
def test_torch_bridge_equals_torch_exactly(cfg: dict[str, Any], metrics: list[float]) -> None:
    want = torch_lrs(cfg, metrics)
    opt = _groups()
    sched = ReduceLROnPlateau(opt, **cfg)
    assert isinstance(sched, LS.ReduceLROnPlateau)
    got = []
    for m in metrics:
        sched.step(torch.tensor(m, dtype=torch.float64))
        got.append([g["lr"] for g in opt.param_groups])
    np.testing.assert_array_equal(np.array(got), want)
    assert sched.get_last_lr() == list(want[-1])
    # the same machine on another field: weight decay 0.01 behaves like an lr of 0.1 scaled by 0.1
    opt = _groups()
    wd = ReduceLROnPlateau(opt, field="weight_decay",
                           **{**cfg, "min_lr": cfg["min_lr"] * 0.1, "eps": cfg["eps"] * 0.1})
    for m in metrics:
        wd.step(m)
    assert opt.param_groups[0]["lr"] == 0.1  # lr untouched
    assert opt.param_groups[0]["weight_decay"] == pytest.approx(want[-1][0] * 0.1, rel=1e-9)


@given(cfg=configs(), metrics=metric_lists)
def test_optax_transform_equals_torch_under_x64(cfg: dict[str, Any], metrics: list[float]) -> None:
    want = torch_lrs(cfg, metrics)[:, 0]
    with jax.enable_x64(True):
        tx = reduce_on_plateau(0.1, **cfg)
        params = jnp.ones(3)
        state = tx.init(params)
        got, scaled = [], []
        for m in metrics:
            upd, state = tx.update(jnp.ones(3), state, params, value=m)
            got.append(float(state.lr))
            scaled.append(float(upd[0]))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(scaled, want / 0.1, rtol=1e-15)


def test_optax_transform_jits_and_chains() -> None:
    cfg: dict[str, Any] = {"patience": 1, "factor": 0.5, "cooldown": 1}
    metrics = [1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5]
    want = [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]  # the reference's recorded trace
    np.testing.assert_allclose(torch_lrs(cfg, metrics)[:, 0], want)
    tx = optax.chain(optax.sgd(0.1), reduce_on_plateau(**cfg))
    params = {"w": jnp.ones(2)}
    state = tx.init(params)
    step = jax.jit(lambda g, s, v: tx.update(g, s, params, value=v))
    lrs = []
    for m in metrics:
        upd, state = step({"w": jnp.ones(2)}, state, m)
        lrs.append(-float(upd["w"][0]))
    np.testing.assert_allclose(lrs, want, rtol=1e-6)
    assert isinstance(reduce_on_plateau(), optax.GradientTransformationExtraArgs)
    assert jaxsched.reduce_on_plateau is reduce_on_plateau if hasattr(jaxsched, "reduce_on_plateau") \
        else True


@pytest.mark.parametrize(("argument", "kwargs"), [
    ("factor", {"factor": 1.0}),
    ("factor", {"factor": 1.5}),
    ("mode", {"mode": "avg"}),
    ("threshold_mode", {"threshold_mode": "pct"}),
])
def test_validation_uses_torchs_message(argument: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as torch_err:
        LS.ReduceLROnPlateau(_groups(), **kwargs)
    for build in (lambda: reduce_on_plateau(**kwargs), lambda: ReduceLROnPlateau(_groups(), **kwargs)):
        with pytest.raises(ScheduleArgumentError) as ours:
            build()
        assert ours.value.argument == argument
        assert str(torch_err.value) in str(ours.value)


def test_other_validation() -> None:
    with pytest.raises(ScheduleArgumentError, match="patience"):
        reduce_on_plateau(patience=-1)
    with pytest.raises(ScheduleArgumentError, match="lr"):
        reduce_on_plateau(0.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        ReduceLROnPlateau(_groups(), min_lr=[0.0])
    with pytest.raises(KeyError, match="momentum"):
        ReduceLROnPlateau(torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))]), field="momentum")


def test_state_dict_round_trip() -> None:
    cfg: dict[str, Any] = {"patience": 1, "factor": 0.5, "cooldown": 2}
    opt = _groups()
    a = ReduceLROnPlateau(opt, **cfg)
    for m in [3, 2, 2, 2]:
        a.step(m)
    sd, osd = a.state_dict(), opt.state_dict()
    opt2 = _groups()
    b = ReduceLROnPlateau(opt2, **cfg)
    b.load_state_dict(sd)
    opt2.load_state_dict(osd)
    for m in [2, 2, 2, 2, 1]:
        a.step(m)
        b.step(m)
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in opt2.param_groups]
