"""Schedules through absolute ``(step, value)`` points: piecewise linear, cosine and constant.

optax's ``piecewise_constant_schedule`` and ``piecewise_interpolate_schedule`` (here
:func:`jaxsched.piecewise_constant`, :func:`jaxsched.piecewise_interpolate`) describe a curve by
*multiplicative scales* accumulated from an initial value: a curve that goes to 0 and back up cannot be
written that way. The families here take the values themselves, as ignite's ``PiecewiseLinear``, Keras'
``PiecewiseConstantDecay`` and big_vision's ``stair`` do:

- :class:`PiecewiseLinear` (``piecewise_linear``): straight lines between the points;
- :class:`PiecewiseCosine` (``piecewise_cosine``): half-cosine arcs between the points (a cosine decay from
  each point to the next, or a cosine rise);
- :class:`PiecewiseConstantPoints` (``piecewise_constant_points``): each point's value from its step on.

All three hold the first value before the first point and the last value after the last one (as
``numpy.interp``). A point's step is a whole or fractional number of steps and may lie beyond the last
step ``2**31 - 1`` (a segment that ends after it); every position inside a segment is computed from exact
integer step differences, so the curve keeps full float32 precision at any step.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Duration, Pairs, Real, Span, Value, _field, known
from jaxsched._numerics import MAX_STEP, Array, Backend, Steps
from jaxsched._shapes import anneal

Points = Mapping[Span, Real] | Sequence[tuple[Span, Real]]
"""``{step: value}``, or a sequence of ``(step, value)`` pairs."""


class _PointsRole(Pairs):
    """``{step: value}`` (or ``(step, value)`` pairs) with steps >= 0, whole or fractional, and values >= 0.

    Stored as pairs sorted by step; a step given twice is refused. Configs hold a list of ``[step,
    value]`` pairs (JSON object keys cannot hold a fractional step); string keys holding a number are read.
    """

    def __init__(self) -> None:
        super().__init__(Duration(fractional=True), Value(minimum=0.0))

    def convert(self, name: str, x: Any) -> Any:
        if isinstance(x, Mapping):
            x = [(_step_key(name, key), val) for key, val in x.items()]
        elif isinstance(x, list):
            x = [[_step_key(name, p[0]), *p[1:]] if isinstance(p, list | tuple) and p else p for p in x]
        return super().convert(name, x)

    def to_config(self, name: str, x: Any) -> Any:
        return [[self.key_role.to_config(name, b), self.val_role.to_config(name, val)] for b, val in x]


def _step_key(name: str, key: Any) -> Any:
    """A step given as a string (a JSON object key): the number it holds."""
    if not isinstance(key, str):
        return key
    text = key.strip()
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        raise v.ScheduleArgumentTypeError(f"{name} key", "a number of steps", key) from None


def points_field() -> Any:
    """The field specifier of a required ``points`` argument."""
    return _field(_PointsRole(), dataclasses.MISSING)


def _reached(bk: Backend, t: Steps, b: Any) -> Array:
    """``t >= b`` for a point's step ``b``. For whole steps this is ``t >= ceil(b)`` decided in integers
    (a fraction of ``b`` below float32's resolution cannot round the decision the wrong way)."""
    if not known(b):
        return t.ge(bk.span(b))
    whole = t.ge(bk.span(math.ceil(b)))
    if t.f is None or float(b).is_integer():
        return whole
    return bk.xp.where(t.f == 0, whole, t.ge(bk.span(b)))


class _PointsSchedule(Schedule):
    """Shared checks and key steps of the point families."""

    points: Points = points_field()

    def __check_init__(self) -> None:
        if not self.points:
            raise v.ScheduleArgumentError("points", "must hold at least one (step, value) point", {})

    @property
    def _pairs(self) -> tuple[tuple[Any, Any], ...]:
        """The points as stored: ``(step, value)`` pairs sorted by step."""
        return cast(tuple[tuple[Any, Any], ...], self.points)

    def _key_steps(self) -> list[Any]:
        return [math.ceil(b) for b, _ in self._pairs if known(b) and b <= MAX_STEP]

    def _segments(self, bk: Backend, t: Steps) -> list[tuple[Any, Array, Array, Array, Array, Array]]:
        """``(start, start value, end value, elapsed, remaining, length)`` of each segment."""
        out = []
        for (b0, v0), (b1, v1) in zip(self._pairs, self._pairs[1:], strict=False):
            start, end = bk.span(b0), bk.span(b1)
            if known(b0, b1):
                length = bk.to_float(bk.span(b1 - b0))  # on the host: exact even past the int32 range
            else:
                length = bk.to_float(end) - bk.to_float(start)
            elapsed = t.since(start)
            remaining = t.until(end)
            out.append((b0, bk.value(v0), bk.value(v1), elapsed, remaining, length))
        return out

    def _interpolated(self, bk: Backend, t: Steps, kind: str) -> Array:
        xp = bk.xp
        out = bk.value(self._pairs[0][1]) + xp.zeros_like(t.value())
        for start, a, b, elapsed, remaining, length in self._segments(bk, t):
            # Each arc from its nearer end (no cancellation next to a point), clipped to its segment. A
            # segment shorter than 2**-64 steps (a point at 1e-45, say: float32 flushes it to 0) is only
            # reached at its start: its start value, without dividing by its length.
            short = length < 2.0**-64
            e = xp.where(short, 0.0, xp.clip(elapsed, 0.0, length))
            r = xp.where(short, 1.0, xp.clip(remaining, 0.0, length))
            length = xp.where(short, 1.0, length)
            out = xp.where(_reached(bk, t, start), anneal(bk, kind, a, b, e, r, length), out)
        return xp.where(_reached(bk, t, self._pairs[-1][0]), bk.value(self._pairs[-1][1]), out)


class PiecewiseLinear(_PointsSchedule, name="piecewise_linear"):
    r"""Straight lines through absolute ``(step, value)`` points.

    With points :math:`(b_0, v_0), \dots, (b_n, v_n)`, :math:`b_0 < \dots < b_n`:

    .. math::
        s(k) = \begin{cases} v_0 & k \le b_0 \\
        v_i + (v_{i+1} - v_i)\,\dfrac{k - b_i}{b_{i+1} - b_i} & b_i \le k < b_{i+1} \\
        v_n & k \ge b_n \end{cases}

    Unlike :func:`jaxsched.piecewise_interpolate` (optax's products of scales), the values are absolute,
    so a curve may fall to 0 and rise again. ``s(k)`` is the value used by update ``k``, from 0.

    Args:
      points: ``{step: value}`` or ``[(step, value), ...]``: steps >= 0 (whole or fractional, any order,
        each once), values >= 0.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.piecewise_linear({0: 0.0, 4: 1.0, 8: 0.0, 10: 0.5})
      >>> [float(s(k)) for k in (0, 2, 4, 6, 8, 9, 10, 11)]
      [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.5]
    """

    examples = (
        {"points": [[0, 0.0], [100, 1e-3], [900, 1e-5], [1000, 1e-4]]},
        {"points": [[10, 1e-3], [20.5, 0.0], [3_000_000_000, 2e-3]]},
    )

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self._interpolated(bk, t, "linear")


class PiecewiseCosine(_PointsSchedule, name="piecewise_cosine"):
    r"""Half-cosine arcs through absolute ``(step, value)`` points.

    With points :math:`(b_0, v_0), \dots, (b_n, v_n)`, :math:`b_0 < \dots < b_n`, inside
    :math:`[b_i, b_{i+1})`:

    .. math::
        s(k) = v_{i+1} + (v_i - v_{i+1})\,\frac{1 + \cos\left(\pi\,\frac{k - b_i}{b_{i+1} - b_i}\right)}{2}

    so each arc is a cosine decay (or rise) from :math:`v_i` to :math:`v_{i+1}` with zero slope at both
    points; :math:`v_0` before :math:`b_0` and :math:`v_n` from :math:`b_n` on. A cosine that falls and
    rises again (a full cosine wave) is three points, repeated with :func:`jaxsched.repeat`.

    Args:
      points: ``{step: value}`` or ``[(step, value), ...]``: steps >= 0 (whole or fractional, any order,
        each once), values >= 0.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.piecewise_cosine({0: 1.0, 4: 0.0, 8: 1.0})
      >>> [round(float(s(k)), 4) for k in (0, 1, 2, 4, 6, 7, 8, 9)]
      [1.0, 0.8536, 0.5, 0.0, 0.5, 0.8536, 1.0, 1.0]
    """

    examples = (
        {"points": [[0, 1e-3], [999, 1e-4], [1998, 1e-3]]},
        {"points": [[50, 0.0], [150, 2e-3], [1150.5, 1e-6]]},
    )

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self._interpolated(bk, t, "cos")


class PiecewiseConstantPoints(_PointsSchedule, name="piecewise_constant_points"):
    r"""Piecewise constant through absolute ``(step, value)`` points: each value from its step on.

    With points :math:`(b_0, v_0), \dots, (b_n, v_n)`, :math:`b_0 < \dots < b_n`:

    .. math:: s(k) = v_{i(k)}, \qquad i(k) = \max\{i : b_i \le k\}\ (0 \text{ before } b_0)

    Unlike :func:`jaxsched.piecewise_constant` (optax's multiplicative scales), the values are absolute, as
    in Keras' ``PiecewiseConstantDecay`` or big_vision's ``stair``: a value may be 0 and a later one not.

    Args:
      points: ``{step: value}`` or ``[(step, value), ...]``: steps >= 0 (whole or fractional, any order,
        each once), values >= 0.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.piecewise_constant_points({0: 0.1, 3: 0.0, 5: 0.01})
      >>> [float(s.numpy(k)) for k in (0, 2, 3, 4, 5, 100)]
      [0.1, 0.1, 0.0, 0.0, 0.01, 0.01]
    """

    examples = (
        {"points": [[0, 1e-3], [300, 1e-4], [600, 0.0], [700, 1e-5]]},
        {"points": [[2.5, 0.5], [10, 1.0]]},
    )

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        out = bk.value(self._pairs[0][1]) + xp.zeros_like(t.value())
        for b, val in self._pairs[1:]:
            out = xp.where(_reached(bk, t, b), bk.value(val), out)
        return out


piecewise_linear = PiecewiseLinear
piecewise_cosine = PiecewiseCosine
piecewise_constant_points = PiecewiseConstantPoints

__all__ = [
    "PiecewiseConstantPoints",
    "PiecewiseCosine",
    "PiecewiseLinear",
    "piecewise_constant_points",
    "piecewise_cosine",
    "piecewise_linear",
]
