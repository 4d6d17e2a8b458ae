"""jaxsched.compat.timm against the installed timm itself (issue 17 point 3, issue 13 point 7).

timm's scheduler classes are loaded by ``tests/timm_original.py`` (timm's own ``timm/scheduler`` code, the
rest of timm needs torchvision). Here: timm's public helpers on the ports (``get_cycle_length``,
``get_curr_decay_steps``, ``base_values``, ``warmup_steps``, ``noise_type`` and every constructor
attribute), each value taken from the timm object built with the same arguments; and the port of
``WSDLRScheduler`` over hypothesis-drawn configurations, NumPy float64 to 1e-12 relative and JAX float32 to
float32 rounding.
"""

from __future__ import annotations

import math
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import ScheduleArgumentError
from jaxsched.compat import timm
from tests.timm_original import optimizer, timm_class, timm_curve, timm_version

LR = 0.1

NOT_PORTED = {
    "optimizer": "the optimizer is torch's side; the port takes the base LR as lr",
    "param_group_field": "always 'lr' here; other fields are torch_bridge.ScheduleLR(field=...)",
    "metric": "the last metric passed to step(); a schedule is a pure function of the step",
    "step": "stateful stepping: evaluate s(k) instead",
    "step_update": "stateful stepping: evaluate s(k) instead",
    "update_groups": "writes into the optimizer's param groups",
    "state_dict": "a schedule has no state; to_config()/pickle carry its arguments",
    "load_state_dict": "a schedule has no state; jaxsched.from_config() rebuilds it",
}
"""timm's public names that have no counterpart on a port, with the reason."""

