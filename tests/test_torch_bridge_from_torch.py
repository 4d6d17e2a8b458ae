"""from_torch on every scheduler of the libraries jaxsched ports, live and mid-run (issue 13.2/13.3).

Each original scheduler is built and stepped as its library's training loop steps it; the converted
schedule must give the LR the original applied at every update (float64 NumPy path, 1e-12 relative), and,
with ``resume=True`` after ``k`` steps, the LRs from update ``k`` on.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import pytorch_accelerated.schedulers as pas
import pytorch_warmup as pw
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.optim import swa_utils
from transformers import optimization as hfo

import jaxsched
import torch_bridge
from jaxsched import ScheduleArgumentError
from jaxsched.compat import pytorch_accelerated as cpa
from jaxsched.compat import pytorch_warmup as cpw
from jaxsched.compat import timm as ct
from jaxsched.compat import torch as tp
from jaxsched.compat import transformers as ch
from tests._timm_import import timm_scheduler
from torch_bridge import ConversionError, from_torch

LS = torch.optim.lr_scheduler
LRS = (0.1, 0.03)


def _opt(lrs: tuple[float, ...] = LRS, **kw: Any) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.AdamW(groups, lr=lrs[0], **kw)


def _lrs(opt: torch.optim.Optimizer) -> list[float]:
    return [float(g["lr"]) for g in opt.param_groups]


def _trace(opt: torch.optim.Optimizer, step: Callable[[int], None], n: int) -> np.ndarray:
    """LRs of every group at updates 0..n-1; ``step(k)`` runs after update ``k - 1``."""
    out = [_lrs(opt)]
    for k in range(1, n):
        opt.step()
        step(k)
        out.append(_lrs(opt))
    return np.asarray(out)


def _per_group(conv: Any, n_groups: int) -> list[jaxsched.Schedule]:
    return list(conv) if isinstance(conv, list) else [conv] * n_groups


def assert_curve(conv: Any, trace: np.ndarray, start: int = 0, rtol: float = 1e-12) -> None:
    """``conv`` (one schedule or one per group) reproduces ``trace[start:]`` from its step 0 (relative
    ``rtol``, and 1e-13 of the curve's scale: near a zero, e.g. a cosine trough)."""
    k = np.arange(len(trace) - start)
    for i, s in enumerate(_per_group(conv, trace.shape[1])):
        np.testing.assert_allclose(
            s.numpy(k),
            trace[start:, i],
            rtol=rtol,
            atol=1e-13 * float(np.max(np.abs(trace[:, i]))),
            err_msg=f"group {i}: {s!r}",
        )


def check_live_and_mid_run(
    make: Callable[[torch.optim.Optimizer], Any],
    step: Callable[[Any, int], None],
    n: int,
    mid: int,
    *,
    opt_kw: dict[str, Any] | None = None,
    rtol: float = 1e-12,
) -> Any:
    """Convert a fresh scheduler and one stepped ``mid`` times (from the start and with resume=True)."""
    opt = _opt(**(opt_kw or {}))
    sched = make(opt)
    fresh = from_torch(sched)
    trace = _trace(opt, lambda k: step(sched, k), n)
    assert_curve(fresh, trace, rtol=rtol)
    opt = _opt(**(opt_kw or {}))
    sched = make(opt)
    _trace(opt, lambda k: step(sched, k), mid + 1)
    assert from_torch(sched) == fresh  # the curve from its start, whatever it has been stepped since
    assert_curve(from_torch(sched, resume=True), trace, start=mid, rtol=rtol)
    return fresh


def _step(s: Any, k: int) -> None:
    s.step()


# -- HF transformers' get_* schedules ---------------------------------------------------------------------

HF_CASES: list[tuple[Callable[..., Any], dict[str, Any], type]] = [
    (hfo.get_constant_schedule, {}, ch.ConstantSchedule),
    (hfo.get_constant_schedule_with_warmup, {"num_warmup_steps": 7}, ch.ConstantScheduleWithWarmup),
    (
        hfo.get_linear_schedule_with_warmup,
        {"num_warmup_steps": 7, "num_training_steps": 60},
        ch.LinearScheduleWithWarmup,
    ),
    (
        hfo.get_cosine_schedule_with_warmup,
        {"num_warmup_steps": 7, "num_training_steps": 60},
        ch.CosineScheduleWithWarmup,
    ),
    (
        hfo.get_cosine_schedule_with_warmup,
        {"num_warmup_steps": 0, "num_training_steps": 50, "num_cycles": 1.3},
        ch.CosineScheduleWithWarmup,
    ),
    (
        hfo.get_cosine_with_hard_restarts_schedule_with_warmup,
        {"num_warmup_steps": 5, "num_training_steps": 60, "num_cycles": 3},
        ch.CosineWithHardRestartsScheduleWithWarmup,
    ),
    (
        hfo.get_polynomial_decay_schedule_with_warmup,
        {"num_warmup_steps": 5, "num_training_steps": 50, "lr_end": 1e-4, "power": 2.0},
        ch.PolynomialDecayScheduleWithWarmup,
    ),
    (hfo.get_inverse_sqrt_schedule, {"num_warmup_steps": 6}, ch.InverseSqrtSchedule),
    (hfo.get_inverse_sqrt_schedule, {"num_warmup_steps": 6, "timescale": 20}, ch.InverseSqrtSchedule),
    (
        hfo.get_cosine_with_min_lr_schedule_with_warmup,
        {"num_warmup_steps": 5, "num_training_steps": 60, "min_lr": 1e-3},
        ch.CosineWithMinLrScheduleWithWarmup,
    ),
    (
        hfo.get_cosine_with_min_lr_schedule_with_warmup,
        {"num_warmup_steps": 5, "num_training_steps": 60, "min_lr_rate": 0.2},
        ch.CosineWithMinLrScheduleWithWarmup,
    ),
    (
        hfo.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
        {"num_warmup_steps": 5, "num_training_steps": 60, "min_lr_rate": 0.1},
        ch.CosineWithMinLrScheduleWithWarmupLrRate,
    ),
    (
        hfo.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
        {"num_warmup_steps": 5, "num_training_steps": 60, "min_lr_rate": 0.1, "warmup_lr_rate": 0.3},
        ch.CosineWithMinLrScheduleWithWarmupLrRate,
    ),
    (
        hfo.get_wsd_schedule,
        {"num_warmup_steps": 5, "num_decay_steps": 20, "num_training_steps": 60},
        ch.WsdSchedule,
    ),
    (
        hfo.get_wsd_schedule,
        {
            "num_warmup_steps": 5,
            "num_decay_steps": 20,
            "num_stable_steps": 10,
            "warmup_type": "cosine",
            "decay_type": "1-sqrt",
            "min_lr_ratio": 0.1,
        },
        ch.WsdSchedule,
    ),
]


@pytest.mark.parametrize(
    ("factory", "kwargs", "port"), HF_CASES, ids=[f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(HF_CASES)]
)
def test_hf_get_schedules_convert_to_their_ports(factory: Any, kwargs: dict[str, Any], port: type) -> None:
    fresh = check_live_and_mid_run(lambda opt: factory(opt, **kwargs), _step, 80, 23)
    for s in _per_group(fresh, 2):
        leaves = [s] if isinstance(s, port) else list(getattr(s, "schedules", []))
        assert any(isinstance(x, port) for x in leaves), repr(s)


@given(
    warmup=st.integers(0, 30), total=st.integers(1, 200), cycles=st.floats(0.1, 3.0), mid=st.integers(0, 250)
)
def test_hf_cosine_converts_for_drawn_arguments(warmup: int, total: int, cycles: float, mid: int) -> None:
    make = functools.partial(
        hfo.get_cosine_schedule_with_warmup,
        num_warmup_steps=warmup,
        num_training_steps=total,
        num_cycles=cycles,
    )
    check_live_and_mid_run(make, _step, 260, mid)


def test_hf_unknown_lambdas_and_the_plateau_factories_are_refused_by_name() -> None:
    opt = _opt()
    with pytest.raises(ConversionError, match=r"jaxsched.reduce_on_plateau"):
        from_torch(hfo.get_scheduler("reduce_lr_on_plateau", opt))
    greedy = hfo.get_scheduler("greedy", _opt())
    with pytest.raises(ConversionError, match=r"jaxsched.compat.transformers.GreedyLR"):
        from_torch(greedy)
    with pytest.raises(ConversionError, match="arbitrary Python callable"):
        from_torch(LS.LambdaLR(_opt(), lambda k: 0.9**k))


# -- timm -------------------------------------------------------------------------------------------------

TIMM_CASES = [
    (
        "CosineLRScheduler",
        {
            "t_initial": 30,
            "lr_min": 1e-4,
            "cycle_mul": 2.0,
            "cycle_decay": 0.5,
            "cycle_limit": 3,
            "warmup_t": 3,
            "warmup_prefix": True,
            "k_decay": 1.5,
        },
    ),
    ("CosineLRScheduler", {"t_initial": 17, "cycle_limit": 5, "cycle_decay": 0.9, "t_in_epochs": False}),
    (
        "TanhLRScheduler",
        {
            "t_initial": 25,
            "lb": -5.0,
            "ub": 5.0,
            "cycle_limit": 4,
            "cycle_mul": 2.0,
            "warmup_t": 6,
            "warmup_lr_init": 1e-3,
        },
    ),
    (
        "PolyLRScheduler",
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
    ),
    ("StepLRScheduler", {"decay_t": 7, "decay_rate": 0.5, "warmup_t": 5, "warmup_prefix": False}),
    ("MultiStepLRScheduler", {"decay_t": [1, 10, 20], "decay_rate": 0.5, "warmup_t": 2}),
]


def _timm_step(sched: Any, t: int) -> None:
    if sched.t_in_epochs:
        sched.step(t)  # timm's loop: step(epoch + 1) after each epoch
    else:
        sched.step_update(t)  # and step_update(num_updates) after each update


@pytest.mark.parametrize(("name", "kwargs"), TIMM_CASES, ids=[c[0] for c in TIMM_CASES])
@pytest.mark.parametrize("lr_scale", [None, 0.5])
def test_timm_schedulers_convert_to_their_ports(
    name: str, kwargs: dict[str, Any], lr_scale: float | None
) -> None:
    opt = _opt()
    if lr_scale is not None:
        opt.param_groups[1]["lr_scale"] = lr_scale
    sched = getattr(timm_scheduler(), name)(opt, **kwargs)
    conv = from_torch(sched)
    trace = _trace(opt, lambda t: _timm_step(sched, t), 90)
    assert_curve(conv, trace)
    assert isinstance(_per_group(conv, 2)[0], getattr(ct, name))
    with pytest.raises(ConversionError, match="keep no position"):
        from_torch(sched, resume=True)


def test_timm_noise_and_plateau_are_refused_with_the_reason() -> None:
    ts = timm_scheduler()
    noisy = ts.CosineLRScheduler(_opt(), t_initial=20, noise_range_t=5)
    with pytest.raises(ConversionError, match="noise"):
        from_torch(noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        plateau = ts.PlateauLRScheduler(_opt())
    with pytest.raises(ConversionError, match=r"jaxsched.compat.timm.PlateauLRScheduler"):
        from_torch(plateau)


# -- pytorch-accelerated ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "kwargs", "port"),
    [
        (
            pas.CosineLrScheduler,
            {
                "total_num_epochs": 6,
                "num_update_steps_per_epoch": 7,
                "num_warmup_epochs": 1,
                "num_cooldown_epochs": 1,
                "k_decay": 1.5,
            },
            cpa.CosineLrScheduler,
        ),
        (
            pas.CosineLrScheduler,
            {
                "total_num_epochs": 5,
                "num_update_steps_per_epoch": 9,
                "min_lr_ratio": 0.1,
                "warmup_starting_lr_ratio": 0.2,
                "num_warmup_epochs": 1,
            },
            cpa.CosineLrScheduler,
        ),
        (
            pas.WSDLrScheduler,
            {"total_steps": 60, "num_warmup_steps": 5, "num_checkpoints": 3, "decay_phase_ratio": 0.2},
            cpa.WSDLrScheduler,
        ),
        (
            pas.WSDLrScheduler,
            {"total_steps": 50, "num_warmup_steps": 4, "use_inverse_sqrt_decay": False},
            cpa.WSDLrScheduler,
        ),
    ],
)
def test_pytorch_accelerated_converts_to_its_ports(cls: Any, kwargs: dict[str, Any], port: type) -> None:
    fresh = check_live_and_mid_run(lambda opt: cls(opt, **kwargs), _step, 70, 17)
    assert all(isinstance(s, port) for s in _per_group(fresh, 2))


# -- pytorch_warmup (and torch_bridge's warmups): the dampening composition --------------------------------

WARMUPS: list[tuple[Any, Any]] = [
    (lambda o: pw.LinearWarmup(o, warmup_period=[5, 9]), lambda o: torch_bridge.LinearWarmup(o, [5, 9])),
    (lambda o: pw.ExponentialWarmup(o, warmup_period=6), lambda o: torch_bridge.ExponentialWarmup(o, 6)),
    (pw.UntunedLinearWarmup, torch_bridge.UntunedLinearWarmup),
    (pw.UntunedExponentialWarmup, torch_bridge.UntunedExponentialWarmup),
    (pw.RAdamWarmup, torch_bridge.RAdamWarmup),
]


@pytest.mark.parametrize("which", ["original", "torch_bridge"])
@pytest.mark.parametrize("index", range(len(WARMUPS)))
@pytest.mark.parametrize("with_scheduler", [True, False])
def test_warmups_convert_with_their_dampening(which: str, index: int, with_scheduler: bool) -> None:
    make_warmup = WARMUPS[index][0 if which == "original" else 1]

    def build() -> tuple[torch.optim.Optimizer, Any, Any]:
        opt = _opt(betas=(0.9, 0.95))
        lr_sched = LS.CosineAnnealingLR(opt, T_max=40) if with_scheduler else None
        return opt, lr_sched, make_warmup(opt)

    def step(pair: tuple[Any, Any], k: int) -> None:
        lr_sched, warmup = pair
        with warmup.dampening():
            if lr_sched is not None:
                lr_sched.step()

    def convert(lr_sched: Any, warmup: Any, resume: bool = False) -> Any:
        if lr_sched is None:
            return from_torch(warmup, resume=resume)
        return from_torch(lr_sched, warmup=warmup, resume=resume)

    opt, lr_sched, warmup = build()
    fresh = convert(lr_sched, warmup)
    trace = _trace(opt, lambda k: step((lr_sched, warmup), k), 60)
    assert_curve(fresh, trace)
    opt, lr_sched, warmup = build()
    _trace(opt, lambda k: step((lr_sched, warmup), k), 20)
    assert_curve(convert(lr_sched, warmup, resume=True), trace, start=19)
    factor = _per_group(fresh, 2)[0]
    names = {type(x).__name__ for x in [factor, *getattr(factor, "schedules", [])]}
    assert names & set(cpw.__all__), names


def test_a_warmup_stepped_apart_from_its_scheduler_is_refused_on_resume() -> None:
    opt = _opt()
    lr_sched = LS.StepLR(opt, 5)
    warmup = pw.LinearWarmup(opt, 10)
    for k in range(12):
        opt.step()
        with warmup.dampening():
            if k >= 10:  # pytorch_warmup's "delayed scheduler" pattern
                lr_sched.step()
    with pytest.raises(ConversionError, match="not stepped together"):
        from_torch(lr_sched, warmup=warmup, resume=True)


# -- torch_bridge's own classes ---------------------------------------------------------------------------


def test_torch_bridge_classes_convert_to_their_ports() -> None:
    make = [
        lambda o: torch_bridge.NoamLR(
            o,
            warmup_epochs=[2, 3],
            total_epochs=[8, 8],
            steps_per_epoch=4,
            init_lrs=[1e-4, 1e-4],
            max_lrs=[1e-3, 2e-3],
            final_lrs=[1e-4, 1e-4],
        ),
        lambda o: torch_bridge.CosineLrScheduler(
            o, total_num_epochs=8, num_update_steps_per_epoch=5, num_warmup_epochs=1
        ),
        lambda o: torch_bridge.WSDLrScheduler(o, total_steps=60, num_checkpoints=2, num_warmup_steps=4),
        lambda o: torch_bridge.build_NoamLike_LRSched(o, 5, 20, init_lr=1e-4, max_lr=1e-3, final_lr=1e-5),
        lambda o: torch_bridge.get_noam_decay_schedule(o, num_warmup_steps=5, model_size=64),
        lambda o: torch_bridge.ScheduleLR(o, jaxsched.warmup_cosine_decay(0.0, 1.0, 5, 50), multiplier=True),
    ]
    for m in make:
        check_live_and_mid_run(m, _step, 70, 13)


# -- torch.optim.swa_utils.SWALR --------------------------------------------------------------------------


@given(
    epochs=st.integers(0, 30),
    strategy=st.sampled_from(["cos", "linear"]),
    mid=st.integers(0, 40),
    before=st.integers(0, 10),
)
def test_swalr_converts_live_and_mid_run(epochs: int, strategy: str, mid: int, before: int) -> None:
    """SWALR anneals from the LR the optimizer holds when it starts (here after ``before`` steps of an
    ExponentialLR), for each group to its own swa_lr."""

    def build() -> tuple[torch.optim.Optimizer, Any]:
        opt = _opt()
        decay = LS.ExponentialLR(opt, 0.9)
        for _ in range(before):
            opt.step()
            decay.step()
        swa = swa_utils.SWALR(opt, swa_lr=[0.01, 0.02], anneal_epochs=epochs, anneal_strategy=strategy)
        return opt, swa

    opt, swa = build()
    fresh = from_torch(swa)
    trace = _trace(opt, lambda k: swa.step(), 50)
    assert_curve(fresh, trace)
    assert all(isinstance(s, tp.SWALR) for s in _per_group(fresh, 2))
    opt, swa = build()
    _trace(opt, lambda k: swa.step(), mid + 1)
    assert_curve(from_torch(swa, resume=True), trace, start=mid)
    if epochs and mid < epochs:
        assert_curve(from_torch(swa), trace)
    elif epochs:
        with pytest.raises(ConversionError, match="finished annealing"):
            from_torch(swa)


@pytest.mark.parametrize(("epochs", "strategy"), [(10, "cos"), (7, "linear"), (0, "cos"), (1, "linear")])
def test_swalr_port_equals_torch_and_round_trips(epochs: int, strategy: str) -> None:
    port = tp.SWALR(0.1, swa_lr=0.005, anneal_epochs=epochs, anneal_strategy=strategy)
    opt = _opt((1.0,))
    swa = torch_bridge.to_torch(port, opt)
    assert isinstance(swa, swa_utils.SWALR)
    trace = _trace(opt, lambda k: swa.step(), 40)
    np.testing.assert_allclose(port.numpy(np.arange(40)), trace[:, 0], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(port(np.arange(40))), trace[:, 0], rtol=1e-6)  # float32 JAX
    assert jaxsched.from_config(port.to_config()) == port
    lowered = port.lower()
    assert type(lowered).__name__ in {"WarmupCosineDecay", "Linear", "Constant"}


# torch's own SWALR cases (test/optim/test_lrscheduler.py: test_swalr_no_anneal,
# test_swalr_cosine_anneal_after_multiplicative, test_swalr_linear_anneal_after_multiplicative): two param
# groups at 0.05 and 0.5, MultiplicativeLR(0.9) (or nothing) for epochs up to swa_start, SWALR after.
# The expected values are torch's published formulas, transcribed as data.
TORCH_SWALR_CASES = [
    # (mult_factor or None, swa_lrs, anneal_epochs, strategy, swa_start, epochs)
    (None, [0.01, 0.01], 1, "cos", 5, 10),
    (0.9, [0.01, 0.01], 5, "cos", 5, 15),
    (0.9, [0.01, 0.02], 4, "linear", 5, 15),
]


@pytest.mark.parametrize("case", TORCH_SWALR_CASES)
def test_swalr_torchs_published_cases(case: tuple[Any, ...]) -> None:
    mult, swa_lrs, anneal, strategy, swa_start, epochs = case
    for lr, swa_lr in zip((0.05, 0.5), swa_lrs, strict=True):
        before = [lr * (mult or 1.0) ** i for i in range(swa_start + 1)]

        def coef(t: int) -> float:  # torch's anneal_coef: the weight left on the starting LR
            if t + 1 >= anneal:
                return 0.0
            if strategy == "cos":
                return (1 + np.cos(np.pi * (t + 1) / anneal)) / 2
            return 1 - (t + 1) / anneal

        after = [before[-1] * coef(t) + swa_lr * (1 - coef(t)) for t in range(epochs - swa_start - 1)]
        head = tp.MultiplicativeLR(lr, mult) if mult else jaxsched.constant(lr)
        port = tp.SWALR(before[-1], swa_lr=swa_lr, anneal_epochs=anneal, anneal_strategy=strategy)
        composed = jaxsched.join([head, port], [swa_start])
        np.testing.assert_allclose(composed.numpy(np.arange(epochs)), before + after, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"anneal_strategy": "exp"}, "anneal_strategy"),
        ({"anneal_epochs": -1}, "anneal_epochs"),
        ({"anneal_epochs": 2.5}, "anneal_epochs"),
        ({"swa_lr": -0.1}, "swa_lr"),
    ],
)
def test_swalr_port_refuses_what_torch_refuses(kwargs: dict[str, Any], argument: str) -> None:
    full = {"swa_lr": 0.01} | kwargs
    if argument != "swa_lr":
        with pytest.raises(ValueError) as torch_err:
            swa_utils.SWALR(_opt(), **full)
    with pytest.raises(ScheduleArgumentError) as ours:
        tp.SWALR(0.1, **full)
    assert ours.value.argument == argument
    if argument != "swa_lr":
        assert str(torch_err.value) in str(ours.value)


