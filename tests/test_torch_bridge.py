"""torch_bridge.ScheduleLR, to_torch and from_torch against real torch optimizers and schedulers."""

from __future__ import annotations

import io
import tracemalloc
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references.torch import torch_curve
from jaxsched.compat import torch as tp
from torch_bridge import ConversionError, ScheduleLR, ScheduleOverrideWarning, as_lambda, from_torch, to_torch

LS = torch.optim.lr_scheduler

# Most tests drive absolute values on an optimizer configured otherwise, on purpose; the warning about it
# is tested in test_absolute_mode_warns_when_the_configured_value_is_replaced.
pytestmark = pytest.mark.filterwarnings("ignore::torch_bridge.ScheduleOverrideWarning")

SCHEDULES = [
    jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=10, decay_steps=100, end_value=1e-5),
    jaxsched.cosine_restarts(0.1, first_period=7, period_mult=2.0),
    jaxsched.warmup_stable_decay(
        peak_value=0.01, warmup_steps=5, total_steps=60, decay_steps=0.2, decay_shape="1-sqrt"
    ),
    jaxsched.join([jaxsched.linear(0.0, 1.0, 5), jaxsched.constant(0.3)], [5]),
    tp.OneCycleLR(0.1, total_steps=50),
]


def _params(n: int = 2) -> list[torch.nn.Parameter]:
    return [torch.nn.Parameter(torch.zeros(2)) for _ in range(n)]


def _sgd(lrs: tuple[float, ...] = (0.1,), **kw: Any) -> torch.optim.Optimizer:
    return torch.optim.SGD(
        [{"params": [p], "lr": lr} for p, lr in zip(_params(len(lrs)), lrs, strict=True)], **kw
    )


def _run(opt: torch.optim.Optimizer, sched: Any, n: int, read: Any) -> list[Any]:
    out = [read(opt)]
    for _ in range(n - 1):
        opt.step()
        sched.step()
        out.append(read(opt))
    return out


def lr0(opt: torch.optim.Optimizer) -> float:
    return opt.param_groups[0]["lr"]


steps_st = st.integers(1, 300)
schedule_st = st.sampled_from(SCHEDULES)


# -- ScheduleLR ---------------------------------------------------------------------------------------


@given(s=schedule_st, n=steps_st, block=st.sampled_from([1, 7, 64, 2048]))
def test_lr_equals_numpy_curve_exactly(s: jaxsched.Schedule, n: int, block: int) -> None:
    opt = _sgd()
    sched = ScheduleLR(opt, s, block_size=block)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _run(opt, sched, n, lr0)
    np.testing.assert_array_equal(got, s.numpy(np.arange(n)))
    assert sched.get_last_lr() == [got[-1]]
    assert sched.last_epoch == n - 1
    assert isinstance(sched, LS.LRScheduler)


def test_any_field() -> None:
    wd = jaxsched.cosine_decay(0.05, 20)
    b1 = tp.OneCycleLR(0.1, total_steps=20).momentum()
    b2 = jaxsched.linear(0.9, 0.999, 10)
    p = _params(1)
    opt = torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05, betas=(0.9, 0.95))
    s_wd = ScheduleLR(opt, wd, field="weight_decay")
    s_b1 = ScheduleLR(opt, b1, field="betas[0]")
    s_b2 = ScheduleLR(opt, b2, field="betas[1]")
    got: list[tuple[float, float, float, float]] = []
    for _ in range(20):
        g = opt.param_groups[0]
        got.append((g["weight_decay"], g["betas"][0], g["betas"][1], g["lr"]))
        p[0].grad = torch.ones(2)
        opt.step()  # AdamW accepts the tuple we write
        for s in (s_wd, s_b1, s_b2):
            s.step()
    arr = np.array(got)
    k = np.arange(20)
    np.testing.assert_array_equal(arr[:, 0], wd.numpy(k))
    np.testing.assert_array_equal(arr[:, 1], b1.numpy(k))
    np.testing.assert_array_equal(arr[:, 2], b2.numpy(k))
    assert np.all(arr[:, 3] == 1e-3)  # lr untouched
    assert s_wd.get_last_lr() == [1e-3] and s_wd.get_last_value() == [float(wd.numpy(19 + 1))]

    sgd = _sgd(momentum=0.9)
    m = tp.CyclicLR(0.01, 0.1, step_size_up=3).momentum()
    sched = ScheduleLR(sgd, m, field="momentum")
    np.testing.assert_array_equal(
        _run(sgd, sched, 15, lambda o: o.param_groups[0]["momentum"]), m.numpy(np.arange(15))
    )


