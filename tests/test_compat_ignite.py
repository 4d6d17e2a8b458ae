"""jaxsched.compat.ignite against pytorch-ignite's own parameter schedulers, called as an engine does.

Every port is compared at every event with the original over hypothesis-drawn configurations (criterion in
``tests/stack_parity.py``; exact values are 40-digit transcriptions of ignite's formulas), and each
``simulate_values`` with ignite's.
"""

from __future__ import annotations

import itertools
import warnings

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from ignite.handlers import param_scheduler as ps

import jaxsched
from jaxsched._references import references
from jaxsched._references.ignite import build, run_handler
from jaxsched.compat import ignite as ig
from tests.reference_formulas import reference
from tests.stack_parity import check

mpmath.mp.dps = 40
N = 400
values = st.sampled_from([0.0, 1e-3, 0.1, 1.0]) | st.floats(1e-6, 1.0)


def optimizer(lr: float | list[float] = 0.0) -> torch.optim.Optimizer:
    lrs = lr if isinstance(lr, list) else [lr]
    return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": x} for x in lrs])


def exact_cyclical(port, shape):
    return reference(
        "annealing_cycles",
        start_value=port.start_value,
        end_value=port.end_value,
        cycle_size=port.cycle_size,
        cycle_mult=port.cycle_mult,
        start_value_mult=port.start_value_mult,
        end_value_mult=port.end_value_mult,
        warmup_duration=port.warmup_duration,
        shape=shape,
    )


@st.composite
def cyclical(draw, monotonic=True):
    kw = {
        "start_value": draw(values),
        "end_value": draw(values),
        "cycle_size": draw(st.integers(2, 80)),
        "cycle_mult": draw(st.sampled_from([1.0, 1.5, 2.0]) | st.floats(1.0, 2.5)),
        "start_value_mult": draw(st.sampled_from([1.0, 0.5]) | st.floats(0.1, 1.0)),
        "end_value_mult": draw(st.sampled_from([1.0, 0.5]) | st.floats(0.1, 1.0)),
    }
    if monotonic:
        kw["warmup_duration"] = draw(st.sampled_from([0, 1, 10]) | st.integers(0, 30))
    return kw


@given(cyclical(), st.booleans())
def test_linear_cyclical(kw, monotonic):
    if not monotonic:
        kw["warmup_duration"] = 0
    port = ig.LinearCyclicalScheduler(**kw, monotonic=monotonic)
    check(
        port,
        references()[port.config_name].run(port, N),
        exact_cyclical(port, "linear" if monotonic else "triangle"),
    )


@given(cyclical())
def test_cosine_annealing(kw):
    port = ig.CosineAnnealingScheduler(**kw)
    check(port, references()[port.config_name].run(port, N), exact_cyclical(port, "cos"))


@st.composite
def milestones_values(draw):
    ms = sorted(draw(st.lists(st.integers(0, N), min_size=1, max_size=6)))
    return [(m, draw(values)) for m in ms]


def exact_piecewise(pairs):
    def f(k):
        if k < pairs[0][0]:
            return pairs[0][1]
        if k >= pairs[-1][0]:
            return pairs[-1][1]
        for (m0, v0), (m1, v1) in itertools.pairwise(pairs):
            if m0 <= k < m1:
                return float(v0 + (mpmath.mpf(v1) - v0) * (k - m0) / (m1 - m0))
        raise AssertionError

    return f


@given(milestones_values())
def test_piecewise_linear(pairs):
    port = ig.PiecewiseLinear(pairs)
    check(port, references()[port.config_name].run(port, N), exact_piecewise(pairs))


@given(
    st.lists(
        st.one_of(
            milestones_values().map(ig.PiecewiseLinear),
            cyclical().map(lambda kw: ig.CosineAnnealingScheduler(**kw)),
        ),
        min_size=2,
        max_size=4,
    ),
    st.data(),
)
def test_concat(parts, data):
    durations = data.draw(
        st.lists(
            st.sampled_from([0, 1]) | st.integers(0, 120), min_size=len(parts) - 1, max_size=len(parts) - 1
        )
    )
    port = ig.ConcatScheduler(parts, durations)

    def exact(k):
        # ignite's counters, call by call (each part is itself checked against ignite above).
        index, left, local = 0, durations[0], [0] * len(parts)
        for _ in range(k + 1):
            if left == 0:
                index += 1
                left = durations[index] if index < len(durations) else -1
            value = float(parts[index].numpy(local[index]))
            local[index] += 1
            left -= 1
        return value

    check(port, references()[port.config_name].run(port, N), exact)


