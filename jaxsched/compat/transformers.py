"""Hugging Face ``transformers.optimization`` schedules as jaxsched schedules.

Every HF factory returns ``LambdaLR(optimizer, lr_lambda)``: the optimizer's learning rate times a
multiplier. Here the base learning rate ``lr`` is an explicit first argument (the optimizer and
``last_epoch`` are dropped: a jaxsched schedule is a pure function of the step, so resuming needs no
state), and the value at update ``k`` is ``lr * lr_lambda(k)``, exactly what HF's scheduler sets after
``k`` calls of ``scheduler.step()``. The function names, parameter names and defaults are HF's
(transformers 5.x), and :func:`get_scheduler` mirrors HF's ``get_scheduler`` minus the optimizer.

HF's oddities are reproduced, not fixed, and each docstring says where: ``cosine`` is not clamped after
``num_training_steps`` (the value rises again), the denominators are ``max(1, ...)``, and
``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` is shifted by one step.

Each port lowers, once, to catalog pieces: a linear warmup joined (at the possibly fractional
``num_warmup_steps``: OpenKiwi passes 22.5) with the curve after it, which sees the steps since the end of
the warmup: :func:`jaxsched.linear`, :func:`jaxsched.cosine_cycles` (HF's unclamped cosine with
``num_cycles``, and its hard restarts), :func:`jaxsched.polynomial`, :func:`jaxsched.inverse_sqrt`,
:func:`jaxsched.warmup_stable_decay`. The step counts are static (HF's ``max(1, ...)`` decides which
pieces there are): ``num_warmup_steps`` may be fractional (except in :func:`get_wsd_schedule`).
"""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched import (
    constant,
    cosine_cycles,
    inverse_sqrt,
    join,
    linear,
    polynomial,
    shift,
    warmup_stable_decay,
)
from jaxsched._core import Port, Schedule
from jaxsched._fields import MAX_STEP, Real, known, level, static, static_float, steps, value
from jaxsched._validate import ScheduleArgumentTypeValueError, ScheduleArgumentZeroDivisionError

__all__ = [
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_inverse_sqrt_schedule",
    "get_linear_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_reduce_on_plateau_schedule",
    "get_scheduler",
    "get_wsd_schedule",
    "SCHEDULER_TYPES",
]

SCHEDULER_TYPES = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
    "greedy",
)
"""HF's ``SchedulerType`` values, in HF's order."""


# -- the pieces HF's lambdas share --------------------------------------------------------------------------

_SHAPES = ("linear", "cosine", "1-sqrt")


def _cycles(default: float, minimum_open: bool = False) -> Any:
    """``num_cycles``: static (the cycle phase is exact for concrete cycle counts)."""
    return static(default=default, converter=static_float(minimum=0.0, min_open=minimum_open))


def _one_of(options: tuple[str, ...]) -> Any:
    """A static choice that refuses a non-string with ``ValueError`` too, as HF's membership test does."""

    def convert(name: str, x: Any) -> Any:
        v.choice(name, x, options)
        return x

    return static(default=options[0], converter=convert)


def _after_warmup(lr: Any, W: Any, main: Schedule, warm: Schedule | None = None) -> Schedule:
    """HF's warmup, ``lr * k / max(1, W)`` while ``k < W``, joined with ``main`` (which sees the exact,
    possibly fractional, steps ``k - W``)."""
    if not W:
        return main
    return join([linear(0.0, lr, max(1.0, W)) if warm is None else warm, main], [W])


def _decay_span(W: Any, T: Any) -> Any:
    """HF's ``max(1, num_training_steps - num_warmup_steps)``."""
    return max(1.0, T - W)


def _floor(obj: Any) -> Any:
    """The floor of the ``cosine_with_min_lr`` schedules: exactly one of ``min_lr`` and ``min_lr_rate``
    (HF's check), as a learning rate."""
    if (obj.min_lr is None) == (obj.min_lr_rate is None):
        raise v.ScheduleArgumentError(
            "min_lr",
            "exactly one of min_lr and min_lr_rate must be given (HF raises too)",
            (obj.min_lr, obj.min_lr_rate),
        )
    return obj.min_lr if obj.min_lr is not None else obj.lr * obj.min_lr_rate