def test_momentum_curve_matches_torchs_own_cycling() -> None:
    port = tp.CyclicLR(0.01, 0.1, step_size_up=3, step_size_down=5, mode="triangular2")
    want = torch_curve(port, 30, field="momentum")
    opt = _sgd(momentum=0.5)
    sched = ScheduleLR(opt, port.momentum(), field="momentum")
    np.testing.assert_allclose(
        _run(opt, sched, 30, lambda o: o.param_groups[0]["momentum"]), want, rtol=1e-12
    )


def test_per_group_and_multiplier() -> None:
    a, b = jaxsched.linear(1.0, 0.0, 10), jaxsched.cosine_decay(1.0, 10)
    opt = _sgd((0.1, 0.02))
    sched = ScheduleLR(opt, [a, b], multiplier=True)
    got = np.array(_run(opt, sched, 12, lambda o: [g["lr"] for g in o.param_groups]))
    k = np.arange(12)
    np.testing.assert_array_equal(got[:, 0], 0.1 * a.numpy(k))
    np.testing.assert_array_equal(got[:, 1], 0.02 * b.numpy(k))
    # multiplier mode is exactly torch's LambdaLR
    opt2 = _sgd((0.1, 0.02))
    lam = LS.LambdaLR(opt2, [as_lambda(a), as_lambda(b)])
    np.testing.assert_array_equal(got, _run(opt2, lam, 12, lambda o: [g["lr"] for g in o.param_groups]))
    with pytest.raises(ValueError, match="expected 2 schedules"):
        ScheduleLR(_sgd((0.1, 0.2)), [a])
    with pytest.raises(TypeError, match=r"schedule\[0\]"):
        ScheduleLR(_sgd(), [lambda k: 1.0])  # type: ignore[list-item]
    with pytest.raises(KeyError, match="momentum"):
        ScheduleLR(torch.optim.Adam(_params(1)), a, field="momentum")
    with pytest.raises(ValueError, match="no entry 2"):
        ScheduleLR(torch.optim.Adam(_params(1)), a, field="betas[2]")
    with pytest.raises(TypeError, match="not an Optimizer"):
        ScheduleLR(object(), a)  # type: ignore[arg-type]


def test_tensor_lr_is_filled_in_place() -> None:
    p = _params(1)
    opt = torch.optim.Adam(p, lr=torch.tensor(0.1))
    held = opt.param_groups[0]["lr"]
    s = jaxsched.linear(0.1, 0.0, 5)
    sched = ScheduleLR(opt, s)
    for _ in range(3):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] is held
    assert float(held) == pytest.approx(float(s.numpy(3)))
    assert isinstance(sched.get_last_lr()[0], torch.Tensor)


def test_warnings_like_torch() -> None:
    opt = _sgd()
    sched = ScheduleLR(opt, SCHEDULES[0])
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched.step(40)
    assert lr0(opt) == float(SCHEDULES[0].numpy(40)) and sched.last_epoch == 40
    opt.step()
    sched.step()
    assert lr0(opt) == float(SCHEDULES[0].numpy(41))


@given(
    s=schedule_st,
    k=st.integers(0, 120),
    more=st.integers(1, 60),
    mult=st.booleans(),
    field=st.sampled_from(["lr", "weight_decay"]),
)
def test_resume_gives_the_identical_remaining_curve(
    s: jaxsched.Schedule, k: int, more: int, mult: bool, field: str
) -> None:
    def make(last_epoch: int = -1, opt_state: dict[str, Any] | None = None) -> tuple[Any, Any]:
        opt = torch.optim.SGD(
            [
                {"params": _params(1), "lr": 0.1, "weight_decay": 0.01},
                {"params": _params(1), "lr": 0.05, "weight_decay": 0.02},
            ]
        )
        if opt_state is not None:
            opt.load_state_dict(opt_state)
        return opt, ScheduleLR(opt, s, field=field, multiplier=mult, last_epoch=last_epoch)

    def read(o: torch.optim.Optimizer) -> list[float]:
        return [g[field] for g in o.param_groups]

    opt, sched = make()
    full = _run(opt, sched, k + more + 1, read)
    opt, sched = make()
    _run(opt, sched, k + 1, read)
    buf = io.BytesIO()
    torch.save({"sched": sched.state_dict(), "opt": opt.state_dict()}, buf)
    buf.seek(0)
    saved = torch.load(buf, weights_only=True)  # plain values only

    # Path 1: construct, then load the scheduler and the optimizer state.
    opt1, sched1 = make()
    sched1.load_state_dict(saved["sched"])
    opt1.load_state_dict(saved["opt"])
    assert read(opt1) == full[k]
    assert _run(opt1, sched1, more + 1, read) == full[k:]
    # Path 2: the optimizer state, then construct with last_epoch=k.
    opt2, sched2 = make(last_epoch=k, opt_state=saved["opt"])
    assert read(opt2) == full[k] and sched2.last_epoch == k
    assert _run(opt2, sched2, more + 1, read) == full[k:]


