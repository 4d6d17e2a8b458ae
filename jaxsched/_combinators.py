"""Combinators: schedules built from schedules. Each child keeps its own formula; these only move steps
around (join, shift, repeat, per_epoch) or combine values (multiply, clip)."""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule, as_schedule
from jaxsched._numerics import Array, Backend, Steps


def _schedules(name: str, items: Any) -> tuple[Schedule, ...]:
    out = []
    for i, s in enumerate(v.sequence(name, items)):
        if isinstance(s, Schedule):
            out.append(s)
        elif isinstance(s, int | float) and not isinstance(s, bool):
            out.append(as_schedule(s))
        else:
            raise v.ScheduleArgumentTypeError(f"{name}[{i}]", "a jaxsched Schedule or a number", s)
    return tuple(out)


def _schedule(name: str, s: Any) -> Schedule:
    if isinstance(s, Schedule):
        return s
    if isinstance(s, int | float) and not isinstance(s, bool):
        return as_schedule(s)
    raise v.ScheduleArgumentTypeError(name, "a jaxsched Schedule", s)


class Join(Schedule, name="join"):
    r"""Schedules one after another, as ``optax.join_schedules``.

    With boundaries :math:`b_1 \le \dots \le b_n` and :math:`b_0 = 0`, piece :math:`i` is used on
    :math:`[b_i, b_{i+1})` and sees the step relative to its own start:

    .. math:: s(k) = s_i(k - b_i) \quad\text{for } b_i \le k < b_{i+1}

    Unlike optax, the number of boundaries must be one less than the number of schedules and they must be
    sorted (optax silently truncates with ``zip``).

    Args:
      schedules: the pieces (numbers are taken as constants).
      boundaries: the absolute steps at which each next piece starts.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> warm = jaxsched.linear(0.0, 1.0, transition_steps=2)
      >>> s = jaxsched.join([warm, jaxsched.cosine_decay(1.0, decay_steps=4)], boundaries=[2])
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    schedules: Any
    boundaries: Any

    examples = (
        {"schedules": [{"name": "linear", "init_value": 0.0, "end_value": 1e-3,
                        "transition_steps": 100},
                       {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 900}],
         "boundaries": [100]},
    )

    def __check_init__(self) -> None:
        scheds = _schedules("schedules", self.schedules)
        bounds = v.sequence("boundaries", self.boundaries)
        if not scheds:
            raise v.ScheduleArgumentError("schedules", "must not be empty", list(scheds))
        if len(bounds) != len(scheds) - 1:
            raise v.ScheduleArgumentError(
                "boundaries", f"must have len(schedules) - 1 = {len(scheds) - 1} entries", list(bounds))
        bounds = tuple(v.steps(f"boundaries[{i}]", b) for i, b in enumerate(bounds))
        v.sorted_steps("boundaries", bounds)
        self._set("schedules", scheds)
        self._set("boundaries", bounds)

    def _key_steps(self) -> list[Any]:
        out: list[Any] = []
        starts = [0, *self.boundaries]
        for s, b in zip(self.schedules, starts, strict=True):
            out += [b + k for k in s.key_steps()]
        return out

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        out = self.schedules[0].evaluate(bk, t)
        for s, b in zip(self.schedules[1:], self.boundaries, strict=True):
            start = bk.count(b)
            out = xp.where(t.ge(start), s.evaluate(bk, t.shifted(start, b)), out)
        return out


class Multiply(Schedule, name="multiply"):
    r"""The product of schedules: how warmup factors compose with decays, and what ``s1 * s2`` builds.

    .. math:: s(k) = \prod_i s_i(k)

    Args:
      schedules: the factors (numbers are taken as constants).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.multiply(jaxsched.linear(1.0, 0.0, 4), 0.5)
      >>> s.numpy([0, 2, 4]).tolist()
      [0.5, 0.25, 0.0]
    """

    schedules: Any

    examples = (
        {"schedules": [{"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 1000},
                       {"name": "linear", "init_value": 0.0, "end_value": 1.0,
                        "transition_steps": 100}]},
    )

    def __init__(self, *schedules: Any, **kwargs: Any) -> None:
        if "schedules" in kwargs:
            if schedules:
                raise TypeError("multiply() takes schedules positionally or as schedules=, not both")
            schedules = v.sequence("schedules", kwargs.pop("schedules"))
        if kwargs:
            raise TypeError(f"multiply() got unexpected arguments {sorted(kwargs)}")
        if len(schedules) == 1 and isinstance(schedules[0], list | tuple):
            schedules = tuple(schedules[0])
        object.__setattr__(self, "schedules", schedules)
        self.__post_init__()

    def __check_init__(self) -> None:
        scheds = _schedules("schedules", self.schedules)
        if not scheds:
            raise v.ScheduleArgumentError("schedules", "must not be empty", [])
        self._set("schedules", scheds)

    def _key_steps(self) -> list[Any]:
        return [k for s in self.schedules for k in s.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        out = bk.value(self.schedules[0].evaluate(bk, t))
        for s in self.schedules[1:]:
            out = out * s.evaluate(bk, t)
        return out


class Shift(Schedule, name="shift"):
    r"""A schedule delayed by ``steps`` (advanced, for a negative ``steps``).

    .. math:: s(k) = g(\max(k - \Delta, 0))

    so the first :math:`\Delta` steps hold :math:`g(0)`. Useful to resume a recipe mid-way or to start a
    schedule later than the optimizer.

    Args:
      schedule: the schedule :math:`g`.
      steps: :math:`\Delta`, an integer.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.shift(jaxsched.linear(1.0, 0.0, 4), steps=2)
      >>> [float(s(k)) for k in range(5)]
      [1.0, 1.0, 1.0, 0.75, 0.5]
    """

    schedule: Any
    steps: Any

    examples = (
        {"schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 1000}, "steps": 100},
    )

    def __check_init__(self) -> None:
        self._set("schedule", _schedule("schedule", self.schedule))
        arr = v.number("steps", self.steps)
        if arr is not None:
            if not float(arr).is_integer():
                raise v.ScheduleArgumentError("steps", "must be a whole number of steps", self.steps)
            self._set("steps", int(arr))

    def _key_steps(self) -> list[Any]:
        return [max(0, k + self.steps) for k in self.schedule.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.schedule.evaluate(bk, t.shifted(bk.count(self.steps), self.steps))


class Clip(Schedule, name="clip"):
    r"""A schedule bounded below and/or above.

    .. math:: s(k) = \min(\max(g(k), \text{min\_value}), \text{max\_value})

    Args:
      schedule: the schedule :math:`g`.
      min_value: optional lower bound.
      max_value: optional upper bound (>= ``min_value``).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.clip(jaxsched.exponential_decay(1.0, 1, 0.5), min_value=0.2)
      >>> s.numpy([0, 1, 2, 3]).tolist()
      [1.0, 0.5, 0.25, 0.2]
    """

    schedule: Any
    min_value: Any = None
    max_value: Any = None

    examples = (
        {"schedule": {"name": "exponential_decay", "init_value": 1e-3, "transition_steps": 100,
                      "decay_rate": 0.5}, "min_value": 1e-5},
    )

    def __check_init__(self) -> None:
        self._set("schedule", _schedule("schedule", self.schedule))
        if self.min_value is not None:
            v.number("min_value", self.min_value)
        if self.max_value is not None:
            v.number("max_value", self.max_value)
        if self.min_value is not None and self.max_value is not None:
            v.less("min_value", self.min_value, "max_value", self.max_value, equal_ok=True)

    def _key_steps(self) -> list[Any]:
        return self.schedule.key_steps()

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        out = bk.value(self.schedule.evaluate(bk, t))
        if self.min_value is not None:
            out = xp.maximum(out, bk.value(self.min_value))
        if self.max_value is not None:
            out = xp.minimum(out, bk.value(self.max_value))
        return out


class Repeat(Schedule, name="repeat"):
    r"""A schedule restarted every ``period`` steps.

    .. math:: s(k) = g(k \bmod n)

    The position is integer arithmetic, exact at any step.

    Args:
      schedule: the schedule :math:`g`.
      period: :math:`n >= 1` steps.

    Returns:
      A periodic :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.repeat(jaxsched.linear(1.0, 0.0, 2), period=3)
      >>> [float(s(k)) for k in range(7)]
      [1.0, 0.5, 0.0, 1.0, 0.5, 0.0, 1.0]
    """

    schedule: Any
    period: Any

    examples = (
        {"schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 200},
         "period": 200},
    )

    def __check_init__(self) -> None:
        self._set("schedule", _schedule("schedule", self.schedule))
        self._set("period", v.steps("period", self.period, minimum=1))

    def _key_steps(self) -> list[Any]:
        return [k for k in self.schedule.key_steps() if k < self.period] + [self.period]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.schedule.evaluate(bk, t.map_int(t.n % bk.count(self.period)))


class PerEpoch(Schedule, name="per_epoch"):
    r"""A schedule over epochs, held constant within each epoch.

    .. math:: s(k) = g(\lfloor k / n \rfloor)

    Args:
      schedule: the schedule :math:`g`, counting epochs.
      steps_per_epoch: :math:`n >= 1` updates per epoch.

    Returns:
      A :class:`~jaxsched.Schedule` counting updates.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.per_epoch(jaxsched.step_decay(1.0, step_size=1, decay_rate=0.5), steps_per_epoch=2)
      >>> [float(s(k)) for k in range(5)]
      [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    schedule: Any
    steps_per_epoch: Any

    examples = (
        {"schedule": {"name": "multistep_decay", "init_value": 0.1, "milestones": [30, 60],
                      "decay_rate": 0.1}, "steps_per_epoch": 10},
    )

    def __check_init__(self) -> None:
        self._set("schedule", _schedule("schedule", self.schedule))
        self._set("steps_per_epoch", v.steps("steps_per_epoch", self.steps_per_epoch, minimum=1))

    def _key_steps(self) -> list[Any]:
        return [k * self.steps_per_epoch for k in self.schedule.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.schedule.evaluate(bk, Steps(bk, t.n // bk.count(self.steps_per_epoch)))


join = Join
multiply = Multiply
shift = Shift
clip = Clip
repeat = Repeat
per_epoch = PerEpoch
