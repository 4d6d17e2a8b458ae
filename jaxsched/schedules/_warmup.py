"""Linear warmup, and the warmup-then-decay schedules built on it."""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, flag, known, level, nested, steps, value
from jaxsched._numerics import Array, Backend, Steps
from jaxsched._shapes import decay, linear_warmup, phase_length
from jaxsched.schedules._basic import ExponentialDecay


class WarmupConstant(Schedule, name="warmup_constant"):
    r"""Linear warmup to ``peak_value``, then constant.

    .. math:: s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\ P & k \ge W \end{cases}

    ``warmup_steps=0`` means ``peak_value`` from step 0. (``optax.warmup_constant_schedule`` returns
    ``init_value`` forever in that case, which also freezes ``schedule_free`` with no warmup.)

    Args:
      init_value: value at step 0.
      peak_value: value from ``warmup_steps`` on.
      warmup_steps: :math:`W >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.warmup_constant(0.0, 1.0, warmup_steps=4)
      >>> [float(s(k)) for k in range(6)]
      [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: StepCount = steps()

    examples = ({"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100},)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        peak = bk.value(self.peak_value)
        return linear_warmup(bk, t, bk.value(self.init_value), peak, bk.count(self.warmup_steps), peak)


class WarmupLinearDecay(Schedule, name="warmup_linear_decay"):
    r"""Linear warmup to ``peak_value``, then linear decay to ``end_value`` at ``decay_steps``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        E + (P - E)\,\dfrac{\operatorname{clip}(D - k, 0, D - W)}{D - W} & k \ge W \end{cases}

    ``decay_steps`` counts the warmup, as in ``optax.warmup_cosine_decay_schedule``.

    Args:
      init_value: value at step 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W >= 0`.
      decay_steps: :math:`D > W`, the step at which ``end_value`` is reached.
      end_value: the final value, held after ``decay_steps``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.warmup_linear_decay(0.0, 1.0, warmup_steps=2, decay_steps=6)
      >>> [float(s(k)) for k in range(8)]
      [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: StepCount = steps()
    decay_steps: StepCount = steps(minimum=1)
    end_value: Real = level(default=0.0)

    examples = ({"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100, "decay_steps": 1000},)

    def __check_init__(self) -> None:
        v.less("warmup_steps", self.warmup_steps, "decay_steps", self.decay_steps)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W = bk.count(self.warmup_steps)
        length = phase_length(bk, self.warmup_steps, self.decay_steps)
        peak, end = bk.value(self.peak_value), bk.value(self.end_value)
        span = bk.to_float(length)
        elapsed = xp.clip(t.since(W), 0.0, span)
        remaining = xp.clip(t.left_in(W, length, nonneg=True), 0.0, span)
        fall = decay(bk, "linear", peak, end, elapsed, remaining, span)
        return linear_warmup(bk, t, bk.value(self.init_value), peak, W, fall)


class WarmupExponentialDecay(Schedule, name="warmup_exponential_decay"):
    r"""Linear warmup, then exponential decay, as ``optax.warmup_exponential_decay_schedule``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        \operatorname{exponential\_decay}(P, T, \gamma, B, \text{staircase}, E)(k - W) & k \ge W\end{cases}

    ``transition_begin`` counts from the end of warmup.

    Args:
      init_value: value at step 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W >= 0`.
      transition_steps: :math:`T > 0`, steps per factor of ``decay_rate``.
      decay_rate: :math:`\gamma > 0`.
      transition_begin: steps after warmup before decaying.
      staircase: decay in whole steps.
      end_value: a floor (:math:`\gamma < 1`) or ceiling (:math:`\gamma > 1`).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.warmup_exponential_decay(0.0, 1.0, 2, transition_steps=1, decay_rate=0.5)
      >>> [float(s(k)) for k in range(5)]
      [0.0, 0.5, 1.0, 0.5, 0.25]
    """

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: StepCount = steps()
    transition_steps: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(minimum=0.0, min_open=True)
    transition_begin: StepCount = steps(default=0)
    staircase: bool = flag(default=False)
    end_value: Real | None = level(default=None)

    examples = (
        {
            "init_value": 0.0,
            "peak_value": 1e-3,
            "warmup_steps": 100,
            "transition_steps": 100,
            "decay_rate": 0.5,
            "end_value": 1e-5,
        },
    )

    def __check_init__(self) -> None:
        if self.end_value is None and known(self.decay_rate) and self.decay_rate > 1:
            raise v.ScheduleArgumentError(
                "decay_rate", "> 1 grows without bound: give end_value as its ceiling", self.decay_rate
            )

    def _decay(self) -> ExponentialDecay:
        """The decay after warmup, counted from the end of warmup (fields already checked)."""
        cached: ExponentialDecay | None = self.__dict__.get("_decay_cache")
        if cached is None:
            cached = ExponentialDecay(
                self.peak_value,
                self.transition_steps,
                self.decay_rate,
                self.transition_begin,
                self.staircase,
                self.end_value,
            )
            object.__setattr__(self, "_decay_cache", cached)
        return cached

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.warmup_steps + self.transition_begin]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        W = bk.count(self.warmup_steps)
        decay = self._decay().evaluate(bk, t.shifted(W, nonneg=True))
        return linear_warmup(bk, t, bk.value(self.init_value), bk.value(self.peak_value), W, decay)


class WarmupOnto(Schedule, name="warmup_onto"):
    r"""A linear warmup onto a schedule: from ``init_value`` to the schedule's own value at ``warmup_steps``,
    then the schedule (which runs underneath the warmup, unshifted).

    .. math:: s(k) = \begin{cases} I + (g(W) - I)\,k/W & k < W \\ g(k) & k \ge W \end{cases}

    The warmup ends on the curve, with no jump, wherever the curve is at :math:`W` (timm's
    ``TanhLRScheduler`` warms up this way when its warmup is not a prefix). To warm up to a fixed peak and
    start the schedule after the warmup, join a :func:`jaxsched.linear` with it instead.

    Args:
      schedule: :math:`g`.
      warmup_steps: :math:`W >= 0` (0: the schedule itself).
      init_value: :math:`I`, the value at step 0.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.warmup_onto(jaxsched.linear(1.0, 0.0, 8), warmup_steps=4, init_value=0.0)
      >>> [float(s(k)) for k in range(7)]
      [0.0, 0.125, 0.25, 0.375, 0.5, 0.375, 0.25]
    """

    schedule: Schedule = nested()
    warmup_steps: StepCount = steps()
    init_value: Real = level(default=0.0)

    examples = (
        {
            "schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 1000},
            "warmup_steps": 50,
            "init_value": 1e-5,
        },
    )

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, *self.schedule.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        W = bk.count(self.warmup_steps)
        target = bk.value(self.schedule.evaluate(bk, Steps(bk, W)))
        return linear_warmup(bk, t, bk.value(self.init_value), target, W, self.schedule.evaluate(bk, t))
