"""pytorch-ignite's own parameter schedulers, called as an engine calls them (one call per event).

The original is rebuilt from the port's arguments on a one-parameter SGD, then called ``n`` times; the
value read after call ``k`` is what event (update) ``k`` uses. A ``ConcatScheduler`` is rebuilt from its
parts, which must be ignite ports themselves.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register

CLASSES = ("LinearCyclicalScheduler", "CosineAnnealingScheduler", "ConcatScheduler", "PiecewiseLinear")


def build(port: Schedule, optimizer: Any) -> Any:
    """The ignite scheduler a port stands for, on ``optimizer``'s ``lr``."""
    from ignite.handlers import param_scheduler as ps

    name = port.config_name.rsplit(".", 1)[1]
    f = {k: getattr(port, k) for k in port._init_fields}
    if name in ("LinearCyclicalScheduler", "CosineAnnealingScheduler"):
        return getattr(ps, name)(optimizer, "lr", **f)
    if name == "PiecewiseLinear":
        pairs = [tuple(p) for p in f["milestones_values"]]
        return ps.PiecewiseLinear(optimizer, "lr", milestones_values=pairs)
    if name == "ConcatScheduler":
        parts = [build(s, optimizer) for s in f["schedulers"]]
        return ps.ConcatScheduler(parts, durations=list(f["durations"]))
    raise KeyError(f"no ignite counterpart for {port.config_name}")


def run_handler(handler: Any, optimizer: Any, n: int) -> np.ndarray:
    """``optimizer.param_groups[0]["lr"]`` after each of ``n`` calls of an ignite handler."""
    out = np.empty(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(n):
            handler(None)
            out[k] = float(optimizer.param_groups[0]["lr"])
    return out


def ignite_curve(port: Schedule, n: int) -> np.ndarray:
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.0)
    return run_handler(build(port, opt), opt, n)


for _name in CLASSES:
    register(f"compat.ignite.{_name}", "ignite", module="ignite")(ignite_curve)
