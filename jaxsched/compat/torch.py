r"""Ports of ``torch.optim.lr_scheduler``: every scheduler class as a jaxsched :class:`~jaxsched.Schedule`.

Each class keeps torch's name and parameter names; the optimizer argument is replaced by the base learning
rate ``lr`` (torch's ``param_groups[i]["initial_lr"]``), given first. (``CyclicLR`` and ``OneCycleLR``
never read the optimizer's LR, so they keep their own ``base_lr``/``max_lr`` arguments.) ``s(k)`` is the
value of ``get_last_lr()`` after ``k`` calls of ``scheduler.step()`` in a plain loop, i.e. the LR used by
update ``k``. Torch computes most of them recursively from the current ``group["lr"]``; alone, each one is
its closed form, which equals the recursion up to float rounding (about 1e-15 relative; torch's recursion
itself drifts by that much), and the ports lower to the catalog's closed forms. Where the recursion and
torch's closed form disagree visibly (``total_iters=0`` of ``ConstantLR``/``LinearLR``/``PolynomialLR``),
the ports follow the recursion, i.e. what a ``step()`` loop gives.

Validation happens at construction, with torch's own messages and exception classes where torch validates,
prefixed by the argument's name. Where torch accepts an argument and then fails at some later ``step()`` (a
zero ``step_size`` or ``T_max``, ``ConstantLR(factor=0)``, ``OneCycleLR`` with ``pct_start * total_steps ==
1``), the port refuses it at construction. Negative decay factors (accepted by torch, sign-flipping LRs) are
refused; a growing LR (a factor above 1) is held at the largest float32, 3.4e38, once it gets there
(torch's float64 goes on to 1.8e308, then inf).

``SequentialLR`` and ``ChainedScheduler`` reproduce torch's recursion for any composition of these classes
(and of jaxsched schedules, which behave as ``torch_bridge.ScheduleLR``): every torch step is an update
``lr <- a (lr - c) + c + d`` of the current LR, or sets it outright; the ports lower compositions to
products of closed forms where that is exact, to joins of closed forms at ``SequentialLR`` milestones, and
otherwise to :func:`jaxsched.affine_recurrence`, solved once on the host in torch's own operation order (see
their docstrings for what that costs and what is refused).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import (
    FLOAT32_MAX,
    Real,
    Span,
    StepCount,
    flag,
    known,
    level,
    nested,
    static,
    static_int,
    static_nested,
    static_nested_seq,
    steps,
    steps_seq,
    value,
)
from jaxsched._numerics import MAX_STEP, is_concrete
from jaxsched._validate import ScheduleArgumentTypeValueError, ScheduleArgumentZeroDivisionError
from jaxsched.schedules._basic import Constant
from jaxsched.schedules._recurrence import MAX_TABLE_STEPS

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "CyclicMomentum",
    "OneCycleLR",
    "OneCycleMomentum",
    "SequentialLR",
    "ChainedScheduler",
    "SWALR",
    "with_lr",
]


# -- helpers -------------------------------------------------------------------------------------------


def _torch_error(
    argument: str, message: str, value: Any, cls: type[v.ScheduleArgumentError] = v.ScheduleArgumentError
) -> v.ScheduleArgumentError:
    """A construction error carrying torch's own message, prefixed by the argument's name."""
    text = message if repr(value) in message or str(value) in message else f"{message} (got {value!r})"
    return cls(argument, text, value, show_value=False)


def with_lr(s: Schedule, lr: Any) -> Schedule:
    """A copy of a port with another base LR (checked again)."""
    return s.replace(lr=lr)


def _integer(x: Any) -> int | None:
    """A Python, NumPy or JAX integer scalar as an int; None for anything else (floats included)."""
    if isinstance(x, bool):
        return None
    if isinstance(x, numbers.Integral):
        return int(x)
    if hasattr(x, "dtype") and is_concrete(x) and np.ndim(x) == 0 and np.asarray(x).dtype.kind in "iu":
        return int(np.asarray(x))
    return None


def _torch_int(message: str, minimum: int, optional: bool = False) -> Callable[[str, Any], int | None]:
    """torch's ``x < minimum or not isinstance(x, int)`` check: its ValueError and message for a float or a
    value too small, a TypeError where torch's comparison itself fails (``None``, text)."""

    def convert(name: str, x: Any) -> int | None:
        if x is None and optional:
            return None
        numeric = isinstance(x, numbers.Real) or hasattr(x, "dtype")
        if x is None or isinstance(x, str | bytes) or not numeric:
            raise v.ScheduleArgumentTypeError(name, "an int", x)
        if not is_concrete(x):
            raise v.ScheduleArgumentTypeError(name, "a concrete int (it is static)", x)
        n = _integer(x)
        if n is None or n < minimum:
            raise _torch_error(name, message.format(x), x)
        if n > MAX_STEP:
            raise v.ScheduleArgumentError(name, f"must be <= {MAX_STEP} (the last step)", x)
        return n

    return convert


def _gamma_growth(s: Any, name: str = "gamma") -> None:
    """Record (static) whether a decay factor grows the LR: a growing one is lowered with a ceiling."""
    g = getattr(s, name)
    if known(g):
        s._set("_grows", g > 1.0)


def _geometric(lr: Any, step_size: Any, gamma: Any, grows: bool) -> Schedule:
    """``lr`` times ``gamma`` to the power ``floor(k / step_size)``; a growing one is held at the largest
    float32."""
    if grows:
        return jaxsched.exponential_decay(lr, step_size, gamma, staircase=True, end_value=FLOAT32_MAX)
    return jaxsched.step_decay(lr, step_size, gamma)


class _TorchPort(Port):
    """Marker base of the ports of ``torch.optim.lr_scheduler`` classes (the compositions step them as torch
    does, see :class:`ChainedScheduler`)."""


# -- the schedulers -------------------------------------------------------------------------------------


class LambdaLR(_TorchPort, name="compat.torch.LambdaLR"):
    r"""``torch.optim.lr_scheduler.LambdaLR``: the base LR times a factor schedule.

    .. math:: s(k) = \text{lr}\cdot\lambda(k)

    Torch takes any Python callable; the port takes a jaxsched :class:`~jaxsched.Schedule` (or a number, a
    constant factor), so the factor has a formula that JAX can trace. ``torch_bridge.as_lambda(schedule)``
    turns a schedule into a callable for torch's own ``LambdaLR``.

    Args:
      lr: the base learning rate (torch's ``initial_lr``).
      lr_lambda: the factor :math:`\lambda`, a Schedule or a number.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.LambdaLR(0.1, jaxsched.linear(1.0, 0.0, transition_steps=4))
      >>> [round(float(s(k)), 6) for k in range(6)]
      [0.1, 0.075, 0.05, 0.025, 0.0, 0.0]
    """

    lr: Real = level()
    lr_lambda: Schedule = nested()

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "lr": 0.1,
            "lr_lambda": {"name": "linear", "init_value": 1.0, "end_value": 0.1, "transition_steps": 100},
        },
        {"lr": 0.1, "lr_lambda": 0.5},
    )

    def _key_steps(self) -> list[Any]:
        return self.lr_lambda.key_steps()

    def lower(self) -> Schedule:
        return jaxsched.multiply(jaxsched.constant(self.lr), self.lr_lambda)


