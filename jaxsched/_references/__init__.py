"""Runners that evaluate a schedule's *original* library, for parity tests and ``jaxsched parity``.

Each module here (``torch.py``, ``transformers.py``, ...) registers, for a port's config name, a function
that builds the original scheduler from the port's arguments and returns the values the original applies
at updates ``0..n-1``. A runner either returns the whole curve (``run(schedule, n)``), or streams it in
blocks (``stream(schedule, n, block)``, a generator of arrays), so that a parity check over millions of
steps holds one block at a time. Originals are imported inside the runner, so importing this package
never needs them; ``available()`` says whether the library is installed. Golden-value references (for
libraries that cannot be installed here) register a runner that reads the recorded curve instead, and
raise :class:`NotRecordedError` for a configuration that was not recorded.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import pkgutil
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from jaxsched._core import Schedule

Runner = Callable[[Schedule, int], np.ndarray]
Streamer = Callable[[Schedule, int, int], Iterator[np.ndarray]]

BLOCK = 1 << 16
"""Values per block when a runner streams."""


class NotRecordedError(KeyError):
    """A golden-curve reference has no recorded curve for this configuration (not a mismatch)."""


@dataclass(frozen=True)
class Reference:
    """How to get the original library's curve for schedules registered under one config name."""

    library: str
    """What is compared against: an importable module name (``"torch"``), or ``"golden:<lib>"``."""
    run: Runner
    """``run(schedule, n)`` -> float64 values the original applies at updates ``0..n-1`` (fewer when
    the original's curve is shorter, e.g. a recorded golden curve)."""
    module: str | None = None
    """The module that must be importable for ``run`` to work (None: always available)."""
    stream: Streamer | None = None
    """``stream(schedule, n, block)`` -> the same values, in blocks of at most ``block``."""

    def available(self) -> bool:
        if self.module is None:
            return True
        try:  # find_spec("megatron.core") imports "megatron" first: raises when that is missing
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False

    def blocks(self, schedule: Schedule, n: int, block: int = BLOCK) -> Iterator[np.ndarray]:
        """The original's values at updates ``0..n-1`` in blocks (from ``stream`` when the runner
        streams, else ``run``'s curve cut into blocks)."""
        if self.stream is not None:
            yield from self.stream(schedule, n, block)
            return
        values = np.asarray(self.run(schedule, n), dtype=np.float64).reshape(-1)[:n]
        for a in range(0, values.size, block):
            yield values[a : a + block]


_REFERENCES: dict[str, Reference] = {}


def register(config_name: str, library: str, module: str | None = None) -> Callable[[Runner], Runner]:
    """Decorator: ``@register("compat.torch.StepLR", "torch", module="torch")`` on a runner
    ``run(schedule, n) -> values``."""

    def deco(fn: Runner) -> Runner:
        _REFERENCES[config_name] = Reference(library, fn, module)
        return fn

    return deco


def register_stream(
    config_name: str, library: str, module: str | None = None
) -> Callable[[Streamer], Streamer]:
    """Decorator for a streaming runner ``stream(schedule, n, block)`` (a generator of blocks); its
    ``run`` is the concatenation."""

    def deco(fn: Streamer) -> Streamer:
        def run(schedule: Schedule, n: int) -> np.ndarray:
            parts = list(fn(schedule, n, BLOCK))
            return np.concatenate(parts) if parts else np.zeros(0)

        _REFERENCES[config_name] = Reference(library, run, module, fn)
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
    return {
        f.name: getattr(schedule, f.name)
        for f in dataclasses.fields(schedule)  # type: ignore[arg-type]
        if f.init and f.name not in skip
    }


def stream_torch(
    make: Callable[[Any], Any],
    lr: float,
    n: int,
    block: int = BLOCK,
    read: Callable[[Any, Any], float] | None = None,
) -> Iterator[np.ndarray]:
    """The LR a torch scheduler applies at updates ``0..n-1``, in blocks: ``make(optimizer)`` on a
    one-parameter SGD with learning rate ``lr``, read before each update, then ``scheduler.step()``.

    ``optimizer.step()`` runs once, before the first ``scheduler.step()`` (torch checks the order only
    then; the LR does not depend on the optimizer's steps), which keeps a step near 2 µs. ``read(opt,
    sched)`` reads another value than ``param_groups[0]["lr"]``.
    """
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(opt)
        opt.step()
    group = opt.param_groups[0]
    done = 0
    while done < n:
        m = min(block, n - done)
        out = np.empty(m)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for j in range(m):
                if done + j:
                    sched.step()
                out[j] = float(group["lr"]) if read is None else read(opt, sched)
        done += m
        yield out


def step_torch(make: Callable[[Any], Any], lr: float, n: int) -> np.ndarray:
    """The LR a torch scheduler applies at updates ``0..n-1`` (:func:`stream_torch`, concatenated)."""
    parts = list(stream_torch(make, lr, n))
    return np.concatenate(parts) if parts else np.zeros(0)
