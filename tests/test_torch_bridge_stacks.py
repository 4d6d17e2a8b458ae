"""torch_bridge._convert_stacks: live ignite, Megatron-core, Composer and OLMo-core schedulers as ports.

ignite and Megatron-core are the real libraries. Composer and OLMo-core cannot be installed here: their
objects are stand-ins with the originals' class names, modules and attributes (Composer's compiled
``LambdaLR`` with the closure ``compile_composer_scheduler`` builds), which is all the converter reads.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import warnings

import numpy as np
import pytest
import torch
from ignite.handlers import param_scheduler as ps

from jaxsched._references.megatron import megatron_curve
from jaxsched.compat import composer as cp
from jaxsched.compat import ignite as ig
from jaxsched.compat import megatron as mc
from jaxsched.compat import olmo as op
from torch_bridge import ScheduleLR
from torch_bridge._convert_stacks import StackConversionError, convert, megatron_schedules


def optimizer(*lrs: float) -> torch.optim.Optimizer:
    return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": x} for x in lrs or (0.1,)])


# -- ignite ------------------------------------------------------------------


def test_ignite_schedulers():
    opt = optimizer()
    cos = ps.CosineAnnealingScheduler(
        opt, "lr", 0.1, 0.001, 20, cycle_mult=1.5, start_value_mult=0.8, warmup_duration=3
    )
    assert convert(cos) == ig.CosineAnnealingScheduler(0.1, 0.001, 20, 1.5, 0.8, 1.0, 3)
    lin = ps.LinearCyclicalScheduler(opt, "lr", 0.0, 0.1, 10, monotonic=True, warmup_duration=2)
    assert convert(lin) == ig.LinearCyclicalScheduler(0.0, 0.1, 10, warmup_duration=2, monotonic=True)
    pw = ps.PiecewiseLinear(opt, "lr", [(0, 0.0), (5, 0.1), (5, 0.05), (20, 0.0)])
    assert convert(pw) == ig.PiecewiseLinear([(0, 0.0), (5, 0.1), (5, 0.05), (20, 0.0)])
    concat = ps.ConcatScheduler([pw, cos], durations=[21])
    port = convert(concat)
    assert port == ig.ConcatScheduler([convert(pw), convert(cos)], [21])
    # The port drives a torch optimizer as ignite would (event k = update k).
    want = []
    fresh = ps.ConcatScheduler(
        [
            ps.PiecewiseLinear(opt, "lr", [(0, 0.0), (5, 0.1), (5, 0.05), (20, 0.0)]),
            ps.CosineAnnealingScheduler(
                opt, "lr", 0.1, 0.001, 20, cycle_mult=1.5, start_value_mult=0.8, warmup_duration=3
            ),
        ],
        durations=[21],
    )
    for _ in range(80):
        fresh(None)
        want.append(opt.param_groups[0]["lr"])
    o2 = optimizer()
    sched = ScheduleLR(o2, port)
    got = []
    for _ in range(80):
        got.append(o2.param_groups[0]["lr"])
        o2.step()
        sched.step()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-16)


def test_ignite_param_groups_and_refusals():
    opt = optimizer(0.1, 0.2)
    a = ps.PiecewiseLinear(opt, "lr", [(0, 0.0), (10, 0.1)], param_group_index=0)
    b = ps.CosineAnnealingScheduler(opt, "lr", 0.2, 0.0, 10, param_group_index=1)
    assert convert(ps.ParamGroupScheduler([a, b])) == [convert(a), convert(b)]
    b(None)
    with pytest.raises(StackConversionError, match="already called"):
        convert(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped = ps.LRScheduler(torch.optim.lr_scheduler.ExponentialLR(optimizer(), 0.5))
    assert convert(wrapped) is None
    assert convert(torch.optim.lr_scheduler.StepLR(optimizer(), 3)) is None
    assert convert(object()) is None


# -- Megatron-core ------------------------------------------------------------------


def test_megatron_groups_and_both_fields():
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    groups = [{}, {"max_lr": 3e-4, "min_lr": 0.0, "wd_mult": 0.0}]
    kw = {
        "init_lr": 0.0,
        "max_lr": 1e-3,
        "min_lr": 1e-5,
        "lr_warmup_steps": 20,
        "lr_decay_steps": 200,
        "lr_decay_style": "WSD",
        "start_wd": 0.0,
        "end_wd": 0.1,
        "wd_incr_steps": 200,
        "wd_incr_style": "cosine",
        "wsd_decay_steps": 50,
        "lr_wsd_decay_style": "exponential",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = OptimizerParamScheduler(types.SimpleNamespace(param_groups=[dict(g) for g in groups]), **kw)
    lrs = convert(obj)
    assert isinstance(lrs, list) and len(lrs) == 2
    both = megatron_schedules(obj)
    assert both["lr"] == lrs
    assert lrs[0] == mc.OptimizerParamScheduler(**kw).learning_rate
    k = np.arange(260)
    for i, g in enumerate(groups):
        np.testing.assert_allclose(lrs[i].numpy(k), megatron_curve(kw, 260, "lr", g), rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(
            both["weight_decay"][i].numpy(k),
            megatron_curve(kw, 260, "weight_decay", g),
            rtol=1e-12,
            atol=1e-18,
        )


# -- Composer (stand-ins) ------------------------------------------------------------------


class _Unit(enum.Enum):
    BATCH = "ba"
    DURATION = "dur"


class _Time:
    def __init__(self, value, unit):
        self.value, self.unit = value, unit


def _composer_class(name, fields):
    def init(self, **kw):
        for f in fields:
            setattr(self, f, kw[f])

    return types.new_class(
        name,
        (),
        {},
        lambda ns: ns.update(
            {
                "__init__": init,
                "__call__": lambda self, state, ssr=1.0: 1.0,
                "__module__": "composer.optim.scheduler",
            }
        ),
    )


def compile_composer_scheduler(scheduler, state, ssr):
    def scheduler_fn(epoch):
        del epoch
        return scheduler(state, ssr)

    scheduler_fn.__module__ = "composer.optim.scheduler"
    return scheduler_fn


def test_composer_compiled_lambda_lr():
    Cos = _composer_class(
        "CosineAnnealingWithWarmupScheduler", ("t_warmup", "t_max", "alpha_f", "scale_warmup")
    )
    sched = Cos(t_warmup=_Time(10, _Unit.BATCH), t_max="1dur", alpha_f=0.1, scale_warmup=False)
    state = types.SimpleNamespace(max_duration=_Time(100, _Unit.BATCH), dataloader_len=None)
    lam = torch.optim.lr_scheduler.LambdaLR(optimizer(0.3), compile_composer_scheduler(sched, state, 1.0))
    port = convert(lam)
    assert port == cp.CosineAnnealingWithWarmupScheduler("10ba", "1dur", 0.1, lr=0.3, max_duration="100ba")
    Step = _composer_class("StepScheduler", ("step_size", "gamma"))
    bare = Step(step_size="5ba", gamma=0.5)
    with pytest.raises(StackConversionError, match="max_duration"):
        convert(bare)
    assert convert(bare, max_duration="50ba", lr=0.1) == cp.StepScheduler(
        "5ba", 0.5, max_duration="50ba", lr=0.1
    )


# -- OLMo-core (stand-ins) ------------------------------------------------------------------


class _Units(str, enum.Enum):
    steps = "steps"
    tokens = "tokens"


def _olmo_class(name, fields):
    cls = dataclasses.make_dataclass(
        name,
        [
            ("lr_field", str, "lr"),
            ("initial_lr_field", str, "initial_lr"),
            ("units", _Units, _Units.steps),
            *fields,
        ],
    )
    cls.__module__ = "olmo_core.optim.scheduler"
    return cls


def test_olmo_scheduler_objects():
    Cos = _olmo_class(
        "CosWithWarmup",
        [
            ("warmup", int, None),
            ("warmup_steps", int, None),
            ("warmup_fraction", float, None),
            ("alpha_f", float, 0.1),
            ("t_max", int, None),
            ("warmup_min_lr", float, 0.0),
        ],
    )
    obj = Cos(warmup=10, alpha_f=0.05)
    port = convert(obj, initial_lr=1e-3, max_steps=200)
    assert port == op.CosWithWarmup(warmup=10, alpha_f=0.05, initial_lr=1e-3, max_steps=200)
    with pytest.raises(StackConversionError, match="initial_lr"):
        convert(obj)
    Stage = dataclasses.make_dataclass(
        "ComposableSchedulerStage",
        [
            ("duration", int),
            ("shape", str, "linear"),
            ("start_lr", float, None),
            ("start_lr_fraction", float, None),
            ("end_lr", float, None),
            ("end_lr_fraction", float, None),
        ],
    )
    Comp = _olmo_class("ComposableScheduler", [("stages", list, None), ("override_decay", object, None)])
    comp = Comp(
        stages=[Stage(10, "linear", start_lr=0.0, end_lr_fraction=1.0), Stage(90, "cosine", end_lr=0.0)]
    )
    assert convert(comp, initial_lr=1e-3, max_steps=100) == op.ComposableScheduler(
        [
            {"duration": 10, "start_lr": 0.0, "end_lr_fraction": 1.0},
            {"duration": 90, "shape": "cosine", "end_lr": 0.0},
        ],
        initial_lr=1e-3,
        max_steps=100,
    )
