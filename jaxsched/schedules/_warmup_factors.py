"""Warmup factors for adaptive optimizers (Ma & Yarats, arXiv 1910.04209): schedules in (0, 1] that multiply
a learning-rate schedule, as ``pytorch_warmup`` applies them.

- :class:`ExponentialWarmup`: :math:`1 - e^{-t/\\tau}`.
- :class:`RAdamWarmup`: the rectification term of RAdam (Liu et al., arXiv 1908.03265) as a warmup.

Both count the update from ``offset`` (the paper's :math:`t` starts at 1). The linear warmup factor of the
same paper is ``jaxsched.shift(jaxsched.warmup_constant(0.0, 1.0, tau), -1)``.
"""

from __future__ import annotations

import decimal
import functools
import math
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, StepCount, level, static, static_float, steps, value
from jaxsched._numerics import Array, Backend, Steps


class ExponentialWarmup(Schedule, name="exponential_warmup"):
    r"""Exponential warmup to ``peak_value`` with time constant :math:`\tau` (Ma & Yarats, arXiv 1910.04209).

    .. math:: s(k) = P\left(1 - e^{-(k + \delta)/\tau}\right)

    Update :math:`k` (from 0) is the paper's :math:`t = k + \delta`; with the default :math:`\delta = 1` the
    first update already gets :math:`P(1 - e^{-1/\tau})`. The value approaches :math:`P` from below and
    rounds to it once :math:`(k + \delta)/\tau` exceeds about 17 (float32) or 37 (float64). Computed as
    ``-expm1``, so the first steps keep full precision.

    Args:
      timescale: :math:`\tau > 0` steps.
      peak_value: the value approached.
      offset: :math:`\delta \ge 0`, the paper's count of the first update.

    Returns:
      A :class:`~jaxsched.Schedule`; as a factor, multiply it with a learning-rate schedule.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.exponential_warmup(timescale=2)
      >>> [round(float(x), 4) for x in s.numpy(range(3))]
      [0.3935, 0.6321, 0.7769]
    """

    timescale: Real = value(minimum=0.0, min_open=True)
    peak_value: Real = level(default=1.0)
    offset: StepCount = steps(default=1)

    examples = ({"timescale": 1000}, {"timescale": 50.5, "peak_value": 1e-3, "offset": 0})

    def _key_steps(self) -> list[Any]:
        return [self.timescale]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        x = (t.value() + bk.to_float(bk.count(self.offset))) / bk.value(self.timescale)
        return -bk.value(self.peak_value) * bk.xp.expm1(-x)


# -- RAdam ------------------------------------------------------------------------------------------------


def radam_offset(beta2: float) -> int:
    r"""The smallest :math:`\delta \ge 1` with :math:`\rho_\delta > 4`, evaluated in float64 as RAdam and
    ``pytorch_warmup`` evaluate :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1 - \beta_2^t)`
    (so the offset is theirs even where rounding decides it). Needs :math:`0.6 < \beta_2 < 1`."""
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    t = 1
    while True:
        b2t = math.pow(beta2, t)
        if rho_inf - 2 * t * b2t / (1.0 - b2t) > 4:
            return t
        t += 1


class _RAdamConstants:
    """Host-side constants of :class:`RAdamWarmup` for one ``beta2``, exact to float64.

    With :math:`u = -\\ln\\beta_2`, :math:`A = \\rho_\\infty - 4`, :math:`x = tu` and
    :math:`q = x/(e^x - 1)`, the quantity that cancels is :math:`D = \\rho_t - 4`. It has two forms,
    :math:`D = A - (2/u)\\,q` and :math:`D = (2/u)(1 - q) - B` with :math:`B = 2/u - A`; the graph uses the
    one whose subtracted term is smaller. Where even that one cancels by more than a factor 2 (the first
    few updates), the value comes from a table computed here in 60-digit decimal arithmetic.
    """

    TABLE_LIMIT = 64

    def __init__(self, beta2: float) -> None:
        with decimal.localcontext(decimal.Context(prec=60)):
            b = decimal.Decimal(beta2)  # exact: every operation below is at 60 digits
            u = -b.ln()
            A = 2 / (1 - b) - 5
            two_u = 2 / u
            B = two_u - A
            self.offset = radam_offset(beta2)
            self.u, self.A, self.two_u, self.B = float(u), float(A), float(two_u), float(B)
            table: list[float] = []
            t = self.offset
            while True:
                bt = b**t
                D = A - 2 * t * bt / (1 - bt)
                if D > 0 and min(B, A - D) <= D / 2:
                    break
                if len(table) == self.TABLE_LIMIT:  # pragma: no cover - not reached for beta2 in (0.6, 1)
                    raise RuntimeError(f"radam_warmup: no stable form for beta2={beta2!r}")
                # rho_t <= 4 where the float64 offset rounds the wrong way (beta2 within 1e-7 of 1): 0.
                ratio = (D / A) * ((D + 2) / (A + 2)) * ((A + 4) / (D + 4)) if D > 0 else 0
                table.append(float(decimal.Decimal(ratio).sqrt()))
                t += 1
        self.table = tuple(table)