def test_inside_torch_sequential_and_chained() -> None:
    a = jaxsched.linear(0.01, 0.1, 5)
    b = jaxsched.cosine_decay(0.1, 20)
    opt = _sgd()
    seq = LS.SequentialLR(opt, [ScheduleLR(opt, a), ScheduleLR(opt, b)], milestones=[5])
    got = _run(opt, seq, 30, lr0)
    want = tp.SequentialLR([a, b], [5]).numpy(np.arange(30))
    np.testing.assert_array_equal(got, want)
    # mixed with torch's own classes, and milestone 0
    opt = _sgd()
    seq = LS.SequentialLR(
        opt, [LS.StepLR(opt, 2), ScheduleLR(opt, a), LS.ExponentialLR(opt, 0.9)], milestones=[0, 8]
    )
    port = tp.SequentialLR([tp.StepLR(0.1, 2), a, tp.ExponentialLR(0.1, 0.9)], [0, 8])
    np.testing.assert_allclose(_run(opt, seq, 20, lr0), port.numpy(np.arange(20)), rtol=1e-12)
    # ChainedScheduler: ScheduleLR sets the LR outright (like LambdaLR); several fields chain freely
    opt = torch.optim.SGD(_params(1), lr=0.1, momentum=0.9, weight_decay=0.1)
    chain = LS.ChainedScheduler(
        [
            ScheduleLR(opt, b),
            ScheduleLR(opt, a, field="weight_decay"),
            ScheduleLR(opt, a, field="momentum", multiplier=True),
        ],
        opt,
    )
    table = np.array(
        _run(opt, chain, 15, lambda o: [o.param_groups[0][f] for f in ("lr", "weight_decay", "momentum")])
    )
    k = np.arange(15)
    np.testing.assert_array_equal(table[:, 0], b.numpy(k))
    np.testing.assert_array_equal(table[:, 1], a.numpy(k))
    np.testing.assert_array_equal(table[:, 2], 0.9 * a.numpy(k))
    assert chain.get_last_lr() == [table[-1, 0]]
    sd = chain.state_dict()
    assert len(sd["_schedulers"]) == 3


def test_no_memory_growth() -> None:
    opt = _sgd()
    sched = ScheduleLR(opt, SCHEDULES[0], block_size=1024)
    opt.step()
    tracemalloc.start()
    for _ in range(3000):  # the cached block in use is traced from here on
        sched.step()
    start, _ = tracemalloc.get_traced_memory()
    for _ in range(100_000):
        sched.step()
    end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert end - start < 16 * 1024, end - start
    assert peak < 1024 * 1024, peak  # about two blocks of 1024 rows


# -- issue 13.5: absolute by default, but never silently --------------------------------------------------


