"""Linear warmup, and the warmup-then-decay schedules built on it."""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps, safe_div
from jaxsched.schedules._basic import ExponentialDecay


def linear_warmup(bk: Backend, t: Steps, init: Array, peak: Array, warmup: Array, rest: Array) -> Array:
    """``init -> peak`` linearly over ``warmup`` steps (reaching ``peak`` at ``warmup``), then ``rest``."""
    ramp = init + (peak - init) * safe_div(bk, t.value(), warmup)
    return bk.xp.where(t.ge(warmup), rest, ramp)


def phase_length(bk: Backend, begin: Any, end: Any) -> Array:
    """``end - begin`` as a step count; from the Python values when concrete, so the difference is exact
    even when ``end`` is beyond the integer range of the backend."""
    if isinstance(begin, int) and isinstance(end, int):
        return bk.count(end - begin)
    return bk.count(end) - bk.count(begin)


def check_warmup(init_value: Any, peak_value: Any, warmup_steps: Any) -> Any:
    v.number("init_value", init_value)
    v.number("peak_value", peak_value)
    return v.steps("warmup_steps", warmup_steps)


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

    init_value: Any
    peak_value: Any
    warmup_steps: Any

    examples = ({"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100},)

    def __check_init__(self) -> None:
        self._set("warmup_steps", check_warmup(self.init_value, self.peak_value, self.warmup_steps))

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

    init_value: Any
    peak_value: Any
    warmup_steps: Any
    decay_steps: Any
    end_value: Any = 0.0

    examples = ({"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100, "decay_steps": 1000},)

    def __check_init__(self) -> None:
        self._set("warmup_steps", check_warmup(self.init_value, self.peak_value, self.warmup_steps))
        self._set("decay_steps", v.steps("decay_steps", self.decay_steps, minimum=1))
        v.less("warmup_steps", self.warmup_steps, "decay_steps", self.decay_steps)
        v.number("end_value", self.end_value)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W = bk.count(self.warmup_steps)
        length = phase_length(bk, self.warmup_steps, self.decay_steps)
        peak, end = bk.value(self.peak_value), bk.value(self.end_value)
        span = bk.to_float(length)
        decay = end + (peak - end) * (xp.clip(t.left_in(W, length, self.warmup_steps), 0.0, span) / span)
        return linear_warmup(bk, t, bk.value(self.init_value), peak, W, decay)


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

    init_value: Any
    peak_value: Any
    warmup_steps: Any
    transition_steps: Any
    decay_rate: Any
    transition_begin: Any = 0
    staircase: bool = static(default=False)
    end_value: Any = None

    examples = (
        {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100, "transition_steps": 100,
         "decay_rate": 0.5, "end_value": 1e-5},
    )

    def __check_init__(self) -> None:
        self._set("warmup_steps", check_warmup(self.init_value, self.peak_value, self.warmup_steps))
        decay = ExponentialDecay(self.peak_value, self.transition_steps, self.decay_rate,
                                 self.transition_begin, self.staircase, self.end_value)
        self._set("transition_steps", decay.transition_steps)
        self._set("transition_begin", decay.transition_begin)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.warmup_steps + self.transition_begin]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        W = bk.count(self.warmup_steps)
        decay = ExponentialDecay._unchecked(
            init_value=self.peak_value, transition_steps=self.transition_steps,
            decay_rate=self.decay_rate, transition_begin=self.transition_begin,
            staircase=self.staircase, end_value=self.end_value,
        ).evaluate(bk, t.shifted(W, self.warmup_steps))
        return linear_warmup(bk, t, bk.value(self.init_value), bk.value(self.peak_value), W, decay)
