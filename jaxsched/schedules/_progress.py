"""Schedules over the progress of a run of known length, as total-aware trainers (noether) define them.

- :class:`ProgressInterpolate`: from one value to another as a function of the progress
  :math:`p = (k + o)/\\max(1, T - 1)`, linear, cosine or polynomial, reaching the end value at the last
  update of the run.
- :class:`FractionStepDecay`: a factor per interval of the run (``p / interval``, with the decimal rounding
  that makes ``0.3 / 0.1`` count as 3) or at given fractions of it.

Both may hold their value from a given step on (``hold_from``), which is how a run's schedule is cut into
the segments of a sequence.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import (
    Real,
    StepCount,
    choice,
    known,
    level,
    static,
    static_float,
    static_int,
    steps,
    value,
)
from jaxsched._numerics import Array, Backend, Steps, power
from jaxsched._shapes import anneal, power_rise

PROGRESS_SHAPES = ("linear", "cosine", "polynomial")


class ProgressInterpolate(Schedule, name="progress_interpolate"):
    r"""From ``start_value`` to ``end_value`` over the progress of a run of ``total_steps`` updates.

    With :math:`D = \max(1, T - 1)`, the position :math:`m = \min(k, N) + o` and :math:`p = m / D`,

    .. math::
        s(k) = \max\left(0,\ a + f(p)\,(b - a)\right), \qquad
        f(p) = p \;\text{(linear)}, \quad \frac{1 - \cos \pi p}{2} \;\text{(cosine)}, \quad
        1 - (1 - p)^{w} \;\text{(polynomial)}

    so the end value is reached at the last update of the run, :math:`k = T - 1 - o` (noether's progress
    schedules; ``offset`` :math:`o = 1` is its ``exclude_first``). The value is held from ``hold_from``
    :math:`N` on (default: the end, :math:`N = D - o`). :math:`N` may lie one step past the end, as noether
    allows ``step == total_steps``: there :math:`p = 1 + 1/D` and the formula continues (linear past the end
    value, cosine and even powers reflecting back, odd powers past the end value, a fractional power holds
    the end value), floored at 0. Each shape is evaluated from the end that keeps it free of cancellation.

    Args:
      start_value: :math:`a`, the value at :math:`p = 0`.
      end_value: :math:`b`, the value at :math:`p = 1`.
      total_steps: :math:`T \ge 0`, the run's updates.
      shape: ``"linear"``, ``"cosine"`` or ``"polynomial"``.
      power: :math:`w > 0` of the polynomial (static: whole and fractional powers continue differently).
      offset: :math:`o \ge 0` steps added to :math:`k`, at most :math:`D`.
      hold_from: :math:`N`, with :math:`N + o \le D + 1`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.progress_interpolate(1.0, 0.0, total_steps=5, shape="cosine", hold_from=5)
      >>> [round(float(x), 4) for x in s.numpy(range(7))]
      [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464, 0.1464]
    """

    start_value: Real = level()
    end_value: Real = level()
    total_steps: StepCount = steps()
    shape: str = choice(PROGRESS_SHAPES, default="linear")
    power: float = static(default=1.0, converter=static_float(0.0, min_open=True))
    offset: StepCount = steps(default=0)
    hold_from: StepCount | None = steps(default=None)

    examples = (
        {"start_value": 1e-3, "end_value": 1e-5, "total_steps": 200},
        {
            "start_value": 1e-5,
            "end_value": 1e-3,
            "total_steps": 200,
            "shape": "cosine",
            "offset": 1,
            "hold_from": 199,
        },
        {"start_value": 0.0, "end_value": 1e-3, "total_steps": 100, "shape": "polynomial", "power": 0.5},
        {
            "start_value": 1e-3,
            "end_value": 1e-6,
            "total_steps": 100,
            "shape": "polynomial",
            "power": 3.0,
            "hold_from": 100,
        },
    )

    def __check_init__(self) -> None:
        if known(self.total_steps, self.offset):
            D = max(1, self.total_steps - 1)
            if self.offset > D:
                raise v.ScheduleArgumentError(
                    "offset", f"must be <= max(1, total_steps - 1) = {D}", self.offset
                )
            hold = self.hold_from
            if hold is not None and known(hold) and hold + self.offset > D + 1:
                raise v.ScheduleArgumentError(
                    "hold_from",
                    f"must be <= {D + 1 - self.offset}: at most one step past the end of the "
                    "run, as noether evaluates step == total_steps",
                    hold,
                )

    def _key_steps(self) -> list[Any]:
        end = max(1, self.total_steps - 1) - self.offset
        return [end if self.hold_from is None else min(end, self.hold_from)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        o = bk.count(self.offset)
        D = xp.maximum(bk.count(self.total_steps) - 1, 1)
        N = D - o if self.hold_from is None else bk.count(self.hold_from)
        held = t.n >= N
        m = xp.where(held, N, t.n) + o
        elapsed, remaining = bk.to_float(m), bk.to_float(D - m)  # remaining = -1 one step past the end
        if t.f is not None:
            frac = xp.where(held, 0.0, t.f)
            elapsed, remaining = elapsed + frac, remaining - frac
        L = bk.to_float(D)
        a, b = bk.value(self.start_value), bk.value(self.end_value)
        if self.shape != "polynomial":
            out = anneal(bk, "cos" if self.shape == "cosine" else "linear", a, b, elapsed, remaining, L)
            return xp.maximum(out, 0.0)
        w = self.power
        inside = xp.maximum(remaining, 0.0)
        left = (inside / L) ** w
        rise = power_rise(bk, xp.minimum(elapsed, L), inside, L, w)
        if float(w).is_integer():  # past the end: (1 - p)**w of a negative base, real for whole powers
            past = (xp.abs(remaining) / L) ** w * (-1.0 if int(w) % 2 else 1.0)
            left = xp.where(remaining < 0, past, left)
            rise = xp.where(remaining < 0, 1.0 - past, rise)
        rising, falling = a + (b - a) * rise, b + (a - b) * left
        grows = bk.larger(self.end_value, self.start_value)
        out = rising if grows else falling
        if grows is None:
            out = xp.where(b > a, rising, falling)
        return xp.maximum(out, 0.0)


# -- steps at fractions of the run -----------------------------------------------------------------------

_BOUNDS_LIMIT = 100_000


def _fractions(name: str, x: Any) -> tuple[float, ...] | None:
    if x is None:
        return None
    items = v.sequence(name, x)
    if not items:
        raise v.ScheduleArgumentError(name, "must be a non-empty list", [])
    convert = static_float(0.0, 1.0)
    out = []
    for i, f in enumerate(items):
        f = convert(f"{name}[{i}]", f)
        if not 0.0 < f < 1.0:
            raise v.ScheduleArgumentError(f"{name}[{i}]", "must be in the range (0, 1)", items[i])
        out.append(f)
    return tuple(sorted(out))


def _interval(name: str, x: Any) -> float | None:
    if x is None:
        return None
    f = static_float(0.0, 1.0)(name, x)
    if not 0.0 < f < 1.0:
        raise v.ScheduleArgumentError(name, "must be in the range (0, 1)", x)
    return float(f)


@functools.lru_cache(maxsize=128)
def _bounds(
    total: int,
    offset: int,
    last: int,
    interval: float | None,
    fractions: tuple[float, ...] | None,
    digits: int | None,
) -> tuple[int, ...]:
    """The steps at which the index ``j(n)`` grows, once per unit (a step listed twice adds 2), for
    ``n = 0..last``: ``j`` is evaluated with Python's own float64 arithmetic, so it is exact."""

    def index(n: int) -> int:
        progress = (n + offset) / total
        if fractions is not None:
            return sum(1 for f in fractions if f <= progress)
        x = progress / interval  # type: ignore[operator]
        return int(x if digits is None else round(x, digits))

    top = index(last)
    if top > _BOUNDS_LIMIT:
        raise v.ScheduleArgumentError(
            "interval",
            f"gives {top} steps of decay over the run; at most {_BOUNDS_LIMIT} are supported",
            interval,
        )
    out, lo = [], 0
    for j in range(1, top + 1):
        # j(n) is non-decreasing in n (IEEE division and decimal rounding are monotone): bisect for the
        # first step that reaches j, on the side of the exact boundary where it lies (decimal rounding
        # can move it by half an interval: a walk from the boundary took minutes on long runs).
        mark = fractions[j - 1] if fractions is not None else j * interval  # type: ignore[operator]
        g = min(max(lo, math.ceil(mark * total) - offset - 1), last)
        a, b = (lo, g) if index(g) >= j else (g + 1, last)  # index(last) = top >= j
        while a < b:
            mid = (a + b) // 2
            a, b = (a, mid) if index(mid) >= j else (mid + 1, b)
        out.append(a)
        lo = a
    return tuple(out)


