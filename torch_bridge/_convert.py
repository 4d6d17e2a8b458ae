"""Conversions between constructed PyTorch schedulers and jaxsched schedules.

``from_torch(scheduler)`` reads a live scheduler object (every ``torch.optim.lr_scheduler`` class, nested
``SequentialLR``/``ChainedScheduler``, ``swa_utils.SWALR``, HF transformers' ``get_*`` schedules, timm's
schedulers, pytorch-accelerated's and pytorch_warmup's objects, torch_bridge's own classes; several param
groups) and returns the ``jaxsched.compat`` port(s) drawing the same curve, from its start or, with
``resume=True``, from where it stands. ``to_torch(schedule, optimizer)`` goes the other way: it builds the
real torch scheduler a ``jaxsched.compat.torch`` port describes.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
from collections import Counter
from typing import Any, cast

import torch
from torch.optim import Optimizer, swa_utils
from torch.optim import lr_scheduler as tls

from jaxsched import _validate as v
from jaxsched._combinators import shift
from jaxsched._core import Schedule
from jaxsched.compat import pytorch_accelerated as _pa
from jaxsched.compat import pytorch_warmup as _pw
from jaxsched.compat import timm as _timm
from jaxsched.compat import torch as tp
from jaxsched.compat import transformers as _hf
from jaxsched.schedules._basic import Constant
from torch_bridge._convert_stacks import convert as convert_stack
from torch_bridge._scheduler import ScheduleLR
from torch_bridge._warmup import BaseWarmup

__all__ = ["ScheduleLambda", "as_lambda", "from_torch", "to_torch"]


class ScheduleLambda:
    """A jaxsched schedule as a plain callable ``k -> float`` for torch's ``LambdaLR``/``MultiplicativeLR``.

    ``from_torch`` recognises it and recovers the schedule. With ``horizon``, steps past it give 1.0 (the
    factor ``MultiplicativeLR(horizon=...)`` implies there). Evaluation is NumPy float64.
    """

    def __init__(self, schedule: Schedule, horizon: int | None = None) -> None:
        if not isinstance(schedule, Schedule):
            raise TypeError(f"schedule: must be a jaxsched Schedule, got {type(schedule).__name__}")
        self.schedule = schedule
        self.horizon = horizon

    def __call__(self, step: Any) -> float:
        if self.horizon is not None and step > self.horizon:
            return 1.0
        return float(self.schedule.numpy(step))

    def __repr__(self) -> str:
        return f"ScheduleLambda({self.schedule!r})"


def as_lambda(schedule: Schedule | float, horizon: int | None = None) -> ScheduleLambda:
    """A schedule (or a constant factor) as a callable for torch's ``LambdaLR`` and friends.

    Example:
      >>> import torch, jaxsched
      >>> from torch_bridge import as_lambda, from_torch
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> sched = torch.optim.lr_scheduler.LambdaLR(opt, as_lambda(jaxsched.linear(1.0, 0.0, 10)))
      >>> type(from_torch(sched)).__name__
      'LambdaLR'
    """
    if not isinstance(schedule, Schedule):
        schedule = Constant(schedule)
    return ScheduleLambda(schedule, horizon)


# -- jaxsched -> torch ---------------------------------------------------------------------------------


def to_torch(schedule: Schedule, optimizer: Optimizer) -> tls.LRScheduler:
    """Build the torch scheduler a ``jaxsched.compat.torch`` port describes, on ``optimizer``.

    Ports with an ``lr`` set every param group's ``lr`` (and drop ``initial_lr``) first, since torch reads
    its base LR from the optimizer. A native jaxsched schedule becomes a :class:`ScheduleLR`. The momentum
    ports build their ``CyclicLR``/``OneCycleLR``.

    Args:
      schedule: a port from ``jaxsched.compat.torch`` (or any jaxsched schedule).
      optimizer: the torch optimizer to schedule.

    Returns:
      The torch scheduler, already constructed (so it has taken its initial step).

    Example:
      >>> import torch
      >>> from jaxsched.compat import torch as tp
      >>> from torch_bridge import to_torch
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
      >>> to_torch(tp.StepLR(0.1, step_size=2), opt).get_last_lr()
      [0.1]
    """
    lr = _base_lr(schedule)
    if lr is not None:
        for g in optimizer.param_groups:
            g["lr"] = float(lr)
            g.pop("initial_lr", None)
    return _build(schedule, optimizer)


def _base_lr(s: Schedule) -> Any:
    if isinstance(s, tp.SequentialLR | tp.ChainedScheduler):
        for c in s.schedulers:
            lr = _base_lr(c)
            if lr is not None:
                return lr
        return None
    return getattr(s, "lr", None)


def _lambda(factor: Any, horizon: int | None = None) -> ScheduleLambda:
    return as_lambda(factor, horizon)


def _build(s: Schedule, opt: Optimizer) -> tls.LRScheduler:
    if isinstance(s, tp.LambdaLR):
        return tls.LambdaLR(opt, _lambda(s.lr_lambda))
    if isinstance(s, tp.MultiplicativeLR):
        return tls.MultiplicativeLR(opt, _lambda(s.lr_lambda, s.horizon))
    if isinstance(s, tp.StepLR):
        return tls.StepLR(opt, step_size=int(s.step_size), gamma=float(s.gamma))
    if isinstance(s, tp.MultiStepLR):
        return tls.MultiStepLR(opt, milestones=[int(m) for m in s.milestones], gamma=float(s.gamma))
    if isinstance(s, tp.ConstantLR):
        return tls.ConstantLR(opt, factor=float(s.factor), total_iters=int(s.total_iters))
    if isinstance(s, tp.LinearLR):
        return tls.LinearLR(
            opt,
            start_factor=float(s.start_factor),
            end_factor=float(s.end_factor),
            total_iters=int(s.total_iters),
        )
    if isinstance(s, tp.ExponentialLR):
        return tls.ExponentialLR(opt, gamma=float(s.gamma))
    if isinstance(s, tp.PolynomialLR):
        return tls.PolynomialLR(opt, total_iters=int(s.total_iters), power=float(s.power))
    if isinstance(s, tp.CosineAnnealingLR):
        return tls.CosineAnnealingLR(opt, T_max=int(s.T_max), eta_min=float(s.eta_min))
    if isinstance(s, tp.CosineAnnealingWarmRestarts):
        return tls.CosineAnnealingWarmRestarts(opt, T_0=s.T_0, T_mult=s.T_mult, eta_min=float(s.eta_min))
    if isinstance(s, tp.CyclicLR):
        return tls.CyclicLR(
            opt,
            base_lr=float(s.base_lr),
            max_lr=float(s.max_lr),
            step_size_up=cast(Any, s.step_size_up),
            step_size_down=cast(Any, s.step_size_down),
            mode=cast(Any, s.mode),
            gamma=float(s.gamma),
            scale_fn=None if s.scale_fn is None else _lambda(s.scale_fn),
            scale_mode=cast(Any, s.scale_mode),
            cycle_momentum=s.cycle_momentum,
            base_momentum=float(s.base_momentum),
            max_momentum=float(s.max_momentum),
        )
    if isinstance(s, tp.OneCycleLR):
        return tls.OneCycleLR(
            opt,
            max_lr=float(s.max_lr),
            total_steps=s.total_steps,
            epochs=s.epochs,
            steps_per_epoch=s.steps_per_epoch,
            pct_start=float(s.pct_start),
            anneal_strategy=cast(Any, s.anneal_strategy),
            cycle_momentum=s.cycle_momentum,
            base_momentum=float(s.base_momentum),
            max_momentum=float(s.max_momentum),
            div_factor=float(s.div_factor),
            final_div_factor=float(s.final_div_factor),
            three_phase=s.three_phase,
        )
    if isinstance(s, tp.SequentialLR):
        children = [_build(c, opt) for c in s.schedulers]
        return tls.SequentialLR(opt, children, milestones=list(s.milestones))
    if isinstance(s, tp.ChainedScheduler):
        return tls.ChainedScheduler([_build(c, opt) for c in s.schedulers], optimizer=opt)
    if isinstance(s, tp.SWALR):
        return swa_utils.SWALR(
            opt,
            swa_lr=float(s.swa_lr),
            anneal_epochs=int(s.anneal_epochs),
            anneal_strategy=cast(Any, s.anneal_strategy),
        )
    if isinstance(s, Schedule):
        return ScheduleLR(opt, s)
    raise TypeError(f"schedule: must be a jaxsched Schedule, got {type(s).__name__}")


# -- torch -> jaxsched ---------------------------------------------------------------------------------


class ConversionError(TypeError):
    """A scheduler that has no jaxsched equivalent (e.g. an arbitrary Python ``lr_lambda``), or a state
    the conversion cannot follow; the message says why and names the jaxsched port when there is one."""


def from_torch(scheduler: Any, *, warmup: Any = None, resume: bool = False) -> Schedule | list[Schedule]:
    """The jaxsched schedule(s) drawing the same LR curve as a live PyTorch scheduler.

    By default the result describes the scheduler's curve from its start (update 0), whatever it has been
    stepped since: ``s(k)`` is the LR after ``k`` calls of ``step()`` on a fresh copy, the schedule an
    optax state restored with the run's update count needs. With ``resume=True`` it continues from where
    the scheduler stands: ``s(0)`` is the LR in use now and ``s(k)`` the LR after ``k`` more ``step()``
    calls (``jaxsched.shift`` of the curve by the scheduler's position), for a fresh optax state that
    continues this run. With several param groups whose curves differ, a list with one schedule per group
    is returned.

    What converts, and to what:

    * every ``torch.optim.lr_scheduler`` class (:mod:`jaxsched.compat.torch`), nested
      ``SequentialLR``/``ChainedScheduler``, and ``torch.optim.swa_utils.SWALR``
      (:class:`jaxsched.compat.torch.SWALR`, annealing from the LR it found when it started);
    * ``LambdaLR``/``MultiplicativeLR`` over :func:`as_lambda`, and HF transformers' ``get_*`` schedules
      (a ``LambdaLR`` over a ``functools.partial`` of transformers' lambda: its keywords are read back,
      giving the :mod:`jaxsched.compat.transformers` port);
    * timm's schedulers (:mod:`jaxsched.compat.timm`), in timm's time unit ``t`` (epochs with
      ``t_in_epochs=True``) and without LR noise (timm's draws come from torch's generator);
    * pytorch-accelerated's ``CosineLrScheduler``/``WSDLrScheduler``
      (:mod:`jaxsched.compat.pytorch_accelerated`);
    * a pytorch_warmup warmup (or torch_bridge's): alone, the warmed-up constant LR; as ``warmup=`` of
      an LR scheduler stepped inside its ``dampening()``, the product ``scheduler * warmup`` that
      dampening applies (:mod:`jaxsched.compat.pytorch_warmup`);
    * torch_bridge's :class:`ScheduleLR` on ``lr`` and the classes built on it.

    Args:
      scheduler: the scheduler object (or a pytorch_warmup warmup on its own).
      warmup: a pytorch_warmup (or torch_bridge) warmup stepped with ``scheduler`` in its ``dampening()``.
      resume: continue from the scheduler's current position instead of describing it from its start.

    Returns:
      A :class:`jaxsched.Schedule`, or a list of them (one per param group).

    Raises:
      ConversionError: (a ``TypeError``) for what has no fixed formula: an arbitrary Python ``lr_lambda``
        or ``scale_fn`` (wrap a schedule with :func:`as_lambda` instead), metric-driven schedulers
        (``ReduceLROnPlateau``, timm's ``PlateauLRScheduler``, HF's ``GreedyLR``: the message names their
        optax ports), compositions torch's ports cannot reproduce, schedulers of another field, param
        groups added after a scheduler that keeps no base value for them, unknown classes (naming the
        ``jaxsched.compat`` port when a class of that name has one).

    Example:
      >>> import torch
      >>> from torch_bridge import from_torch
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30)
      >>> from_torch(sched)
      compat.torch.StepLR(lr=0.1, step_size=30, gamma=0.1)
      >>> for _ in range(40):
      ...     opt.step(); sched.step()
      >>> resumed = from_torch(sched, resume=True)
      >>> float(resumed.numpy(0)) == sched.get_last_lr()[0], round(float(resumed.numpy(20)), 6)
      (True, 0.001)
    """
    if not isinstance(resume, bool):
        raise TypeError(f"resume: must be a bool, got {resume!r}")
    stack = convert_stack(scheduler)  # ignite, Composer, Megatron-core, OLMo-core objects
    if stack is not None:
        if resume or warmup is not None:
            raise ConversionError(
                f"scheduler: {type(scheduler).__name__} converts from its start only "
                "(resume= and warmup= apply to torch.optim schedulers)"
            )
        return stack
    warm = _warmup_of(scheduler)
    if warm is not None:
        if warmup is not None:
            raise ConversionError("scheduler: a warmup was passed as the scheduler and as warmup=")
        factors, position, lrs = warm
        per_group = [Constant(lr) * f for lr, f in zip(lrs, factors, strict=True)]
    else:
        optimizer = getattr(scheduler, "optimizer", None)
        if not isinstance(optimizer, Optimizer):
            raise ConversionError(
                f"scheduler: {type(scheduler).__name__} is not a scheduler over a torch "
                f"optimizer{_port_hint(scheduler)}"
            )
        per_group = [
            _convert_checked(scheduler, i, "scheduler", resume) for i in range(len(optimizer.param_groups))
        ]
        position = _position(scheduler, "scheduler") if resume else 0
        if warmup is not None:
            got = _warmup_of(warmup)
            if got is None:
                raise ConversionError(
                    f"warmup: {type(warmup).__name__} is not a pytorch_warmup (or torch_bridge) warmup"
                )
            factors, warm_position, _ = got
            if warmup.optimizer is not optimizer:
                raise ConversionError("warmup: it dampens another optimizer than the scheduler's")
            if len(factors) != len(per_group):
                raise ConversionError(
                    f"warmup: it has {len(factors)} param groups, the scheduler {len(per_group)}"
                )
            if resume and warm_position != position:
                raise ConversionError(
                    f"warmup: it is at step {warm_position}, the scheduler at {position}: they were not "
                    "stepped together (e.g. a scheduler delayed until the warmup ends), which no single "
                    "shift reproduces"
                )
            per_group = [s * f for s, f in zip(per_group, factors, strict=True)]
    if resume:
        if position < 0:
            raise ConversionError(f"scheduler: its position is {position}, before its first step")
        if position:
            per_group = [shift(s, -position) for s in per_group]
    if all(s == per_group[0] for s in per_group[1:]):
        return per_group[0]
    return per_group


def _float(x: Any) -> float:
    return float(x.item()) if isinstance(x, torch.Tensor) else float(x)


def _module_root(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


_COMPAT_OF_ROOT = {
    "torch": "torch",
    "transformers": "transformers",
    "timm": "timm",
    "pytorch_accelerated": "pytorch_accelerated",
    "pytorch_warmup": "pytorch_warmup",
    "chemprop": "chemprop",
    "kiwi": "kiwi",
    "noether": "noether",
}

_METRIC_DRIVEN = {
    "ReduceLROnPlateau": "jaxsched.reduce_on_plateau (optax) / torch_bridge.ReduceLROnPlateau",
    "PlateauLRScheduler": "jaxsched.compat.timm.PlateauLRScheduler (optax) / torch_bridge.PlateauLRScheduler",
    "GreedyLR": "jaxsched.compat.transformers.GreedyLR (optax) / torch_bridge.GreedyLR",
}


def _port_hint(obj: Any) -> str:
    """``"; jaxsched.compat.<lib>.<Name> is its port ..."`` when the compat module has that name."""
    lib = _COMPAT_OF_ROOT.get(_module_root(obj))
    name = type(obj).__name__
    if lib is None:
        return ""
    try:
        module = importlib.import_module(f"jaxsched.compat.{lib}")
    except ImportError:
        return ""
    known = name in tp.__all__ if lib == "torch" else hasattr(module, name)
    if known:
        return (
            f"; jaxsched.compat.{lib}.{name} is its port: build it with the original's arguments "
            "(the base LR first)"
        )
    return ""


def _metric_driven(s: Any) -> str | None:
    name = type(s).__name__
    if isinstance(s, tls.ReduceLROnPlateau):
        return _METRIC_DRIVEN["ReduceLROnPlateau"]
    if name in _METRIC_DRIVEN and _module_root(s) in ("timm", "transformers", "torch_bridge"):
        return _METRIC_DRIVEN[name]
    return None


def _convert_checked(s: Any, i: int, where: str, resume: bool = False) -> Schedule:
    """:func:`_convert`, with a port's refusal of the composition turned into a ConversionError."""
    try:
        return _convert(s, i, where, resume)
    except (v.ScheduleArgumentError, v.ScheduleArgumentTypeError) as err:
        raise ConversionError(f"{where}: this {type(s).__name__} has no jaxsched equivalent: {err}") from err


def _base(s: Any, i: int, where: str) -> float:
    bases = s.base_lrs
    if i >= len(bases):
        raise ConversionError(
            f"{where}: param_groups[{i}] was added after the scheduler was built ({type(s).__name__} "
            f"keeps no base LR for it, so its curve has no closed form)"
        )
    return _float(bases[i])


def _factor_of(fn: Any, where: str) -> Any:
    if isinstance(fn, ScheduleLambda):
        s = fn.schedule
        return s.value if type(s) is Constant else s
    raise ConversionError(
        f"{where}: {fn!r} is an arbitrary Python callable, which has no formula to convert; build the "
        f"scheduler with torch_bridge.as_lambda(schedule) or use torch_bridge.ScheduleLR"
    )


def _horizon_of(fn: Any) -> int | None:
    return fn.horizon if isinstance(fn, ScheduleLambda) else None


def _convert(s: Any, i: int, where: str, resume: bool = False) -> Schedule:
    name = type(s).__name__
    driven = _metric_driven(s)
    if driven is not None:
        raise ConversionError(
            f"{where}: {name} depends on the monitored metric and has no fixed curve; its ports are {driven}"
        )
    if isinstance(s, ScheduleLR):
        if s.field != "lr":
            raise ConversionError(f"{where}: a ScheduleLR driving {s.field!r}, not the learning rate")
        try:
            s._sync_groups()
        except ValueError as err:
            raise ConversionError(f"{where}: {err}") from err
        sched = s.schedules[i]
        return sched * s.base_values[i] if s.multiplier else sched
    if isinstance(s, swa_utils.SWALR):
        return _swalr(s, i, where, resume)
    if isinstance(s, tls.LRScheduler):
        return _convert_torch(s, i, where)
    root = _module_root(s)
    if root == "timm":
        return _convert_timm(s, i, where)
    if root == "pytorch_accelerated":
        return _convert_accelerated(s, i, where)
    raise ConversionError(
        f"{where}: cannot convert a {name} (no jaxsched equivalent is known){_port_hint(s)}"
    )


def _convert_torch(s: Any, i: int, where: str) -> Schedule:
    name = type(s).__name__
    base = lambda: _base(s, i, where)
    if isinstance(s, tls.SequentialLR | tls.ChainedScheduler) and any(
        isinstance(c, swa_utils.SWALR) for c in s._schedulers
    ):
        raise ConversionError(
            f"{where}: a SWALR inside a {name} (SWALR counts its own steps and inverts "
            "the current LR, which no composition of ports reproduces); convert the SWALR "
            "on its own"
        )
    if isinstance(s, tls.SequentialLR):
        children = [_convert_checked(c, i, f"{where}._schedulers[{j}]") for j, c in enumerate(s._schedulers)]
        return tp.SequentialLR(children, milestones=list(s._milestones))
    if isinstance(s, tls.ChainedScheduler):
        children = [_convert_checked(c, i, f"{where}._schedulers[{j}]") for j, c in enumerate(s._schedulers)]
        return tp.ChainedScheduler(children)
    if type(s) is tls.LambdaLR:
        fn = s.lr_lambdas[i] if i < len(s.lr_lambdas) else None
        if fn is None:
            base()  # raises: a group added after construction
        hf = _transformers_port(fn, base, f"{where}.lr_lambdas[{i}]")
        if hf is not None:
            return hf
        return tp.LambdaLR(base(), _factor_of(fn, f"{where}.lr_lambdas[{i}]"))
    if type(s) is tls.MultiplicativeLR:
        fn = s.lr_lambdas[i] if i < len(s.lr_lambdas) else None
        if fn is None:
            base()
        return tp.MultiplicativeLR(
            base(), _factor_of(fn, f"{where}.lr_lambdas[{i}]"), horizon=_horizon_of(fn)
        )
    if type(s) is tls.StepLR:
        return tp.StepLR(base(), step_size=s.step_size, gamma=s.gamma)
    if type(s) is tls.MultiStepLR:
        return tp.MultiStepLR(base(), milestones=sorted(Counter(s.milestones).elements()), gamma=s.gamma)
    if type(s) is tls.ConstantLR:
        return tp.ConstantLR(base(), factor=s.factor, total_iters=s.total_iters)
    if type(s) is tls.LinearLR:
        return tp.LinearLR(
            base(), start_factor=s.start_factor, end_factor=s.end_factor, total_iters=s.total_iters
        )
    if type(s) is tls.ExponentialLR:
        return tp.ExponentialLR(base(), gamma=s.gamma)
    if type(s) is tls.PolynomialLR:
        return tp.PolynomialLR(base(), total_iters=s.total_iters, power=s.power)
    if type(s) is tls.CosineAnnealingLR:
        return tp.CosineAnnealingLR(base(), T_max=s.T_max, eta_min=s.eta_min)
    if type(s) is tls.CosineAnnealingWarmRestarts:
        return tp.CosineAnnealingWarmRestarts(base(), T_0=s.T_0, T_mult=s.T_mult, eta_min=s.eta_min)
    if type(s) is tls.CyclicLR:
        base()
        custom = s._scale_fn_custom
        scale_fn = None if custom is None else _factor_of(custom, f"{where}.scale_fn")
        if scale_fn is not None and not isinstance(scale_fn, Schedule):
            scale_fn = Constant(scale_fn)
        up = s.total_size * s.step_ratio
        down = s.total_size - up
        cm = s.cycle_momentum
        return tp.CyclicLR(
            _float(s.base_lrs[i]),
            _float(s.max_lrs[i]),
            step_size_up=_whole(up),
            step_size_down=_whole(down),
            mode=s.mode,
            gamma=s.gamma,
            scale_fn=scale_fn,
            scale_mode=s.scale_mode if scale_fn is not None else "cycle",
            cycle_momentum=cm,
            base_momentum=_float(s.base_momentums[i]) if cm else 0.8,
            max_momentum=_float(s.max_momentums[i]) if cm else 0.9,
        )
    if type(s) is tls.OneCycleLR:
        g = s.optimizer.param_groups[i]
        if "max_lr" not in g:
            raise ConversionError(
                f"{where}: param_groups[{i}] was added after the OneCycleLR was built (it has no max_lr)"
            )
        total = s.total_steps
        first_end = s._schedule_phases[0]["end_step"]
        pct = _recover_pct(first_end, total)
        initial, peak, low = _float(g["initial_lr"]), _float(g["max_lr"]), _float(g["min_lr"])
        cm = s.cycle_momentum
        return tp.OneCycleLR(
            peak,
            total_steps=total,
            pct_start=pct,
            anneal_strategy=s._anneal_func_type,
            cycle_momentum=cm,
            base_momentum=_float(g["base_momentum"]) if cm else 0.85,
            max_momentum=_float(g["max_momentum"]) if cm else 0.95,
            div_factor=peak / initial,
            final_div_factor=initial / low,
            three_phase=len(s._schedule_phases) == 3,
        )
    raise ConversionError(
        f"{where}: cannot convert a {name} (no jaxsched equivalent is known){_port_hint(s)}"
    )


# -- HF transformers: LambdaLR over functools.partial of transformers' lambdas ----------------------------

_HF_LAMBDAS: dict[str, Any] = {
    "_get_constant_schedule_with_warmup_lr_lambda": _hf.ConstantScheduleWithWarmup,
    "_get_linear_schedule_with_warmup_lr_lambda": _hf.LinearScheduleWithWarmup,
    "_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda": _hf.CosineWithHardRestartsScheduleWithWarmup,  # noqa: E501
    "_get_inverse_sqrt_schedule_lr_lambda": _hf.InverseSqrtSchedule,
    "_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda": _hf.CosineWithMinLrScheduleWithWarmupLrRate,  # noqa: E501
    "_get_wsd_scheduler_lambda": _hf.WsdSchedule,
}
"""transformers' lambda functions (bound by ``functools.partial`` in its ``get_*``) and their ports."""


def _transformers_port(fn: Any, base: Any, where: str) -> Schedule | None:
    """The :mod:`jaxsched.compat.transformers` port of an HF ``get_*`` lambda (``None``: not HF's)."""
    func = fn.func if isinstance(fn, functools.partial) else fn
    if getattr(func, "__module__", None) != "transformers.optimization":
        return None
    fname = getattr(func, "__name__", "")
    if fname == "_get_constant_lambda" and not isinstance(fn, functools.partial):
        return _hf.ConstantSchedule(base())
    if not isinstance(fn, functools.partial) or fn.args:
        raise ConversionError(
            f"{where}: transformers' {fname} called in a way get_* never does (positional "
            "arguments); build the jaxsched.compat.transformers port directly"
        )
    kw = dict(fn.keywords)
    if fname == "_get_cosine_schedule_with_warmup_lr_lambda":  # both HF cosines bind this name
        cls = _hf.CosineWithMinLrScheduleWithWarmup if "min_lr_rate" in kw else _hf.CosineScheduleWithWarmup
        return cls(base(), **kw)
    if fname == "_get_polynomial_decay_schedule_with_warmup_lr_lambda":
        lr_init = kw.pop("lr_init")
        port = _hf.PolynomialDecayScheduleWithWarmup(lr_init, **kw)
        b = base()
        return port if b == lr_init else port * (b / lr_init)  # HF's factors are relative to lr_init
    if fname not in _HF_LAMBDAS:
        raise ConversionError(
            f"{where}: transformers' {fname} is not a schedule jaxsched knows; see "
            "jaxsched.compat.transformers for the ports"
        )
    return cast(Schedule, _HF_LAMBDAS[fname](base(), **kw))


# -- torch swa_utils.SWALR -------------------------------------------------------------------------------


def _swalr(s: Any, i: int, where: str, resume: bool) -> Schedule:
    """SWALR anneals from the LR it recovers from ``group["lr"]`` (torch's own inversion) to ``swa_lr``."""
    g = s.optimizer.param_groups[i]
    if "swa_lr" not in g:
        raise ConversionError(f"{where}: param_groups[{i}] was added after the SWALR was built (no swa_lr)")
    swa, epochs, strategy = _float(g["swa_lr"]), int(s.anneal_epochs), s._anneal_strategy
    k = s._step_count - 1
    if epochs == 0:
        start = swa  # SWALR jumps to swa_lr at construction; the start value never shows
    else:
        t = max(0.0, min(1.0, (max(k, 0)) / epochs))
        alpha = s.anneal_func(t)
        if alpha == 1 and resume:  # only swa_lr lies ahead
            return tp.SWALR(swa, swa_lr=swa, anneal_epochs=epochs, anneal_strategy=strategy)
        if alpha == 1:
            raise ConversionError(
                f"{where}: this SWALR finished annealing ({k} steps of {epochs}), so the LR it started "
                "from can no longer be recovered; from_torch(..., resume=True) gives the constant swa_lr"
            )
        start = s._get_initial_lr(_float(g["lr"]), swa, alpha)
    return tp.SWALR(start, swa_lr=swa, anneal_epochs=epochs, anneal_strategy=strategy)


# -- timm ------------------------------------------------------------------------------------------------


def _convert_timm(s: Any, i: int, where: str) -> Schedule:
    name = type(s).__name__
    port = getattr(_timm, name, None)
    if port is None or not isinstance(port, type) or not issubclass(port, Schedule):
        raise ConversionError(
            f"{where}: cannot convert timm's {name} (jaxsched.compat.timm has no port of it)"
        )
    if getattr(s, "param_group_field", "lr") != "lr":
        raise ConversionError(f"{where}: this timm {name} drives {s.param_group_field!r}, not the LR")
    if getattr(s, "noise_range_t", None) is not None:
        raise ConversionError(
            f"{where}: this timm {name} adds LR noise drawn from torch's generator; "
            f"jaxsched.compat.timm.{name} draws the same distribution from another stream, so the curves "
            "differ (convert the scheduler with noise_range_t=None)"
        )
    skip = ("lr", "updates_per_epoch")
    fields = [f.name for f in dataclasses.fields(cast(Any, port)) if f.init and f.name not in skip]
    missing = [f for f in fields if not hasattr(s, f)]
    if missing:
        raise ConversionError(f"{where}: this timm {name} lacks {missing} (another timm version?)")
    bases = s.base_values
    if i >= len(bases):
        raise ConversionError(f"{where}: param_groups[{i}] was added after the timm scheduler was built")
    kwargs = {f: getattr(s, f) for f in fields}
    build = cast(Any, port)  # a timm port class: (lr, **timm's arguments)
    out = cast(Schedule, build(_float(bases[i]), **kwargs))
    scale = s.optimizer.param_groups[i].get("lr_scale")
    return out if scale is None else out * _float(scale)


# -- pytorch-accelerated ---------------------------------------------------------------------------------


def _convert_accelerated(s: Any, i: int, where: str) -> Schedule:
    name = type(s).__name__
    if getattr(s, "param_group_field", "lr") != "lr":
        raise ConversionError(f"{where}: this {name} drives {s.param_group_field!r}, not the LR")
    bases = s.base_lr_values
    if i >= len(bases):
        raise ConversionError(f"{where}: param_groups[{i}] was added after the {name} was built")
    lr = _float(bases[i])
    if name == "CosineLrScheduler":
        return _pa.CosineLrScheduler(
            lr,
            total_num_epochs=s.total_iterations,
            num_update_steps_per_epoch=1,
            k_decay=s.k_decay,
            lr_min=s.lr_min,
            min_lr_ratio=s.lr_min_ratio,
            num_warmup_epochs=s.warmup_iterations,
            warmup_starting_lr=s.warmup_lr_init,
            warmup_starting_lr_ratio=s.warmup_lr_ratio,
            num_cooldown_epochs=s.num_cooldown_iterations,
        )
    if name == "WSDLrScheduler":
        return _pa.WSDLrScheduler(
            lr,
            total_steps=s.total_steps,
            num_warmup_steps=s.num_warmup_steps,
            decay_phase_ratio=s.decay_phase_ratio,
            lr_min=s.lr_min,
            warmup_starting_lr=s.warmup_starting_lr,
            use_inverse_sqrt_decay=s.use_inverse_sqrt_decay,
            num_checkpoints=s.num_checkpoints,
            is_continuation_from_checkpoint=s.is_continuation_from_checkpoint,
        )
    raise ConversionError(f"{where}: cannot convert pytorch-accelerated's {name}{_port_hint(s)}")


# -- pytorch_warmup --------------------------------------------------------------------------------------


def _warmup_of(w: Any) -> tuple[list[Schedule], int, list[float]] | None:
    """(factor per group, position, undampened LRs) of a pytorch_warmup or torch_bridge warmup, else None."""
    if isinstance(w, BaseWarmup):
        return list(w.factors), int(w.last_step), [_float(x) for x in w.lrs]
    if _module_root(w) != "pytorch_warmup" or not hasattr(w, "warmup_params"):
        return None
    factors: list[Schedule] = []
    name = type(w).__name__
    for i, params in enumerate(w.warmup_params):
        where = f"warmup.warmup_params[{i}]"
        try:
            if name == "RAdamWarmup":
                factors.append(_pw.RAdamWarmup(params["beta2"]))
                continue
            period = params["warmup_period"]
            linear = isinstance(w, _pw_base("LinearWarmup"))
            if name in ("UntunedLinearWarmup", "UntunedExponentialWarmup"):
                beta2 = _float(w.optimizer.param_groups[i]["betas"][1])
                port = (_pw.UntunedLinearWarmup if linear else _pw.UntunedExponentialWarmup)(beta2)
                if port.warmup_period == period:
                    factors.append(port)
                    continue
            if isinstance(w, _pw_base("LinearWarmup")):
                factors.append(_pw.LinearWarmup(period))
            elif isinstance(w, _pw_base("ExponentialWarmup")):
                factors.append(_pw.ExponentialWarmup(period))
            else:
                raise ConversionError(f"warmup: cannot convert pytorch_warmup's {name}{_port_hint(w)}")
        except (v.ScheduleArgumentError, v.ScheduleArgumentTypeError, KeyError) as err:
            raise ConversionError(f"{where}: {err}") from err
    return factors, int(w.last_step), [_float(x) for x in w.lrs]


def _pw_base(name: str) -> type:
    import pytorch_warmup

    return cast(type, getattr(pytorch_warmup, name))


# -- positions (resume=True) ------------------------------------------------------------------------------


def _position(s: Any, where: str) -> int:
    """How many ``step()`` calls the scheduler has taken (the index of the LR it has set)."""
    if isinstance(s, tls.ChainedScheduler):
        positions = {_position(c, f"{where}._schedulers[{j}]") for j, c in enumerate(s._schedulers)}
        if len(positions) != 1:
            raise ConversionError(f"{where}: its schedulers stand at different steps {sorted(positions)}")
        return positions.pop()
    if isinstance(s, swa_utils.SWALR):
        return int(s._step_count) - 1
    if isinstance(s, tls.LRScheduler):
        last: Any = s.last_epoch
        if isinstance(last, float) and not last.is_integer():
            raise ConversionError(f"{where}: it stands at the fractional epoch {last}")
        return int(last)
    root = _module_root(s)
    if root == "pytorch_accelerated" and hasattr(s, "_num_updates"):
        return int(s._num_updates) + 1
    if root == "timm":
        raise ConversionError(
            f"{where}: timm's schedulers keep no position (the training loop passes the epoch or update "
            "count to step()); convert without resume and shift by your count: "
            "jaxsched.shift(from_torch(scheduler), -count)"
        )
    raise ConversionError(f"{where}: {type(s).__name__} keeps no position to resume from")


def _whole(x: float) -> float | int:
    r = round(x)
    return int(r) if abs(x - r) <= 1e-9 * max(1.0, abs(x)) else x


def _recover_pct(first_end: float, total: int) -> float:
    """The ``pct_start`` whose ``float(pct * total) - 1`` is torch's stored phase end."""
    pct = (first_end + 1) / total
    for _ in range(4):
        got = float(pct * total) - 1
        if got == first_end:
            break
        pct = math.nextafter(pct, math.inf if got < first_end else -math.inf)
    return float(pct)
