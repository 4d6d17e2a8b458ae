"""Conversions between constructed torch LR schedulers and jaxsched schedules.

``from_torch(scheduler)`` reads a constructed ``torch.optim.lr_scheduler`` object (any built-in class,
nested ``SequentialLR``/``ChainedScheduler``, several param groups, ``ScheduleLR``) and returns the
``jaxsched.compat.torch`` port(s) drawing the same curve from its start. ``to_torch(schedule, optimizer)``
goes the other way: it builds the real torch scheduler a port describes.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, cast

import torch
from torch.optim import Optimizer
from torch.optim import lr_scheduler as tls

from jaxsched._core import Schedule
from jaxsched.compat import torch as tp
from jaxsched.schedules._basic import Constant
from torch_bridge._scheduler import ScheduleLR

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
        return tls.MultiStepLR(opt, milestones=list(s.milestones), gamma=float(s.gamma))
    if isinstance(s, tp.ConstantLR):
        return tls.ConstantLR(opt, factor=float(s.factor), total_iters=int(s.total_iters))
    if isinstance(s, tp.LinearLR):
        return tls.LinearLR(opt, start_factor=float(s.start_factor), end_factor=float(s.end_factor),
                            total_iters=int(s.total_iters))
    if isinstance(s, tp.ExponentialLR):
        return tls.ExponentialLR(opt, gamma=float(s.gamma))
    if isinstance(s, tp.PolynomialLR):
        return tls.PolynomialLR(opt, total_iters=int(s.total_iters), power=float(s.power))
    if isinstance(s, tp.CosineAnnealingLR):
        return tls.CosineAnnealingLR(opt, T_max=s.T_max, eta_min=float(s.eta_min))
    if isinstance(s, tp.CosineAnnealingWarmRestarts):
        return tls.CosineAnnealingWarmRestarts(opt, T_0=s.T_0, T_mult=s.T_mult, eta_min=float(s.eta_min))
    if isinstance(s, tp.CyclicLR):
        return tls.CyclicLR(
            opt, base_lr=float(s.base_lr), max_lr=float(s.max_lr), step_size_up=s.step_size_up,
            step_size_down=s.step_size_down, mode=cast(Any, s.mode), gamma=float(s.gamma),
            scale_fn=None if s.scale_fn is None else _lambda(s.scale_fn), scale_mode=cast(Any, s.scale_mode),
            cycle_momentum=s.cycle_momentum, base_momentum=float(s.base_momentum),
            max_momentum=float(s.max_momentum))
    if isinstance(s, tp.OneCycleLR):
        return tls.OneCycleLR(
            opt, max_lr=float(s.max_lr), total_steps=s.total_steps, epochs=s.epochs,
            steps_per_epoch=s.steps_per_epoch, pct_start=float(s.pct_start),
            anneal_strategy=cast(Any, s.anneal_strategy), cycle_momentum=s.cycle_momentum,
            base_momentum=float(s.base_momentum), max_momentum=float(s.max_momentum),
            div_factor=float(s.div_factor), final_div_factor=float(s.final_div_factor),
            three_phase=s.three_phase)
    if isinstance(s, tp.SequentialLR):
        children = [_build(c, opt) for c in s.schedulers]
        return tls.SequentialLR(opt, children, milestones=list(s.milestones))
    if isinstance(s, tp.ChainedScheduler):
        return tls.ChainedScheduler([_build(c, opt) for c in s.schedulers], optimizer=opt)
    if isinstance(s, Schedule):
        return ScheduleLR(opt, s)
    raise TypeError(f"schedule: must be a jaxsched Schedule, got {type(s).__name__}")


# -- torch -> jaxsched ---------------------------------------------------------------------------------


class ConversionError(TypeError):
    """A torch scheduler that has no jaxsched equivalent (e.g. an arbitrary Python ``lr_lambda``)."""


def from_torch(scheduler: Any) -> Schedule | list[Schedule]:
    """The jaxsched schedule(s) drawing the same curve as a constructed torch scheduler.

    The result describes the scheduler's curve from its start (update 0), whatever it has been stepped
    since: ``s(k)`` is ``get_last_lr()`` after ``k`` calls of ``step()`` on a fresh copy. With several
    param groups whose curves differ, a list with one schedule per group is returned.

    Args:
      scheduler: any ``torch.optim.lr_scheduler`` class except ``ReduceLROnPlateau`` (use
        ``torch_bridge.ReduceLROnPlateau`` / ``jaxsched.reduce_on_plateau``), nested
        ``SequentialLR``/``ChainedScheduler``, or a :class:`ScheduleLR` driving ``lr``.

    Returns:
      A :class:`jaxsched.Schedule`, or a list of them (one per param group).

    Raises:
      ConversionError: (a ``TypeError``) for what has no formula: an arbitrary Python ``lr_lambda`` or
        ``scale_fn`` (wrap a schedule with :func:`as_lambda` instead), ``ReduceLROnPlateau``, a
        ``ScheduleLR`` on another field, unknown classes.

    Example:
      >>> import torch
      >>> from torch_bridge import from_torch
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> from_torch(torch.optim.lr_scheduler.StepLR(opt, step_size=30))
      compat.torch.StepLR(lr=0.1, step_size=30, gamma=0.1)
    """
    n = len(scheduler.optimizer.param_groups)
    per_group = [_convert(scheduler, i, "scheduler") for i in range(n)]
    if all(s == per_group[0] for s in per_group[1:]):
        return per_group[0]
    return per_group


def _float(x: Any) -> float:
    return float(x.item()) if isinstance(x, torch.Tensor) else float(x)


def _factor_of(fn: Any, where: str) -> Any:
    if isinstance(fn, ScheduleLambda):
        s = fn.schedule
        return s.value if type(s) is Constant else s
    raise ConversionError(
        f"{where}: {fn!r} is an arbitrary Python callable, which has no formula to convert; build the "
        f"scheduler with torch_bridge.as_lambda(schedule) or use torch_bridge.ScheduleLR")


def _horizon_of(fn: Any) -> int | None:
    return fn.horizon if isinstance(fn, ScheduleLambda) else None


def _convert(s: Any, i: int, where: str) -> Schedule:
    name = type(s).__name__
    base = (lambda: _float(s.base_lrs[i]))
    if isinstance(s, tls.ReduceLROnPlateau):
        raise ConversionError(f"{where}: ReduceLROnPlateau depends on the monitored metric and has no "
                              "fixed curve; use jaxsched.reduce_on_plateau / torch_bridge.ReduceLROnPlateau")
    if isinstance(s, ScheduleLR):
        if s.field != "lr":
            raise ConversionError(f"{where}: a ScheduleLR driving {s.field!r}, not the learning rate")
        sched = s.schedules[i]
        return sched * s.base_values[i] if s.multiplier else sched
    if isinstance(s, tls.SequentialLR):
        children = [_convert(c, i, f"{where}._schedulers[{j}]") for j, c in enumerate(s._schedulers)]
        return tp.SequentialLR(children, milestones=list(s._milestones))
    if isinstance(s, tls.ChainedScheduler):
        children = [_convert(c, i, f"{where}._schedulers[{j}]") for j, c in enumerate(s._schedulers)]
        return tp.ChainedScheduler(children)
    if type(s) is tls.LambdaLR:
        return tp.LambdaLR(base(), _factor_of(s.lr_lambdas[i], f"{where}.lr_lambdas[{i}]"))
    if type(s) is tls.MultiplicativeLR:
        fn = s.lr_lambdas[i]
        return tp.MultiplicativeLR(base(), _factor_of(fn, f"{where}.lr_lambdas[{i}]"),
                                  horizon=_horizon_of(fn))
    if type(s) is tls.StepLR:
        return tp.StepLR(base(), step_size=s.step_size, gamma=s.gamma)
    if type(s) is tls.MultiStepLR:
        return tp.MultiStepLR(base(), milestones=sorted(Counter(s.milestones).elements()), gamma=s.gamma)
    if type(s) is tls.ConstantLR:
        return tp.ConstantLR(base(), factor=s.factor, total_iters=s.total_iters)
    if type(s) is tls.LinearLR:
        return tp.LinearLR(base(), start_factor=s.start_factor, end_factor=s.end_factor,
                          total_iters=s.total_iters)
    if type(s) is tls.ExponentialLR:
        return tp.ExponentialLR(base(), gamma=s.gamma)
    if type(s) is tls.PolynomialLR:
        return tp.PolynomialLR(base(), total_iters=s.total_iters, power=s.power)
    if type(s) is tls.CosineAnnealingLR:
        return tp.CosineAnnealingLR(base(), T_max=s.T_max, eta_min=s.eta_min)
    if type(s) is tls.CosineAnnealingWarmRestarts:
        return tp.CosineAnnealingWarmRestarts(base(), T_0=s.T_0, T_mult=s.T_mult, eta_min=s.eta_min)
    if type(s) is tls.CyclicLR:
        custom = s._scale_fn_custom
        scale_fn = None if custom is None else _factor_of(custom, f"{where}.scale_fn")
        if scale_fn is not None and not isinstance(scale_fn, Schedule):
            scale_fn = Constant(scale_fn)
        up = s.total_size * s.step_ratio
        down = s.total_size - up
        cm = s.cycle_momentum
        return tp.CyclicLR(
            _float(s.base_lrs[i]), _float(s.max_lrs[i]), step_size_up=_whole(up),
            step_size_down=_whole(down), mode=s.mode, gamma=s.gamma, scale_fn=scale_fn,
            scale_mode=s.scale_mode if scale_fn is not None else "cycle", cycle_momentum=cm,
            base_momentum=_float(s.base_momentums[i]) if cm else 0.8,
            max_momentum=_float(s.max_momentums[i]) if cm else 0.9)
    if type(s) is tls.OneCycleLR:
        g = s.optimizer.param_groups[i]
        total = s.total_steps
        first_end = s._schedule_phases[0]["end_step"]
        pct = _recover_pct(first_end, total)
        initial, peak, low = _float(g["initial_lr"]), _float(g["max_lr"]), _float(g["min_lr"])
        cm = s.cycle_momentum
        return tp.OneCycleLR(
            peak, total_steps=total, pct_start=pct, anneal_strategy=s._anneal_func_type,
            cycle_momentum=cm, base_momentum=_float(g["base_momentum"]) if cm else 0.85,
            max_momentum=_float(g["max_momentum"]) if cm else 0.95, div_factor=peak / initial,
            final_div_factor=initial / low, three_phase=len(s._schedule_phases) == 3)
    raise ConversionError(f"{where}: cannot convert a {name} (no jaxsched equivalent is known)")


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
