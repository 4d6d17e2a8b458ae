"""Ports of noether's schedules (``noether.core.schedules``, Emmi AI; PyPI ``emmiai-noether``).

noether schedules are pure functions ``get_value(step, total_steps)`` returning the value itself;
its
trainer calls them *before* each update with ``step`` = the update index (from 0) and
``total_steps`` =
the run's last update count. A port takes ``total_steps`` as a (keyword-only) argument, so ``s(k)``
is
``get_value(k, total_steps)``: the value update :math:`k` runs with.

Conventions of the original kept here:

- Progress schedules (linear, cosine, polynomial) use :math:`p = \\text{step}/\\max(1, T - 1)`: the
  end
  value is reached at the last update :math:`T - 1`. At ``step == T`` (which noether accepts) they
  *extrapolate*: linear goes past the end value (below 0 for a decay to 0), cosine reflects back up.
  ``exclude_first`` shifts to ``step + 1`` and ``T + 1``; ``exclude_last`` uses ``T + 1``.
- Step schedules use :math:`p = \\text{step}/T` and the interval index
  ``int(round(p / interval, 10))``: the 10-digit rounding makes ``0.3 / 0.1`` count as 3. The ports
  reproduce it exactly in float32 too: the index of every step is computed once on the host with
  Python's own arithmetic and looked up with integer arithmetic.
- ``overhang_percent`` / ``overhang_steps`` lengthen ``T`` (``T + int(T * pct)``) after the step
  check.
- noether raises for ``step > total_steps``; a port holds its value at ``total_steps`` there.
- With ``interval: epoch`` noether evaluates ``get_value(epoch * updates_per_epoch, ...)``: give
  ``updates_per_epoch`` and the value is constant within each epoch.

:func:`from_noether_config` builds a port from a noether ``{"kind": "noether.core.schedules.X",
...}``
config.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps
from jaxsched.schedules._cyclic import anneal

__all__ = [
    "ConstantSchedule",
    "CosineDecreasingSchedule",
    "CosineIncreasingSchedule",
    "CustomSchedule",
    "LinearDecreasingSchedule",
    "LinearIncreasingSchedule",
    "LinearWarmupCosineDecaySchedule",
    "NoetherSchedule",
    "PolynomialDecreasingSchedule",
    "PolynomialIncreasingSchedule",
    "SequentialPercentSchedule",
    "SequentialStepSchedule",
    "StepDecreasingSchedule",
    "StepFixedSchedule",
    "StepIntervalSchedule",
    "from_noether_config",
]

_TABLE_LIMIT = 5_000_000


_STATIC = {"static": True}
"""Field metadata of static (non-leaf) fields; the noether fields below are also keyword-only."""


class NoetherSchedule(Schedule):
    """Base of the noether ports: ``total_steps``, overhang and epoch interval; ``_inner`` is the
    math.

    Subclasses implement ``_inner(bk, n, total)`` (parents call :meth:`at`): the value at integer
    steps ``n`` (an integer array in
    ``[0, total]``) for a concrete Python ``total`` that already includes the overhang.
    """

    total_steps: int | None = dataclasses.field(default=None, kw_only=True, metadata=_STATIC)
    overhang_percent: float | None = dataclasses.field(default=None, kw_only=True, metadata=_STATIC)
    overhang_steps: int | None = dataclasses.field(default=None, kw_only=True, metadata=_STATIC)
    updates_per_epoch: int | None = dataclasses.field(default=None, kw_only=True, metadata=_STATIC)

    def _check_base(self) -> None:
        if self.total_steps is not None:
            self._set("total_steps", v.integer("total_steps", self.total_steps, minimum=0))
        if self.overhang_percent is not None and self.overhang_steps is not None:
            raise v.ScheduleArgumentError(
                "overhang_steps",
                "only one of overhang_percent and overhang_steps must be set",
                self.overhang_steps,
            )
        if self.overhang_percent is not None:
            pct = v.finite_float("overhang_percent", self.overhang_percent)
            if pct < 0:
                raise v.ScheduleArgumentError("overhang_percent", "must be >= 0", pct)
            self._set("overhang_percent", pct)
        if self.overhang_steps is not None:
            self._set("overhang_steps", v.integer("overhang_steps", self.overhang_steps, minimum=0))
        if self.updates_per_epoch is not None:
            self._set(
                "updates_per_epoch",
                v.integer("updates_per_epoch", self.updates_per_epoch, minimum=1),
            )

    def __check_init__(self) -> None:
        self._check_base()
        self._check()
        if self.total_steps is not None:
            self.plan(self.total_steps)  # the original's errors for this total, now

    def _check(self) -> None:
        """Validate the schedule's own fields (subclasses)."""

    def extended(self, total: int) -> int:
        """``total`` with the overhang added, as ``ScheduleBase.get_value`` does."""
        if self.overhang_percent is not None:
            total += int(total * self.overhang_percent)
        if self.overhang_steps is not None:
            total += self.overhang_steps
        return total

    def plan(self, total: int) -> Any:
        """Host-side preparation for ``total`` (tables, children's totals); raises the original's
        errors."""
        return None

    def at(self, bk: Backend, n: Array, total: int) -> Array:
        """``get_value(n, total)`` for integer steps ``0 <= n <= total`` (what a parent schedule
        calls)."""
        return self._inner(bk, n, self.extended(total))

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        raise NotImplementedError

    def _key_steps(self) -> list[Any]:
        return [] if self.total_steps is None else [self.total_steps - 1, self.total_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        if self.total_steps is None:
            raise ValueError(
                f"{type(self).__name__}: total_steps is needed to evaluate a noether schedule "
                "on its own (it is optional only inside a Sequential schedule)"
            )
        xp = bk.xp
        n = xp.minimum(t.n, self.total_steps)
        if self.updates_per_epoch is not None:
            n = (n // self.updates_per_epoch) * self.updates_per_epoch
        return self.at(bk, n, self.total_steps)


# -- step indices, exactly as Python computes them
# -----------------------------------------------------


@functools.lru_cache(maxsize=128)
def _index_table(
    kind: str, total: int, shift: int, n_max: int, param: Any
) -> tuple[str, np.ndarray]:
    """The step index ``k(n)`` for ``n = 0..n_max`` as ``("bounds", c)`` (``k(n) = #{c_j <= n}``) or
    ``("table", k)``: computed with the original's own float64 expression, so it is exact."""
    T = total + shift if kind != "fixed" else total

    if kind == "fixed":
        marks = sorted(param)

        def k_of(n: int) -> int:
            progress = n / T
            for i, s in enumerate(marks):
                if s > progress:
                    return i
            return len(marks)
    else:
        interval = float(param)

        def k_of(n: int) -> int:
            return int(round(((n + shift) / T) / interval, 10))

    last = k_of(n_max)
    if last > n_max + 1:
        if n_max + 1 > _TABLE_LIMIT:
            raise ValueError(f"too many distinct step indices ({last}) over {n_max + 1} steps")
        return "table", np.array([k_of(n) for n in range(n_max + 1)], dtype=np.int64)
    bounds = np.empty(last, dtype=np.int64)
    lo = 0
    for j in range(1, last + 1):
        # k is non-decreasing in n (IEEE division and round are monotone); start near the exact
        # boundary.
        if kind == "fixed":
            guess = math.ceil(marks[j - 1] * T)
        else:
            guess = math.ceil(j * interval * T) - shift
        g = min(max(lo, guess - 1), n_max)
        while g > lo and k_of(g - 1) >= j:
            g -= 1
        while k_of(g) < j:
            g += 1
        bounds[j - 1] = lo = g
    return "bounds", bounds


def _step_index(bk: Backend, n: Array, table: tuple[str, np.ndarray]) -> Array:
    xp = bk.xp
    how, arr = table
    if how == "table":
        return xp.take(xp.asarray(arr, n.dtype), n)
    if arr.size == 0:
        return xp.zeros_like(n)
    return xp.searchsorted(xp.asarray(arr, n.dtype), n, side="right")


# -- constant / custom
# ---------------------------------------------------------------------------------


class ConstantSchedule(NoetherSchedule, name="compat.noether.ConstantSchedule"):
    r"""noether's ``ConstantSchedule``: ``value`` at every step.

    .. math:: s(k) = v

    Args:
      value: the value.
      total_steps: the run's total updates (keyword-only; optional for a constant).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import ConstantSchedule
      >>> float(ConstantSchedule(1e-3, total_steps=10)(3))
      0.0010000000474974513
    """

    value: Any

    examples = ({"value": 1e-3, "total_steps": 100},)

    def _check(self) -> None:
        v.number("value", self.value)

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        return bk.value(self.value) + 0.0 * bk.to_float(n)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return bk.value(self.value)


class CustomSchedule(NoetherSchedule, name="compat.noether.CustomSchedule"):
    r"""noether's ``CustomSchedule``: ``values[step]``.

    .. math:: s(k) = \text{values}[k]

    noether raises ``IndexError`` past the list; here the list must cover ``total_steps`` updates
    (steps
    ``0 .. T-1``), and ``step == T`` (or beyond) holds the last value.

    Args:
      values: one value per update.
      total_steps: the run's total updates (keyword-only).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import CustomSchedule
      >>> [float(x) for x in CustomSchedule([1.0, 0.5, 0.25], total_steps=3).numpy(range(5))]
      [1.0, 0.5, 0.25, 0.25, 0.25]
    """

    values: Any

    examples = ({"values": [1e-3, 5e-4, 1e-4, 5e-5], "total_steps": 4},)

    def _check(self) -> None:
        vals = v.sequence("values", self.values)
        if not vals:
            raise v.ScheduleArgumentError("values", "must not be empty", [])
        for i, x in enumerate(vals):
            v.number(f"values[{i}]", x)
        self._set("values", tuple(vals))

    def plan(self, total: int) -> Any:
        if self.extended(total) > len(self.values) and total > 0:
            raise v.ScheduleArgumentError(
                "values",
                f"has {len(self.values)} entries for {self.extended(total)} steps (noether raises "
                "IndexError past the list)",
                value=...,
            )
        return None

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        xp = bk.xp
        table = (
            xp.asarray(np.asarray(self.values, dtype=np.float64), bk.float_dtype)
            if all(isinstance(x, int | float) for x in self.values)
            else xp.stack([bk.value(x) for x in self.values])
        )
        return xp.take(table, xp.minimum(n, len(self.values) - 1))


# -- progress schedules
# -----------------------------------------------------------------------------------


class _Progress(NoetherSchedule):
    """``start + f(p) * (end - start)`` with ``p = step / max(1, T - 1)`` and the exclude flags."""

    exclude_first: bool = dataclasses.field(default=False, kw_only=True, metadata=_STATIC)
    exclude_last: bool = dataclasses.field(default=False, kw_only=True, metadata=_STATIC)
    _shape = "linear"
    _increasing = False

    def _ends(self) -> tuple[Any, Any]:
        """``(first, last)`` values: start -> max (increasing) or max -> end (decreasing)."""
        fields = vars(self)
        if self._increasing:
            return fields["start_value"], fields["max_value"]
        return fields["max_value"], fields["end_value"]

    def _check(self) -> None:
        v.boolean("exclude_first", self.exclude_first)
        v.boolean("exclude_last", self.exclude_last)
        first, last = self._ends()
        if self._increasing:
            v.number("start_value", first)
            v.number("max_value", last)
            v.asserted(v.less, "start_value", first, "max_value", last, equal_ok=True)  # noether asserts
            return
        v.nonnegative("max_value", first)
        v.nonnegative("end_value", last)
        a, b = v.number("end_value", last), v.number("max_value", first)
        if a is not None and b is not None and float(a) > float(b):
            raise v.ScheduleArgumentError(
                "end_value", "end_value must be less than or equal to max_value", last
            )

    def _shifted(self, n: Array, total: int) -> tuple[Array, int]:
        if self.exclude_last:
            total += 1
        if self.exclude_first:
            n = n + 1
            total += 1
        return n, total

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        n, total = self._shifted(n, total)
        start, end = (bk.value(x) for x in self._ends())
        D = max(1, total - 1)
        elapsed = bk.to_float(n)
        remaining = bk.to_float(D - n)  # negative at the overrun step == T
        if self._shape == "polynomial":
            xp = bk.xp
            q = remaining / D
            power = bk.value(self.power)  # type: ignore[attr-defined]
            mag = xp.abs(q) ** power
            whole = xp.floor(power) == power
            odd = whole & (xp.mod(power, 2.0) == 1.0)
            # (1 - p)**power of a negative base: real for whole powers (as in Python); noether fails
            # for fractional ones (a complex number), where this holds the end value.
            left = xp.where(q >= 0, mag, xp.where(whole, xp.where(odd, -mag, mag), 0.0))
            # Near the start, 1 - (1 - p)**power without cancellation: -expm1(power * log1p(-p)).
            p = xp.where(q > 0, elapsed / D, 0.0)
            gone = -xp.expm1(power * xp.log1p(-p))
            near_start = (q >= 0) & (left > 0.5)
            return xp.where(near_start, start + (end - start) * gone, end + (start - end) * left)
        return anneal(
            bk,
            "cos" if self._shape == "cosine" else "linear",
            start,
            end,
            elapsed,
            remaining,
            bk.to_float(D),
        )


_PROGRESS_DOC = r"""noether's ``{name}``: {what} from ``{a}`` to ``{b}``{shape_note}.

    With :math:`T` = ``total_steps`` (+1 with ``exclude_last``; +1 and ``step + 1`` with
    ``exclude_first``)
    and :math:`p = k/\max(1, T-1)`,

    .. math:: s(k) = a + f(p)\,(b - a), \qquad {formula}

    The end value is reached at update :math:`T - 1`; at ``step == T`` noether extrapolates
    ({overrun}), reproduced here.

    Args:
{args}
      exclude_first: skip the first value (start at ``step + 1``).
      exclude_last: never reach the end value (one more step in the denominator).
      total_steps: the run's total updates (keyword-only).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import {name}
      >>> s = {name}({example}, total_steps=5)
      >>> [round(float(x), 4) for x in s.numpy(range(6))]
      {output}
"""

_DEC_ARGS = """      max_value: the first value (>= 0).
      end_value: the last value (>= 0, <= ``max_value``)."""
_INC_ARGS = """      max_value: the last value.
      start_value: the first value (<= ``max_value``)."""


def _progress_doc(name: str, shape: str, inc: bool, example: str, output: str) -> str:
    formula = {
        "linear": "f(p) = p",
        "cosine": r"f(p) = \frac{1 - \cos(\pi p)}{2}",
        "polynomial": r"f(p) = 1 - (1 - p)^{\text{power}}",
    }[shape]
    overrun = {
        "linear": "past the end value",
        "cosine": "reflecting back",
        "polynomial": "for whole powers; a fractional power fails there and holds the end "
        "value here",
    }
    args = _INC_ARGS if inc else _DEC_ARGS
    if shape == "polynomial":
        args += "\n      power: the exponent."
    return _PROGRESS_DOC.format(
        name=name,
        what="increasing" if inc else "decreasing",
        a="start_value" if inc else "max_value",
        b="max_value" if inc else "end_value",
        shape_note="" if shape == "linear" else f" ({shape})",
        formula=formula,
        overrun=overrun[shape],
        args=args,
        example=example,
        output=output,
    )


class LinearDecreasingSchedule(_Progress, name="compat.noether.LinearDecreasingSchedule"):
    max_value: Any
    end_value: Any = 0.0
    examples = ({"max_value": 1e-3, "end_value": 1e-5, "total_steps": 200},)


class LinearIncreasingSchedule(_Progress, name="compat.noether.LinearIncreasingSchedule"):
    max_value: Any
    start_value: Any = 0.0
    _increasing = True
    examples = ({"max_value": 1e-3, "total_steps": 200, "exclude_first": True},)


class CosineDecreasingSchedule(_Progress, name="compat.noether.CosineDecreasingSchedule"):
    max_value: Any
    end_value: Any = 0.0
    _shape = "cosine"
    examples = ({"max_value": 1e-3, "end_value": 1e-6, "total_steps": 200},)


class CosineIncreasingSchedule(_Progress, name="compat.noether.CosineIncreasingSchedule"):
    max_value: Any
    start_value: Any = 0.0
    _shape = "cosine"
    _increasing = True
    examples = ({"max_value": 1e-3, "start_value": 1e-5, "total_steps": 200, "exclude_last": True},)


class PolynomialDecreasingSchedule(_Progress, name="compat.noether.PolynomialDecreasingSchedule"):
    max_value: Any
    end_value: Any = 0.0
    power: Any = 1.0
    _shape = "polynomial"
    examples = ({"max_value": 1e-3, "end_value": 1e-6, "power": 2.0, "total_steps": 200},)

    def _check(self) -> None:
        super()._check()
        v.positive("power", self.power)  # noether divides by zero at the end for power < 0


class PolynomialIncreasingSchedule(_Progress, name="compat.noether.PolynomialIncreasingSchedule"):
    max_value: Any
    start_value: Any = 0.0
    power: Any = 1.0
    _shape = "polynomial"
    _increasing = True
    examples = ({"max_value": 1e-3, "power": 0.5, "total_steps": 200},)

    def _check(self) -> None:
        super()._check()
        v.positive("power", self.power)  # noether divides by zero at the end for power < 0


LinearDecreasingSchedule.__doc__ = _progress_doc(
    "LinearDecreasingSchedule", "linear", False, "1.0", "[1.0, 0.75, 0.5, 0.25, 0.0, -0.25]"
)
LinearIncreasingSchedule.__doc__ = _progress_doc(
    "LinearIncreasingSchedule", "linear", True, "1.0", "[0.0, 0.25, 0.5, 0.75, 1.0, 1.25]"
)
CosineDecreasingSchedule.__doc__ = _progress_doc(
    "CosineDecreasingSchedule", "cosine", False, "1.0", "[1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464]"
)
CosineIncreasingSchedule.__doc__ = _progress_doc(
    "CosineIncreasingSchedule", "cosine", True, "1.0", "[0.0, 0.1464, 0.5, 0.8536, 1.0, 0.8536]"
)
PolynomialDecreasingSchedule.__doc__ = _progress_doc(
    "PolynomialDecreasingSchedule",
    "polynomial",
    False,
    "1.0, power=2.0",
    "[1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0625]",
)
PolynomialIncreasingSchedule.__doc__ = _progress_doc(
    "PolynomialIncreasingSchedule",
    "polynomial",
    True,
    "1.0, power=2.0",
    "[0.0, 0.4375, 0.75, 0.9375, 1.0, 0.9375]",
)


# -- step schedules
# -------------------------------------------------------------------------------------


def _interval(name: str, value: Any) -> float:
    x = v.finite_float(name, value)
    if not 0.0 < x < 1.0:
        raise v.ScheduleArgumentError(name, "must be a float in the range (0, 1)", value)
    return x


class StepDecreasingSchedule(_Progress, name="compat.noether.StepDecreasingSchedule"):
    r"""noether's ``StepDecreasingSchedule``: ``max_value`` times ``factor`` per interval, towards
    ``end_value``.

    With :math:`p = k/T` (``exclude_first``: :math:`(k+1)/(T+1)`; ``exclude_last``: :math:`T+1`) and
    the
    interval index :math:`j = \operatorname{int}(\operatorname{round}(p / \text{interval}, 10))`,

    .. math:: s(k) = \text{max} + (1 - \text{factor}^{j})(\text{end} - \text{max})

    The index is computed exactly as Python does (``0.3 / 0.1`` counts 3), also in float32: each
    step's
    index comes from a host table of the boundaries.

    Args:
      max_value: the first value (>= 0).
      factor: the factor per interval (>= 0).
      decreases_interval: the interval as a fraction of the run, in (0, 1).
      end_value: the value approached (>= 0, <= ``max_value``).
      exclude_first: shift by one step.
      exclude_last: one more step in the denominator.
      total_steps: the run's total updates (keyword-only, >= 1).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import StepDecreasingSchedule
      >>> s = StepDecreasingSchedule(1.0, factor=0.5, decreases_interval=0.1, total_steps=10)
      >>> [float(x) for x in s.numpy([0, 1, 2, 3, 10])]
      [1.0, 0.5, 0.25, 0.125, 0.0009765625]
    """

    max_value: Any
    factor: Any
    decreases_interval: float = static(default=0.1)
    end_value: Any = 0.0
    examples = (
        {"max_value": 1e-3, "factor": 0.5, "decreases_interval": 0.1, "total_steps": 100},
        {
            "max_value": 1e-3,
            "factor": 0.1,
            "decreases_interval": 0.3,
            "end_value": 1e-6,
            "total_steps": 60,
            "exclude_first": True,
        },
    )

    def _check(self) -> None:
        super()._check()
        v.nonnegative("factor", self.factor)
        self._set("decreases_interval", _interval("decreases_interval", self.decreases_interval))

    def plan(self, total: int) -> Any:
        total = self.extended(total)
        shift, T = self._shifted(0, total)
        if T == 0:
            raise v.ScheduleArgumentError(
                "total_steps", "must be >= 1 (noether divides by it)", total
            )
        return _index_table("interval", T - shift, shift, total, self.decreases_interval)

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        shift, T = self._shifted(0, total)
        if T == 0:
            raise ValueError(
                "StepDecreasingSchedule: total_steps must be >= 1 (noether divides by it)"
            )
        j = _step_index(
            bk, n, _index_table("interval", T - shift, shift, total, self.decreases_interval)
        )
        top, end = bk.value(self.max_value), bk.value(self.end_value)
        return end + (top - end) * bk.value(self.factor) ** bk.to_float(j)


class StepIntervalSchedule(NoetherSchedule, name="compat.noether.StepIntervalSchedule"):
    r"""noether's ``StepIntervalSchedule``: ``start_value * factor**j`` per ``update_interval`` of
    the run.

    .. math:: s(k) = \text{start}\cdot\text{factor}^{j}, \qquad
        j = \operatorname{int}(\operatorname{round}((k/T)/\text{interval}, 10))

    The index is exactly Python's (see :class:`StepDecreasingSchedule`).

    Args:
      factor: the factor per interval (>= 0).
      update_interval: the interval as a fraction of the run, in (0, 1).
      start_value: the value at step 0.
      total_steps: the run's total updates (keyword-only, >= 1).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import StepIntervalSchedule
      >>> s = StepIntervalSchedule(factor=0.5, update_interval=0.1, total_steps=30)
      >>> [float(x) for x in s.numpy([0, 2, 3, 8, 9, 30])]
      [1.0, 1.0, 0.5, 0.25, 0.125, 0.0009765625]
    """

    factor: Any
    update_interval: float = static(default=0.1)
    start_value: Any = 1.0
    examples = ({"factor": 0.5, "update_interval": 0.25, "start_value": 1e-3, "total_steps": 100},)

    def _check(self) -> None:
        v.nonnegative("factor", self.factor)
        v.number("start_value", self.start_value)
        self._set("update_interval", _interval("update_interval", self.update_interval))

    def plan(self, total: int) -> Any:
        T = self.extended(total)
        if T == 0:
            raise v.ScheduleArgumentError(
                "total_steps", "must be >= 1 (noether divides by it)", total
            )
        return _index_table("interval", T, 0, T, self.update_interval)

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        if total == 0:
            raise ValueError(
                "StepIntervalSchedule: total_steps must be >= 1 (noether divides by it)"
            )
        j = _step_index(bk, n, _index_table("interval", total, 0, total, self.update_interval))
        return bk.value(self.start_value) * bk.value(self.factor) ** bk.to_float(j)


class StepFixedSchedule(NoetherSchedule, name="compat.noether.StepFixedSchedule"):
    r"""noether's ``StepFixedSchedule``: multiply by ``factor`` at fixed fractions of the run.

    .. math:: s(k) = \text{start}\cdot\text{factor}^{\#\{i \,:\, \text{steps}_i \le k/T\}}

    Args:
      factor: the factor at each mark (>= 0).
      steps: the marks, fractions of the run in (0, 1) (sorted here, as noether sorts them).
      start_value: the value before the first mark.
      total_steps: the run's total updates (keyword-only, >= 1).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import StepFixedSchedule
      >>> s = StepFixedSchedule(factor=0.1, steps=[0.5, 0.3], total_steps=10)
      >>> [round(float(x), 6) for x in s.numpy([0, 2, 3, 4, 5, 10])]
      [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]
    """

    factor: Any
    steps: Any
    start_value: Any = 1.0
    examples = ({"factor": 0.1, "steps": [0.5, 0.75], "start_value": 1e-3, "total_steps": 200},)

    def _check(self) -> None:
        v.nonnegative("factor", self.factor)
        v.number("start_value", self.start_value)
        marks = v.sequence("steps", self.steps)
        if not marks:
            raise v.ScheduleArgumentError("steps", "steps must be a non-empty list", [])
        out = []
        for i, s in enumerate(marks):
            x = v.finite_float(f"steps[{i}]", s)
            if not 0.0 < x < 1.0:
                raise v.ScheduleArgumentError(
                    f"steps[{i}]", "all steps must be floats in the range (0, 1)", s
                )
            out.append(x)
        self._set("steps", tuple(sorted(out)))

    def plan(self, total: int) -> Any:
        if self.extended(total) == 0:
            raise v.ScheduleArgumentError(
                "total_steps", "must be >= 1 (noether divides by it)", total
            )
        return _index_table("fixed", self.extended(total), 0, self.extended(total), self.steps)

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        if total == 0:
            raise ValueError("StepFixedSchedule: total_steps must be >= 1 (noether divides by it)")
        j = _step_index(bk, n, _index_table("fixed", total, 0, total, self.steps))
        return bk.value(self.start_value) * bk.value(self.factor) ** bk.to_float(j)


# -- sequential
# -------------------------------------------------------------------------------------------


def _child(name: str, s: Any) -> NoetherSchedule:
    if isinstance(s, Mapping):
        if "kind" in s and "name" not in s:
            s = from_noether_config(s, None)
        else:
            from jaxsched._config import from_config

            s = from_config(s)
    if not isinstance(s, NoetherSchedule):
        raise v.ScheduleArgumentTypeError(
            name, "a noether schedule port (jaxsched.compat.noether)", s
        )
    return s


def _segments(name: str, configs: Any, start_key: str, end_key: str) -> tuple[dict[str, Any], ...]:
    items = v.sequence(name, configs)
    if not items:
        raise v.ScheduleArgumentError(name, "At least one schedule config must be provided.", [])
    out = []
    for i, c in enumerate(items):
        if not isinstance(c, Mapping):
            raise v.ScheduleArgumentTypeError(
                f"{name}[{i}]", f"a dict with 'schedule', {start_key!r} and {end_key!r}", c
            )
        extra = set(c) - {"schedule", start_key, end_key}
        if extra or "schedule" not in c:
            raise v.ScheduleArgumentError(
                f"{name}[{i}]",
                f"needs 'schedule' and optional {start_key!r}, {end_key!r}; got keys {sorted(c)}",
                value=...,
            )
        out.append(
            {
                "schedule": _child(f"{name}[{i}].schedule", c["schedule"]),
                start_key: c.get(start_key),
                end_key: c.get(end_key),
            }
        )
    return tuple(out)


def _fill(configs: tuple[dict[str, Any], ...], start: str, end: str, first: Any) -> None:
    """noether's propagation of missing starts/ends between neighbours."""
    if configs[0][start] is None:
        configs[0][start] = first
    for i in range(1, len(configs) - 1):
        if configs[i][start] is None:
            configs[i][start] = configs[i - 1][end]
        if configs[i][end] is None:
            configs[i][end] = configs[i + 1][start]
    if len(configs) > 1:
        if configs[-1][start] is None:
            configs[-1][start] = configs[-2][end]
        if configs[-2][end] is None:
            configs[-2][end] = configs[-1][start]


class _Sequential(NoetherSchedule):
    schedule_configs: Any
    _start = "start_step"
    _end = "end_step"

    def _key_steps(self) -> list[Any]:
        return [c[self._start] for c in self.schedule_configs if isinstance(c[self._start], int)]

    def _segment_plan(self, total: int) -> tuple[list[tuple[int, int]], int]:
        """Per config ``(start_step, child_total)``, and the first child's total for steps before
        it."""
        raise NotImplementedError

    def plan(self, total: int) -> Any:
        segs, before = self._segment_plan(self.extended(total))
        for c, (_, sub) in zip(self.schedule_configs, segs, strict=True):
            if sub >= 0:  # a segment starting past the end is never reached
                c["schedule"].plan(sub)
        return segs, before

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        xp = bk.xp
        segs, before = self._segment_plan(total)
        starts = xp.asarray(np.asarray([a for a, _ in segs], dtype=np.int64), n.dtype)
        idx = (
            xp.searchsorted(starts, n, side="right") - 1
        )  # the last segment started; -1: before all
        out = self.schedule_configs[0]["schedule"].at(bk, xp.zeros_like(n), max(before, 0))
        for i, (c, (start, sub)) in enumerate(zip(self.schedule_configs, segs, strict=True)):
            if sub < 0:
                continue
            # Past its end a child holds get_value(sub - 1, sub).
            local = xp.clip(n - start, 0, max(sub - 1, 0))
            out = xp.where(idx == i, c["schedule"].at(bk, local, sub), out)
        return out


class SequentialStepSchedule(_Sequential, name="compat.noether.SequentialStepSchedule"):
    r"""noether's ``SequentialStepSchedule``: child schedules over step ranges of the run.

    Each entry is ``{"schedule": <noether port>, "start_step": a, "end_step": b}`` (missing bounds
    are
    taken from the neighbours, as noether does; the last ``end_step`` defaults to the total, and
    ``end_step=0`` counts as unset). The child active at step :math:`k` (the last with :math:`a \le
    k`)
    sees step :math:`k - a` of :math:`b - a`; past its end it holds its last value
    ``get_value(b - a - 1, b - a)``; before the first start it gives the first child's value at 0.

    .. math:: s(k) = g_i\big(\min(k - a_i,\ b_i - a_i - 1),\ b_i - a_i\big)

    Args:
      schedule_configs: the entries (children may be ports or their configs, ``total_steps`` unset).
      total_steps: the run's total updates (keyword-only).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import noether as N
      >>> s = N.SequentialStepSchedule([
      ...     {"schedule": N.LinearIncreasingSchedule(1.0), "end_step": 2},
      ...     {"schedule": N.ConstantSchedule(0.5), "start_step": 2}], total_steps=4)
      >>> [float(x) for x in s.numpy(range(5))]
      [0.0, 1.0, 0.5, 0.5, 0.5]
    """

    examples = (
        {
            "schedule_configs": [
                {
                    "schedule": {
                        "name": "compat.noether.LinearIncreasingSchedule",
                        "max_value": 1e-3,
                    },
                    "end_step": 20,
                },
                {
                    "schedule": {
                        "name": "compat.noether.CosineDecreasingSchedule",
                        "max_value": 1e-3,
                    },
                    "start_step": 20,
                },
            ],
            "total_steps": 200,
        },
    )

    def _check(self) -> None:
        segs = _segments("schedule_configs", self.schedule_configs, "start_step", "end_step")
        _fill(segs, "start_step", "end_step", 0)
        for i, c in enumerate(segs):
            for key in ("start_step", "end_step"):
                if c[key] is not None:
                    c[key] = v.integer(f"schedule_configs[{i}].{key}", c[key], minimum=0)
        for i, c in enumerate(segs):
            a, b = c["start_step"], c["end_step"]
            if a is None or (b is None and i < len(segs) - 1):
                raise v.ScheduleArgumentError(
                    f"schedule_configs[{i}]",
                    "start_step and end_step must be defined after propagation.",
                    value=...,
                )
            if b is not None and a > b:
                raise v.ScheduleArgumentError(
                    f"schedule_configs[{i}].start_step",
                    f"start_step must be <= end_step, got {a} > {b}",
                    value=...,
                )
            if i + 1 < len(segs) and b > segs[i + 1]["start_step"]:
                raise v.ScheduleArgumentError(
                    f"schedule_configs[{i}].end_step",
                    f"end_step must be <= next start_step, got {b} > {segs[i + 1]['start_step']}",
                    value=...,
                )
        self._set("schedule_configs", segs)

    def _segment_plan(self, total: int) -> tuple[list[tuple[int, int]], int]:
        segs = []
        for c in self.schedule_configs:
            start = c["start_step"]
            segs.append((start, (c["end_step"] or total) - start))
        first = self.schedule_configs[0]
        return segs, (first["end_step"] or total) - first["start_step"]


class SequentialPercentSchedule(_Sequential, name="compat.noether.SequentialPercentSchedule"):
    r"""noether's ``SequentialPercentSchedule``: child schedules over fractions of the run.

    Entries are ``{"schedule": ..., "start_percent": a, "end_percent": b}`` (missing bounds from the
    neighbours; the first start defaults to 0, the last end to 1). Fractions become steps as
    ``int(pct * (T - 1))`` (truncated: 0.29 of 101 steps is 28), except ``end_percent == 1`` which
    is
    :math:`T`. A child sees ``step - start`` of ``end - start`` steps and holds its last value past
    its
    end; an empty range gives ``get_value(0, 1)``.

    .. math:: s(k) = g_i\big(\min(k - a_i,\ b_i - a_i - 1),\ b_i - a_i\big),
        \quad a_i = \lfloor \text{pct}_i\,(T - 1) \rfloor

    Args:
      schedule_configs: the entries.
      total_steps: the run's total updates (keyword-only).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import noether as N
      >>> s = N.SequentialPercentSchedule([
      ...     {"schedule": N.ConstantSchedule(1.0), "end_percent": 0.5},
      ...     {"schedule": N.ConstantSchedule(0.1)}], total_steps=5)
      >>> [float(x) for x in s.numpy(range(5))]
      [1.0, 1.0, 0.1, 0.1, 0.1]
    """

    _start = "start_percent"
    _end = "end_percent"

    examples = (
        {
            "schedule_configs": [
                {
                    "schedule": {"name": "compat.noether.ConstantSchedule", "value": 1e-3},
                    "end_percent": 0.3,
                },
                {
                    "schedule": {
                        "name": "compat.noether.LinearDecreasingSchedule",
                        "max_value": 1e-3,
                    },
                    "start_percent": 0.3,
                },
            ],
            "total_steps": 200,
        },
    )

    def _check(self) -> None:
        segs = _segments("schedule_configs", self.schedule_configs, "start_percent", "end_percent")
        for i, c in enumerate(segs):
            for key in ("start_percent", "end_percent"):
                if c[key] is not None:
                    c[key] = v.finite_float(f"schedule_configs[{i}].{key}", c[key])
        # noether propagates starts from the previous end (asserting it exists) and ends from the
        # next start.
        _fill(segs, "start_percent", "end_percent", 0.0)
        if segs[-1]["end_percent"] is None:
            segs[-1]["end_percent"] = 1.0
        for i, c in enumerate(segs):
            a, b = c["start_percent"], c["end_percent"]
            nxt = segs[i + 1]["start_percent"] if i + 1 < len(segs) else None
            ok = a is not None and b is not None and 0.0 <= a <= b <= 1.0
            if i + 1 < len(segs):
                ok = ok and nxt is not None and b is not None and b <= nxt <= 1.0
            if not ok:
                raise v.ScheduleArgumentError(
                    f"schedule_configs[{i}]",
                    "needs 0 <= start_percent <= end_percent <= next "
                    f"start_percent <= 1 after propagation, got {a} .. {b}",
                    value=...,
                )
        self._set("schedule_configs", segs)

    def _segment_plan(self, total: int) -> tuple[list[tuple[int, int]], int]:
        m1 = total - 1
        segs = []
        for c in self.schedule_configs:
            start = int(c["start_percent"] * m1)
            pct = c["end_percent"]
            end = total if pct == 1.0 or pct is None else int(m1 * pct)
            sub = end - start
            # An empty range evaluates get_value(0, 1).
            segs.append((start, sub if sub != 0 else 1))
        first = self.schedule_configs[0]
        pct = first["end_percent"]
        end = total if pct == 1.0 else (int(m1 * pct) if pct is not None else total)
        return segs, end - int(m1 * first["start_percent"])


# -- linear warmup + cosine decay
# ---------------------------------------------------------------------------


class LinearWarmupCosineDecaySchedule(
    NoetherSchedule, name="compat.noether.LinearWarmupCosineDecaySchedule"
):
    r"""noether's ``LinearWarmupCosineDecaySchedule``: a linear warmup, then a cosine decay.

    Built as noether builds it: a :class:`SequentialStepSchedule` (``warmup_steps`` :math:`W`) or
    :class:`SequentialPercentSchedule` (``warmup_percent``, :math:`W = \lfloor
    \text{pct}\,(T-1)\rfloor`)
    of ``LinearIncreasingSchedule(start_value, max_value, exclude_first=(start_value == 0),
    exclude_last=True)`` over :math:`W` steps and ``CosineDecreasingSchedule(max_value, end_value)``
    over
    the remaining :math:`T - W`. With ``start_value == 0`` the warmup is :math:`(k+1)/(W+1)\cdot`
    max, so
    ``max_value`` is first reached at step :math:`W`; the cosine reaches ``end_value`` at
    :math:`T-1`.

    .. math:: s(k) = \begin{cases} a + \frac{k + [a = 0]}{W + [a = 0]}\,(\text{max} - a) & k < W \\
        e + (\text{max} - e)\,\frac{1 + \cos(\pi\,(k - W)/(T - W - 1))}{2} & k \ge W \end{cases}

    ``max_value`` defaults to 1.0 as in noether (an absolute value: set it to the LR).

    Args:
      max_value: the peak (>= 0).
      warmup_steps: :math:`W` in steps, or
      warmup_percent: the warmup as a fraction of the run (exactly one of the two).
      start_value: the warmup's start (>= 0).
      end_value: the final value (>= 0).
      total_steps: the run's total updates (keyword-only).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.noether import LinearWarmupCosineDecaySchedule
      >>> s = LinearWarmupCosineDecaySchedule(warmup_steps=3, end_value=0.0, total_steps=10)
      >>> [round(float(x), 3) for x in s.numpy(range(11))]
      [0.25, 0.5, 0.75, 1.0, 0.933, 0.75, 0.5, 0.25, 0.067, 0.0, 0.0]
    """

    max_value: Any = 1.0
    warmup_steps: int | None = static(default=None)
    warmup_percent: float | None = static(default=None)
    start_value: Any = 0.0
    end_value: Any = 1e-6

    examples = (
        {"max_value": 1e-3, "warmup_percent": 0.05, "end_value": 1e-6, "total_steps": 400},
        {
            "max_value": 1e-3,
            "warmup_steps": 20,
            "start_value": 1e-5,
            "end_value": 0.0,
            "total_steps": 300,
        },
    )

    def _check(self) -> None:
        v.nonnegative("max_value", self.max_value)
        v.nonnegative("start_value", self.start_value)
        v.nonnegative("end_value", self.end_value)
        if (self.warmup_steps is None) == (self.warmup_percent is None):
            raise v.ScheduleArgumentError(
                "warmup_steps",
                "Define exactly one of warmup_steps or warmup_percent",
                self.warmup_steps,
            )
        if self.warmup_steps is not None:
            self._set("warmup_steps", v.integer("warmup_steps", self.warmup_steps, minimum=0))
        else:
            pct = v.finite_float("warmup_percent", self.warmup_percent)
            if not 0.0 <= pct <= 1.0:
                raise v.ScheduleArgumentError("warmup_percent", "must be in [0, 1]", pct)
            self._set("warmup_percent", pct)
        self._sequential()

    def _sequential(self) -> _Sequential:
        warm = LinearIncreasingSchedule(
            self.max_value,
            self.start_value,
            exclude_first=bool(np.all(np.asarray(self.start_value) == 0)),
            exclude_last=True,
        )
        cos = CosineDecreasingSchedule(self.max_value, self.end_value)
        if self.warmup_steps is not None:
            return SequentialStepSchedule(
                [
                    {"schedule": warm, "start_step": 0, "end_step": self.warmup_steps},
                    {"schedule": cos, "start_step": self.warmup_steps},
                ]
            )
        return SequentialPercentSchedule(
            [
                {"schedule": warm, "end_percent": self.warmup_percent},
                {"schedule": cos, "start_percent": self.warmup_percent},
            ]
        )

    def _key_steps(self) -> list[Any]:
        if self.total_steps is None:
            return []
        if self.warmup_steps is not None:
            W = self.warmup_steps
        else:
            W = int(float(self.warmup_percent or 0.0) * (self.total_steps - 1))
        return [W, self.total_steps - 1]

    def plan(self, total: int) -> Any:
        return self._sequential().plan(self.extended(total))

    def _inner(self, bk: Backend, n: Array, total: int) -> Array:
        return self._sequential().at(bk, n, total)


# -- configs
# -----------------------------------------------------------------------------------------------

_KINDS: dict[str, type[NoetherSchedule]] = {
    cls.__name__: cls
    for cls in (
        ConstantSchedule,
        CustomSchedule,
        LinearDecreasingSchedule,
        LinearIncreasingSchedule,
        CosineDecreasingSchedule,
        CosineIncreasingSchedule,
        PolynomialDecreasingSchedule,
        PolynomialIncreasingSchedule,
        StepDecreasingSchedule,
        StepFixedSchedule,
        StepIntervalSchedule,
        LinearWarmupCosineDecaySchedule,
        SequentialStepSchedule,
        SequentialPercentSchedule,
    )
}

_IGNORED = ("weight_decay",)
"""``ScheduleBaseConfig`` fields that do not change the curve."""


def from_noether_config(
    cfg: Mapping[str, Any], total_steps: int | None, *, updates_per_epoch: int | None = None
) -> NoetherSchedule:
    """The port of a noether schedule config ``{"kind": "noether.core.schedules.X", ...}``.

    ``kind`` may name the class in ``noether.core.schedules`` or in one of its modules
    (``noether.core.schedules.cosine.CosineDecreasingSchedule``). Fields are the config's own
    (``max_value``, ``warmup_percent``, ``overhang_percent``, ...); ``interval: epoch`` needs
    ``updates_per_epoch``; ``weight_decay`` is ignored (it does not change the curve).

    Args:
      cfg: the config mapping (as in a noether YAML ``schedule_config``).
      total_steps: the run's total updates (``None`` builds a child for a Sequential schedule).
      updates_per_epoch: updates per epoch, for ``interval: epoch``.

    Returns:
      The port.

    Raises:
      ValueError, TypeError: an unknown kind or field, or an invalid value (naming it).

    Example:
      >>> from jaxsched.compat.noether import from_noether_config
      >>> s = from_noether_config({"kind": "noether.core.schedules.LinearWarmupCosineDecaySchedule",
      ...                          "warmup_percent": 0.29, "max_value": 1e-3}, total_steps=101)
      >>> s.key_steps()[:2]
      [0, 28]
    """
    if not isinstance(cfg, Mapping):
        raise v.ScheduleArgumentTypeError("config", "a mapping with a 'kind' key", cfg)
    kind = cfg.get("kind")
    if not isinstance(kind, str):
        raise v.ScheduleArgumentTypeError(
            "kind", "a string such as 'noether.core.schedules.X'", kind
        )
    short = kind.rsplit(".", 1)[-1]
    if not kind.startswith("noether.core.schedules.") or short not in _KINDS:
        raise v.ScheduleArgumentError(
            "kind", f"is not a noether schedule this port knows (one of {sorted(_KINDS)})", kind
        )
    cls = _KINDS[short]
    kwargs: dict[str, Any] = {}
    interval = "update"
    for key, value in cfg.items():
        if key == "kind" or key in _IGNORED:
            continue
        if key == "interval":
            interval = value
            continue
        kwargs[key] = value
    if interval not in ("update", "epoch"):
        raise v.ScheduleArgumentError("interval", "must be 'update' or 'epoch'", interval)
    if interval == "epoch":
        if updates_per_epoch is None:
            raise v.ScheduleArgumentError("interval", "'epoch' needs updates_per_epoch", interval)
        kwargs["updates_per_epoch"] = updates_per_epoch
    if "schedule_configs" in kwargs:
        kwargs["schedule_configs"] = [
            {
                k: (
                    from_noether_config(x, None)
                    if k == "schedule" and isinstance(x, Mapping) and "kind" in x
                    else x
                )
                for k, x in c.items()
            }
            if isinstance(c, Mapping)
            else c
            for c in v.sequence("schedule_configs", kwargs["schedule_configs"])
        ]
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(kwargs) - names)
    if unknown:
        raise v.ScheduleArgumentError(
            "config",
            f"unknown field(s) {unknown} for {short} (it takes "
            f"{sorted(names - {'total_steps', 'updates_per_epoch'})})",
            value=...,
        )
    return cls(**kwargs, total_steps=total_steps)