@pytest.mark.filterwarnings("error::torch_bridge.ScheduleOverrideWarning")
def test_absolute_mode_warns_when_the_configured_value_is_replaced() -> None:
    """AdamW(lr=3e-4) with a schedule peaking at 1.0 runs at 1.0: that is said at construction, with how to
    silence it; a schedule that starts or peaks at the configured value, and multiplier mode, are quiet."""
    wcd = jaxsched.warmup_cosine_decay(0.0, 1.0, warmup_steps=10, decay_steps=100)
    opt = torch.optim.AdamW(_params(1), lr=3e-4)
    message = (
        r"\['lr'\] = 0\.0003 \(the schedule starts at 0 and peaks at 1\).*multiplier=True"
        r".*warn_on_override=False"
    )
    with pytest.warns(ScheduleOverrideWarning, match=message):
        ScheduleLR(opt, wcd)
    assert lr0(opt) == 0.0  # the absolute value s(0), as documented
    ScheduleLR(torch.optim.AdamW(_params(1), lr=1.0), wcd)  # the peak: quiet
    ScheduleLR(torch.optim.AdamW(_params(1), lr=1e-3), jaxsched.cosine_decay(1e-3, 100))  # s(0): quiet
    ScheduleLR(torch.optim.AdamW(_params(1), lr=3e-4), wcd, warn_on_override=False)
    opt = torch.optim.AdamW(_params(1), lr=3e-4)
    sched = ScheduleLR(opt, wcd, multiplier=True)
    for _ in range(10):
        opt.step()
        sched.step()
    assert lr0(opt) == 3e-4  # the peak of the schedule times the configured LR
    with pytest.warns(ScheduleOverrideWarning, match=r"\['weight_decay'\] = 0\.01"):
        ScheduleLR(torch.optim.AdamW(_params(1), lr=3e-4), wcd * 0.1, field="weight_decay")


# -- issue 12.2: load_state_dict refuses a state that does not fit -------------------------------------------


def _state(**kw: Any) -> dict[str, Any]:
    lrs = kw.pop("lrs", (0.1,))
    opt = torch.optim.SGD([{"params": _params(1), "lr": lr, "weight_decay": 0.01} for lr in lrs])
    sched = ScheduleLR(opt, SCHEDULES[0], **kw)
    opt.step()
    sched.step()
    return sched.state_dict()


@pytest.mark.parametrize(
    ("saved", "built", "message"),
    [
        ({"field": "weight_decay"}, {}, "it drives 'weight_decay', this scheduler drives 'lr'"),
        ({}, {"field": "weight_decay"}, "it drives 'lr', this scheduler drives 'weight_decay'"),
        ({"multiplier": True}, {}, "it has multiplier=True, this scheduler multiplier=False"),
        ({"lrs": (0.1, 0.2)}, {}, "it has 2 param groups, this optimizer has 1"),
        ({}, {"lrs": (0.1, 0.2)}, "it has 1 param groups, this optimizer has 2"),
        (
            {"multiplier": True},
            {"multiplier": True, "lrs": (0.3,)},
            r"base values .* are \[0\.1\], this "
            r"scheduler's are \[0\.3\]",
        ),
    ],
)
def test_load_state_dict_refuses_a_state_that_does_not_fit(
    saved: dict[str, Any], built: dict[str, Any], message: str
) -> None:
    sd = _state(**saved)
    lrs = built.pop("lrs", (0.1,))
    opt = torch.optim.SGD([{"params": _params(1), "lr": lr, "weight_decay": 0.01} for lr in lrs])
    sched = ScheduleLR(opt, SCHEDULES[0], **built)
    before = dict(sched.__dict__)
    with pytest.raises(ValueError, match=message):
        sched.load_state_dict(sd)
    assert sched.field == before["field"] and sched.multiplier == before["multiplier"]
    assert sched.last_epoch == before["last_epoch"]  # nothing was half-loaded


scheduler_setups = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["lr", "weight_decay", "momentum"]),
        "multiplier": st.booleans(),
        "lrs": st.lists(st.sampled_from([0.1, 0.3]), min_size=1, max_size=3).map(tuple),
    }
)


def _built(setup: dict[str, Any]) -> ScheduleLR:
    opt = torch.optim.SGD(
        [{"params": _params(1), "lr": lr, "weight_decay": lr / 10} for lr in setup["lrs"]], momentum=0.9
    )
    return ScheduleLR(opt, SCHEDULES[0], field=setup["field"], multiplier=setup["multiplier"])


