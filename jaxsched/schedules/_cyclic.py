"""Cyclical schedules: the triangular CLR family and one-cycle."""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, choice, flag, known, level, steps, value
from jaxsched._numerics import Array, Backend, Steps, power
from jaxsched._shapes import ANNEAL, anneal

CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


class Cyclic(Schedule, name="cyclic"):
    r"""Cyclical learning rate (Smith, arXiv 1506.01186), as torch ``CyclicLR``.

    A cycle rises for ``step_size_up`` steps and falls for ``step_size_down``. With cycle index
    :math:`c = \lfloor k / (u + d) \rfloor` and position :math:`e = k - c(u + d)`,

    .. math::
        x = \begin{cases} e/u & e \le u \\ (u + d - e)/d & e > u \end{cases}, \qquad
        s(k) = b + (m - b)\, x\, g

    with :math:`g = 1` (``"triangular"``), :math:`g = 2^{-c}` (``"triangular2"``) or
    :math:`g = \gamma^{k}` (``"exp_range"``). The cycle position is integer arithmetic, exact at any step.

    Args:
      base_value: the low end :math:`b`.
      max_value: the high end :math:`m` of the first cycle.
      step_size_up: :math:`u > 0` steps.
      step_size_down: :math:`d > 0` steps (default :math:`u`).
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: :math:`\gamma` of ``"exp_range"``, in (0, 1].

    Returns:
      A periodic :class:`~jaxsched.Schedule` (it keeps cycling).

    Example:
      >>> import jaxsched
      >>> s = jaxsched.cyclic(0.1, 1.0, step_size_up=2, step_size_down=3, mode="triangular2")
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.325, 0.55]
    """

    base_value: Real = level()
    max_value: Real = level()
    step_size_up: Span = steps(minimum=1, fractional=True)
    step_size_down: Span | None = steps(None, minimum=1, fractional=True)
    mode: str = choice(CYCLIC_MODES, "triangular")
    gamma: Real = value(1.0, minimum=0.0, maximum=1.0, min_open=True)

    examples = (
        {"base_value": 1e-4, "max_value": 1e-3, "step_size_up": 200},
        {"base_value": 1e-4, "max_value": 1e-3, "step_size_up": 100, "step_size_down": 300,
         "mode": "triangular2"},
        {"base_value": 1e-4, "max_value": 1e-3, "step_size_up": 100, "mode": "exp_range",
         "gamma": 0.999},
    )

    def _key_steps(self) -> list[Any]:
        up = self.step_size_up
        total = up + (self.step_size_down if self.step_size_down is not None else up)
        return [up, total, total + up, 2 * total]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        up = bk.span(self.step_size_up)
        down = up if self.step_size_down is None else bk.span(self.step_size_down)
        total = bk.add(up, down) if bk.is_int(up) and bk.is_int(down) else bk.to_float(up) + bk.to_float(down)
        if bk.is_int(total):
            c = t.n // total
            start = c * total
            e, r = t.since(start), t.left_in(start, total, nonneg=True)
        else:
            tv = t.value()
            c = xp.floor(tv / total)
            e = tv - c * total
            r = total - e
        x = xp.where(e <= bk.to_float(up), e / bk.to_float(up), r / bk.to_float(down))
        base, top = bk.value(self.base_value), bk.value(self.max_value)
        if self.mode == "triangular2":
            x = x * 0.5 ** bk.to_float(c)
        elif self.mode == "exp_range":
            x = x * power(bk, self.gamma, t.value())
        return base + (top - base) * x


class OneCycle(Schedule, name="one_cycle"):
    r"""The 1cycle policy (Smith, arXiv 1708.07120), with torch ``OneCycleLR``'s phase placement.

    With :math:`T` = ``transition_steps``, :math:`P` the peak, :math:`a = P/\text{div\_factor}` and
    :math:`z = a/\text{final\_div\_factor}`, the phases end at the (fractional) steps
    :math:`p_1 = \text{pct\_start}\,T - 1` and :math:`T - 1`:

    .. math::
        s(k) = \begin{cases} \operatorname{anneal}(a \to P) & 0 \le k \le p_1 \\
        \operatorname{anneal}(P \to z) & p_1 < k \le T - 1 \\ z & k > T - 1 \end{cases}

    With ``three_phase`` the phases are :math:`a \to P` up to :math:`p_1`, :math:`P \to a` up to
    :math:`2 p_1`, and :math:`a \to z` up to :math:`T - 1`. ``anneal`` is a half cosine (``"cos"``) or a
    straight line (``"linear"``). Unlike torch, the value after the last step is held, never
    extrapolated (torch gives a reflected or negative value at step ``T``; use
    ``jaxsched.compat.torch.OneCycleLR`` for that), and optax's ``cosine_onecycle_schedule`` puts the
    phase ends one step later (``jaxsched.compat.optax`` reproduces it).

    Args:
      transition_steps: :math:`T`, the number of updates of the cycle.
      peak_value: :math:`P`.
      pct_start: fraction of :math:`T` spent rising; needs :math:`\text{pct\_start}\,T > 1`.
      div_factor: :math:`P / a > 0`.
      final_div_factor: :math:`a / z > 0`.
      anneal: ``"cos"`` or ``"linear"``.
      three_phase: use the three-phase variant.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.one_cycle(transition_steps=10, peak_value=1.0)
      >>> round(float(s(0)), 6), float(s(2)), round(float(s(9)), 9)
      (0.04, 1.0, 4e-06)
    """

    transition_steps: StepCount = steps(minimum=2)
    peak_value: Real = level()
    pct_start: Real = value(0.3, minimum=0.0, maximum=1.0)
    div_factor: Real = value(25.0, minimum=0.0, min_open=True)
    final_div_factor: Real = value(1e4, minimum=0.0, min_open=True)
    anneal: str = choice(ANNEAL, "cos")
    three_phase: bool = flag(False)

    examples = (
        {"transition_steps": 1000, "peak_value": 1e-2},
        {"transition_steps": 1000, "peak_value": 1e-2, "pct_start": 0.25, "anneal": "linear",
         "three_phase": True},
    )

    def __check_init__(self) -> None:
        if known(self.transition_steps, self.pct_start):
            first = float(self.pct_start) * self.transition_steps - 1
            last = self.transition_steps - 1
            if not first > 0:
                raise v.ScheduleArgumentError(
                    "pct_start", f"leaves no rising phase (pct_start * transition_steps = "
                    f"{first + 1:g} must be > 1)", self.pct_start)
            if (2 * first if self.three_phase else first) >= last:
                raise v.ScheduleArgumentError(
                    "pct_start", "leaves no falling phase", self.pct_start)

    def _key_steps(self) -> list[Any]:
        first = float(self.pct_start) * self.transition_steps - 1
        ends = [first, 2 * first] if self.three_phase else [first]
        return [round(x) for x in ends] + [self.transition_steps - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.to_float(bk.count(self.transition_steps))
        peak = bk.value(self.peak_value)
        low = peak / bk.value(self.div_factor)
        final = low / bk.value(self.final_div_factor)
        first = bk.value(self.pct_start) * T - 1.0
        last = T - 1.0
        if self.three_phase:
            phases = [(0.0, first, low, peak), (first, 2.0 * first, peak, low),
                      (2.0 * first, last, low, final)]
        else:
            phases = [(0.0, first, low, peak), (first, last, peak, final)]
        tv = t.value()
        out = final + xp.zeros_like(tv)
        for start, end, a, b in reversed(phases):
            piece = anneal(bk, self.anneal, a, b, tv - start, end - tv, end - start)
            out = xp.where(tv <= end, piece, out)
        return out
