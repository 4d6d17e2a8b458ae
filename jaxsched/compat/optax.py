"""optax's schedules under their own names and signatures, as jaxsched schedules.

Switching is one import line::

    from jaxsched.compat import optax as sched      # instead of: import optax as sched
    lr = sched.warmup_cosine_decay_schedule(0.0, 1e-3, warmup_steps=100, decay_steps=1000)

Every function here takes exactly optax's arguments (names, order, defaults) and returns a
:class:`~jaxsched.Schedule` whose value at every count equals optax 0.2.8's, *including optax's quirks*
(listed in each docstring): ``warmup_constant_schedule`` with ``warmup_steps=0`` stays at ``init_value``,
``warmup_cosine_decay_schedule`` with ``peak_value == 0`` ignores ``end_value``, the one-cycle schedules
place their phases with ``int()`` and lose a phase when two boundaries collide, non-positive
``transition_steps`` fall back to a constant, and so on. Unlike optax's closures the results are
picklable, have a config (``to_config``/``jaxsched.from_config``), compare by value and are pytrees, so a
stacked batch of them can be ``jax.vmap``-ed. Each schedule is a thin mapping onto the native catalog
(:mod:`jaxsched.schedules`); use the native names for the corrected behaviour.

Differences that remain, by design:

- Negative counts are treated as 0 (optax evaluates its formulas there: ``cosine_decay_schedule`` is
  symmetric about 0, ``piecewise_interpolate_schedule`` returns 0).
- Arguments that would give NaN or inf in optax (a negative ``decay_rate``, a negative ``power`` or
  ``exponent``, a negative scale) raise at construction, as do fractional or negative boundaries.
- ``join_schedules`` takes jaxsched schedules (or numbers) and rejects unsorted boundaries; like optax it
  silently drops extra schedules or boundaries (``zip`` semantics).
- The result is always an array (optax returns the raw Python value from its constant fallbacks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jaxsched import _validate as v
from jaxsched._combinators import Join
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps, is_concrete
from jaxsched.schedules._basic import (
    ExponentialDecay,
    PiecewiseConstant,
    PiecewiseInterpolate,
    Polynomial,
    _pairs,
)
from jaxsched.schedules._cosine import CosineDecay, WarmupCosineDecay
from jaxsched.schedules._warmup import WarmupExponentialDecay, linear_warmup

__all__ = [
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]


def _positive_or_fallback(bk: Backend, x: Any) -> tuple[Array, Array]:
    """``(x <= 0, x with non-positive entries replaced by 1)``: optax's constant fallback, kept finite."""
    xp = bk.xp
    c = bk.count(x)
    bad = c <= 0
    return bad, xp.where(bad, xp.ones_like(c), c)


def _clamp0(bk: Backend, x: Any) -> Array:
    """A ``transition_begin``: optax replaces a negative one by 0."""
    return bk.xp.maximum(bk.count(x), 0)


class ConstantSchedule(Schedule, name="compat.optax.constant_schedule"):
    r"""A constant, as ``optax.constant_schedule``.

    .. math:: s(k) = v

    Args:
      value: the value at every count.

    Returns:
      A :class:`~jaxsched.Schedule` (an array, where optax returns ``value`` itself).

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> float(sched.constant_schedule(0.5)(10))
      0.5
    """

    value: Any

    examples = ({"value": 1e-3},)

    def __check_init__(self) -> None:
        v.number("value", self.value)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return bk.value(self.value)


