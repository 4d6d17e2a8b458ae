"""big_vision's ``create_learning_rate_schedule`` (golden-tested against big_vision's source).

big_vision (``google-research/big_vision``) builds each schedule in ``big_vision/utils.py:
create_learning_rate_schedule(total_steps, batch_size, data_size, base, decay_type, scale_with_batchsize,
**kw)`` from a ``config.schedule`` dict: a decay (``linear``/``polynomial``, ``cosine``, ``rsqrt``,
``stair``) multiplied by a linear warmup and a linear cooldown, with every duration given in steps,
examples, epochs or a fraction of the run (``warmup_steps``, ``warmup_examples``, ``warmup_epochs``,
``warmup_percent``, ...). ``big_vision/optax.py`` applies it with ``optax.scale_by_schedule``, so update
``k`` uses the schedule at ``k`` (from 0), which is what :class:`LearningRateSchedule` returns at ``k``;
the learning rate itself is ``config.lr`` times it.

:func:`from_big_vision_config` takes the ``config.schedule`` dict (with its ``mult``) and the trainer's
``total_steps``, ``batch_size`` and ``data_size``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from jaxsched import _validate as v
from jaxsched import (
    cosine_decay,
    linear,
    multiply,
    piecewise_constant_points,
    piecewise_linear,
    polynomial,
    rsqrt_decay,
)
from jaxsched import shift as delayed
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, choice, flag, level, static, static_float, static_int, value, value_seq

__all__ = [
    "BigVisionAssertionError",
    "DECAY_TYPES",
    "LearningRateSchedule",
    "create_learning_rate_schedule",
    "from_big_vision_config",
]

DECAY_TYPES = ("linear", "polynomial", "cosine", "rsqrt", "stair")
_SUFFIXES = ("steps", "examples", "epochs", "percent")
_ONLY = {
    "power": ("linear", "polynomial"),
    "end": ("linear", "polynomial"),
    "linear_end": ("linear", "polynomial"),
    "timescale": ("rsqrt",),
    "shift": ("rsqrt",),
    "steps": ("stair",),
    "mults": ("stair",),
}


class BigVisionAssertionError(v.ScheduleArgumentError, AssertionError):
    """An argument big_vision checks with ``assert``: an ``AssertionError``, and a ``ValueError`` as every
    jaxsched argument error."""


def _duration(name: str, x: Any) -> Any:
    """A duration in big_vision's units: a number >= 0 (None: not given)."""
    if x is None:
        return None
    return static_float(0.0)(name, x)


def _static_steps(name: str, x: Any) -> tuple[int, ...] | None:
    if x is None:
        return None
    if isinstance(x, str | bytes) or not isinstance(x, Sequence):
        raise v.ScheduleArgumentTypeError(name, "a list of steps", x)
    return tuple(static_int(0)(f"{name}[{i}]", e) for i, e in enumerate(x))