class MultiplicativeLR(_TorchPort, name="compat.torch.MultiplicativeLR"):
    r"""``torch.optim.lr_scheduler.MultiplicativeLR``: the LR multiplied by a factor at every step.

    .. math:: s(k) = \text{lr}\prod_{j=1}^{\min(k, H)}\lambda(j)

    (:math:`\lambda(0)` is never used, as in torch, except at a ``SequentialLR`` milestone.) For a constant
    factor :math:`c` (a number, or a ``jaxsched.constant``) this is :math:`\text{lr}\cdot c^k` at any step
    (held at 3.4e38 for :math:`c > 1`). A general factor schedule has no closed-form product, so it needs a
    ``horizon`` :math:`H`: the running product over :math:`j = 1..H` is computed once on the host, in
    float64 in torch's order (:func:`jaxsched.affine_recurrence`; :math:`H` is limited to about 4 million
    steps), and the value of step :math:`H` is held after it (``torch_bridge.as_lambda(schedule, horizon)``
    gives torch the factor 1 there). The factor schedule is static (the product is a table of its values).

    Args:
      lr: the base learning rate.
      lr_lambda: the factor :math:`\lambda`, a number or a Schedule.
      horizon: static number of steps :math:`H` over which a non-constant factor is multiplied up
        (required then, ignored for a constant factor).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.MultiplicativeLR(1.0, 0.5)(k)), 6) for k in range(4)]
      [1.0, 0.5, 0.25, 0.125]
      >>> s = tp.MultiplicativeLR(1.0, jaxsched.linear(1.0, 0.5, 4), horizon=8)
      >>> [round(float(s(k)), 6) for k in range(4)]
      [1.0, 0.875, 0.65625, 0.410156]
    """

    lr: Real = level()
    lr_lambda: Schedule = static_nested()
    horizon: int | None = static(default=None, converter=static_int(1, optional=True))

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1, "lr_lambda": 0.95},
        {
            "lr": 0.1,
            "lr_lambda": {"name": "linear", "init_value": 1.0, "end_value": 0.9, "transition_steps": 50},
            "horizon": 200,
        },
    )

    def __check_init__(self) -> None:
        c = self.constant_factor
        if c is None and self.horizon is None:
            raise v.ScheduleArgumentError(
                "horizon",
                "is required when lr_lambda is a Schedule that is not constant (the running "
                "product of a general factor is computed over a bounded number of steps)",
                None,
            )
        if c is None and self.horizon is not None and self.horizon + 2 > MAX_TABLE_STEPS:
            raise v.ScheduleArgumentError(
                "horizon",
                f"must be <= {MAX_TABLE_STEPS - 2} (the running product is a table of that many "
                "steps at most)",
                self.horizon,
            )

    @property
    def constant_factor(self) -> float | None:
        """The factor when it is a constant, else None."""
        return float(self.lr_lambda.value) if isinstance(self.lr_lambda, Constant) else None

    def _key_steps(self) -> list[Any]:
        return [self.horizon] if self.constant_factor is None else []

    def factor_product(self) -> Schedule:
        """:math:`\\prod_{j=1}^{\\min(k, H)} \\lambda(j)` (or :math:`c^k`), the factor the port multiplies
        ``lr`` by."""
        c = self.constant_factor
        if c is not None:
            return _geometric(1.0, 1, c, c > 1.0)
        H = int(self.horizon)  # type: ignore[arg-type]
        lam = np.broadcast_to(self.lr_lambda.numpy(np.arange(1, H + 1)), (H,))
        return jaxsched.affine_recurrence.solve(1.0, np.arange(1, H + 1), lam, start=H + 1, period=1)

    def lower(self) -> Schedule:
        return jaxsched.multiply(jaxsched.constant(self.lr), self.factor_product())


class StepLR(_TorchPort, name="compat.torch.StepLR"):
    r"""``torch.optim.lr_scheduler.StepLR``: decay by ``gamma`` every ``step_size`` steps.

    .. math:: s(k) = \text{lr}\cdot\gamma^{\lfloor k/n \rfloor}

    Torch does not validate ``step_size`` (0 fails with ``ZeroDivisionError`` at the first step); here it
    must be a whole number >= 1.

    Args:
      lr: the base learning rate.
      step_size: :math:`n`.
      gamma: :math:`\gamma >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.StepLR(0.1, step_size=2)(k)), 6) for k in range(5)]
      [0.1, 0.1, 0.01, 0.01, 0.001]
    """

    lr: Real = level()
    step_size: StepCount = steps(minimum=1)
    gamma: Real = value(default=0.1, minimum=0.0)
    _grows: bool = static(default=False, init=False)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1, "step_size": 30},
        {"lr": 0.05, "step_size": 7, "gamma": 0.5},
    )

    def __check_init__(self) -> None:
        _gamma_growth(self)

    def _key_steps(self) -> list[Any]:
        return [self.step_size * i for i in range(1, 4)]

    def lower(self) -> Schedule:
        return _geometric(self.lr, self.step_size, self.gamma, self._grows)


class MultiStepLR(_TorchPort, name="compat.torch.MultiStepLR"):
    r"""``torch.optim.lr_scheduler.MultiStepLR``: decay by ``gamma`` at each milestone.

    .. math:: s(k) = \text{lr}\cdot\gamma^{\#\{i \,:\, m_i \le k\}}

    Torch keeps the milestones in a ``Counter``, so a milestone listed twice decays twice; order does not
    matter. (Torch ignores negative milestones in a step loop; here they are refused.)

    Args:
      lr: the base learning rate.
      milestones: steps :math:`m_i >= 0`.
      gamma: :math:`\gamma >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.MultiStepLR(1.0, [3, 1, 3], gamma=0.5)(k)), 6) for k in range(5)]
      [1.0, 0.5, 0.5, 0.125, 0.125]
    """

    lr: Real = level()
    milestones: Sequence[StepCount] = steps_seq()
    gamma: Real = value(default=0.1, minimum=0.0)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1, "milestones": [30, 80]},
        {"lr": 0.1, "milestones": [5, 5, 20], "gamma": 0.5},
    )

    def __check_init__(self) -> None:
        if known(self.lr, self.gamma) and self.gamma > 1.0:
            top = self.lr
            for _ in self.milestones:
                top = top * self.gamma
            if top > FLOAT32_MAX:
                raise v.ScheduleArgumentError(
                    "gamma",
                    f"grows the LR beyond the float32 range over {len(self.milestones)} milestones",
                    self.gamma,
                )

    def _key_steps(self) -> list[Any]:
        return list(self.milestones)

    def lower(self) -> Schedule:
        return jaxsched.multistep_decay(self.lr, tuple(self.milestones), self.gamma)


