"""reduce_on_plateau (optax) and torch_bridge.ReduceLROnPlateau against torch's ReduceLROnPlateau."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from hypothesis import given, settings
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
        # not below 1e-6: x * 1e-308 is subnormal, which XLA flushes to zero and torch keeps (documented)
        "factor": draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]) | st.floats(1e-6, 0.99)),
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
    min_size=1,
    max_size=40,
)


def _groups() -> torch.optim.Optimizer:
    p = [torch.nn.Parameter(torch.zeros(1)) for _ in range(2)]
    return torch.optim.SGD(
        [{"params": [p[0]], "lr": 0.1}, {"params": [p[1]], "lr": 0.003}], momentum=0.9, weight_decay=0.01
    )


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
    wd = ReduceLROnPlateau(
        opt, field="weight_decay", **{**cfg, "min_lr": cfg["min_lr"] * 0.1, "eps": cfg["eps"] * 0.1}
    )
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
    assert jaxsched.reduce_on_plateau is reduce_on_plateau if hasattr(jaxsched, "reduce_on_plateau") else True


@pytest.mark.parametrize(
    ("argument", "kwargs"),
    [
        ("factor", {"factor": 1.0}),
        ("factor", {"factor": 1.5}),
        ("mode", {"mode": "avg"}),
        ("threshold_mode", {"threshold_mode": "pct"}),
    ],
)
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


# -- issue 13 item 4: per-update use must not collapse the LR -----------------------------------------------


def _run(tx: Any, values: list[float], jit: bool = False) -> list[float]:
    """state.lr after each update fed ``values`` (x64 when the caller enabled it)."""
    params = jnp.zeros(1)
    state = tx.init(params)
    update = (
        jax.jit(lambda s, m: tx.update(jnp.ones(1), s, params, value=m))
        if jit
        else (lambda s, m: tx.update(jnp.ones(1), s, params, value=m))
    )
    out = []
    for m in values:
        upd, state = update(state, m)
        assert float(upd[0]) == pytest.approx(float(state.scale), rel=1e-6)
        out.append(float(state.lr))
    return out


def test_repeated_metric_between_epochs_collapses_without_gating_and_not_with_it() -> None:
    """Issue 13.4: a validation metric that improves every epoch, passed on all 50 updates of the next
    epoch. Stepping torch's rule on every update (the old documented use) reads the repeats as plateaus:
    four halvings per epoch. ``steps_per_epoch=50`` steps it once per epoch: torch's trace, no reduction."""
    n, epochs = 50, 5
    metrics = [1.0 / (e + 1) for e in range(epochs)]  # metrics[e]: the last metric known in epoch e
    fed = [m for m in metrics for _ in range(n)]
    cfg: dict[str, Any] = {"factor": 0.5, "patience": 10}
    with jax.enable_x64(True):
        every = _run(reduce_on_plateau(0.1, **cfg), fed)
        gated = _run(reduce_on_plateau(0.1, steps_per_epoch=n, **cfg), fed)
    ends = [every[(e + 1) * n - 1] for e in range(epochs)]
    np.testing.assert_allclose(
        ends, [0.00625, 0.000390625, 2.44140625e-05, 1.52587890625e-06, 9.5367431640625e-08]
    )  # the collapse the issue reports
    assert gated == [0.1] * len(fed)
    assert list(torch_lrs(cfg, metrics[1:])[:, 0]) == [0.1] * (epochs - 1)  # torch, once per epoch


@given(cfg=configs(), metrics=metric_lists, n=st.integers(1, 4))
def test_steps_per_epoch_gives_torchs_per_epoch_trace(
    cfg: dict[str, Any], metrics: list[float], n: int
) -> None:
    """With ``steps_per_epoch=n``, state.lr during epoch ``e`` is torch's LR after ``e`` step(metric) calls
    (epoch ``e`` is fed the metric of epoch ``e - 1`` on every update)."""
    want = torch_lrs(cfg, metrics)[:, 0]
    fed = [123.0] * n + [m for m in metrics for _ in range(n)]
    with jax.enable_x64(True):
        got = _run(reduce_on_plateau(0.1, steps_per_epoch=n, **cfg), fed)
    expect = [0.1] * n + [w for w in want for _ in range(n)]
    assert got == expect


