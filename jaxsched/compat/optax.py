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
stacked batch of them can be ``jax.vmap``-ed. Each one lowers, once, to the native catalog
(:mod:`jaxsched.schedules`); each quirk is a composition of catalog pieces or a catalog parameter. Use the
native names for the corrected behaviour.

Step counts and the few arguments that decide which pieces there are (``power``, ``decay_rate``, the
one-cycle fractions) are static: optax bakes them into its closures too. The values (``init_value``,
``peak_value``, ``end_value``, ``alpha``, ``exponent``, the one-cycle factors) are pytree leaves.

Differences that remain, by design:

- Negative counts are treated as 0 (optax evaluates its formulas there: ``cosine_decay_schedule`` is
  symmetric about 0, ``piecewise_interpolate_schedule`` returns 0).
- Arguments that would give NaN or inf in optax (a negative ``decay_rate``, a negative ``power`` or
  ``exponent``, a negative scale) raise at construction, as do fractional or negative boundaries, and
  negative values.
- ``join_schedules`` takes jaxsched schedules (or numbers) and rejects unsorted boundaries; like optax it
  silently drops extra schedules or boundaries (``zip`` semantics).
- A transition shorter than one step: optax's value at its whole counts (``decay_steps=0.5`` reaches the
  end at count 1); ``exponential_decay`` refuses ``0 < transition_steps < 1``.
