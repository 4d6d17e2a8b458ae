"""Reference runners: the installed ``pytorch-accelerated`` schedulers, stepped as its Trainer does.

The runner builds an SGD optimizer with the port's ``lr``, constructs the original, and records the
LR each
update runs with: the constructor's value first, then one ``scheduler.step()`` after every update,
in blocks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import port_kwargs, register_stream, stream_torch


@register_stream(
    "compat.pytorch_accelerated.CosineLrScheduler",
    "pytorch_accelerated",
    module="pytorch_accelerated",
)
def cosine_lr_scheduler(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    from pytorch_accelerated.schedulers import CosineLrScheduler

    kwargs = port_kwargs(schedule)
    return stream_torch(lambda opt: CosineLrScheduler(opt, **kwargs), float(schedule.lr), n, block)  # type: ignore[attr-defined]


@register_stream(
    "compat.pytorch_accelerated.WSDLrScheduler", "pytorch_accelerated", module="pytorch_accelerated"
)
def wsd_lr_scheduler(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    from pytorch_accelerated.schedulers.wsd_scheduler import WSDLrScheduler

    kwargs = port_kwargs(schedule)
    return stream_torch(lambda opt: WSDLrScheduler(opt, **kwargs), float(schedule.lr), n, block)  # type: ignore[attr-defined]
