"""Ports of pytorch-ignite's parameter schedulers (``ignite.handlers.param_scheduler``).

An ignite scheduler is a handler called once per event (``Events.ITERATION_STARTED`` by default): each
call sets the parameter from its ``event_index`` and then advances it. Update ``k`` therefore uses the
value of event ``k``, counting from 0, which is what the ports give at step ``k``, and what ignite's
``simulate_values(num_events, ...)`` lists (each class here has a ``simulate_values`` class method with
the original's signature and output, ``[[event, value], ...]``).

The ports schedule one value: ignite's ``optimizer``, ``param_name``, ``param_group_index`` and
``save_history`` say where it goes (``torch_bridge.ScheduleLR(optimizer, port, field=param_name)``) and
are not arguments here; ``simulate_values`` accepts and ignores them. :class:`ParamGroupScheduler` is a
tuple of ports, one per param group, which ``torch_bridge.ScheduleLR`` takes as is.

>>> from jaxsched.compat import ignite
>>> s = ignite.CosineAnnealingScheduler(start_value=1.0, end_value=0.0, cycle_size=4)
>>> values = ignite.CosineAnnealingScheduler.simulate_values(5, param_name="lr", start_value=1.0,
...                                                          end_value=0.0, cycle_size=4)
>>> [[k, round(x, 4)] for k, x in values]
[[0, 1.0], [1, 0.8536], [2, 0.5], [3, 0.1464], [4, 1.0]]
"""

from __future__ import annotations

import dataclasses
import itertools
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import (
    _ROLE as ROLE,
)
from jaxsched._fields import (
    Duration,
    Pairs,
    Real,
    StepCount,
    Value,
    flag,
    level,
    nested_seq,
    static,
    static_float,
    static_int,
    steps,
    value,
)
from jaxsched._numerics import MAX_STEP, Split, is_concrete

__all__ = [
    "ConcatScheduler",
    "CosineAnnealingScheduler",
    "IgniteScheduler",
    "LinearCyclicalScheduler",
    "ParamGroupScheduler",
    "PiecewiseLinear",
    "create_lr_scheduler_with_warmup",
]

_HANDLER_ARGS = ("optimizer", "param_name", "param_group_index", "save_history")


class IgniteScheduler(Port):
    """A port of an ignite ``ParamScheduler``."""

    def first_value(self) -> float:
        """The value ignite's ``get_param()`` gives at event 0, with ignite's own rounding (what
        ``create_lr_scheduler_with_warmup`` compares with the warmup's end value)."""
        return float(self.numpy(0))

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        """The original's ``simulate_values``: ``[[event, value], ...]`` for events ``0..num_events-1``.
        ``optimizer``, ``param_name``, ``param_group_index`` and ``save_history`` are ignored."""
        kwargs = {k: x for k, x in scheduler_kwargs.items() if k not in _HANDLER_ARGS}
        return _simulate(cls(**kwargs), num_events)


def _durations(name: str, x: Any) -> tuple[int, ...]:
    if isinstance(x, str | bytes) or not isinstance(x, Sequence):
        raise v.ScheduleArgumentTypeError(name, "a list or tuple of integers", x)
    out = []
    for i, d in enumerate(x):
        whole = isinstance(d, numbers.Integral) or (isinstance(d, float) and d.is_integer())
        if isinstance(d, bool) or not whole:
            raise v.ScheduleArgumentError(name, "should be a list/tuple of integers", list(x))
        out.append(static_int(0)(f"{name}[{i}]", d))
    return tuple(out)


def _simulate(s: Schedule, num_events: int) -> list[list[Any]]:
    if isinstance(num_events, bool) or not isinstance(num_events, numbers.Integral) or num_events < 0:
        raise v.ScheduleArgumentError("num_events", "must be an integer >= 0", num_events)
    values = s.numpy(np.arange(int(num_events)))
    return [[i, float(x)] for i, x in enumerate(values)]