@functools.lru_cache(maxsize=256)
def _radam_constants(beta2: float) -> _RAdamConstants:
    return _RAdamConstants(beta2)


def _beta2_above_06(name: str, x: Any) -> float:
    b2 = static_float(0.0, 1.0)(name, x)
    if not 0.6 < b2 < 1.0:
        raise v.ScheduleArgumentError(name, "must be in (0.6, 1) (rho_inf > 4)", x)
    return float(b2)


class RAdamWarmup(Schedule, name="radam_warmup"):
    r"""The RAdam rectification term as a warmup factor (Liu et al., arXiv 1908.03265; Ma & Yarats,
    arXiv 1910.04209), as ``pytorch_warmup.RAdamWarmup`` applies it.

    With :math:`\rho_\infty = 2/(1-\beta_2) - 1` and :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`,

    .. math:: s(k) = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}
        {(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}}, \qquad t = k + \delta

    where the offset :math:`\delta` is the smallest integer :math:`\ge 1` with :math:`\rho_\delta > 4`
    (evaluated in float64, as RAdam does; :attr:`offset`). The value rises from near 0 and approaches 1
    from below (1.0 once :math:`\beta_2^t` underflows). :math:`\rho_t - 4` is the difference of two large
    numbers for :math:`\beta_2` near 1 and of two close ones near 0.6; it is computed in the form that does
    not cancel, and for the first few updates, where every form does, taken from a host table exact to
    float64, so float32 holds 1e-6 at every step.

    Args:
      beta2: Adam's :math:`\beta_2`, in (0.6, 1) (static: it decides the offset and the table).

    Returns:
      A factor :class:`~jaxsched.Schedule` in :math:`[0, 1]`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.radam_warmup(beta2=0.999)
      >>> s.offset, round(float(s.numpy(0)), 12)
      (5, 0.017311503166)
    """

    beta2: float = static(default=0.999, converter=_beta2_above_06)

    examples = ({"beta2": 0.999}, {"beta2": 0.98}, {"beta2": 0.7})

    @property
    def offset(self) -> int:
        """:math:`\\delta`: update 0 uses :math:`\\rho_\\delta`."""
        return _radam_constants(self.beta2).offset

    def _key_steps(self) -> list[Any]:
        return [len(_radam_constants(self.beta2).table)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        c = _radam_constants(self.beta2)
        tt = t.value() + float(c.offset)
        u_hi, u_lo = bk.parts(c.u)  # u to float64 accuracy: t u is the exponent of beta2**t
        x = tt * u_hi if u_lo is None else tt * u_hi + tt * u_lo
        big = x > 80.0  # e^x - 1 overflows float32 beyond 88: there q = 0 and 1 - q = 1
        xs = xp.where(big, 80.0, x)
        e1 = xp.expm1(xs)
        # e^x - 1 - x: its Taylor series below 1 (no cancellation; 19 terms reach float64), the
        # difference above.
        s = xp.minimum(xs, 1.0)
        series = 1.0 / math.factorial(20)
        for n in range(19, 1, -1):
            series = series * s + 1.0 / math.factorial(n)
        em = xp.where(xs < 1.0, series * s * s, e1 - xs)
        safe = xp.where(e1 == 0, 1.0, e1)
        q = xp.where(big, 0.0, xp.where(xs == 0, 1.0, xs / safe))
        g = xp.where(big, 1.0, em / safe)
        A, B, two_u = (bk.value(k) for k in (c.A, c.B, c.two_u))
        D = xp.where(two_u * q > B, two_u * g - B, A - two_u * q)
        D = xp.maximum(D, 0.0)
        out = xp.sqrt((D / A) * ((D + 2.0) / (A + 2.0)) * ((A + 4.0) / (D + 4.0)))
        out = xp.where(q == 0, 1.0, out)  # beta2**t underflowed: rho_t = rho_inf exactly
        if c.table:
            table = xp.asarray(c.table, bk.float_dtype)
            n = xp.minimum(t.n, len(c.table) - 1)
            exact = t.n < len(c.table) if t.f is None else (t.n < len(c.table)) & (t.f == 0)
            out = xp.where(exact, table[n], out)
        return out


exponential_warmup = ExponentialWarmup
radam_warmup = RAdamWarmup
