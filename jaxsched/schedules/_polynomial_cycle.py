"""Polynomial decay whose horizon stretches to the next multiple of its length (Keras/TF ``cycle=True``)."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._fields import Real, StepCount, level, steps, value
from jaxsched._numerics import Array, Backend, Steps


class PolynomialCycle(Schedule, name="polynomial_cycle"):
    r"""Polynomial decay over a horizon that stretches to the next multiple of ``decay_steps``.

    Keras and TensorFlow's ``PolynomialDecay(cycle=True)``: instead of holding ``end_value`` after
    ``decay_steps``, the horizon becomes the next multiple of :math:`T` = ``decay_steps`` at or above the
    step. With :math:`H(k) = T \max\left(1, \lceil k/T \rceil\right)`,

    .. math:: s(k) = E + (I - E) \left(\frac{H(k) - k}{H(k)}\right)^{p}

    so :math:`s(0) = I`, :math:`s(mT) = E` at every multiple of :math:`T`, and step :math:`mT + 1`
    jumps back up to :math:`E + (I - E)\left(\tfrac{T - 1}{(m + 1) T}\right)^{p}`: each cycle restarts
    lower (its start tends to :math:`E` as :math:`1/m^{p}`). :math:`H(k) - k` is exact integer arithmetic
    and a rising curve (:math:`E > I`) is computed from the step itself (``log1p``/``expm1``), so neither
    end of a cycle comes out of a cancellation in float32.

    Args:
      init_value: :math:`I`, the value at step 0.
      decay_steps: :math:`T >= 1`, the length of the first cycle.
      end_value: :math:`E`, reached at every multiple of ``decay_steps``.
      power: :math:`p > 0`.

    Returns:
      A :class:`~jaxsched.Schedule` (it keeps cycling).

    Example:
      >>> import jaxsched
      >>> s = jaxsched.polynomial_cycle(1.0, decay_steps=2, end_value=0.0)
      >>> [round(float(s(k)), 6) for k in range(7)]
      [1.0, 0.5, 0.0, 0.25, 0.0, 0.166667, 0.0]
    """

    init_value: Real = level()
    decay_steps: StepCount = steps(minimum=1)
    end_value: Real = level(default=0.0)
    power: Real = value(default=1.0, minimum=0.0, min_open=True)

    examples = (
        {"init_value": 0.1, "decay_steps": 100, "end_value": 1e-4, "power": 2.0},
        {"init_value": 1e-3, "decay_steps": 37, "end_value": 0.0},
        {"init_value": 1e-4, "decay_steps": 50, "end_value": 1e-3, "power": 0.5},
    )

    def _key_steps(self) -> list[Any]:
        T = self.decay_steps
        return [T, T + 1, 2 * T, 2 * T + 1, 3 * T]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.count(self.decay_steps)
        q = t.n // T
        r = t.n - q * T
        rest = r > 0 if t.f is None else (r > 0) | (t.f > 0)
        frac_part = 0.0 if t.f is None else t.f
        # The cycle m = ceil(k/T) (at least 1) and the exact steps left to its end, m T - k.
        m = xp.where(rest, q + 1, xp.maximum(q, 1))
        left = xp.where(rest, bk.to_float(T - r) - frac_part, xp.where(q == 0, bk.to_float(T), 0.0))
        horizon = bk.to_float(m) * bk.to_float(T)
        frac = left / horizon
        init, last = bk.value(self.init_value), bk.value(self.end_value)
        linear = bk.plain(self.power) == 1.0
        p = bk.value(self.power)
        fall = last + (init - last) * (frac if linear else frac**p)
        grows = bk.larger(self.end_value, self.init_value)
        if grows is False:
            return fall
        # Rising: 1 - frac**p from the step itself (done = k / H) where frac**p is close to 1.
        finished = left <= 0
        done = xp.where(finished, 1.0, xp.minimum(t.value() / horizon, 1.0))
        if linear:
            part = done
        else:
            inside = xp.where(done <= 0.5, done, 0.0)
            part = xp.where(done <= 0.5, -xp.expm1(p * xp.log1p(-inside)), 1.0 - frac**p)
        rise = xp.where(finished, last, init + (last - init) * part)
        if grows is True:
            return rise
        return xp.where(last > init, rise, fall)


polynomial_cycle = PolynomialCycle

__all__ = ["PolynomialCycle", "polynomial_cycle"]
