"""Ports of OpenKiwi's learning-rate schedules (``kiwi/training/optimizers.py``, OpenKiwi 2.1.0).

- :class:`NoamDecay` (``get_noam_decay_schedule``): the Transformer rule of Vaswani et al. as a
  ``LambdaLR``, which is exactly the native :func:`jaxsched.noam` with ``scale=learning_rate``.
- :func:`from_optimizer_config`: what OpenKiwi's ``from_config`` builds from an ``OptimizerConfig``
  (``noam``, ``adamw`` with a warmup given in steps or as a fraction of ``training_steps``, or
  reduce-on-plateau from ``learning_rate_decay`` / ``learning_rate_decay_start``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, Span, known, level, steps, value

__all__ = [
    "NoamDecay",
    "OPTIMIZERS",
    "cast_warmup_steps",
    "from_optimizer_config",
    "get_noam_decay_schedule",
]

OPTIMIZERS = (
    "sgd",
    "averaged_sgd",
    "adam",
    "noam",
    "sparse_adam",
    "adamw",
    "adagrad",
    "adadelta",
    "adamax",
    "rmsprop",
)
"""OpenKiwi's ``OPTIMIZERS_MAPPING`` keys (``class_name`` of an ``OptimizerConfig``)."""


class NoamDecay(Port, name="compat.kiwi.get_noam_decay_schedule"):
    r"""OpenKiwi's ``get_noam_decay_schedule(optimizer, num_warmup_steps, model_size)``.

    .. math:: s(k) = \mathrm{lr}\cdot d^{-1/2} \min\left((k+1)^{-1/2},\ (k+1)\, W^{-3/2}\right)

    The original shifts the ``LambdaLR`` epoch by one (``current_step += 1``), so update 0 already runs at
    :math:`\mathrm{lr}\, d^{-1/2} W^{-3/2}` (not 0) and the peak :math:`\mathrm{lr}\,(dW)^{-1/2}` is at
    update :math:`W - 1`: the same curve as :func:`jaxsched.noam` (``scale = learning_rate``), which
    evaluates it. Under OpenKiwi's trainer this scheduler steps once per *epoch* (Lightning interval
    ``"epoch"``); wrap it in :func:`jaxsched.per_epoch` for that.

    Args:
      learning_rate: the optimizer's LR (the ``LambdaLR`` base).
      num_warmup_steps: :math:`W > 0`, possibly fractional (the original fails with ``math domain error``
        for 0).
      model_size: :math:`d > 0`, the model width.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.kiwi import get_noam_decay_schedule
      >>> s = get_noam_decay_schedule(1.0, num_warmup_steps=4, model_size=512)
      >>> [round(float(x), 6) for x in s.numpy(range(5))]
      [0.005524, 0.011049, 0.016573, 0.022097, 0.019764]
    """

    learning_rate: Real = level()
    num_warmup_steps: Span = steps(minimum=0, fractional=True)
    model_size: Real = value(minimum=0.0, min_open=True)

    examples = (
        {"learning_rate": 1.0, "num_warmup_steps": 4000, "model_size": 512},
        {"learning_rate": 2.0, "num_warmup_steps": 8, "model_size": 300},
        {"learning_rate": 0.5, "num_warmup_steps": 2.5, "model_size": 64},
    )

    def __check_init__(self) -> None:
        if known(self.num_warmup_steps) and self.num_warmup_steps <= 0:
            raise v.ScheduleArgumentError(
                "num_warmup_steps",
                "must be > 0 (OpenKiwi raises 'math domain error' for 0; its noam "
                "path turns a fractional warmup such as 0.1 into int(0.1) = 0)",
                self.num_warmup_steps,
            )

    def lower(self) -> Schedule:
        return jaxsched.noam(self.model_size, self.num_warmup_steps, self.learning_rate)


get_noam_decay_schedule = NoamDecay


def cast_warmup_steps(value: Any) -> Any:
    """``OptimizerConfig.warmup_steps`` as OpenKiwi's validator casts it.

    ``0 <= v <= 1`` becomes a float (a *fraction* of ``training_steps`` in the ``adamw`` path: ``1`` means
    the whole run); a whole number above 1 becomes an ``int`` (steps); anything else stays a float, which
    the ``adamw`` path also treats as a fraction (``100.5`` means 100.5 times ``training_steps``).

    Example:
      >>> from jaxsched.compat.kiwi import cast_warmup_steps
      >>> [cast_warmup_steps(x) for x in (1, 0.1, 400.0, 2.5)]
      [1.0, 0.1, 400, 2.5]
    """
    if value is None:
        return None
    v.number("warmup_steps", value)
    if 0 <= value <= 1:
        return float(value)
    if float(value) == int(value):
        return int(value)
    return float(value)


