"""Schedule surgery for running jobs: branch off a cooldown, stretch or extend the horizon, re-warm.

Each operation keeps the running schedule unchanged up to the step where it acts, and continues from the
value the schedule has there, evaluated in the same computation (so the join is continuous on every path:
JAX float32, float64, NumPy, torch_bridge). All are ordinary schedules: they compose, serialise to configs
and evaluate under ``jit``/``vmap``.

- :func:`branch`: from step ``at``, a new decay phase from exactly ``s(at)`` to an end value.
- :func:`stretch`: a new horizon: the rest of the curve after ``at``, stretched (or compressed) in time.
- :func:`extend`: hold the value of step ``at`` for more steps, then continue the curve (a longer stable
  phase of a warmup-stable-decay run).
- :func:`rewarmup`: from step ``at``, a linear warmup from ``s(at)`` to the start of a new schedule.
- ``join(..., continuous=True)``: every piece rescaled to start where the previous one ended.
"""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._combinators import join
from jaxsched._core import Composite, Schedule
from jaxsched._fields import Real, StepCount, choice, known, level, nested, steps
from jaxsched._numerics import MAX_STEP, Array, Backend, Steps
from jaxsched._shapes import DECAY_SHAPES, decay, value_at
from jaxsched.schedules._ramp import LinearFrom