def _factor_check(name: str, x: Any, message: str, low: float, low_open: bool) -> None:
    if known(x) and (x > 1.0 or (x <= low if low_open else x < low)):
        raise _torch_error(name, message, x)


class ConstantLR(_TorchPort, name="compat.torch.ConstantLR"):
    r"""``torch.optim.lr_scheduler.ConstantLR``: ``factor`` times the LR for ``total_iters`` steps.

    .. math:: s(k) = \begin{cases} \text{lr}\cdot f & k < T \\ \text{lr} & k \ge T \end{cases}

    As torch's step loop: with ``total_iters=0`` the LR stays at :math:`\text{lr}\cdot f` forever (torch's
    closed form, used by ``step(epoch)``, would give ``lr``). ``factor=0`` passes torch's check and then
    fails with ``ZeroDivisionError`` at step :math:`T`; here it is refused unless ``total_iters=0``.
    ``total_iters`` is static (0 changes the shape of the curve).

    Args:
      lr: the base learning rate.
      factor: :math:`f \in [0, 1]`.
      total_iters: :math:`T >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.ConstantLR(0.1, factor=0.5, total_iters=2)(k)), 6) for k in range(4)]
      [0.05, 0.05, 0.1, 0.1]
    """

    lr: Real = level()
    factor: Real = value(default=1.0 / 3)
    total_iters: int = steps(default=5, static=True)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1},
        {"lr": 0.1, "factor": 0.5, "total_iters": 100},
    )

    def __check_init__(self) -> None:
        _factor_check(
            "factor",
            self.factor,
            "Constant multiplicative factor expected to be between 0 and 1.",
            0.0,
            False,
        )
        if known(self.factor) and self.factor == 0 and self.total_iters > 0:
            raise v.ScheduleArgumentError(
                "factor",
                "must be > 0 when total_iters > 0 (torch divides by it at step total_iters)",
                self.factor,
            )

    def _key_steps(self) -> list[Any]:
        return [self.total_iters]

    def lower(self) -> Schedule:
        low = jaxsched.constant(self.lr * self.factor)
        if self.total_iters == 0:
            return low
        return jaxsched.join([low, jaxsched.constant(self.lr)], [self.total_iters])


class LinearLR(_TorchPort, name="compat.torch.LinearLR"):
    r"""``torch.optim.lr_scheduler.LinearLR``: a factor linear from ``start_factor`` to ``end_factor``.

    .. math:: s(k) = \text{lr}\left(f_0 + (f_1 - f_0)\,\frac{\min(k, T)}{T}\right)

    Torch caps both factors at 1, so LinearLR cannot warm up *above* the base LR. With ``total_iters=0``
    torch's step loop keeps :math:`\text{lr}\cdot f_0` forever (its closed form would divide by zero), and
    so does this port. ``total_iters`` is static.

    Args:
      lr: the base learning rate.
      start_factor: :math:`f_0 \in (0, 1]`.
      end_factor: :math:`f_1 \in [0, 1]`.
      total_iters: :math:`T >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.LinearLR(0.1, start_factor=0.5, total_iters=2)(k)), 6) for k in range(4)]
      [0.05, 0.075, 0.1, 0.1]
    """

    lr: Real = level()
    start_factor: Real = value(default=1.0 / 3)
    end_factor: Real = value(default=1.0)
    total_iters: int = steps(default=5, static=True)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1},
        {"lr": 0.1, "start_factor": 0.01, "end_factor": 1.0, "total_iters": 100},
    )

    def __check_init__(self) -> None:
        _factor_check(
            "start_factor",
            self.start_factor,
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
            0.0,
            True,
        )
        _factor_check(
            "end_factor",
            self.end_factor,
            "Ending multiplicative factor expected to be between 0 and 1.",
            0.0,
            False,
        )

    def _key_steps(self) -> list[Any]:
        return [self.total_iters]

    def lower(self) -> Schedule:
        start = self.lr * self.start_factor
        if self.total_iters == 0:
            return jaxsched.constant(start)
        return jaxsched.linear(start, self.lr * self.end_factor, self.total_iters)


class ExponentialLR(_TorchPort, name="compat.torch.ExponentialLR"):
    r"""``torch.optim.lr_scheduler.ExponentialLR``: decay by ``gamma`` every step.

    .. math:: s(k) = \text{lr}\cdot\gamma^{k}

    Args:
      lr: the base learning rate.
      gamma: :math:`\gamma >= 0` (torch accepts negative values too; above 1 the LR is held at 3.4e38 once
        it gets there).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.ExponentialLR(1.0, gamma=0.5)(k)), 6) for k in range(4)]
      [1.0, 0.5, 0.25, 0.125]
    """

    lr: Real = level()
    gamma: Real = value(minimum=0.0)
    _grows: bool = static(default=False, init=False)

    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"lr": 0.1, "gamma": 0.99},)

    def __check_init__(self) -> None:
        _gamma_growth(self)

    def lower(self) -> Schedule:
        return _geometric(self.lr, 1, self.gamma, self._grows)