def test_swalr_inside_a_composite_is_refused() -> None:
    opt = _opt()
    seq = LS.SequentialLR(opt, [LS.StepLR(opt, 3), swa_utils.SWALR(opt, swa_lr=0.01)], milestones=[5])
    with pytest.raises(ConversionError, match="SWALR inside a SequentialLR"):
        from_torch(seq)


# -- issue 12.16: mixes the ports cannot compose raise ConversionError ------------------------------------


def test_chained_mixes_with_schedulers_that_set_the_lr_convert_exactly() -> None:
    """A ScheduleLR or LambdaLR sets the LR outright inside a chain; compat.torch reproduces torch's
    recursion for such mixes (issue 17.1), so they convert and give torch's values."""
    opt = _opt((0.1,))
    chain = LS.ChainedScheduler(
        [torch_bridge.ScheduleLR(opt, jaxsched.linear(0.1, 0.0, 10)), LS.ExponentialLR(opt, 0.9)]
    )
    conv = from_torch(chain)
    assert_curve(conv, _trace(opt, lambda k: chain.step(), 20))
    opt = _opt((0.1,))
    chain = LS.ChainedScheduler(
        [LS.LambdaLR(opt, torch_bridge.as_lambda(jaxsched.linear(1.0, 0.5, 5))), LS.StepLR(opt, 3)]
    )
    conv = from_torch(chain)
    assert_curve(conv, _trace(opt, lambda k: chain.step(), 20))