CONFIGS: dict[str, list[dict[str, Any]]] = {
    "CosineLRScheduler": [
        {"t_initial": 100},
        {"t_initial": 100, "warmup_t": 10, "warmup_prefix": True},
        {
            "t_initial": 30,
            "lr_min": 1e-4,
            "cycle_mul": 2.0,
            "cycle_decay": 0.5,
            "cycle_limit": 3,
            "warmup_t": 3,
            "warmup_prefix": True,
            "warmup_lr_init": 1e-3,
            "k_decay": 1.5,
        },
        {"t_initial": 17, "cycle_mul": 1.5, "cycle_limit": 0, "warmup_t": 4},
        {
            "t_initial": 20,
            "cycle_limit": 4,
            "noise_range_t": [5, 15],
            "noise_pct": 0.3,
            "noise_seed": 3,
            "t_in_epochs": False,
        },
    ],
    "TanhLRScheduler": [
        {"t_initial": 100, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {
            "t_initial": 25,
            "lb": -5.0,
            "ub": 5.0,
            "cycle_limit": 4,
            "cycle_mul": 2.0,
            "warmup_t": 6,
            "warmup_prefix": True,
            "warmup_lr_init": 1e-3,
        },
        {"t_initial": 25, "cycle_mul": 1.7, "cycle_limit": 3, "warmup_t": 6, "warmup_lr_init": 1e-3},
    ],
    "PolyLRScheduler": [
        {"t_initial": 100, "power": 0.5, "lr_min": 1e-5, "warmup_t": 5},
        {
            "t_initial": 15,
            "power": 1.0,
            "cycle_mul": 2.0,
            "cycle_limit": 3,
            "warmup_t": 3,
            "warmup_prefix": True,
            "warmup_lr_init": 1e-3,
            "k_decay": 2.0,
        },
    ],
    "StepLRScheduler": [
        {"decay_t": 10},
        {"decay_t": 7, "decay_rate": 0.5, "warmup_t": 5, "warmup_prefix": False, "warmup_lr_init": 1e-3},
    ],
    "MultiStepLRScheduler": [
        {"decay_t": [10, 20, 30], "decay_rate": 0.5},
        {"decay_t": [1, 10, 10, 40], "decay_rate": 0.5, "warmup_t": 3, "noise_range_t": 7},
    ],
    "WSDLRScheduler": [
        {"t_initial": 100, "decay_t": 20},
        {
            "t_initial": 60,
            "decay_t": 15,
            "lr_min": 1e-3,
            "decay_fn": "cosine",
            "warmup_t": 3,
            "warmup_lr_init": 1e-4,
        },
        {"t_initial": 80, "decay_t": 30, "stable_fn": "rsqrt", "decay_fn": "linear", "warmup_t": 10},
        {
            "t_initial": 80,
            "decay_t": 80,
            "stable_fn": "power",
            "stable_timescale": 4.0,
            "decay_fn": "power",
            "decay_power": 1.0,
            "t_in_epochs": False,
        },
    ],
}
CASES = [(name, kw) for name, kws in CONFIGS.items() for kw in kws]


def _pair(name: str, kwargs: dict[str, Any]) -> tuple[Any, jaxsched.Schedule]:
    return timm_class(name)(optimizer(LR), **kwargs), getattr(timm, name)(LR, **kwargs)


def _same(a: Any, b: Any) -> bool:
    """timm's attribute ``a`` and the port's ``b`` (tuples stand for timm's lists)."""
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return (
            isinstance(a, list | tuple)
            and isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-15, abs_tol=0.0)
    return bool(a == b) and type(a) is type(b)


def test_timm_is_the_recorded_version() -> None:
    assert timm_version() is not None and tuple(int(x) for x in timm_version().split(".")[:2]) >= (1, 0)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_every_public_name_of_timm_is_on_the_port(name: str, kwargs: dict[str, Any]) -> None:
    """Each public attribute/method of the timm object exists on the port with timm's value, or is listed in
    NOT_PORTED with a reason (a name timm adds later fails here until it is decided)."""
    orig, port = _pair(name, kwargs)
    public = sorted(n for n in dir(orig) if not n.startswith("_"))
    assert public, name
    for attr in public:
        if attr in NOT_PORTED:
            continue
        assert hasattr(port, attr), f"{name}.{attr} is public in timm and missing on the port"
        want, got = getattr(orig, attr), getattr(port, attr)
        if callable(want):
            continue  # methods: compared by value below
        assert _same(want, got), f"{name}.{attr}: timm {want!r}, port {got!r}"


CYCLIC = ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler", "WSDLRScheduler")


@pytest.mark.parametrize(
    ("name", "kwargs"), [c for c in CASES if c[0] in CYCLIC], ids=lambda x: x if isinstance(x, str) else ""
)
def test_get_cycle_length_equals_timm(name: str, kwargs: dict[str, Any]) -> None:
    orig, port = _pair(name, kwargs)
    assert hasattr(orig, "get_cycle_length")
    for cycles in (0, 1, 2, 3, 5, 8):
        want = orig.get_cycle_length(cycles)
        got = port.get_cycle_length(cycles)
        assert got == want and type(got) is type(want), (name, kwargs, cycles, want, got)
    assert port.get_cycle_length() == orig.get_cycle_length()


def test_get_cycle_length_published_case() -> None:
    """timm's own test: ``get_cycle_length(1)`` is ``t_initial``, plus ``warmup_t`` with a prefix warmup."""
    assert timm.CosineLRScheduler(LR, t_initial=100).get_cycle_length(1) == 100
    assert (
        timm.CosineLRScheduler(LR, t_initial=100, warmup_t=10, warmup_prefix=True).get_cycle_length(1) == 110
    )


def test_cycle_length_is_where_the_cycles_end() -> None:
    """What ``get_cycle_length`` is for: the port holds ``lr_min`` from there on (t units)."""
    for kw in (
        {"t_initial": 12, "cycle_limit": 3, "warmup_t": 2, "warmup_prefix": True, "lr_min": 0.01},
        {"t_initial": 5, "cycle_mul": 2.0, "cycle_limit": 3, "lr_min": 0.01},
    ):
        s = timm.CosineLRScheduler(LR, **kw)
        end = s.get_cycle_length()
        np.testing.assert_array_equal(s.numpy(np.arange(end, end + 20)), 0.01)
        assert s.numpy(end - 1) > 0.01


@pytest.mark.parametrize("kwargs", CONFIGS["MultiStepLRScheduler"])
def test_get_curr_decay_steps_equals_timm(kwargs: dict[str, Any]) -> None:
    orig, port = _pair("MultiStepLRScheduler", kwargs)
    for t in range(-3, 60):
        assert port.get_curr_decay_steps(t) == orig.get_curr_decay_steps(t), t


# -- WSDLRScheduler ---------------------------------------------------------------------------------------


@st.composite
def wsd_configs(draw: st.DrawFn) -> tuple[float, dict[str, Any]]:
    lr = draw(st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-4, 2.0))
    t_initial = draw(st.integers(1, 120))
    kw: dict[str, Any] = {"t_initial": t_initial, "decay_t": draw(st.integers(1, t_initial))}
    warmup = draw(st.integers(0, 12))
    if warmup:
        kw["warmup_t"] = warmup
        kw["warmup_lr_init"] = draw(st.sampled_from([0.0, lr / 100]) | st.floats(0.0, lr))
    stable = draw(st.sampled_from(["constant", "rsqrt", "power"]))
    if stable != "constant":
        kw["stable_fn"] = stable
        if stable == "power":
            kw["stable_power"] = 0.5
        if not warmup or draw(st.booleans()):
            kw["stable_timescale"] = draw(st.sampled_from([1, 7]) | st.floats(0.5, 200.0))
    else:
        kw["lr_min"] = draw(st.sampled_from([0.0, lr / 10]) | st.floats(0.0, 2 * lr))
    decay = draw(st.sampled_from(["linear", "1-sqrt", "cosine", "power", None]))
    if decay == "power":
        kw["decay_power"] = draw(st.sampled_from([0.5, 1.0]))
    if decay is not None:
        kw["decay_fn"] = decay
    if draw(st.booleans()):
        kw["t_in_epochs"] = False
    return lr, kw