class PolynomialLR(_TorchPort, name="compat.torch.PolynomialLR"):
    r"""``torch.optim.lr_scheduler.PolynomialLR``: polynomial decay to exactly 0 at ``total_iters``.

    .. math:: s(k) = \text{lr}\left(1 - \frac{\min(k, T)}{T}\right)^{p}

    There is no end LR: it reaches 0 at step :math:`T` and stays there (``power=0`` keeps ``lr``: torch's
    :math:`0^0 = 1`). With ``total_iters=0`` torch's step loop never changes the LR (its closed form would
    divide by zero); so does this port. ``total_iters`` is static.

    Args:
      lr: the base learning rate.
      total_iters: :math:`T >= 0`.
      power: :math:`p >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.PolynomialLR(1.0, total_iters=4, power=2.0)(k)), 6) for k in range(6)]
      [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    lr: Real = level()
    total_iters: int = steps(default=5, static=True)
    power: Real = value(default=1.0, minimum=0.0)
    _flat: bool = static(default=False, init=False)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1},
        {"lr": 0.1, "total_iters": 100, "power": 2.0},
    )

    def __check_init__(self) -> None:
        if known(self.power):
            self._set("_flat", self.total_iters == 0 or self.power == 0)

    def _key_steps(self) -> list[Any]:
        return [self.total_iters]

    def lower(self) -> Schedule:
        if self._flat:
            return jaxsched.constant(self.lr)
        return jaxsched.polynomial(self.lr, 0.0, self.power, self.total_iters)


class CosineAnnealingLR(_TorchPort, name="compat.torch.CosineAnnealingLR"):
    r"""``torch.optim.lr_scheduler.CosineAnnealingLR``: a cosine with period :math:`2T`, not clamped.

    .. math:: s(k) = \eta + (\text{lr} - \eta)\,\frac{1 + \cos(\pi k / T)}{2}

    Torch's cosine keeps going past ``T_max``: it climbs back to the base LR at :math:`2T` and repeats
    (unlike optax's cosine decay, which holds its end value). It is the catalog's cosine wave
    ``jaxsched.cyclic(lr, eta_min, T, T, shape="cosine")``: exact cycle positions, and no cancellation
    near the trough. Torch documents ``T_max`` as an int; a fractional one is refused.

    Args:
      lr: the base learning rate.
      T_max: :math:`T >= 1` (torch accepts 0 and fails at the first step).
      eta_min: :math:`\eta`, the LR at :math:`T` (absolute).

    Returns:
      A periodic :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.CosineAnnealingLR(1.0, T_max=2)(k)), 6) for k in range(6)]
      [1.0, 0.5, 0.0, 0.5, 1.0, 0.5]
    """

    lr: Real = level()
    T_max: StepCount = steps(minimum=1)
    eta_min: Real = level(default=0.0)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1, "T_max": 100},
        {"lr": 0.1, "T_max": 50, "eta_min": 1e-4},
    )

    def _key_steps(self) -> list[Any]:
        return [self.T_max, 2 * self.T_max]

    def lower(self) -> Schedule:
        return jaxsched.cyclic(self.lr, self.eta_min, self.T_max, self.T_max, shape="cosine")


class _EtaMinTextError(v.ScheduleArgumentError):
    """torch's ``ValueError`` (and message) for a ``CosineAnnealingWarmRestarts`` ``eta_min`` that is not a
    number; raised by the field's role for text."""

    def __init__(self, argument: str, expected: str, value: Any = ..., *, show_value: bool = True) -> None:
        reason = (
            expected
            if expected.startswith("Expected")
            else (f"Expected float or int eta_min, but got {value} of type {type(value)}")
        )
        super().__init__(argument, reason, value, show_value=False)


class CosineAnnealingWarmRestarts(_TorchPort, name="compat.torch.CosineAnnealingWarmRestarts"):
    r"""``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`` (SGDR), stepped with ``step()``.

    Cycle :math:`i` lasts :math:`T_0 m^i` steps; at position :math:`c` inside a cycle of length
    :math:`T_i`,

    .. math:: s(k) = \eta + (\text{lr} - \eta)\,\frac{1 + \cos(\pi c / T_i)}{2}

    This is what the incremental ``step()`` gives (:func:`jaxsched.cosine_restarts`). Torch's
    ``step(epoch)`` path locates the cycle with a float logarithm and can land one cycle off (``T_0=1,
    T_mult=3, epoch=121`` gives ``eta_min`` instead of the restart value); the port uses exact integer cycle
    positions. ``T_0`` and ``T_mult`` are static.

    Args:
      lr: the base learning rate.
      T_0: the first cycle length, a positive integer.
      T_mult: the growth of the cycle length, an integer >= 1.
      eta_min: :math:`\eta`, the LR at the end of every cycle.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.CosineAnnealingWarmRestarts(0.1, T_0=2, T_mult=2)
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.1, 0.05, 0.1, 0.0854, 0.05, 0.0146, 0.1]
    """

    lr: Real = level()
    T_0: int = static(converter=_torch_int("Expected positive integer T_0, but got {}", 1))
    T_mult: int = static(default=1, converter=_torch_int("Expected integer T_mult >= 1, but got {}", 1))
    eta_min: Real = level(default=0.0, text_error=_EtaMinTextError)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1, "T_0": 50, "T_mult": 2},
        {"lr": 0.1, "T_0": 30, "eta_min": 1e-4},
    )

    def _key_steps(self) -> list[Any]:
        out, start, length = [], 0, self.T_0
        for _ in range(4):
            start, length = start + length, length * self.T_mult
            out.append(start)
        return out

    def lower(self) -> Schedule:
        return jaxsched.cosine_restarts(
            self.lr, self.T_0, period_mult=float(self.T_mult), end_value=self.eta_min
        )


def _static_str(options: tuple[str, ...], message: str | None) -> Callable[[str, Any], str]:
    """A static string: torch tests membership, so a wrong type is a ValueError (and a TypeError); an unknown
    string gets torch's message (``message`` formatted with it), or is left to a later check."""

    def convert(name: str, x: Any) -> str:
        if not isinstance(x, str):
            raise ScheduleArgumentTypeValueError(name, f"one of {list(options)}", x)
        if message is not None and x not in options:
            raise _torch_error(name, message.format(x), x)
        return x

    return convert


