"""Cyclical schedules: the triangular CLR family and one-cycle."""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, choice, flag, known, level, nested, steps, value
from jaxsched._numerics import Array, Backend, Count, Steps, power
from jaxsched._shapes import ANNEAL, anneal, fall

CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
CYCLIC_SHAPES = ("linear", "cosine")
SCALE_MODES = ("cycle", "iterations")


class Cyclic(Schedule, name="cyclic"):
    r"""Cyclical learning rate (Smith, arXiv 1506.01186), as torch ``CyclicLR``.

    A cycle rises for ``step_size_up`` steps and falls for ``step_size_down``. With cycle index
    :math:`c = \lfloor k / (u + d) \rfloor` and position :math:`e = k - c(u + d)`,

    .. math::
        x = \begin{cases} e/u & e \le u \\ (u + d - e)/d & e > u \end{cases}, \qquad
        s(k) = b + (m - b)\, x\, g

    with :math:`g = 1` (``"triangular"``), :math:`g = 2^{-c}` (``"triangular2"``),
    :math:`g = \gamma^{k}` (``"exp_range"``), or a schedule ``scale`` evaluated at the cycle index
    :math:`c` or at the step :math:`k` (``scale_mode``). With ``shape="cosine"`` the ramps are half cosines,
    :math:`x = (1 - \cos(\pi e/u))/2` rising and :math:`(1 + \cos(\pi (e - u)/d))/2` falling; with
    ``max_value < base_value`` the wave starts at its top (torch's ``CosineAnnealingLR`` is
    ``cyclic(lr, eta_min, T, T, shape="cosine")``). The cycle position is integer arithmetic, exact at any
    step, and the value is computed from whichever end of the ramp is nearer, so a wave whose low end is
    near 0 keeps full float32 precision there.

    Args:
      base_value: the low end :math:`b`.
      max_value: the high end :math:`m` of the first cycle.
      step_size_up: :math:`u > 0` steps; a fractional size must be a multiple of 1/256 (cycle positions
        stay exact at every step; torch's float64 arithmetic is what it is reproduced against).
      step_size_down: :math:`d \ge 0` steps (default :math:`u`); 0 draws a sawtooth, as torch does.
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: :math:`\gamma` of ``"exp_range"``, in (0, 1].
      shape: ``"linear"`` (a triangle) or ``"cosine"`` (half cosines).
      scale: an optional schedule :math:`g` replacing the mode's factor (``mode`` stays ``"triangular"``).
      scale_mode: ``"cycle"`` (``scale`` at the cycle index :math:`c`, from 0) or ``"iterations"`` (at
        the step :math:`k`).

    Returns:
      A periodic :class:`~jaxsched.Schedule` (it keeps cycling).

    Example:
      >>> import jaxsched
      >>> s = jaxsched.cyclic(0.1, 1.0, step_size_up=2, step_size_down=3, mode="triangular2")
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.325, 0.55]
      >>> w = jaxsched.cyclic(1.0, 0.0, step_size_up=2, shape="cosine")  # starts at its top
      >>> [round(float(w(k)), 4) for k in range(5)]
      [1.0, 0.5, 0.0, 0.5, 1.0]
    """

    base_value: Real = level()
    max_value: Real = level()
    step_size_up: Span = steps(minimum=0, fractional=True)
    step_size_down: Span | None = steps(default=None, minimum=0, fractional=True)
    mode: str = choice(CYCLIC_MODES, default="triangular")
    gamma: Real = value(default=1.0, minimum=0.0, maximum=1.0, min_open=True)
    shape: str = choice(CYCLIC_SHAPES, default="linear")
    scale: Schedule | None = nested(default=None)
    scale_mode: str = choice(SCALE_MODES, default="cycle")

    examples = (
        {"base_value": 1e-4, "max_value": 1e-3, "step_size_up": 200},
        {
            "base_value": 1e-3,
            "max_value": 1e-5,
            "step_size_up": 500,
            "step_size_down": 500,
            "shape": "cosine",
        },
        {
            "base_value": 1e-4,
            "max_value": 1e-3,
            "step_size_up": 50,
            "step_size_down": 70,
            "scale": {
                "name": "exponential_decay",
                "init_value": 1.0,
                "transition_steps": 1,
                "decay_rate": 0.9,
            },
        },
        {
            "base_value": 1e-4,
            "max_value": 1e-3,
            "step_size_up": 100,
            "step_size_down": 300,
            "mode": "triangular2",
        },
        {"base_value": 1e-4, "max_value": 1e-3, "step_size_up": 100, "mode": "exp_range", "gamma": 0.999},
    )

    def __check_init__(self) -> None:
        if known(self.step_size_up) and self.step_size_up == 0:
            raise v.ScheduleArgumentError("step_size_up", "must be > 0", self.step_size_up)
        if self.scale is not None and self.mode != "triangular":
            raise v.ScheduleArgumentError(
                "mode", "scale replaces the mode's factor: leave mode at 'triangular'", self.mode
            )
        for name in ("step_size_up", "step_size_down"):
            size = getattr(self, name)
            if isinstance(size, float) and (size * _UNITS) % 1:
                raise v.ScheduleArgumentError(
                    name,
                    f"a fractional size must be a multiple of 1/{_UNITS} so that cycle positions stay "
                    f"exact at every step (round it, e.g. to {round(size * _UNITS) / _UNITS})",
                    size,
                )
        up, down = self.step_size_up, self.step_size_down
        total = up + (up if down is None else down) if known(up) and (down is None or known(down)) else None
        fractional = isinstance(total, float) and not total.is_integer()
        if total is not None and fractional and total > _MAX_FRACTIONAL:
            raise v.ScheduleArgumentError(
                "step_size_up", f"a cycle with a fractional length must be <= 2**23 steps, got {total}", up
            )

    def _key_steps(self) -> list[Any]:
        up = self.step_size_up
        total = up + (self.step_size_down if self.step_size_down is not None else up)
        return [up, total, total + up, 2 * total]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        up = bk.span(self.step_size_up)
        down = up if self.step_size_down is None else bk.span(self.step_size_down)
        c, e, r, to_top = _cycle_position(bk, t, up, down)
        upf, downf = bk.to_float(up), bk.to_float(down)
        rising = to_top >= 0
        # The ramp holding the step: elapsed, remaining and length; `left` is the fraction of the ramp
        # still ahead and `done` its complement, each computed from its own end (no cancellation).
        el = xp.where(rising, e, -to_top)
        rem = xp.where(rising, to_top, r)
        length = xp.where(rising, upf, downf)
        left = fall(bk, self.shape, el, rem, length)
        done = fall(bk, self.shape, rem, el, length)
        x, y = xp.where(rising, done, left), xp.where(rising, left, done)  # x: height in [0, 1]; y = 1 - x
        base, top = bk.value(self.base_value), bk.value(self.max_value)
        if self.scale is not None:
            at = Steps(bk, c) if self.scale_mode == "cycle" else t
            g = bk.value(self.scale.evaluate(bk, at))
        elif self.mode == "triangular2":
            g = 0.5 ** bk.to_float(c)
        elif self.mode == "exp_range":
            g = power(bk, self.gamma, t.value())
        else:
            g = None
        amp = top - base if g is None else (top - base) * g
        peak = top if g is None else base + amp
        # From the nearer end: the low end b + amp x near the cycle's start, the top peak - amp y near the
        # turn (a wave whose top is near 0, torch's cosine annealing, keeps its precision there).
        return xp.where(x <= 0.5, base + amp * x, peak - amp * y)