@given(saved=scheduler_setups, built=scheduler_setups, steps=st.integers(0, 5))
def test_load_state_dict_accepts_exactly_the_states_that_fit(
    saved: dict[str, Any], built: dict[str, Any], steps: int
) -> None:
    """A state loads iff field, multiplier mode, number of groups and (in multiplier mode) the base values
    agree; otherwise ValueError names every difference and nothing is loaded."""
    a = _built(saved)
    for _ in range(steps):
        a.optimizer.step()
        a.step()
    b = _built(built)

    def bases(setup: dict[str, Any]) -> list[float]:  # each group's initial value of the field
        return [{"lr": lr, "weight_decay": lr / 10, "momentum": 0.9}[setup["field"]] for lr in setup["lrs"]]

    fits = (
        saved["field"] == built["field"]
        and saved["multiplier"] == built["multiplier"]
        and len(saved["lrs"]) == len(built["lrs"])
        and (not built["multiplier"] or bases(saved) == bases(built))
    )
    if fits:
        b.load_state_dict(a.state_dict())
        assert b.last_epoch == a.last_epoch and b.get_last_value() == a.get_last_value()
        return
    with pytest.raises(ValueError, match="does not fit") as err:
        b.load_state_dict(a.state_dict())
    text = str(err.value)
    assert (saved["field"] != built["field"]) == (f"drives {saved['field']!r}" in text)
    assert (saved["multiplier"] != built["multiplier"]) == ("multiplier=" in text)
    assert (len(saved["lrs"]) != len(built["lrs"])) == ("param groups" in text)
    assert b.last_epoch == 0


def test_load_state_dict_accepts_what_fits_and_refuses_other_states() -> None:
    sd = _state()
    opt = _sgd((0.3,))  # absolute mode: the base value does not enter the values, so it may differ
    sched = ScheduleLR(opt, SCHEDULES[0])
    sched.load_state_dict(sd)
    assert sched.last_epoch == 1
    opt.step()
    sched.step()
    assert lr0(opt) == float(SCHEDULES[0].numpy(2))
    with pytest.warns(UserWarning, match="schedule 0 changed at step 1: lr jumps"):
        ScheduleLR(_sgd(), SCHEDULES[1]).load_state_dict(sd)
    with pytest.raises(ValueError, match="not a ScheduleLR state"):
        ScheduleLR(_sgd(), SCHEDULES[0]).load_state_dict(LS.StepLR(_sgd(), 3).state_dict())


# -- issue 12.11: param groups added after construction -----------------------------------------------------


@pytest.mark.parametrize("mult", [False, True])
def test_a_group_added_later_follows_the_shared_schedule(mult: bool) -> None:
    s = SCHEDULES[0]
    opt = _sgd((0.1,))
    sched = ScheduleLR(opt, s, multiplier=mult)
    for _ in range(3):
        opt.step()
        sched.step()
    opt.add_param_group({"params": _params(1), "lr": 0.5})
    for k in range(4, 8):
        opt.step()
        sched.step()
        want = s.numpy(k)
        assert [g["lr"] for g in opt.param_groups] == ([0.1 * want, 0.5 * want] if mult else [want, want])
    assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    assert len(sched.state_dict()["base_values"]) == 2
    assert from_torch(sched) == ([s * 0.1, s * 0.5] if mult else s)


def test_a_group_added_later_without_a_schedule_is_refused_clearly() -> None:
    opt = _sgd((0.1, 0.2))
    sched = ScheduleLR(opt, [SCHEDULES[0], SCHEDULES[1]])
    opt.step()
    sched.step()
    opt.add_param_group({"params": _params(1), "lr": 0.5})
    message = "3 param groups, but this scheduler was built with 2 schedules, one per group"
    with pytest.raises(ValueError, match=message):
        sched.step()
    with pytest.raises(ConversionError, match=message):
        from_torch(sched)
    # torch's own classes keep no base LR for an added group: refused by name, not an IndexError
    opt = _sgd((0.1,))
    step_lr = LS.StepLR(opt, 3)
    opt.add_param_group({"params": _params(1), "lr": 0.5})
    with pytest.raises(ConversionError, match=r"param_groups\[1\] was added after the scheduler"):
        from_torch(step_lr)


# -- issue 12.12: step(epoch) with NumPy and torch scalars ---------------------------------------------------


@pytest.mark.parametrize(
    "epoch", [np.int64(10), np.int32(10), torch.tensor(10), np.float64(10.0), 10.0, torch.tensor([10])]
)
def test_step_epoch_keeps_last_epoch_a_python_int(epoch: Any) -> None:
    opt = _sgd()
    sched = ScheduleLR(opt, SCHEDULES[0])
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's deprecation of step(epoch)
        sched.step(epoch)
    assert type(sched.last_epoch) is int and sched.last_epoch == 10
    assert lr0(opt) == float(SCHEDULES[0].numpy(10))
    buf = io.BytesIO()
    torch.save(sched.state_dict(), buf)
    buf.seek(0)
    sd = torch.load(buf, weights_only=True)
    assert sd["last_epoch"] == 10
    sched.step()  # the per-step fast path: a cached row, read by a Python int
    assert sched._cache_start <= 11 < sched._cache_start + len(sched._rows)
    assert lr0(opt) == float(SCHEDULES[0].numpy(11))


