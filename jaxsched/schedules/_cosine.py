"""Cosine annealing: cosine decay, warmup + cosine decay, cosine with warm restarts (SGDR); tanh decay."""

from __future__ import annotations

import math
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import (
    Real,
    Span,
    StepCount,
    flag,
    known,
    level,
    static,
    static_float,
    static_int,
    steps,
    value,
)
from jaxsched._numerics import Array, Backend, Steps, power
from jaxsched._shapes import cosine_factor, geometric_cycles, half_cosine, linear_warmup, phase_length


class CosineDecay(Schedule, name="cosine_decay"):
    r"""Cosine decay, as ``optax.cosine_decay_schedule`` (plus timm's ``k_decay``).

    .. math::
        s(k) = I \left((1 - \alpha)\, c(k)^{q} + \alpha\right), \qquad
        c(k) = \frac{1 + \cos\left(\pi\, (\min(k, T)/T)^{\kappa}\right)}{2}

    ``alpha`` is a fraction of ``init_value``. :math:`c` is evaluated as :math:`\cos^2` in the first half
    and :math:`\sin^2` of the remaining steps in the second, so the last steps keep full float32 precision
    (optax's value at the last step of a 10k-step decay is 21% off in float32).

    Args:
      init_value: value at step 0.
      decay_steps: :math:`T > 0`.
      alpha: final value as a fraction of ``init_value``.
      exponent: :math:`q > 0`, a power applied to the cosine factor.
      k_decay: :math:`\kappa > 0`, timm's time warp (arXiv 2004.05909); 1 is plain cosine.

    Returns:
      A :class:`~jaxsched.Schedule`, holding ``alpha * init_value`` after ``decay_steps``.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.cosine_decay(1.0, decay_steps=4)
      >>> [round(float(s(k)), 4) for k in range(6)]
      [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    init_value: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    alpha: Real = value(0.0, minimum=0.0)
    exponent: Real = value(1.0, minimum=0.0, min_open=True)
    k_decay: Real = value(1.0, minimum=0.0, min_open=True)

    examples = (
        {"init_value": 1e-3, "decay_steps": 1000},
        {"init_value": 1e-3, "decay_steps": 1000, "alpha": 0.1, "exponent": 2.0, "k_decay": 1.5},
    )

    def _key_steps(self) -> list[Any]:
        return [self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.span(self.decay_steps)
        length = bk.to_float(T)
        elapsed = xp.minimum(t.value(), length)
        remaining = xp.maximum(t.until(T), 0.0)
        c = cosine_factor(bk, elapsed, remaining, T, self.k_decay, self.exponent)
        alpha = bk.value(self.alpha)
        return bk.value(self.init_value) * ((1.0 - alpha) * c + alpha)


class WarmupCosineDecay(Schedule, name="warmup_cosine_decay"):
    r"""Linear warmup, then cosine decay, as ``optax.warmup_cosine_decay_schedule``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        E + (P - E)\, c(k)^{q} & W \le k \end{cases}, \qquad
        c(k) = \frac{1 + \cos\left(\pi\,\frac{\min(k, D) - W}{D - W}\right)}{2}

    ``decay_steps`` includes the warmup, as in optax. Where optax is odd this does the expected thing:
    ``end_value`` is honoured when ``peak_value == 0`` (optax drops it), ``peak_value`` may be traced,
    and the cosine tail is computed stably in float32.

    Args:
      init_value: value at step 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W >= 0`.
      decay_steps: :math:`D > W`, the step at which ``end_value`` is reached.
      end_value: final value, held after ``decay_steps``.
      exponent: :math:`q > 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.warmup_cosine_decay(0.0, 1.0, warmup_steps=100, decay_steps=1000)
      >>> float(s(100)), round(float(s(550)), 6), float(s(1000))
      (1.0, 0.5, 0.0)
    """

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: StepCount = steps()
    decay_steps: StepCount = steps(minimum=1)
    end_value: Real = level(0.0)
    exponent: Real = value(1.0, minimum=0.0, min_open=True)

    examples = (
        {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100, "decay_steps": 1000},
        {"init_value": 1e-5, "peak_value": 1e-3, "warmup_steps": 50, "decay_steps": 500,
         "end_value": 1e-5, "exponent": 2.0},
    )

    def __check_init__(self) -> None:
        v.less("warmup_steps", self.warmup_steps, "decay_steps", self.decay_steps)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W = bk.count(self.warmup_steps)
        length = phase_length(bk, self.warmup_steps, self.decay_steps)
        elapsed = xp.clip(t.since(W), 0.0, bk.to_float(length))
        remaining = xp.clip(t.left_in(W, length, nonneg=True), 0.0, bk.to_float(length))
        c = cosine_factor(bk, elapsed, remaining, length, 1.0, self.exponent)
        peak, end = bk.value(self.peak_value), bk.value(self.end_value)
        return linear_warmup(bk, t, bk.value(self.init_value), peak, W, end + (peak - end) * c)


class CosineRestarts(Schedule, name="cosine_restarts"):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, arXiv 1608.03983).

    Cycle :math:`i` lasts :math:`L_i = L_0 m^i` steps and peaks at :math:`P_i = I \delta^i`. At position
    :math:`e` inside it (``W`` = ``warmup_steps``):

    .. math::
        s(k) = \begin{cases} E + (P_i - E)\, e / W & e < W \\
        E + (P_i - E)\,\dfrac{1 + \cos\left(\pi \frac{e - W}{L_i - W}\right)}{2} & e \ge W \end{cases}

    With ``amplitude_decay`` the factor :math:`\delta^i` multiplies the amplitude above ``end_value``
    instead of the peak: :math:`E + (I - E)\,\delta^i\,c` in place of :math:`E + (I\delta^i - E)\,c`
    (Keras/TF ``CosineDecayRestarts``' ``m_mul``, whose floor ``alpha`` does not decay).

    After ``max_cycles`` cycles the value stays at ``end_value``. Cycle positions are exact integer
    arithmetic for an integer ``period_mult`` (no float drift at large steps); a fractional one uses the
    closed-form logarithm, like timm and fairseq.

    Args:
      init_value: peak of the first cycle.
      first_period: :math:`L_0 >= 1` steps.
      period_mult: :math:`m >= 1` (static), growth of the cycle length.
      peak_decay: :math:`\delta > 0`, factor on the peak per cycle.
      end_value: value at the end of every cycle.
      max_cycles: optional number of cycles (static); ``None`` repeats forever.
      warmup_steps: :math:`W < L_0`, a linear rise from ``end_value`` at the start of every cycle.
      amplitude_decay: apply ``peak_decay`` to the amplitude above ``end_value`` (static).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.cosine_restarts(0.1, first_period=2, period_mult=2)
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.1, 0.05, 0.1, 0.0854, 0.05, 0.0146, 0.1]
    """

    init_value: Real = level()
    first_period: StepCount = steps(minimum=1)
    period_mult: float = static(1.0, converter=static_float(minimum=1.0))
    peak_decay: Real = value(1.0, minimum=0.0, min_open=True)
    end_value: Real = level(0.0)
    max_cycles: int | None = static(None, converter=static_int(1, optional=True))
    warmup_steps: StepCount = steps(0)
    amplitude_decay: bool = flag(False)

    examples = (
        {"init_value": 1e-3, "first_period": 100, "period_mult": 2.0},
        {"init_value": 1e-3, "first_period": 60, "period_mult": 1.5, "peak_decay": 0.7,
         "end_value": 1e-4, "amplitude_decay": True},
        {"init_value": 1e-3, "first_period": 50, "period_mult": 1.0, "peak_decay": 0.5,
         "end_value": 1e-5, "max_cycles": 4, "warmup_steps": 10},
    )

    def __check_init__(self) -> None:
        v.less("warmup_steps", self.warmup_steps, "first_period", self.first_period)
        if known(self.peak_decay) and self.peak_decay > 1:
            # Peaks that grow every cycle reach inf: only a bounded number of cycles is allowed.
            if self.max_cycles is None:
                raise v.ScheduleArgumentError(
                    "peak_decay", "> 1 grows without bound: give max_cycles", self.peak_decay)
            if known(self.init_value) and not math.isfinite(
                    self.init_value * self.peak_decay ** (self.max_cycles - 1)):
                raise v.ScheduleArgumentError(
                    "peak_decay", f"overflows within max_cycles={self.max_cycles}", self.peak_decay)

    def _key_steps(self) -> list[Any]:
        out, start, length = [], 0, self.first_period
        for _ in range(self.max_cycles or 4):
            out += [start, start + self.warmup_steps]
            start, length = start + length, length * self.period_mult
        return [*out, int(start)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        i, elapsed, remaining, length = geometric_cycles(bk, t, bk.count(self.first_period),
                                                         self.period_mult)
        end = bk.value(self.end_value)
        decay = power(bk, self.peak_decay, bk.to_float(i))
        if self.amplitude_decay:
            peak = end + (bk.value(self.init_value) - end) * decay
        else:
            peak = bk.value(self.init_value) * decay
        W = bk.to_float(bk.count(self.warmup_steps))
        rise = end + (peak - end) * (elapsed / xp.maximum(W, 1.0))
        fall = end + (peak - end) * half_cosine(bk, elapsed - W, remaining, length - W)
        out = xp.where(elapsed < W, rise, fall)
        if self.max_cycles is not None:
            out = xp.where(i >= self.max_cycles, end, out)
        return out


class TanhDecay(Schedule, name="tanh_decay"):
    r"""Hyperbolic-tangent decay (Hsueh et al., arXiv 1806.01593), as timm's ``TanhLRScheduler``.

    With :math:`r = \min(k/T, 1)`, lower bound :math:`l` and upper bound :math:`u`,

    .. math:: s(k) = E + (I - E)\,\frac{1 - \tanh\left(l (1 - r) + u r\right)}{2}

    evaluated as a logistic function so it never cancels. As in timm the value at step 0 is
    :math:`E + (I-E)(1-\tanh l)/2` (not exactly ``init_value``) and the value held from ``decay_steps`` on
    is :math:`E + (I-E)(1-\tanh u)/2`.

    Args:
      init_value: the scale of the curve.
      decay_steps: :math:`T > 0`.
      end_value: the asymptote.
      lower: :math:`l < u`.
      upper: :math:`u`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.tanh_decay(1.0, decay_steps=100)
      >>> round(float(s(0)), 6), round(float(s(70)), 6)
      (0.999999, 0.5)
    """

    init_value: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    end_value: Real = level(0.0)
    lower: Real = value(-7.0)
    upper: Real = value(3.0)

    examples = ({"init_value": 1e-3, "decay_steps": 1000, "end_value": 1e-5},)

    def __check_init__(self) -> None:
        v.less("lower", self.lower, "upper", self.upper)

    def _key_steps(self) -> list[Any]:
        return [self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.to_float(bk.span(self.decay_steps))
        r = xp.minimum(t.value(), T) / T
        lo, hi = bk.value(self.lower), bk.value(self.upper)
        x = lo + (hi - lo) * r
        end = bk.value(self.end_value)
        # (1 - tanh x) / 2 == 1 / (1 + exp(2x)), with no cancellation for large x.
        return end + (bk.value(self.init_value) - end) / (1.0 + xp.exp(2.0 * x))

