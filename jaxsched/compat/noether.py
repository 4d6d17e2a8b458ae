"""Ports of noether's schedules (``noether.core.schedules``, Emmi AI; PyPI ``emmiai-noether``).

noether schedules are pure functions ``get_value(step, total_steps)`` returning the value itself; its
trainer calls them *before* each update with ``step`` = the update index (from 0) and ``total_steps`` =
the run's last update count. A port takes ``total_steps`` as a (keyword-only) argument, so ``s(k)`` is
``get_value(k, total_steps)``: the value update :math:`k` runs with.

Conventions of the original kept here:

- Progress schedules (linear, cosine, polynomial) use :math:`p = \\text{step}/\\max(1, T - 1)`: the end
  value is reached at the last update :math:`T - 1`. At ``step == T`` (which noether accepts) they
  *extrapolate*: linear goes past the end value, cosine reflects back up. Where that would be below 0
  (a linear or odd-power decay to near 0; noether's trainer never applies step ``T``) the port gives 0.
  ``exclude_first`` shifts to ``step + 1`` and ``T + 1``; ``exclude_last`` uses ``T + 1``. They lower to
  :func:`jaxsched.progress_interpolate`, which has these denominators.
- Step schedules use :math:`p = \\text{step}/T` and the interval index ``int(round(p / interval, 10))``:
  the 10-digit rounding makes ``0.3 / 0.1`` count as 3. They lower to
  :func:`jaxsched.fraction_step_decay`, which computes the index of every step once on the host with
  Python's own arithmetic and looks it up with integer arithmetic, exact in float32 too.
- ``overhang_percent`` / ``overhang_steps`` lengthen ``T`` (``T + int(T * pct)``) after the step check.
- noether raises for ``step > total_steps``; a port holds its value at ``total_steps`` there.
- With ``interval: epoch`` noether evaluates ``get_value(epoch * updates_per_epoch, ...)``: give
  ``updates_per_epoch`` and the value is constant within each epoch (:func:`jaxsched.quantize`).
- Sequential schedules are :func:`jaxsched.join` of their children, each held at its last value.

Every duration (``total_steps``, the overhang, the sequence bounds) is static: they decide the pieces.
:func:`from_noether_config` builds a port from a noether ``{"kind": "noether.core.schedules.X", ...}``
config (and :func:`jaxsched.from_config` reads those configs through it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import jaxsched
from jaxsched import _config
from jaxsched import _fields as fl
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, flag, level, static, static_float, steps, value, value_seq

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


def _fraction(name: str, x: Any, reason: str = "must be a float in the range (0, 1)") -> float:
    f = static_float()(name, x)
    if not 0.0 < f < 1.0:
        raise v.ScheduleArgumentError(name, reason, x)
    return float(f)


def _overhang_percent(name: str, x: Any) -> float | None:
    return None if x is None else static_float(0.0)(name, x)


def _percent(name: str, x: Any) -> float | None:
    return None if x is None else static_float(0.0, 1.0)(name, x)


class NoetherSchedule(Port):
    """Base of the noether ports: ``total_steps``, overhang and epoch interval (keyword-only, static).

    A subclass builds ``get_value(min(k, cap), total)`` from catalog pieces in :meth:`curve`; a standalone
    port is ``curve(total_steps, total_steps)`` (sampled once per epoch with ``updates_per_epoch``), a
    child of a sequence is ``curve`` of its segment, held from the segment's last step.
    """

    _: dataclasses.KW_ONLY
    total_steps: int | None = steps(default=None, static=True)
    overhang_percent: float | None = static(default=None, converter=_overhang_percent)
    overhang_steps: int | None = steps(default=None, static=True)
    updates_per_epoch: int | None = steps(default=None, static=True, minimum=1)

    def __check_init__(self) -> None:
        if self.overhang_percent is not None and self.overhang_steps is not None:
            raise v.ScheduleArgumentError(
                "overhang_steps",
                "only one of overhang_percent and overhang_steps must be set",
                self.overhang_steps,
            )

    def _after_checks(self) -> None:
        if self.total_steps is not None:  # the original's errors for this total, now
            super()._after_checks()

    def extended(self, total: int) -> int:
        """``total`` with the overhang added, as ``ScheduleBase.get_value`` does."""
        if self.overhang_percent is not None:
            total += int(total * self.overhang_percent)
        if self.overhang_steps is not None:
            total += self.overhang_steps
        return total

    def curve(self, total: int, cap: int) -> Schedule:
        """``get_value(min(k, cap), total)`` (with the overhang), from catalog pieces."""
        raise NotImplementedError

    def lower(self) -> Schedule:
        T, every = self.total_steps, self.updates_per_epoch
        if T is None:
            raise ValueError(
                f"{type(self).__name__}: total_steps is needed to evaluate a noether schedule on its own "
                "(it is optional only inside a Sequential schedule)"
            )
        if every is None:
            return self.curve(T, T)
        return jaxsched.quantize(self.curve(T, T // every * every), every)

    def _key_steps(self) -> list[Any]:
        return [] if self.total_steps is None else super()._key_steps()


# -- constant / custom -----------------------------------------------------------------------------------


class ConstantSchedule(NoetherSchedule, name="compat.noether.ConstantSchedule"):
    r"""noether's ``ConstantSchedule``: ``value`` at every step (:func:`jaxsched.constant`).

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

    value: Real = level()

    examples = ({"value": 1e-3, "total_steps": 100},)

    def curve(self, total: int, cap: int) -> Schedule:
        return jaxsched.constant(self.value)


