"""Combinators: schedules built from schedules. Each child keeps its own formula; these only move steps
around (join, shift, repeat, per_epoch) or combine values (multiply, clip)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, flag, known, level, nested, nested_seq, steps, steps_seq
from jaxsched._numerics import MAX_STEP, Array, Backend, Split, Steps


class Join(Schedule, name="join"):
    r"""Schedules one after another, as ``optax.join_schedules``.

    With boundaries :math:`b_1 \le \dots \le b_n` and :math:`b_0 = 0`, piece :math:`i` is used on
    :math:`[b_i, b_{i+1})` and sees the step relative to its own start:

    .. math:: s(k) = s_i(k - b_i) \quad\text{for } b_i \le k < b_{i+1}

    Unlike optax, the number of boundaries must be one less than the number of schedules and they must be
    sorted (optax silently truncates with ``zip``). A boundary may be fractional (a warmup of 22.5 steps):
    the piece is used from the first step at or after it and sees the exact, fractional, steps since it.

    With ``continuous=True`` each piece is rescaled to start where the previous one ended:
    :math:`s_i \to c_i s_i` with :math:`c_0 = 1` and :math:`c_i = c_{i-1} s_{i-1}(b_i - b_{i-1}) / s_i(0)`
    (a decay that continues from wherever the previous phase left the value; every piece must start
    above 0).

    Args:
      schedules: the pieces (numbers are taken as constants).
      boundaries: the absolute steps at which each next piece starts.
      continuous: rescale each piece to continue from the previous one's value at its boundary.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> warm = jaxsched.linear(0.0, 1.0, transition_steps=2)
      >>> s = jaxsched.join([warm, jaxsched.cosine_decay(1.0, decay_steps=4)], boundaries=[2])
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    schedules: tuple[Schedule, ...] = nested_seq()
    boundaries: tuple[Span, ...] = steps_seq(fractional=True)
    continuous: bool = flag(default=False)

    examples = (
        {
            "schedules": [
                {"name": "linear", "init_value": 0.0, "end_value": 1e-3, "transition_steps": 100},
                {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 900},
            ],
            "boundaries": [100],
        },
        {
            "schedules": [
                {"name": "exponential_decay", "init_value": 1e-3, "transition_steps": 100, "decay_rate": 0.5},
                {"name": "cosine_decay", "init_value": 1.0, "decay_steps": 500},
            ],
            "boundaries": [300],
            "continuous": True,
        },
    )

    def __check_init__(self) -> None:
        n = len(self.schedules)
        if len(self.boundaries) != n - 1:
            raise v.ScheduleArgumentError(
                "boundaries", f"must have len(schedules) - 1 = {n - 1} entries", list(self.boundaries)
            )
        if known(*self.boundaries) and any(b < a for a, b in itertools.pairwise(self.boundaries)):
            raise v.ScheduleArgumentError(
                "boundaries", "must be sorted in increasing order", list(self.boundaries)
            )
        for i, b in enumerate(self.boundaries):
            if known(b) and b > MAX_STEP:
                raise v.ScheduleArgumentError(f"boundaries[{i}]", "must be <= 2**31 - 1 (the last step)", b)
            if self.continuous and isinstance(b, float):
                raise v.ScheduleArgumentError(
                    f"boundaries[{i}]", "must be a whole number of steps in a continuous join", b
                )
        if self.continuous:
            for i, piece in enumerate(self.schedules[1:], 1):
                if piece._is_plain() and float(piece.numpy(0)) == 0:
                    raise v.ScheduleArgumentError(
                        f"schedules[{i}]",
                        "starts at 0: a continuous join rescales it, so it must start above 0",
                        piece,
                    )

    def _key_steps(self) -> list[Any]:
        out: list[Any] = []
        starts = [0, *self.boundaries]
        for s, b in zip(self.schedules, starts, strict=True):
            out += [b + k for k in s.key_steps()]
        return out

    def _scales(self, bk: Backend, t: Steps) -> list[Array]:
        """The factors of a continuous join: each piece continues from the previous one's end value."""
        xp = bk.xp
        zero = Steps(bk, xp.zeros_like(t.n))
        scales = [xp.ones_like(bk.to_float(t.n))]
        starts = [0, *self.boundaries]
        for i in range(1, len(self.schedules)):
            length = Steps(bk, zero.n + bk.count(starts[i]) - bk.count(starts[i - 1]))
            end = scales[-1] * bk.value(self.schedules[i - 1].evaluate(bk, length))
            scales.append(end / bk.value(self.schedules[i].evaluate(bk, zero)))
        return scales

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        if self.continuous:
            scales = self._scales(bk, t)
            out = scales[0] * bk.value(self.schedules[0].evaluate(bk, t))
            for s, b, c in zip(self.schedules[1:], self.boundaries, scales[1:], strict=True):
                start = bk.count(b)
                out = xp.where(t.ge(start), c * bk.value(s.evaluate(bk, t.shifted(start, nonneg=True))), out)
            return out
        if len(self.schedules) <= _CHAIN or not all(map(_int_like, self.boundaries)):
            out = self.schedules[0].evaluate(bk, t)
            for s, b in zip(self.schedules[1:], self.boundaries, strict=True):
                start = bk.span(b)  # a fractional boundary as an exact Count
                out = xp.where(t.ge(start), s.evaluate(bk, t.shifted(start, nonneg=True)), out)
            return out
        # Many pieces: one search over the boundaries, then one evaluation per group of pieces of the
        # same structure, with their hyperparameters gathered at each step's piece. Cost grows with the
        # number of distinct structures, not with the number of pieces.
        if all(isinstance(b, int) for b in self.boundaries):  # one constant, not one per boundary
            bounds = xp.asarray(np.asarray(self.boundaries, np.int64).astype(bk.int_dtype))
        else:
            bounds = xp.stack([xp.asarray(bk.count(b)) for b in self.boundaries])
        if not bk.is_int(bounds):
            bounds = bk.to_float(bounds)
        key = t.n if bk.is_int(bounds) else t.value()
        if bk.is_numpy:
            idx = np.searchsorted(bounds, key, side="right")
        else:  # a vectorised comparison compiles fastest for few boundaries, a binary search for many
            idx = xp.searchsorted(
                bounds, key, side="right", method="compare_all" if len(self.boundaries) <= 64 else "scan"
            )
        zero = xp.zeros((1,), bounds.dtype)
        start = xp.concatenate([zero, bounds])[idx]
        local = t.shifted(start, nonneg=True)
        groups: dict[Any, list[int]] = {}
        for i, s in enumerate(self.schedules):
            groups.setdefault(_structure(s), []).append(i)
        out = None
        for members in groups.values():
            pos_of = np.zeros(len(self.schedules), np.int64)
            pos_of[members] = np.arange(len(members))
            pos = xp.asarray(pos_of)[idx]
            piece = _gather(bk, [self.schedules[i] for i in members], pos)
            val = bk.value(piece.evaluate(bk, local))
            if out is None:
                out = val
            else:
                mine = np.zeros(len(self.schedules), bool)
                mine[members] = True
                out = xp.where(xp.asarray(mine)[idx], val, out)
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

    schedules: tuple[Schedule, ...] = nested_seq()

    examples = (
        {
            "schedules": [
                {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 1000},
                {"name": "linear", "init_value": 0.0, "end_value": 1.0, "transition_steps": 100},
            ]
        },
    )

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

    schedule: Schedule = nested()
    steps: StepCount = steps(minimum=-MAX_STEP)

    examples = (
        {"schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 1000}, "steps": 100},
    )

    def _key_steps(self) -> list[Any]:
        return [max(0, k + self.steps) for k in self.schedule.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.schedule.evaluate(bk, t.shifted(bk.count(self.steps)))


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

    schedule: Schedule = nested()
    min_value: Real | None = level(default=None)
    max_value: Real | None = level(default=None)

    examples = (
        {
            "schedule": {
                "name": "exponential_decay",
                "init_value": 1e-3,
                "transition_steps": 100,
                "decay_rate": 0.5,
            },
            "min_value": 1e-5,
        },
    )

    def __check_init__(self) -> None:
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

    schedule: Schedule = nested()
    period: StepCount = steps(minimum=1)

    examples = (
        {"schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 200}, "period": 200},
    )

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

    schedule: Schedule = nested()
    steps_per_epoch: StepCount = steps(minimum=1)

    examples = (
        {
            "schedule": {
                "name": "multistep_decay",
                "init_value": 0.1,
                "milestones": [30, 60],
                "decay_rate": 0.1,
            },
            "steps_per_epoch": 10,
        },
    )

    def _key_steps(self) -> list[Any]:
        return [k * self.steps_per_epoch for k in self.schedule.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.schedule.evaluate(bk, Steps(bk, t.n // bk.count(self.steps_per_epoch)))


class Quantize(Schedule, name="quantize"):
    r"""A schedule sampled every ``every`` steps and held in between; unlike :class:`PerEpoch` it keeps
    counting steps.

    .. math:: s(k) = g\left(n \lfloor k / n \rfloor\right)

    (the value of a per-update schedule applied once per epoch of :math:`n` updates).

    Args:
      schedule: the schedule :math:`g`, counting steps.
      every: :math:`n >= 1` steps between samples.

    Returns:
      A :class:`~jaxsched.Schedule`, constant on each block of :math:`n` steps.

    Example:
      >>> import jaxsched
      >>> jaxsched.quantize(jaxsched.linear(1.0, 0.0, 4), every=2).numpy(range(5)).tolist()
      [1.0, 1.0, 0.5, 0.5, 0.0]
    """

    schedule: Schedule = nested()
    every: StepCount = steps(minimum=1)

    examples = (
        {"schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 1000}, "every": 100},
    )

    def _key_steps(self) -> list[Any]:
        n = self.every
        return [-(-k // n) * n for k in self.schedule.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        n = bk.count(self.every)
        return self.schedule.evaluate(bk, Steps(bk, bk.quotient(t.n, n) * n))


def join(
    schedules: Sequence[Schedule | float], boundaries: Sequence[Span], *, continuous: bool = False
) -> Schedule:
    """Schedules one after another, as ``optax.join_schedules``: see :class:`Join`."""
    return Join(tuple(schedules), tuple(boundaries), continuous)  # type: ignore[arg-type]  # converted


def multiply(*factors: Schedule | float, schedules: Sequence[Schedule | float] | None = None) -> Schedule:
    """The product of schedules (numbers are constants): see :class:`Multiply`. The factors are given
    positionally, as one list, or as ``schedules=`` (how ``repr`` and configs spell it).

    Example:
      >>> import jaxsched
      >>> jaxsched.multiply(jaxsched.linear(1.0, 0.0, 4), 0.5).numpy([0, 2, 4]).tolist()
      [0.5, 0.25, 0.0]
    """
    if schedules is not None:
        if factors:
            raise TypeError("multiply() takes the factors positionally or as schedules=, not both")
        return Multiply(tuple(schedules))  # type: ignore[arg-type]  # numbers become constants
    if len(factors) == 1 and isinstance(factors[0], list | tuple):
        factors = tuple(factors[0])
    return Multiply(factors)  # type: ignore[arg-type]


def shift(schedule: Schedule, steps: StepCount) -> Schedule:
    """A schedule delayed by ``steps``: see :class:`Shift`."""
    return Shift(schedule, steps)


def clip(schedule: Schedule, min_value: Real | None = None, max_value: Real | None = None) -> Schedule:
    """A schedule bounded below and/or above: see :class:`Clip`."""
    return Clip(schedule, min_value, max_value)


def repeat(schedule: Schedule, period: StepCount) -> Schedule:
    """A schedule restarted every ``period`` steps: see :class:`Repeat`."""
    return Repeat(schedule, period)


def per_epoch(schedule: Schedule, steps_per_epoch: StepCount) -> Schedule:
    """A schedule over epochs, held constant within each epoch: see :class:`PerEpoch`."""
    return PerEpoch(schedule, steps_per_epoch)


def quantize(schedule: Schedule, every: StepCount) -> Schedule:
    """A schedule sampled every ``every`` steps and held in between: see :class:`Quantize`."""
    return Quantize(schedule, every)


# -- many-piece joins -------------------------------------------------------------------------------------

_CHAIN = 8
"""Joins of at most this many pieces evaluate every piece and select (the cheapest graph when small)."""


def _structure(s: Schedule) -> Any:
    """What must agree for pieces to share one evaluation: class, static fields, nesting, lengths."""
    parts: list[Any] = [type(s)]
    for name, role in s._roles:
        x = getattr(s, name)
        if role.kind == "static":
            parts.append(role.key(x))
        elif isinstance(x, Schedule):
            parts.append(_structure(x))
        elif isinstance(x, tuple):
            parts.append(tuple(_structure(e) if isinstance(e, Schedule) else _leaf_kind(e) for e in x))
        else:
            parts.append(_leaf_kind(x))
    return tuple(parts)


def _leaf_kind(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, tuple):
        return tuple(_leaf_kind(e) for e in x)
    if isinstance(x, int) and not isinstance(x, bool):
        return "int"
    return "float"


def _gather(bk: Backend, pieces: list[Schedule], pos: Array) -> Schedule:
    """One schedule of the pieces' (common) structure whose leaves are gathered at ``pos``."""
    first = pieces[0]
    if len(pieces) == 1:
        return first
    obj = object.__new__(type(first))
    for name, role in first._roles:
        vals = [getattr(p, name) for p in pieces]
        object.__setattr__(obj, name, vals[0] if role.kind == "static" else _gather_values(bk, vals, pos))
    return obj


def _gather_values(bk: Backend, vals: list[Any], pos: Array) -> Any:
    xp = bk.xp
    first = vals[0]
    if first is None:
        return None
    if isinstance(first, Schedule):
        return _gather(bk, vals, pos)
    if isinstance(first, tuple):
        return tuple(_gather_values(bk, [x[i] for x in vals], pos) for i in range(len(first)))
    plain = all(isinstance(x, int | float) and not isinstance(x, bool) for x in vals)
    if all(_int_like(x) for x in vals):
        if plain:  # one host array, one constant in the graph
            return xp.asarray(np.asarray(vals, np.int64).astype(bk.int_dtype))[pos]
        return xp.stack([xp.asarray(x, bk.int_dtype) for x in vals])[pos]
    if bk.is_numpy:
        return np.asarray([bk.value(x) for x in vals], np.float64)[pos]
    # Floats keep their exact parts, so a gathered decay rate is as precise as a single one.
    x64 = np.dtype(bk.float_dtype) == np.float64
    if plain:
        host = np.asarray(vals, np.float64)
        if x64:
            parts: list[np.ndarray] = [host, np.zeros_like(host), np.zeros_like(host)]
        else:
            hi = host.astype(np.float32)
            mid = (host - hi).astype(np.float32)
            parts = [hi, mid, (host - hi - mid).astype(np.float32)]
        return Split(*(xp.asarray(p)[pos] for p in parts))
    splits = [_as_split(x, x64) for x in vals]
    return Split(
        *(
            xp.stack([xp.asarray(getattr(sp, part), bk.float_dtype) for sp in splits])[pos]
            for part in ("hi", "mid", "lo")
        )
    )


def _int_like(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return True
    return hasattr(x, "dtype") and np.dtype(x.dtype).kind in "iu"


def _as_split(x: Any, x64: bool) -> Split:
    if isinstance(x, Split):
        return x
    if isinstance(x, int | float):
        return Split.of(x, x64=x64)
    return Split(x, x * 0, x * 0)