# -- the schedules ------------------------------------------------------------------------------------------


class _Trained:
    """A mixin in front of :class:`~jaxsched._core.Port` for HF's schedules over ``num_training_steps``: the
    key steps stop at the end of training (HF's cosine keeps oscillating past it, with no end of its own)."""

    num_training_steps: int | None

    def _key_steps(self) -> list[Any]:
        keys = self.lowered()._key_steps()  # type: ignore[attr-defined]
        T = self.num_training_steps
        return keys if T is None else [k for k in keys if k <= T] + [T]


class ConstantSchedule(Port, name="compat.transformers.get_constant_schedule"):
    r"""HF ``get_constant_schedule``: the base learning rate.

    .. math:: s(k) = \text{lr}

    Args:
      lr: the optimizer's learning rate.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> float(hf.get_constant_schedule(0.5)(1000))
      0.5
    """

    lr: Real = level()

    examples = ({"lr": 1e-3},)

    def lower(self) -> Schedule:
        return constant(self.lr)


class ConstantScheduleWithWarmup(Port, name="compat.transformers.get_constant_schedule_with_warmup"):
    r"""HF ``get_constant_schedule_with_warmup``: linear warmup from 0, then constant.

    .. math:: s(k) = \text{lr}\cdot\min\left(1, \frac{k}{\max(1, W)}\right)

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> [float(hf.get_constant_schedule_with_warmup(1.0, 4)(k)) for k in range(6)]
      [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)

    examples = ({"lr": 1e-3, "num_warmup_steps": 100},)

    def lower(self) -> Schedule:
        return _after_warmup(self.lr, self.num_warmup_steps, constant(self.lr))


class LinearScheduleWithWarmup(_Trained, Port, name="compat.transformers.get_linear_schedule_with_warmup"):
    r"""HF ``get_linear_schedule_with_warmup``: linear warmup from 0, then linear decay to 0.

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \max\left(0, \dfrac{T - k}{\max(1, T - W)}\right) & k \ge W \end{cases}

    As in HF, ``num_training_steps <= num_warmup_steps`` is accepted (the value drops to 0 after the
    warmup). The decay is :func:`jaxsched.linear` over :math:`T - W` steps.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_linear_schedule_with_warmup(1.0, 2, 6)
      >>> [float(s(k)) for k in range(8)]
      [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)
    num_training_steps: int = steps(static=True)

    examples = ({"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000},)

    def lower(self) -> Schedule:
        span = self.num_training_steps - self.num_warmup_steps
        decay = linear(self.lr, 0.0, span) if span >= 1 else constant(0.0)  # max(1, span) < 1: 0 at once
        return _after_warmup(self.lr, self.num_warmup_steps, decay)


class CosineScheduleWithWarmup(_Trained, Port, name="compat.transformers.get_cosine_schedule_with_warmup"):
    r"""HF ``get_cosine_schedule_with_warmup``: linear warmup from 0, then cosine.

    With :math:`p = (k - W)/\max(1, T - W)` and :math:`c` = ``num_cycles``:

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \tfrac12\left(1 + \cos(2\pi c\, p)\right) & k \ge W \end{cases}

    HF's oddity, reproduced: :math:`p` is not clamped, so after ``num_training_steps`` the value rises
    again (back to ``lr`` at :math:`p = 2` with the default half cycle). The cosine is
    :func:`jaxsched.cosine_cycles`, whose phase is exact (HF's float64 ``cos`` of a large argument is not).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: :math:`c >= 0`, number of cosine waves (0.5: down to 0 once).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_schedule_with_warmup(1.0, 2, 6)
      >>> [round(float(s(k)), 4) for k in (0, 1, 2, 4, 6, 8, 10)]
      [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)
    num_training_steps: int = steps(static=True)
    num_cycles: float = _cycles(0.5)

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000},
        {"lr": 1e-3, "num_warmup_steps": 0, "num_training_steps": 1000, "num_cycles": 2.0},
        {"lr": 1.0, "num_warmup_steps": 0, "num_training_steps": 1000, "num_cycles": 1.3},
    )

    def lower(self) -> Schedule:
        span = _decay_span(self.num_warmup_steps, self.num_training_steps)
        return _after_warmup(self.lr, self.num_warmup_steps, cosine_cycles(self.lr, span, self.num_cycles))


class CosineWithHardRestartsScheduleWithWarmup(
    _Trained, Port, name="compat.transformers.get_cosine_with_hard_restarts_schedule_with_warmup"
):
    r"""HF ``get_cosine_with_hard_restarts_schedule_with_warmup``: warmup, then equal cosine cycles.

    With :math:`p = (k - W)/\max(1, T - W)` and :math:`c` = ``num_cycles``:

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \tfrac12\left(1 + \cos(\pi \operatorname{frac}(c\,p))\right) & W \le k,\ p < 1 \\
        0 & p \ge 1 \end{cases}

    The cycles are :func:`jaxsched.cosine_cycles` with ``restart=True``, joined with 0 at :math:`p = 1`;
    the position inside a cycle is exact. HF computes ``(num_cycles * progress) % 1.0`` in float64, which
    for some lengths lands just below 1 at an exact restart (e.g. 49 cycles): there HF applies about 0
    where this applies the restart peak ``lr``.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: :math:`c > 0`, the number of cycles.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 8, num_cycles=2)
      >>> [round(float(s(k)), 4) for k in range(10)]
      [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)
    num_training_steps: int = steps(static=True)
    num_cycles: float = _cycles(1, minimum_open=True)

    examples = ({"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "num_cycles": 3},)

    def lower(self) -> Schedule:
        span = _decay_span(self.num_warmup_steps, self.num_training_steps)
        cycles = cosine_cycles(self.lr, span, self.num_cycles, restart=True)
        return _after_warmup(self.lr, self.num_warmup_steps, join([cycles, constant(0.0)], [span]))


class PolynomialDecayScheduleWithWarmup(
    _Trained, Port, name="compat.transformers.get_polynomial_decay_schedule_with_warmup"
):
    r"""HF ``get_polynomial_decay_schedule_with_warmup``: warmup from 0, polynomial decay to ``lr_end``.

    .. math::
        s(k) = \begin{cases} \text{lr}\cdot k / \max(1, W) & k < W \\
        (\text{lr} - \text{lr\_end})\left(\frac{T - k}{T - W}\right)^{p} + \text{lr\_end} & W \le k \le T \\
        \text{lr\_end} & k > T \end{cases}

    HF reads the base rate from ``optimizer.defaults["lr"]``; here it is ``lr``. As in HF,
    ``lr > lr_end`` is required, and ``num_training_steps < num_warmup_steps`` is accepted (``lr_end``
    right after the warmup); ``power = 0`` holds ``lr`` up to and including step :math:`T`. The decay is
    :func:`jaxsched.polynomial`. ``num_training_steps == num_warmup_steps`` is an error here (HF divides by
    zero at that step). ``power`` is static (0 changes the pieces).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T \ne W`.
      lr_end: the final learning rate.
      power: :math:`p >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_polynomial_decay_schedule_with_warmup(1.0, 2, 6, lr_end=0.2, power=2.0)
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.0, 0.5, 1.0, 0.65, 0.4, 0.25, 0.2, 0.2]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)
    num_training_steps: int = steps(static=True)
    lr_end: Real = level(default=1e-7)
    power: float = static(default=1.0, converter=static_float(minimum=0.0))

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000},
        {"lr": 1e-3, "num_warmup_steps": 10, "num_training_steps": 500, "lr_end": 1e-5, "power": 2.0},
    )

    def __check_init__(self) -> None:
        if known(self.lr, self.lr_end) and not self.lr > self.lr_end:
            raise v.ScheduleArgumentError(
                "lr_end", f"must be smaller than lr ({self.lr!r}), as HF requires", self.lr_end
            )
        if self.num_training_steps == self.num_warmup_steps:
            raise v.ScheduleArgumentError(
                "num_training_steps",
                "must differ from num_warmup_steps (HF divides by zero)",
                self.num_training_steps,
            )

    def lower(self) -> Schedule:
        span = self.num_training_steps - self.num_warmup_steps
        end = constant(self.lr_end)
        if span > 0 and not self.power:  # a zeroth power: lr through step T, lr_end after it
            decay = join([constant(self.lr), end], [span + 1])
        elif span >= 1:
            decay = polynomial(self.lr, self.lr_end, self.power, span)
        else:  # no whole step inside the decay: lr_end from the warmup's end on
            decay = end
        return _after_warmup(self.lr, self.num_warmup_steps, decay)


class InverseSqrtSchedule(Port, name="compat.transformers.get_inverse_sqrt_schedule"):
    r"""HF ``get_inverse_sqrt_schedule``: linear warmup from 0, then inverse square root.

    With :math:`\tau` = ``timescale`` (default ``num_warmup_steps``, or 10 000 when that is 0):

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \sqrt{\tau / (k + \tau - W)} & k \ge W \end{cases}

    The decay is :func:`jaxsched.inverse_sqrt` after the warmup. A negative ``num_warmup_steps`` is
    refused: HF's first value divides by zero with it when ``timescale`` is ``None`` (the refusal is then a
    ``ZeroDivisionError`` too).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      timescale: :math:`\tau > 0` or ``None``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_inverse_sqrt_schedule(1.0, 100)
      >>> float(s(50)), float(s(100)), round(float(s(400)), 6)
      (0.5, 1.0, 0.5)
    """

    lr: Real = level()
    num_warmup_steps: float = steps(minimum=-MAX_STEP, fractional=True, static=True)
    timescale: Real | None = value(default=None, minimum=0.0, min_open=True)

    examples = ({"lr": 1e-3, "num_warmup_steps": 100}, {"lr": 1e-3, "num_warmup_steps": 0, "timescale": 500})

    def __check_init__(self) -> None:
        W = self.num_warmup_steps
        if W < 0:
            error = ScheduleArgumentZeroDivisionError if self.timescale is None else v.ScheduleArgumentError
            raise error(
                "num_warmup_steps",
                "must be >= 0 (HF divides by zero at step 0 when it is negative and timescale is None)",
                W,
            )

    def lower(self) -> Schedule:
        W = self.num_warmup_steps
        tau = self.timescale if self.timescale is not None else (W or 10_000)  # HF's default
        return _after_warmup(self.lr, W, inverse_sqrt(self.lr, 0, timescale=tau))


class CosineWithMinLrScheduleWithWarmup(
    _Trained, Port, name="compat.transformers.get_cosine_with_min_lr_schedule_with_warmup"
):
    r"""HF ``get_cosine_with_min_lr_schedule_with_warmup``: warmup from 0, cosine down to a floor.

    With :math:`r` = ``min_lr_rate`` (or ``min_lr / lr``) and the cosine factor :math:`c(k)` of
    :class:`CosineScheduleWithWarmup`:

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        c(k)\,(1 - r) + r & k \ge W \end{cases}

    Exactly one of ``min_lr`` and ``min_lr_rate`` (HF's check). Like HF's ``cosine``, the progress is
    not clamped: after ``num_training_steps`` the value rises again (:func:`jaxsched.cosine_cycles` down to
    the floor).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: number of cosine waves.
      min_lr: the floor as a learning rate.
      min_lr_rate: the floor as a fraction of ``lr``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_with_min_lr_schedule_with_warmup(1.0, 0, 4, min_lr_rate=0.1)
      >>> [round(float(s(k)), 4) for k in range(5)]
      [1.0, 0.8682, 0.55, 0.2318, 0.1]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)
    num_training_steps: int = steps(static=True)
    num_cycles: float = _cycles(0.5)
    min_lr: Real | None = level(default=None)
    min_lr_rate: Real | None = level(default=None)

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr_rate": 0.1},
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr": 1e-5},
    )

    def __check_init__(self) -> None:
        _floor(self)

    def lower(self) -> Schedule:
        span = _decay_span(self.num_warmup_steps, self.num_training_steps)
        cosine = cosine_cycles(self.lr, span, self.num_cycles, end_value=_floor(self))
        return _after_warmup(self.lr, self.num_warmup_steps, cosine)


class CosineWithMinLrScheduleWithWarmupLrRate(
    _Trained, Port, name="compat.transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
):
    r"""HF ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (``cosine_warmup_with_min_lr``).

    HF's shifted-by-one variant: with :math:`w` = ``warmup_lr_rate``, :math:`r` the floor ratio and
    :math:`p = (k - W + 1)/\max(1, T - W)`,

    .. math::
        s(k) = \text{lr}\cdot\begin{cases}
        (k + 1)/\max(1, W) & k < W,\ w \text{ unset} \\
        w + (1 - w)\, k / \max(1, W - 1) & k < W,\ w \text{ set} \\
        \max\left(0,\ \tfrac12(1 + \cos 2\pi c p)\,(1 - r) + r\right) & k \ge W \end{cases}

    so the warmup reaches ``lr`` at :math:`k = W - 1` and the decay starts one step in (the pieces of
    :class:`CosineWithMinLrScheduleWithWarmup` shifted one step earlier). Like HF's cosine, :math:`p` is
    not clamped. ``warmup_lr_rate`` chooses the warmup, so it is static.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: number of cosine waves.
      min_lr: the floor as a learning rate.
      min_lr_rate: the floor as a fraction of ``lr``.
      warmup_lr_rate: :math:`w`, the first warmup value as a fraction of ``lr``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 2, 6, min_lr_rate=0.0)
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464]
    """

    lr: Real = level()
    num_warmup_steps: float = steps(fractional=True, static=True)
    num_training_steps: int = steps(static=True)
    num_cycles: float = _cycles(0.5)
    min_lr: Real | None = level(default=None)
    min_lr_rate: Real | None = level(default=None)
    warmup_lr_rate: Real | None = level(default=None, text_error=ScheduleArgumentTypeValueError)

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr_rate": 0.1},
        {
            "lr": 1e-3,
            "num_warmup_steps": 100,
            "num_training_steps": 1000,
            "min_lr": 1e-5,
            "warmup_lr_rate": 0.01,
        },
    )

    def __check_init__(self) -> None:
        _floor(self)

    def lower(self) -> Schedule:
        W, w = self.num_warmup_steps, self.warmup_lr_rate
        span = _decay_span(W, self.num_training_steps)
        cosine = cosine_cycles(self.lr, span, self.num_cycles, end_value=_floor(self), offset=1)
        if w is None:  # (k + 1) / max(1, W)
            warm = shift(linear(0.0, self.lr, max(1.0, W)), -1)
        else:  # w + (1 - w) k / max(1, W - 1)
            warm = linear(self.lr * w, self.lr, max(1.0, W - 1))
        return _after_warmup(self.lr, W, cosine, warm)


