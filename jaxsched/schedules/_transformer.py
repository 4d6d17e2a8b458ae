"""Transformer schedules: inverse square root with warmup, and the Noam rule of Vaswani et al."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, known, level, steps, value
from jaxsched._numerics import Array, Backend, Steps
from jaxsched._shapes import linear_warmup
from jaxsched._validate import ScheduleArgumentError


class InverseSqrt(Schedule, name="inverse_sqrt"):
    r"""Linear warmup, then inverse square-root decay, as HF ``get_inverse_sqrt_schedule``.

    With :math:`\tau` = ``timescale`` (default: ``warmup_steps``, or 10 000 when that is 0),

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        P \sqrt{\dfrac{\tau}{\tau + k - W}} & k \ge W \end{cases}

    Args:
      peak_value: value at ``warmup_steps``.
      warmup_steps: :math:`W >= 0`.
      timescale: :math:`\tau > 0`, steps over which the value falls by :math:`1/\sqrt 2`.
      init_value: value at step 0.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.inverse_sqrt(1.0, warmup_steps=100)
      >>> float(s(50)), float(s(100)), float(s(400))
      (0.5, 1.0, 0.5)
    """

    peak_value: Real = level()
    warmup_steps: StepCount = steps()
    timescale: Real | None = value(default=None, minimum=0.0, min_open=True)
    init_value: Real = level(default=0.0)

    examples = (
        {"peak_value": 1e-3, "warmup_steps": 100},
        {"peak_value": 1e-3, "warmup_steps": 100, "timescale": 1000, "init_value": 1e-5},
    )

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W = bk.count(self.warmup_steps)
        if self.timescale is None:
            tau = bk.to_float(xp.where(W == 0, 10_000, W))
        else:
            tau = bk.value(self.timescale)
        peak = bk.value(self.peak_value)
        decay = peak * xp.sqrt(tau / (tau + xp.maximum(t.since(W), 0.0)))
        return linear_warmup(bk, t, bk.value(self.init_value), peak, W, decay)


class Noam(Schedule, name="noam"):
    r"""The Transformer rule of Vaswani et al. 2017 (arXiv 1706.03762), section 5.3.

    .. math:: s(k) = \text{scale}\cdot d^{-1/2} \min\left((k+1)^{-1/2},\ (k+1)\, W^{-3/2}\right)

    The paper counts ``step_num`` from 1, so update :math:`k` (from 0) uses :math:`k + 1`; the peak
    :math:`\text{scale}\cdot (dW)^{-1/2}` is at :math:`k = W - 1`.

    Args:
      model_size: :math:`d > 0`, the model width.
      warmup_steps: :math:`W > 0` (may be fractional).
      scale: a factor on the whole curve (the base LR of the PyTorch ports).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.noam(model_size=512, warmup_steps=4000)
      >>> round(float(s(3999)), 8)
      0.00069877
    """

    model_size: Real = value(minimum=0.0, min_open=True)
    warmup_steps: Span = steps(minimum=0, fractional=True)
    scale: Real = level(default=1.0)

    examples = ({"model_size": 512, "warmup_steps": 4000}, {"model_size": 64, "warmup_steps": 2.5})

    def __check_init__(self) -> None:
        if known(self.warmup_steps) and self.warmup_steps <= 0:
            raise ScheduleArgumentError("warmup_steps", "must be > 0", self.warmup_steps)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        k = t.value() + 1.0
        W = bk.to_float(bk.span(self.warmup_steps))
        d = bk.value(self.model_size)
        # Square roots taken apart: k * d and W * d overflow float32 for a large model size.
        inv_d = 1.0 / xp.sqrt(d)
        return bk.value(self.scale) * inv_d * xp.minimum(1.0 / xp.sqrt(k), k / (W * xp.sqrt(W)))