@pytest.mark.parametrize(
    ("epoch", "error"),
    [
        (True, TypeError),
        ("3", TypeError),
        (-2, ValueError),
        (float("nan"), ValueError),
        (torch.ones(2), TypeError),
    ],
)
def test_step_epoch_refuses_what_is_not_an_epoch(epoch: Any, error: type[Exception]) -> None:
    sched = ScheduleLR(_sgd(), SCHEDULES[0])
    with pytest.raises(error, match="epoch"):
        sched.step(epoch)


# -- to_torch / from_torch -----------------------------------------------------------------------------


PORT_NAMES = sorted(
    n for n in jaxsched.registry() if n.startswith("compat.torch.") and not n.endswith("Momentum")
)


@pytest.mark.parametrize("name", PORT_NAMES)
def test_from_torch_round_trips_every_example(name: str) -> None:
    cls = jaxsched.registry()[name]
    for ex in cls.examples:
        port = jaxsched.from_config({"name": name, **ex})
        opt = _sgd((0.5,), momentum=0.9)
        back = from_torch(to_torch(port, opt))
        assert isinstance(back, jaxsched.Schedule)
        steps = np.arange(120)
        np.testing.assert_allclose(back.numpy(steps), port.numpy(steps), rtol=1e-14, atol=1e-18)
        if name not in ("compat.torch.OneCycleLR", "compat.torch.CyclicLR"):
            assert back == port  # the same arguments exactly