class PolynomialSchedule(Schedule, name="compat.optax.polynomial_schedule"):
    r"""Polynomial transition, as ``optax.polynomial_schedule``.

    With :math:`B = \max(\text{transition\_begin}, 0)` and :math:`T` = ``transition_steps``:

    .. math:: s(k) = (I - E)\left(1 - \frac{\operatorname{clip}(k - B, 0, T)}{T}\right)^{p} + E

    optax's quirks, reproduced: ``transition_steps <= 0`` gives the constant ``init_value`` (optax only
    logs at INFO level); a negative ``transition_begin`` counts as 0; ``power = 0`` is the constant
    ``init_value``. A negative ``power`` (infinite at the end in optax) is an error.

    Args:
      init_value: value up to ``transition_begin``.
      end_value: value from ``transition_begin + transition_steps`` on.
      power: :math:`p >= 0`.
      transition_steps: :math:`T` (may be fractional).
      transition_begin: :math:`B`, a whole number of steps.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.polynomial_schedule(1.0, 0.01, power=2, transition_steps=100, transition_begin=5)
      >>> [round(float(s(k)), 4) for k in (6, 104, 105)]
      [0.9803, 0.0101, 0.01]
    """

    init_value: Any
    end_value: Any
    power: Any
    transition_steps: Any
    transition_begin: Any = 0

    examples = (
        {"init_value": 1.0, "end_value": 0.01, "power": 2.0, "transition_steps": 100,
         "transition_begin": 5},
        {"init_value": 1.0, "end_value": 0.0, "power": 1.0, "transition_steps": 0},
    )

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        v.number("end_value", self.end_value)
        v.nonnegative("power", self.power)
        v.number("transition_steps", self.transition_steps)
        self._set("transition_begin", _begin(self.transition_begin))

    def _key_steps(self) -> list[Any]:
        b = max(self.transition_begin, 0)
        return [b, b + max(self.transition_steps, 0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        fallback, T = _positive_or_fallback(bk, self.transition_steps)
        out = Polynomial._unchecked(
            init_value=self.init_value, end_value=self.end_value, power=self.power,
            transition_steps=T, transition_begin=_clamp0(bk, self.transition_begin),
        ).evaluate(bk, t)
        constant = fallback | (bk.value(self.power) == 0)  # optax: (I - E) * frac**0 + E == I
        return bk.xp.where(constant, bk.value(self.init_value), out)


def _begin(b: Any) -> Any:
    """A ``transition_begin``: a whole number of steps, negative ones kept (the formula clamps them)."""
    arr = v.number("transition_begin", b)
    if arr is not None and not float(arr) == int(arr):
        raise v.ScheduleArgumentError("transition_begin", "must be a whole number of steps", b)
    return int(b) if isinstance(b, float) else b


class LinearSchedule(PolynomialSchedule, name="compat.optax.linear_schedule"):
    r"""Linear transition, as ``optax.linear_schedule`` (``polynomial_schedule`` with power 1).

    .. math:: s(k) = (I - E)\left(1 - \frac{\operatorname{clip}(k - B, 0, T)}{T}\right) + E

    As in optax, ``transition_steps <= 0`` gives the constant ``init_value`` and a negative
    ``transition_begin`` counts as 0.

    Args:
      init_value: value up to ``transition_begin``.
      end_value: value from ``transition_begin + transition_steps`` on.
      transition_steps: :math:`T` (may be fractional).
      transition_begin: :math:`B`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.linear_schedule(1.0, 0.0, transition_steps=4, transition_begin=2)
      >>> [float(s(k)) for k in (0, 2, 3, 5, 6, 100)]
      [1.0, 1.0, 0.75, 0.25, 0.0, 0.0]
    """

    init_value: Any
    end_value: Any
    transition_steps: Any
    transition_begin: Any = 0
    power: Any = static(default=1, init=False)

    examples = (
        {"init_value": 1.0, "end_value": 0.0, "transition_steps": 100},
        {"init_value": 1.0, "end_value": 0.0, "transition_steps": 2.5, "transition_begin": -3},
    )


class WarmupConstantSchedule(Schedule, name="compat.optax.warmup_constant_schedule"):
    r"""Linear warmup, then constant, as ``optax.warmup_constant_schedule``.

    .. math:: s(k) = I + (P - I)\,\frac{\min(k, W)}{W}

    optax's quirk, reproduced: ``warmup_steps <= 0`` returns ``init_value`` **forever** (optax builds a
    degenerate ``linear_schedule``). ``jaxsched.warmup_constant`` starts at the peak instead.

    Args:
      init_value: value at count 0.
      peak_value: value from ``warmup_steps`` on.
      warmup_steps: :math:`W`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> [float(sched.warmup_constant_schedule(0.0, 1.0, 4)(k)) for k in (0, 2, 4, 9)]
      [0.0, 0.5, 1.0, 1.0]
      >>> float(sched.warmup_constant_schedule(0.0, 1.0, 0)(9))   # optax's W=0 quirk
      0.0
    """

    init_value: Any
    peak_value: Any
    warmup_steps: Any

    examples = (
        {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100},
        {"init_value": 1e-4, "peak_value": 1e-3, "warmup_steps": 0},
    )

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        v.number("peak_value", self.peak_value)
        v.number("warmup_steps", self.warmup_steps)

    def _key_steps(self) -> list[Any]:
        return [max(self.warmup_steps, 0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return LinearSchedule._unchecked(
            init_value=self.init_value, end_value=self.peak_value,
            transition_steps=self.warmup_steps,
        )._formula(bk, t)


def _dict_config(s: Schedule) -> dict[str, Any]:
    """``to_config`` with ``boundaries_and_scales`` written back as a ``{boundary: scale}`` dict."""
    cfg = Schedule.to_config(s)
    cfg["boundaries_and_scales"] = {int(b): x for b, x in cfg["boundaries_and_scales"]}
    return cfg


class PiecewiseConstantSchedule(Schedule, name="compat.optax.piecewise_constant_schedule"):
    r"""Piecewise constant with multiplicative scales, as ``optax.piecewise_constant_schedule``.

    .. math:: s(k) = I \prod_{b_i \le k} c_i

    Boundaries are inclusive and sorted, as in optax. Scales must be non-negative (optax's check);
    boundaries must be whole non-negative steps (optax does not check them).

    Args:
      init_value: value before the first boundary.
      boundaries_and_scales: ``{boundary: scale}`` or ``None``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.piecewise_constant_schedule(0.1, {3: 2.0, 6: 0.5})
      >>> [round(float(s(k)), 6) for k in (2, 3, 6)]
      [0.1, 0.2, 0.1]
    """

    init_value: Any
    boundaries_and_scales: Any = None

    examples = PiecewiseConstant.examples  # the same configurations as the native schedule

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        self._set("boundaries_and_scales", _pairs("boundaries_and_scales", self.boundaries_and_scales))

    def to_config(self) -> dict[str, Any]:
        return _dict_config(self)

    def _key_steps(self) -> list[Any]:
        return [b for b, _ in self.boundaries_and_scales]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return PiecewiseConstant._unchecked(
            init_value=self.init_value, boundaries_and_scales=self.boundaries_and_scales
        ).evaluate(bk, t)


class ExponentialDecaySchedule(Schedule, name="compat.optax.exponential_decay"):
    r"""Exponential decay, as ``optax.exponential_decay``.

    With :math:`d = k - \max(B, 0)`:

    .. math:: s(k) = \begin{cases} I & d \le 0 \\ I\,\gamma^{d/T} & d > 0 \end{cases}

    (:math:`\lfloor d/T \rfloor` with ``staircase``), then clipped by ``end_value``: a floor for
    :math:`\gamma < 1`, a ceiling otherwise. optax's quirks, reproduced: ``transition_steps <= 0`` or
    ``decay_rate == 0`` give the constant ``init_value``; a negative ``transition_begin`` counts as 0. A
    negative ``decay_rate`` (NaN or sign flips in optax) is an error.

    Args:
      init_value: value up to ``transition_begin``.
      transition_steps: :math:`T`, steps per factor of ``decay_rate``.
      decay_rate: :math:`\gamma >= 0`.
      transition_begin: :math:`B`.
      staircase: decay in whole multiples of ``transition_steps``.
      end_value: optional floor or ceiling.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.exponential_decay(1.0, transition_steps=2, decay_rate=0.5)
      >>> [round(float(s(k)), 4) for k in range(5)]
      [1.0, 0.7071, 0.5, 0.3536, 0.25]
    """

    init_value: Any
    transition_steps: Any
    decay_rate: Any
    transition_begin: Any = 0
    staircase: bool = static(default=False)
    end_value: Any = None

    examples = ExponentialDecay.examples  # the same configurations as the native schedule

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        v.number("transition_steps", self.transition_steps)
        v.nonnegative("decay_rate", self.decay_rate)
        self._set("transition_begin", _begin(self.transition_begin))
        v.boolean("staircase", self.staircase)
        if self.end_value is not None:
            v.number("end_value", self.end_value)

    def _key_steps(self) -> list[Any]:
        return [max(self.transition_begin, 0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        bad_t, T = _positive_or_fallback(bk, self.transition_steps)
        rate = bk.value(self.decay_rate)
        bad_r = rate == 0
        out = ExponentialDecay._unchecked(
            init_value=self.init_value, transition_steps=T,
            decay_rate=xp.where(bad_r, xp.ones_like(rate), rate),
            transition_begin=_clamp0(bk, self.transition_begin), staircase=self.staircase,
            end_value=self.end_value,
        ).evaluate(bk, t)
        return xp.where(bad_t | bad_r, bk.value(self.init_value), out)


class CosineDecaySchedule(Schedule, name="compat.optax.cosine_decay_schedule"):
    r"""Cosine decay, as ``optax.cosine_decay_schedule``.

    .. math:: s(k) = I\left((1-\alpha)\left(\tfrac{1 + \cos(\pi \min(k, T)/T)}{2}\right)^{q} + \alpha\right)

    ``alpha`` is a fraction of ``init_value`` (values above 1 make it rise, as in optax). Raises for
    ``decay_steps <= 0`` like optax, and for a negative ``exponent`` (infinite at the end in optax).

    Args:
      init_value: value at count 0.
      decay_steps: :math:`T > 0` (may be fractional).
      alpha: :math:`\alpha`.
      exponent: :math:`q >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> [round(float(sched.cosine_decay_schedule(1.0, 4)(k)), 4) for k in range(6)]
      [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    init_value: Any
    decay_steps: Any
    alpha: Any = 0.0
    exponent: Any = 1.0

    examples = (
        {"init_value": 1e-3, "decay_steps": 1000},
        {"init_value": 1e-3, "decay_steps": 1000, "alpha": 0.1, "exponent": 2.0},
    )

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        v.positive("decay_steps", self.decay_steps)
        v.number("alpha", self.alpha)
        v.nonnegative("exponent", self.exponent)

    def _key_steps(self) -> list[Any]:
        return [self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return CosineDecay._unchecked(
            init_value=self.init_value, decay_steps=self.decay_steps, alpha=self.alpha,
            exponent=self.exponent,
        ).evaluate(bk, t)


class WarmupCosineDecaySchedule(Schedule, name="compat.optax.warmup_cosine_decay_schedule"):
    r"""Linear warmup, then cosine decay, as ``optax.warmup_cosine_decay_schedule``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        E' + (P - E')\left(\tfrac{1 + \cos\left(\pi\,\frac{\min(k, D) - W}{D - W}\right)}{2}\right)^{q}
        & k \ge W \end{cases}

    ``decay_steps`` includes the warmup. optax's quirks, reproduced: :math:`E' = 0` when
    ``peak_value == 0`` (optax computes ``alpha = end_value / peak_value`` and sets it to 0 then, so
    ``end_value`` is ignored); a negative ``warmup_steps`` starts inside the cosine. Raises for
    ``decay_steps <= warmup_steps`` like optax.

    Args:
      init_value: value at count 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W`.
      decay_steps: :math:`D > W`.
      end_value: final value.
      exponent: :math:`q >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.warmup_cosine_decay_schedule(0.0, 1.0, 2, 6, end_value=0.1)
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.0, 0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1, 0.1]
    """

    init_value: Any
    peak_value: Any
    warmup_steps: Any
    decay_steps: Any
    end_value: Any = 0.0
    exponent: Any = 1.0

    examples = WarmupCosineDecay.examples  # the same configurations as the native schedule

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        v.number("peak_value", self.peak_value)
        self._set("warmup_steps", _whole("warmup_steps", self.warmup_steps))
        self._set("decay_steps", _whole("decay_steps", self.decay_steps))
        concrete = is_concrete(self.warmup_steps) and is_concrete(self.decay_steps)
        if concrete and not self.decay_steps - self.warmup_steps > 0:
            raise v.ScheduleArgumentError(
                "decay_steps", f"must be > warmup_steps ({self.warmup_steps!r}); optax's cosine "
                f"piece needs positive decay_steps - warmup_steps", self.decay_steps)
        v.number("end_value", self.end_value)
        v.nonnegative("exponent", self.exponent)

    def _key_steps(self) -> list[Any]:
        return [max(self.warmup_steps, 0), self.decay_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        peak = bk.value(self.peak_value)
        end = xp.where(peak == 0, 0.0, bk.value(self.end_value))
        return WarmupCosineDecay._unchecked(
            init_value=self.init_value, peak_value=peak, warmup_steps=self.warmup_steps,
            decay_steps=self.decay_steps, end_value=end, exponent=self.exponent,
        ).evaluate(bk, t)


def _whole(name: str, x: Any) -> Any:
    """A whole number of steps of either sign (optax checks none of them)."""
    arr = v.number(name, x)
    if arr is None:
        return x
    if arr.ndim == 0 and not float(arr).is_integer():
        raise v.ScheduleArgumentError(name, "must be a whole number of steps", x)
    return int(x) if isinstance(x, float) else x


class WarmupExponentialDecaySchedule(Schedule, name="compat.optax.warmup_exponential_decay_schedule"):
    r"""Linear warmup, then exponential decay, as ``optax.warmup_exponential_decay_schedule``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        \operatorname{exponential\_decay}(P, T, \gamma, B, \text{staircase}, E)(k - W) & k \ge W
        \end{cases}

    ``transition_begin`` counts from the end of the warmup. optax's quirks, reproduced: the
    exponential piece's fallbacks (``transition_steps <= 0`` or ``decay_rate == 0``: the constant
    ``peak_value`` after the warmup), a negative ``transition_begin`` counts as 0, and a negative
    ``warmup_steps`` starts the decay early.

    Args:
      init_value: value at count 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W`.
      transition_steps: :math:`T`.
      decay_rate: :math:`\gamma >= 0`.
      transition_begin: :math:`B`.
      staircase: decay in whole multiples of ``transition_steps``.
      end_value: optional floor (:math:`\gamma < 1`) or ceiling.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.warmup_exponential_decay_schedule(0.0, 1.0, 2, 1, 0.5, transition_begin=2)
      >>> [float(s(k)) for k in range(7)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.25]
    """

    init_value: Any
    peak_value: Any
    warmup_steps: Any
    transition_steps: Any
    decay_rate: Any
    transition_begin: Any = 0
    staircase: bool = static(default=False)
    end_value: Any = None

    examples = WarmupExponentialDecay.examples  # the same configurations as the native schedule

    def __check_init__(self) -> None:
        v.number("init_value", self.init_value)
        v.number("peak_value", self.peak_value)
        self._set("warmup_steps", _whole("warmup_steps", self.warmup_steps))
        decay = ExponentialDecaySchedule(self.peak_value, self.transition_steps, self.decay_rate,
                                         self.transition_begin, self.staircase, self.end_value)
        self._set("transition_begin", decay.transition_begin)

    def _key_steps(self) -> list[Any]:
        return [max(self.warmup_steps, 0), self.warmup_steps + max(self.transition_begin, 0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        W = bk.count(self.warmup_steps)
        decay = ExponentialDecaySchedule._unchecked(
            init_value=self.peak_value, transition_steps=self.transition_steps,
            decay_rate=self.decay_rate, transition_begin=self.transition_begin,
            staircase=self.staircase, end_value=self.end_value,
        ).evaluate(bk, t.shifted(W))
        return linear_warmup(bk, t, bk.value(self.init_value), bk.value(self.peak_value), W, decay)


class PiecewiseInterpolateSchedule(Schedule, name="compat.optax.piecewise_interpolate_schedule"):
    r"""Interpolation between accumulated scales, as ``optax.piecewise_interpolate_schedule``.

    With boundaries :math:`0 = b_0 \le b_1 < \dots < b_n`, values :math:`v_0 = I`,
    :math:`v_i = v_{i-1} c_i`, and :math:`p = (k - b_i)/\max(b_{i+1} - b_i, 1)` inside
    :math:`[b_i, b_{i+1})`:

    .. math::
        s(k) = v_i + (v_{i+1} - v_i)\,p \;\;\text{(linear)}, \qquad
        s(k) = v_{i+1} + (v_i - v_{i+1})\,\tfrac{1 + \cos \pi p}{2} \;\;\text{(cosine)}

    and :math:`v_n` from :math:`b_n` on. As optax, it interpolates the *products* of the scales.

    Args:
      interpolate_type: ``"linear"`` or ``"cosine"`` (case-sensitive, as optax).
      init_value: value at count 0.
      boundaries_and_scales: ``{boundary: scale}``, scales >= 0.

    Returns:
      A :class:`~jaxsched.Schedule`; unlike optax it accepts an array of counts without ``vmap``.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.piecewise_interpolate_schedule("linear", 200.0, {5: 1.5, 10: 0.25})
      >>> [float(s(k)) for k in (0, 5, 9, 10, 11)]
      [200.0, 300.0, 120.0, 75.0, 75.0]
    """

    interpolate_type: str = static()
    init_value: Any
    boundaries_and_scales: Any = None

    examples = PiecewiseInterpolate.examples  # the same configurations as the native schedule

    def __check_init__(self) -> None:
        v.choice("interpolate_type", self.interpolate_type, ("linear", "cosine"))
        v.number("init_value", self.init_value)
        self._set("boundaries_and_scales", _pairs("boundaries_and_scales", self.boundaries_and_scales))

    def to_config(self) -> dict[str, Any]:
        return _dict_config(self)

    def _key_steps(self) -> list[Any]:
        return [b for b, _ in self.boundaries_and_scales]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return PiecewiseInterpolate._unchecked(
            interpolate_type=self.interpolate_type, init_value=self.init_value,
            boundaries_and_scales=self.boundaries_and_scales,
        ).evaluate(bk, t)


def _onecycle_pieces(pairs: Mapping[Any, Any]) -> tuple[tuple[Any, Any], ...]:
    """optax's onecycle dict, sorted: a later key equal to an earlier one silently replaces its scale."""
    for b in pairs:
        if b < 0:
            raise v.ScheduleArgumentError("pct_start", "places a phase boundary before step 0", b)
    return tuple(sorted(pairs.items(), key=lambda p: p[0]))


def _check_onecycle(obj: Any, names: Sequence[str]) -> None:
    T = obj.transition_steps
    v.number("transition_steps", T)
    if not T > 0:
        raise v.ScheduleArgumentError("transition_steps", "must be > 0 (optax raises too)", T)
    if not float(T).is_integer():
        raise v.ScheduleArgumentError("transition_steps", "must be a whole number of steps", T)
    obj._set("transition_steps", int(T))
    v.number("peak_value", obj.peak_value)
    for name in names:
        v.not_text(name, getattr(obj, name))  # optax's int(pct * T) raises ValueError for text
        v.finite_float(name, getattr(obj, name))
    v.divisor("div_factor", obj.div_factor)
    v.divisor("final_div_factor", obj.final_div_factor)
    v.positive("div_factor", obj.div_factor)
    v.positive("final_div_factor", obj.final_div_factor)


class LinearOnecycleSchedule(Schedule, name="compat.optax.linear_onecycle_schedule"):
    r"""Linear one-cycle, as ``optax.linear_onecycle_schedule``.

    ``piecewise_interpolate_schedule("linear", P/d, {int(pct_start T): d, int(pct_final T): 1/d,
    T: 1/f})`` with :math:`d` = ``div_factor`` and :math:`f` = ``final_div_factor``:

    .. math:: P/d \;\nearrow\; P \;\searrow\; P/d \;\searrow\; P/(d f)

    optax's quirks, reproduced: the phase boundaries are truncated with ``int()``, and when two of them
    coincide (small ``transition_steps``) the later scale replaces the earlier one, so a phase is lost
    (``T = 1`` never reaches the peak). The end value is :math:`P/(d f)` (optax's docstring says
    otherwise). ``transition_steps``, ``pct_start`` and ``pct_final`` are static (they fix the pieces).

    Args:
      transition_steps: :math:`T > 0`.
      peak_value: :math:`P`.
      pct_start: fraction of :math:`T` rising.
      pct_final: fraction of :math:`T` at which the fall to :math:`P/d` ends.
      div_factor: :math:`d`.
      final_div_factor: :math:`f`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.linear_onecycle_schedule(10, 1000.0)
      >>> [round(float(s(k)), 6) for k in (0, 3, 8, 10, 11)]
      [40.0, 1000.0, 40.0, 0.004, 0.004]
    """

    transition_steps: int = static()
    peak_value: Any
    pct_start: float = static(default=0.3)
    pct_final: float = static(default=0.85)
    div_factor: Any = 25.0
    final_div_factor: Any = 1e4

    examples = (
        {"transition_steps": 1000, "peak_value": 1e-2},
        {"transition_steps": 3, "peak_value": 1e-2},
    )

    def __check_init__(self) -> None:
        _check_onecycle(self, ("pct_start", "pct_final"))
        self._pieces(1.0)

    def _pieces(self, d: Any) -> tuple[tuple[Any, Any], ...]:
        T = self.transition_steps
        return _onecycle_pieces(
            {int(self.pct_start * T): d, int(self.pct_final * T): 1.0 / d, T: None})

    def _key_steps(self) -> list[Any]:
        return [b for b, _ in self._pieces(1.0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        d, f = bk.value(self.div_factor), bk.value(self.final_div_factor)
        pieces = tuple((b, 1.0 / f if s is None else s) for b, s in self._pieces(d))
        return PiecewiseInterpolate._unchecked(
            interpolate_type="linear", init_value=bk.value(self.peak_value) / d,
            boundaries_and_scales=pieces,
        ).evaluate(bk, t)


class CosineOnecycleSchedule(Schedule, name="compat.optax.cosine_onecycle_schedule"):
    r"""Cosine one-cycle, as ``optax.cosine_onecycle_schedule``.

    ``piecewise_interpolate_schedule("cosine", P/d, {int(pct_start T): d, T: 1/(d f)})``:

    .. math:: P/d \;\nearrow\; P \;\searrow\; P/(d f)

    with half-cosine pieces. optax's quirks, reproduced: ``int()`` placement of the peak, one step later
    than torch's ``OneCycleLR`` and ``jaxsched.one_cycle``; with ``int(pct_start T) == T`` the keys
    collide and the peak is never reached. ``transition_steps`` and ``pct_start`` are static.

    Args:
      transition_steps: :math:`T > 0`.
      peak_value: :math:`P`.
      pct_start: fraction of :math:`T` rising.
      div_factor: :math:`d`.
      final_div_factor: :math:`f`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.cosine_onecycle_schedule(5, 1000.0, pct_start=0.4, div_factor=10.0,
      ...                                    final_div_factor=100.0)
      >>> [round(float(s(k)), 2) for k in range(7)]
      [100.0, 550.0, 1000.0, 750.25, 250.75, 1.0, 1.0]
    """

    transition_steps: int = static()
    peak_value: Any
    pct_start: float = static(default=0.3)
    div_factor: Any = 25.0
    final_div_factor: Any = 1e4

    examples = (
        {"transition_steps": 1000, "peak_value": 1e-2},
        {"transition_steps": 10, "peak_value": 1e-2, "pct_start": 1.0},
    )

    def __check_init__(self) -> None:
        _check_onecycle(self, ("pct_start",))
        self._pieces(1.0, 1.0)

    def _pieces(self, d: Any, f: Any) -> tuple[tuple[Any, Any], ...]:
        T = self.transition_steps
        return _onecycle_pieces({int(self.pct_start * T): d, T: 1.0 / (d * f)})

    def _key_steps(self) -> list[Any]:
        return [b for b, _ in self._pieces(1.0, 1.0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        d, f = bk.value(self.div_factor), bk.value(self.final_div_factor)
        return PiecewiseInterpolate._unchecked(
            interpolate_type="cosine", init_value=bk.value(self.peak_value) / d,
            boundaries_and_scales=self._pieces(d, f),
        ).evaluate(bk, t)


def join_schedules(schedules: Sequence[Any], boundaries: Sequence[Any]) -> Join:
    r"""Schedules one after another, as ``optax.join_schedules``.

    .. math:: s(k) = s_i(k - b_i) \quad\text{for } b_i \le k < b_{i+1}

    Like optax (``zip``), extra schedules or extra boundaries are silently ignored. Unlike optax the
    pieces must be jaxsched schedules (or numbers) and the boundaries sorted whole steps.

    Args:
      schedules: the pieces.
      boundaries: absolute steps at which each next piece starts.

    Returns:
      A :class:`jaxsched.Join`.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.join_schedules([sched.constant_schedule(1.0), sched.constant_schedule(2.0)], [3, 7])
      >>> [float(s(k)) for k in (0, 2, 3, 9)]
      [1.0, 1.0, 2.0, 2.0]
    """
    scheds = list(v.sequence("schedules", schedules))
    bounds = list(v.sequence("boundaries", boundaries))
    n = min(len(bounds), max(len(scheds) - 1, 0))
    return Join(scheds[: n + 1], bounds[:n])


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> Join:
    r"""Cosine cycles with per-cycle arguments, as ``optax.sgdr_schedule``.

    Each dict is passed to :func:`warmup_cosine_decay_schedule`; cycle :math:`i` starts where cycle
    :math:`i-1`'s ``decay_steps`` end (:math:`b_i = \sum_{j<i} D_j`) and sees the count relative to its
    start:

    .. math:: s(k) = \operatorname{wcd}_i(k - b_i) \quad\text{for } b_i \le k < b_{i+1}

    After the last cycle its ``end_value`` is held.

    Args:
      cosine_kwargs: one dict of ``warmup_cosine_decay_schedule`` arguments per cycle.

    Returns:
      A :class:`jaxsched.Join` of :class:`WarmupCosineDecaySchedule` pieces.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.sgdr_schedule([
      ...     dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=4),
      ...     dict(init_value=0.0, peak_value=0.5, warmup_steps=1, decay_steps=4)])
      >>> [round(float(s(k)), 4) for k in range(10)]
      [0.0, 1.0, 0.75, 0.25, 0.0, 0.5, 0.375, 0.125, 0.0, 0.0]
    """
    pieces: list[Schedule] = []
    bounds: list[Any] = []
    step: Any = 0
    for i, kw in enumerate(v.sequence("cosine_kwargs", cosine_kwargs)):
        if not isinstance(kw, Mapping):
            raise v.ScheduleArgumentTypeError(f"cosine_kwargs[{i}]", "a dict", kw)
        try:
            pieces.append(WarmupCosineDecaySchedule(**kw))
        except v.ScheduleArgumentError as err:
            raise err.prefixed(f"cosine_kwargs[{i}]") from None
        step = step + kw["decay_steps"]
        bounds.append(step)
    if not pieces:
        raise v.ScheduleArgumentError("cosine_kwargs", "must not be empty", [])
    return Join(pieces, bounds[:-1])


constant_schedule = ConstantSchedule
polynomial_schedule = PolynomialSchedule
linear_schedule = LinearSchedule
piecewise_constant_schedule = PiecewiseConstantSchedule
exponential_decay = ExponentialDecaySchedule
cosine_decay_schedule = CosineDecaySchedule
warmup_constant_schedule = WarmupConstantSchedule
warmup_cosine_decay_schedule = WarmupCosineDecaySchedule
warmup_exponential_decay_schedule = WarmupExponentialDecaySchedule
piecewise_interpolate_schedule = PiecewiseInterpolateSchedule
linear_onecycle_schedule = LinearOnecycleSchedule
cosine_onecycle_schedule = CosineOnecycleSchedule
