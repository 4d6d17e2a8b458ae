"""Reference runners for ``jaxsched.compat.torch``: the real ``torch.optim.lr_scheduler`` classes.

The runner builds the torch scheduler the port describes (``torch_bridge.to_torch``) on a one-parameter
SGD optimizer with momentum, then records ``get_last_lr()[0]`` (or the momentum the scheduler writes) after
construction and after each of ``n - 1`` ``scheduler.step()`` calls: the values torch applies at updates
``0..n-1``, streamed in blocks.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import BLOCK, register_stream

_NAMES = (
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "SWALR",
)


def torch_stream(
    schedule: Schedule, n: int, block: int = BLOCK, *, field: str = "lr", dtype: Any = None
) -> Iterator[np.ndarray]:
    """The values torch's scheduler (built from ``schedule``) applies at updates ``0..n-1``, in blocks.

    ``field`` is ``"lr"`` or ``"momentum"`` (what ``CyclicLR``/``OneCycleLR`` write alongside). ``dtype``
    (a torch dtype) makes the group's LR a Tensor of that dtype, so torch's recursion runs in it. Past
    ``OneCycleLR``'s last step (where torch raises) the value of update ``T - 1`` is repeated, which is
    what the port holds; at step ``T`` itself a negative LR (torch's linear extrapolation, which no update
    of a ``T``-step run applies) is recorded as 0, the port's value (the port's tests check torch's sign
    there separately). ``optimizer.step()`` runs once, before the first ``scheduler.step()``.
    """
    import torch

    from jaxsched.compat import torch as tp
    from torch_bridge._convert import to_torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    if dtype is not None:
        opt.param_groups[0]["lr"] = torch.tensor(0.1, dtype=dtype)
    lr = getattr(schedule, "lr", None)
    with warnings.catch_warnings():
        # Building a nested composite steps its children inside torch (issue #196243), which warns.
        warnings.simplefilter("ignore", UserWarning)
        sched = to_torch(schedule, opt)
        opt.step()
    if dtype is not None and lr is not None and not isinstance(opt.param_groups[0]["lr"], torch.Tensor):
        raise TypeError("dtype needs a port whose base LR is a Tensor")
    group = opt.param_groups[0]

    def read() -> float:
        x = sched.get_last_lr()[0] if field == "lr" else group[field]
        return float(x.item()) if isinstance(x, torch.Tensor) else float(x)

    limit = schedule.steps if isinstance(schedule, tp.OneCycleLR) else None
    held = math.nan
    done = 0
    while done < n:
        m = min(block, n - done)
        out = np.empty(m)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for j in range(m):
                k = done + j
                if limit is not None and k > limit:
                    out[j] = held  # torch raises past its last step; the port holds update T - 1
                    continue
                if k:
                    sched.step()
                out[j] = read()
                if limit is not None and k == limit - 1:
                    held = out[j]
                if limit is not None and k == limit:
                    out[j] = max(out[j], 0.0)  # torch's linear extrapolation goes below 0: the port's 0
        done += m
        yield out


def torch_curve(schedule: Schedule, n: int, *, field: str = "lr", dtype: Any = None) -> np.ndarray:
    """The values torch's scheduler (built from ``schedule``) applies at updates ``0..n-1``
    (:func:`torch_stream`, concatenated)."""
    parts = list(torch_stream(schedule, n, field=field, dtype=dtype))
    return np.concatenate(parts) if parts else np.zeros(0)


def _runner(name: str, field: str = "lr") -> None:
    @register_stream(f"compat.torch.{name}", "torch", module="torch")
    def stream(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
        return torch_stream(schedule, n, block, field=field)

    stream.__name__ = f"stream_{name}"


for _name in _NAMES:
    _runner(_name)
_runner("CyclicMomentum", field="momentum")
_runner("OneCycleMomentum", field="momentum")
