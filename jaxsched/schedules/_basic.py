"""Constant, polynomial (linear), exponential, step, multistep, piecewise and inverse-time schedules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import (
    FLOAT32_MAX,
    Real,
    Span,
    StepCount,
    choice,
    flag,
    known,
    level,
    pairs,
    static,
    steps,
    steps_seq,
    value,
)
from jaxsched._numerics import Array, Backend, Steps, floor_div, power
from jaxsched._shapes import half_cosine, warped


class Constant(Schedule, name="constant"):
    r"""A constant value.

    .. math:: s(k) = v

    Args:
      value: the value at every step.

    Returns:
      A :class:`~jaxsched.Schedule`; unlike ``optax.constant_schedule`` it always returns an array.

    Example:
      >>> import jaxsched
      >>> float(jaxsched.constant(0.1)(1000))
      0.10000000149011612
    """

    value: Real = level()

    examples = ({"value": 0.1},)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return bk.value(self.value)


class Polynomial(Schedule, name="polynomial"):
    r"""Polynomial interpolation from ``init_value`` to ``end_value``, as ``optax.polynomial_schedule``.

    With :math:`B` = ``transition_begin``, :math:`T` = ``transition_steps``,
    :math:`r(k) = \operatorname{clip}(B + T - k, 0, T)` the steps left and :math:`e(k) = T - r(k)`,

    .. math:: s(k) = E + (I - E) \left(1 - \left(\frac{e(k)}{T}\right)^{\kappa}\right)^{p}

    so ``s(k) = I`` for ``k <= B`` and ``s(k) = E`` for ``k >= B + T``; with :math:`\kappa = 1` (the
    default) the factor is :math:`(r(k)/T)^p`. The remaining steps are an exact integer difference, so the
    tail keeps full float32 precision at any horizon (with :math:`\kappa \ne 1`, :math:`1 - (e/T)^\kappa`
    is taken from the steps left near the end, ``expm1``/``log1p``).

    Args:
      init_value: value up to ``transition_begin``.
      end_value: value from ``transition_begin + transition_steps`` on.
      power: the exponent :math:`p > 0`.
      transition_steps: length :math:`T > 0` of the transition (optax falls back to a constant for
        ``T <= 0``; here that is an error).
      transition_begin: steps :math:`B >= 0` to hold ``init_value`` first.
      k_decay: :math:`\kappa > 0`, timm's time warp of the progress (arXiv 2004.05909, timm's
        ``PolyLRScheduler``).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.polynomial(init_value=1.0, end_value=0.01, power=2, transition_steps=100)
      >>> round(float(s(50)), 6)
      0.2575
    """

    init_value: Real = level()
    end_value: Real = level()
    power: Real = value(minimum=0.0, min_open=True)
    transition_steps: Span = steps(minimum=1, fractional=True)
    transition_begin: StepCount = steps(default=0)
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"init_value": 1.0, "end_value": 0.01, "power": 2.0, "transition_steps": 100, "transition_begin": 5},
        {"init_value": 1.0, "end_value": 0.01, "power": 0.5, "transition_steps": 100, "k_decay": 2.0},
        {"init_value": 0.01, "end_value": 1.0, "power": 2.0, "transition_steps": 100, "k_decay": 0.7},
    )

    def _key_steps(self) -> list[Any]:
        return [self.transition_begin, self.transition_begin + self.transition_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.span(self.transition_steps)
        B = bk.count(self.transition_begin)
        length = bk.to_float(T)
        init, last = bk.value(self.init_value), bk.value(self.end_value)
        linear = bk.plain(self.power) == 1.0
        # Counted from the end value when it is the smaller one (a decay), from the initial value
        # when it is the larger one (a rise): the small end never comes out of a cancellation.
        left = t.left_in(B, T, nonneg=True)  # exact, even when B + T is past the last step
        # The (warped) progress from the start and what is left of it, each exact at its own end.
        progress, frac = warped(
            bk, xp.clip(t.since(B), 0.0, length), xp.clip(left, 0.0, length), length, self.k_decay
        )
        fall = last + (init - last) * (frac if linear else frac ** bk.value(self.power))
        grows = bk.larger(self.end_value, self.init_value)
        if grows is False:
            return fall
        # "Finished" is decided on integers: a float ratio T/T may round below 1 in vectorised XLA.
        finished = left <= 0
        done = xp.where(finished, 1.0, progress)
        if not linear:
            # 1 - (1 - done)**p: from the start through expm1/log1p (no cancellation for small done),
            # near the end from the exact steps left (1 - frac**p, where frac**p is small).
            inside = xp.where(finished, 0.0, done)
            early = -xp.expm1(bk.value(self.power) * xp.log1p(-inside))
            late = 1.0 - frac ** bk.value(self.power)
            done = xp.where(finished, 1.0, xp.where(done <= 0.5, early, late))
        rise = xp.where(done >= 1, last, init + (last - init) * done)  # exactly E from the end on
        if grows is True:
            return rise
        return xp.where(xp.abs(last) > xp.abs(init), rise, fall)


class Linear(Polynomial, name="linear"):
    r"""Linear interpolation from ``init_value`` to ``end_value``, as ``optax.linear_schedule``.

    .. math:: s(k) = E + (I - E)\,\frac{\operatorname{clip}(B + T - k, 0, T)}{T}

    Args:
      init_value: value up to ``transition_begin``.
      end_value: value from ``transition_begin + transition_steps`` on.
      transition_steps: length :math:`T > 0` of the ramp.
      transition_begin: steps :math:`B >= 0` to hold ``init_value`` first.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.linear(init_value=1.0, end_value=0.0, transition_steps=4, transition_begin=2)
      >>> [float(s(k)) for k in (0, 2, 3, 5, 6, 100)]
      [1.0, 1.0, 0.75, 0.25, 0.0, 0.0]
    """

    init_value: Real = level()
    end_value: Real = level()
    transition_steps: Span = steps(minimum=1, fractional=True)
    transition_begin: StepCount = steps(default=0)
    power: float = static(default=1.0, init=False)
    k_decay: float = static(default=1.0, init=False)

    examples = ({"init_value": 1.0, "end_value": 0.0, "transition_steps": 100},)


class ExponentialDecay(Schedule, name="exponential_decay"):
    r"""Exponential decay, as ``optax.exponential_decay``.

    With :math:`d = k - B`,

    .. math:: s(k) = \begin{cases} I & d \le 0 \\ I\, \gamma^{d/T} & d > 0 \end{cases}

    (:math:`\lfloor d/T \rfloor` with ``staircase``), then bounded by ``end_value``: a floor when
    :math:`\gamma < 1`, a ceiling when :math:`\gamma > 1`. Unlike optax, ``decay_rate`` may be traced.

    Args:
      init_value: value up to ``transition_begin``.
      transition_steps: steps :math:`T > 0` per factor of ``decay_rate``.
      decay_rate: :math:`\gamma > 0` (optax accepts 0 and negative rates and returns NaN or sign flips);
        a rate above 1 needs ``end_value`` as its ceiling.
      transition_begin: steps :math:`B >= 0` before the decay starts.
      staircase: decay in whole steps of ``transition_steps``.
      end_value: optional bound, as above.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.exponential_decay(1.0, transition_steps=2, decay_rate=0.5)
      >>> [round(float(s(k)), 4) for k in range(5)]
      [1.0, 0.7071, 0.5, 0.3536, 0.25]
    """

    init_value: Real = level()
    transition_steps: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(minimum=0.0, min_open=True)
    transition_begin: StepCount = steps(default=0)
    staircase: bool = flag(default=False)
    end_value: Real | None = level(default=None)

    examples = (
        {"init_value": 1.0, "transition_steps": 10, "decay_rate": 0.5},
        {
            "init_value": 1.0,
            "transition_steps": 10,
            "decay_rate": 0.5,
            "transition_begin": 5,
            "staircase": True,
            "end_value": 0.1,
        },
    )

    def __check_init__(self) -> None:
        if self.end_value is None and known(self.decay_rate) and self.decay_rate > 1:
            # A growing exponential without a ceiling overflows to inf at large steps.
            raise v.ScheduleArgumentError(
                "decay_rate", "> 1 grows without bound: give end_value as its ceiling", self.decay_rate
            )

    def _key_steps(self) -> list[Any]:
        return [self.transition_begin]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.span(self.transition_steps)
        B = bk.count(self.transition_begin)
        d = t.since(B)
        if bk.is_int(T) and bk.is_int(B):
            # An exact whole number of periods plus a fraction: a large exponent is never rounded.
            n = xp.maximum(t.n - B, 0)
            whole = bk.quotient(n, T)
            exponents = [bk.to_float(whole)]
            if not self.staircase:
                part = bk.to_float(n - whole * T)
                if t.f is not None:
                    part = part + xp.where(d > 0, t.f, 0.0)
                exponents.append(part / bk.to_float(T))
        elif self.staircase:
            exponents = [floor_div(bk, xp.maximum(d, 0.0), T)]
        else:
            exponents = [xp.maximum(d, 0.0) / bk.to_float(T)]
        out = power(bk, self.decay_rate, *exponents, scale=self.init_value)
        if self.end_value is not None:
            end, rate = bk.value(self.end_value), bk.plain(self.decay_rate)
            if rate is not None:
                out = xp.maximum(out, end) if rate < 1 else xp.minimum(out, end)
            else:
                out = xp.where(bk.value(self.decay_rate) < 1, xp.maximum(out, end), xp.minimum(out, end))
        return out


class InverseTimeDecay(Schedule, name="inverse_time_decay"):
    r"""Inverse-time decay, as Keras ``InverseTimeDecay``.

    .. math:: s(k) = \frac{I}{1 + \gamma\, k / T}

    (:math:`\lfloor k/T \rfloor` with ``staircase``).

    Args:
      init_value: value at step 0.
      decay_steps: :math:`T > 0`.
      decay_rate: :math:`\gamma >= 0`.
      staircase: use whole multiples of ``decay_steps``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> float(jaxsched.inverse_time_decay(1.0, decay_steps=10, decay_rate=1.0)(10))
      0.5
    """

    init_value: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(minimum=0.0)
    staircase: bool = flag(default=False)

    examples = ({"init_value": 0.1, "decay_steps": 100, "decay_rate": 0.5},)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        T = bk.span(self.decay_steps)
        if self.staircase:
            p = bk.to_float(t.n // T) if bk.is_int(T) else floor_div(bk, t.value(), T)
        else:
            p = t.value() / bk.to_float(T)
        return bk.value(self.init_value) / (1.0 + bk.value(self.decay_rate) * p)


class StepDecay(Schedule, name="step_decay"):
    r"""Decay by ``decay_rate`` every ``step_size`` steps, as torch ``StepLR``.

    .. math:: s(k) = I\, \gamma^{\lfloor k / n \rfloor}

    Args:
      init_value: value for the first ``step_size`` steps.
      step_size: :math:`n >= 1`; may be fractional (timm's ``StepLRScheduler`` takes ``decay_t=2.5``).
      decay_rate: :math:`\gamma >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.step_decay(1.0, step_size=2, decay_rate=0.5)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    init_value: Real = level()
    step_size: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(minimum=0.0, maximum=1.0)

    examples = ({"init_value": 0.1, "step_size": 30, "decay_rate": 0.1},)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        size = bk.count(self.step_size)
        if bk.is_int(size):
            k = t.n // size
        else:  # a step size beyond the integer range: no step reaches it
            k = bk.xp.where(size >= 2.0**31, 0.0, floor_div(bk, t.value(), size))
        return power(bk, self.decay_rate, bk.to_float(k), scale=self.init_value)


class MultistepDecay(Schedule, name="multistep_decay"):
    r"""Decay by ``decay_rate`` at each milestone, as torch ``MultiStepLR``.

    .. math:: s(k) = I\, \gamma^{\#\{i \,:\, m_i \le k\}}

    A milestone listed twice decays twice (torch keeps a ``Counter``); order does not matter.

    Args:
      init_value: value before the first milestone.
      milestones: steps :math:`m_i >= 0` at which the value is multiplied by :math:`\gamma`.
      decay_rate: :math:`\gamma >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.multistep_decay(1.0, milestones=[2, 2, 4], decay_rate=0.5)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 1.0, 0.25, 0.25, 0.125, 0.125]
    """

    init_value: Real = level()
    milestones: tuple[StepCount, ...] = steps_seq()
    decay_rate: Real = value(minimum=0.0)

    examples = ({"init_value": 0.1, "milestones": [30, 60, 80], "decay_rate": 0.1},)

    def _key_steps(self) -> list[Any]:
        return list(self.milestones)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        k = xp.zeros_like(bk.to_float(t.n))
        for m in self.milestones:
            k = k + xp.where(t.ge(bk.count(m)), 1.0, 0.0)
        return power(bk, self.decay_rate, k, scale=self.init_value)


class _Pieces(Schedule):
    """Shared bookkeeping of the ``boundaries_and_scales`` schedules (stored as sorted pairs)."""

    def _pairs(self) -> tuple[tuple[Any, Any], ...]:
        """The normalised ``(boundary, scale)`` pairs, sorted (the field accepts a mapping too)."""
        pairs: tuple[tuple[Any, Any], ...] = self.boundaries_and_scales  # type: ignore[attr-defined]
        return pairs

    def _key_steps(self) -> list[Any]:
        return [b for b, _ in self._pairs()]


class PiecewiseConstant(_Pieces, name="piecewise_constant"):
    r"""Piecewise constant with multiplicative scales, as ``optax.piecewise_constant_schedule``.

    .. math:: s(k) = I \prod_{b_i \le k} c_i

    Args:
      init_value: value before the first boundary; it may be negative (the scales multiply it, so the
        schedule keeps its sign: optax's own test schedules -0.1).
      boundaries_and_scales: ``{boundary: scale}``; each scale :math:`c_i >= 0` multiplies the value from
        its boundary on (inclusive).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.piecewise_constant(0.1, {3: 2.0, 6: 0.5})
      >>> [round(float(s(k)), 6) for k in (2, 3, 6)]
      [0.1, 0.2, 0.1]
    """

    init_value: Real = value(minimum=-FLOAT32_MAX, maximum=FLOAT32_MAX)
    boundaries_and_scales: Mapping[int, float] | tuple[tuple[int, float], ...] = pairs(default=None)

    examples = ({"init_value": 0.1, "boundaries_and_scales": {100: 0.5, 200: 0.2}},)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        out = bk.value(self.init_value) + xp.zeros_like(bk.to_float(t.n))
        for b, s in self._pairs():
            out = xp.where(t.ge(bk.count(b)), out * bk.value(s), out)
        return out


class PiecewiseInterpolate(_Pieces, name="piecewise_interpolate"):
    r"""Interpolation between accumulated scales, as ``optax.piecewise_interpolate_schedule``.

    With boundaries :math:`0 = b_0 \le b_1 < \dots < b_n` and values :math:`v_0 = I`,
    :math:`v_i = v_{i-1} c_i`, inside :math:`[b_i, b_{i+1})` with :math:`p = (k - b_i)/\max(b_{i+1}-b_i, 1)`:

    .. math::
        s(k) = v_i + (v_{i+1} - v_i)\,p \quad\text{(linear)}, \qquad
        s(k) = v_{i+1} + (v_i - v_{i+1})\,\tfrac{1 + \cos \pi p}{2} \quad\text{(cosine)}

    and :math:`v_n` from :math:`b_n` on. As in optax the *products* of the scales are interpolated.

    Args:
      interpolate_type: ``"linear"`` or ``"cosine"``.
      init_value: value at step 0.
      boundaries_and_scales: ``{boundary: scale}``, scales :math:`c_i >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`. Negative steps count as 0 (optax returns 0 for them).

    Example:
      >>> import jaxsched
      >>> s = jaxsched.piecewise_interpolate("linear", 200.0, {5: 1.5, 10: 0.25})
      >>> [float(s(k)) for k in (0, 5, 9, 10, 11)]
      [200.0, 300.0, 120.0, 75.0, 75.0]
    """

    interpolate_type: str = choice(("linear", "cosine"))
    init_value: Real = level()
    boundaries_and_scales: Mapping[int, float] | tuple[tuple[int, float], ...] = pairs(default=None)

    examples = (
        {"interpolate_type": "linear", "init_value": 200.0, "boundaries_and_scales": {50: 1.5, 100: 0.25}},
        {"interpolate_type": "cosine", "init_value": 1.0, "boundaries_and_scales": {30: 10.0, 100: 0.001}},
    )

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        value = bk.value(self.init_value)
        out = value + xp.zeros_like(bk.to_float(t.n))
        start = bk.count(0)
        first = True
        for b, s in self._pairs():
            end = bk.count(b)
            nxt = value * bk.value(s)
            size = xp.maximum(bk.to_float(end - start) if bk.is_int(end) else end - start, 1.0)
            elapsed = t.since(start)
            # The steps left, exact from the end (size - elapsed loses them in float32 at long pieces); a
            # piece of length 0 is never used.
            remaining = t.until(end)
            if self.interpolate_type == "linear":
                piece = xp.where(
                    elapsed <= remaining,
                    value + (nxt - value) * (elapsed / size),
                    nxt + (value - nxt) * (remaining / size),
                )
            else:
                # From the smaller end of the piece, so neither end comes out of a cancellation.
                fall = nxt + (value - nxt) * half_cosine(bk, elapsed, remaining, size)
                rise = value + (nxt - value) * half_cosine(bk, remaining, elapsed, size)
                grows = bk.larger(s, 1.0)
                if grows is None:
                    piece = xp.where(bk.value(s) > 1, rise, fall)
                else:
                    piece = rise if grows else fall
            # Sorted boundaries: each piece overrides the previous ones from its own start on.
            out = piece if first else xp.where(t.ge(start), piece, out)
            value, start, first = nxt, end, False
        return xp.where(t.ge(start), value, out)