class CyclicLR(_TorchPort, name="compat.torch.CyclicLR"):
    r"""``torch.optim.lr_scheduler.CyclicLR``: the triangular cyclical LR family (Smith, 2017).

    With :math:`x(k)` the triangle wave rising over ``step_size_up`` steps and falling over
    ``step_size_down`` (from 0 to 1 and back), cycle number :math:`c = \lfloor k/(u+d) \rfloor + 1`,

    .. math:: s(k) = b + (m - b)\,x(k)\,g

    with :math:`g = 1` (``"triangular"``), :math:`2^{1-c}` (``"triangular2"``), :math:`\gamma^{k}`
    (``"exp_range"``), or ``scale_fn`` evaluated at :math:`c` (``scale_mode="cycle"``) or :math:`k`
    (``"iterations"``): :func:`jaxsched.cyclic`. Torch sets the LR to ``base_lr`` itself, so the optimizer's
    LR plays no part and there is no ``lr`` argument. ``scale_fn`` must be a jaxsched Schedule (an arbitrary
    Python function has no traceable formula). ``step_size_down=0`` draws a sawtooth, as in torch; a
    fractional size must be a multiple of 1/256. Torch also cycles the momentum (``cycle_momentum=True``,
    the default), inversely: :meth:`momentum` returns that curve (:class:`CyclicMomentum`), for
    ``momentum`` or ``betas[0]``.

    Args:
      base_lr: :math:`b`, the low end.
      max_lr: :math:`m`, the high end of the first cycle.
      step_size_up: :math:`u > 0` steps.
      step_size_down: :math:`d >= 0` steps (default :math:`u`).
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: :math:`\gamma \in (0, 1]` of ``"exp_range"``.
      scale_fn: optional Schedule replacing the mode's scale.
      scale_mode: ``"cycle"`` or ``"iterations"`` (for ``scale_fn``; the modes fix their own).
      cycle_momentum: whether torch cycles the momentum.
      base_momentum: the momentum at the LR's peak.
      max_momentum: the momentum at the LR's trough.

    Returns:
      A periodic :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.CyclicLR(0.1, 1.0, step_size_up=2, step_size_down=3, mode="triangular2")
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.325, 0.55]
      >>> [round(float(s.momentum()(k)), 4) for k in range(3)]
      [0.9, 0.85, 0.8]
    """

    base_lr: Real = level()
    max_lr: Real = level()
    step_size_up: Span = steps(default=2000, fractional=True, text_error=ScheduleArgumentTypeValueError)
    step_size_down: Span | None = steps(
        default=None, fractional=True, text_error=ScheduleArgumentTypeValueError
    )
    mode: str = static(
        default="triangular", converter=_static_str(("triangular", "triangular2", "exp_range"), None)
    )
    gamma: Real = value(default=1.0, minimum=0.0)
    scale_fn: Schedule | None = nested(default=None)
    scale_mode: str = static(default="cycle", converter=_static_str(("cycle", "iterations"), None))
    cycle_momentum: bool = flag(default=True)
    base_momentum: Real = level(default=0.8)
    max_momentum: Real = level(default=0.9)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 20},
        {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 10, "step_size_down": 30, "mode": "triangular2"},
        {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 10, "mode": "exp_range", "gamma": 0.99},
    )

    def __check_init__(self) -> None:
        if known(self.step_size_up) and self.step_size_up == 0:
            raise ScheduleArgumentZeroDivisionError(
                "step_size_up", "must not be 0 (torch divides by it)", self.step_size_up
            )
        if self.scale_fn is None and self.mode not in ("triangular", "triangular2", "exp_range"):
            raise _torch_error("mode", "mode is invalid and scale_fn is None", self.mode)
        if self.scale_fn is not None and self.scale_mode not in ("cycle", "iterations"):
            raise v.ScheduleArgumentError("scale_mode", "must be 'cycle' or 'iterations'", self.scale_mode)

    def _key_steps(self) -> list[Any]:
        up = self.step_size_up
        total = up + (self.step_size_down if self.step_size_down is not None else up)
        return [up, total, total + up, 2 * total]

    def momentum(self) -> CyclicMomentum:
        """The momentum (or ``betas[0]``) curve torch writes alongside the LR."""
        if not self.cycle_momentum:
            raise ValueError("CyclicLR.momentum(): cycle_momentum is False, torch leaves momentum alone")
        return CyclicMomentum(*(getattr(self, name) for name in self._init_fields))

    def _curve(self, low: Any, high: Any) -> Schedule:
        if self.scale_fn is not None:
            # torch counts cycles from 1, the catalog from 0.
            scale = jaxsched.shift(self.scale_fn, -1) if self.scale_mode == "cycle" else self.scale_fn
            return jaxsched.cyclic(
                low, high, self.step_size_up, self.step_size_down, scale=scale, scale_mode=self.scale_mode
            )
        gamma = self.gamma if self.mode == "exp_range" else 1.0
        return jaxsched.cyclic(low, high, self.step_size_up, self.step_size_down, self.mode, gamma)

    def lower(self) -> Schedule:
        return self._curve(self.base_lr, self.max_lr)


class CyclicMomentum(CyclicLR, name="compat.torch.CyclicMomentum"):
    r"""The momentum curve of ``torch.optim.lr_scheduler.CyclicLR`` (``CyclicLR(...).momentum()``).

    .. math:: \mu(k) = M - (M - B)\,x(k)\,g

    with :math:`M` = ``max_momentum``, :math:`B` = ``base_momentum`` and :math:`x, g` as in
    :class:`CyclicLR`: low momentum where the LR is high. Torch writes it to ``momentum``, or to
    ``betas[0]`` for Adam-style optimizers.

    Args:
      base_lr, max_lr, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode: as :class:`CyclicLR`.
      cycle_momentum, base_momentum, max_momentum: as :class:`CyclicLR`.

    Returns:
      A periodic :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.CyclicMomentum(0.1, 1.0, step_size_up=2)
      >>> [round(float(s(k)), 4) for k in range(5)]
      [0.9, 0.85, 0.8, 0.85, 0.9]
    """

    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 20},)

    def lower(self) -> Schedule:
        return self._curve(self.max_momentum, self.base_momentum)


def _pct_start(name: str, x: Any) -> float:
    """torch's ``pct_start`` check: a float (not an int) in [0, 1]."""
    if x is None or not (isinstance(x, numbers.Real) or hasattr(x, "dtype")) or isinstance(x, bool):
        raise v.ScheduleArgumentTypeError(name, "a float between 0 and 1", x)
    if not is_concrete(x):
        raise v.ScheduleArgumentTypeError(name, "a concrete float (it is static)", x)
    if _integer(x) is not None or np.ndim(x) != 0:
        raise _torch_error(name, f"Expected float between 0 and 1 pct_start, but got {x}", x)
    f = float(np.asarray(x))
    if f != f:
        raise v.ScheduleArgumentError(name, "must be finite", x)
    if f < 0 or f > 1:
        raise _torch_error(name, f"Expected float between 0 and 1 pct_start, but got {x}", x)
    return f


def _divisor(name: str, x: Any) -> None:
    if known(x) and x == 0:
        raise ScheduleArgumentZeroDivisionError(name, "must not be 0 (torch divides by it)", x)
    if known(x) and x < 0:
        raise v.ScheduleArgumentError(name, "must be > 0", x)


