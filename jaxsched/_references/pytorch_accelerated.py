"""Reference runners: the installed ``pytorch-accelerated`` schedulers, stepped as its Trainer does.

The runner builds an SGD optimizer with the port's ``lr``, constructs the original, and records the
LR each
update runs with: the constructor's value first, then one ``scheduler.step()`` after every update.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register


def _run(make: Any, lr: float, n: int) -> np.ndarray:
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=lr)
    sched = make(opt)
    out = np.empty(n)
    for k in range(n):
        out[k] = float(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


@register(
    "compat.pytorch_accelerated.CosineLrScheduler",
    "pytorch_accelerated",
    module="pytorch_accelerated",
)
def cosine_lr_scheduler(schedule: Schedule, n: int) -> np.ndarray:
    from pytorch_accelerated.schedulers import CosineLrScheduler

    s: Any = schedule
    return _run(
        lambda opt: CosineLrScheduler(
            opt,
            total_num_epochs=s.total_num_epochs,
            num_update_steps_per_epoch=s.num_update_steps_per_epoch,
            k_decay=s.k_decay,
            lr_min=s.lr_min,
            min_lr_ratio=s.min_lr_ratio,
            num_warmup_epochs=s.num_warmup_epochs,
            warmup_starting_lr=s.warmup_starting_lr,
            warmup_starting_lr_ratio=s.warmup_starting_lr_ratio,
            num_cooldown_epochs=s.num_cooldown_epochs,
        ),
        float(s.lr),
        n,
    )


@register(
    "compat.pytorch_accelerated.WSDLrScheduler", "pytorch_accelerated", module="pytorch_accelerated"
)
def wsd_lr_scheduler(schedule: Schedule, n: int) -> np.ndarray:
    from pytorch_accelerated.schedulers.wsd_scheduler import WSDLrScheduler

    s: Any = schedule
    return _run(
        lambda opt: WSDLrScheduler(
            opt,
            total_steps=s.total_steps,
            num_warmup_steps=s.num_warmup_steps,
            decay_phase_ratio=s.decay_phase_ratio,
            lr_min=s.lr_min,
            warmup_starting_lr=s.warmup_starting_lr,
            use_inverse_sqrt_decay=s.use_inverse_sqrt_decay,
            num_checkpoints=s.num_checkpoints,
            is_continuation_from_checkpoint=s.is_continuation_from_checkpoint,
        ),
        float(s.lr),
        n,
    )
