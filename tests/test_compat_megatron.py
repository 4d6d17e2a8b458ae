"""jaxsched.compat.megatron against megatron-core's own OptimizerParamScheduler.

Every learning-rate style (WSD with each decay style) and weight-decay style is compared at every update
with Megatron stepped like its training loop, over hypothesis-drawn configurations (criterion in
``tests/stack_parity.py``); the exact values are 40-digit transcriptions of ``get_lr``/``get_wd``.
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched._references.megatron import megatron_curve
from jaxsched.compat import megatron as mc
from tests.stack_parity import check

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import megatron.core  # noqa: F401

mpmath.mp.dps = 40
mpf = mpmath.mpf
N = 500


def exact_lr(init, P, E, W, D, style, S=None, wstyle=None):
    def f(n):
        n = mpf(n)
        if W > 0 and n <= W:
            return float(init + (P - mpf(init)) * n / W)
        if style == "constant":
            return P
        if n > D:
            return E
        if style == "inverse-square-root":
            return float(max(mpf(E), P * mpmath.sqrt(max(W, 1)) / mpmath.sqrt(max(n, 1))))
        r = (n - W) / (D - W)
        if style == "linear":
            c = 1 - r
        elif style == "cosine":
            c = (1 + mpmath.cos(mpmath.pi * r)) / 2
        else:
            A = D - S
            if n <= A:
                c = mpf(1)
            else:
                p = (n - A) / S
                c = {
                    "linear": lambda: 1 - p,
                    "cosine": lambda: (1 + mpmath.cos(mpmath.pi * p)) / 2,
                    "exponential": lambda: 2 * mpf(0.5) ** p - 1,
                    "minus_sqrt": lambda: 1 - mpmath.sqrt(p),
                }[wstyle]()
        return float(E + (P - mpf(E)) * c)

    return f


def exact_wd(start, end, T, style, mult=1.0):
    def f(n):
        if n > T or style == "constant":
            return float(mpf(end) * mult)
        r = mpf(n) / T
        c = r if style == "linear" else (1 + mpmath.cos(mpmath.pi * (1 - r))) / 2
        return float((start + c * (end - mpf(start))) * mult)

    return f


lrs = st.sampled_from([1.0, 3e-4]) | st.floats(1e-6, 1.0)


@st.composite
def lr_configs(draw):
    P = draw(lrs)
    flush = st.floats(0.0, P).map(lambda x: x if x > 1e-30 else 0.0)  # float32-representable levels
    E = draw(st.sampled_from([0.0, 0.1 * P]) | flush)
    init = draw(st.sampled_from([0.0, E]) | flush)
    D = draw(st.integers(1, N + 50))
    W = draw(st.sampled_from([0, D - 1]) | st.integers(0, D - 1))
    style = draw(st.sampled_from(mc.LR_DECAY_STYLES))
    kw = {
        "init_lr": init,
        "max_lr": P,
        "min_lr": E,
        "lr_warmup_steps": W,
        "lr_decay_steps": D,
        "lr_decay_style": style,
    }
    if style == "WSD":
        kw["wsd_decay_steps"] = draw(st.sampled_from([0, D - W, D, D + 7]) | st.integers(0, D + 20))
        kw["lr_wsd_decay_style"] = draw(st.sampled_from(mc.WSD_DECAY_STYLES))
    return kw


@given(lr_configs())
def test_learning_rate(kw):
    port = mc.OptimizerParamSchedulerLR(**kw)
    want = references()[port.config_name].run(port, N)
    exact = exact_lr(
        kw["init_lr"],
        kw["max_lr"],
        kw["min_lr"],
        kw["lr_warmup_steps"],
        kw["lr_decay_steps"],
        kw["lr_decay_style"],
        kw.get("wsd_decay_steps"),
        kw.get("lr_wsd_decay_style"),
    )
    check(port, want, exact)


@pytest.mark.parametrize("wstyle", mc.WSD_DECAY_STYLES)
@pytest.mark.parametrize("S", [0, 1, 100, 180, 250])  # 180, 250: the decay starts inside the warmup
def test_wsd_every_decay_style(wstyle, S):
    kw = {
        "init_lr": 1e-5,
        "max_lr": 1e-3,
        "min_lr": 1e-4,
        "lr_warmup_steps": 50,
        "lr_decay_steps": 200,
        "lr_decay_style": "WSD",
        "wsd_decay_steps": S,
        "lr_wsd_decay_style": wstyle,
    }
    port = mc.OptimizerParamSchedulerLR(**kw)
    check(
        port,
        references()[port.config_name].run(port, 260),
        exact_lr(1e-5, 1e-3, 1e-4, 50, 200, "WSD", S, wstyle),
    )


@given(
    start=st.sampled_from([0.0, 0.01]) | st.floats(1e-6, 0.2),
    extra=st.floats(0.0, 0.2),
    T=st.integers(0, N),
    style=st.sampled_from(mc.WD_INCR_STYLES),
    mult=st.sampled_from([1.0, 0.0, 0.5]) | st.floats(1e-3, 2.0),
)
@example(start=0.0, extra=1.0137550257610818e-138, T=230, style="cosine", mult=1.5)  # below float32's range
def test_weight_decay(start, extra, T, style, mult):
    end = start if style == "constant" else start + extra
    assume(style == "constant" or T > 0)
    port = mc.OptimizerParamSchedulerWD(start, end, T, style, mult)
    want = references()[port.config_name].run(port, N)
    check(port, want, exact_wd(start, end, T, style, mult))


def test_factory_matches_one_megatron_scheduler_for_both_fields():
    kw = {
        "init_lr": 0.0,
        "max_lr": 3e-4,
        "min_lr": 3e-5,
        "lr_warmup_steps": 30,
        "lr_decay_steps": 300,
        "lr_decay_style": "cosine",
        "start_wd": 0.0,
        "end_wd": 0.1,
        "wd_incr_steps": 300,
        "wd_incr_style": "cosine",
    }
    lr, wd = mc.OptimizerParamScheduler(**kw)
    check(lr, megatron_curve(kw, 350, "lr"), exact_lr(0.0, 3e-4, 3e-5, 30, 300, "cosine"))
    check(wd, megatron_curve(kw, 350, "weight_decay"), exact_wd(0.0, 0.1, 300, "cosine"))
    assert mc.OptimizerParamScheduler(**kw, wd_mult=0.0).weight_decay.numpy(100) == 0.0


def test_iteration_curve_equals_the_sample_curve_megatron_runs():
    """With --train-iters Megatron counts samples (increment = global batch size): the per-iteration
    values equal the port built from the *_iters values."""
    G = 96
    iters = {
        "init_lr": 0.0,
        "max_lr": 1e-3,
        "min_lr": 1e-4,
        "lr_warmup_steps": 20,
        "lr_decay_steps": 200,
        "lr_decay_style": "WSD",
        "wsd_decay_steps": 50,
        "lr_wsd_decay_style": "cosine",
        "start_wd": 0.01,
        "end_wd": 0.1,
        "wd_incr_steps": 200,
        "wd_incr_style": "linear",
    }
    samples = {
        **iters,
        **{
            k: iters[k] * G for k in ("lr_warmup_steps", "lr_decay_steps", "wsd_decay_steps", "wd_incr_steps")
        },
    }
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    from jaxsched._references.megatron import _Optimizer

    opt = _Optimizer()
    sched = OptimizerParamScheduler(opt, **samples)
    want = []
    for _ in range(230):
        want.append((opt.param_groups[0]["lr"], opt.param_groups[0]["weight_decay"]))
        sched.step(increment=G)
    lr, wd = mc.OptimizerParamScheduler(**iters)
    want_lr, want_wd = np.array(want).T
    check(lr, want_lr, exact_lr(0.0, 1e-3, 1e-4, 20, 200, "WSD", 50, "cosine"))
    check(wd, want_wd, exact_wd(0.01, 0.1, 200, "linear"))


@pytest.mark.parametrize(
    ("kwargs", "argument", "error"),
    [
        ({"min_lr": -1e-5}, "min_lr", AssertionError),
        ({"max_lr": 1e-5, "min_lr": 1e-4}, "max_lr", AssertionError),
        ({"init_lr": 1e-2}, "init_lr", AssertionError),
        ({"lr_decay_steps": 0, "lr_warmup_steps": 0}, "lr_decay_steps", AssertionError),
        ({"lr_warmup_steps": 100}, "lr_warmup_steps", AssertionError),
        ({"lr_decay_style": "WSD"}, "wsd_decay_steps", AssertionError),
        ({"lr_decay_style": "WSD", "wsd_decay_steps": 10}, "lr_wsd_decay_style", AssertionError),
        ({"lr_decay_style": "poly"}, "lr_decay_style", Exception),
        (
            {"lr_decay_style": "WSD", "wsd_decay_steps": 10, "lr_wsd_decay_style": "step"},
            "lr_wsd_decay_style",
            Exception,
        ),
    ],
)
def test_learning_rate_refused_as_megatron_does(kwargs, argument, error):
    kw = {
        "init_lr": 0.0,
        "max_lr": 1e-3,
        "min_lr": 1e-5,
        "lr_warmup_steps": 10,
        "lr_decay_steps": 100,
        "lr_decay_style": "cosine",
        **kwargs,
    }
    with pytest.raises(ValueError, match=f"^{argument}") as info:
        mc.OptimizerParamSchedulerLR(**kw)
    assert isinstance(info.value, error)
    if error is AssertionError:  # Megatron asserts the same, at construction or at the first step using it
        with pytest.raises(AssertionError):
            megatron_curve(
                {**kw, "start_wd": 0.0, "end_wd": 0.0, "wd_incr_steps": 1, "wd_incr_style": "constant"},
                200,
                "lr",
            )


@pytest.mark.parametrize(
    ("kwargs", "argument", "error"),
    [
        ({"start_wd": -0.1}, "start_wd", AssertionError),
        ({"end_wd": 0.001}, "end_wd", AssertionError),
        ({"wd_incr_style": "constant"}, "end_wd", AssertionError),
        ({"wd_incr_steps": 0}, "wd_incr_steps", ZeroDivisionError),
    ],
)
def test_weight_decay_refused_as_megatron_does(kwargs, argument, error):
    kw = {"start_wd": 0.01, "end_wd": 0.1, "wd_incr_steps": 100, "wd_incr_style": "linear", **kwargs}
    with pytest.raises(ValueError, match=f"^{argument}") as info:
        mc.OptimizerParamSchedulerWD(**kw)
    assert isinstance(info.value, error)
    with pytest.raises(error):
        megatron_curve(
            {
                "init_lr": 0.0,
                "max_lr": 1.0,
                "min_lr": 0.0,
                "lr_warmup_steps": 0,
                "lr_decay_steps": 1,
                "lr_decay_style": "constant",
                **kw,
            },
            5,
            "weight_decay",
        )


def test_override_and_use_checkpoint_together_are_refused():
    kw = {
        "init_lr": 0.0,
        "max_lr": 1.0,
        "min_lr": 0.0,
        "lr_warmup_steps": 0,
        "lr_decay_steps": 1,
        "lr_decay_style": "constant",
        "start_wd": 0.0,
        "end_wd": 0.0,
        "wd_incr_steps": 1,
        "wd_incr_style": "constant",
    }
    with pytest.raises(AssertionError, match=r"^override_opt_param_scheduler"):
        mc.OptimizerParamScheduler(
            **kw, use_checkpoint_opt_param_scheduler=True, override_opt_param_scheduler=True
        )
    assert isinstance(
        mc.OptimizerParamScheduler(
            **kw, use_checkpoint_opt_param_scheduler=False, override_opt_param_scheduler=True
        ).learning_rate,
        jaxsched.Schedule,
    )