class WsdSchedule(_Trained, Port, name="compat.transformers.get_wsd_schedule"):
    r"""HF ``get_wsd_schedule``: warmup, stable, decay (WSD; MiniCPM, arXiv 2404.06395).

    With :math:`r` = ``min_lr_ratio``, :math:`S` = ``num_stable_steps`` (default
    :math:`T - W - D`), shapes :math:`f_w` (0 to 1) and :math:`f_d` (1 to 0):

    .. math::
        s(k) = \text{lr}\cdot\begin{cases}
        r + (1 - r)\,f_w\!\left(k/\max(1, W)\right) & k < W \\
        1 & W \le k < W + S \\
        r + (1 - r)\,f_d\!\left((k - W - S)/\max(1, D)\right) & W + S \le k < W + S + D \\
        r & k \ge W + S + D \end{cases}

    Shapes: ``linear``, ``cosine`` (the decay's cosine is HF's :math:`\tfrac12(1 + \cos 2\pi c p)` with
    :math:`c` = ``num_cycles``), ``1-sqrt``. As HF: when both ``num_training_steps`` and
    ``num_stable_steps`` are given, ``num_stable_steps`` wins (HF warns); a ``num_training_steps``
    shorter than :math:`W + D` gives a negative stable phase, so the decay starts part-way. The phases are
    :func:`jaxsched.warmup_stable_decay` pieces (and :func:`jaxsched.cosine_cycles` for a cosine decay with
    ``num_cycles != 0.5``) joined at :math:`W` and :math:`W + S`. ``num_warmup_steps`` is a whole number
    of steps here (HF's annotation; the other factories also take fractional ones).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_decay_steps: :math:`D >= 0`.
      num_training_steps: :math:`T` (or give ``num_stable_steps``).
      num_stable_steps: :math:`S`.
      warmup_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      decay_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      min_lr_ratio: :math:`r >= 0`, the start of the warmup and the end of the decay, relative to lr.
      num_cycles: :math:`c` of the cosine decay.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_wsd_schedule(1.0, 2, 4, num_training_steps=10, decay_type="linear")
      >>> [float(s(k)) for k in range(11)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """

    lr: Real = level()
    num_warmup_steps: int = steps(static=True)
    num_decay_steps: int = steps(static=True)
    num_training_steps: int | None = steps(default=None, static=True)
    num_stable_steps: int | None = steps(default=None, minimum=-MAX_STEP, static=True)
    warmup_type: str = _one_of(_SHAPES)
    decay_type: str = _one_of(("cosine", "linear", "1-sqrt"))
    min_lr_ratio: Real = level(default=0.0)
    num_cycles: float = _cycles(0.5)

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_decay_steps": 200, "num_training_steps": 1000},
        {
            "lr": 1e-3,
            "num_warmup_steps": 100,
            "num_decay_steps": 200,
            "num_stable_steps": 500,
            "warmup_type": "cosine",
            "decay_type": "1-sqrt",
            "min_lr_ratio": 0.1,
        },
        {
            "lr": 1e-3,
            "num_warmup_steps": 10,
            "num_decay_steps": 300,
            "num_stable_steps": -50,
            "num_cycles": 1.3,
            "min_lr_ratio": 0.01,
        },
    )

    def __check_init__(self) -> None:
        if self.num_training_steps is None and self.num_stable_steps is None:
            raise v.ScheduleArgumentError(
                "num_training_steps", "either num_training_steps or num_stable_steps must be given", None
            )

    def _stable(self) -> int:
        if self.num_stable_steps is not None:
            return self.num_stable_steps
        return self.num_training_steps - self.num_warmup_steps - self.num_decay_steps  # type: ignore[operator]

    def lower(self) -> Schedule:
        W, S, D = self.num_warmup_steps, self._stable(), self.num_decay_steps
        floor = self.lr * self.min_lr_ratio
        if not D:  # no decay phase: the floor from W + S on
            decay: Schedule = constant(floor)
        elif self.decay_type == "cosine" and self.num_cycles != 0.5:
            decay = join([cosine_cycles(self.lr, D, self.num_cycles, end_value=floor), constant(floor)], [D])
        else:
            decay = warmup_stable_decay(
                self.lr, 0, D, D, init_value=self.lr, end_value=floor, decay_shape=self.decay_type
            )
        if S > 0:
            rest = join([constant(self.lr), decay], [S])
        else:  # a negative stable phase starts the decay part-way at the warmup's end
            rest = shift(decay, S) if S else decay
        if not W:
            return rest
        # The warmup phase of a WSD (its stable and decay phases are never reached before W).
        warm = warmup_stable_decay(
            self.lr, W, W + 1, 1, init_value=floor, end_value=floor, warmup_shape=self.warmup_type
        )
        return join([warm, rest], [W])


