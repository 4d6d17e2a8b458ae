"""pytorch_warmup's warmup schedulers for torch, with the factors of
``jaxsched.compat.pytorch_warmup``.

Same protocol as the original (Tony-Y/pytorch_warmup): construct the LR scheduler first, then the
warmup (its constructor dampens the current LR with the factor of step 0); after every
``optimizer.step()`` run the LR scheduler(s) inside ``with warmup.dampening():``. The context
restores the
undampened LRs, lets the schedulers step, records their new LRs and dampens them with the next
factor.
This works over :class:`torch_bridge.ScheduleLR` and any native torch scheduler alike. Update
:math:`k`
(from 0) then runs with ``schedule_lr(k) * omega(k)``, the same as ``lr_schedule *
LinearWarmup(...)`` in
JAX.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import torch
from torch.optim import Optimizer

from jaxsched._core import Schedule
from jaxsched.compat import pytorch_warmup as _pw
from torch_bridge._scheduler import as_epoch

__all__ = [
    "BaseWarmup",
    "ExponentialWarmup",
    "LinearWarmup",
    "RAdamWarmup",
    "UntunedExponentialWarmup",
    "UntunedLinearWarmup",
]


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{optimizer} ({type(optimizer).__name__}) is not an Optimizer.")


def _periods(warmup_period: Any, group_count: int) -> list[int]:
    """The original's ``get_warmup_params`` checks and messages."""
    if isinstance(warmup_period, list):
        if len(warmup_period) != group_count:
            raise ValueError(
                f"The size of warmup_period ({len(warmup_period)}) does not match the size of "
                f"param_groups ({group_count})."
            )
        for x in warmup_period:
            if isinstance(x, bool) or not isinstance(x, int):
                raise TypeError(f"An element in warmup_period, {type(x).__name__}, is not an int.")
            if x <= 0:
                raise ValueError(f"An element in warmup_period must be a positive integer, but is {x}.")
        return list(warmup_period)
    if isinstance(warmup_period, int) and not isinstance(warmup_period, bool):
        if warmup_period <= 0:
            raise ValueError(f"warmup_period must be a positive integer, but is {warmup_period}.")
        return [warmup_period] * group_count
    raise TypeError(f"{warmup_period} ({type(warmup_period).__name__}) is not a list nor an int.")


def _clone(x: Any) -> Any:
    return x.clone() if isinstance(x, torch.Tensor) else x