class Branch(Composite, name="branch"):
    r"""A running schedule with a new decay phase branched off at step ``at``.

    With :math:`v = s(a)` the value of the running schedule at ``at`` and :math:`f` the decay shape,

    .. math::
        b(k) = \begin{cases} s(k) & k < a \\
        E + (v - E)\, f\!\left(\frac{k - a}{D}\right) & a \le k < a + D \\
        E & k \ge a + D \end{cases}

    (``"exponential"``: :math:`v (E/v)^{(k-a)/D}`). The phase starts from exactly :math:`s(a)`, computed in
    the same evaluation, so :math:`b(a) = s(a)` on every path: a cooldown from any checkpoint of a
    warmup-stable-decay run, or an early end of any schedule.

    Args:
      schedule: the running schedule :math:`s`.
      at: :math:`a`, the step at which the new phase starts (the step of the checkpoint).
      decay_steps: :math:`D \ge 1`, the length of the new phase (or give ``until``).
      end_value: :math:`E`, the value reached at :math:`a + D` and held.
      decay_shape: ``"linear"``, ``"cosine"``, ``"1-sqrt"`` or ``"exponential"`` (positive values).
      until: the step :math:`a + D` where the phase ends, instead of ``decay_steps``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> run = jaxsched.warmup_constant(0.0, 1.0, warmup_steps=2)
      >>> s = jaxsched.branch(run, at=4, decay_steps=4, end_value=0.0)
      >>> [float(x) for x in s.numpy(range(10))]
      [0.0, 0.5, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    schedule: Schedule = nested()
    at: StepCount = steps()
    decay_steps: StepCount | None = steps(default=None, minimum=1)
    end_value: Real = level(default=0.0)
    decay_shape: str = choice(DECAY_SHAPES, default="linear")
    until: StepCount | None = steps(default=None, minimum=1)

    examples = (
        {
            "schedule": {
                "name": "warmup_constant",
                "init_value": 0.0,
                "peak_value": 1e-3,
                "warmup_steps": 100,
            },
            "at": 800,
            "decay_steps": 200,
            "end_value": 1e-5,
            "decay_shape": "1-sqrt",
        },
    )

    def __check_init__(self) -> None:
        if (self.decay_steps is None) == (self.until is None):
            raise v.ScheduleArgumentError(
                "decay_steps", "give exactly one of decay_steps and until", self.decay_steps
            )
        if self.until is not None:
            if known(self.until, self.at) and self.until <= self.at:
                raise v.ScheduleArgumentError("until", f"must be > at ({self.at})", self.until)
            self._set("decay_steps", self.until - self.at)
            self._set("until", None)
        if (
            self.decay_shape == "exponential"
            and known(self.end_value)
            and self.schedule._is_plain()
            and known(self.at)
        ):
            start = float(self.schedule.numpy(self.at))
            if start <= 0 or self.end_value <= 0:
                raise v.ScheduleArgumentError(
                    "decay_shape",
                    f"'exponential' needs positive values, but the schedule is {start!r} at "
                    f"step {self.at} and end_value is {self.end_value!r}",
                    self.decay_shape,
                )

    def _key_steps(self) -> list[Any]:
        end: Any = self.decay_steps  # set by __check_init__ from until when it was not given
        return [*[k for k in self.schedule.key_steps() if k < self.at], self.at, self.at + end]

    def lower(self) -> Schedule:
        length = self.decay_steps
        assert length is not None  # (set from until by __check_init__)
        phase = LinearFrom(self.schedule, self.at, self.end_value, length, self.decay_shape)
        return join([self.schedule, phase], [self.at])


class Stretch(Schedule, name="stretch"):
    r"""A running schedule given a new horizon at step ``at``: the rest of its curve, stretched in time.

    With the old end :math:`T` (the step where the schedule reaches its final value) and the new end
    :math:`T'`, the steps after ``at`` are mapped linearly onto the old remainder:

    .. math::
        r(k) = \begin{cases} s(k) & k \le a \\
        s\!\left(a + (k - a)\,\dfrac{T - a}{T' - a}\right) & a < k < T' \\ s(T) & k \ge T' \end{cases}

    so the value at ``at`` is kept, the curve continues with the same shape (every phase of the remainder
    scaled by the same factor) and ends at the old final value at the new horizon. This is defined for any
    schedule whose value is final from :math:`T` on (decays, warmup-decay schedules, WSD, ports of them);
    for a periodic schedule it stretches the periods that remain before :math:`T`. The mapped steps are
    fractional and exact in their integer part, counted from the nearer end.

    Args:
      schedule: the running schedule :math:`s`.
      at: :math:`a`, the current step.
      total_steps: :math:`T' > a`, the new horizon.
      old_total_steps: :math:`T > a`, the old horizon (default: the schedule's last key step).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.stretch(jaxsched.linear(1.0, 0.0, 10), at=4, total_steps=16)
      >>> [round(float(x), 3) for x in s.numpy([0, 4, 6, 10, 16, 20])]
      [1.0, 0.6, 0.5, 0.3, 0.0, 0.0]
    """

    schedule: Schedule = nested()
    at: StepCount = steps()
    total_steps: StepCount = steps(minimum=1)
    old_total_steps: StepCount | None = steps(default=None, minimum=1)

    examples = (
        {
            "schedule": {
                "name": "warmup_cosine_decay",
                "init_value": 0.0,
                "peak_value": 1e-3,
                "warmup_steps": 100,
                "decay_steps": 1000,
            },
            "at": 400,
            "total_steps": 2000,
        },
    )

    def __check_init__(self) -> None:
        if self.old_total_steps is None:
            keys = self.schedule.key_steps()
            self._set("old_total_steps", max(keys))
        for name in ("total_steps", "old_total_steps"):
            value = getattr(self, name)
            if known(value, self.at) and value <= self.at:
                raise v.ScheduleArgumentError(name, f"must be > at ({self.at})", value)

    def _key_steps(self) -> list[Any]:
        return [self.at, self.total_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        a, new_end, old_end = (bk.count(x) for x in (self.at, self.total_steps, self.old_total_steps))
        ratio = bk.to_float(old_end - a) / bk.to_float(new_end - a)
        since = t.since(a)
        left = t.until(new_end)
        # The mapped step, from the nearer end: at + since * ratio, or old_end - left * ratio.
        near_start = since <= left
        offset = xp.where(near_start, xp.maximum(since, 0.0), xp.maximum(left, 0.0)) * ratio
        whole = xp.floor(offset)
        frac = offset - whole
        k_int = whole.astype(bk.int_dtype)
        n = xp.where(near_start, a + k_int, old_end - k_int - xp.where(frac > 0, 1, 0).astype(bk.int_dtype))
        f = xp.where(near_start, frac, xp.where(frac > 0, 1.0 - frac, 0.0))
        mapped = Steps(bk, xp.clip(n, 0, MAX_STEP), f)
        warped = bk.value(self.schedule.evaluate(bk, mapped))
        return xp.where(since <= 0, bk.value(self.schedule.evaluate(bk, t)), warped)


class Extend(Schedule, name="extend"):
    r"""A running schedule held at its value of step ``at`` for ``steps`` more steps, then continued.

    .. math::
        x(k) = \begin{cases} s(k) & k < a \\ s(a) & a \le k < a + n \\ s(k - n) & k \ge a + n \end{cases}

    Extending the stable phase of a warmup-stable-decay run: the decay then starts ``n`` steps later,
    with its length unchanged.

    Args:
      schedule: the running schedule :math:`s`.
      at: :math:`a`, the step from which the value is held.
      steps: :math:`n \ge 0`, how many steps to add.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.extend(jaxsched.linear(1.0, 0.0, 4), at=2, steps=3)
      >>> [float(x) for x in s.numpy(range(9))]
      [1.0, 0.75, 0.5, 0.5, 0.5, 0.5, 0.25, 0.0, 0.0]
    """

    schedule: Schedule = nested()
    at: StepCount = steps()
    steps: StepCount = steps()

    examples = (
        {
            "schedule": {
                "name": "warmup_stable_decay",
                "peak_value": 1e-3,
                "warmup_steps": 100,
                "total_steps": 1000,
                "decay_steps": 200,
            },
            "at": 500,
            "steps": 1000,
        },
    )

    def _key_steps(self) -> list[Any]:
        return [
            *[k for k in self.schedule.key_steps() if k < self.at],
            *[k + self.steps for k in self.schedule.key_steps() if k >= self.at],
        ]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        a, n = bk.count(self.at), bk.count(self.steps)
        later = t.shifted(n, nonneg=True)
        held = xp.where(
            later.ge(a), bk.value(self.schedule.evaluate(bk, later)), value_at(bk, self.schedule, self.at, t)
        )
        return xp.where(t.ge(a), held, bk.value(self.schedule.evaluate(bk, t)))


class Rewarmup(Schedule, name="rewarmup"):
    r"""From step ``at``, a linear warmup from the running value to the start of a new schedule.

    .. math::
        w(k) = \begin{cases} s(k) & k < a \\ s(a) + (g(0) - s(a))\,\dfrac{k - a}{W} & a \le k < a + W \\
        g(k - a - W) & k \ge a + W \end{cases}

    (WSD-S and levanter's ``rewarmup``: after a cooldown, warm back up to the peak of the next cycle.)
    With ``warmup_steps=0`` the new schedule starts at ``at``.

    Args:
      schedule: the running schedule :math:`s`.
      at: :math:`a`.
      warmup_steps: :math:`W \ge 0`.
      then: the next schedule :math:`g`, counting its steps from the end of the warmup.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> cool = jaxsched.linear(1.0, 0.2, 4)
      >>> s = jaxsched.rewarmup(cool, at=4, warmup_steps=2, then=jaxsched.linear(1.0, 0.0, 4))
      >>> [round(float(x), 3) for x in s.numpy(range(10))]
      [1.0, 0.8, 0.6, 0.4, 0.2, 0.6, 1.0, 0.75, 0.5, 0.25]
    """

    schedule: Schedule = nested()
    at: StepCount = steps()
    warmup_steps: StepCount = steps()
    then: Schedule = nested()

    examples = (
        {
            "schedule": {
                "name": "warmup_stable_decay",
                "peak_value": 1e-3,
                "warmup_steps": 100,
                "total_steps": 1000,
                "decay_steps": 200,
            },
            "at": 1000,
            "warmup_steps": 50,
            "then": {
                "name": "warmup_stable_decay",
                "peak_value": 1e-3,
                "warmup_steps": 0,
                "total_steps": 500,
                "decay_steps": 100,
            },
        },
    )

    def _key_steps(self) -> list[Any]:
        start = self.at + self.warmup_steps
        return [
            *[k for k in self.schedule.key_steps() if k < self.at],
            self.at,
            start,
            *[start + k for k in self.then.key_steps()],
        ]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        a, W = bk.count(self.at), bk.count(self.warmup_steps)
        start = value_at(bk, self.schedule, self.at, t)
        first = value_at(bk, self.then, 0, t)
        length = bk.to_float(W)
        elapsed = xp.clip(t.since(a), 0.0, length)
        remaining = xp.clip(t.left_in(a, W, nonneg=True), 0.0, length)
        ramp = decay(bk, "linear", start, first, elapsed, remaining, length)
        after = t.shifted(bk.add(a, W), nonneg=True)
        tail = xp.where(remaining <= 0, bk.value(self.then.evaluate(bk, after)), ramp)
        return xp.where(t.ge(a), tail, bk.value(self.schedule.evaluate(bk, t)))


def branch(
    schedule: Schedule,
    at: StepCount,
    decay_steps: StepCount | None = None,
    end_value: Real = 0.0,
    decay_shape: str = "linear",
    *,
    until: StepCount | None = None,
) -> Schedule:
    """A new decay phase branched off a running schedule at step ``at``: see :class:`Branch`."""
    return Branch(schedule, at, decay_steps, end_value, decay_shape, until)


def stretch(
    schedule: Schedule, at: StepCount, total_steps: StepCount, old_total_steps: StepCount | None = None
) -> Schedule:
    """A running schedule given a new horizon at step ``at``: see :class:`Stretch`."""
    return Stretch(schedule, at, total_steps, old_total_steps)


def extend(schedule: Schedule, at: StepCount, steps: StepCount) -> Schedule:
    """A running schedule held at step ``at`` for ``steps`` more steps: see :class:`Extend`."""
    return Extend(schedule, at, steps)


def rewarmup(schedule: Schedule, at: StepCount, warmup_steps: StepCount, then: Schedule) -> Schedule:
    """A linear warmup from the running value at ``at`` to a new schedule: see :class:`Rewarmup`."""
    return Rewarmup(schedule, at, warmup_steps, then)