class FractionStepDecay(Schedule, name="fraction_step_decay"):
    r"""A factor ``decay_rate`` per interval of a run, or at given fractions of it (noether's step
    schedules).

    With :math:`n = \min(k, N)` and the progress :math:`p = (n + o)/T`,

    .. math::
        s(k) = E + (I - E)\,\gamma^{j}, \qquad
        j = \operatorname{int}\left(\operatorname{round}(p / \text{interval},\ \text{digits})\right)
        \ \text{or}\ \ j = \#\{i : f_i \le p\}

    The index is computed with Python's float64 arithmetic and decimal rounding (``digits=10`` makes
    ``0.3 / 0.1 = 2.9999999999999996`` count as 3, as noether does), once, at construction: the steps at
    which it grows are a host table, looked up exactly at every step in float32 too.

    Args:
      init_value: :math:`I`, the value at :math:`j = 0`.
      decay_rate: :math:`\gamma \ge 0` per unit of :math:`j` (above 1 only while :math:`I\gamma^j` stays
        finite in float32).
      total_steps: :math:`T \ge 1` (static).
      interval: the interval as a fraction of the run, in (0, 1) (static), or
      fractions: the fractions :math:`f_i` in (0, 1) (static; sorted); exactly one of the two.
      end_value: :math:`E`, the value approached.
      offset: :math:`o \ge 0` steps added to :math:`k` (static).
      hold_from: :math:`N`, the step from which the value is held (static; default :math:`T - o`).
      digits: decimal digits of the rounding before the truncation (static; ``None``: none).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.fraction_step_decay(1.0, 0.5, total_steps=10, interval=0.1)
      >>> [float(x) for x in s.numpy([0, 1, 2, 3, 10])]
      [1.0, 0.5, 0.25, 0.125, 0.0009765625]
    """

    init_value: Real = level()
    decay_rate: Real = value(minimum=0.0)
    total_steps: int = steps(static=True, minimum=1)
    interval: float | None = static(default=None, converter=_interval)
    fractions: tuple[float, ...] | None = static(default=None, converter=_fractions)
    end_value: Real = level(default=0.0)
    offset: int = steps(default=0, static=True)
    hold_from: int | None = steps(default=None, static=True)
    digits: int | None = static(default=10, converter=static_int(0, optional=True))

    examples = (
        {"init_value": 1e-3, "decay_rate": 0.5, "total_steps": 100, "interval": 0.1},
        {
            "init_value": 1e-3,
            "decay_rate": 0.1,
            "total_steps": 61,
            "interval": 0.3,
            "end_value": 1e-6,
            "offset": 1,
            "hold_from": 60,
        },
        {"init_value": 1.0, "decay_rate": 2.0, "total_steps": 38, "fractions": [0.1, 0.2, 0.3]},
    )

    def __check_init__(self) -> None:
        if (self.interval is None) == (self.fractions is None):
            raise v.ScheduleArgumentError(
                "interval", "give exactly one of interval and fractions", self.interval
            )
        if self.hold_from is None:
            self._set("hold_from", max(0, self.total_steps - self.offset))
        bounds = self._bounds()  # the index table, and its size checked, now
        grows = known(self.init_value, self.decay_rate) and self.decay_rate > 1 and self.init_value > 0
        if grows and math.log(self.init_value) + len(bounds) * math.log(self.decay_rate) > math.log(3e38):
            raise v.ScheduleArgumentError(
                "decay_rate",
                f"> 1 overflows float32 within the {len(bounds)} steps of the run",
                self.decay_rate,
            )

    def _bounds(self) -> tuple[int, ...]:
        return _bounds(
            self.total_steps, self.offset, self.hold_from, self.interval, self.fractions, self.digits
        )

    def _key_steps(self) -> list[Any]:
        return sorted(set(self._bounds()))[:64]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        bounds = self._bounds()
        if bounds:
            j = xp.searchsorted(xp.asarray(np.asarray(bounds), t.n.dtype), t.n, side="right")
        else:
            j = xp.zeros_like(t.n)
        end = bk.value(self.end_value)
        return end + (bk.value(self.init_value) - end) * power(bk, self.decay_rate, bk.to_float(j))


progress_interpolate = ProgressInterpolate
fraction_step_decay = FractionStepDecay

__all__ = ["FractionStepDecay", "ProgressInterpolate", "fraction_step_decay", "progress_interpolate"]
