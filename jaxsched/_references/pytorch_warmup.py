"""Reference runners: the installed ``pytorch_warmup`` package, stepped as its documentation
prescribes.

Each runner builds a one-group Adam optimizer with base LR 1 (and the port's ``beta2``), constructs
the
original warmup, and records ``param_groups[0]["lr"]`` at each update while calling
``with warmup.dampening(): pass`` after every update (no optimizer step: the factor does not depend
on it): the recorded LR is the warmup factor itself, streamed in blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register_stream


def _factors(make: Any, n: int, block: int, beta2: float = 0.999) -> Iterator[np.ndarray]:
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([param], lr=1.0, betas=(0.9, beta2))
    warmup = make(opt)
    group = opt.param_groups[0]
    done = 0
    while done < n:
        m = min(block, n - done)
        out = np.empty(m)
        for j in range(m):
            out[j] = float(group["lr"])
            with warmup.dampening():  # the LR does not depend on the optimizer's steps
                pass
        done += m
        yield out


@register_stream("compat.pytorch_warmup.LinearWarmup", "pytorch_warmup", module="pytorch_warmup")
def linear_warmup(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    import pytorch_warmup

    s: Any = schedule
    return _factors(lambda opt: pytorch_warmup.LinearWarmup(opt, warmup_period=s.warmup_period), n, block)


@register_stream("compat.pytorch_warmup.ExponentialWarmup", "pytorch_warmup", module="pytorch_warmup")
def exponential_warmup(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    import pytorch_warmup

    s: Any = schedule
    return _factors(
        lambda opt: pytorch_warmup.ExponentialWarmup(opt, warmup_period=s.warmup_period), n, block
    )


@register_stream("compat.pytorch_warmup.UntunedLinearWarmup", "pytorch_warmup", module="pytorch_warmup")
def untuned_linear_warmup(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    import pytorch_warmup

    s: Any = schedule
    return _factors(pytorch_warmup.UntunedLinearWarmup, n, block, s.beta2)


@register_stream("compat.pytorch_warmup.UntunedExponentialWarmup", "pytorch_warmup", module="pytorch_warmup")
def untuned_exponential_warmup(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    import pytorch_warmup

    s: Any = schedule
    return _factors(pytorch_warmup.UntunedExponentialWarmup, n, block, s.beta2)


@register_stream("compat.pytorch_warmup.RAdamWarmup", "pytorch_warmup", module="pytorch_warmup")
def radam_warmup(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
    import pytorch_warmup

    s: Any = schedule
    return _factors(pytorch_warmup.RAdamWarmup, n, block, s.beta2)
