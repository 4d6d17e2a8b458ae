"""Runners that evaluate a schedule's *original* library, for parity tests and ``jaxsched parity``.

Each module here (``torch.py``, ``transformers.py``, ...) registers, for a port's config name, a function
that builds the original scheduler from the port's arguments and returns the values the original applies
at updates ``0..n-1``. Originals are imported inside the runner, so importing this package never needs
them; ``available()`` says whether the library is installed. Golden-value references (for libraries that
cannot be installed here) register a runner that reads the recorded curve instead.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import pkgutil
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from jaxsched._core import Schedule


@dataclass(frozen=True)
class Reference:
    """How to get the original library's curve for schedules registered under one config name."""

    library: str
    """What is compared against: an importable module name (``"torch"``), or ``"golden:<lib>"``."""
    run: Callable[[Schedule, int], np.ndarray]
    """``run(schedule, n)`` -> float64 values the original applies at updates ``0..n-1``."""
    module: str | None = None
    """The module that must be importable for ``run`` to work (None: always available)."""

    def available(self) -> bool:
        return self.module is None or importlib.util.find_spec(self.module) is not None


_REFERENCES: dict[str, Reference] = {}


def register(config_name: str, library: str, module: str | None = None
             ) -> Callable[[Callable[[Schedule, int], np.ndarray]], Callable[[Schedule, int], np.ndarray]]:
    """Decorator: ``@register("compat.torch.StepLR", "torch", module="torch")`` on a runner."""

    def deco(fn: Callable[[Schedule, int], np.ndarray]) -> Callable[[Schedule, int], np.ndarray]:
        _REFERENCES[config_name] = Reference(library, fn, module)
        return fn

    return deco


def references() -> dict[str, Reference]:
    """Every registered reference, after importing every module of this package."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REFERENCES)


def port_kwargs(schedule: Schedule, exclude: Iterable[str] = ("lr",)) -> dict[str, Any]:
    """A port's constructor arguments by name (its init fields), minus ``exclude``: what the original's
    constructor takes, since ports keep the original parameter names."""
    skip = set(exclude)
    return {f.name: getattr(schedule, f.name) for f in dataclasses.fields(schedule)  # type: ignore[arg-type]
            if f.init and f.name not in skip}


def step_torch(make: Callable[[Any], Any], lr: float, n: int) -> np.ndarray:
    """The LR a torch scheduler applies at updates ``0..n-1``: ``make(optimizer)`` on a one-parameter SGD
    with learning rate ``lr``, read before each update, then ``optimizer.step(); scheduler.step()``."""
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(opt)
        out = np.empty(n)
        for k in range(n):
            out[k] = float(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return out