def from_optimizer_config(
    config: Mapping[str, Any],
    *,
    model_size: int | None = None,
    training_data_size: int | None = None,
    steps_per_epoch: int | None = None,
) -> Any:
    r"""The LR schedule OpenKiwi's ``optimizers.from_config`` builds from an ``OptimizerConfig`` dict.

    - ``class_name: noam``: :class:`NoamDecay` with ``num_warmup_steps = max(0, int(warmup_steps))`` and
      ``model_size`` (required here; OpenKiwi would infer it from the parameters). OpenKiwi steps it per
      *epoch*: with ``steps_per_epoch`` the result is wrapped in :func:`jaxsched.per_epoch`.
    - ``class_name: adamw``: HF's ``get_linear_schedule_with_warmup`` stepped per update (the port in
      :mod:`jaxsched.compat.transformers`), with ``training_steps`` (or ``training_data_size``) and
      ``warmup_steps`` cast by :func:`cast_warmup_steps` (a float is a fraction of ``training_steps``).
    - otherwise, ``0 < learning_rate_decay < 1``: torch's ``ReduceLROnPlateau(factor=learning_rate_decay,
      patience=learning_rate_decay_start, mode="max")``, stepped per epoch with the validation metric.
      That depends on metrics, so this returns :func:`jaxsched.reduce_on_plateau` (an optax
      transformation; ``torch_bridge.ReduceLROnPlateau`` is the torch side) with ``lr=learning_rate``.
    - otherwise: :func:`jaxsched.constant` ``(learning_rate)`` (no scheduler).

    ``encoder_learning_rate`` and ``load`` concern the optimizer, not the schedule, and are ignored.

    Args:
      config: the ``OptimizerConfig`` fields (``class_name``, ``learning_rate``, ``warmup_steps``,
        ``training_steps``, ``learning_rate_decay``, ``learning_rate_decay_start``, ...).
      model_size: the model width, for ``noam``.
      training_data_size: the fallback for a missing ``training_steps`` (``adamw``).
      steps_per_epoch: updates per epoch, to express the per-epoch ``noam`` in updates.

    Returns:
      A :class:`~jaxsched.Schedule`, or the plateau transformation.

    Example:
      >>> from jaxsched.compat.kiwi import from_optimizer_config
      >>> s = from_optimizer_config({"class_name": "adamw", "learning_rate": 1.0,
      ...                            "warmup_steps": 0.1, "training_steps": 100})
      >>> [float(x) for x in s.numpy([0, 5, 10, 55, 100])]
      [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    known = {
        "class_name",
        "learning_rate",
        "encoder_learning_rate",
        "warmup_steps",
        "training_steps",
        "learning_rate_decay",
        "learning_rate_decay_start",
        "load",
    }
    if not isinstance(config, Mapping):
        raise v.ScheduleArgumentTypeError("config", "a mapping of OptimizerConfig fields", config)
    unknown = sorted(set(config) - known)
    if unknown:
        raise v.ScheduleArgumentError("config", f"unknown OptimizerConfig fields {unknown}", dict(config))
    for key in ("class_name", "learning_rate"):
        if key not in config:
            raise v.ScheduleArgumentError(key, "is required in an OptimizerConfig", value=...)
    name = config["class_name"]
    if name not in OPTIMIZERS:
        raise v.ScheduleArgumentError("class_name", f"Invalid optimizer: {name}", value=...)
    lr = config["learning_rate"]
    v.number("learning_rate", lr)
    warmup = cast_warmup_steps(config.get("warmup_steps"))
    if name == "adamw":
        total = config.get("training_steps") or training_data_size
        if not total:
            raise v.ScheduleArgumentError(
                "training_steps",
                "AdamW optimizer needs to have `training_steps` configured or training "
                "data size must be provided.",
                value=...,
            )
        total = v.integer("training_steps", total, minimum=1)
        if warmup is None:
            raise v.ScheduleArgumentError(
                "warmup_steps",
                "is required for adamw (HF's get_linear_schedule_with_warmup)",
                value=None,
            )
        steps = total * warmup if isinstance(warmup, float) else warmup
        return _linear_with_warmup(lr, steps, total)
    if name == "noam":
        if warmup is None:
            raise v.ScheduleArgumentError("warmup_steps", "is required for noam", value=None)
        if model_size is None:
            raise v.ScheduleArgumentError(
                "model_size",
                "is required for noam (OpenKiwi infers it from the model's parameters)",
                None,
            )
        sched: Schedule = NoamDecay(lr, max(0, int(warmup)), model_size)
        return sched if steps_per_epoch is None else jaxsched.per_epoch(sched, steps_per_epoch)
    decay = config.get("learning_rate_decay", 1.0)
    v.number("learning_rate_decay", decay)
    if 0.0 < decay < 1.0:
        from jaxsched._plateau import reduce_on_plateau

        patience = config.get("learning_rate_decay_start", 2)
        return reduce_on_plateau(lr, mode="max", factor=decay, patience=patience)
    return jaxsched.constant(lr)


def _linear_with_warmup(lr: Any, warmup: Any, total: int) -> Schedule:
    """HF ``get_linear_schedule_with_warmup`` at base ``lr``: its port in
    :mod:`jaxsched.compat.transformers`."""
    from jaxsched.compat.transformers import get_linear_schedule_with_warmup

    sched: Schedule = get_linear_schedule_with_warmup(lr, warmup, total)
    return sched