class OneCycleLR(_TorchPort, name="compat.torch.OneCycleLR"):
    r"""``torch.optim.lr_scheduler.OneCycleLR``: the 1cycle policy with torch's phase placement.

    With :math:`T` = ``total_steps`` (or ``epochs * steps_per_epoch``), :math:`a = M/\text{div\_factor}`
    and :math:`z = a/\text{final\_div\_factor}`, the phases end at the fractional steps
    :math:`p_1 = \text{pct\_start}\,T - 1` and :math:`T - 1` (three-phase: :math:`p_1`,
    :math:`2\,\text{pct\_start}\,T - 2`, :math:`T - 1`), going :math:`a \to M \to z` (three-phase:
    :math:`a \to M \to a \to z`). In the phase :math:`[p_{i-1}, p_i]` holding :math:`k`,

    .. math::
        s(k) = \operatorname{anneal}\left(\text{start}_i, \text{end}_i,
               \frac{k - p_{i-1}}{p_i - p_{i-1}}\right)

    by half cosine (``"cos"``) or linearly: :func:`jaxsched.one_cycle` with ``after_end="extrapolate"`` and
    ``short_rise=True``. As in torch, step :math:`T` uses the last phase *extrapolated* (a reflected cosine;
    a linear one goes below 0 in torch, the port gives 0 there: no update of a :math:`T`-step run uses it),
    and ``pct_start * T < 1`` skips the first phase. Torch raises at step :math:`T + 1`; the port holds the
    value of update :math:`T - 1` (the final LR) from there on. Torch starts the LR at
    ``max_lr / div_factor`` whatever the optimizer's LR, so there is no ``lr`` argument (and it overwrites
    the optimizer's ``initial_lr``, which matters in compositions). A three-phase ``pct_start`` above
    :math:`(T + 1)/(2T)` (no third phase before the end) is refused. :meth:`momentum` gives the momentum
    (or ``betas[0]``) curve torch writes alongside. ``total_steps``, ``epochs``, ``steps_per_epoch`` and
    ``pct_start`` are static (they place the phases).

    Args:
      max_lr: :math:`M`.
      total_steps: :math:`T`, a positive int; or give ``epochs`` and ``steps_per_epoch``.
      epochs: positive int.
      steps_per_epoch: positive int.
      pct_start: a float in [0, 1]; ``pct_start * T`` must not be 1 (torch divides by zero).
      anneal_strategy: ``"cos"`` or ``"linear"``.
      cycle_momentum: whether torch cycles the momentum.
      base_momentum: the momentum at the LR's peak.
      max_momentum: the momentum at the start and end.
      div_factor: :math:`M/a > 0`.
      final_div_factor: :math:`a/z > 0`.
      three_phase: use the three-phase variant.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.OneCycleLR(1.0, total_steps=10)
      >>> round(float(s(0)), 6), float(s(2)), round(float(s(9)), 9), round(float(s(10)), 4)
      (0.04, 1.0, 4e-06, 0.0495)
    """

    max_lr: Real = level()
    total_steps: int | None = static(
        default=None,
        converter=_torch_int("Expected positive integer total_steps, but got {}", 1, optional=True),
    )
    epochs: int | None = static(
        default=None, converter=_torch_int("Expected positive integer epochs, but got {}", 1, optional=True)
    )
    steps_per_epoch: int | None = static(
        default=None,
        converter=_torch_int("Expected positive integer steps_per_epoch, but got {}", 1, optional=True),
    )
    pct_start: float = static(default=0.3, converter=_pct_start)
    anneal_strategy: str = static(
        default="cos",
        converter=_static_str(
            ("cos", "linear"), "anneal_strategy must be one of 'cos' or 'linear', instead got {}"
        ),
    )
    cycle_momentum: bool = flag(default=True)
    base_momentum: Real = level(default=0.85)
    max_momentum: Real = level(default=0.95)
    div_factor: Real = value(default=25.0)
    final_div_factor: Real = value(default=1e4)
    three_phase: bool = flag(default=False)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"max_lr": 1e-2, "total_steps": 100},
        {
            "max_lr": 1e-2,
            "epochs": 4,
            "steps_per_epoch": 25,
            "pct_start": 0.25,
            "anneal_strategy": "linear",
            "three_phase": True,
        },
    )

    def __check_init__(self) -> None:
        if self.total_steps is None and (self.epochs is None or self.steps_per_epoch is None):
            raise _torch_error(
                "total_steps",
                "You must define either total_steps OR (epochs AND steps_per_epoch)",
                self.total_steps,
            )
        if self.steps > MAX_STEP:  # (total_steps itself is checked by its field)
            raise v.ScheduleArgumentError(
                "epochs",
                f"epochs * steps_per_epoch = {self.steps} must be <= 2**31 - 1 (the last step)",
                self.epochs,
            )
        _divisor("div_factor", self.div_factor)
        _divisor("final_div_factor", self.final_div_factor)
        T = self.steps
        if float(self.pct_start * T) - 1 == 0:
            raise ScheduleArgumentZeroDivisionError(
                "pct_start",
                "gives the first phase zero length (pct_start * total_steps = 1); torch divides "
                "by zero there",
                self.pct_start,
            )

    @property
    def steps(self) -> int:
        """:math:`T`: ``total_steps``, or ``epochs * steps_per_epoch``."""
        if self.total_steps is not None:
            return int(self.total_steps)
        return int(self.epochs) * int(self.steps_per_epoch)  # type: ignore[arg-type]

    def _ends_py(self) -> list[float]:
        T = self.steps
        first = float(self.pct_start * T) - 1
        if self.three_phase:
            return [first, float(2 * self.pct_start * T) - 2, T - 1]
        return [first, T - 1]

    def _key_steps(self) -> list[Any]:
        return [max(0, round(e)) for e in self._ends_py()] + [self.steps]

    def momentum(self) -> OneCycleMomentum:
        """The momentum (or ``betas[0]``) curve torch writes alongside the LR."""
        if not self.cycle_momentum:
            raise ValueError("OneCycleLR.momentum(): cycle_momentum is False, torch leaves momentum alone")
        return OneCycleMomentum(*(getattr(self, name) for name in self._init_fields))

    def _cycle(self, peak: Any, initial: Any = None, final: Any = None) -> Schedule:
        return jaxsched.one_cycle(
            self.steps,
            peak,
            self.pct_start,
            self.div_factor,
            self.final_div_factor,
            self.anneal_strategy,
            self.three_phase,
            after_end="extrapolate",
            short_rise=True,
            initial_value=initial,
            final_value=final,
        )

    def lower(self) -> Schedule:
        return self._cycle(self.max_lr)


class OneCycleMomentum(OneCycleLR, name="compat.torch.OneCycleMomentum"):
    r"""The momentum curve of ``torch.optim.lr_scheduler.OneCycleLR`` (``OneCycleLR(...).momentum()``).

    Over the same phases as :class:`OneCycleLR`, the momentum anneals
    :math:`M \to B \to M` (three-phase: :math:`M \to B \to M \to M`), with :math:`M` = ``max_momentum``
    and :math:`B` = ``base_momentum``: low momentum where the LR is high.

    .. math::
        \mu(k) = \operatorname{anneal}\left(\text{start}_i, \text{end}_i,
                  \frac{k - p_{i-1}}{p_i - p_{i-1}}\right)

    Args:
      max_lr, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy: as :class:`OneCycleLR`.
      cycle_momentum, base_momentum, max_momentum, div_factor, final_div_factor, three_phase: as
        :class:`OneCycleLR`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.OneCycleMomentum(1.0, total_steps=10)
      >>> [round(float(s(k)), 4) for k in (0, 2, 9)]
      [0.95, 0.85, 0.95]
    """

    examples: ClassVar[tuple[dict[str, Any], ...]] = ({"max_lr": 1e-2, "total_steps": 100},)

    def lower(self) -> Schedule:
        return self._cycle(self.base_momentum, self.max_momentum, self.max_momentum)


# -- compositions ------------------------------------------------------------------------------------------


def _milestones(name: str, x: Any) -> tuple[int, ...]:
    items = v.sequence(name, x)
    out = []
    for i, m in enumerate(items):
        n = _integer(m)
        if n is None and isinstance(m, float) and m.is_integer():
            n = int(m)
        if n is None or n < 0:
            raise v.ScheduleArgumentError(f"{name}[{i}]", "must be a whole number of steps >= 0", m)
        out.append(n)
    return tuple(out)