class CustomSchedule(NoetherSchedule, name="compat.noether.CustomSchedule"):
    r"""noether's ``CustomSchedule``: ``values[step]``, a :func:`jaxsched.join` of constants.

    .. math:: s(k) = \text{values}[k]

    noether raises ``IndexError`` past the list; here the list must cover ``total_steps`` updates (steps
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

    values: tuple[Real, ...] = value_seq(minimum=0.0, nonempty=True)

    examples = ({"values": [1e-3, 5e-4, 1e-4, 5e-5], "total_steps": 4},)

    def curve(self, total: int, cap: int) -> Schedule:
        n = self.extended(total)
        if n > len(self.values) and total > 0:
            raise v.ScheduleArgumentError(
                "values",
                f"has {len(self.values)} entries for {n} steps (noether raises IndexError past the list)",
                value=...,
            )
        used = [jaxsched.constant(x) for x in self.values[: cap + 1]]
        return jaxsched.join(used, list(range(1, len(used))))


# -- progress schedules ----------------------------------------------------------------------------------


class _Progress(NoetherSchedule):
    """``start + f(p) * (end - start)`` with ``p = step / max(1, T - 1)`` and the exclude flags."""

    _: dataclasses.KW_ONLY
    exclude_first: bool = flag(default=False)
    exclude_last: bool = flag(default=False)
    _shape = "linear"
    _increasing = False

    def _ends(self) -> tuple[Any, Any]:
        """``(first, last)`` values: start -> max (increasing) or max -> end (decreasing)."""
        fields = vars(self)
        if self._increasing:
            return fields["start_value"], fields["max_value"]
        return fields["max_value"], fields["end_value"]

    def __check_init__(self) -> None:
        first, last = self._ends()
        if self._increasing:
            v.asserted(v.less, "start_value", first, "max_value", last, equal_ok=True)  # noether asserts
        elif fl.known(first, last) and last > first:
            raise v.ScheduleArgumentError(
                "end_value", "end_value must be less than or equal to max_value", last
            )

    def _shifts(self) -> tuple[int, int]:
        return int(self.exclude_first), int(self.exclude_first) + int(self.exclude_last)

    def curve(self, total: int, cap: int) -> Schedule:
        offset, extra = self._shifts()
        first, last = self._ends()
        return jaxsched.progress_interpolate(
            first,
            last,
            self.extended(total) + extra,
            shape=self._shape,
            power=getattr(self, "power", 1.0),
            offset=offset,
            hold_from=cap,
        )


_PROGRESS_DOC = r"""noether's ``{name}``: {what} from ``{a}`` to ``{b}``{shape_note}.

    With :math:`T` = ``total_steps`` (+1 with ``exclude_last``; +1 and ``step + 1`` with ``exclude_first``)
    and :math:`p = k/\max(1, T-1)`,

    .. math:: s(k) = a + f(p)\,(b - a), \qquad {formula}

    The end value is reached at update :math:`T - 1`; at ``step == T`` noether extrapolates ({overrun}),
    reproduced here (floored at 0). It is :func:`jaxsched.progress_interpolate` with
    ``shape="{shape}"``.

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
      start_value: the first value (>= 0, <= ``max_value``)."""


def _progress_doc(name: str, shape: str, inc: bool, example: str, output: str) -> str:
    formula = {
        "linear": "f(p) = p",
        "cosine": r"f(p) = \frac{1 - \cos(\pi p)}{2}",
        "polynomial": r"f(p) = 1 - (1 - p)^{\text{power}}",
    }[shape]
    overrun = {
        "linear": "past the end value",
        "cosine": "reflecting back",
        "polynomial": "for whole powers; a fractional power fails there and holds the end value here",
    }
    args = _INC_ARGS if inc else _DEC_ARGS
    if shape == "polynomial":
        args += "\n      power: the exponent (> 0; static)."
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
        shape=shape,
    )


def _power() -> Any:
    """``power`` > 0, static: whole and fractional powers continue differently past the end."""
    return static(default=1.0, converter=static_float(0.0, min_open=True))


class LinearDecreasingSchedule(_Progress, name="compat.noether.LinearDecreasingSchedule"):
    max_value: Real = level()
    end_value: Real = level(default=0.0)
    examples = ({"max_value": 1e-3, "end_value": 1e-5, "total_steps": 200},)


class LinearIncreasingSchedule(_Progress, name="compat.noether.LinearIncreasingSchedule"):
    max_value: Real = level()
    start_value: Real = level(default=0.0)
    _increasing = True
    examples = ({"max_value": 1e-3, "total_steps": 200, "exclude_first": True},)


class CosineDecreasingSchedule(_Progress, name="compat.noether.CosineDecreasingSchedule"):
    max_value: Real = level()
    end_value: Real = level(default=0.0)
    _shape = "cosine"
    examples = ({"max_value": 1e-3, "end_value": 1e-6, "total_steps": 200},)


class CosineIncreasingSchedule(_Progress, name="compat.noether.CosineIncreasingSchedule"):
    max_value: Real = level()
    start_value: Real = level(default=0.0)
    _shape = "cosine"
    _increasing = True
    examples = ({"max_value": 1e-3, "start_value": 1e-5, "total_steps": 200, "exclude_last": True},)


class PolynomialDecreasingSchedule(_Progress, name="compat.noether.PolynomialDecreasingSchedule"):
    max_value: Real = level()
    end_value: Real = level(default=0.0)
    power: float = _power()  # noether divides by zero at the end for power < 0
    _shape = "polynomial"
    examples = ({"max_value": 1e-3, "end_value": 1e-6, "power": 2.0, "total_steps": 200},)


class PolynomialIncreasingSchedule(_Progress, name="compat.noether.PolynomialIncreasingSchedule"):
    max_value: Real = level()
    start_value: Real = level(default=0.0)
    power: float = _power()
    _shape = "polynomial"
    _increasing = True
    examples = ({"max_value": 1e-3, "power": 0.5, "total_steps": 200},)


LinearDecreasingSchedule.__doc__ = _progress_doc(
    "LinearDecreasingSchedule", "linear", False, "1.0", "[1.0, 0.75, 0.5, 0.25, 0.0, 0.0]"
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


# -- step schedules --------------------------------------------------------------------------------------


def _interval(name: str, x: Any) -> float:
    return _fraction(name, x)


def _marks(name: str, x: Any) -> tuple[float, ...]:
    items = v.sequence(name, x)
    if not items:
        raise v.ScheduleArgumentError(name, "steps must be a non-empty list", [])
    return tuple(
        sorted(
            _fraction(f"{name}[{i}]", s, "all steps must be floats in the range (0, 1)")
            for i, s in enumerate(items)
        )
    )


def _step_total(total: int) -> int:
    if total == 0:
        raise v.ScheduleArgumentError("total_steps", "must be >= 1 (noether divides by it)", total)
    return total


class StepDecreasingSchedule(_Progress, name="compat.noether.StepDecreasingSchedule"):
    r"""noether's ``StepDecreasingSchedule``: ``max_value`` times ``factor`` per interval, towards
    ``end_value``.

    With :math:`p = k/T` (``exclude_first``: :math:`(k+1)/(T+1)`; ``exclude_last``: :math:`T+1`) and the
    interval index :math:`j = \operatorname{int}(\operatorname{round}(p / \text{interval}, 10))`,

    .. math:: s(k) = \text{max} + (1 - \text{factor}^{j})(\text{end} - \text{max})

    The index is computed exactly as Python does (``0.3 / 0.1`` counts 3), also in float32: it is
    :func:`jaxsched.fraction_step_decay`, whose steps of the index are a host table.

    Args:
      max_value: the first value (>= 0).
      factor: the factor per interval (>= 0).
      decreases_interval: the interval as a fraction of the run, in (0, 1) (static).
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

    max_value: Real = level()
    factor: Real = value(minimum=0.0)
    decreases_interval: float = static(default=0.1, converter=_interval)
    end_value: Real = level(default=0.0)

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

    def curve(self, total: int, cap: int) -> Schedule:
        offset, extra = self._shifts()
        T = _step_total(self.extended(total) + extra)
        return jaxsched.fraction_step_decay(
            self.max_value,
            self.factor,
            T,
            interval=self.decreases_interval,
            end_value=self.end_value,
            offset=offset,
            hold_from=cap,
        )