_UNITS = 256
"""Fractional cycle sizes are multiples of 1/_UNITS steps: _UNITS cycles then span a whole number of steps."""
_MAX_FRACTIONAL = 2**23


def _cycle_position(
    bk: Backend, t: Steps, up: Array | Count, down: Array | Count
) -> tuple[Array, Array, Array, Array]:
    """The cycle index ``c``, the steps ``e`` since the cycle's start, ``r`` to its end and ``up - e`` (to
    the top, negative past it), for cycles of ``up + down`` steps; exact at every step up to 2**31 - 1.
    Each distance is computed from the integer parts first, so a short ramp after a long one keeps its
    precision (``e - up`` in float32 would be off by up to half an ulp of ``e``).

    Whole cycles: an integer quotient. Fractional ones (multiples of 1/256): 256 cycles are a whole number
    ``Q`` of steps, so ``t mod Q`` is exact, and inside those 256 cycles the position is an exact integer
    minus a multiple of 1/256.
    """
    xp = bk.xp
    whole = bk.is_int(up) and bk.is_int(down)
    if whole:
        total = bk.add(up, down)
        c = t.n // total
        start = c * total
        return c, t.since(start), t.left_in(start, total, nonneg=True), t.left_in(start, up, nonneg=True)
    un, uf = bk.nf(up)
    dn, df = bk.nf(down)
    # Units of 1/256 step in the fraction (exact for the sizes __check_init__ accepts).
    units = (0.0 if uf is None else uf) * _UNITS + (0.0 if df is None else df) * _UNITS
    m = xp.round(units).astype(bk.int_dtype)
    n = un + dn + m // _UNITS
    m = m % _UNITS
    total_f = bk.to_float(n) + bk.to_float(m) / _UNITS
    q = xp.maximum(n * _UNITS + m, 1)  # steps in _UNITS cycles (<= 2**31 - 1 for sizes <= 2**23)
    sup = t.n // q
    u = t.n - sup * q  # exact, in [0, q)
    ci = xp.floor(bk.to_float(u) / total_f).astype(bk.int_dtype)
    for _ in range(2):  # the float quotient may be one off: fix it on the exact remainder, in integers
        e_int = u - ci * n  # e = e_int - ci * m / 256: e < 0 and e >= n + m / 256, without rounding
        before = e_int < (ci * m + _UNITS - 1) // _UNITS
        after = e_int - n >= ((ci + 1) * m + _UNITS - 1) // _UNITS
        ci = xp.where(before, ci - 1, xp.where(after, ci + 1, ci))
    e_int = u - ci * n
    e = bk.to_float(e_int) - bk.to_float(ci * m) / _UNITS
    r = bk.to_float(n - e_int) + bk.to_float((ci + 1) * m) / _UNITS
    to_top = bk.to_float(un - e_int) + (bk.to_float(ci * m) / _UNITS + (0.0 if uf is None else uf))
    if t.f is not None:
        e, r, to_top = e + t.f, r - t.f, to_top - t.f
    c = sup * _UNITS + ci
    if bk.is_numpy or not (isinstance(up, Count) or isinstance(down, Count)):
        return c, e, r, to_top
    # Traced sizes may also make whole cycles of any length: the integer quotient there (no 2**23 limit).
    total_i = n
    ci_w = t.n // xp.maximum(total_i, 1)
    start = ci_w * total_i
    use_whole = m == 0
    return (
        xp.where(use_whole, ci_w, c),
        xp.where(use_whole, t.since(start), e),
        xp.where(use_whole, t.left_in(start, total_i, nonneg=True), r),
        xp.where(use_whole, t.left_in(start, up, nonneg=True), to_top),
    )


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
    ``jaxsched.compat.torch.OneCycleLR`` for that, or ``after_end="extrapolate"``), and optax's
    ``cosine_onecycle_schedule`` puts the phase ends one step later (``jaxsched.compat.optax`` reproduces it).

    Two of torch's behaviours are parameters: ``after_end="extrapolate"`` continues the last phase up to
    step :math:`T` (a reflected cosine, or a straight line that is floored at 0) and holds :math:`z` from
    :math:`T + 1` on; ``short_rise=True`` accepts :math:`\text{pct\_start}\,T < 1`: the rise then ends
    before step 0 and the curve starts inside the fall (only :math:`\text{pct\_start}\,T = 1`, a rise of
    length 0, is refused). ``initial_value`` and ``final_value`` set :math:`a` and :math:`z` directly (a
    momentum curve, say, which falls to its ``peak_value`` and rises back).

    Args:
      transition_steps: :math:`T`, the number of updates of the cycle (>= 2; 1 with ``short_rise``).
      peak_value: :math:`P`.
      pct_start: fraction of :math:`T` spent rising; needs :math:`\text{pct\_start}\,T > 1`.
      div_factor: :math:`P / a > 0`.
      final_div_factor: :math:`a / z > 0`.
      anneal: ``"cos"`` or ``"linear"``.
      three_phase: use the three-phase variant.
      after_end: ``"hold"`` (:math:`z` from :math:`T - 1` on) or ``"extrapolate"`` (torch's step
        :math:`T`).
      short_rise: accept a rise that ends before step 0 (:math:`\text{pct\_start}\,T < 1`).
      initial_value: :math:`a`, instead of ``peak_value / div_factor``.
      final_value: :math:`z`, instead of :math:`a` / ``final_div_factor``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.one_cycle(transition_steps=10, peak_value=1.0)
      >>> round(float(s(0)), 6), float(s(2)), round(float(s(9)), 9)
      (0.04, 1.0, 4e-06)
    """

    transition_steps: StepCount = steps(minimum=1)
    peak_value: Real = level()
    pct_start: Real = value(default=0.3, minimum=0.0, maximum=1.0)
    div_factor: Real = value(default=25.0, minimum=0.0, min_open=True)
    final_div_factor: Real = value(default=1e4, minimum=0.0, min_open=True)
    anneal: str = choice(ANNEAL, default="cos")
    three_phase: bool = flag(default=False)
    after_end: str = choice(("hold", "extrapolate"), default="hold")
    short_rise: bool = flag(default=False)
    initial_value: Real | None = level(default=None)
    final_value: Real | None = level(default=None)

    examples = (
        {"transition_steps": 1000, "peak_value": 1e-2},
        {
            "transition_steps": 1000,
            "peak_value": 1e-2,
            "pct_start": 0.25,
            "anneal": "linear",
            "three_phase": True,
        },
        {
            "transition_steps": 100,
            "peak_value": 0.85,
            "pct_start": 0.005,
            "initial_value": 0.95,
            "final_value": 0.95,
            "after_end": "extrapolate",
            "short_rise": True,
        },
    )

    def __check_init__(self) -> None:
        if known(self.transition_steps) and self.transition_steps < 2 and not self.short_rise:
            raise v.ScheduleArgumentError("transition_steps", "must be >= 2", self.transition_steps)
        if known(self.transition_steps, self.pct_start):
            first = float(self.pct_start) * self.transition_steps - 1
            last = self.transition_steps - 1
            if first == 0 and self.short_rise:
                raise v.ScheduleArgumentError(
                    "pct_start", "gives the rise length 0 (pct_start * transition_steps = 1)", self.pct_start
                )
            if first <= 0 and not self.short_rise:
                raise v.ScheduleArgumentError(
                    "pct_start",
                    f"leaves no rising phase (pct_start * transition_steps = {first + 1:g} must be > 1)",
                    self.pct_start,
                )
            if (2 * first if self.three_phase else first) >= last:
                raise v.ScheduleArgumentError("pct_start", "leaves no falling phase", self.pct_start)

    def _key_steps(self) -> list[Any]:
        first = float(self.pct_start) * self.transition_steps - 1
        ends = [first, 2 * first] if self.three_phase else [first]
        return [round(x) for x in ends] + [self.transition_steps - 1]

    def _phase_ends(self, bk: Backend) -> list[Array | Count]:
        """The (fractional) steps where the phases end, as exact counts: ``pct_start * T - 1`` (and twice
        that for the three-phase variant) computed in float64 on the host when the arguments are known,
        as torch does, so a phase end near step 1e9 is not rounded to float32's 64-step grid."""
        T = self.transition_steps
        pct, total = bk.plain(self.pct_start), bk.plain(T)
        if pct is not None and total is not None:
            first = [pct * total - 1.0, 2.0 * pct * total - 2.0]
        else:
            p = bk.value(self.pct_start) * bk.to_float(bk.count(T)) - 1.0
            first = [p, 2.0 * p]
        ends = [bk.span(first[0])]
        if self.three_phase:
            ends.append(bk.span(first[1]))
        return [*ends, bk.count(T) - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        peak = bk.value(self.peak_value)
        if self.initial_value is None:
            low = peak / bk.value(self.div_factor)
        else:
            low = bk.value(self.initial_value)
        if self.final_value is None:
            final = low / bk.value(self.final_div_factor)
        else:
            final = bk.value(self.final_value)
        ends = self._phase_ends(bk)
        levels = [low, peak, low, final] if self.three_phase else [low, peak, final]
        starts: list[Any] = [bk.count(0), *ends[:-1]]
        out = final + xp.zeros_like(bk.to_float(t.n))
        last = len(ends) - 1
        for i, start, end, a, b in reversed(
            list(zip(range(len(ends)), starts, ends, levels[:-1], levels[1:], strict=True))
        ):
            elapsed, remaining = t.since(start), t.until(end)
            length = bk.to_float(end) - bk.to_float(start)
            piece = anneal(bk, self.anneal, a, b, elapsed, remaining, length)
            if i == last and self.after_end == "extrapolate":
                # One step past the end the last phase goes on (floored at 0), as torch computes it.
                out = xp.where(remaining >= -1.0, xp.maximum(piece, 0.0), out)
            else:
                out = xp.where(remaining >= 0, piece, out)
        return out
