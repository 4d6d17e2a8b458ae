"""Reference runners: the installed ``pytorch_warmup`` package, stepped as its documentation
prescribes.

Each runner builds a one-group Adam optimizer with base LR 1 (and the port's ``beta2``), constructs
the
original warmup, and records ``param_groups[0]["lr"]`` at each update while calling
``with warmup.dampening(): pass`` after every update: the recorded LR is the warmup factor itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register


def _factors(make: Any, n: int, beta2: float = 0.999) -> np.ndarray:
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([param], lr=1.0, betas=(0.9, beta2))
    warmup = make(opt)
    out = np.empty(n)
    for k in range(n):
        out[k] = float(opt.param_groups[0]["lr"])
        opt.step()
        with warmup.dampening():
            pass
    return out


@register("compat.pytorch_warmup.LinearWarmup", "pytorch_warmup", module="pytorch_warmup")
def linear_warmup(schedule: Schedule, n: int) -> np.ndarray:
    import pytorch_warmup

    s: Any = schedule
    return _factors(lambda opt: pytorch_warmup.LinearWarmup(opt, warmup_period=s.warmup_period), n)


@register("compat.pytorch_warmup.ExponentialWarmup", "pytorch_warmup", module="pytorch_warmup")
def exponential_warmup(schedule: Schedule, n: int) -> np.ndarray:
    import pytorch_warmup

    s: Any = schedule
    return _factors(
        lambda opt: pytorch_warmup.ExponentialWarmup(opt, warmup_period=s.warmup_period), n
    )


@register("compat.pytorch_warmup.UntunedLinearWarmup", "pytorch_warmup", module="pytorch_warmup")
def untuned_linear_warmup(schedule: Schedule, n: int) -> np.ndarray:
    import pytorch_warmup

    s: Any = schedule
    return _factors(pytorch_warmup.UntunedLinearWarmup, n, s.beta2)


@register(
    "compat.pytorch_warmup.UntunedExponentialWarmup", "pytorch_warmup", module="pytorch_warmup"
)
def untuned_exponential_warmup(schedule: Schedule, n: int) -> np.ndarray:
    import pytorch_warmup

    s: Any = schedule
    return _factors(pytorch_warmup.UntunedExponentialWarmup, n, s.beta2)


@register("compat.pytorch_warmup.RAdamWarmup", "pytorch_warmup", module="pytorch_warmup")
def radam_warmup(schedule: Schedule, n: int) -> np.ndarray:
    import pytorch_warmup

    s: Any = schedule
    return _factors(pytorch_warmup.RAdamWarmup, n, s.beta2)
