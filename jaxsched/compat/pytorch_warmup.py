"""Ports of ``pytorch_warmup`` (Tony-Y): warmup *factors* that multiply any learning-rate schedule.

``pytorch_warmup`` dampens the optimizer's LR in place: update :math:`k` (from 0) runs with
``lr_schedule(k) * omega(k)``, where :math:`\\omega` is evaluated at ``step = k`` and every formula uses
``step + 1`` (the paper's :math:`t` counts from 1). Here each warmup is a factor schedule, so the same
composition is a product::

    lr = jaxsched.cosine_decay(1e-3, 10_000) * LinearWarmup(warmup_period=2_000)

The untuned periods derive from :math:`\\beta_2` with the original's float truncation
(``int(2 / (1 - 0.999)) == 1999``, not 2000). In PyTorch, :mod:`torch_bridge` has the same warmups with the
``dampening()`` context manager. Each port lowers to the catalog: :func:`jaxsched.warmup_constant`,
:func:`jaxsched.exponential_warmup` and :func:`jaxsched.radam_warmup`.
"""

from __future__ import annotations

from typing import Any

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import StepCount, known, static, static_float, steps
from jaxsched._numerics import MAX_STEP

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


def _beta2(name: str, value: Any) -> float:
    b2 = static_float()(name, value)
    if not 0.0 <= b2 < 1.0:
        raise v.ScheduleArgumentError(name, "must be in [0, 1)", value)
    return float(b2)


def _radam_beta2(name: str, value: Any) -> float:
    b2 = _beta2(name, value)
    if not b2 > 0.6:  # the original's condition and message (get_offset)
        raise v.ScheduleArgumentError(name, f"beta2 ({value}) must be greater than 0.6", value=...)
    return b2


def untuned_linear_period(beta2: float) -> int:
    """The untuned linear warmup period ``int(2 / (1 - beta2))``, truncated as the original does.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import untuned_linear_period
      >>> untuned_linear_period(0.999), untuned_linear_period(0.9995)
      (1999, 4000)
    """
    return int(2.0 / (1.0 - _beta2("beta2", beta2)))


def untuned_exponential_period(beta2: float) -> int:
    """The untuned exponential warmup constant ``int(1 / (1 - beta2))``, truncated as the original does.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import untuned_exponential_period
      >>> untuned_exponential_period(0.999)
      999
    """
    return int(1.0 / (1.0 - _beta2("beta2", beta2)))


def radam_offset(beta2: float) -> int:
    r"""The smallest offset :math:`\delta \ge 1` with :math:`\rho_\delta > 4` (the original's ``get_offset``).

    Raises ``ValueError`` unless ``beta2 > 0.6`` (the original's condition and message).

    Example:
      >>> from jaxsched.compat.pytorch_warmup import radam_offset
      >>> [radam_offset(b) for b in (0.9, 0.98, 0.999)]
      [5, 5, 5]
    """
    return jaxsched.radam_warmup(_radam_beta2("beta2", beta2)).offset


class _Period(Port):
    """A warmup period as the original accepts it: a positive ``int`` (a fractional number is a TypeError
    there too; a whole float, as JSON tools write 2000, is taken)."""

    warmup_period: StepCount = steps(minimum=0, fractional=True)  # fractional: refused below, TypeError

    def __check_init__(self) -> None:
        p = self.warmup_period
        if known(p) and not float(p).is_integer():
            raise v.ScheduleArgumentTypeError(
                "warmup_period", "a positive integer (pytorch_warmup takes an int)", p
            )
        if known(p) and not 0 < p <= MAX_STEP:
            raise v.ScheduleArgumentError("warmup_period", f"must be a positive integer <= {MAX_STEP}", p)