def test_concat_zero_durations_like_ignite():
    parts = [ig.PiecewiseLinear([(0, float(i + 1))]) for i in range(4)]
    for durations, want in (
        ([2, 0, 3], [1, 1, 2, 2, 2, 2, 2]),
        ([0, 2, 3], [2, 2, 3, 3, 3, 4, 4]),
        ([0, 0, 3], [2, 2, 2, 2, 2, 2, 2]),
    ):
        port = ig.ConcatScheduler(parts, durations)
        np.testing.assert_array_equal(port.numpy(np.arange(7)), want)
        check(port, references()[port.config_name].run(port, 40))


def test_simulate_values_match_ignite():
    kw = {"start_value": 0.1, "end_value": 1e-3, "cycle_size": 7, "cycle_mult": 1.5, "warmup_duration": 2}
    ours = ig.CosineAnnealingScheduler.simulate_values(40, param_name="lr", **kw)
    theirs = ps.CosineAnnealingScheduler.simulate_values(40, param_name="lr", **kw)
    assert [e for e, _ in ours] == [e for e, _ in theirs]
    np.testing.assert_allclose([x for _, x in ours], [x for _, x in theirs], rtol=1e-12)
    pairs = [(2, 0.0), (10, 1.0), (10, 0.5), (30, 0.1)]
    kw_pw = {"param_name": "lr", "milestones_values": pairs}
    np.testing.assert_allclose(
        ig.PiecewiseLinear.simulate_values(40, **kw_pw),
        ps.PiecewiseLinear.simulate_values(40, **kw_pw),
        rtol=1e-12,
    )
    lin = {"start_value": 0.0, "end_value": 1.0, "cycle_size": 6}
    np.testing.assert_allclose(
        ig.LinearCyclicalScheduler.simulate_values(30, param_name="lr", **lin),
        ps.LinearCyclicalScheduler.simulate_values(30, param_name="lr", **lin),
        rtol=1e-12,
        atol=1e-15,
    )
    # ConcatScheduler.simulate_values takes scheduler objects.
    opt = optimizer()
    a = ps.PiecewiseLinear(opt, "lr", [(0, 0.0), (5, 1.0)])
    b = ps.CosineAnnealingScheduler(opt, "lr", 1.0, 0.0, 8)
    theirs = ps.ConcatScheduler.simulate_values(30, schedulers=[a, b], durations=[6])
    ours = ig.ConcatScheduler.simulate_values(
        30,
        schedulers=[ig.PiecewiseLinear([(0, 0.0), (5, 1.0)]), ig.CosineAnnealingScheduler(1.0, 0.0, 8)],
        durations=[6],
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_param_group_scheduler_matches_ignite():
    opt = optimizer([0.1, 0.2])
    a = ps.PiecewiseLinear(opt, "lr", [(0, 0.0), (10, 0.1)], param_group_index=0)
    b = ps.CosineAnnealingScheduler(opt, "lr", 0.2, 0.01, 12, param_group_index=1)
    theirs = ps.ParamGroupScheduler.simulate_values(30, schedulers=[a, b], names=["a", "b"])
    handler = ps.ParamGroupScheduler([a, b], names=["a", "b"])
    applied = []
    for k in range(30):
        handler(None)
        applied.append([k, *(g["lr"] for g in opt.param_groups)])
    pgs = ig.ParamGroupScheduler(
        [ig.PiecewiseLinear([(0, 0.0), (10, 0.1)]), ig.CosineAnnealingScheduler(0.2, 0.01, 12)],
        names=["a", "b"],
    )
    ours = ig.ParamGroupScheduler.simulate_values(30, schedulers=list(pgs), names=["a", "b"])
    np.testing.assert_allclose(ours, applied, rtol=1e-12, atol=1e-15)
    # ignite's own simulate_values reads get_param() before each call: at a cycle boundary (events 12,
    # 24) it lists the end value the call does not apply (the call restarts the cycle first).
    differ = [k for k in range(30) if abs(theirs[k][2] - applied[k][2]) > 1e-12]
    assert differ == [12, 24]
    np.testing.assert_allclose(
        np.delete(ours, differ, 0), np.delete(theirs, differ, 0), rtol=1e-12, atol=1e-15
    )
    with pytest.raises(ValueError, match=r"^names"):
        ig.ParamGroupScheduler(list(pgs), names=["a"])


# -- create_lr_scheduler_with_warmup ----------------------------------------------------------------------


def _ignite_warmup(make_inner, lr, n, **kw):
    opt = optimizer(lr)
    inner = make_inner(opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        handler = ps.create_lr_scheduler_with_warmup(inner, **kw)
    return run_handler(handler, opt, n)


@given(
    inner=st.sampled_from(["cos", "lin", "tri", "pw"]),
    lr=values,
    start=values,
    W=st.integers(2, 40),
    end=st.none() | values | st.just("first"),
)
def test_warmup_with_an_ignite_scheduler(inner, lr, start, W, end):
    makers = {
        "cos": (
            lambda o: ps.CosineAnnealingScheduler(o, "lr", 0.3, 0.01, 25),
            ig.CosineAnnealingScheduler(0.3, 0.01, 25),
        ),
        "lin": (
            lambda o: ps.LinearCyclicalScheduler(o, "lr", 0.3, 0.0, 10, monotonic=True),
            ig.LinearCyclicalScheduler(0.3, 0.0, 10, monotonic=True),
        ),
        "tri": (
            lambda o: ps.LinearCyclicalScheduler(o, "lr", 0.1, 0.3, 10),
            ig.LinearCyclicalScheduler(0.1, 0.3, 10),
        ),
        "pw": (
            lambda o: ps.PiecewiseLinear(o, "lr", [(0, 0.3), (30, 0.0)]),
            ig.PiecewiseLinear([(0, 0.3), (30, 0.0)]),
        ),
    }
    make, port_inner = makers[inner]
    if end == "first":  # the scheduler's first value: ignite shortens the ramp by one event
        end = port_inner.first_value()
    want = _ignite_warmup(make, lr, N, warmup_start_value=start, warmup_duration=W, warmup_end_value=end)
    port = ig.create_lr_scheduler_with_warmup(port_inner, start, W, end, lr=lr)
    check(port, want, jax_paths=False)


@given(
    lr=values.filter(lambda x: x > 0),
    gamma=st.floats(0.5, 1.0),
    start=values,
    W=st.integers(2, 40),
    end=st.none() | values,
)
def test_warmup_with_a_torch_scheduler(lr, gamma, start, W, end):
    want = _ignite_warmup(
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma),
        lr,
        N,
        warmup_start_value=start,
        warmup_duration=W,
        warmup_end_value=end,
    )
    curve = jaxsched.exponential_decay(lr, 1, gamma)  # torch's ExponentialLR(lr, gamma), g(e) = lr * gamma**e
    port = ig.create_lr_scheduler_with_warmup(curve, start, W, end)
    check(port, want, jax_paths=False)


def test_warmup_with_torch_step_lr_and_several_groups():
    want0 = _ignite_warmup(
        lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5),
        [0.1, 0.3],
        60,
        warmup_start_value=0.0,
        warmup_duration=5,
    )
    curves = [jaxsched.step_decay(0.1, 7, 0.5), jaxsched.step_decay(0.3, 7, 0.5)]
    sims = [None] * 60
    ports = ig.create_lr_scheduler_with_warmup(curves, 0.0, 5, output_simulated_values=sims)
    check(ports[0], want0, jax_paths=False)
    opt = optimizer([0.1, 0.3])
    theirs: list = [None] * 60
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ps.create_lr_scheduler_with_warmup(
            torch.optim.lr_scheduler.StepLR(opt, 7, 0.5), 0.0, 5, output_simulated_values=theirs
        )
    np.testing.assert_allclose(sims, theirs, rtol=1e-12, atol=1e-15)