class _Cyclical(IgniteScheduler):
    start_value: Real = level()
    end_value: Real = level()
    cycle_size: int = steps(static=True)
    cycle_mult: float = static(default=1.0, converter=static_float(minimum=1.0))
    start_value_mult: Real = value(default=1.0, minimum=0.0, maximum=1.0)
    end_value_mult: Real = value(default=1.0, minimum=0.0, maximum=1.0)
    warmup_duration: int = steps(default=0, static=True)

    _shape: ClassVar[str] = "cos"

    def __check_init__(self) -> None:
        if self.cycle_size < 2:
            raise v.ScheduleArgumentError(
                "cycle_size",
                "must be larger than 1 (ignite: 'should be positive and larger than 1')",
                self.cycle_size,
            )

    def lower(self) -> Schedule:
        return jaxsched.annealing_cycles(
            self.start_value,
            self.end_value,
            self.cycle_size,
            self.cycle_mult,
            self.start_value_mult,
            self.end_value_mult,
            self.warmup_duration,
            self._shape,
        )


_CYCLICAL_DOC = r"""

    Each cycle :math:`i` lasts :math:`C_i` events, :math:`C_{i+1} = \lfloor m\,C_i \rfloor` (ignite's
    ``int(cycle_size * cycle_mult)``), plus :math:`W_i` events of linear re-warmup from the cycle's end
    value to the next start value (:math:`W_{i+1} = \lfloor m\,W_i\rfloor`); the start and end values are
    multiplied by ``start_value_mult`` and ``end_value_mult`` every cycle. Lowers to
    :func:`jaxsched.annealing_cycles`.

    Where the original is odd: ``cycle_mult < 1`` shrinks the cycles until ``int(cycle_size *
    cycle_mult)`` is 0, where ignite divides by zero, and multipliers above 1 grow without bound: both are
    refused here. With a re-warmup, the event at the end of a cycle (progress 1) gives the end value;
    without one, the cycle restarts there, so the end value itself is never set.
"""


class LinearCyclicalScheduler(_Cyclical, name="compat.ignite.LinearCyclicalScheduler"):
    __doc__ = (
        r"""
    ignite's ``LinearCyclicalScheduler``: from ``start_value`` linearly to ``end_value`` at mid-cycle
    and back (``monotonic=False``), or only the way there (``monotonic=True``).

    At event :math:`e` of a cycle of :math:`C` events (start :math:`a`, end :math:`b`):

    .. math::
        s = b + (a - b)\,\left|\tfrac{2e}{C} - 1\right| \quad\text{or, monotonic,}\quad
        s = a + (b - a)\,\tfrac{e}{C}
    """
        + _CYCLICAL_DOC
        + r"""
    As in ignite, ``warmup_duration > 0`` needs ``monotonic=True``.

    Args:
      start_value: :math:`a`.
      end_value: :math:`b`.
      cycle_size: :math:`C_0 >= 2` events (static).
      cycle_mult: :math:`m >= 1` (static).
      start_value_mult: in [0, 1].
      end_value_mult: in [0, 1].
      warmup_duration: :math:`W_0 >= 0` events (static).
      monotonic: only the first half (a sawtooth).

    Example:
      >>> from jaxsched.compat import ignite
      >>> s = ignite.LinearCyclicalScheduler(0.0, 1.0, cycle_size=4)
      >>> [float(s(k)) for k in range(6)]
      [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    """
    )

    monotonic: bool = flag(default=False)

    examples = (
        {"start_value": 1e-4, "end_value": 1e-2, "cycle_size": 100},
        {
            "start_value": 1e-2,
            "end_value": 1e-4,
            "cycle_size": 60,
            "cycle_mult": 1.5,
            "start_value_mult": 0.8,
            "end_value_mult": 0.5,
            "warmup_duration": 15,
            "monotonic": True,
        },
    )

    def __check_init__(self) -> None:
        if self.warmup_duration > 0 and not self.monotonic:
            raise v.ScheduleArgumentError(
                "warmup_duration",
                "> 0 needs monotonic=True (ignite: 'Invalid combination when "
                "warmup_duration > 0 and monotonic=False')",
                self.warmup_duration,
            )

    def first_value(self) -> float:
        if self.monotonic or not isinstance(self.start_value, float) or not isinstance(self.end_value, float):
            return super().first_value()
        # ignite's get_param at event 0: end + (start - end) * |0/C - 0.5| * 2, rounded as it is.
        a, b = self.start_value, self.end_value
        return float(b + (a - b) * abs(0 / self.cycle_size - 0.5) * 2)

    def lower(self) -> Schedule:
        return jaxsched.annealing_cycles(
            self.start_value,
            self.end_value,
            self.cycle_size,
            self.cycle_mult,
            self.start_value_mult,
            self.end_value_mult,
            self.warmup_duration,
            "linear" if self.monotonic else "triangle",
        )