class BaseWarmup:
    """A warmup that multiplies each group's LR by a factor schedule (one per param group).

    Args:
      optimizer: the wrapped optimizer.
      factors: the factor :class:`jaxsched.Schedule` of each param group (evaluated in NumPy
        float64).
      last_step: the index of the last step (-1 to start).

    Attributes:
      last_step: the step of the factor currently applied.
      lrs: the undampened LRs (restored inside :meth:`dampening`).
    """

    def __init__(self, optimizer: Optimizer, factors: Sequence[Schedule], last_step: int = -1) -> None:
        _check_optimizer(optimizer)
        if len(factors) != len(optimizer.param_groups):
            raise ValueError(
                f"factors: expected {len(optimizer.param_groups)} (one per param group), got {len(factors)}"
            )
        self.optimizer = optimizer
        self.factors = list(factors)
        self.last_step = -1 if last_step == -1 else cast(int, as_epoch(last_step, "last_step", whole=True))
        self.lrs = [_clone(group["lr"]) for group in optimizer.param_groups]
        self.dampen()

    def warmup_factor(self, step: int, group: int = 0) -> float:
        """The factor :math:`\\omega` of param group ``group`` at ``step``."""
        return float(self.factors[group].numpy(step))

    def dampen(self, step: int | None = None) -> None:
        """Multiply each group's LR by its factor at ``step`` (default: ``last_step + 1``)."""
        step = self.last_step + 1 if step is None else cast(int, as_epoch(step, "step", whole=True))
        self.last_step = step
        for i, group in enumerate(self.optimizer.param_groups):
            omega = self.warmup_factor(step, i)
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].mul_(omega)
            else:
                group["lr"] *= omega

    @contextmanager
    def dampening(self) -> Iterator[None]:
        """Restore the undampened LRs, let the LR scheduler(s) step inside, then dampen the new
        LRs."""
        for group, lr in zip(self.optimizer.param_groups, self.lrs, strict=True):
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].copy_(lr)
            else:
                group["lr"] = lr
        yield
        self.lrs = [_clone(group["lr"]) for group in self.optimizer.param_groups]
        self.dampen()

    def state_dict(self) -> dict[str, Any]:
        """``last_step``, ``lrs`` and the factor schedules' configs (plain values)."""
        return {
            "last_step": self.last_step,
            "lrs": [_clone(x) for x in self.lrs],
            "factors": [f.to_config() for f in self.factors],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``last_step`` and ``lrs`` (the factors stay the constructed ones).

        A state of another number of param groups is refused (``ValueError``); saved factors that differ
        from the constructed ones warn.
        """
        lrs = list(state_dict["lrs"])
        if len(lrs) != len(self.factors):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state has {len(lrs)} param groups, "
                f"this warmup {len(self.factors)}"
            )
        saved = state_dict.get("factors")
        if saved is not None and saved != [f.to_config() for f in self.factors]:
            warnings.warn(
                f"{type(self).__name__}.load_state_dict: the saved warmup factors differ from the "
                "constructed ones; keeping the constructed factors",
                UserWarning,
                stacklevel=2,
            )
        last = state_dict["last_step"]
        self.last_step = -1 if last == -1 else cast(int, as_epoch(last, "last_step", whole=True))
        self.lrs = lrs


class LinearWarmup(BaseWarmup):
    """``pytorch_warmup.LinearWarmup``: factor ``min(1, (step + 1) / warmup_period)``.

    Example:
      >>> import torch
      >>> from torch_bridge._warmup import LinearWarmup
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> warmup = LinearWarmup(opt, warmup_period=4)
      >>> lrs = [round(opt.param_groups[0]["lr"], 6)]
      >>> for _ in range(4):
      ...     opt.step()
      ...     with warmup.dampening():
      ...         pass
      ...     lrs.append(round(opt.param_groups[0]["lr"], 6))
      >>> lrs
      [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, warmup_period: int | list[int], last_step: int = -1) -> None:
        _check_optimizer(optimizer)
        periods = _periods(warmup_period, len(optimizer.param_groups))
        super().__init__(optimizer, [_pw.LinearWarmup(p) for p in periods], last_step)


class ExponentialWarmup(BaseWarmup):
    """``pytorch_warmup.ExponentialWarmup``: factor ``1 - exp(-(step + 1) / warmup_period)``."""

    def __init__(self, optimizer: Optimizer, warmup_period: int | list[int], last_step: int = -1) -> None:
        _check_optimizer(optimizer)
        periods = _periods(warmup_period, len(optimizer.param_groups))
        super().__init__(optimizer, [_pw.ExponentialWarmup(p) for p in periods], last_step)


def _beta2s(optimizer: Optimizer) -> list[float]:
    out = []
    for i, g in enumerate(optimizer.param_groups):
        if "betas" not in g:
            raise KeyError(
                f"param_groups[{i}] has no 'betas': the untuned and RAdam warmups need an Adam "
                "optimizer (or a variant)"
            )
        b2 = g["betas"][1]
        out.append(float(b2.item() if isinstance(b2, torch.Tensor) else b2))
    return out


class UntunedLinearWarmup(BaseWarmup):
    """``pytorch_warmup.UntunedLinearWarmup``: linear with ``int(2 / (1 - beta2))`` per group."""

    def __init__(self, optimizer: Optimizer, last_step: int = -1) -> None:
        _check_optimizer(optimizer)
        super().__init__(optimizer, [_pw.UntunedLinearWarmup(b) for b in _beta2s(optimizer)], last_step)


class UntunedExponentialWarmup(BaseWarmup):
    """``pytorch_warmup.UntunedExponentialWarmup``: exponential with ``int(1 / (1 - beta2))`` per
    group."""

    def __init__(self, optimizer: Optimizer, last_step: int = -1) -> None:
        _check_optimizer(optimizer)
        super().__init__(optimizer, [_pw.UntunedExponentialWarmup(b) for b in _beta2s(optimizer)], last_step)


class RAdamWarmup(BaseWarmup):
    """``pytorch_warmup.RAdamWarmup``: the RAdam rectification factor per group (``beta2 >
    0.6``)."""

    def __init__(self, optimizer: Optimizer, last_step: int = -1) -> None:
        _check_optimizer(optimizer)
        super().__init__(optimizer, [_pw.RAdamWarmup(b) for b in _beta2s(optimizer)], last_step)