class StepIntervalSchedule(NoetherSchedule, name="compat.noether.StepIntervalSchedule"):
    r"""noether's ``StepIntervalSchedule``: ``start_value`` times ``factor`` per ``update_interval`` of the
    run.

    .. math:: s(k) = \text{start}\cdot\text{factor}^{j}, \qquad
        j = \operatorname{int}(\operatorname{round}((k/T)/\text{interval}, 10))

    The index is exactly Python's (see :class:`StepDecreasingSchedule`).

    Args:
      factor: the factor per interval (>= 0).
      update_interval: the interval as a fraction of the run, in (0, 1) (static).
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

    factor: Real = value(minimum=0.0)
    update_interval: float = static(default=0.1, converter=_interval)
    start_value: Real = level(default=1.0)

    examples = ({"factor": 0.5, "update_interval": 0.25, "start_value": 1e-3, "total_steps": 100},)

    def curve(self, total: int, cap: int) -> Schedule:
        T = _step_total(self.extended(total))
        return jaxsched.fraction_step_decay(
            self.start_value, self.factor, T, interval=self.update_interval, hold_from=cap
        )


class StepFixedSchedule(NoetherSchedule, name="compat.noether.StepFixedSchedule"):
    r"""noether's ``StepFixedSchedule``: multiply by ``factor`` at fixed fractions of the run.

    .. math:: s(k) = \text{start}\cdot\text{factor}^{\#\{i \,:\, \text{steps}_i \le k/T\}}

    It is :func:`jaxsched.fraction_step_decay` with ``fractions``.

    Args:
      factor: the factor at each mark (>= 0).
      steps: the marks, fractions of the run in (0, 1) (sorted here, as noether sorts them; static).
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

    factor: Real = value(minimum=0.0)
    steps: tuple[float, ...] = static(converter=_marks)
    start_value: Real = level(default=1.0)

    examples = ({"factor": 0.1, "steps": [0.5, 0.75], "start_value": 1e-3, "total_steps": 200},)

    def curve(self, total: int, cap: int) -> Schedule:
        T = _step_total(self.extended(total))
        return jaxsched.fraction_step_decay(
            self.start_value, self.factor, T, fractions=self.steps, hold_from=cap
        )


# -- sequential ------------------------------------------------------------------------------------------


def _child(name: str, s: Any) -> NoetherSchedule:
    if isinstance(s, Mapping):
        s = from_noether_config(s, None) if "kind" in s and "name" not in s else _config.from_config(s)
    if not isinstance(s, NoetherSchedule):
        raise v.ScheduleArgumentTypeError(name, "a noether schedule port (jaxsched.compat.noether)", s)
    return s


Segment = tuple[NoetherSchedule, Any, Any]
"""A child of a sequence with its start and end bounds (``None`` where not given)."""
Segments = Sequence[Mapping[str, Any] | Segment]
"""``schedule_configs`` as given: noether's dicts (held as :data:`Segment` triples once checked)."""


class _Segments(fl.Static):
    """``schedule_configs``: ``{"schedule": child, <start>: a, <end>: b}`` entries, held as
    ``(child, a, b)`` triples (static: the bounds decide the pieces); children may be given as ports or as
    their configs."""

    def __init__(self, start: str, end: str) -> None:
        super().__init__()
        self.start, self.end = start, end

    def convert(self, name: str, x: Any) -> tuple[Segment, ...]:
        items = v.sequence(name, x)
        if not items:
            raise v.ScheduleArgumentError(name, "At least one schedule config must be provided.", [])
        out = []
        for i, c in enumerate(items):
            if isinstance(c, tuple) and len(c) == 3 and isinstance(c[0], NoetherSchedule):
                out.append(c)
                continue
            if not isinstance(c, Mapping):
                raise v.ScheduleArgumentTypeError(
                    f"{name}[{i}]", f"a dict with 'schedule', {self.start!r} and {self.end!r}", c
                )
            if set(c) - {"schedule", self.start, self.end} or "schedule" not in c:
                raise v.ScheduleArgumentError(
                    f"{name}[{i}]",
                    f"needs 'schedule' and optional {self.start!r}, {self.end!r}; got keys {sorted(c)}",
                    value=...,
                )
            out.append((_child(f"{name}[{i}].schedule", c["schedule"]), c.get(self.start), c.get(self.end)))
        return tuple(out)

    def _dicts(self, x: tuple[Segment, ...], config: bool) -> list[dict[str, Any]]:
        return [{"schedule": s.to_config() if config else s, self.start: a, self.end: b} for s, a, b in x]

    def to_config(self, name: str, x: Any) -> Any:
        return self._dicts(x, True)

    def shown(self, x: Any) -> Any:
        return self._dicts(x, False)

    def key(self, x: Any) -> Any:
        return tuple(x)


def _segments(start: str, end: str) -> Any:
    return dataclasses.field(metadata={fl._ROLE: _Segments(start, end)})


def _fill(configs: list[list[Any]], first: Any) -> None:
    """noether's propagation of missing starts/ends between neighbours (entries ``[child, start, end]``)."""
    if configs[0][1] is None:
        configs[0][1] = first
    for i in range(1, len(configs) - 1):
        if configs[i][1] is None:
            configs[i][1] = configs[i - 1][2]
        if configs[i][2] is None:
            configs[i][2] = configs[i + 1][1]
    if len(configs) > 1:
        if configs[-1][1] is None:
            configs[-1][1] = configs[-2][2]
        if configs[-2][2] is None:
            configs[-2][2] = configs[-1][1]


class _Sequential(NoetherSchedule):
    if TYPE_CHECKING:  # declared by each subclass with its bounds' names
        schedule_configs: Segments

    def _entries(self) -> tuple[Segment, ...]:
        """The checked entries (the role has turned every dict into a triple)."""
        return cast("tuple[Segment, ...]", self.schedule_configs)

    def _plan(self, total: int) -> tuple[list[tuple[int, int]], int]:
        """Per entry ``(start_step, child_total)``, and the first child's total for steps before it."""
        raise NotImplementedError

    def curve(self, total: int, cap: int) -> Schedule:
        segments, before = self._plan(self.extended(total))
        pieces: list[tuple[int, Schedule]] = []
        first = self._entries()[0][0]
        if segments[0][0] > 0:  # before the first start: the first child's value at 0
            pieces.append((0, first.curve(max(before, 0), 0)))
        for (child, _, _), (start, sub) in zip(self._entries(), segments, strict=True):
            if sub < 0 or start > cap:  # a segment starting past the end is never reached
                break
            if pieces and pieces[-1][0] == start:  # the later of two entries with one start wins
                pieces.pop()
            # The child sees step - start of sub steps and holds get_value(sub - 1, sub) past its end.
            pieces.append((start, child.curve(sub, min(max(sub - 1, 0), cap - start))))
        return jaxsched.join([p for _, p in pieces], [a for a, _ in pieces[1:]])


class SequentialStepSchedule(_Sequential, name="compat.noether.SequentialStepSchedule"):
    r"""noether's ``SequentialStepSchedule``: child schedules over step ranges of the run.

    Each entry is ``{"schedule": <noether port>, "start_step": a, "end_step": b}`` (missing bounds are taken
    from the neighbours, as noether does; the last ``end_step`` defaults to the total, and ``end_step=0``
    counts as unset). The child active at step :math:`k` (the last with :math:`a \le k`) sees step
    :math:`k - a` of :math:`b - a`; past its end it holds its last value ``get_value(b - a - 1, b - a)``;
    before the first start it gives the first child's value at 0. It is a :func:`jaxsched.join` of the
    children's pieces.

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

    schedule_configs: Segments = _segments("start_step", "end_step")

    examples = (
        {
            "schedule_configs": [
                {
                    "schedule": {"name": "compat.noether.LinearIncreasingSchedule", "max_value": 1e-3},
                    "end_step": 20,
                },
                {
                    "schedule": {"name": "compat.noether.CosineDecreasingSchedule", "max_value": 1e-3},
                    "start_step": 20,
                },
            ],
            "total_steps": 200,
        },
    )

    def __check_init__(self) -> None:
        segs = [list(c) for c in self._entries()]
        _fill(segs, 0)
        for i, c in enumerate(segs):
            for j, key in ((1, "start_step"), (2, "end_step")):
                if c[j] is not None:
                    c[j] = fl.static_int(0)(f"schedule_configs[{i}].{key}", c[j])
        for i, (_, a, b) in enumerate(segs):
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
            if i + 1 < len(segs) and b > segs[i + 1][1]:
                raise v.ScheduleArgumentError(
                    f"schedule_configs[{i}].end_step",
                    f"end_step must be <= next start_step, got {b} > {segs[i + 1][1]}",
                    value=...,
                )
        self._set("schedule_configs", tuple(tuple(c) for c in segs))

    def _plan(self, total: int) -> tuple[list[tuple[int, int]], int]:
        segs = [(a, (b or total) - a) for _, a, b in self._entries()]
        return segs, segs[0][1]


class SequentialPercentSchedule(_Sequential, name="compat.noether.SequentialPercentSchedule"):
    r"""noether's ``SequentialPercentSchedule``: child schedules over fractions of the run.

    Entries are ``{"schedule": ..., "start_percent": a, "end_percent": b}`` (missing bounds from the
    neighbours; the first start defaults to 0, the last end to 1). Fractions become steps as
    ``int(pct * (T - 1))`` (truncated: 0.29 of 101 steps is 28), except ``end_percent == 1`` which is
    :math:`T`. A child sees ``step - start`` of ``end - start`` steps and holds its last value past its
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

    schedule_configs: Segments = _segments("start_percent", "end_percent")

    examples = (
        {
            "schedule_configs": [
                {"schedule": {"name": "compat.noether.ConstantSchedule", "value": 1e-3}, "end_percent": 0.3},
                {
                    "schedule": {"name": "compat.noether.LinearDecreasingSchedule", "max_value": 1e-3},
                    "start_percent": 0.3,
                },
            ],
            "total_steps": 200,
        },
    )

    def __check_init__(self) -> None:
        segs = [list(c) for c in self._entries()]
        for i, c in enumerate(segs):
            for j, key in ((1, "start_percent"), (2, "end_percent")):
                if c[j] is not None:
                    c[j] = static_float()(f"schedule_configs[{i}].{key}", c[j])
        # noether propagates starts from the previous end (asserting it exists) and ends from the next start.
        _fill(segs, 0.0)
        if segs[-1][2] is None:
            segs[-1][2] = 1.0
        for i, (_, a, b) in enumerate(segs):
            nxt = segs[i + 1][1] if i + 1 < len(segs) else None
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
        self._set("schedule_configs", tuple(tuple(c) for c in segs))

    def _plan(self, total: int) -> tuple[list[tuple[int, int]], int]:
        m1 = total - 1
        segs = []
        for _, a, b in self._entries():
            start = int(a * m1)
            sub = (total if b == 1.0 else int(m1 * b)) - start
            segs.append((start, sub if sub != 0 else 1))  # an empty range evaluates get_value(0, 1)
        _, a, b = self._entries()[0]
        return segs, (total if b == 1.0 else int(m1 * b)) - int(m1 * a)


# -- linear warmup + cosine decay ------------------------------------------------------------------------


class LinearWarmupCosineDecaySchedule(NoetherSchedule, name="compat.noether.LinearWarmupCosineDecaySchedule"):
    r"""noether's ``LinearWarmupCosineDecaySchedule``: a linear warmup, then a cosine decay.

    Built as noether builds it: a :class:`SequentialStepSchedule` (``warmup_steps`` :math:`W`) or
    :class:`SequentialPercentSchedule` (``warmup_percent``, :math:`W = \lfloor \text{pct}\,(T-1)\rfloor`) of
    ``LinearIncreasingSchedule(start_value, max_value, exclude_first=(start_value == 0),
    exclude_last=True)`` over :math:`W` steps and ``CosineDecreasingSchedule(max_value, end_value)`` over
    the remaining :math:`T - W`. With ``start_value == 0`` the warmup is :math:`(k+1)/(W+1)\cdot` max, so
    ``max_value`` is first reached at step :math:`W`; the cosine reaches ``end_value`` at :math:`T-1`.

    .. math:: s(k) = \begin{cases} a + \frac{k + [a = 0]}{W + [a = 0]}\,(\text{max} - a) & k < W \\
        e + (\text{max} - e)\,\frac{1 + \cos(\pi\,(k - W)/(T - W - 1))}{2} & k \ge W \end{cases}

    ``max_value`` defaults to 1.0 as in noether (an absolute value: set it to the LR). ``start_value`` is
    static, as whether it is 0 changes the warmup's denominator.

    Args:
      max_value: the peak (>= 0).
      warmup_steps: :math:`W` in steps, or
      warmup_percent: the warmup as a fraction of the run (exactly one of the two).
      start_value: the warmup's start (>= 0; static).
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

    max_value: Real = level(default=1.0)
    warmup_steps: int | None = steps(default=None, static=True)
    warmup_percent: float | None = static(default=None, converter=_percent)
    start_value: float = static(default=0.0, converter=static_float(0.0))
    end_value: Real = level(default=1e-6)

    examples = (
        {"max_value": 1e-3, "warmup_percent": 0.05, "end_value": 1e-6, "total_steps": 400},
        {"max_value": 1e-3, "warmup_steps": 20, "start_value": 1e-5, "end_value": 0.0, "total_steps": 300},
    )

    def __check_init__(self) -> None:
        if (self.warmup_steps is None) == (self.warmup_percent is None):
            raise v.ScheduleArgumentError(
                "warmup_steps", "Define exactly one of warmup_steps or warmup_percent", self.warmup_steps
            )

    def _sequential(self) -> _Sequential:
        warm = LinearIncreasingSchedule(
            self.max_value, self.start_value, exclude_first=self.start_value == 0, exclude_last=True
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

    def curve(self, total: int, cap: int) -> Schedule:
        return self._sequential().curve(self.extended(total), cap)

    def _key_steps(self) -> list[Any]:
        T = self.total_steps
        if T is None:
            return []
        W = self.warmup_steps if self.warmup_percent is None else int(self.warmup_percent * (T - 1))
        return [W, T - 1]


# -- configs ---------------------------------------------------------------------------------------------

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
        raise v.ScheduleArgumentTypeError("kind", "a string such as 'noether.core.schedules.X'", kind)
    short = kind.rsplit(".", 1)[-1]
    if not kind.startswith("noether.core.schedules.") or short not in _KINDS:
        raise v.ScheduleArgumentError(
            "kind", f"is not a noether schedule this port knows (one of {sorted(_KINDS)})", kind
        )
    cls = _KINDS[short]
    kwargs: dict[str, Any] = {}
    interval = "update"
    for key, val in cfg.items():
        if key == "kind" or key in _IGNORED:
            continue
        if key == "interval":
            interval = val
            continue
        kwargs[key] = val
    if interval not in ("update", "epoch"):
        raise v.ScheduleArgumentError("interval", "must be 'update' or 'epoch'", interval)
    if interval == "epoch":
        if updates_per_epoch is None:
            raise v.ScheduleArgumentError("interval", "'epoch' needs updates_per_epoch", interval)
        kwargs["updates_per_epoch"] = updates_per_epoch
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


def _read_config(cfg: dict[str, Any], total_steps: int | None, steps_per_epoch: int | None) -> Schedule:
    return from_noether_config(cfg, total_steps, updates_per_epoch=steps_per_epoch)


_config.register_reader("kind", _read_config)