class CosineAnnealingScheduler(_Cyclical, name="compat.ignite.CosineAnnealingScheduler"):
    __doc__ = (
        r"""
    ignite's ``CosineAnnealingScheduler`` (SGDR-style, Smith 2017): from ``start_value`` to
    ``end_value`` over each cycle along half a cosine.

    .. math:: s = a + \frac{b - a}{2}\left(1 - \cos \frac{\pi e}{C}\right)
    """
        + _CYCLICAL_DOC
        + r"""
    Args:
      start_value: :math:`a`.
      end_value: :math:`b`.
      cycle_size: :math:`C_0 >= 2` events (static).
      cycle_mult: :math:`m >= 1` (static).
      start_value_mult: in [0, 1].
      end_value_mult: in [0, 1].
      warmup_duration: :math:`W_0 >= 0` events (static).

    Example:
      >>> from jaxsched.compat import ignite
      >>> s = ignite.CosineAnnealingScheduler(1.0, 0.0, cycle_size=4)
      >>> [round(float(s(k)), 4) for k in range(6)]
      [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536]
    """
    )

    examples = (
        {"start_value": 1e-2, "end_value": 1e-4, "cycle_size": 100},
        {
            "start_value": 1e-2,
            "end_value": 1e-5,
            "cycle_size": 40,
            "cycle_mult": 2.0,
            "start_value_mult": 0.9,
            "warmup_duration": 10,
        },
    )