class LinearWarmup(_Period, name="compat.pytorch_warmup.LinearWarmup"):
    r"""``pytorch_warmup.LinearWarmup`` as a factor schedule.

    .. math:: \omega(k) = \min\left(1, \frac{k + 1}{\tau}\right)

    Update :math:`k` (from 0) uses :math:`\omega(k)`; the original dampens at construction with ``step=0``,
    so its first update already runs at :math:`1/\tau`, not 0. Multiply an LR schedule by it. It is
    :func:`jaxsched.warmup_constant` from 0 to 1 over :math:`\tau` steps, one step ahead
    (:func:`jaxsched.shift` by -1).

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

    examples = ({"warmup_period": 2000}, {"warmup_period": 1})

    def lower(self) -> Schedule:
        return jaxsched.shift(jaxsched.warmup_constant(0.0, 1.0, self.warmup_period), -1)


class ExponentialWarmup(_Period, name="compat.pytorch_warmup.ExponentialWarmup"):
    r"""``pytorch_warmup.ExponentialWarmup`` as a factor schedule: :func:`jaxsched.exponential_warmup`.

    .. math:: \omega(k) = 1 - e^{-(k + 1)/\tau}

    It never reaches 1 exactly in exact arithmetic; in float64 it rounds to 1.0 once
    :math:`(k+1)/\tau \gtrsim 37`. Computed as ``-expm1(-(k+1)/tau)`` (the original's ``1 - exp(...)``
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

    examples = ({"warmup_period": 1000},)

    def lower(self) -> Schedule:
        return jaxsched.exponential_warmup(self.warmup_period, 1.0, offset=1)


class _Untuned(Port):
    beta2: float = static(default=0.999, converter=_beta2)

    @property
    def warmup_period(self) -> int:
        raise NotImplementedError


class UntunedLinearWarmup(_Untuned, name="compat.pytorch_warmup.UntunedLinearWarmup"):
    r"""``pytorch_warmup.UntunedLinearWarmup``: :class:`LinearWarmup` with :math:`\tau` from Adam's ``beta2``.

    .. math:: \tau = \left\lfloor \frac{2}{1 - \beta_2} \right\rfloor_{\text{float64}}, \qquad
        \omega(k) = \min\left(1, \frac{k + 1}{\tau}\right)

    The truncation is the original's ``int(2.0 / (1.0 - beta2))`` in float64: :math:`\beta_2 = 0.999`
    gives 1999, not 2000 (Ma & Yarats, arXiv 1910.04209, intend 2000). :math:`\beta_2` below 0.5 gives
    :math:`\tau \le 3`; 0 gives 2.

    Args:
      beta2: Adam's :math:`\beta_2` in [0, 1) (the original reads it from each param group; static).

    Returns:
      A factor :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import UntunedLinearWarmup
      >>> s = UntunedLinearWarmup(beta2=0.999)
      >>> s.warmup_period, float(s(1998)), float(s.numpy(0)) == 1 / 1999
      (1999, 1.0, True)
    """

    examples = ({"beta2": 0.999}, {"beta2": 0.98})

    @property
    def warmup_period(self) -> int:
        return untuned_linear_period(self.beta2)

    def __check_init__(self) -> None:
        if self.warmup_period > MAX_STEP:
            raise v.ScheduleArgumentError(
                "beta2", f"gives a warmup period beyond the last step {MAX_STEP}", self.beta2
            )

    def lower(self) -> Schedule:
        return LinearWarmup(self.warmup_period).lower()


class UntunedExponentialWarmup(_Untuned, name="compat.pytorch_warmup.UntunedExponentialWarmup"):
    r"""``pytorch_warmup.UntunedExponentialWarmup``: :class:`ExponentialWarmup` with :math:`\tau` from
    ``beta2``.

    .. math:: \tau = \left\lfloor \frac{1}{1 - \beta_2} \right\rfloor_{\text{float64}}, \qquad
        \omega(k) = 1 - e^{-(k + 1)/\tau}

    ``beta2 = 0.999`` gives :math:`\tau = 999` (the original's float truncation). Below 0.5 the original's
    :math:`\tau` is 1 (it is never 0: :math:`1/(1-\beta_2) \ge 1`).

    Args:
      beta2: Adam's :math:`\beta_2` in [0, 1) (static).

    Returns:
      A factor :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_warmup import UntunedExponentialWarmup
      >>> UntunedExponentialWarmup(0.99).warmup_period
      99
    """

    examples = ({"beta2": 0.999},)

    @property
    def warmup_period(self) -> int:
        return untuned_exponential_period(self.beta2)

    def lower(self) -> Schedule:
        return jaxsched.exponential_warmup(self.warmup_period, 1.0, offset=1)


class RAdamWarmup(Port, name="compat.pytorch_warmup.RAdamWarmup"):
    r"""``pytorch_warmup.RAdamWarmup``: the RAdam rectification term as a warmup factor,
    :func:`jaxsched.radam_warmup`.

    With :math:`\rho_\infty = 2/(1-\beta_2) - 1`, :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`
    and the offset :math:`\delta` = the smallest integer :math:`\ge 1` with :math:`\rho_\delta > 4`,

    .. math:: \omega(k) = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}
        {(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}}, \qquad t = k + \delta

    There is no clamp: it approaches 1 from below and reaches 1.0 only once :math:`\beta_2^t` underflows
    (as in the original). The original evaluates :math:`\rho_t - 4` as a difference of large numbers
    (about 4e-12 relative at :math:`\beta_2 = 0.999` in float64); the catalog schedule evaluates it without
    cancellation, so its float64 values are the more accurate and float32 holds 1e-6 at every step.

    Args:
      beta2: Adam's :math:`\beta_2`, must be greater than 0.6 (the original's condition) and below 1
        (static).

    Returns:
      A factor :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> from jaxsched.compat.pytorch_warmup import RAdamWarmup
      >>> s = RAdamWarmup(0.999)
      >>> s.offset, s.lowered() == jaxsched.radam_warmup(0.999), round(float(s.numpy(0)), 12)
      (5, True, 0.017311503166)
    """

    beta2: float = static(default=0.999, converter=_radam_beta2)

    examples = jaxsched.radam_warmup.examples  # the same configurations as the catalog schedule

    @property
    def offset(self) -> int:
        """The offset :math:`\\delta`, as the original's ``get_offset``."""
        return jaxsched.radam_warmup(self.beta2).offset

    def lower(self) -> Schedule:
        return jaxsched.radam_warmup(self.beta2)
