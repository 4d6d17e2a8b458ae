"""Cycles that anneal from a start value to an end value, with whole-step cycle growth and per-cycle
value multipliers (pytorch-ignite's cyclical schedulers, Composer's warm restarts)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, choice, level, static, static_float, steps, value
from jaxsched._numerics import MAX_STEP, Array, Backend, Steps, power
from jaxsched._shapes import anneal

SHAPES = ("cos", "linear", "triangle")
MAX_DISTINCT_CYCLES = 4096
"""The most cycles of distinct lengths before step ``2**31 - 1`` (their starts are a static table)."""


def cycle_table(cycle_size: int, warmup: int, mult: float) -> tuple[tuple[int, int, int], ...]:
    """The cycles ``(start, anneal length, re-warmup length)`` whose lengths differ from the next one's,
    up to the last one starting at or before ``2**31 - 1``; the last entry repeats forever when the
    lengths stop growing (``floor(mult * length) == length``). Lengths grow as ``floor(mult * length)``
    in float64, as the originals compute them."""
    out: list[tuple[int, int, int]] = []
    start, C, W = 0, cycle_size, warmup
    while True:
        out.append((start, C, W))
        nC, nW = int(C * mult), int(W * mult)
        if (nC, nW) == (C, W) or start + C + W > MAX_STEP:
            return tuple(out)
        if len(out) >= MAX_DISTINCT_CYCLES:
            raise v.ScheduleArgumentError(
                "cycle_mult",
                f"gives more than {MAX_DISTINCT_CYCLES} cycles of distinct lengths before "
                f"step 2**31 - 1 (cycle_size={cycle_size}); use a larger cycle_mult or cycle_size",
                mult,
            )
        start, C, W = start + C + W, nC, nW


class AnnealingCycles(Schedule, name="annealing_cycles"):
    r"""Cycles that anneal from a start value to an end value, each followed by a linear re-warmup.

    pytorch-ignite's ``CosineAnnealingScheduler`` and ``LinearCyclicalScheduler`` and Composer's
    ``CosineAnnealingWarmRestartsScheduler``. Cycle :math:`i` anneals over :math:`C_i` steps from
    :math:`a_i = a\,\alpha^i` to :math:`b_i = b\,\beta^i`, then rises linearly over :math:`W_i` steps
    back to the next start :math:`a_{i+1}`; lengths grow by whole steps,
    :math:`C_{i+1} = \lfloor m C_i \rfloor`, :math:`W_{i+1} = \lfloor m W_i \rfloor`. At position
    :math:`e` inside cycle :math:`i`:

    .. math::
        s(k) = \begin{cases} a_i + (b_i - a_i)\, f\!\left(e / C_i\right) & e < C_i \\
        b_i + (a_{i+1} - b_i)\, \dfrac{e - C_i}{W_i} & C_i \le e < C_i + W_i \end{cases}

    with :math:`f(x) = (1 - \cos \pi x)/2` (``"cos"``), :math:`x` (``"linear"``) or
    :math:`1 - |1 - 2x|` (``"triangle"``: to the end value at mid-cycle and back). Cycle starts are exact
    integers: a table of the growing cycles (at most 4096 before step :math:`2^{31}-1`), then a period
    once :math:`\lfloor m C \rfloor = C`.

    Args:
      start_value: :math:`a`, the value at the start of the first cycle.
      end_value: :math:`b`, the value the first cycle anneals to.
      cycle_size: :math:`C_0 >= 1` steps (static).
      cycle_mult: :math:`m >= 1`, the growth of the lengths (static).
      start_value_mult: :math:`\alpha \in [0, 1]`, the factor on the start value per cycle.
      end_value_mult: :math:`\beta \in [0, 1]`, the factor on the end value per cycle.
      warmup_duration: :math:`W_0 >= 0` steps of linear re-warmup after each anneal (static).
      shape: ``"cos"``, ``"linear"`` or ``"triangle"``.

    Returns:
      A :class:`~jaxsched.Schedule` (it keeps cycling).

    Example:
      >>> import jaxsched
      >>> s = jaxsched.annealing_cycles(1.0, 0.0, cycle_size=4, shape="linear", warmup_duration=2)
      >>> [float(s(k)) for k in range(8)]
      [1.0, 0.75, 0.5, 0.25, 0.0, 0.5, 1.0, 0.75]
    """

    start_value: Real = level()
    end_value: Real = level()
    cycle_size: int = steps(minimum=1, static=True)
    cycle_mult: float = static(default=1.0, converter=static_float(minimum=1.0))
    start_value_mult: Real = value(default=1.0, minimum=0.0, maximum=1.0)
    end_value_mult: Real = value(default=1.0, minimum=0.0, maximum=1.0)
    warmup_duration: int = steps(default=0, static=True)
    shape: str = choice(SHAPES, default="cos")
    _cycles: tuple[tuple[int, int, int], ...] = static(default=(), init=False)

    examples = (
        {"start_value": 1e-3, "end_value": 1e-5, "cycle_size": 100},
        {
            "start_value": 1e-4,
            "end_value": 1e-3,
            "cycle_size": 40,
            "cycle_mult": 1.5,
            "start_value_mult": 0.9,
            "end_value_mult": 0.5,
            "warmup_duration": 10,
            "shape": "linear",
        },
        {"start_value": 1e-3, "end_value": 0.0, "cycle_size": 30, "shape": "triangle", "end_value_mult": 0.8},
    )

    def __check_init__(self) -> None:
        self._set("_cycles", cycle_table(self.cycle_size, self.warmup_duration, self.cycle_mult))

    def _key_steps(self) -> list[Any]:
        out: list[Any] = []
        for start, C, W in self._cycles[:8]:
            out += [start, start + C, start + C + W]
        return out

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        table = np.asarray(self._cycles, np.float64)
        last_start, last_C, last_W = self._cycles[-1]
        idt = np.dtype(bk.int_dtype)
        n = t.n
        # Anneal lengths as an exact integer part (at most the last step) plus a float rest: a cycle
        # that starts before 2**31 - 1 may be longer than that, and C - e must stay exact.
        c_int = np.minimum(table[:, 1], MAX_STEP)
        if len(self._cycles) == 1:
            i = xp.zeros_like(n)
            start = xp.zeros_like(n)
            C, C_rest, W = xp.asarray(int(c_int[0]), bk.int_dtype), float(table[0, 1] - c_int[0]), last_W
        else:
            j = xp.searchsorted(xp.asarray(table[:, 0].astype(idt)), n, side="right") - 1
            i, start = j, xp.asarray(table[:, 0].astype(idt))[j]
            C = xp.asarray(c_int.astype(idt))[j]
            C_rest = xp.asarray(table[:, 1] - c_int, bk.float_dtype)[j]
            W = xp.asarray(table[:, 2], bk.float_dtype)[j]
        period = last_C + last_W
        if last_start + period <= MAX_STEP:  # the last cycle repeats within the step range
            reps = bk.quotient(xp.maximum(n - last_start, 0), bk.count(period))
            i = i + reps
            start = start + reps * period
        e = n - start
        frac = 0.0 if t.f is None else t.f
        fi = bk.to_float(i)
        a0, b0 = bk.value(self.start_value), bk.value(self.end_value)
        a = a0 * power(bk, self.start_value_mult, fi)
        b = b0 * power(bk, self.end_value_mult, fi)
        a_next = a0 * power(bk, self.start_value_mult, fi + 1.0)
        elapsed = bk.to_float(e) + frac
        remaining = (bk.to_float(C - e) + C_rest) - frac
        length = bk.to_float(C) + C_rest
        if self.shape == "triangle":
            half = length / 2.0
            up = xp.minimum(elapsed, remaining)
            ann = anneal(bk, "linear", a, b, up, half - up, half)
        else:
            ann = anneal(bk, self.shape, a, b, elapsed, remaining, length)
        rewarm = b + (a_next - b) * ((bk.to_float(e - C) + frac) / xp.maximum(bk.to_float(W), 1.0))
        return xp.where(e < C, ann, rewarm)


annealing_cycles = AnnealingCycles

__all__ = ["AnnealingCycles", "annealing_cycles"]