@given(wsd_configs())
def test_wsd_equals_timm(config: tuple[float, dict[str, Any]]) -> None:
    lr, kw = config
    port = timm.WSDLRScheduler(lr, **kw)
    n = port.get_cycle_length() + 6
    want = np.asarray(timm_curve("WSDLRScheduler", lr, kw, n))
    k = np.arange(n)
    scale = float(np.max(np.abs(want)))
    np.testing.assert_allclose(port.numpy(k), want, rtol=1e-12, atol=1e-14 * scale, err_msg=repr(port))
    np.testing.assert_allclose(
        np.asarray(port(k), np.float64), want, rtol=2e-6, atol=1e-7 * scale, err_msg=repr(port)
    )
    orig = timm_class("WSDLRScheduler")(optimizer(lr), **kw)
    assert port.get_cycle_length() == orig.get_cycle_length()
    assert _same(orig.warmup_steps, port.warmup_steps)


@given(wsd_configs(), st.integers(1, 9))
def test_wsd_updates_per_epoch_holds_timm_epochs(config: tuple[float, dict[str, Any]], per: int) -> None:
    lr, kw = config
    kw = {**kw, "t_in_epochs": True}
    port = timm.WSDLRScheduler(lr, **kw, updates_per_epoch=per)
    n = port.get_cycle_length() + 3
    want = np.repeat(timm_curve("WSDLRScheduler", lr, kw, n), per)
    np.testing.assert_allclose(
        port.numpy(np.arange(n * per)), want, rtol=1e-12, atol=1e-14 * float(np.max(np.abs(want)))
    )


def test_wsd_round_trips_and_pickles() -> None:
    for kw in CONFIGS["WSDLRScheduler"]:
        s = timm.WSDLRScheduler(LR, **kw)
        assert jaxsched.from_config(s.to_config()) == s
        assert pickle.loads(pickle.dumps(s)) == s
    for ex in timm.WSDLRScheduler.examples:
        s = timm.WSDLRScheduler(**ex)
        lr = ex["lr"]
        kw = {k: x for k, x in ex.items() if k != "lr"}
        np.testing.assert_allclose(
            s.numpy(np.arange(150)), timm_curve("WSDLRScheduler", lr, kw, 150), rtol=1e-12, atol=1e-16
        )


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"decay_fn": "exp"}, "exp"),
        ({"decay_fn": "power", "decay_power": 2.0}, "power"),
        ({"stable_fn": "power", "stable_power": 0.3, "stable_timescale": 5}, "stable_power"),
        ({"stable_fn": "rsqrt", "stable_timescale": 5, "lr_min": 1e-3}, "lr_min"),
    ],
)
def test_wsd_refuses_what_has_no_catalog_piece(kwargs: dict[str, Any], why: str) -> None:
    """timm accepts these (checked); the port refuses them at construction, naming the argument."""
    timm_curve("WSDLRScheduler", LR, {"t_initial": 20, "decay_t": 5, **kwargs}, 25)
    with pytest.raises(ScheduleArgumentError, match=why):
        timm.WSDLRScheduler(LR, t_initial=20, decay_t=5, **kwargs)
    with pytest.raises(TypeError, match="decay_fn"):
        timm.WSDLRScheduler(LR, t_initial=20, decay_t=5, decay_fn=lambda f: 1 - f)