def _noisy_falling_loss(steps: int, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    k = np.arange(steps)
    return list(2.0 * np.exp(-k / 300.0) * (1.0 + 0.25 * rng.standard_normal(steps)))


def test_noisy_per_update_loss_collapses_without_accumulation_and_not_with_it() -> None:
    """Issue 13.4: a per-update loss that falls under noise. Stepping torch's rule on every update reads the
    noise as plateaus and the LR falls from 1e-3 by orders of magnitude in 300 updates; averaging 50
    values per step (``accumulation_size=50``) keeps the scale at 1, as ``optax.contrib.reduce_on_plateau``
    with the same accumulation does."""
    losses = _noisy_falling_loss(300)
    assert np.mean(losses[-50:]) < 0.6 * np.mean(losses[:50])  # the loss does fall
    cfg: dict[str, Any] = {"factor": 0.5, "patience": 10}
    every = _run(reduce_on_plateau(1e-3, **cfg), losses, jit=True)
    assert every[-1] < 1e-6
    acc = _run(reduce_on_plateau(1e-3, accumulation_size=50, **cfg), losses, jit=True)
    assert acc == pytest.approx([1e-3] * 300, rel=1e-6)
    contrib = optax.contrib.reduce_on_plateau(factor=0.5, patience=10, accumulation_size=50)
    state = contrib.init(jnp.zeros(1))
    update = jax.jit(lambda s, m: contrib.update(jnp.ones(1), s, value=m))
    for m in losses:
        _, state = update(state, m)
    assert float(state.scale) == 1.0


@settings(max_examples=12)  # each example compiles its update
@given(cfg=configs(), metrics=metric_lists, size=st.integers(1, 4))
def test_accumulation_is_torch_fed_the_window_means(
    cfg: dict[str, Any], metrics: list[float], size: int
) -> None:
    """``accumulation_size=n``: torch's rule stepped with the mean of every ``n`` values, the new LR applied
    from the update that completes the window; the optax transformation (x64) and the torch class agree
    with torch exactly."""
    means = [
        float(np.sum(metrics[i : i + size]) / size) if size > 1 else metrics[i]
        for i in range(0, len(metrics) - size + 1, size)
    ]
    want = [0.1, *torch_lrs(cfg, means)[:, 0]] if means else [0.1]
    expect = [want[(k + 1) // size] for k in range(len(metrics))]
    with jax.enable_x64(True):
        got = _run(reduce_on_plateau(0.1, accumulation_size=size, **cfg), metrics, jit=True)
    assert got == expect
    opt = _groups()
    sched = ReduceLROnPlateau(opt, accumulation_size=size, **cfg)
    lrs = []
    for m in metrics:
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == expect
    assert sched.last_epoch == len(means)


def test_window_arguments_are_checked() -> None:
    for kwargs, argument in [
        ({"accumulation_size": 0}, "accumulation_size"),
        ({"accumulation_size": 2.0}, "accumulation_size"),
        ({"steps_per_epoch": 0}, "steps_per_epoch"),
        ({"steps_per_epoch": 5, "accumulation_size": 5}, "steps_per_epoch"),
    ]:
        with pytest.raises((ScheduleArgumentError, TypeError), match=argument):
            reduce_on_plateau(**kwargs)
    with pytest.raises(ScheduleArgumentError, match="accumulation_size"):
        ReduceLROnPlateau(_groups(), accumulation_size=0)


def test_current_reads_the_plateau_scale() -> None:
    """jaxsched.current: the injected LR times the plateau scale; ``plateau_scale`` alone; and, on a state
    whose LR is only scaled by a plateau, an error that says so (not just "use inject_hyperparams")."""
    lr = jaxsched.linear(1.0, 0.0, 10)
    opt = optax.chain(
        optax.inject_hyperparams(optax.sgd)(learning_rate=lr), reduce_on_plateau(factor=0.5, patience=0)
    )
    state = opt.init({"w": jnp.zeros(2)})
    assert float(jaxsched.current(state)) == 1.0
    for loss in [1.0, 2.0, 3.0]:
        upd, state = opt.update({"w": jnp.ones(2)}, state, value=loss)
    assert float(jaxsched.current(state, "plateau_scale")) == 0.25
    assert float(jaxsched.current(state)) == pytest.approx(float(lr(2)) * 0.25, rel=1e-6)
    assert -float(upd["w"][0]) == pytest.approx(float(jaxsched.current(state)), rel=1e-6)
    bare = optax.chain(optax.sgd(0.1), reduce_on_plateau(factor=0.5, patience=0))
    state = bare.init({"w": jnp.zeros(2)})
    for loss in [1.0, 2.0]:
        _, state = bare.update({"w": jnp.ones(2)}, state, value=loss)
    with pytest.raises(KeyError, match=r"plateau state whose scale is 0\.5.*'plateau_scale'"):
        jaxsched.current(state)
    assert float(jaxsched.current(state, "plateau_scale")) == 0.5
    with pytest.raises(KeyError, match="no reduce_on_plateau state"):
        jaxsched.current(
            optax.inject_hyperparams(optax.sgd)(learning_rate=0.1).init(jnp.zeros(1)), "plateau_scale"
        )
