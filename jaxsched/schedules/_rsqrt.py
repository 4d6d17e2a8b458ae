"""Inverse square-root decay with an offset and a floor: the horizon-free decay of big_vision, t5x and
levanter."""

from __future__ import annotations

import math
from typing import Any

from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, known, level, steps, value
from jaxsched._numerics import MAX_STEP, Array, Backend, Steps


class RsqrtDecay(Schedule, name="rsqrt_decay"):
    r"""Inverse square-root decay with an offset and a floor (big_vision's ``rsqrt``, t5x's ``rsqrt_decay``).

    .. math:: s(k) = P \sqrt{\frac{\tau}{\max(k - b,\ m)}}

    The value is :math:`P\sqrt{\tau/m}` until step :math:`b + m`, then falls as :math:`1/\sqrt{k}`. It is
    the decay of the horizon-free schedules (Vaswani et al. 2017; Zhai et al., Scaling ViT, arXiv
    2106.04560), in the forms the training stacks write it:

    - t5x ``rsqrt_decay`` :math:`1/\sqrt{\max(k, W)}`: ``rsqrt_decay(1.0, min_steps=W)``; its
      ``rsqrt_normalized_decay`` :math:`\sqrt{W/\max(k, W)}`: ``timescale=W, min_steps=W``;
    - big_vision ``rsqrt`` :math:`P/\sqrt{1 + (\max(k, W) - W + \text{shift})/\tau}`:
      ``begin=W - tau - shift, min_steps=tau + shift``;
    - levanter ``inv_sqrt`` :math:`P\min(1, \sqrt{\tau/\max(k + W, 1)})`: ``begin=-W, min_steps=1``
      under :func:`jaxsched.clip` with ``max_value=P``;
    - :func:`jaxsched.inverse_sqrt` (HF) after its warmup: ``begin=W - tau, min_steps=tau``.

    :math:`k - b` is an exact step difference (the integer part of :math:`b` in integer arithmetic), so a
    large offset does not cancel in float32.

    Args:
      peak_value: :math:`P >= 0`.
      timescale: :math:`\tau > 0`, the steps over which the value falls by :math:`1/\sqrt 2` from
        :math:`P` (when :math:`m = \tau`).
      begin: :math:`b`, a step (whole or fractional, may be negative) the decay counts from.
      min_steps: :math:`m > 0`, the floor of :math:`k - b` (no division by zero, no value above
        :math:`P\sqrt{\tau/m}`).

    Returns:
      A :class:`~jaxsched.Schedule`; ``s(k)`` is the value used by update ``k``, from 0.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.rsqrt_decay(1.0, timescale=100, min_steps=100)
      >>> [float(s(k)) for k in (0, 100, 400, 10_000)]
      [1.0, 1.0, 0.5, 0.10000000149011612]
    """

    peak_value: Real = level()
    timescale: Real = value(default=1.0, minimum=0.0, min_open=True)
    begin: Span = steps(default=0, minimum=-(2**53), fractional=True)
    min_steps: Real = value(default=1.0, minimum=0.0, min_open=True)

    examples = (
        {"peak_value": 1e-3, "timescale": 10_000, "begin": -9000, "min_steps": 10_000},
        {"peak_value": 1.0, "timescale": 1.0, "begin": 0, "min_steps": 4000},
        {"peak_value": 3e-4, "timescale": 2500.5, "begin": 99_999.5, "min_steps": 0.25},
    )

    duration_fields = ("begin", "min_steps")

    def _key_steps(self) -> list[Any]:
        if known(self.begin, self.min_steps) and -MAX_STEP <= self.begin + self.min_steps <= MAX_STEP:
            return [max(0, math.ceil(self.begin + self.min_steps))]
        return []

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        B = bk.span(self.begin)
        # k - b: exact integer difference for b >= 0; for b < 0 a sum of two positives (no cancellation,
        # and no integer overflow past 2**31 - 1).
        after = t.value() - bk.to_float(B)
        b = bk.plain(self.begin)
        if b is None:
            d = xp.where(bk.to_float(B) >= 0, t.since(B), after)
        else:
            d = t.since(B) if b >= 0 else after
        x = xp.maximum(d, bk.value(self.min_steps))
        return bk.value(self.peak_value) * xp.sqrt(bk.value(self.timescale) / x)


rsqrt_decay = RsqrtDecay

__all__ = ["RsqrtDecay", "rsqrt_decay"]
