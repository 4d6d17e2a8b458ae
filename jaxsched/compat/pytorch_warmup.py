"""Ports of ``pytorch_warmup`` (Tony-Y): warmup *factors* that multiply any learning-rate schedule.

``pytorch_warmup`` dampens the optimizer's LR in place: update :math:`k` (from 0) runs with
``lr_schedule(k) * omega(k)``, where :math:`\\omega` is evaluated at ``step = k`` and every formula
uses
``step + 1`` (the paper's :math:`t` counts from 1). Here each warmup is a factor schedule, so the
same
composition is a product::

    lr = jaxsched.cosine_decay(1e-3, 10_000) * LinearWarmup(warmup_period=2_000)

The untuned periods derive from :math:`\\beta_2` with the original's float truncation
(``int(2 / (1 - 0.999)) == 1999``, not 2000). In PyTorch, :mod:`torch_bridge` has the same warmups
with
the ``dampening()`` context manager.
"""

from __future__ import annotations

import math
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps
from jaxsched.schedules._warmup import linear_warmup

__all__ = [
    "ExponentialWarmup",
    "LinearWarmup",
    "RAdamWarmup",
    "UntunedExponentialWarmup",
    "UntunedLinearWarmup",
    "radam_offset",
    "untuned_exponential_period",
    "untuned_linear_period",
]