def get_reduce_on_plateau_schedule(lr: Any, **kwargs: Any) -> Any:
    """HF ``get_reduce_on_plateau_schedule``: torch ``ReduceLROnPlateau`` semantics, metric-driven.

    A plateau schedule depends on the monitored metric, so it is not a pure function of the step: this
    returns jaxsched's optax transformation ``reduce_on_plateau(lr, **kwargs)`` (torch semantics:
    ``mode``, ``factor``, ``patience``, ``threshold``, ``threshold_mode``, ``cooldown``, ``min_lr``,
    ``eps``; ``update`` takes the metric as ``value=``), imported lazily. Chain it after an optimizer
    whose learning rate is ``lr``; its ``state.lr`` is then the learning rate torch would report.

    Args:
      lr: the optimizer's learning rate.
      **kwargs: torch ``ReduceLROnPlateau`` arguments.

    Returns:
      The plateau transformation.
    """
    from jaxsched._plateau import reduce_on_plateau

    return reduce_on_plateau(lr, **kwargs)


def get_scheduler(
    name: str,
    lr: Any,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    scheduler_specific_kwargs: dict[str, Any] | None = None,
) -> Any:
    """HF ``get_scheduler``: a schedule by ``SchedulerType`` name, with HF's argument routing.

    As HF (transformers 5.x): ``constant`` ignores every other argument; ``constant_with_warmup`` ignores
    ``scheduler_specific_kwargs``; ``inverse_sqrt`` and ``warmup_stable_decay`` ignore
    ``num_training_steps`` unless it is needed (WSD uses it for its stable phase);
    ``reduce_lr_on_plateau`` and ``greedy`` take only ``scheduler_specific_kwargs`` (both are metric-driven
    and return optax transformations: :func:`get_reduce_on_plateau_schedule`, :func:`GreedyLR`); the rest
    need both step counts. A missing count raises ``ValueError`` naming it, as HF does.

    Args:
      name: one of :data:`SCHEDULER_TYPES`.
      lr: the optimizer's learning rate.
      num_warmup_steps: warmup steps.
      num_training_steps: total training steps.
      scheduler_specific_kwargs: extra keyword arguments for the schedule.

    Returns:
      A :class:`~jaxsched.Schedule` (an optax transformation for ``reduce_lr_on_plateau`` and ``greedy``).

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_scheduler("cosine", 1e-3, num_warmup_steps=10, num_training_steps=100)
      >>> type(s).__name__, round(float(s(55)), 8)
      ('CosineScheduleWithWarmup', 0.0005)
    """
    name = getattr(name, "value", name)
    if name not in SCHEDULER_TYPES:
        raise v.ScheduleArgumentError("name", f"must be one of {list(SCHEDULER_TYPES)}", name)
    kwargs = dict(scheduler_specific_kwargs or {})
    if name == "constant":
        return ConstantSchedule(lr)
    if name == "reduce_lr_on_plateau":
        return get_reduce_on_plateau_schedule(lr, **kwargs)
    if name == "greedy":
        return GreedyLR(lr, **kwargs)
    if num_warmup_steps is None:
        raise v.ScheduleArgumentError("num_warmup_steps", f"{name} requires num_warmup_steps", None)
    if name == "constant_with_warmup":
        return ConstantScheduleWithWarmup(lr, num_warmup_steps)
    if name == "inverse_sqrt":
        return InverseSqrtSchedule(lr, num_warmup_steps, **kwargs)
    if name == "warmup_stable_decay":
        return WsdSchedule(
            lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs
        )
    if num_training_steps is None:
        raise v.ScheduleArgumentError("num_training_steps", f"{name} requires num_training_steps", None)
    cls = _BY_NAME[name]
    return cls(lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs)