class LearningRateSchedule(Port, name="compat.big_vision.create_learning_rate_schedule"):
    r"""big_vision's ``create_learning_rate_schedule``: a decay times a linear warmup and cooldown.

    With :math:`T` = ``total_steps``, :math:`W` and :math:`C` the warmup and cooldown in steps,
    :math:`\eta` = ``base`` (times ``batch_size / 256`` with ``scale_with_batchsize``) and the progress
    :math:`p = \operatorname{clip}((k - W)/(T - W), 0, 1)`:

    .. math::
        s(k) = d(k)\,\min\left(1, \frac{k}{W}\right)\min\left(1, \frac{T - k}{C}\right)

    (each factor only when :math:`W`, :math:`C` > 0), with the decay :math:`d` of ``decay_type``:

    - ``linear`` / ``polynomial``: :math:`e + (\eta - e)(1 - p)^{q}` (``end`` or ``linear_end`` :math:`e`,
      ``power`` :math:`q`);
    - ``cosine``: :math:`\eta\,\tfrac{1}{2}(1 + \cos\pi p)`;
    - ``rsqrt``: :math:`\eta / \sqrt{1 + (\max(k, W) - W + \sigma)/\tau}` (``timescale`` :math:`\tau`,
      ``shift`` :math:`\sigma`, both durations);
    - ``stair``: :math:`\eta\,m_{i(k)}` with :math:`m_0 = 1`, ``mults`` :math:`m_1, m_2, \dots` from the
      ``steps`` :math:`b_1 \le b_2 \le \dots` on (:math:`i(k)` = the number of :math:`b_j \le k`).

    A duration ``<prefix>`` (``warmup``, ``cooldown``, ``timescale``, ``shift``) is given as exactly one of
    ``<prefix>_steps`` (as is), ``<prefix>_examples`` (divided by ``batch_size``), ``<prefix>_epochs``
    (times ``data_size / batch_size``) or ``<prefix>_percent`` (a fraction of ``total_steps``), each
    converted to steps as big_vision does: Python's ``round`` (halves to even), at least 1 unless 0.

    Step convention: ``s(k)`` is the factor big_vision applies at update ``k`` (optax's count, from 0);
    the learning rate is ``config.lr`` times it.

    Where big_vision is odd (each reproduced, unless refused below):

    - Rounding is Python's (``round(2.5) == 2``) and a non-zero duration is at least one step.
    - ``warmup_steps`` and the decay overlap: the warmup multiplies the decay, which (``rsqrt``, ``stair``)
      already runs; ``rsqrt`` is :math:`\eta/\sqrt{1 + \sigma/\tau}` during the warmup.
    - A ``stair`` step counts from the step itself (``searchsorted(steps, k + 1)``); a step listed twice
      uses the later multiplier.
    - The result is rounded to float32 (the values here are exact); the cooldown factor turns negative
      after ``total_steps`` (here the value stays 0 there; big_vision never trains there).

    Refused here (big_vision accepts them silently): a negative duration (ignored by big_vision), one in
    ``_examples`` or ``_epochs`` without ``batch_size``/``data_size`` (ignored: no warmup at all), an
    argument the ``decay_type`` does not read, both ``end`` and ``linear_end``, ``mults`` not matching
    ``steps`` (NaN or ignored values), unsorted or fractional ``steps``, ``power`` <= 0, ``end`` < 0,
    ``warmup >= total_steps`` also when ``total_steps <= 1`` (big_vision allows it for debug runs, giving
    NaN for ``linear``/``cosine``). Its own checks raise :class:`BigVisionAssertionError` (an
    ``AssertionError``, as big_vision's ``assert``).

    Args:
      total_steps: :math:`T >= 1`.
      batch_size: the global batch size (for ``_examples``, ``_epochs``, ``scale_with_batchsize``).
      data_size: the examples in an epoch (for ``_epochs``).
      base: :math:`\eta`, the peak multiplier (``config.schedule``'s ``mult``).
      decay_type: one of :data:`DECAY_TYPES`.
      scale_with_batchsize: multiply ``base`` by ``batch_size / 256`` (Goyal et al., arXiv 1706.02677).
      warmup_steps, warmup_examples, warmup_epochs, warmup_percent: the warmup (at most one).
      cooldown_steps, cooldown_examples, cooldown_epochs, cooldown_percent: the cooldown (at most one).
      power: ``linear``/``polynomial``'s exponent :math:`q > 0` (default 1).
      end, linear_end: ``linear``/``polynomial``'s final value (default 0).
      timescale: ``rsqrt``'s :math:`\tau` (default 10 000) when no ``timescale_<unit>`` is given.
      timescale_steps, timescale_examples, timescale_epochs, timescale_percent: :math:`\tau` in units.
      shift: ``rsqrt``'s :math:`\sigma` (default 0) when no ``shift_<unit>`` is given.
      shift_steps, shift_examples, shift_epochs, shift_percent: :math:`\sigma` in units.
      steps: ``stair``'s boundaries (whole steps, sorted).
      mults: ``stair``'s multipliers, one per boundary.

    Returns:
      A :class:`~jaxsched.Schedule` (a product of catalog pieces).

    Example:
      >>> from jaxsched.compat import big_vision
      >>> s = big_vision.from_big_vision_config(
      ...     {"decay_type": "cosine", "warmup_percent": 0.2, "cooldown_steps": 2, "mult": 2.0},
      ...     total_steps=10)
      >>> [round(float(s.numpy(k)), 4) for k in range(11)]
      [0.0, 1.0, 2.0, 1.9239, 1.7071, 1.3827, 1.0, 0.6173, 0.2929, 0.0381, 0.0]
    """

    total_steps: int = static(converter=static_int(1))
    batch_size: float | None = static(default=None, converter=static_float(0.0, min_open=True, optional=True))
    data_size: float | None = static(default=None, converter=static_float(0.0, min_open=True, optional=True))
    base: Real = level(default=1.0)
    decay_type: str = choice(DECAY_TYPES, default="stair")
    scale_with_batchsize: bool = flag(default=False)
    warmup_steps: float | None = static(default=None, converter=_duration)
    warmup_examples: float | None = static(default=None, converter=_duration)
    warmup_epochs: float | None = static(default=None, converter=_duration)
    warmup_percent: float | None = static(default=None, converter=_duration)
    cooldown_steps: float | None = static(default=None, converter=_duration)
    cooldown_examples: float | None = static(default=None, converter=_duration)
    cooldown_epochs: float | None = static(default=None, converter=_duration)
    cooldown_percent: float | None = static(default=None, converter=_duration)
    power: Real | None = value(default=None, minimum=0.0, min_open=True)
    end: Real | None = level(default=None)
    linear_end: Real | None = level(default=None)
    timescale: Real | None = value(default=None, minimum=0.0, min_open=True)
    timescale_steps: float | None = static(default=None, converter=_duration)
    timescale_examples: float | None = static(default=None, converter=_duration)
    timescale_epochs: float | None = static(default=None, converter=_duration)
    timescale_percent: float | None = static(default=None, converter=_duration)
    shift: Real | None = value(default=None)
    shift_steps: float | None = static(default=None, converter=_duration)
    shift_examples: float | None = static(default=None, converter=_duration)
    shift_epochs: float | None = static(default=None, converter=_duration)
    shift_percent: float | None = static(default=None, converter=_duration)
    steps: tuple[int, ...] | None = static(default=None, converter=_static_steps)
    mults: tuple[Real, ...] = value_seq(default=(), minimum=0.0)

    examples = (
        {"total_steps": 1000, "decay_type": "cosine", "warmup_steps": 100},
        {
            "total_steps": 1000,
            "decay_type": "rsqrt",
            "warmup_percent": 0.05,
            "timescale": 200,
            "cooldown_steps": 150,
            "base": 3e-3,
        },
        {
            "total_steps": 1200,
            "decay_type": "stair",
            "warmup_examples": 25600,
            "batch_size": 512,
            "steps": [400, 800, 1000],
            "mults": [0.1, 0.01, 0.001],
            "scale_with_batchsize": True,
        },
        {
            "total_steps": 900,
            "decay_type": "polynomial",
            "power": 2.0,
            "end": 1e-5,
            "warmup_epochs": 1,
            "batch_size": 128,
            "data_size": 6400,
            "cooldown_percent": 0.1,
        },
    )

    def __check_init__(self) -> None:
        for name, types in _ONLY.items():
            if getattr(self, name) not in (None, ()) and self.decay_type not in types:
                raise v.ScheduleArgumentError(
                    name,
                    f"applies only to decay_type in {list(types)}, not {self.decay_type!r}",
                    getattr(self, name),
                )
        for prefix in ("timescale", "shift"):
            units = [f"{prefix}_{s}" for s in _SUFFIXES if getattr(self, f"{prefix}_{s}") is not None]
            if units and self.decay_type != "rsqrt":
                raise v.ScheduleArgumentError(
                    units[0], "applies only to decay_type 'rsqrt'", getattr(self, units[0])
                )
        for prefix in ("timescale", "shift"):
            units = [f"{prefix}_{s}" for s in _SUFFIXES if getattr(self, f"{prefix}_{s}") is not None]
            if units and getattr(self, prefix) is not None:
                raise v.ScheduleArgumentError(
                    prefix, f"cannot be given with {units[0]} (big_vision ignores it)", getattr(self, prefix)
                )
        if self.end is not None and self.linear_end is not None:
            raise v.ScheduleArgumentError(
                "linear_end", "cannot be given with end (big_vision ignores it)", self.linear_end
            )
        if self.scale_with_batchsize and self.batch_size is None:
            raise v.ScheduleArgumentTypeError("batch_size", "a number (scale_with_batchsize needs it)", None)
        if self.decay_type == "stair":
            steps, mults = self.steps or (), self.mults or ()
            if len(mults) != len(steps):
                raise v.ScheduleArgumentError(
                    "mults", f"must have one multiplier per step ({len(steps)})", list(mults)
                )
            if any(b < a for a, b in itertools.pairwise(steps)):
                raise v.ScheduleArgumentError("steps", "must be sorted in increasing order", list(steps))
        warmup = self._resolve("warmup", 0)
        self._resolve("cooldown", 0)
        if warmup >= self.total_steps:
            raise BigVisionAssertionError(
                "warmup_steps", f"must be < total_steps ({self.total_steps})", warmup
            )
        if self.decay_type == "rsqrt":
            tau = self._resolve("timescale", 10_000 if self.timescale is None else self.timescale)
            sigma = self._resolve("shift", 0 if self.shift is None else self.shift)
            if isinstance(tau, int | float) and tau <= 0:
                raise v.ScheduleArgumentError("timescale", "must be > 0 steps", tau)
            if isinstance(tau, int | float) and isinstance(sigma, int | float) and tau + sigma <= 0:
                raise v.ScheduleArgumentError("shift", f"must be > -timescale ({tau})", sigma)

    def _resolve(self, prefix: str, default: Any) -> Any:
        """big_vision's ``steps(prefix, ...)``: the duration in steps (``default`` when none is given)."""
        given = [s for s in _SUFFIXES if getattr(self, f"{prefix}_{s}") is not None]
        if len(given) > 1:
            raise BigVisionAssertionError(
                f"{prefix}_{given[0]}",
                f"only one of {[f'{prefix}_{s}' for s in given]} may be given",
                getattr(self, f"{prefix}_{given[0]}"),
            )
        if not given:
            return default
        unit = given[0]
        name = f"{prefix}_{unit}"
        x = getattr(self, name)
        if unit == "steps":
            if prefix in ("warmup", "cooldown") and not float(x).is_integer():
                raise v.ScheduleArgumentError(name, "must be a whole number of steps", x)
            return int(x) if float(x).is_integer() else x
        if unit == "examples":
            if self.batch_size is None:
                raise v.ScheduleArgumentTypeError("batch_size", f"a number ({name} needs it)", None)
            return _to_integer(x / self.batch_size)
        if unit == "epochs":
            if self.batch_size is None or self.data_size is None:
                raise v.ScheduleArgumentTypeError(
                    "batch_size" if self.batch_size is None else "data_size",
                    f"a number ({name} needs it)",
                    None,
                )
            return _to_integer(x * (self.data_size / self.batch_size))
        if not 0.0 <= x <= 1.0:
            raise BigVisionAssertionError(name, "must lie in [0.0, 1.0]", x)
        return _to_integer(x * self.total_steps)

    def _decay(self, lr: Any, warmup: int) -> Schedule:
        total, kind = self.total_steps, self.decay_type
        if kind in ("linear", "polynomial"):
            end = self.end if self.end is not None else self.linear_end
            end = 0.0 if end is None else end
            power = 1.0 if self.power is None else self.power
            return polynomial(lr, end, power, total - warmup, transition_begin=warmup)
        if kind == "cosine":
            return delayed(cosine_decay(lr, total - warmup), warmup)
        if kind == "rsqrt":
            tau = self._resolve("timescale", 10_000 if self.timescale is None else self.timescale)
            sigma = self._resolve("shift", 0 if self.shift is None else self.shift)
            return rsqrt_decay(lr, tau, begin=warmup - tau - sigma, min_steps=tau + sigma)
        points: dict[Any, Any] = {0: lr}
        for b, m in zip(self.steps or (), self.mults or (), strict=True):
            points[b] = lr * m  # a step listed twice: the later multiplier (searchsorted)
        return piecewise_constant_points(points)

    def lower(self) -> Schedule:
        total = self.total_steps
        lr = self.base
        if self.scale_with_batchsize and self.batch_size is not None:  # (checked: it is given)
            lr = self.base * (self.batch_size / 256.0)
        warmup, cooldown = self._resolve("warmup", 0), self._resolve("cooldown", 0)
        factors = [self._decay(lr, warmup)]
        if warmup:
            factors.append(linear(0.0, 1.0, warmup, transition_begin=0))
        if cooldown:
            if cooldown <= total:
                factors.append(linear(1.0, 0.0, cooldown, transition_begin=total - cooldown))
            else:  # the factor (T - k) / C starts below 1
                factors.append(piecewise_linear({0: total / cooldown, total: 0.0}))
        return factors[0] if len(factors) == 1 else multiply(*factors)