class SequentialLR(Port, name="compat.torch.SequentialLR"):
    r"""``torch.optim.lr_scheduler.SequentialLR``: schedulers one after another, switched at milestones.

    With milestones :math:`m_1 \le \dots \le m_n` and :math:`m_0 = 0`, scheduler :math:`i` is used from
    :math:`m_i` on and sees the local step :math:`k - m_i`:

    .. math:: s(k) = s_i(k - m_i) \quad\text{for } m_i \le k < m_{i+1}

    so a successor *restarts from the base LR* (torch calls its closed form at local step 0), not from
    where the previous one ended: a :func:`jaxsched.join` of the schedulers. The exceptions follow torch:

    * a ``MultiplicativeLR`` successor has no closed form and *continues* from the current LR:
      :math:`s(k) = s(m_i - 1)\,\lambda(0)\prod_{j=1}^{k-m_i}\lambda(j)`;
    * a ``ConstantLR(total_iters=0)`` successor gives the base LR (torch's closed form), not ``factor``;
    * ``LinearLR``/``PolynomialLR`` successors with ``total_iters=0`` are refused (torch divides by zero
      at the milestone), as are ``SequentialLR``/``ChainedScheduler`` successors (torch raises
      ``NotImplementedError`` there);
    * milestone 0 starts with the scheduler after it (torch picks it with ``bisect_right``), and a
      milestone listed twice skips the scheduler between;
    * a nested ``SequentialLR`` or ``ChainedScheduler`` first scheduler is stepped once more when the outer
      one is built, outside torch's initial mode (torch issue #196243): its first step multiplies where a
      fresh scheduler would not (``ExponentialLR``, ``MultiplicativeLR``, ``PolynomialLR``,
      ``CosineAnnealingLR``) and a nested ``SequentialLR`` switches one step early. That piece is torch's
      recursion, emulated on the host (:class:`ChainedScheduler`) up to the first milestone.

    Any jaxsched schedule may be a child: it behaves as ``torch_bridge.ScheduleLR`` does inside torch's
    ``SequentialLR`` (closed form, restarted at its milestone). All the schedulers share one optimizer, hence
    one base LR (``lr``); the schedulers and milestones are static.

    Args:
      schedulers: the schedules (ports from this module or any jaxsched schedule).
      milestones: ``len(schedulers) - 1`` sorted steps >= 0.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.SequentialLR([tp.LinearLR(1.0, 0.1, total_iters=4), tp.StepLR(1.0, 2, 0.5)], milestones=[4])
      >>> [round(float(s(k)), 4) for k in range(9)]
      [0.1, 0.325, 0.55, 0.775, 1.0, 1.0, 0.5, 0.5, 0.25]
    """

    schedulers: Sequence[Schedule] = static_nested_seq(nonempty=False)
    milestones: Sequence[int] = static(converter=_milestones)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "schedulers": [
                {"name": "compat.torch.LinearLR", "lr": 0.1, "start_factor": 0.1, "total_iters": 10},
                {"name": "compat.torch.CosineAnnealingLR", "lr": 0.1, "T_max": 90},
            ],
            "milestones": [10],
        },
        {
            "schedulers": [
                {"name": "compat.torch.ConstantLR", "lr": 0.1, "factor": 0.5, "total_iters": 5},
                {"name": "compat.torch.MultiplicativeLR", "lr": 0.1, "lr_lambda": 0.9},
                {"name": "compat.torch.StepLR", "lr": 0.1, "step_size": 3},
            ],
            "milestones": [3, 12],
        },
        {
            "schedulers": [
                {
                    "name": "compat.torch.ChainedScheduler",
                    "schedulers": [
                        {"name": "compat.torch.ExponentialLR", "lr": 0.1, "gamma": 0.9},
                        {"name": "compat.torch.CosineAnnealingLR", "lr": 0.1, "T_max": 6, "eta_min": 0.01},
                    ],
                },
                {"name": "compat.torch.StepLR", "lr": 0.1, "step_size": 3},
            ],
            "milestones": [20],
        },
    )

    def __check_init__(self) -> None:
        n = len(self.schedulers)
        if not n:
            raise _torch_error(
                "schedulers", "SequentialLR expects at least one scheduler, but got no scheduler.", []
            )
        if len(self.milestones) != n - 1:
            raise _torch_error(
                "milestones",
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers {n} and the "
                f"number of milestones to be equal to {len(self.milestones)}",
                list(self.milestones),
            )
        v.sorted_steps("milestones", self.milestones)
        from jaxsched.compat import _torch_steps

        _torch_steps.check(self)

    def _key_steps(self) -> list[Any]:
        out: list[Any] = []
        for s, b in zip(self.schedulers, [0, *self.milestones], strict=True):
            out += [b + k for k in s.key_steps()]
        return out

    def lower(self) -> Schedule:
        from jaxsched.compat import _torch_steps

        return _torch_steps.lower_sequential(self)


