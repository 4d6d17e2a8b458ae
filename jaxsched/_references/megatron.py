"""Megatron-core's own ``OptimizerParamScheduler`` (``megatron.core.optimizer_param_scheduler``).

The original is built on a stand-in optimizer (an object with one param group, which is all the scheduler
touches) and stepped like Megatron's training loop: the values set for ``num_steps = k`` are read before
update ``k``, then ``step(increment=1)``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register


class _Optimizer:
    def __init__(self, group: dict[str, Any] | None = None) -> None:
        self.param_groups = [dict(group or {})]


def megatron_curve(
    kwargs: dict[str, Any], n: int, field: str, group: dict[str, Any] | None = None
) -> np.ndarray:
    """``param_groups[0][field]`` that Megatron's scheduler built from ``kwargs`` sets for updates
    ``0..n-1``."""
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    logging.getLogger("megatron.core.optimizer_param_scheduler").setLevel(logging.WARNING)
    opt = _Optimizer(group)
    sched = OptimizerParamScheduler(opt, **kwargs)
    out = np.empty(n)
    for k in range(n):
        out[k] = float(opt.param_groups[0][field])
        sched.step(1)
    return out


_NO_WD = {"start_wd": 0.0, "end_wd": 0.0, "wd_incr_steps": 1, "wd_incr_style": "constant"}
_NO_LR = {
    "init_lr": 0.0,
    "max_lr": 1.0,
    "min_lr": 0.0,
    "lr_warmup_steps": 0,
    "lr_decay_steps": 1,
    "lr_decay_style": "constant",
}


@register("compat.megatron.OptimizerParamSchedulerLR", "megatron.core", module="megatron.core")
def _lr(schedule: Schedule, n: int) -> np.ndarray:
    kw = {
        name: getattr(schedule, name)
        for name in (
            "init_lr",
            "max_lr",
            "min_lr",
            "lr_warmup_steps",
            "lr_decay_steps",
            "lr_decay_style",
            "wsd_decay_steps",
            "lr_wsd_decay_style",
        )
    }
    return megatron_curve({**kw, **_NO_WD}, n, "lr")


@register("compat.megatron.OptimizerParamSchedulerWD", "megatron.core", module="megatron.core")
def _wd(schedule: Schedule, n: int) -> np.ndarray:
    kw = {name: getattr(schedule, name) for name in ("start_wd", "end_wd", "wd_incr_steps", "wd_incr_style")}
    return megatron_curve({**_NO_LR, **kw}, n, "weight_decay", {"wd_mult": schedule.wd_mult})  # type: ignore[attr-defined]
