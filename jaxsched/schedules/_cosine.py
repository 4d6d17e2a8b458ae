"""Cosine annealing: cosine decay, warmup + cosine decay, cosine with warm restarts (SGDR); tanh decay."""

from __future__ import annotations

import math
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import (
    FLOAT32_MAX,
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
from jaxsched._shapes import (
    between,
    cosine_factor,
    cosine_factors,
    cycle_phase,
    geometric_cycles,
    half_cosine,
    linear_warmup,
    phase_length,
    tanh_fall,
)


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
      exponent: :math:`q >= 0`, a power applied to the cosine factor (0: the constant ``init_value``, as
        optax gives).
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
    alpha: Real = value(default=0.0, minimum=0.0)
    exponent: Real = value(default=1.0, minimum=0.0)
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)

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
        c(k) = \frac{1 + \cos\left(\pi\,\left(\frac{\min(k, D) - W}{D - W}\right)^{\kappa}\right)}{2}

    ``decay_steps`` includes the warmup, as in optax. Where optax is odd this does the expected thing:
    ``end_value`` is honoured when ``peak_value == 0`` (optax drops it; ``end_needs_peak=True`` does the
    same), ``peak_value`` may be traced, and the cosine tail is computed stably in float32.

    Args:
      init_value: value at step 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W >= 0`.
      decay_steps: :math:`D > W`, the step at which ``end_value`` is reached.
      end_value: final value, held after ``decay_steps``; it may be negative (optax's own tests decay
        below 0).
      exponent: :math:`q >= 0`.
      k_decay: :math:`\kappa > 0`, timm's time warp of the cosine (1: plain cosine).
      end_needs_peak: take :math:`E = 0` when ``peak_value`` is 0 (optax's end as a fraction
        ``end_value / peak_value`` of the peak, which it sets to 0 for a zero peak); static.

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
    end_value: Real = value(default=0.0, minimum=-FLOAT32_MAX, maximum=FLOAT32_MAX)
    exponent: Real = value(default=1.0, minimum=0.0)
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)
    end_needs_peak: bool = flag(default=False)

    examples = (
        {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100, "decay_steps": 1000},
        {
            "init_value": 1e-5,
            "peak_value": 1e-3,
            "warmup_steps": 50,
            "decay_steps": 500,
            "end_value": 1e-5,
            "exponent": 2.0,
        },
        {
            "init_value": 1e-3,
            "peak_value": 1e-3,
            "warmup_steps": 0,
            "decay_steps": 400,
            "end_value": 1e-5,
            "k_decay": 1.5,
        },
        {
            "init_value": 0.0,
            "peak_value": 0.0,
            "warmup_steps": 50,
            "decay_steps": 500,
            "end_value": 1e-5,
            "end_needs_peak": True,
        },
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
        c, cc = cosine_factors(bk, elapsed, remaining, length, self.k_decay, self.exponent)
        peak, end = bk.value(self.peak_value), bk.value(self.end_value)
        if self.end_needs_peak:
            end = bk.xp.where(peak == 0, 0.0, end)
        return linear_warmup(bk, t, bk.value(self.init_value), peak, W, between(bk, peak, end, c, cc))


def check_peak_growth(
    init_value: Any,
    peak_decay: Any,
    max_cycles: int | None,
    names: tuple[str, str] = ("peak_decay", "max_cycles"),
) -> None:
    """Peaks ``init_value * peak_decay**i`` that grow every cycle reach inf: a ``peak_decay > 1`` needs a
    number of cycles whose last peak is finite in float32. ``names``: the arguments as the caller calls
    them."""
    if known(peak_decay) and peak_decay > 1:
        if max_cycles is None:
            raise v.ScheduleArgumentError(names[0], f"> 1 grows without bound: give {names[1]}", peak_decay)
        if known(init_value) and not (
            math.log(peak_decay) * (max_cycles - 1) + math.log(max(init_value, 1e-300))
            <= math.log(FLOAT32_MAX)
        ):
            raise v.ScheduleArgumentError(names[0], f"overflows within {names[1]}={max_cycles}", peak_decay)


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
    closed-form logarithm, like timm and fairseq, which in float32 can put a step within float32 rounding
    of a fractional cycle start into the neighbouring cycle (a known defect: :func:`jaxsched.restarts`
    locates fractional cycles exactly).

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
    period_mult: float = static(default=1.0, converter=static_float(minimum=1.0))
    peak_decay: Real = value(default=1.0, minimum=0.0, min_open=True)
    end_value: Real = level(default=0.0)
    max_cycles: int | None = static(default=None, converter=static_int(1, optional=True))
    warmup_steps: StepCount = steps(default=0)
    amplitude_decay: bool = flag(default=False)

    examples = (
        {"init_value": 1e-3, "first_period": 100, "period_mult": 2.0},
        {
            "init_value": 1e-3,
            "first_period": 60,
            "period_mult": 1.5,
            "peak_decay": 0.7,
            "end_value": 1e-4,
            "amplitude_decay": True,
        },
        {
            "init_value": 1e-3,
            "first_period": 50,
            "period_mult": 1.0,
            "peak_decay": 0.5,
            "end_value": 1e-5,
            "max_cycles": 4,
            "warmup_steps": 10,
        },
    )

    def __check_init__(self) -> None:
        v.less("warmup_steps", self.warmup_steps, "first_period", self.first_period)
        check_peak_growth(self.init_value, self.peak_decay, self.max_cycles)

    def _key_steps(self) -> list[Any]:
        out: list[Any] = []
        start: Any = 0
        length: Any = self.first_period
        for _ in range(self.max_cycles or 4):
            out += [start, start + self.warmup_steps]
            start, length = start + length, length * self.period_mult
        return [*out, int(start)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        i, elapsed, remaining, length = geometric_cycles(bk, t, bk.count(self.first_period), self.period_mult)
        end = bk.value(self.end_value)
        if self.amplitude_decay:
            peak = end + (bk.value(self.init_value) - end) * power(bk, self.peak_decay, bk.to_float(i))
        else:
            peak = power(bk, self.peak_decay, bk.to_float(i), scale=self.init_value)
        W = bk.to_float(bk.count(self.warmup_steps))
        warm = xp.maximum(W, 1.0)
        rise = between(bk, end, peak, (warm - elapsed) / warm, elapsed / warm)
        fall = between(
            bk,
            peak,
            end,
            half_cosine(bk, elapsed - W, remaining, length - W),
            half_cosine(bk, remaining, elapsed - W, length - W),
        )
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
    end_value: Real = level(default=0.0)
    lower: Real = value(default=-7.0)
    upper: Real = value(default=3.0)

    examples = ({"init_value": 1e-3, "decay_steps": 1000, "end_value": 1e-5},)

    def __check_init__(self) -> None:
        v.less("lower", self.lower, "upper", self.upper)

    def _key_steps(self) -> list[Any]:
        return [self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        T = bk.to_float(bk.span(self.decay_steps))
        end = bk.value(self.end_value)
        fall = tanh_fall(bk, bk.xp.minimum(t.value(), T) / T, self.lower, self.upper)
        return end + (bk.value(self.init_value) - end) * fall


class CosineCycles(Schedule, name="cosine_cycles"):
    r"""Cosine cycles of one fixed length, never clamped: Hugging Face's cosine schedules with ``num_cycles``.

    With :math:`y = \operatorname{frac}(c\,(k + o) / T)`, the phase of ``num_cycles`` :math:`c` cycles every
    ``decay_steps`` :math:`T` steps (``offset`` :math:`o`, 0 by default),

    .. math::
        s(k) = E + (I - E)\, h(y), \qquad
        h(y) = \begin{cases} \tfrac12\left(1 + \cos 2\pi y\right) & \text{waves} \\
        \tfrac12\left(1 + \cos \pi y\right) & \text{restarts} \end{cases}

    Waves fall from :math:`I` to :math:`E` and rise back within each cycle: with :math:`c = 1/2` the first
    :math:`T` steps are a cosine decay and the value rises again after them (``transformers``'
    ``get_cosine_schedule_with_warmup``, whose progress is not clamped). Restarts fall from :math:`I` to
    :math:`E` in every cycle and jump back (SGDR with equal cycles: ``transformers``'
    ``get_cosine_with_hard_restarts_schedule_with_warmup``). The schedule is periodic; join it with a
    constant to stop it.

    The phase is exact (:func:`jaxsched._shapes.cycle_phase`: a rational phase for :math:`c` and :math:`T`
    that are multiples of :math:`2^{-8}`, so restarts and troughs fall exactly on their steps; else a
    65-bit fixed-point one), and :math:`h` is evaluated from the phase's distance to its nearest zero, so a
    value near a trough or just before a restart keeps its relative precision in float32 at any step.

    Args:
      init_value: :math:`I`, the value at the start of every cycle.
      decay_steps: :math:`T >= 1` (static; may be fractional).
      num_cycles: :math:`c >= 0` cycles every :math:`T` steps (static; 0.5 by default: one half wave).
      end_value: :math:`E`, the value at the troughs (waves) or approached before each restart.
      restart: restarts instead of waves (static).
      offset: :math:`o >= 0` steps already done at step 0: the phase is that of :math:`k + o` (static; exact
        also where :math:`k + o` is past the last step).

    Returns:
      A periodic :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.cosine_cycles(1.0, decay_steps=4)
      >>> [round(float(s(k)), 4) for k in range(9)]
      [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.5, 0.8536, 1.0]
      >>> r = jaxsched.cosine_cycles(1.0, decay_steps=4, num_cycles=2, restart=True)
      >>> [round(float(r(k)), 4) for k in range(5)]
      [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    init_value: Real = level()
    decay_steps: float = steps(minimum=1, fractional=True, static=True)
    num_cycles: float = static(default=0.5, converter=static_float(minimum=0.0))
    end_value: Real = level(default=0.0)
    restart: bool = flag(default=False)
    offset: float = steps(default=0, fractional=True, static=True)

    examples = (
        {"init_value": 1e-3, "decay_steps": 1000},
        {"init_value": 1e-3, "decay_steps": 1000, "num_cycles": 1.3, "end_value": 1e-5},
        {"init_value": 1e-3, "decay_steps": 77.5, "num_cycles": 3, "restart": True, "offset": 1},
    )

    def _key_steps(self) -> list[Any]:
        if not self.num_cycles:
            return []
        half = self.decay_steps / (2 * self.num_cycles)
        return [round(half * j) for j in range(1, 9) if half * j <= 2**31 - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        _, rest, dist = cycle_phase(bk, t, self.num_cycles, self.decay_steps, self.offset)
        if self.restart:  # (1 + cos(pi y)) / 2 = sin(pi (1 - y) / 2)**2: exact before each restart
            h = xp.sin(math.pi / 2 * rest) ** 2
        else:  # (1 + cos(2 pi y)) / 2 = sin(pi |y - 1/2|)**2: exact near each trough
            h = xp.sin(math.pi * xp.abs(dist)) ** 2
        end = bk.value(self.end_value)
        return end + (bk.value(self.init_value) - end) * h
