"""PyTorch schedulers of the seed libraries, with their original constructor signatures.

Each class or factory here is a thin :class:`~torch_bridge.ScheduleLR` over the matching
``jaxsched.compat`` port (one port per param group), so the curve is the port's, evaluated in NumPy
float64: chemprop's ``NoamLR`` and ``build_NoamLike_LRSched``, OpenKiwi's
``get_noam_decay_schedule``,
pytorch-accelerated's ``CosineLrScheduler`` and ``WSDLrScheduler``, and noether schedule configs.
Unlike some originals, every one keeps its step count in ``state_dict()`` (``last_epoch``), so a
resumed
run continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
from torch.optim import Optimizer

from jaxsched.compat import chemprop as _chemprop
from jaxsched.compat import kiwi as _kiwi
from jaxsched.compat import noether as _noether
from jaxsched.compat import pytorch_accelerated as _pa
from torch_bridge._scheduler import ScheduleLR, as_epoch, parse_field, read_field, write_field

__all__ = [
    "CosineLrScheduler",
    "NoamLR",
    "WSDLrScheduler",
    "build_NoamLike_LRSched",
    "get_noam_decay_schedule",
    "noether_schedule",
]


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


class NoamLR(ScheduleLR):
    """chemprop's ``NoamLR`` (2.0.x signature; ``version="1"`` for chemprop 1.x) on
    :class:`ScheduleLR`.

    Per-group arrays (``warmup_epochs``, ``init_lrs``, ``max_lrs``, ``final_lrs``; ``total_epochs``
    too in
    version 1) give one :class:`jaxsched.compat.chemprop.NoamLR` per param group (a scalar is a
    one-element array, as in chemprop). As in
    chemprop, the LR set at construction is already position 1 of the schedule, ``len(sched)`` is
    the
    number of steps, and ``step(step)`` jumps to position ``step`` (``step(0)`` sets ``init_lrs``).
    Unlike chemprop, ``get_last_lr()`` works and the lengths are checked with a ``ValueError``.

    Example:
      >>> import torch
      >>> from torch_bridge._classes import NoamLR
      >>> opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-4)
      >>> sched = NoamLR(opt, warmup_epochs=4, total_epochs=8, steps_per_epoch=1, init_lrs=1e-4,
      ...                max_lrs=1e-3, final_lrs=1e-4)
      >>> round(opt.param_groups[0]["lr"], 6), len(sched)
      (0.000325, 8)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        warmup_epochs: Any,
        total_epochs: Any,
        steps_per_epoch: int,
        init_lrs: Any,
        max_lrs: Any,
        final_lrs: Any,
        *,
        version: str = "2.0",
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        ports = _chemprop.noam_lr_groups(
            warmup_epochs,
            total_epochs,
            steps_per_epoch,
            init_lrs,
            max_lrs,
            final_lrs,
            version=version,
            num_groups=len(optimizer.param_groups),
        )
        self.ports = ports
        super().__init__(optimizer, ports, last_epoch=last_epoch, warn_on_override=False)

    def __len__(self) -> int:
        return max(len(p) for p in self.ports)

    def step(self, step: int | None = None) -> None:
        """Advance one position, or jump to position ``step`` (chemprop's ``step(step)``)."""
        if step is None:
            super().step()
            return
        if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
            raise ValueError(f"step: must be a non-negative int, got {step!r}")
        self._step_count += 1
        if step == 0:  # position 0: init_lr, the value chemprop never applies otherwise
            self.last_epoch = -1
            key, index = parse_field(self.field)
            row = tuple(float(p.init_lr) for p in self.ports)
            for g, val in zip(self.optimizer.param_groups, row, strict=True):
                write_field(g, key, index, val)
            self._last_value = row
            self._last_lr = [read_field(g, key, index) for g in self.optimizer.param_groups]
            return
        self._update_lr(int(step) - 1)