- The result is always an array (optax returns the raw Python value from its constant fallbacks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jaxsched import _validate as v
from jaxsched import (
    constant,
    cosine_decay,
    join,
    linear,
    piecewise_constant,
    piecewise_interpolate,
    polynomial,
    shift,
    warmup_cosine_decay,
)
from jaxsched import exponential_decay as native_exponential_decay  # the name is optax's below
from jaxsched._combinators import Join
from jaxsched._core import Port, Schedule
from jaxsched._fields import (
    FLOAT32_MAX,
    MAX_STEP,
    Real,
    flag,
    known,
    level,
    pairs,
    static,
    static_float,
    steps,
    value,
)

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


# The step counts are static counts of either sign (optax checks none of them; its fallbacks read the sign).
_NEG = -MAX_STEP


def _text_is_value_error(convert: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    """A static converter that refuses text with ``ValueError`` too (optax's ``int(pct * T)`` does)."""

    def checked(name: str, x: Any) -> Any:
        v.not_text(name, x)
        return convert(name, x)

    return checked


def _interpolate_type(name: str, x: Any) -> Any:
    v.choice(name, x, ("linear", "cosine"))
    return x


class ConstantSchedule(Port, name="compat.optax.constant_schedule"):
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

    value: Real = level()

    examples = ({"value": 1e-3},)

    def lower(self) -> Schedule:
        return constant(self.value)


class PolynomialSchedule(Port, name="compat.optax.polynomial_schedule"):
    r"""Polynomial transition, as ``optax.polynomial_schedule``.

    With :math:`B = \max(\text{transition\_begin}, 0)` and :math:`T` = ``transition_steps``:

    .. math:: s(k) = (I - E)\left(1 - \frac{\operatorname{clip}(k - B, 0, T)}{T}\right)^{p} + E

    optax's quirks, reproduced: ``transition_steps <= 0`` gives the constant ``init_value`` (optax only
    logs at INFO level); a negative ``transition_begin`` counts as 0; ``power = 0`` is the constant
    ``init_value``. A negative ``power`` (infinite at the end in optax) is an error. It lowers to
    :func:`jaxsched.polynomial` (or :func:`jaxsched.constant` for the fallbacks).

    Args:
      init_value: value up to ``transition_begin``.
      end_value: value from ``transition_begin + transition_steps`` on.
      power: :math:`p >= 0` (static).
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

    init_value: Real = level()
    end_value: Real = level()
    power: float = static(converter=static_float(minimum=0.0))
    transition_steps: float = steps(minimum=_NEG, fractional=True, static=True)
    transition_begin: int = steps(default=0, minimum=_NEG, static=True)

    examples = (
        {"init_value": 1.0, "end_value": 0.01, "power": 2.0, "transition_steps": 100, "transition_begin": 5},
        {"init_value": 1.0, "end_value": 0.0, "power": 1.0, "transition_steps": 0},
    )

    def lower(self) -> Schedule:
        T = self.transition_steps
        if T <= 0 or not self.power:  # optax's fallbacks: a zeroth power gives (I - E) * 1 + E == I
            return constant(self.init_value)
        # (0 < T < 1: the end at the next whole count, as optax's clip gives.)
        return polynomial(
            self.init_value, self.end_value, self.power, max(T, 1.0), max(self.transition_begin, 0)
        )


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

    init_value: Real = level()
    end_value: Real = level()
    transition_steps: float = steps(minimum=_NEG, fractional=True, static=True)
    transition_begin: int = steps(default=0, minimum=_NEG, static=True)
    power: float = static(default=1.0, init=False)

    examples = (
        {"init_value": 1.0, "end_value": 0.0, "transition_steps": 100},
        {"init_value": 1.0, "end_value": 0.0, "transition_steps": 2.5, "transition_begin": -3},
    )


class WarmupConstantSchedule(Port, name="compat.optax.warmup_constant_schedule"):
    r"""Linear warmup, then constant, as ``optax.warmup_constant_schedule``.

    .. math:: s(k) = I + (P - I)\,\frac{\min(k, W)}{W}

    optax's quirk, reproduced: ``warmup_steps <= 0`` returns ``init_value`` *forever* (optax builds a
    degenerate ``linear_schedule``): the port is then :func:`jaxsched.constant` of ``init_value``, else
    :func:`jaxsched.linear`. ``jaxsched.warmup_constant`` starts at the peak instead.

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

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: float = steps(minimum=_NEG, fractional=True, static=True)

    examples = (
        {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 100},
        {"init_value": 1e-4, "peak_value": 1e-3, "warmup_steps": 0},
    )

    def lower(self) -> Schedule:
        W = self.warmup_steps
        if W <= 0:
            return constant(self.init_value)
        return linear(self.init_value, self.peak_value, max(W, 1.0))


_SIGNED = value(minimum=-FLOAT32_MAX, maximum=FLOAT32_MAX)


class PiecewiseConstantSchedule(Port, name="compat.optax.piecewise_constant_schedule"):
    r"""Piecewise constant with multiplicative scales, as ``optax.piecewise_constant_schedule``.

    .. math:: s(k) = I \prod_{b_i \le k} c_i

    Boundaries are inclusive and sorted, as in optax. Scales must be non-negative (optax's check);
    boundaries must be whole non-negative steps (optax does not check them). It is
    :func:`jaxsched.piecewise_constant`.

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

    init_value: Real = _SIGNED
    boundaries_and_scales: Any = pairs(default=None)

    examples = ({"init_value": 0.1, "boundaries_and_scales": {100: 0.5, 200: 0.2}},)

    def lower(self) -> Schedule:
        return piecewise_constant(self.init_value, self.boundaries_and_scales)


class ExponentialDecaySchedule(Port, name="compat.optax.exponential_decay"):
    r"""Exponential decay, as ``optax.exponential_decay``.

    With :math:`d = k - \max(B, 0)`:

    .. math:: s(k) = \begin{cases} I & d \le 0 \\ I\,\gamma^{d/T} & d > 0 \end{cases}

    (:math:`\lfloor d/T \rfloor` with ``staircase``), then clipped by ``end_value``: a floor for
    :math:`\gamma < 1`, a ceiling otherwise. optax's quirks, reproduced: ``transition_steps <= 0`` or
    ``decay_rate == 0`` give the constant ``init_value``; a negative ``transition_begin`` counts as 0. A
    growing rate without ``end_value`` is capped at the largest float32, 3.4e38 (optax reaches inf). A
    negative ``decay_rate`` (NaN or sign flips in optax) and ``0 < transition_steps < 1`` are errors. It
    lowers to :func:`jaxsched.exponential_decay` (or :func:`jaxsched.constant` for the fallbacks).

    Args:
      init_value: value up to ``transition_begin``.
      transition_steps: :math:`T`, steps per factor of ``decay_rate``.
      decay_rate: :math:`\gamma >= 0` (static).
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

    init_value: Real = level()
    transition_steps: float = steps(minimum=_NEG, fractional=True, static=True)
    decay_rate: float = static(converter=static_float(minimum=0.0))
    transition_begin: int = steps(default=0, minimum=_NEG, static=True)
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
        T = self.transition_steps
        if 0 < T < 1:
            raise v.ScheduleArgumentError(
                "transition_steps", "in (0, 1) is not supported (less than one step per factor)", T
            )

    def lower(self) -> Schedule:
        if self.transition_steps <= 0 or not self.decay_rate:  # optax's constant fallbacks
            return constant(self.init_value)
        end = self.end_value
        if end is None and self.decay_rate > 1:  # growth bounded where float32 ends (optax: inf)
            end = FLOAT32_MAX
        return native_exponential_decay(
            self.init_value,
            self.transition_steps,
            self.decay_rate,
            max(self.transition_begin, 0),
            self.staircase,
            end,
        )


class CosineDecaySchedule(Port, name="compat.optax.cosine_decay_schedule"):
    r"""Cosine decay, as ``optax.cosine_decay_schedule``.

    .. math:: s(k) = I\left((1-\alpha)\left(\tfrac{1 + \cos(\pi \min(k, T)/T)}{2}\right)^{q} + \alpha\right)

    ``alpha`` is a fraction of ``init_value`` (values above 1 make it rise, as in optax). Raises for
    ``decay_steps <= 0`` like optax, and for a negative ``exponent`` (infinite at the end in optax). It is
    :func:`jaxsched.cosine_decay` (over one step for ``decay_steps < 1``: optax's values at whole counts).

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

    init_value: Real = level()
    decay_steps: float = steps(minimum=_NEG, fractional=True, static=True)
    alpha: Real = value(default=0.0, minimum=0.0)
    exponent: Real = value(default=1.0, minimum=0.0)

    examples = (
        {"init_value": 1e-3, "decay_steps": 1000},
        {"init_value": 1e-3, "decay_steps": 1000, "alpha": 0.1, "exponent": 2.0},
    )

    def __check_init__(self) -> None:
        if self.decay_steps <= 0:
            raise v.ScheduleArgumentError("decay_steps", "must be > 0 (optax raises too)", self.decay_steps)

    def lower(self) -> Schedule:
        return cosine_decay(self.init_value, max(self.decay_steps, 1.0), self.alpha, self.exponent)


class WarmupCosineDecaySchedule(Port, name="compat.optax.warmup_cosine_decay_schedule"):
    r"""Linear warmup, then cosine decay, as ``optax.warmup_cosine_decay_schedule``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        E' + (P - E')\left(\tfrac{1 + \cos\left(\pi\,\frac{\min(k, D) - W}{D - W}\right)}{2}\right)^{q}
        & k \ge W \end{cases}

    ``decay_steps`` includes the warmup. optax's quirks, reproduced: :math:`E' = 0` when
    ``peak_value == 0`` (optax computes ``alpha = end_value / peak_value`` and sets it to 0 then, so
    ``end_value`` is ignored: :func:`jaxsched.warmup_cosine_decay` with ``end_needs_peak=True``); a
    negative ``warmup_steps`` starts inside the cosine (the same schedule shifted earlier). Raises for
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

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: int = steps(minimum=_NEG, static=True)
    decay_steps: int = steps(minimum=_NEG, static=True)
    end_value: Real = value(default=0.0, minimum=-FLOAT32_MAX, maximum=FLOAT32_MAX)
    exponent: Real = value(default=1.0, minimum=0.0)

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
        {"init_value": 1e-5, "peak_value": 1e-3, "warmup_steps": -20, "decay_steps": 500, "end_value": 1e-5},
    )

    def __check_init__(self) -> None:
        if not self.decay_steps - self.warmup_steps > 0:
            raise v.ScheduleArgumentError(
                "decay_steps",
                f"must be > warmup_steps ({self.warmup_steps!r}); optax's cosine "
                f"piece needs positive decay_steps - warmup_steps",
                self.decay_steps,
            )

    def lower(self) -> Schedule:
        W = self.warmup_steps
        if W >= 0:
            return warmup_cosine_decay(
                self.init_value,
                self.peak_value,
                W,
                self.decay_steps,
                self.end_value,
                self.exponent,
                end_needs_peak=True,
            )
        decay = warmup_cosine_decay(
            self.peak_value,
            self.peak_value,
            0,
            self.decay_steps - W,
            self.end_value,
            self.exponent,
            end_needs_peak=True,
        )
        return shift(decay, W)  # optax's join at a negative boundary: the cosine from -W steps in


class WarmupExponentialDecaySchedule(Port, name="compat.optax.warmup_exponential_decay_schedule"):
    r"""Linear warmup, then exponential decay, as ``optax.warmup_exponential_decay_schedule``.

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        \operatorname{exponential\_decay}(P, T, \gamma, B, \text{staircase}, E)(k - W) & k \ge W
        \end{cases}

    ``transition_begin`` counts from the end of the warmup. optax's quirks, reproduced: the
    exponential piece's fallbacks (``transition_steps <= 0`` or ``decay_rate == 0``: the constant
    ``peak_value`` after the warmup), a negative ``transition_begin`` counts as 0, and a negative
    ``warmup_steps`` starts the decay early. It joins :func:`jaxsched.linear` with
    :class:`ExponentialDecaySchedule`.

    Args:
      init_value: value at count 0.
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W`.
      transition_steps: :math:`T`.
      decay_rate: :math:`\gamma >= 0` (static).
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

    init_value: Real = level()
    peak_value: Real = level()
    warmup_steps: int = steps(minimum=_NEG, static=True)
    transition_steps: float = steps(minimum=_NEG, fractional=True, static=True)
    decay_rate: float = static(converter=static_float(minimum=0.0))
    transition_begin: int = steps(default=0, minimum=_NEG, static=True)
    staircase: bool = flag(default=False)
    end_value: Real | None = level(default=None)

    examples = (
        {
            "init_value": 0.0,
            "peak_value": 1e-3,
            "warmup_steps": 100,
            "transition_steps": 100,
            "decay_rate": 0.5,
            "end_value": 1e-5,
        },
    )

    def lower(self) -> Schedule:
        W = self.warmup_steps
        decay = ExponentialDecaySchedule(
            self.peak_value,
            self.transition_steps,
            self.decay_rate,
            self.transition_begin,
            self.staircase,
            self.end_value,
        )
        if W > 0:
            return join([linear(self.init_value, self.peak_value, W), decay], [W])
        return shift(decay, W) if W else decay


