"""A ramp that starts where another schedule is at a given step: a continuous join."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, choice, level, nested, steps
from jaxsched._numerics import Array, Backend, Steps
from jaxsched._shapes import DECAY_SHAPES, decay, value_at


class LinearFrom(Schedule, name="linear_from"):
    r"""A linear ramp from the value of ``schedule`` at step ``at_step`` to ``end_value``.

    With :math:`v = g(a)` (``schedule`` :math:`g` at step :math:`a`) and :math:`T` = ``transition_steps``:

    .. math:: s(k) = v + (E - v)\,\frac{\min(k, T)}{T}

    (with ``decay_shape`` other than ``"linear"``, the same phase with that shape, as in
    :func:`jaxsched.warmup_stable_decay`: :math:`E + (v - E) f(\min(k, T)/T)`).

    It is ``optax.linear_schedule(g(a), end_value, T)`` with its start taken from another schedule, so a
    piece can continue from wherever the previous one ended, even when that value is itself a formula's
    result: levanter re-warms each cycle from the previous cycle's last value
    (``previous_end = schedule(decay_steps)``) and cools down from the main schedule's last value. Put
    it after the other piece with :func:`jaxsched.join` (which hands it steps counted from its start).

    Args:
      schedule: :math:`g`, whose value at ``at_step`` is the start of the ramp (a number is a constant).
      at_step: :math:`a >= 0`, the step of :math:`g` read (in :math:`g`'s own steps).
      end_value: :math:`E >= 0`, reached at step :math:`T` and held after.
      transition_steps: :math:`T > 0` (whole or fractional).
      decay_shape: ``"linear"`` (default), ``"cosine"``, ``"1-sqrt"`` or ``"exponential"``.

    Returns:
      A :class:`~jaxsched.Schedule`; ``s(k)`` is the value used by update ``k``, from 0.

    Example:
      >>> import jaxsched
      >>> decay = jaxsched.inverse_sqrt(1.0, warmup_steps=0, timescale=1)
      >>> s = jaxsched.linear_from(decay, at_step=3, end_value=1.0, transition_steps=4)
      >>> [float(s.numpy(k)) for k in range(6)]
      [0.5, 0.625, 0.75, 0.875, 1.0, 1.0]
    """

    schedule: Schedule = nested()
    at_step: StepCount = steps()
    end_value: Real = level()
    transition_steps: Span = steps(minimum=1, fractional=True)
    decay_shape: str = choice(DECAY_SHAPES, default="linear")

    examples = (
        {
            "schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 800, "alpha": 0.1},
            "at_step": 800,
            "end_value": 1e-3,
            "transition_steps": 50,
        },
        {
            "schedule": {"name": "rsqrt_decay", "peak_value": 1e-3, "timescale": 1000, "min_steps": 1000},
            "at_step": 5000,
            "end_value": 0.0,
            "transition_steps": 200.5,
        },
    )

    duration_fields = ("at_step",)

    def _key_steps(self) -> list[Any]:
        return [self.transition_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        start = value_at(bk, self.schedule, self.at_step, t)
        T = bk.span(self.transition_steps)
        length = bk.to_float(T)
        elapsed = xp.clip(t.value(), 0.0, length)
        remaining = xp.clip(t.until(T), 0.0, length)
        return decay(bk, self.decay_shape, start, bk.value(self.end_value), elapsed, remaining, length)


linear_from = LinearFrom

__all__ = ["LinearFrom", "linear_from"]