def build_NoamLike_LRSched(
    optimizer: Optimizer,
    warmup_steps: int,
    cooldown_steps: int,
    init_lr: float,
    max_lr: float,
    final_lr: float,
) -> ScheduleLR:
    """chemprop 2.1+'s ``build_NoamLike_LRSched``: a ``LambdaLR``-style :class:`ScheduleLR`.

    The factor is :class:`jaxsched.compat.chemprop.NoamLike` divided by ``init_lr`` and multiplies
    each
    group's initial LR, as chemprop's ``LambdaLR`` does (so on an optimizer built with
    ``lr=init_lr`` the
    LR is the port's curve).

    Example:
      >>> import torch
      >>> from torch_bridge._classes import build_NoamLike_LRSched
      >>> opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-4)
      >>> sched = build_NoamLike_LRSched(opt, 4, 4, init_lr=1e-4, max_lr=1e-3, final_lr=1e-4)
      >>> opt.param_groups[0]["lr"]
      0.0001
    """
    _check_optimizer(optimizer)
    port = _chemprop.NoamLike(warmup_steps, cooldown_steps, init_lr, max_lr, final_lr)
    return ScheduleLR(optimizer, port * (1.0 / init_lr), multiplier=True)


def get_noam_decay_schedule(optimizer: Optimizer, num_warmup_steps: float, model_size: float) -> ScheduleLR:
    """OpenKiwi's ``get_noam_decay_schedule``: the Noam factor times each group's initial LR.

    Example:
      >>> import torch
      >>> from torch_bridge._classes import get_noam_decay_schedule
      >>> opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
      >>> sched = get_noam_decay_schedule(opt, num_warmup_steps=4, model_size=512)
      >>> round(opt.param_groups[0]["lr"], 6)
      0.005524
    """
    _check_optimizer(optimizer)
    return ScheduleLR(optimizer, _kiwi.NoamDecay(1.0, num_warmup_steps, model_size), multiplier=True)


def _bases(optimizer: Optimizer, field: str) -> list[float]:
    """Each group's base value as pytorch-accelerated stores it (``initial_<field>``, else the
    field)."""
    key, index = parse_field(field)
    out = []
    for i, g in enumerate(optimizer.param_groups):
        if key not in g:
            raise KeyError(f"{field} missing from param_groups[{i}]")
        init = g.get(f"initial_{field}", read_field(g, key, index))
        out.append(float(init.item() if hasattr(init, "item") else init))
    return out


class _Accelerated(ScheduleLR):
    """pytorch-accelerated's scheduler protocol on :class:`ScheduleLR`: ``step()`` after every
    update and
    the stateless ``step_update(num_updates)``; ``param_group_field`` picks the group key."""

    def step_update(self, num_updates: int) -> None:
        """Write the values for ``num_updates`` (the original's stateless API): the port's update
        ``num_updates + 1``."""
        n = cast(int, as_epoch(num_updates, "num_updates", whole=True))
        self._step_count += 1
        self._update_lr(n + 1)