def _period(name: str, value: Any) -> int:
    """A warmup period as the original accepts it: a positive ``int`` (a float is a TypeError there
    too)."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)  # configs written by JSON tools turn 2000 into 2000.0
        else:
            raise v.ScheduleArgumentTypeError(
                name, "a positive integer (pytorch_warmup takes an int)", value
            )
    if value <= 0:
        raise v.ScheduleArgumentError(name, "must be a positive integer", value)
    return int(value)


def _beta2(value: Any) -> float:
    b2 = v.finite_float("beta2", value)
    if not 0.0 <= b2 < 1.0:
        raise v.ScheduleArgumentError("beta2", "must be in [0, 1)", value)
    return b2


def untuned_linear_period(beta2: float) -> int:
    """The untuned linear warmup period ``int(2 / (1 - beta2))``, truncated as the original does.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import untuned_linear_period
      >>> untuned_linear_period(0.999), untuned_linear_period(0.9995)
      (1999, 4000)
    """
    return int(2.0 / (1.0 - _beta2(beta2)))


def untuned_exponential_period(beta2: float) -> int:
    """The untuned exponential warmup constant ``int(1 / (1 - beta2))``, truncated as the original
    does.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import untuned_exponential_period
      >>> untuned_exponential_period(0.999)
      999
    """
    return int(1.0 / (1.0 - _beta2(beta2)))


def _rho(t: float, beta2: float, rho_inf: float) -> float:
    b2t = beta2**t
    return rho_inf - 2 * t * b2t / (1 - b2t)


def radam_offset(beta2: float) -> int:
    r"""The smallest offset :math:`\delta \ge 1` with :math:`\rho_\delta > 4` (``get_offset`` of the
    original).

    Raises ``ValueError`` unless ``beta2 > 0.6`` (the original's condition and message).

    Example:
      >>> from jaxsched.compat.pytorch_warmup import radam_offset
      >>> [radam_offset(b) for b in (0.9, 0.98, 0.999)]
      [5, 5, 5]
    """
    b2 = _beta2(beta2)
    if not b2 > 0.6:
        raise v.ScheduleArgumentError(
            "beta2", f"beta2 ({beta2}) must be greater than 0.6", value=...
        )
    rho_inf = 2.0 / (1 - b2) - 1
    offset = 1
    while _rho(offset, b2, rho_inf) <= 4:
        offset += 1
    return offset


class LinearWarmup(Schedule, name="compat.pytorch_warmup.LinearWarmup"):
    r"""``pytorch_warmup.LinearWarmup`` as a factor schedule.

    .. math:: \omega(k) = \min\left(1, \frac{k + 1}{\tau}\right)

    Update :math:`k` (from 0) uses :math:`\omega(k)`; the original dampens at construction with
    ``step=0``,
    so its first update already runs at :math:`1/\tau`, not 0. Multiply an LR schedule by it.

    Args:
      warmup_period: :math:`\tau`, a positive integer.

    Returns:
      A factor :class:`~jaxsched.Schedule` in :math:`(0, 1]`.

    Example:
      >>> import jaxsched
      >>> from jaxsched.compat.pytorch_warmup import LinearWarmup
      >>> [float(LinearWarmup(4)(k)) for k in range(6)]
      [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
      >>> lr = jaxsched.constant(0.1) * LinearWarmup(warmup_period=4)
      >>> round(float(lr(0)), 6)
      0.025
    """

    warmup_period: Any

    examples = ({"warmup_period": 2000},)

    def __check_init__(self) -> None:
        self._set("warmup_period", _period("warmup_period", self.warmup_period))

    def _key_steps(self) -> list[Any]:
        return [self.warmup_period - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        one = bk.value(1.0)
        return linear_warmup(
            bk, t.shifted(-1), bk.value(0.0), one, bk.count(self.warmup_period), one
        )


def _exp_warmup(bk: Backend, t: Steps, tau: Array) -> Array:
    # 1 - exp(-(k+1)/tau), written with expm1 so small arguments keep their precision.
    return -bk.xp.expm1(-(t.value() + 1.0) / tau)


class ExponentialWarmup(Schedule, name="compat.pytorch_warmup.ExponentialWarmup"):
    r"""``pytorch_warmup.ExponentialWarmup`` as a factor schedule.

    .. math:: \omega(k) = 1 - e^{-(k + 1)/\tau}

    It never reaches 1 exactly in exact arithmetic; in float64 it rounds to 1.0 once
    :math:`(k+1)/\tau \gtrsim 37`. Computed as ``-expm1(-(k+1)/tau)`` (the original's ``1 -
    exp(...)``
    differs in the last bits only).

    Args:
      warmup_period: :math:`\tau`, a positive integer.

    Returns:
      A factor :class:`~jaxsched.Schedule` in :math:`(0, 1]`.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import ExponentialWarmup
      >>> [round(float(ExponentialWarmup(2)(k)), 4) for k in range(3)]
      [0.3935, 0.6321, 0.7769]
    """

    warmup_period: Any

    examples = ({"warmup_period": 1000},)

    def __check_init__(self) -> None:
        self._set("warmup_period", _period("warmup_period", self.warmup_period))

    def _key_steps(self) -> list[Any]:
        return [self.warmup_period - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return _exp_warmup(bk, t, bk.value(self.warmup_period))


class UntunedLinearWarmup(Schedule, name="compat.pytorch_warmup.UntunedLinearWarmup"):
    r"""``pytorch_warmup.UntunedLinearWarmup``: :class:`LinearWarmup` with :math:`\tau` from Adam's
    ``beta2``.

    .. math:: \tau = \left\lfloor \frac{2}{1 - \beta_2} \right\rfloor_{\text{float64}}, \qquad
        \omega(k) = \min\left(1, \frac{k + 1}{\tau}\right)

    The truncation is the original's ``int(2.0 / (1.0 - beta2))`` in float64: :math:`\beta_2 =
    0.999`
    gives 1999, not 2000 (Ma & Yarats, arXiv 1910.04209, intend 2000).

    Args:
      beta2: Adam's :math:`\beta_2` in [0, 1) (the original reads it from each param group).

    Returns:
      A factor :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import UntunedLinearWarmup
      >>> s = UntunedLinearWarmup(beta2=0.999)
      >>> s.warmup_period, float(s(1998)), float(s.numpy(0)) == 1 / 1999
      (1999, 1.0, True)
    """

    beta2: float = static(default=0.999)

    examples = ({"beta2": 0.999}, {"beta2": 0.98})

    def __check_init__(self) -> None:
        self._set("beta2", _beta2(self.beta2))

    @property
    def warmup_period(self) -> int:
        return untuned_linear_period(self.beta2)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_period - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return LinearWarmup._unchecked(warmup_period=self.warmup_period).evaluate(bk, t)


class UntunedExponentialWarmup(Schedule, name="compat.pytorch_warmup.UntunedExponentialWarmup"):
    r"""``pytorch_warmup.UntunedExponentialWarmup``: :class:`ExponentialWarmup` with :math:`\tau`
    from ``beta2``.

    .. math:: \tau = \left\lfloor \frac{1}{1 - \beta_2} \right\rfloor_{\text{float64}}, \qquad
        \omega(k) = 1 - e^{-(k + 1)/\tau}

    ``beta2 = 0.999`` gives :math:`\tau = 999` (the original's float truncation).

    Args:
      beta2: Adam's :math:`\beta_2` in [0, 1).

    Returns:
      A factor :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import UntunedExponentialWarmup
      >>> UntunedExponentialWarmup(0.99).warmup_period
      99
    """

    beta2: float = static(default=0.999)

    examples = ({"beta2": 0.999},)

    def __check_init__(self) -> None:
        self._set("beta2", _beta2(self.beta2))

    @property
    def warmup_period(self) -> int:
        return untuned_exponential_period(self.beta2)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_period - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return ExponentialWarmup._unchecked(warmup_period=self.warmup_period).evaluate(bk, t)


class RAdamWarmup(Schedule, name="compat.pytorch_warmup.RAdamWarmup"):
    r"""``pytorch_warmup.RAdamWarmup``: the RAdam rectification term as a warmup factor.

    With :math:`\rho_\infty = 2/(1-\beta_2) - 1`, :math:`\rho_t = \rho_\infty -
    2t\beta_2^t/(1-\beta_2^t)`
    and the offset :math:`\delta` = the smallest integer :math:`\ge 1` with :math:`\rho_\delta > 4`,

    .. math:: \omega(k) = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}
        {(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}}, \qquad t = k + \delta

    There is no clamp: it approaches 1 from below and reaches 1.0 only once :math:`\beta_2^t`
    underflows
    (as in the original). :math:`1 - \beta_2^t` is computed with ``expm1`` for float32 accuracy.

    Args:
      beta2: Adam's :math:`\beta_2`, must be greater than 0.6 (the original's condition) and below
        1.

    Returns:
      A factor :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import RAdamWarmup
      >>> s = RAdamWarmup(0.999)
      >>> s.offset, round(float(s.numpy(0)), 12)
      (5, 0.017311503166)
    """

    beta2: float = static(default=0.999)

    examples = ({"beta2": 0.999}, {"beta2": 0.98})

    def __check_init__(self) -> None:
        self._set("beta2", _beta2(self.beta2))
        radam_offset(self.beta2)

    @property
    def offset(self) -> int:
        return radam_offset(self.beta2)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        # rho_t = c + (2/u) g(x) with u = -ln(beta2), x = t u, g(x) = 1 - x/(e^x - 1): the large
        # terms
        # 2/(1-beta2) and 2t/(e^x - 1) cancel on the host (c), so float32 keeps rho_t - 4 accurate.
        xp = bk.xp
        b2 = self.beta2
        u = -math.log(b2)
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        c = (2.0 / (1.0 - b2) - 2.0 / u) - 1.0
        x = (t.value() + float(self.offset)) * u
        small = xp.minimum(x, 0.1)
        series = small * (
            0.5
            + small
            * (
                -1.0 / 12
                + small
                * small
                * (1.0 / 720 + small * small * (-1.0 / 30240 + small * small / 1209600))
            )
        )
        large = xp.clip(x, 0.1, 700.0)
        g = xp.where(x < 0.1, series, 1.0 - large / xp.expm1(large))
        rho = c + (2.0 / u) * g
        ratio = ((rho - 4.0) * (rho - 2.0) * rho_inf) / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho)
        return xp.sqrt(ratio)