class ConcatScheduler(IgniteScheduler, name="compat.ignite.ConcatScheduler"):
    r"""ignite's ``ConcatScheduler``: scheduler :math:`i` runs for ``durations[i]`` events, from its own
    event 0; the last one runs on.

    .. math:: s(k) = s_i(k - D_i), \qquad D_i = \textstyle\sum_{j<i} d_j \le k < D_{i+1}

    Lowers to :func:`jaxsched.join` at the cumulative durations. ``schedulers`` are any jaxsched schedules
    (ignite ports, or any curve counted in events). The durations decide the pieces: they are static.

    Where the original is odd: ignite checks for the end of a scheduler's duration once per call, before
    switching. A first duration of 0 skips the first scheduler; a later duration of 0 makes its scheduler
    run for ever (it is called once, its count goes below 0 and never reaches 0 again), and the schedulers
    after it never run; the port does the same. A negative duration never counts down to 0 in ignite
    either; it is refused here.

    Args:
      schedulers: at least two schedules.
      durations: one fewer than ``schedulers``, whole numbers of events >= 0.

    Example:
      >>> from jaxsched.compat import ignite
      >>> warm = ignite.PiecewiseLinear([(0, 0.0), (2, 1.0)])
      >>> s = ignite.ConcatScheduler([warm, ignite.CosineAnnealingScheduler(1.0, 0.0, 4)], durations=[3])
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.0, 0.5, 1.0, 1.0, 0.8536, 0.5, 0.1464]
    """

    schedulers: Sequence[Schedule] = nested_seq()
    durations: Sequence[int] = static(default=(), converter=_durations)

    examples = (
        {
            "schedulers": [
                {"name": "compat.ignite.PiecewiseLinear", "milestones_values": [[0, 0.0], [10, 1e-2]]},
                {
                    "name": "compat.ignite.CosineAnnealingScheduler",
                    "start_value": 1e-2,
                    "end_value": 1e-4,
                    "cycle_size": 50,
                },
            ],
            "durations": [11],
        },
    )

    def __check_init__(self) -> None:
        if len(self.schedulers) < 2:
            raise v.ScheduleArgumentError(
                "schedulers", "should be of more than one parameter schedulers", list(self.schedulers)
            )
        if len(self.schedulers) != len(self.durations) + 1:
            raise v.ScheduleArgumentError(
                "durations",
                f"must have one entry fewer than schedulers ({len(self.schedulers)})",
                list(self.durations),
            )
        total = 0
        for d in self.durations:
            if isinstance(d, int):
                total += d
        if total > MAX_STEP:
            raise v.ScheduleArgumentError(
                "durations", "add up past the last step 2**31 - 1", list(self.durations)
            )

    def first_value(self) -> float:
        s = self.schedulers[1 if self.durations[0] == 0 else 0]  # ignite skips a first duration of 0
        return s.first_value() if isinstance(s, IgniteScheduler) else float(s.numpy(0))

    def _key_steps(self) -> list[Any]:
        out, b = [], 0
        for d in self.durations:
            b = b + d
            out.append(b)
        return out

    def _segments(self) -> tuple[list[Schedule], list[int]]:
        """The schedulers that run and where each starts, as ignite's counters decide."""
        pieces, bounds, at = [self.schedulers[0]], [], 0
        for i, (s, d) in enumerate(zip(self.schedulers[1:], self.durations, strict=True)):
            at += d
            pieces.append(s)
            bounds.append(at)
            if d == 0 and i > 0:  # ignite: the scheduler before never finishes its count
                pieces.pop()
                bounds.pop()
                break
        return pieces, bounds

    def lower(self) -> Schedule:
        pieces, bounds = self._segments()
        return jaxsched.join(pieces, bounds)

    @classmethod
    def simulate_values(
        cls,
        num_events: int,
        schedulers: Sequence[Schedule] = (),
        durations: Sequence[int] = (),
        param_names: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> list[list[Any]]:
        """The original's ``ConcatScheduler.simulate_values(num_events, schedulers, durations,
        param_names=None)``: ``[[event, value], ...]`` (one value: the ports schedule one parameter)."""
        if param_names is not None and (not isinstance(param_names, list | tuple) or len(param_names) != 1):
            raise v.ScheduleArgumentError("param_names", "must name the one scheduled parameter", param_names)
        return _simulate(cls(list(schedulers), list(durations)), num_events)


class _MilestonesValues(Pairs):
    """ignite's ``milestones_values``: ``(milestone, value)`` pairs in the given order, milestones whole and
    non-decreasing (repeats allowed), values >= 0; both are leaves."""

    def __init__(self) -> None:
        super().__init__(Duration(), Value(minimum=0.0))

    def convert(self, name: str, x: Any) -> Any:
        if (
            isinstance(x, tuple)
            and all(isinstance(p, tuple) and len(p) == 2 for p in x)
            and any(isinstance(e, Split) or not is_concrete(e) for p in x for e in p)
        ):
            return x  # carried or traced pairs, already normalised
        if isinstance(x, str | bytes | Mapping) or not isinstance(x, Sequence):
            raise v.ScheduleArgumentTypeError(name, "a list or tuple of (milestone, value) pairs", x)
        if len(x) < 1:
            raise v.ScheduleArgumentError(name, "should be with at least one value", list(x))
        out: list[tuple[Any, Any]] = []
        for i, pair in enumerate(x):
            if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise v.ScheduleArgumentError(
                    f"{name}[{i}]", "should be a pair (milestone, param_value)", pair
                )
            m, val = pair
            whole = isinstance(m, numbers.Integral) or (isinstance(m, float) and m.is_integer())
            if isinstance(m, bool) or not whole:  # ignite: a TypeError; a whole float (JSON) is accepted
                raise v.ScheduleArgumentTypeError(f"{name}[{i}] milestone", "an integer", m)
            m = self.key_role.convert(f"{name}[{i}] milestone", m)
            if out and m < out[-1][0]:
                raise v.ScheduleArgumentError(
                    name,
                    f"milestones should be increasing integers, but given {m} is smaller than the "
                    f"previous milestone {out[-1][0]}",
                    [list(p) for p in x],
                )
            out.append((m, self.val_role.convert(f"{name}[{i}] value", val)))
        return tuple(out)

    def to_config(self, name: str, x: Any) -> Any:
        return [[self.key_role.to_config(name, m), self.val_role.to_config(name, val)] for m, val in x]

    def shown(self, x: Any) -> Any:
        return [(self.key_role.shown(m), self.val_role.shown(val)) for m, val in x]


class PiecewiseLinear(IgniteScheduler, name="compat.ignite.PiecewiseLinear"):
    r"""ignite's ``PiecewiseLinear``: linear interpolation between ``(milestone, value)`` points, constant
    before the first and after the last.

    .. math::
        s(k) = v_i + (v_{i+1} - v_i)\,\frac{k - m_i}{m_{i+1} - m_i}, \qquad m_i \le k < m_{i+1}

    Lowers to a :func:`jaxsched.join` of :func:`jaxsched.linear` pieces, one per segment. Two equal
    milestones jump: the second value starts there (their segment has no width).

    Where the original is odd: ignite takes negative milestones (the curve then starts inside a segment)
    and negative values; here milestones must be in :math:`[0, 2^{31}-1]` and values >= 0.

    Args:
      milestones_values: ``[(milestone, value), ...]``, milestones whole and non-decreasing.

    Example:
      >>> from jaxsched.compat import ignite
      >>> s = ignite.PiecewiseLinear([(2, 0.0), (4, 1.0), (4, 0.5), (6, 0.0)])
      >>> [float(s(k)) for k in range(8)]
      [0.0, 0.0, 0.0, 0.5, 0.5, 0.25, 0.0, 0.0]
    """

    milestones_values: Sequence[tuple[StepCount, Real] | Sequence[float]] = dataclasses.field(
        metadata={ROLE: _MilestonesValues()}
    )

    examples = (
        {"milestones_values": [[0, 0.0], [100, 1e-2], [800, 1e-3], [1000, 0.0]]},
        {"milestones_values": [[10, 1e-3], [10, 1e-2], [200, 1e-2], [300, 5e-4]]},
    )

    def _key_steps(self) -> list[Any]:
        return [m for m, _ in self.milestones_values]

    def lower(self) -> Schedule:
        pts = self.milestones_values
        pieces: list[Schedule] = [jaxsched.constant(pts[0][1])]
        bounds: list[Any] = []
        for (m0, v0), (m1, v1) in itertools.pairwise(pts):
            width = m1 - m0
            # A segment of no width (a repeated milestone) is never selected by the join; its piece still
            # needs a length >= 1, taken without branching on a (possibly traced) milestone.
            pieces.append(jaxsched.linear(v0, v1, width + (width < 1)))
            bounds.append(m0)
        pieces.append(jaxsched.constant(pts[-1][1]))
        bounds.append(pts[-1][0])
        return jaxsched.join(pieces, bounds)


class ParamGroupScheduler(tuple):
    """ignite's ``ParamGroupScheduler``: one scheduler per param group, here a tuple of ports (scheduler
    ``i`` drives param group ``i``), which ``torch_bridge.ScheduleLR(optimizer, pgs)`` takes as is.

    Example:
      >>> from jaxsched.compat import ignite
      >>> pgs = ignite.ParamGroupScheduler([ignite.PiecewiseLinear([(0, 0.0), (4, 1.0)]),
      ...                                   ignite.PiecewiseLinear([(0, 0.0), (4, 0.1)])], names=["a", "b"])
      >>> pgs.names, ignite.ParamGroupScheduler.simulate_values(3, list(pgs))[2]
      (('a', 'b'), [2, 0.5, 0.05])
    """

    names: tuple[str, ...]

    def __new__(
        cls, schedulers: Sequence[Schedule], names: Sequence[str] | None = None, save_history: bool = False
    ) -> ParamGroupScheduler:
        if isinstance(schedulers, str | bytes) or not isinstance(schedulers, Sequence):
            raise v.ScheduleArgumentTypeError("schedulers", "a list/tuple of schedules", schedulers)
        if not all(isinstance(s, Schedule) for s in schedulers):
            raise v.ScheduleArgumentError(
                "schedulers", "should be a list/tuple of jaxsched schedules", list(schedulers)
            )
        if names is None:
            names = ["lr"] * len(schedulers)
        if isinstance(names, str) or not isinstance(names, list | tuple):
            raise v.ScheduleArgumentTypeError("names", "a list/tuple", names)
        if not all(isinstance(n, str) for n in names):
            raise v.ScheduleArgumentError("names", "should be a list/tuple of scheduler names", list(names))
        if len(names) != len(schedulers):
            raise v.ScheduleArgumentError("names", f"must have {len(schedulers)} entries", list(names))
        out = super().__new__(cls, tuple(schedulers))
        out.names = tuple(names)
        return out

    @classmethod
    def simulate_values(
        cls, num_events: int, schedulers: Sequence[Schedule], **kwargs: Any
    ) -> list[list[Any]]:
        """The original's ``simulate_values``: ``[[event, value_0, value_1, ...], ...]``, the values the
        schedulers apply. (ignite's reads each ``get_param()`` before calling the scheduler, so at the
        boundary of a cyclical scheduler's cycle it lists the cycle's end value, which the call replaces
        by the next cycle's start before applying it.)"""
        group = cls(schedulers, **kwargs)
        cols = [_simulate(s, num_events) for s in group]
        return [[i, *(c[i][1] for c in cols)] for i in range(int(num_events))]


def create_lr_scheduler_with_warmup(
    lr_scheduler: Schedule | Sequence[Schedule],
    warmup_start_value: float,
    warmup_duration: int,
    warmup_end_value: float | None = None,
    save_history: bool = False,
    output_simulated_values: list[Any] | None = None,
    *,
    lr: float | Sequence[float] | None = None,
) -> ConcatScheduler | list[ConcatScheduler]:
    r"""ignite's ``create_lr_scheduler_with_warmup``: a linear warmup joined to ``lr_scheduler``, as a
    :class:`ConcatScheduler` port (a list of them, one per param group, when ``lr`` or ``lr_scheduler`` is
    a list).

    ``lr`` is the param group's learning rate when the function is called (ignite reads
    ``optimizer.param_groups[i]["lr"]``): the warmup's end value when ``warmup_end_value`` is None.

    ``lr_scheduler`` is either an ignite port (:class:`IgniteScheduler`), or the curve :math:`g` of a
    torch scheduler in jaxsched's convention (:math:`g(e)` is the LR after :math:`e` calls of ``step()``,
    e.g. a ``jaxsched.compat.torch`` port or ``torch_bridge.from_torch(scheduler)``). With :math:`W` =
    ``warmup_duration``, :math:`a` the start, :math:`b` the end value and :math:`v_0` the scheduler's
    first value (its ``get_param()``; for a torch scheduler the group's LR), ignite builds:

    - ignite scheduler, :math:`v_0 \ne b`: a ramp :math:`a \to b` over events :math:`0..W-1`, then the
      scheduler from its event 0;
    - ignite scheduler, :math:`v_0 = b` (compared exactly, with ignite's rounding of :math:`v_0`): the ramp
      stops one event short, at :math:`b - (b - a)/(W - 1)` on event :math:`W - 2` (just :math:`a` for
      :math:`W = 2`), and the scheduler starts on event :math:`W - 1`;
    - torch scheduler: the ramp to :math:`b` on event :math:`W - 1`, then :math:`v_0` on event :math:`W`
      if it differs from :math:`b`; after the ramp ignite advances the torch scheduler one epoch, so event
      :math:`D + j` (:math:`D` the ramp's length) uses :math:`g(j + 1)`.

    ``output_simulated_values``, if given, is filled with ``[event, value_0, value_1, ...]`` as in ignite.

    Example:
      >>> import jaxsched
      >>> from jaxsched.compat import ignite
      >>> exp = jaxsched.exponential_decay(0.1, 1, 0.5)  # torch's ExponentialLR(lr=0.1, gamma=0.5)
      >>> s = ignite.create_lr_scheduler_with_warmup(exp, 0.0, 3, warmup_end_value=0.2)
      >>> [round(float(s(k)), 5) for k in range(7)]
      [0.0, 0.1, 0.2, 0.1, 0.05, 0.025, 0.0125]
    """
    if isinstance(warmup_duration, bool) or not isinstance(warmup_duration, int):
        raise v.ScheduleArgumentTypeError("warmup_duration", "an integer", warmup_duration)
    if not warmup_duration > 1:
        raise v.ScheduleArgumentError("warmup_duration", "should be at least 2 events", warmup_duration)
    many = isinstance(lr_scheduler, list | tuple) or isinstance(lr, list | tuple)
    n = max(len(x) if isinstance(x, list | tuple) else 1 for x in (lr_scheduler, lr))
    scheds = list(lr_scheduler) if isinstance(lr_scheduler, list | tuple) else [lr_scheduler] * n
    lrs = list(lr) if isinstance(lr, list | tuple) else [lr] * n
    if len(scheds) != n or len(lrs) != n:
        raise v.ScheduleArgumentError("lr", f"must have one entry per param group ({n})", lr)
    out: list[ConcatScheduler] = []
    for i, (sched, group_lr) in enumerate(zip(scheds, lrs, strict=True)):
        if not isinstance(sched, Schedule):
            raise v.ScheduleArgumentTypeError(
                "lr_scheduler", "a jaxsched schedule (an ignite port or a torch scheduler's curve)", sched
            )
        torch_like = not isinstance(sched, IgniteScheduler)
        first = sched.first_value() if isinstance(sched, IgniteScheduler) else float(sched.numpy(0))
        if torch_like and group_lr is None:
            group_lr = first
        if warmup_end_value is None and group_lr is None:
            raise v.ScheduleArgumentError(
                "lr", "is needed (the param group's learning rate) when warmup_end_value is None", None
            )
        end = float(warmup_end_value if warmup_end_value is not None else group_lr)  # type: ignore[arg-type]
        start = float(warmup_start_value)
        W = warmup_duration
        milestones: list[tuple[int, float]] = [(0, start), (W - 1, end)]
        if torch_like:
            init = float(group_lr)  # type: ignore[arg-type]
            if init != end:
                milestones.append((W, init))
            after: Schedule = jaxsched.shift(sched, -1)
        else:
            if first == end:
                if W > 2:
                    d = (end - start) / (W - 1)
                    milestones[-1] = (W - 2, end - d)
                else:
                    milestones.pop(-1)
            after = sched
        try:
            warm = PiecewiseLinear(milestones)
        except v.ScheduleArgumentError as err:
            raise v.ScheduleArgumentError(f"param group {i} warmup", err.reason, milestones) from None
        out.append(ConcatScheduler([warm, after], [milestones[-1][0] + 1]))
    if output_simulated_values is not None:
        if not isinstance(output_simulated_values, list):
            raise v.ScheduleArgumentTypeError(
                "output_simulated_values", "a list of None, e.g. [None] * 100", output_simulated_values
            )
        m = len(output_simulated_values)
        cols = [s.numpy(np.arange(m)) for s in out]
        for k in range(m):
            output_simulated_values[k] = [k, *(float(c[k]) for c in cols)]
    return out if many else out[0]
