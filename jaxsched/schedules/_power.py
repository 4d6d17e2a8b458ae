"""Inverse power-law decay: inverse square root and its generalisations (OLMo-core, Megatron-LM)."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._fields import Real, level, value
from jaxsched._numerics import Array, Backend, Steps


class InversePower(Schedule, name="inverse_power"):
    r"""Inverse power-law decay from ``init_value`` towards ``end_value``, with no horizon.

    .. math:: s(k) = E + (I - E) \left(\frac{\tau}{\tau + k}\right)^{\alpha}

    :math:`\alpha = 1/2` is the inverse square root (:math:`I\sqrt{\tau/(\tau + k)}`, as after the warmup
    of :func:`jaxsched.inverse_sqrt`); started ``W`` steps after a warmup with :math:`\tau = W` it is
    :math:`I (W / k')^{\alpha}` in the absolute step :math:`k' = W + k`: OLMo-core's
    ``InvSqrtWithWarmup`` and ``PowerLR`` and Megatron-LM's ``inverse-square-root`` style. The ratio is
    raised with one ``pow`` (a square root for :math:`\alpha = 1/2`), so float32 keeps about
    :math:`\alpha` ulps at any step; a rising curve (:math:`E > I`) takes :math:`1 - (\dots)^{\alpha}`
    from ``expm1``/``log1p``, free of the cancellation near step 0.

    Args:
      init_value: :math:`I`, the value at step 0.
      timescale: :math:`\tau > 0` steps.
      exponent: :math:`\alpha > 0`.
      end_value: :math:`E`, the asymptote.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.inverse_power(1.0, timescale=100, exponent=0.5)
      >>> [round(float(s(k)), 6) for k in (0, 300, 9900)]
      [1.0, 0.5, 0.1]
    """

    init_value: Real = level()
    timescale: Real = value(minimum=0.0, min_open=True)
    exponent: Real = value(default=0.5, minimum=0.0, min_open=True)
    end_value: Real = level(default=0.0)

    examples = (
        {"init_value": 1e-3, "timescale": 1000},
        {"init_value": 1e-3, "timescale": 250, "exponent": 0.51, "end_value": 1e-5},
        {"init_value": 1e-3, "timescale": 7, "exponent": 2.0},
    )

    def _key_steps(self) -> list[Any]:
        return [self.timescale] if isinstance(self.timescale, int | float) else []

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        tau = bk.value(self.timescale)
        ratio = tau / (tau + t.value())
        if bk.plain(self.exponent) == 0.5:
            factor = xp.sqrt(ratio)
        else:
            factor = ratio ** bk.value(self.exponent)
        init, end = bk.value(self.init_value), bk.value(self.end_value)
        fall = end + (init - end) * factor
        grows = bk.larger(self.end_value, self.init_value)
        if grows is False:
            return fall
        # Rising (E > I): 1 - factor from the step itself, without the cancellation near step 0.
        gone = -xp.expm1(-bk.value(self.exponent) * xp.log1p(t.value() / tau))
        rise = init + (end - init) * gone
        if grows is True:
            return rise
        return xp.where(end > init, rise, fall)


inverse_power = InversePower

__all__ = ["InversePower", "inverse_power"]