def test_torch_compound_cosine_chains_convert_exactly_or_raise_conversion_error() -> None:
    """torch's own test_compound_cosanneal_and_* mixes: either the conversion reproduces torch's values
    (float64, 1e-12) or it is refused with ConversionError, never another exception."""
    others = [
        lambda o: LS.StepLR(o, step_size=3),
        lambda o: LS.MultiStepLR(o, milestones=[2, 5, 9]),
        lambda o: LS.LinearLR(o, start_factor=0.2, total_iters=4),
        lambda o: LS.ExponentialLR(o, 0.9),
    ]
    for other in others:
        opt = _opt((0.05,))
        chain = LS.ChainedScheduler([LS.CosineAnnealingLR(opt, T_max=10, eta_min=1e-10), other(opt)])
        try:
            conv = from_torch(chain)
        except ConversionError:
            continue
        trace = _trace(opt, lambda k, chain=chain: chain.step(), 40)
        assert_curve(conv, trace)


# -- refusals name the port -------------------------------------------------------------------------------


def test_unknown_objects_name_the_port_when_there_is_one() -> None:
    fake = type("LinearWarmup", (), {"__module__": "pytorch_warmup.elsewhere"})()
    with pytest.raises(ConversionError, match=r"jaxsched\.compat\.pytorch_warmup\.LinearWarmup is its port"):
        from_torch(fake)
    with pytest.raises(ConversionError, match=r"jaxsched\.reduce_on_plateau"):
        from_torch(torch_bridge.ReduceLROnPlateau(_opt()))
    with pytest.raises(ConversionError, match=r"jaxsched\.compat\.transformers\.GreedyLR"):
        from_torch(torch_bridge.GreedyLR(_opt()))
    with pytest.raises(ConversionError, match=r"jaxsched\.compat\.timm\.PlateauLRScheduler"):
        from_torch(torch_bridge.PlateauLRScheduler(_opt()))
    with pytest.raises(TypeError, match="resume"):
        from_torch(LS.StepLR(_opt(), 3), resume=1)  # type: ignore[arg-type]