@given(
    lrs=st.lists(st.floats(1e-4, 1.0), min_size=2, max_size=3),
    which=st.sampled_from(["step", "cos", "seq", "chain", "onecycle", "cyclic", "lambda"]),
)
def test_from_torch_several_groups(lrs: list[float], which: str) -> None:
    opt = torch.optim.SGD(
        [{"params": [p], "lr": lr} for p, lr in zip(_params(len(lrs)), lrs, strict=True)], momentum=0.9
    )
    sched: Any = {
        "step": lambda: LS.StepLR(opt, 3, 0.5),
        "cos": lambda: LS.CosineAnnealingLR(opt, 10, eta_min=1e-5),
        "seq": lambda: LS.SequentialLR(
            opt, [LS.LinearLR(opt, 0.1, total_iters=5), LS.CosineAnnealingLR(opt, 20)], [5]
        ),
        "chain": lambda: LS.ChainedScheduler(
            [LS.LinearLR(opt, 0.1, total_iters=5), LS.ExponentialLR(opt, 0.95)], opt
        ),
        "onecycle": lambda: LS.OneCycleLR(opt, [lr * 10 for lr in lrs], total_steps=30),
        "cyclic": lambda: LS.CyclicLR(opt, [lr / 10 for lr in lrs], lrs, step_size_up=4),
        "lambda": lambda: LS.LambdaLR(opt, as_lambda(jaxsched.cosine_decay(1.0, 20))),
    }[which]()
    conv = from_torch(sched)
    n = 31
    want = np.array(_run(opt, sched, n, lambda o: [g["lr"] for g in o.param_groups]))
    assert isinstance(conv, list) == (len(set(lrs)) > 1)
    convs = conv if isinstance(conv, list) else [conv] * len(lrs)
    for i, s in enumerate(convs):
        np.testing.assert_allclose(s.numpy(np.arange(n)), want[:, i], rtol=1e-12, atol=1e-16)


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)`")  # torch's own, nested
def test_from_torch_nested_and_stepped() -> None:
    opt = _sgd()
    inner = LS.ChainedScheduler([LS.ConstantLR(opt, 0.5, 3), LS.StepLR(opt, 2, 0.5)], opt)
    seq = LS.SequentialLR(opt, [inner, LS.CosineAnnealingLR(opt, 7)], [6])
    conv = from_torch(seq)
    assert isinstance(conv, tp.SequentialLR) and isinstance(conv.schedulers[0], tp.ChainedScheduler)
    want = _run(opt, seq, 20, lr0)
    np.testing.assert_allclose(conv.numpy(np.arange(20)), want, rtol=1e-12)
    assert from_torch(seq) == conv  # a stepped scheduler converts to the curve from its start
    # ScheduleLR converts to its schedule (times the base in multiplier mode)
    s = jaxsched.linear(1.0, 0.0, 10)
    assert from_torch(ScheduleLR(_sgd(), s)) == s
    m = from_torch(ScheduleLR(_sgd((0.3,)), s, multiplier=True))
    assert isinstance(m, jaxsched.Schedule)
    np.testing.assert_allclose(m.numpy(np.arange(12)), 0.3 * s.numpy(np.arange(12)))


def test_from_torch_refuses_what_has_no_formula() -> None:
    opt = _sgd()
    with pytest.raises(ConversionError, match=r"lr_lambdas\[0\].*as_lambda"):
        from_torch(LS.LambdaLR(opt, lambda k: 0.9**k))
    with pytest.raises(ConversionError, match="scale_fn"):
        from_torch(LS.CyclicLR(_sgd(momentum=0.9), 0.01, 0.1, scale_fn=lambda x: 1.0))
    with pytest.raises(ConversionError, match="ReduceLROnPlateau"):
        from_torch(LS.ReduceLROnPlateau(_sgd()))
    with pytest.raises(ConversionError, match="weight_decay"):
        from_torch(ScheduleLR(_sgd(), jaxsched.constant(0.1), field="weight_decay"))

    class Custom(LS.LRScheduler):
        def get_lr(self) -> Any:
            return list(self.base_lrs)

    with pytest.raises(ConversionError, match="Custom"):
        from_torch(Custom(_sgd()))
    assert issubclass(ConversionError, TypeError)


# -- the docstring examples of torch_bridge's modules (tests/test_doctests.py collects the package only) ----


@pytest.mark.parametrize(
    "name",
    [
        "torch_bridge._scheduler",
        "torch_bridge._convert",
        "torch_bridge._plateau",
        "torch_bridge._classes",
        "torch_bridge._warmup",
    ],
)
def test_torch_bridge_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name, globs={"jaxsched": jaxsched})
    assert sum(len(t.examples) for t in tests) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's step-order notes in the short examples
        for test in tests:
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


# -- the siblings of issue 12.2/12.12 in torch_bridge's other stateful classes ------------------------------


def test_other_classes_keep_plain_counters_and_refuse_states_that_do_not_fit() -> None:
    import torch_bridge

    # warmups: dampen(step) with a NumPy/torch integer; a state of another number of groups
    opt = _sgd((0.1, 0.2))
    warm = torch_bridge.LinearWarmup(opt, warmup_period=5)
    warm.dampen(np.int64(3))
    warm.dampen(torch.tensor(4))
    assert type(warm.last_step) is int and warm.last_step == 4
    buf = io.BytesIO()
    torch.save(warm.state_dict(), buf)
    buf.seek(0)
    state = torch.load(buf, weights_only=True)
    other = torch_bridge.LinearWarmup(_sgd((0.1,)), warmup_period=5)
    with pytest.raises(ValueError, match="the state has 2 param groups, this warmup 1"):
        other.load_state_dict(state)
    with pytest.warns(UserWarning, match="factors differ"):
        torch_bridge.LinearWarmup(_sgd((0.1, 0.2)), warmup_period=7).load_state_dict(state)
    with pytest.raises(ValueError, match="step"):
        warm.dampen(2.5)
    # plateau classes: an explicit epoch stays a Python int
    plateau = torch_bridge.ReduceLROnPlateau(_sgd((0.1, 0.2)))
    with pytest.warns(UserWarning, match="epoch"):
        plateau.step(1.0, epoch=np.int64(7))
    assert type(plateau.last_epoch) is int and plateau.last_epoch == 7
    greedy = torch_bridge.GreedyLR(_sgd((0.1, 0.2)))
    greedy.step(1.0, epoch=torch.tensor(3))
    assert type(greedy.last_epoch) is int
    sd = plateau.state_dict()
    with pytest.raises(ValueError, match="2 min_lrs"):
        torch_bridge.ReduceLROnPlateau(_sgd((0.1,)), min_lr=[0.0]).load_state_dict(
            sd | {"min_lrs": [0.0, 0.0], "default_min_lr": None}
        )
    # pytorch-accelerated's stateless step_update(num_updates)
    pa = torch_bridge.CosineLrScheduler(_sgd(), total_num_epochs=5, num_update_steps_per_epoch=4)
    pa.step_update(np.int64(3))
    assert pa.last_epoch == 4 and type(pa.last_epoch) is int
    with pytest.raises(ValueError, match="num_updates"):
        pa.step_update(2.5)