get_constant_schedule = ConstantSchedule
get_constant_schedule_with_warmup = ConstantScheduleWithWarmup
get_linear_schedule_with_warmup = LinearScheduleWithWarmup
get_cosine_schedule_with_warmup = CosineScheduleWithWarmup
get_cosine_with_hard_restarts_schedule_with_warmup = CosineWithHardRestartsScheduleWithWarmup
get_polynomial_decay_schedule_with_warmup = PolynomialDecayScheduleWithWarmup
get_inverse_sqrt_schedule = InverseSqrtSchedule
get_cosine_with_min_lr_schedule_with_warmup = CosineWithMinLrScheduleWithWarmup
get_cosine_with_min_lr_schedule_with_warmup_lr_rate = CosineWithMinLrScheduleWithWarmupLrRate
get_wsd_schedule = WsdSchedule

_BY_NAME: dict[str, Any] = {
    "linear": LinearScheduleWithWarmup,
    "cosine": CosineScheduleWithWarmup,
    "cosine_with_restarts": CosineWithHardRestartsScheduleWithWarmup,
    "polynomial": PolynomialDecayScheduleWithWarmup,
    "cosine_with_min_lr": CosineWithMinLrScheduleWithWarmup,
    "cosine_warmup_with_min_lr": CosineWithMinLrScheduleWithWarmupLrRate,
}