def test_warmup_is_refused_as_ignite_does():
    with pytest.raises(TypeError, match=r"^warmup_duration"):
        ig.create_lr_scheduler_with_warmup(ig.PiecewiseLinear([(0, 1.0)]), 0.0, 3.0, lr=0.1)
    with pytest.raises(ValueError, match=r"^warmup_duration"):
        ig.create_lr_scheduler_with_warmup(ig.PiecewiseLinear([(0, 1.0)]), 0.0, 1, lr=0.1)
    with pytest.raises(ValueError, match=r"^lr"):
        ig.create_lr_scheduler_with_warmup(ig.PiecewiseLinear([(0, 1.0)]), 0.0, 3)


# -- arguments ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "argument", "error"),
    [
        (lambda m, o: m.CosineAnnealingScheduler(*o, 1.0, 0.0, cycle_size=1), "cycle_size", ValueError),
        (
            lambda m, o: m.LinearCyclicalScheduler(*o, 1.0, 0.0, cycle_size=10, warmup_duration=2),
            "warmup_duration",
            ValueError,
        ),
        (lambda m, o: m.PiecewiseLinear(*o, milestones_values=[]), "milestones_values", ValueError),
        (
            lambda m, o: m.PiecewiseLinear(*o, milestones_values=[(5, 1.0), (2, 0.5)]),
            "milestones_values",
            ValueError,
        ),
        (lambda m, o: m.PiecewiseLinear(*o, milestones_values=[(1.5, 1.0)]), "milestones_values", TypeError),
        (
            lambda m, o: m.PiecewiseLinear(*o, milestones_values=[(1, 1.0, 2.0)]),
            "milestones_values",
            ValueError,
        ),
    ],
)
def test_refused_like_ignite(make, argument, error):
    with pytest.raises(error) as info:
        make(ig, ())
    assert str(info.value).startswith(argument), str(info.value)
    with pytest.raises(error):
        make(ps, (optimizer(), "lr"))


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: ig.CosineAnnealingScheduler(1.0, 0.0, 10, cycle_mult=0.5), "cycle_mult"),
        (lambda: ig.CosineAnnealingScheduler(1.0, 0.0, 10, start_value_mult=1.5), "start_value_mult"),
        (lambda: ig.PiecewiseLinear([(-5, 1.0)]), "milestones_values"),
        (lambda: ig.PiecewiseLinear([(5, -1.0)]), "milestones_values"),
        (lambda: ig.ConcatScheduler([ig.PiecewiseLinear([(0, 1.0)])], []), "schedulers"),
        (lambda: ig.ConcatScheduler([ig.PiecewiseLinear([(0, 1.0)])] * 2, [-1]), "durations"),
        (lambda: ig.ConcatScheduler([ig.PiecewiseLinear([(0, 1.0)])] * 2, [1, 2]), "durations"),
        (lambda: ig.ConcatScheduler([ig.PiecewiseLinear([(0, 1.0)])] * 2, [1.5]), "durations"),
    ],
)
def test_refused_here(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)


def test_examples_match_ignite():
    for name in ("LinearCyclicalScheduler", "CosineAnnealingScheduler", "ConcatScheduler", "PiecewiseLinear"):
        cls = jaxsched.registry()[f"compat.ignite.{name}"]
        for ex in cls.examples:
            port = jaxsched.from_config({"name": cls.config_name, **ex})
            opt = optimizer()
            check(
                port,
                run_handler(build(port, opt), opt, 1200),
                jax_paths=False,
                exact=(lambda p: lambda k: float(p.numpy(k)))(port)
                if name == "ConcatScheduler"
                else exact_piecewise([tuple(x) for x in ex["milestones_values"]])
                if name == "PiecewiseLinear"
                else exact_cyclical(
                    port, "cos" if "Cosine" in name else ("linear" if ex.get("monotonic") else "triangle")
                ),
            )
