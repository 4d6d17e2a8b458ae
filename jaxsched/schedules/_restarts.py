"""Warm restarts: cycles of geometrically growing length with a decaying peak, each a cosine, tanh or
polynomial fall (SGDR, Loshchilov & Hutter, arXiv 1608.03983; timm's cosine, tanh and poly schedulers)."""

from __future__ import annotations

import math
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, choice, level, static, static_float, static_int, steps, value
from jaxsched._numerics import Array, Backend, Steps, power
from jaxsched._shapes import geometric_table, table_cycles, tanh_fall, warped
from jaxsched.schedules._cosine import check_peak_growth

SHAPES = ("cosine", "tanh", "polynomial")


class Restarts(Schedule, name="restarts"):
    r"""Warm restarts: cycles of growing length, each falling from a decaying peak to ``end_value``.

    Cycle :math:`i` lasts :math:`L_i = T_0 m^i` steps and starts at :math:`S_i = T_0 (m^i - 1)/(m - 1)`
    (:math:`S_i = i T_0` for :math:`m = 1`). With :math:`e` the steps since :math:`S_i` and the fall
    :math:`g` of the chosen shape,

    .. math::
        s(k) = \begin{cases} E + (I\delta^i - E)\; g(e / L_i) & i < \text{max\_cycles} \\
        E & \text{after} \end{cases}, \qquad
        g(x) = \begin{cases} \tfrac12\left(1 + \cos \pi x^{\kappa}\right) & \text{cosine} \\
        \tfrac12\left(1 - \tanh(l (1 - x) + u x)\right) & \text{tanh} \\
        \left(1 - x^{\kappa}\right)^{p} & \text{polynomial} \end{cases}

    This is SGDR's cycle structure and timm's ``CosineLRScheduler``, ``TanhLRScheduler`` and
    ``PolyLRScheduler`` (``t_initial``, ``cycle_mul``, ``cycle_decay``, ``cycle_limit``, ``k_decay``,
    ``lb``/``ub``, ``power``). Cycle positions are exact: an integer quotient for :math:`m = 1`, else a
    static table of the starts and ends computed in float64 as timm does
    (:func:`jaxsched._shapes.geometric_table`, at most 65536 cycles before step :math:`2^{31}-1`), each
    subtracted from the step in its whole part and its fraction apart, so both ends of a cycle that ends
    between two steps keep their relative precision in float32 at any step (timm locates cycles with a
    float ``log``, which can put an exact start one cycle early).

    Args:
      init_value: :math:`I`, the peak of the first cycle.
      first_period: :math:`T_0 >= 1` steps (static).
      period_mult: :math:`m >= 1`, the growth of the cycle length (static).
      peak_decay: :math:`\delta >= 0`, the factor on the peak per cycle.
      end_value: :math:`E`, the end of every cycle, held after the last one.
      max_cycles: the number of cycles (static); ``None`` repeats forever.
      shape: ``"cosine"``, ``"tanh"`` or ``"polynomial"``.
      k_decay: :math:`\kappa > 0`, timm's time warp (arXiv 2004.05909) of the cosine and polynomial falls.
      power: :math:`p > 0` of the polynomial fall.
      lower: :math:`l < u`, the tanh fall's start.
      upper: :math:`u`, its end.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.restarts(1.0, first_period=2, period_mult=2.0, peak_decay=0.5, shape="polynomial")
      >>> [float(s(k)) for k in range(8)]
      [1.0, 0.5, 0.5, 0.375, 0.25, 0.125, 0.25, 0.21875]
    """

    init_value: Real = level()
    first_period: int = steps(minimum=1, static=True)
    period_mult: float = static(default=1.0, converter=static_float(minimum=1.0))
    peak_decay: Real = value(default=1.0, minimum=0.0)
    end_value: Real = level(default=0.0)
    max_cycles: int | None = static(default=None, converter=static_int(1, optional=True))
    shape: str = choice(SHAPES, default="cosine")
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)
    power: Real = value(default=1.0, minimum=0.0, min_open=True)
    lower: Real = value(default=-7.0)
    upper: Real = value(default=3.0)

    examples = (
        {"init_value": 1e-3, "first_period": 100, "period_mult": 1.5, "peak_decay": 0.8, "end_value": 1e-5},
        {"init_value": 1e-3, "first_period": 30, "peak_decay": 0.5, "max_cycles": 4, "shape": "tanh"},
        {
            "init_value": 1e-3,
            "first_period": 17,
            "period_mult": 2.0,
            "end_value": 1e-4,
            "max_cycles": 5,
            "shape": "polynomial",
            "power": 2.0,
            "k_decay": 0.7,
        },
        {"init_value": 1e-3, "first_period": 20, "period_mult": 1.5, "max_cycles": 30, "k_decay": 1.5},
    )

    def __check_init__(self) -> None:
        check_peak_growth(self.init_value, self.peak_decay, self.max_cycles)
        v.less("lower", self.lower, "upper", self.upper)
        if self.period_mult != 1.0:
            geometric_table(self.first_period, self.period_mult, self.max_cycles)  # refuses too many cycles

    def _key_steps(self) -> list[Any]:
        if self.period_mult == 1.0:
            return [self.first_period * i for i in range(min(self.max_cycles or 8, 8) + 1)]
        return [int(c) for c in geometric_table(self.first_period, self.period_mult, self.max_cycles)[2][:9]]

    def _fall(self, bk: Backend, elapsed: Array, remaining: Array, length: Array) -> tuple[Array, Array]:
        """The shape's fall :math:`g` from 1 to 0 over the cycle and its complement :math:`1 - g`, each
        evaluated from the end where it is small."""
        xp = bk.xp
        if self.shape == "tanh":
            p = xp.clip(elapsed / length, 0.0, 1.0)
            return (tanh_fall(bk, p, self.lower, self.upper), tanh_fall(bk, p, -self.lower, -self.upper))
        w, q = warped(bk, elapsed, remaining, length, self.k_decay)  # (e/L)**k and 1 - (e/L)**k
        if self.shape == "cosine":  # (1 + cos(pi w)) / 2 = sin(pi q / 2)**2, and its complement
            return xp.sin(math.pi / 2 * q) ** 2, xp.sin(math.pi / 2 * w) ** 2
        if bk.plain(self.power) == 1.0:
            return q, w
        p = bk.value(self.power)
        fall = q**p
        return fall, xp.where(w <= 0.5, -xp.expm1(p * xp.log1p(-xp.minimum(w, 0.5))), 1.0 - fall)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T0 = self.first_period
        if self.period_mult == 1.0:  # equal cycles: an exact integer quotient
            i = bk.quotient(t.n, T0)
            whole = t.n - i * T0
            elapsed, remaining = bk.to_float(whole), bk.to_float(T0 - whole)
            if t.f is not None:
                elapsed, remaining = elapsed + t.f, remaining - t.f
            length: Array = bk.to_float(bk.count(T0))
        else:
            i, elapsed, remaining, length = table_cycles(
                bk, t, geometric_table(T0, self.period_mult, self.max_cycles)
            )
        fall, rise = self._fall(bk, elapsed, remaining, length)
        end = bk.value(self.end_value)
        peak = power(bk, self.peak_decay, bk.to_float(i), scale=self.init_value)
        # From the smaller end: a fall to E, or (a peak decayed below E) a rise from the peak.
        out = xp.where(peak >= end, end + (peak - end) * fall, peak + (end - peak) * rise)
        if self.max_cycles is not None:
            out = xp.where(i >= self.max_cycles, end, out)
        return out


def cycles_end(first_period: int, period_mult: float, cycles: int) -> int:
    r"""The whole step at which ``cycles`` cycles of :class:`Restarts` end:
    :math:`\lfloor T_0 (m^n - 1)/(m - 1) \rfloor` (:math:`n T_0` for :math:`m = 1`), in float64 as timm's
    ``get_cycle_length`` computes it.

    Example:
      >>> from jaxsched.schedules._restarts import cycles_end
      >>> cycles_end(20, 1.5, 3), cycles_end(10, 1.0, 4)
      (95, 40)
    """
    if period_mult == 1.0:
        return first_period * cycles
    return math.floor(-first_period * (pow(period_mult, cycles) - 1) / (1 - period_mult))


restarts = Restarts

__all__ = ["SHAPES", "Restarts", "cycles_end", "restarts"]