# -- metric-driven: GreedyLR (an optax transformation, not a Schedule) -------------------------------------


def GreedyLR(
    lr: float,
    mode: str = "min",
    factor: float = 0.95,
    patience: int = 10,
    threshold: float = 1e-6,
    threshold_mode: str = "abs",
    cooldown: int = 0,
    warmup: int = 0,
    min_lr: float = 1e-3,
    max_lr: float = 1.0,
    eps: float = 1e-8,
    verbose: bool = False,
    smooth: bool = False,
    window_size: int = 50,
    reset_start: int = 500,
    *,
    steps_per_epoch: int | None = None,
    accumulation_size: int = 1,
) -> Any:
    r"""HF ``GreedyLR`` (``get_scheduler("greedy")``, transformers >= 5.0) as an optax transformation.

    Metric-driven, so not a Schedule. Each step of the rule with metric :math:`m` (the mean of the last
    ``window_size`` metrics with ``smooth=True``), outside ``cooldown``/``warmup`` rests: an improvement
    (beyond ``threshold``, ``threshold_mode`` as torch's plateau rule) counts a good step, anything else a
    bad one; more than ``patience`` good steps in a row raise the LR,

    .. math:: \mathrm{lr} \leftarrow \min(\mathrm{lr} / \text{factor}, \text{max\_lr})

    (then ``warmup`` steps of rest), more than ``patience`` bad ones lower it,
    :math:`\mathrm{lr} \leftarrow \max(\mathrm{lr} \cdot \text{factor}, \text{min\_lr})` (then ``cooldown``
    steps of rest); changes of at most ``eps`` are skipped. After ``reset_start`` reductions at the floor
    the LR, the best metric and the counters restart from the beginning.

    ``update(updates, state, params, value=metric)`` multiplies the updates by ``state.scale =
    state.lr / lr``: chain it after an optimizer with ``learning_rate=lr`` (``min_lr``/``max_lr`` are
    absolute LRs, as in HF). Without windowing, every ``update`` is one ``step(metric)`` of HF's class;
    ``steps_per_epoch`` and ``accumulation_size`` window the metrics as in
    :func:`jaxsched.reduce_on_plateau`. ``torch_bridge.GreedyLR`` is the torch side; both equal HF's class
    for the same metrics (``state.lr`` exactly under ``jax_enable_x64``).

    ``mode``, ``factor`` (in ``(0, 1)``), ``patience``, ``threshold``, ``threshold_mode``, ``cooldown``,
    ``warmup``, ``min_lr``, ``max_lr``, ``eps``, ``smooth``, ``window_size`` and ``reset_start`` are HF's
    ``GreedyLR`` arguments.

    Args:
      lr: the optimizer's learning rate (HF's initial LR).
      verbose: accepted; nothing is printed inside a traced update.
      steps_per_epoch: step the rule only on the first update of each epoch.
      accumulation_size: values averaged per step of the rule.

    Returns:
      An ``optax.GradientTransformationExtraArgs`` (state: :class:`jaxsched.PlateauState`).

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxsched.compat import transformers as hf
      >>> tx = hf.GreedyLR(0.1, factor=0.5, patience=1, min_lr=0.01)
      >>> state = tx.init(jnp.zeros(1))
      >>> lrs = []
      >>> for loss in [1.0, 0.9, 0.9, 0.9]:  # two improvements raise the LR, two plateaus lower it
      ...     _, state = tx.update(jnp.ones(1), state, value=loss)
      ...     lrs.append(round(float(state.lr), 6))
      >>> lrs
      [0.1, 0.2, 0.2, 0.1]
    """
    from jaxsched._plateau import greedy_lr

    v.boolean("verbose", verbose)
    return greedy_lr(
        lr,
        mode=mode,
        factor=factor,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,
        cooldown=cooldown,
        warmup=warmup,
        min_lr=min_lr,
        max_lr=max_lr,
        eps=eps,
        smooth=smooth,
        window_size=window_size,
        reset_start=reset_start,
        steps_per_epoch=steps_per_epoch,
        accumulation_size=accumulation_size,
    )


def get_greedy_schedule(lr: float, **kwargs: Any) -> Any:
    """HF ``get_greedy_schedule``: :func:`GreedyLR` with HF's keyword arguments."""
    return GreedyLR(lr, **kwargs)


__all__ += ["GreedyLR", "get_greedy_schedule"]