class PiecewiseInterpolateSchedule(Port, name="compat.optax.piecewise_interpolate_schedule"):
    r"""Interpolation between accumulated scales, as ``optax.piecewise_interpolate_schedule``.

    With boundaries :math:`0 = b_0 \le b_1 < \dots < b_n`, values :math:`v_0 = I`,
    :math:`v_i = v_{i-1} c_i`, and :math:`p = (k - b_i)/\max(b_{i+1} - b_i, 1)` inside
    :math:`[b_i, b_{i+1})`:

    .. math::
        s(k) = v_i + (v_{i+1} - v_i)\,p \;\;\text{(linear)}, \qquad
        s(k) = v_{i+1} + (v_i - v_{i+1})\,\tfrac{1 + \cos \pi p}{2} \;\;\text{(cosine)}

    and :math:`v_n` from :math:`b_n` on. As optax, it interpolates the *products* of the scales. It is
    :func:`jaxsched.piecewise_interpolate`.

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

    interpolate_type: str = static(converter=_interpolate_type)
    init_value: Real = level()
    boundaries_and_scales: Any = pairs(default=None)

    examples = (
        {"interpolate_type": "linear", "init_value": 200.0, "boundaries_and_scales": {50: 1.5, 100: 0.25}},
        {"interpolate_type": "cosine", "init_value": 1.0, "boundaries_and_scales": {30: 10.0, 100: 0.001}},
    )

    def lower(self) -> Schedule:
        return piecewise_interpolate(self.interpolate_type, self.init_value, self.boundaries_and_scales)


class _Onecycle(Port):
    """The one-cycle schedules: optax's ``int()`` placement of the phase boundaries, as a dict (a later
    boundary equal to an earlier one replaces its scale), and its argument checks."""

    def __check_init__(self) -> None:
        T = self.transition_steps  # type: ignore[attr-defined]
        if not T > 0:
            raise v.ScheduleArgumentError("transition_steps", "must be > 0 (optax raises too)", T)
        for name in ("div_factor", "final_div_factor"):
            x = getattr(self, name)
            v.divisor(name, x)
            if known(x) and x < 0:
                raise v.ScheduleArgumentError(name, "must be > 0", x)
        for b in self._phases(1.0, 1.0):
            if b[0] < 0:
                raise v.ScheduleArgumentError("pct_start", "places a phase boundary before step 0", b[0])

    def _phases(self, d: Any, f: Any) -> tuple[tuple[int, Any], ...]:
        raise NotImplementedError

    def _pieces(self, kind: str) -> Schedule:
        d, f = self.div_factor, self.final_div_factor  # type: ignore[attr-defined]
        return piecewise_interpolate(kind, self.peak_value / d, self._phases(d, f))  # type: ignore[attr-defined]


class LinearOnecycleSchedule(_Onecycle, name="compat.optax.linear_onecycle_schedule"):
    r"""Linear one-cycle, as ``optax.linear_onecycle_schedule``.

    ``piecewise_interpolate_schedule("linear", P/d, {int(pct_start T): d, int(pct_final T): 1/d,
    T: 1/f})`` with :math:`d` = ``div_factor`` and :math:`f` = ``final_div_factor``:

    .. math:: P/d \;\nearrow\; P \;\searrow\; P/d \;\searrow\; P/(d f)

    optax's quirks, reproduced: the phase boundaries are truncated with ``int()``, and when two of them
    coincide (small ``transition_steps``) the later scale replaces the earlier one, so a phase is lost
    (``T = 1`` never reaches the peak). The end value is :math:`P/(d f)` (optax's docstring says
    otherwise). ``transition_steps``, ``pct_start`` and ``pct_final`` are static (they fix the pieces): the
    port is :func:`jaxsched.piecewise_interpolate` of those pieces.

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

    transition_steps: int = steps(minimum=_NEG, static=True)
    peak_value: Real = level()
    pct_start: float = static(default=0.3, converter=_text_is_value_error(static_float()))
    pct_final: float = static(default=0.85, converter=_text_is_value_error(static_float()))
    div_factor: Real = value(default=25.0)
    final_div_factor: Real = value(default=1e4)

    examples = (
        {"transition_steps": 1000, "peak_value": 1e-2},
        {"transition_steps": 3, "peak_value": 1e-2},
    )

    def _phases(self, d: Any, f: Any) -> tuple[tuple[int, Any], ...]:
        T = self.transition_steps
        scales = {int(self.pct_start * T): d, int(self.pct_final * T): 1.0 / d, T: 1.0 / f}
        return tuple(sorted(scales.items(), key=lambda p: p[0]))

    def lower(self) -> Schedule:
        return self._pieces("linear")