class ChainedScheduler(Port, name="compat.torch.ChainedScheduler"):
    r"""``torch.optim.lr_scheduler.ChainedScheduler``: schedulers stepped together on one optimizer.

    Torch steps each scheduler in turn on the same ``group["lr"]``. Every step of every torch scheduler is an
    update of the current LR :math:`x`: multiplicative ones multiply it (``StepLR``, ``MultiStepLR``,
    ``ConstantLR``, ``LinearLR``, ``ExponentialLR``, ``PolynomialLR``, ``MultiplicativeLR``),
    ``CosineAnnealingLR`` is affine, :math:`x \leftarrow r_k (x - \eta) + \eta`, and adds
    :math:`(\text{lr} - \eta)(1 - \cos(\pi/T))/2` right after each trough, and ``LambdaLR``, ``CyclicLR``,
    ``OneCycleLR``, ``CosineAnnealingWarmRestarts`` and jaxsched schedules set it outright. So

    .. math:: x_k = \Phi_{k,n} \circ \dots \circ \Phi_{k,1}(x_{k-1})

    with :math:`\Phi_{k,i}` scheduler :math:`i`'s update at step :math:`k`, and :math:`x_0` what the
    schedulers' constructions leave (each takes an initial step). Where that is the product of the
    schedulers' closed forms (multiplicative schedulers, and a cosine with ``eta_min=0`` whose restarts
    fall where every other factor is 1) the port is that product, exact at every step. Otherwise the
    updates become periodic after a finite prefix (the last milestone, ``total_iters`` or horizon) with
    period :math:`L` (the least common multiple of :math:`2T` of each cosine and ``step_size`` of each
    ``StepLR``): the port is :func:`jaxsched.affine_recurrence`, the values over the prefix and one
    period computed once on the host in float64 with torch's own operations (bit for bit what torch's loop
    computes in float64), and every later step exactly: each period either resets the LR (a cosine trough,
    a scheduler that sets it) or only scales it. That costs one float64 value and a fraction of a
    microsecond of host time per step of prefix and period (two periods where the period resets to a
    constant); a composition that needs more than 4194304 of them is refused, naming the schedulers that
    make it long. Where one cosine is the only scheduler still changing the LR after the prefix (a warmup
    chained with a long cosine), no period is tabled: from there the recursion is an affine function of the
    cosine's closed form up to its next trough, and the closed form itself after it. Nested
    ``ChainedScheduler`` and ``SequentialLR`` children are stepped as torch steps them (a ``SequentialLR``
    child sets the LR at its milestones, dropping the other schedulers' accumulated factors, as torch
    does).

    All schedulers share one optimizer, hence one base LR: every ``lr`` must be the same (and must be the
    ``max_lr / div_factor`` of a ``OneCycleLR`` built before it, which overwrites the optimizer's
    ``initial_lr``). What torch itself cannot run is refused: a ``SequentialLR`` reaching a composite at a
    milestone, ``LinearLR``/``PolynomialLR`` with ``total_iters=0`` where torch divides by zero. Values
    below 0 (torch's affine cosine after another scheduler pushed the LR under ``eta_min``) are refused
    too. The schedulers are static: the table is computed from their values.

    Args:
      schedulers: the ports (or jaxsched schedules), in torch's stepping order.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.ChainedScheduler([tp.ConstantLR(0.05, factor=0.1, total_iters=2),
      ...                         tp.ExponentialLR(0.05, gamma=0.9)])
      >>> [round(float(s(k)), 6) for k in range(4)]
      [0.005, 0.0045, 0.0405, 0.03645]
      >>> c = tp.ChainedScheduler([tp.CosineAnnealingLR(0.05, T_max=10, eta_min=1e-10),
      ...                         tp.StepLR(0.05, step_size=3)])
      >>> [f"{x:.4g}" for x in c.numpy([0, 3, 9, 10, 11, 12, 31, 1_000_000_000])]  # torch's, float64
      ['0.05', '0.003969', '1.224e-06', '1e-10', '0.001224', '0.0004775', '0.001224', '5e-05']
    """

    schedulers: Sequence[Schedule] = static_nested_seq(nonempty=False)

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {
            "schedulers": [
                {"name": "compat.torch.LinearLR", "lr": 0.1, "start_factor": 0.1, "total_iters": 10},
                {"name": "compat.torch.ExponentialLR", "lr": 0.1, "gamma": 0.98},
            ]
        },
        {
            "schedulers": [
                {"name": "compat.torch.CosineAnnealingLR", "lr": 0.1, "T_max": 10, "eta_min": 1e-3},
                {"name": "compat.torch.StepLR", "lr": 0.1, "step_size": 3, "gamma": 0.5},
            ]
        },
    )

    def __check_init__(self) -> None:
        if not self.schedulers:
            raise _torch_error(
                "schedulers",
                "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.",
                [],
            )
        from jaxsched.compat import _torch_steps

        _torch_steps.check(self)

    def _key_steps(self) -> list[Any]:
        return [k for s in self.schedulers for k in s.key_steps()]

    def lower(self) -> Schedule:
        from jaxsched.compat import _torch_steps

        return _torch_steps.lower_chained(self)


# -- torch.optim.swa_utils.SWALR ----------------------------------------------------------------------------


def _anneal_epochs(name: str, x: Any) -> int:
    """torch's ``anneal_epochs`` check: an int >= 0 (its ValueError and message otherwise)."""
    n = _integer(x)
    if n is None or n < 0:
        raise _torch_error(name, f"anneal_epochs must be equal or greater than 0, got {x}", x)
    if n > MAX_STEP:
        raise v.ScheduleArgumentError(name, f"must be <= {MAX_STEP} (the last step)", x)
    return n


class SWALR(_TorchPort, name="compat.torch.SWALR"):
    r"""``torch.optim.swa_utils.SWALR``: anneal from the LR in use when it starts to ``swa_lr``, then hold.

    With :math:`A` = ``anneal_epochs`` and :math:`L` = ``lr``, after :math:`k` calls of ``step()``

    .. math:: s(k) = L + (\text{swa\_lr} - L)\,\alpha\!\left(\min(k/A, 1)\right), \qquad
              \alpha(t) = \tfrac12(1 - \cos \pi t)\ (\texttt{"cos"}) \ \text{or}\ t\ (\texttt{"linear"})

    and ``swa_lr`` from the start when :math:`A = 0`. torch computes it recursively from the current
    ``group["lr"]`` (it inverts the last step to recover :math:`L`), so :math:`L` is the LR the optimizer
    holds when ``SWALR`` is built, or, in torch's documented pattern (another scheduler stepped until
    ``swa_start``, then ``SWALR``), the LR that scheduler left: compose with ``jaxsched.join([decay,
    SWALR(decay(swa_start), swa_lr)], [swa_start])``. It lowers to one catalog schedule:
    ``warmup_cosine_decay`` from :math:`L` to ``swa_lr`` over :math:`A` steps (no warmup), ``linear``, or
    ``constant``. Inside ``ChainedScheduler``/``SequentialLR`` it is refused (its inversion of the current
    LR is not emulated there; ``torch_bridge.from_torch`` refuses it there too). ``anneal_epochs`` and
    ``anneal_strategy`` are static.

    Args:
      lr: the LR :math:`L` the annealing starts from.
      swa_lr: the LR annealed to and held.
      anneal_epochs: :math:`A >= 0`, the ``step()`` calls the annealing takes.
      anneal_strategy: ``"cos"`` or ``"linear"``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.SWALR(0.1, swa_lr=0.05, anneal_epochs=4, anneal_strategy="linear")
      >>> [round(float(s(k)), 6) for k in range(6)]
      [0.1, 0.0875, 0.075, 0.0625, 0.05, 0.05]
    """

    lr: Real = level()
    swa_lr: Real = level()
    anneal_epochs: int = static(default=10, converter=_anneal_epochs)
    anneal_strategy: str = static(
        default="cos",
        converter=_static_str(
            ("cos", "linear"), "anneal_strategy must be one of 'cos' or 'linear', instead got {}"
        ),
    )

    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"lr": 0.1, "swa_lr": 0.05, "anneal_epochs": 10},
        {"lr": 0.1, "swa_lr": 0.01, "anneal_epochs": 5, "anneal_strategy": "linear"},
    )

    def _key_steps(self) -> list[Any]:
        return [self.anneal_epochs]

    def lower(self) -> Schedule:
        if self.anneal_epochs == 0:
            return jaxsched.constant(self.swa_lr)
        if self.anneal_strategy == "linear":
            return jaxsched.linear(self.lr, self.swa_lr, self.anneal_epochs)
        return jaxsched.warmup_cosine_decay(self.lr, self.lr, 0, self.anneal_epochs, end_value=self.swa_lr)