def _to_integer(x: float) -> int:
    """big_vision's rounding of a duration: to the nearest step (Python's round), at least 1 unless 0."""
    return max(1, round(x)) if x else 0


_ARGS = {f.name for f in LearningRateSchedule.__dataclass_fields__.values() if f.init}


def create_learning_rate_schedule(
    total_steps: int,
    batch_size: float | None = None,
    data_size: float | None = None,
    base: float = 1.0,
    decay_type: str = "stair",
    scale_with_batchsize: bool = False,
    **kw: Any,
) -> LearningRateSchedule:
    """big_vision's signature: :class:`LearningRateSchedule` from ``create_learning_rate_schedule``'s
    arguments, ``**kw`` holding the durations and the decay's arguments (an unknown one is refused; big_vision
    ignores it)."""
    for key in kw:
        if key not in _ARGS:
            raise v.ScheduleArgumentTypeError(
                key, f"one of big_vision's schedule arguments {sorted(_ARGS)}", kw[key]
            )
    return LearningRateSchedule(
        total_steps=total_steps,
        batch_size=batch_size,
        data_size=data_size,
        base=base,
        decay_type=decay_type,
        scale_with_batchsize=scale_with_batchsize,
        **kw,
    )


def from_big_vision_config(
    schedule: Mapping[str, Any],
    *,
    total_steps: int,
    batch_size: float | None = None,
    data_size: float | None = None,
) -> LearningRateSchedule:
    """The schedule big_vision's ``optax.make`` builds from one ``config.schedule`` dict.

    ``schedule`` holds big_vision's keys (``decay_type``, ``warmup_steps``, ..., and ``mult``, which becomes
    ``base``); ``total_steps``, ``batch_size`` and ``data_size`` come from the trainer. A per-parameter list
    of ``(regex, schedule)`` pairs is one such call per entry.

    Example:
      >>> from jaxsched.compat import big_vision
      >>> s = big_vision.from_big_vision_config({"decay_type": "rsqrt", "timescale_examples": 1280,
      ...     "warmup_steps": 5}, total_steps=100, batch_size=128)
      >>> [round(float(x), 6) for x in s.numpy([0, 5, 15])]
      [0.0, 1.0, 0.707107]
    """
    if not isinstance(schedule, Mapping):
        raise v.ScheduleArgumentTypeError("schedule", "a dict of big_vision schedule keys", schedule)
    kw = dict(schedule)
    if "base" in kw:
        raise BigVisionAssertionError("base", "is set by 'mult' in big_vision's config.schedule", kw["base"])
    base = kw.pop("mult", 1.0)
    return create_learning_rate_schedule(total_steps, batch_size, data_size, base=base, **kw)
