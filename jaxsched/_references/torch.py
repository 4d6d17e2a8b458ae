"""Reference runners for ``jaxsched.compat.torch``: the real ``torch.optim.lr_scheduler`` classes.

``run(port, n)`` builds the torch scheduler the port describes (``torch_bridge.to_torch``) on a one-parameter
SGD optimizer with momentum, then records ``get_last_lr()[0]`` (or the momentum the scheduler writes) after
construction and after each of ``n - 1`` plain ``optimizer.step(); scheduler.step()`` rounds: the values
torch applies at updates ``0..n-1``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register

_NAMES = (
    "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
    "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
    "SequentialLR", "ChainedScheduler",
)


def torch_curve(schedule: Schedule, n: int, *, field: str = "lr", dtype: Any = None) -> np.ndarray:
    """The values torch's scheduler (built from ``schedule``) applies at updates ``0..n-1``.

    ``field`` is ``"lr"`` or ``"momentum"`` (what ``CyclicLR``/``OneCycleLR`` write alongside). ``dtype``
    (a torch dtype) makes the group's LR a Tensor of that dtype, so torch's recursion runs in it. Past
    ``OneCycleLR``'s last step (where torch raises) the value of update ``T - 1`` is repeated, which is
    what the port holds; at step ``T`` itself a negative LR (torch's linear extrapolation, which no update
    of a ``T``-step run applies) is recorded as 0, the port's value (the port's tests check torch's sign
    there separately).
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
    if dtype is not None and lr is not None and not isinstance(opt.param_groups[0]["lr"], torch.Tensor):
        raise TypeError("dtype needs a port whose base LR is a Tensor")

    def read() -> float:
        if field == "lr":
            x = sched.get_last_lr()[0]
        else:
            x = opt.param_groups[0][field]
        return float(x.item()) if isinstance(x, torch.Tensor) else float(x)

    limit = None
    if isinstance(schedule, tp.OneCycleLR):
        limit = schedule.steps
    out = [read()]
    for k in range(1, n):
        if limit is not None and k > limit:
            out.append(out[limit - 1])
            continue
        opt.step()
        sched.step()
        out.append(read())
        if limit is not None and k == limit:
            out[-1] = max(out[-1], 0.0)
    return np.asarray(out[:n], dtype=np.float64)


def _runner(name: str, field: str = "lr") -> None:
    @register(f"compat.torch.{name}", "torch", module="torch")
    def run(schedule: Schedule, n: int) -> np.ndarray:
        return torch_curve(schedule, n, field=field)

    run.__name__ = f"run_{name}"


for _name in _NAMES:
    _runner(_name)
_runner("CyclicMomentum", field="momentum")
_runner("OneCycleMomentum", field="momentum")