class CosineLrScheduler(_Accelerated):
    """pytorch-accelerated's ``CosineLrScheduler`` on :class:`ScheduleLR` (one port per param
    group).

    Same signature (plus ``param_group_field``, as its base classes have): the curve is
    :class:`jaxsched.compat.pytorch_accelerated.CosineLrScheduler`, quirks included (first value
    used
    twice, truncated cosine with warmup). ``state_dict()`` keeps the step.

    Example:
      >>> import torch
      >>> from torch_bridge._classes import CosineLrScheduler
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
      >>> sched = CosineLrScheduler(opt, total_num_epochs=10, num_update_steps_per_epoch=1)
      >>> lrs = [opt.param_groups[0]["lr"]]
      >>> for _ in range(2):
      ...     opt.step(); sched.step(); lrs.append(round(opt.param_groups[0]["lr"], 6))
      >>> lrs
      [0.01, 0.01, 0.009755]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_num_epochs: int,
        num_update_steps_per_epoch: int,
        k_decay: float = 1.0,
        lr_min: float = 1e-6,
        min_lr_ratio: float | None = None,
        num_warmup_epochs: int = 0,
        warmup_starting_lr: float = 1e-6,
        warmup_starting_lr_ratio: float | None = None,
        num_cooldown_epochs: int = 0,
        *,
        param_group_field: str = "lr",
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        ports = [
            _pa.CosineLrScheduler(
                base,
                total_num_epochs,
                num_update_steps_per_epoch,
                k_decay=k_decay,
                lr_min=lr_min,
                min_lr_ratio=min_lr_ratio,
                num_warmup_epochs=num_warmup_epochs,
                warmup_starting_lr=warmup_starting_lr,
                warmup_starting_lr_ratio=warmup_starting_lr_ratio,
                num_cooldown_epochs=num_cooldown_epochs,
            )
            for base in _bases(optimizer, param_group_field)
        ]
        self.param_group_field = param_group_field
        super().__init__(
            optimizer, ports, field=param_group_field, last_epoch=last_epoch, warn_on_override=False
        )


class WSDLrScheduler(_Accelerated):
    """pytorch-accelerated's ``WSDLrScheduler`` on :class:`ScheduleLR` (one port per param group).

    Same signature (plus ``param_group_field``) and curve as
    :class:`jaxsched.compat.pytorch_accelerated.WSDLrScheduler`, with the original's checks
    (including
    ``warmup_starting_lr`` above the largest base value). Unlike the original, whose
    ``state_dict()``
    drops the step count, a resumed scheduler continues where it stopped.

    Example:
      >>> import torch
      >>> from torch_bridge._classes import WSDLrScheduler
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
      >>> sched = WSDLrScheduler(opt, total_steps=100, num_checkpoints=3)
      >>> sched.get_checkpoint_steps()
      [25, 50, 100]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        num_epochs: int | None = None,
        num_update_steps_per_epoch: int | None = None,
        total_steps: int | None = None,
        num_warmup_steps: int | None = 0,
        decay_phase_ratio: float = 0.1,
        lr_min: float = 1e-6,
        warmup_starting_lr: float = 1e-6,
        use_inverse_sqrt_decay: bool = True,
        num_checkpoints: int = 1,
        is_continuation_from_checkpoint: bool = False,
        *,
        param_group_field: str = "lr",
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        bases = _bases(optimizer, param_group_field)
        ports = [
            _pa.WSDLrScheduler(
                base,
                num_epochs=num_epochs,
                num_update_steps_per_epoch=num_update_steps_per_epoch,
                total_steps=total_steps,
                num_warmup_steps=num_warmup_steps,
                decay_phase_ratio=decay_phase_ratio,
                lr_min=lr_min,
                warmup_starting_lr=warmup_starting_lr,
                use_inverse_sqrt_decay=use_inverse_sqrt_decay,
                num_checkpoints=num_checkpoints,
                is_continuation_from_checkpoint=is_continuation_from_checkpoint,
            )
            for base in bases
        ]
        if warmup_starting_lr > max(bases):
            raise ValueError("warmup_starting_lr should not exceed maximum base learning rate")
        self.param_group_field = param_group_field
        self.ports = ports
        super().__init__(
            optimizer, ports, field=param_group_field, last_epoch=last_epoch, warn_on_override=False
        )

    def get_checkpoint_steps(self) -> list[int]:
        """The steps at which checkpoints occur (as the original)."""
        return self.ports[0].checkpoint_steps()


def noether_schedule(
    optimizer: Optimizer,
    config: Mapping[str, Any],
    total_steps: int,
    *,
    field: str = "lr",
    updates_per_epoch: int | None = None,
) -> ScheduleLR:
    """A noether schedule config as a :class:`ScheduleLR` that sets ``field`` to the schedule's
    value.

    ``config`` is noether's ``{"kind": "noether.core.schedules.X", ...}``; the value at update ``k``
    is
    ``get_value(k, total_steps)`` (see :func:`jaxsched.compat.noether.from_noether_config`), written
    as an
    absolute value into every group (noether's ``lr_scale`` and reference-LR ratios are not
    applied).

    Example:
      >>> import torch
      >>> from torch_bridge._classes import noether_schedule
      >>> opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
      >>> cfg = {"kind": "noether.core.schedules.LinearWarmupCosineDecaySchedule",
      ...        "warmup_steps": 3, "max_value": 1e-3}
      >>> sched = noether_schedule(opt, cfg, total_steps=10)
      >>> opt.param_groups[0]["lr"]
      0.00025
    """
    _check_optimizer(optimizer)
    port = _noether.from_noether_config(config, total_steps, updates_per_epoch=updates_per_epoch)
    return ScheduleLR(optimizer, port, field=field, warn_on_override=False)