class CosineOnecycleSchedule(_Onecycle, name="compat.optax.cosine_onecycle_schedule"):
    r"""Cosine one-cycle, as ``optax.cosine_onecycle_schedule``.

    ``piecewise_interpolate_schedule("cosine", P/d, {int(pct_start T): d, T: 1/(d f)})``:

    .. math:: P/d \;\nearrow\; P \;\searrow\; P/(d f)

    with half-cosine pieces. optax's quirks, reproduced: ``int()`` placement of the peak, one step later
    than torch's ``OneCycleLR`` and ``jaxsched.one_cycle``; with ``int(pct_start T) == T`` the keys
    collide and the peak is never reached. ``transition_steps`` and ``pct_start`` are static: the port is
    :func:`jaxsched.piecewise_interpolate` of those pieces.

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

    transition_steps: int = steps(minimum=_NEG, static=True)
    peak_value: Real = level()
    pct_start: float = static(default=0.3, converter=_text_is_value_error(static_float()))
    div_factor: Real = value(default=25.0)
    final_div_factor: Real = value(default=1e4)

    examples = (
        {"transition_steps": 1000, "peak_value": 1e-2},
        {"transition_steps": 10, "peak_value": 1e-2, "pct_start": 1.0},
    )

    def _phases(self, d: Any, f: Any) -> tuple[tuple[int, Any], ...]:
        T = self.transition_steps
        scales = {int(self.pct_start * T): d, T: 1.0 / (d * f)}
        return tuple(sorted(scales.items(), key=lambda p: p[0]))

    def lower(self) -> Schedule:
        return self._pieces("cosine")


def join_schedules(schedules: Sequence[Any], boundaries: Sequence[Any]) -> Join:
    r"""Schedules one after another, as ``optax.join_schedules``.

    .. math:: s(k) = s_i(k - b_i) \quad\text{for } b_i \le k < b_{i+1}

    Like optax (``zip``), extra schedules or extra boundaries are silently ignored. Unlike optax the
    pieces must be jaxsched schedules (or numbers) and the boundaries sorted whole steps.

    Args:
      schedules: the pieces.
      boundaries: absolute steps at which each next piece starts.

    Returns:
      A :func:`jaxsched.join` schedule.

    Example:
      >>> from jaxsched.compat import optax as sched
      >>> s = sched.join_schedules([sched.constant_schedule(1.0), sched.constant_schedule(2.0)], [3, 7])
      >>> [float(s(k)) for k in (0, 2, 3, 9)]
      [1.0, 1.0, 2.0, 2.0]
    """
    scheds = list(v.sequence("schedules", schedules))
    bounds = list(v.sequence("boundaries", boundaries))
    n = min(len(bounds), max(len(scheds) - 1, 0))
    return Join(tuple(scheds[: n + 1]), tuple(bounds[:n]))


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
      A :func:`jaxsched.join` schedule of :class:`WarmupCosineDecaySchedule` pieces.

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
    for i, kwargs in enumerate(v.sequence("cosine_kwargs", cosine_kwargs)):
        if not isinstance(kwargs, Mapping):
            raise v.ScheduleArgumentTypeError(f"cosine_kwargs[{i}]", "a dict", kwargs)
        try:
            pieces.append(WarmupCosineDecaySchedule(**kwargs))
        except v.ScheduleArgumentError as err:
            raise err.prefixed(f"cosine_kwargs[{i}]") from None
        step = step + kwargs["decay_steps"]
        bounds.append(step)
    if not pieces:
        raise v.ScheduleArgumentError("cosine_kwargs", "must not be empty", [])
    return Join(tuple(pieces), tuple(bounds[:-1]))


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
