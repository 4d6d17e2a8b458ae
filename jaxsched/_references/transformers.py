"""Reference runners for :mod:`jaxsched.compat.transformers`: HF's own ``LambdaLR`` on a dummy optimizer.

The runner builds the HF scheduler from the port's fields on a one-parameter torch SGD whose learning
rate is the port's ``lr``, then steps it and records the learning rate before each step (the value
update ``k`` uses), streamed in blocks (past the first block, ``base_lr * lr_lambda(k)``: see
:func:`stream_hf`). :func:`hf_values_at` evaluates the same scheduler's
``base_lr * lr_lambda(k)`` at arbitrary updates (what ``LambdaLR`` sets after ``k`` steps), for steps too
far away to reach by stepping.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import BLOCK, port_kwargs, register_stream, step_torch, stream_torch

_FACTORIES = (
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_inverse_sqrt_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_wsd_schedule",
)


def hf_scheduler(schedule: Schedule, opt: Any = None) -> Any:
    """The HF ``LambdaLR`` for a :mod:`jaxsched.compat.transformers` schedule (on ``opt``, or a fresh
    one-parameter SGD with the port's ``lr``)."""
    import torch
    import transformers.optimization as hf

    kwargs = port_kwargs(schedule)
    if "min_lr" in kwargs:  # HF wants exactly one of the two, absent rather than None
        kwargs = {k: x for k, x in kwargs.items() if not (k in ("min_lr", "min_lr_rate") and x is None)}
    if opt is None:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=float(schedule.lr))  # type: ignore[attr-defined]
    name = schedule.config_name.rsplit(".", 1)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(hf, name)(opt, **kwargs)


def stream_hf(schedule: Schedule, n: int, block: int = BLOCK) -> Iterator[np.ndarray]:
    """The learning rates HF's scheduler applies at updates ``0..n-1``, in blocks.

    The first block comes from stepping HF's ``LambdaLR`` (its value before the first step, its step
    counting); the rest is ``base_lr * lr_lambda(k)``, which is exactly what ``LambdaLR`` sets after
    ``k`` steps (it is not chainable), at a third of the cost of stepping (10M steps in seconds).
    """
    head = min(n, block)
    yield from stream_torch(lambda opt: hf_scheduler(schedule, opt), float(schedule.lr), head, block)  # type: ignore[attr-defined]
    if n > head:
        sched = hf_scheduler(schedule)
        lam: Callable[[int], float] = sched.lr_lambdas[0]
        base = sched.base_lrs[0]
        for a in range(head, n, block):
            b = min(a + block, n)
            yield np.fromiter((base * lam(k) for k in range(a, b)), dtype=np.float64, count=b - a)


def run_hf(schedule: Schedule, n: int) -> np.ndarray:
    """The learning rates HF's scheduler applies at updates ``0..n-1``, by stepping it."""
    return step_torch(lambda opt: hf_scheduler(schedule, opt), float(schedule.lr), n)  # type: ignore[attr-defined]


def hf_values_at(schedule: Schedule, steps: Iterable[int]) -> np.ndarray:
    """``base_lr * lr_lambda(k)`` of HF's scheduler at each ``k``: the LR after ``k`` steps."""
    sched = hf_scheduler(schedule)
    lam: Callable[[int], float] = sched.lr_lambdas[0]
    base = sched.base_lrs[0]
    return np.asarray([base * lam(int(k)) for k in steps], dtype=np.float64)


for _name in _FACTORIES:
    register_stream(f"compat.transformers.{_name}", "transformers", module="transformers")(stream_hf)
