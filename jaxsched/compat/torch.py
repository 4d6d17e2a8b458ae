r"""Ports of ``torch.optim.lr_scheduler``: every scheduler class as a jaxsched :class:`~jaxsched.Schedule`.

Each class keeps torch's name and parameter names; the optimizer argument is replaced by the base learning
rate ``lr`` (torch's ``param_groups[i]["initial_lr"]``), given first. (``CyclicLR`` and ``OneCycleLR``
never read the optimizer's LR, so they keep their own ``base_lr``/``max_lr`` arguments.) ``s(k)`` is the
value of ``get_last_lr()`` after ``k`` calls of ``scheduler.step()`` in a plain loop, i.e. the LR used by
update ``k``. Torch computes most of them recursively from the current ``group["lr"]``; the ports use the
closed form, which equals the recursion up to float rounding (about 1e-15 relative; torch's recursion
itself drifts by that much). Where the recursion and torch's closed form disagree visibly (``total_iters=0``
of ``ConstantLR``/``LinearLR``/``PolynomialLR``), the ports follow the recursion, i.e. what a ``step()``
loop gives.

Validation happens at construction, with torch's own messages where torch validates, prefixed by the
argument's name. Where torch accepts an argument and then fails at some later ``step()`` (a zero
``step_size`` or ``T_max``, ``ConstantLR(factor=0)``, ``OneCycleLR`` with ``pct_start * total_steps == 1``),
the port refuses it at construction. Negative decay factors (accepted by torch, sign-flipping LRs) are
refused.

``SequentialLR`` and ``ChainedScheduler`` compose these ports with torch's composition semantics: see their
docstrings for exactly what is reproduced and what is refused.
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any, ClassVar

import numpy as np

from jaxsched import _validate as v
from jaxsched._combinators import Join
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps, half_cosine, is_concrete, power
from jaxsched.schedules._basic import (
    Constant,
    ExponentialDecay,
    Linear,
    MultistepDecay,
    Polynomial,
    StepDecay,
)
from jaxsched.schedules._cosine import CosineRestarts
from jaxsched.schedules._cyclic import Cyclic, anneal

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
]


# -- helpers -------------------------------------------------------------------------------------------


def _torch_error(argument: str, message: str, value: Any) -> v.ScheduleArgumentError:
    """A construction error carrying torch's own message, prefixed by the argument's name."""
    text = message if repr(value) in message or str(value) in message else f"{message} (got {value!r})"
    return v.ScheduleArgumentError(argument, text, value, show_value=False)


def _concrete_float(x: Any) -> float | None:
    """``float(x)`` for a concrete scalar, None for a tracer or an array."""
    if not is_concrete(x):
        return None
    arr = np.asarray(x)
    if arr.ndim or arr.dtype.kind not in "iuf":
        return None
    return float(arr)


def _factor_arg(name: str, value: Any) -> Any:
    """A ``lr_lambda``: a jaxsched Schedule, or a number taken as a constant factor."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        v.number(name, value)
        return value
    if callable(value):
        raise v.ScheduleArgumentTypeError(
            name, "a jaxsched Schedule or a number (an arbitrary Python function has no formula that "
            "JAX can trace; write the factor as a Schedule, e.g. jaxsched.linear(...))", value)
    v.number(name, value)  # arrays and tracers
    return value


def _evaluate_factor(bk: Backend, factor: Any, t: Steps) -> Array:
    if isinstance(factor, Schedule):
        return bk.value(factor.evaluate(bk, t))
    return bk.value(factor)


def _constant_value(factor: Any) -> Any | None:
    """The value of a constant factor (a number or a ``Constant`` schedule), else None."""
    if isinstance(factor, Schedule):
        return factor.value if type(factor) is Constant else None
    return factor


def with_lr(s: Schedule, lr: Any) -> Schedule:
    """A copy of a port with another base LR (no validation: used inside formulas)."""
    fields = {f.name: getattr(s, f.name) for f in dataclasses.fields(s) if f.init}  # type: ignore[arg-type]
    fields["lr"] = lr
    return type(s)._unchecked(**fields)


def _check_gamma(name: str, value: Any) -> None:
    v.nonnegative(name, value)


def _check_total_iters(value: Any) -> Any:
    return v.steps("total_iters", value, minimum=0)


# -- multiplicative ports ------------------------------------------------------------------------------


class _TorchPort(Schedule):
    """Marker base: the ports whose torch scheduler updates ``group["lr"]`` multiplicatively.

    ``_multiplicative`` says whether torch's chainable step multiplies the current LR by a ratio (so the
    port is ``lr * factor(t)`` and composes by multiplying factors, as in ``ChainedScheduler``).
    ``_initial_insensitive`` says whether torch's step from ``last_epoch=-1`` gives the same value with and
    without ``_is_initial`` (what a composite's first child needs, see :class:`SequentialLR`).
    """

    _multiplicative = True
    _initial_insensitive = False

    def _as_successor(self, argument: str) -> Schedule:
        """The schedule torch follows when this scheduler is reached at a ``SequentialLR`` milestone.

        ``SequentialLR`` calls ``_update_lr(0)``: the closed form at local step 0 (from the base LR), and the
        chainable form afterwards. For most classes that is the port itself.
        """
        return self


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

    lr: Any
    lr_lambda: Any

    _multiplicative = False
    _initial_insensitive = True
    examples = (
        {"lr": 0.1, "lr_lambda": {"name": "linear", "init_value": 1.0, "end_value": 0.1,
                                  "transition_steps": 100}},
        {"lr": 0.1, "lr_lambda": 0.5},
    )

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        self._set("lr_lambda", _factor_arg("lr_lambda", self.lr_lambda))

    def _key_steps(self) -> list[Any]:
        return self.lr_lambda.key_steps() if isinstance(self.lr_lambda, Schedule) else []

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return bk.value(self.lr) * _evaluate_factor(bk, self.lr_lambda, t)


class MultiplicativeLR(_TorchPort, name="compat.torch.MultiplicativeLR"):
    r"""``torch.optim.lr_scheduler.MultiplicativeLR``: the LR multiplied by a factor at every step.

    .. math:: s(k) = \text{lr}\prod_{j=1}^{k}\lambda(j)

    (:math:`\lambda(0)` is never used, as in torch, except at a ``SequentialLR`` milestone.) For a constant
    factor :math:`c` (a number, or a ``jaxsched.constant``) this is the closed form
    :math:`\text{lr}\cdot c^k` at any step. A general factor schedule has no closed-form product, so it
    needs a ``horizon`` :math:`H`: the running product over :math:`j = 1..H` is computed as a cumulative
    product of :math:`H` values (in the same order as torch's recursion, so float64 matches torch bit for
    bit), and the value of step :math:`H` is held after it.

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

    lr: Any
    lr_lambda: Any
    horizon: int | None = static(default=None)

    _initial_insensitive = False
    examples = (
        {"lr": 0.1, "lr_lambda": 0.95},
        {"lr": 0.1, "lr_lambda": {"name": "linear", "init_value": 1.0, "end_value": 0.9,
                                  "transition_steps": 50}, "horizon": 200},
    )

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        self._set("lr_lambda", _factor_arg("lr_lambda", self.lr_lambda))
        c = _constant_value(self.lr_lambda)
        if c is not None:
            v.nonnegative("lr_lambda", c)
        elif self.horizon is None:
            raise v.ScheduleArgumentError(
                "horizon", "is required when lr_lambda is a Schedule that is not constant (the running "
                "product of a general factor is computed over a bounded number of steps)", None)
        if self.horizon is not None:
            self._set("horizon", v.integer("horizon", self.horizon, minimum=1))

    def _key_steps(self) -> list[Any]:
        return [self.horizon] if _constant_value(self.lr_lambda) is None else []

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        lr = bk.value(self.lr)
        c = _constant_value(self.lr_lambda)
        if c is not None:  # float64 log of the factor: no k-fold amplification of its float32 rounding
            return lr * power(bk, c, bk.to_float(t.n))
        H = int(self.horizon)  # type: ignore[arg-type]
        js = Steps(bk, xp.arange(1, H + 1, dtype=bk.int_dtype))
        lam = bk.value(self.lr_lambda.evaluate(bk, js)) + xp.zeros(H, bk.float_dtype)
        head = xp.reshape(lr, (1,)) if not xp.ndim(lr) else None
        if head is None:  # an array-valued lr: scale the product of the factors afterwards
            prods = xp.cumprod(xp.concatenate([xp.ones(1, bk.float_dtype), lam]))
            return lr * prods[xp.minimum(t.n, H)]
        prods = xp.cumprod(xp.concatenate([head, lam]))
        return prods[xp.minimum(t.n, H)]


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

    lr: Any
    step_size: Any
    gamma: Any = 0.1

    _initial_insensitive = True
    examples = ({"lr": 0.1, "step_size": 30}, {"lr": 0.05, "step_size": 7, "gamma": 0.5})

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        self._set("step_size", v.steps("step_size", self.step_size, minimum=1))
        _check_gamma("gamma", self.gamma)

    def _key_steps(self) -> list[Any]:
        return [self.step_size * i for i in range(1, 4)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return StepDecay._unchecked(init_value=self.lr, step_size=self.step_size,
                                    decay_rate=self.gamma).evaluate(bk, t)


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

    lr: Any
    milestones: Any
    gamma: Any = 0.1

    _initial_insensitive = True
    examples = ({"lr": 0.1, "milestones": [30, 80]}, {"lr": 0.1, "milestones": [5, 5, 20], "gamma": 0.5})

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        ms = v.sequence("milestones", self.milestones)
        self._set("milestones", tuple(v.steps(f"milestones[{i}]", m) for i, m in enumerate(ms)))
        _check_gamma("gamma", self.gamma)

    def _key_steps(self) -> list[Any]:
        return list(self.milestones)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return MultistepDecay._unchecked(init_value=self.lr, milestones=self.milestones,
                                         decay_rate=self.gamma).evaluate(bk, t)


class ConstantLR(_TorchPort, name="compat.torch.ConstantLR"):
    r"""``torch.optim.lr_scheduler.ConstantLR``: ``factor`` times the LR for ``total_iters`` steps.

    .. math:: s(k) = \begin{cases} \text{lr}\cdot f & k < T \\ \text{lr} & k \ge T \end{cases}

    As torch's step loop: with ``total_iters=0`` the LR stays at :math:`\text{lr}\cdot f` forever (torch's
    closed form, used by ``step(epoch)``, would give ``lr``). ``factor=0`` passes torch's check and then
    fails with ``ZeroDivisionError`` at step :math:`T`; here it is refused unless ``total_iters=0``.

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

    lr: Any
    factor: Any = 1.0 / 3
    total_iters: Any = 5

    _initial_insensitive = True
    examples = ({"lr": 0.1}, {"lr": 0.1, "factor": 0.5, "total_iters": 100})

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        f = v.number("factor", self.factor)
        if f is not None and (np.any(f > 1.0) or np.any(f < 0)):
            raise _torch_error("factor", "Constant multiplicative factor expected to be between 0 and 1.",
                               self.factor)
        self._set("total_iters", _check_total_iters(self.total_iters))
        T = _concrete_float(self.total_iters)
        if f is not None and np.any(f == 0) and T is not None and T > 0:
            raise v.ScheduleArgumentError(
                "factor", "must be > 0 when total_iters > 0 (torch divides by it at step total_iters)",
                self.factor)

    def _key_steps(self) -> list[Any]:
        return [self.total_iters]

    def _as_successor(self, argument: str) -> Schedule:
        # At a milestone torch uses the closed form at 0, which is lr (not lr * factor) when total_iters=0.
        T = _concrete_float(self.total_iters)
        if T == 0:
            return Constant._unchecked(value=self.lr)
        return self

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.count(self.total_iters)
        after = t.ge(T) & (T > 0)
        f = bk.value(self.factor)
        return bk.value(self.lr) * xp.where(after, xp.ones_like(f), f)


class LinearLR(_TorchPort, name="compat.torch.LinearLR"):
    r"""``torch.optim.lr_scheduler.LinearLR``: a factor linear from ``start_factor`` to ``end_factor``.

    .. math:: s(k) = \text{lr}\left(f_0 + (f_1 - f_0)\,\frac{\min(k, T)}{T}\right)

    Torch caps both factors at 1, so LinearLR cannot warm up *above* the base LR. With ``total_iters=0``
    torch's step loop keeps :math:`\text{lr}\cdot f_0` forever (its closed form would divide by zero), and
    so does this port.

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

    lr: Any
    start_factor: Any = 1.0 / 3
    end_factor: Any = 1.0
    total_iters: Any = 5

    _initial_insensitive = True
    examples = ({"lr": 0.1}, {"lr": 0.1, "start_factor": 0.01, "end_factor": 1.0, "total_iters": 100})

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        s = v.number("start_factor", self.start_factor)
        if s is not None and (np.any(s > 1.0) or np.any(s <= 0)):
            raise _torch_error(
                "start_factor",
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.",
                self.start_factor)
        e = v.number("end_factor", self.end_factor)
        if e is not None and (np.any(e > 1.0) or np.any(e < 0)):
            raise _torch_error("end_factor", "Ending multiplicative factor expected to be between 0 and 1.",
                               self.end_factor)
        self._set("total_iters", _check_total_iters(self.total_iters))

    def _key_steps(self) -> list[Any]:
        return [self.total_iters]

    def _as_successor(self, argument: str) -> Schedule:
        if _concrete_float(self.total_iters) == 0:
            raise v.ScheduleArgumentError(
                argument, "a LinearLR with total_iters=0 cannot follow a milestone (torch's closed form "
                "divides by total_iters there)", 0)
        return self

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.count(self.total_iters)
        lr = bk.value(self.lr)
        s, e = lr * bk.value(self.start_factor), lr * bk.value(self.end_factor)
        # total_iters=0 never leaves the start factor (torch's recursion); a ramp of length >= 1 otherwise.
        return Linear._unchecked(init_value=s, end_value=xp.where(T > 0, e, s),
                                 transition_steps=xp.maximum(T, 1)).evaluate(bk, t)


class ExponentialLR(_TorchPort, name="compat.torch.ExponentialLR"):
    r"""``torch.optim.lr_scheduler.ExponentialLR``: decay by ``gamma`` every step.

    .. math:: s(k) = \text{lr}\cdot\gamma^{k}

    Args:
      lr: the base learning rate.
      gamma: :math:`\gamma >= 0` (torch accepts negative values too).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> [round(float(tp.ExponentialLR(1.0, gamma=0.5)(k)), 6) for k in range(4)]
      [1.0, 0.5, 0.25, 0.125]
    """

    lr: Any
    gamma: Any

    examples = ({"lr": 0.1, "gamma": 0.99},)

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        _check_gamma("gamma", self.gamma)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return ExponentialDecay._unchecked(init_value=self.lr, transition_steps=1,
                                           decay_rate=self.gamma).evaluate(bk, t)


class PolynomialLR(_TorchPort, name="compat.torch.PolynomialLR"):
    r"""``torch.optim.lr_scheduler.PolynomialLR``: polynomial decay to exactly 0 at ``total_iters``.

    .. math:: s(k) = \text{lr}\left(1 - \frac{\min(k, T)}{T}\right)^{p}

    There is no end LR: it reaches 0 at step :math:`T` and stays there. With ``total_iters=0`` torch's
    step loop never changes the LR (its closed form would divide by zero); so does this port.

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

    lr: Any
    total_iters: Any = 5
    power: Any = 1.0

    examples = ({"lr": 0.1}, {"lr": 0.1, "total_iters": 100, "power": 2.0})

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        self._set("total_iters", _check_total_iters(self.total_iters))
        v.nonnegative("power", self.power)

    def _key_steps(self) -> list[Any]:
        return [self.total_iters]

    def _as_successor(self, argument: str) -> Schedule:
        if _concrete_float(self.total_iters) == 0:
            raise v.ScheduleArgumentError(
                argument, "a PolynomialLR with total_iters=0 cannot follow a milestone (torch's closed "
                "form divides by total_iters there)", 0)
        return self

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.count(self.total_iters)
        lr = bk.value(self.lr)
        decayed = Polynomial._unchecked(init_value=lr, end_value=0.0, power=self.power,
                                        transition_steps=xp.maximum(T, 1)).evaluate(bk, t)
        return xp.where(T > 0, decayed, lr + 0 * decayed)


class CosineAnnealingLR(_TorchPort, name="compat.torch.CosineAnnealingLR"):
    r"""``torch.optim.lr_scheduler.CosineAnnealingLR``: a cosine with period :math:`2T`, not clamped.

    .. math:: s(k) = \eta + (\text{lr} - \eta)\,\frac{1 + \cos(\pi k / T)}{2}

    Torch's cosine keeps going past ``T_max``: it climbs back to the base LR at :math:`2T` and repeats
    (unlike optax's cosine decay, which holds its end value). The position inside the period is integer
    arithmetic, and the factor is evaluated without cancellation near the trough.

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

    lr: Any
    T_max: Any
    eta_min: Any = 0.0

    examples = ({"lr": 0.1, "T_max": 100}, {"lr": 0.1, "T_max": 50, "eta_min": 1e-4})

    @property
    def _multiplicative(self) -> bool:  # type: ignore[override]
        return _concrete_float(self.eta_min) == 0.0

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        self._set("T_max", v.steps("T_max", self.T_max, minimum=1, integer=False))
        v.number("eta_min", self.eta_min)

    def _key_steps(self) -> list[Any]:
        return [self.T_max, 2 * self.T_max]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = bk.count(self.T_max)
        if bk.is_int(T):
            P = bk.add(T, T)
            e = t.n - (t.n // P) * P  # position in the period, exact
            f = 0.0 if t.f is None else t.f
            rising = e >= T
            d = xp.where(rising, bk.to_float(P - e) - f, bk.to_float(e) + f)
            rest = xp.where(rising, bk.to_float(e - T) + f, bk.to_float(T - e) - f)
        else:
            P = 2.0 * T
            tv = t.value()
            e = tv - xp.floor(tv / P) * P
            d = xp.minimum(e, P - e)
            rest = T - d
        c = half_cosine(bk, d, rest, T)
        eta = bk.value(self.eta_min)
        return eta + (bk.value(self.lr) - eta) * c


class CosineAnnealingWarmRestarts(_TorchPort, name="compat.torch.CosineAnnealingWarmRestarts"):
    r"""``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`` (SGDR), stepped with ``step()``.

    Cycle :math:`i` lasts :math:`T_0 m^i` steps; at position :math:`c` inside a cycle of length
    :math:`T_i`,

    .. math:: s(k) = \eta + (\text{lr} - \eta)\,\frac{1 + \cos(\pi c / T_i)}{2}

    This is what the incremental ``step()`` gives. Torch's ``step(epoch)`` path locates the cycle with a
    float logarithm and can land one cycle off (``T_0=1, T_mult=3, epoch=121`` gives ``eta_min`` instead of
    the restart value); the port uses exact integer cycle positions.

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

    lr: Any
    T_0: int = static()
    T_mult: int = static(default=1)
    eta_min: Any = 0.0

    _multiplicative = False
    _initial_insensitive = True
    examples = ({"lr": 0.1, "T_0": 50, "T_mult": 2}, {"lr": 0.1, "T_0": 30, "eta_min": 1e-4})

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        v.not_none("T_0", self.T_0, "a positive int")  # torch compares it with 0 first: TypeError
        v.not_none("T_mult", self.T_mult, "an int >= 1")
        if isinstance(self.T_0, bool) or not isinstance(self.T_0, int) or self.T_0 <= 0:
            raise _torch_error("T_0", f"Expected positive integer T_0, but got {self.T_0}", self.T_0)
        if isinstance(self.T_mult, bool) or not isinstance(self.T_mult, int) or self.T_mult < 1:
            raise _torch_error("T_mult", f"Expected integer T_mult >= 1, but got {self.T_mult}",
                               self.T_mult)
        if isinstance(self.eta_min, bool) or not (isinstance(self.eta_min, numbers.Real)
                                                  or not is_concrete(self.eta_min)
                                                  or hasattr(self.eta_min, "dtype")):
            raise _torch_error(
                "eta_min",
                f"Expected float or int eta_min, but got {self.eta_min} of type {type(self.eta_min)}",
                self.eta_min)
        v.number("eta_min", self.eta_min)

    def _key_steps(self) -> list[Any]:
        out, start, length = [], 0, self.T_0
        for _ in range(4):
            start, length = start + length, length * self.T_mult
            out.append(start)
        return out

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return CosineRestarts._unchecked(
            init_value=self.lr, first_period=self.T_0, period_mult=float(self.T_mult),
            end_value=self.eta_min).evaluate(bk, t)


class CyclicLR(_TorchPort, name="compat.torch.CyclicLR"):
    r"""``torch.optim.lr_scheduler.CyclicLR``: the triangular cyclical LR family (Smith, 2017).

    With :math:`x(k)` the triangle wave rising over ``step_size_up`` steps and falling over
    ``step_size_down`` (from 0 to 1 and back), cycle number :math:`c = \lfloor k/(u+d) \rfloor + 1`,

    .. math:: s(k) = b + (m - b)\,x(k)\,g

    with :math:`g = 1` (``"triangular"``), :math:`2^{1-c}` (``"triangular2"``), :math:`\gamma^{k}`
    (``"exp_range"``), or ``scale_fn`` evaluated at :math:`c` (``scale_mode="cycle"``) or :math:`k`
    (``"iterations"``). Torch sets the LR to ``base_lr`` itself, so the optimizer's LR plays no part and
    there is no ``lr`` argument. ``scale_fn`` must be a jaxsched Schedule (an arbitrary Python function has
    no traceable formula). Torch also cycles the momentum (``cycle_momentum=True``, the default), inversely:
    :meth:`momentum` returns that curve (:class:`CyclicMomentum`), for ``momentum`` or ``betas[0]``.

    Args:
      base_lr: :math:`b`, the low end.
      max_lr: :math:`m`, the high end of the first cycle.
      step_size_up: :math:`u > 0` steps.
      step_size_down: :math:`d > 0` steps (default :math:`u`).
      mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
      gamma: :math:`\gamma >= 0` of ``"exp_range"``.
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

    base_lr: Any
    max_lr: Any
    step_size_up: Any = 2000
    step_size_down: Any = None
    mode: str = static(default="triangular")
    gamma: Any = 1.0
    scale_fn: Any = None
    scale_mode: str = static(default="cycle")
    cycle_momentum: bool = static(default=True)
    base_momentum: Any = 0.8
    max_momentum: Any = 0.9

    _multiplicative = False
    _initial_insensitive = True
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 20},
        {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 10, "step_size_down": 30,
         "mode": "triangular2"},
        {"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 10, "mode": "exp_range", "gamma": 0.99},
    )

    def __check_init__(self) -> None:
        v.number("base_lr", self.base_lr)
        v.number("max_lr", self.max_lr)
        v.not_text("step_size_up", self.step_size_up)  # torch's float() raises ValueError for text
        v.not_text("step_size_down", self.step_size_down)
        if self.step_size_down is None or (is_concrete(self.step_size_down) and self.step_size_down == 0):
            v.divisor("step_size_up", self.step_size_up, "torch divides by step_size_up + step_size_down")
        v.positive("step_size_up", self.step_size_up)
        self._set("step_size_up", v.steps("step_size_up", self.step_size_up, minimum=0, integer=False))
        if self.step_size_down is not None:
            v.positive("step_size_down", self.step_size_down)
            self._set("step_size_down", v.steps("step_size_down", self.step_size_down, minimum=0,
                                                integer=False))
        if self.scale_fn is not None:
            if not isinstance(self.scale_fn, Schedule):
                raise v.ScheduleArgumentTypeError(
                    "scale_fn", "a jaxsched Schedule (an arbitrary Python function has no traceable "
                    "formula)", self.scale_fn)
            v.choice("scale_mode", self.scale_mode, ("cycle", "iterations"))
        elif self.mode not in ("triangular", "triangular2", "exp_range"):
            raise _torch_error("mode", "mode is invalid and scale_fn is None", self.mode)
        v.nonnegative("gamma", self.gamma)
        v.boolean("cycle_momentum", self.cycle_momentum)
        v.number("base_momentum", self.base_momentum)
        v.number("max_momentum", self.max_momentum)

    def _key_steps(self) -> list[Any]:
        up = self.step_size_up
        total = up + (self.step_size_down if self.step_size_down is not None else up)
        return [up, total, total + up, 2 * total]

    def momentum(self) -> CyclicMomentum:
        """The momentum (or ``betas[0]``) curve torch writes alongside the LR."""
        if not self.cycle_momentum:
            raise ValueError("CyclicLR.momentum(): cycle_momentum is False, torch leaves momentum alone")
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        return CyclicMomentum(**fields)

    def _curve(self, bk: Backend, t: Steps, low: Any, high: Any) -> Array:
        xp = bk.xp
        if self.scale_fn is None:
            return Cyclic._unchecked(base_value=low, max_value=high, step_size_up=self.step_size_up,
                                     step_size_down=self.step_size_down, mode=self.mode,
                                     gamma=self.gamma).evaluate(bk, t)
        x = Cyclic._unchecked(base_value=0.0, max_value=1.0, step_size_up=self.step_size_up,
                              step_size_down=self.step_size_down).evaluate(bk, t)
        if self.scale_mode == "cycle":
            up = bk.count(self.step_size_up)
            down = up if self.step_size_down is None else bk.count(self.step_size_down)
            total = bk.add(up, down)
            if bk.is_int(total):
                c = t.n // total + 1
            else:
                c = (xp.floor(t.value() / total) + 1).astype(bk.int_dtype)
            g = self.scale_fn.evaluate(bk, Steps(bk, c))
        else:
            g = self.scale_fn.evaluate(bk, t)
        low = bk.value(low)
        return low + (bk.value(high) - low) * x * bk.value(g)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self._curve(bk, t, self.base_lr, self.max_lr)


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

    examples = ({"base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 20},)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self._curve(bk, t, self.max_momentum, self.base_momentum)


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

    by half cosine (``"cos"``) or linearly. As in torch, step :math:`T` uses the last phase *extrapolated*
    (a reflected cosine, or a negative LR for a three-phase linear schedule), and ``pct_start * T < 1``
    skips the first phase. Torch raises at step :math:`T + 1`; the port holds the value of update
    :math:`T - 1` (the final LR) from there on. Torch starts the LR at ``max_lr / div_factor`` whatever the
    optimizer's LR, so there is no ``lr`` argument. :meth:`momentum` gives the momentum (or ``betas[0]``)
    curve torch writes alongside.

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

    max_lr: Any
    total_steps: Any = None
    epochs: Any = None
    steps_per_epoch: Any = None
    pct_start: Any = 0.3
    anneal_strategy: str = static(default="cos")
    cycle_momentum: bool = static(default=True)
    base_momentum: Any = 0.85
    max_momentum: Any = 0.95
    div_factor: Any = 25.0
    final_div_factor: Any = 1e4
    three_phase: bool = static(default=False)

    _multiplicative = False
    _initial_insensitive = True
    examples: ClassVar[tuple[dict[str, Any], ...]] = (
        {"max_lr": 1e-2, "total_steps": 100},
        {"max_lr": 1e-2, "epochs": 4, "steps_per_epoch": 25, "pct_start": 0.25,
         "anneal_strategy": "linear", "three_phase": True},
    )

    def __check_init__(self) -> None:
        v.number("max_lr", self.max_lr)

        def positive_int(name: str, x: Any) -> bool:
            return isinstance(x, numbers.Integral) and not isinstance(x, bool) and int(x) > 0

        if self.total_steps is not None:
            v.not_none("total_steps", self.total_steps, "a positive int")  # torch compares it first
            if not positive_int("total_steps", self.total_steps):
                raise _torch_error("total_steps", "Expected positive integer total_steps, but got "
                                   f"{self.total_steps}", self.total_steps)
            self._set("total_steps", int(self.total_steps))
        elif self.epochs is not None and self.steps_per_epoch is not None:
            if not positive_int("epochs", self.epochs):
                raise _torch_error("epochs", f"Expected positive integer epochs, but got {self.epochs}",
                                   self.epochs)
            if not positive_int("steps_per_epoch", self.steps_per_epoch):
                raise _torch_error("steps_per_epoch", "Expected positive integer steps_per_epoch, but "
                                   f"got {self.steps_per_epoch}", self.steps_per_epoch)
            self._set("epochs", int(self.epochs))
            self._set("steps_per_epoch", int(self.steps_per_epoch))
        else:
            raise _torch_error("total_steps", "You must define either total_steps OR (epochs AND "
                               "steps_per_epoch)", self.total_steps)
        pct = self.pct_start
        if pct is None:  # torch multiplies it first: TypeError
            raise v.ScheduleArgumentTypeError("pct_start", "a float between 0 and 1", pct)
        if not isinstance(pct, bool) and isinstance(pct, numbers.Real):
            v.number("pct_start", pct)
        if is_concrete(pct) and (not isinstance(pct, float | np.floating) or pct < 0 or pct > 1):
            raise _torch_error("pct_start", f"Expected float between 0 and 1 pct_start, but got {pct}",
                               pct)
        if self.anneal_strategy not in ("cos", "linear"):
            raise _torch_error("anneal_strategy", "anneal_strategy must be one of 'cos' or 'linear', "
                               f"instead got {self.anneal_strategy}", self.anneal_strategy)
        v.boolean("cycle_momentum", self.cycle_momentum)
        v.number("base_momentum", self.base_momentum)
        v.number("max_momentum", self.max_momentum)
        v.divisor("div_factor", self.div_factor)
        v.divisor("final_div_factor", self.final_div_factor)
        v.positive("div_factor", self.div_factor)
        v.positive("final_div_factor", self.final_div_factor)
        v.boolean("three_phase", self.three_phase)
        if is_concrete(pct):
            ends = self._ends_py()
            starts = [0.0, *ends[:-1]]
            for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
                if a == b:
                    raise v.ScheduleArgumentError(
                        "pct_start", f"gives phase {i + 1} zero length ({a:g} to {b:g}); torch divides "
                        "by zero there", pct)

    @property
    def steps(self) -> int:
        """:math:`T`: ``total_steps``, or ``epochs * steps_per_epoch``."""
        if self.total_steps is not None:
            return int(self.total_steps)
        return int(self.epochs) * int(self.steps_per_epoch)

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
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        return OneCycleMomentum(**fields)

    def _levels(self, bk: Backend) -> list[tuple[Array, Array]]:
        peak = bk.value(self.max_lr)
        low = peak / bk.value(self.div_factor)
        final = low / bk.value(self.final_div_factor)
        if self.three_phase:
            return [(low, peak), (peak, low), (low, final)]
        return [(low, peak), (peak, final)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T = self.steps
        pct = bk.value(self.pct_start)
        first = pct * float(T) - 1.0
        if self.three_phase:
            ends = [first, 2.0 * pct * float(T) - 2.0, bk.value(float(T - 1))]
        else:
            ends = [first, bk.value(float(T - 1))]
        starts = [bk.value(0.0), *ends[:-1]]
        # Torch raises past step T; the port holds the value of update T - 1 from step T + 1 on.
        tv = t.value()
        tv = xp.where(tv > float(T), float(T - 1), tv)
        pieces = [anneal(bk, self.anneal_strategy, a, b, tv - s, e - tv, e - s)
                  for (a, b), s, e in zip(self._levels(bk), starts, ends, strict=True)]
        out = pieces[-1]  # the last phase, extrapolated at step T as torch does
        for piece, e in zip(reversed(pieces[:-1]), reversed(ends[:-1]), strict=True):
            out = xp.where(tv <= e, piece, out)
        return out


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

    examples = ({"max_lr": 1e-2, "total_steps": 100},)

    def _levels(self, bk: Backend) -> list[tuple[Array, Array]]:
        top, low = bk.value(self.max_momentum), bk.value(self.base_momentum)
        if self.three_phase:
            return [(top, low), (low, top), (top, top)]
        return [(top, low), (low, top)]


# -- composites ----------------------------------------------------------------------------------------


def _children(name: str, items: Any) -> tuple[Schedule, ...]:
    out = []
    for i, s in enumerate(v.sequence(name, items)):
        if not isinstance(s, Schedule):
            raise v.ScheduleArgumentTypeError(f"{name}[{i}]", "a jaxsched Schedule", s)
        out.append(s)
    return tuple(out)


def _leaves(s: Schedule) -> list[Schedule]:
    if isinstance(s, ChainedScheduler | SequentialLR):
        return [leaf for c in s.schedulers for leaf in _leaves(c)]
    return [s]


def _concrete_tree(s: Schedule) -> bool:
    import jax

    return all(is_concrete(x) for x in jax.tree_util.tree_leaves(s))


class SequentialLR(Schedule, name="compat.torch.SequentialLR"):
    r"""``torch.optim.lr_scheduler.SequentialLR``: schedulers one after another, switched at milestones.

    With milestones :math:`m_1 \le \dots \le m_n` and :math:`m_0 = 0`, scheduler :math:`i` is used from
    :math:`m_i` on and sees the local step :math:`k - m_i`:

    .. math:: s(k) = s_i(k - m_i) \quad\text{for } m_i \le k < m_{i+1}

    so a successor **restarts from the base LR** (torch calls its closed form at local step 0), not from
    where the previous one ended. The exceptions follow torch exactly:

    * a ``MultiplicativeLR`` successor has no closed form and *continues* from the current LR:
      :math:`s(k) = s(m_i - 1)\,\lambda(0)\prod_{j=1}^{k-m_i}\lambda(j)`;
    * a ``ConstantLR(total_iters=0)`` successor gives the base LR (torch's closed form), not ``factor``;
    * ``LinearLR``/``PolynomialLR`` successors with ``total_iters=0`` are refused (torch divides by zero
      at the milestone), as are ``SequentialLR``/``ChainedScheduler`` successors (torch raises
      ``NotImplementedError`` there);
    * milestone 0 starts with the scheduler after it (torch >= 2.15 picks it with ``bisect_right``), and
      a milestone listed twice skips the scheduler between.

    A nested ``SequentialLR`` or ``ChainedScheduler`` may only come first; torch steps it once more at
    construction (issue #196243), which the port reproduces for nested ``SequentialLR`` (its milestones
    come one step earlier) and accepts only where that extra step changes nothing (its first schedulers
    must be ones whose first step ignores ``_is_initial``: ``StepLR``, ``MultiStepLR``, ``ConstantLR``,
    ``LinearLR``, ``LambdaLR``, ``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts`` or a native
    schedule). Any jaxsched schedule may be a child: it behaves as ``torch_bridge.ScheduleLR`` does inside
    torch's ``SequentialLR`` (closed form, restarted at its milestone).

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

    schedulers: Any
    milestones: Any

    examples = (
        {"schedulers": [{"name": "compat.torch.LinearLR", "lr": 0.1, "start_factor": 0.1,
                         "total_iters": 10},
                        {"name": "compat.torch.CosineAnnealingLR", "lr": 0.1, "T_max": 90}],
         "milestones": [10]},
        {"schedulers": [{"name": "compat.torch.ConstantLR", "lr": 0.1, "factor": 0.5, "total_iters": 5},
                        {"name": "compat.torch.MultiplicativeLR", "lr": 0.1, "lr_lambda": 0.9},
                        {"name": "compat.torch.StepLR", "lr": 0.1, "step_size": 3}],
         "milestones": [3, 12]},
    )

    def __check_init__(self) -> None:
        scheds = _children("schedulers", self.schedulers)
        if not scheds:
            raise _torch_error("schedulers", "SequentialLR expects at least one scheduler, but got no "
                               "scheduler.", [])
        ms = v.sequence("milestones", self.milestones)
        if len(ms) != len(scheds) - 1:
            raise _torch_error(
                "milestones", "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers {len(scheds)} and the "
                f"number of milestones to be equal to {len(ms)}", list(ms))
        ms = tuple(v.steps(f"milestones[{i}]", m) for i, m in enumerate(ms))
        v.sorted_steps("milestones", ms)
        self._set("schedulers", scheds)
        self._set("milestones", ms)
        first = self._first_index()
        for i, s in enumerate(scheds):
            name = f"schedulers[{i}]"
            if i != first and isinstance(s, SequentialLR | ChainedScheduler) and self._reached(i):
                raise v.ScheduleArgumentError(
                    name, f"a {type(s).__name__} can only be the first scheduler of a SequentialLR (torch "
                    "raises NotImplementedError when it is reached at a milestone)", s, show_value=False)
            if i != first and isinstance(s, _TorchPort) and self._reached(i):
                s._as_successor(name)
        head = scheds[first]
        if isinstance(head, SequentialLR | ChainedScheduler):
            for leaf in _initial_children(head):
                if isinstance(leaf, _TorchPort) and not leaf._initial_insensitive:
                    raise v.ScheduleArgumentError(
                        f"schedulers[{first}]", f"a nested {type(head).__name__} whose first step "
                        f"includes a {type(leaf).__name__}: torch steps it outside its initial mode "
                        "when the outer SequentialLR is built, which changes its curve", head,
                        show_value=False)
            if isinstance(head, SequentialLR) and any(m <= 1 for m in head.milestones):
                raise v.ScheduleArgumentError(
                    f"schedulers[{first}]", "a nested SequentialLR needs milestones >= 2 (torch steps it "
                    "once at construction)", list(head.milestones))

    def _first_index(self) -> int:
        return sum(1 for m in self.milestones if is_concrete(m) and m <= 0)

    def _reached(self, i: int) -> bool:
        """Whether scheduler ``i`` is ever used (a milestone listed twice skips the one between)."""
        if i == 0:
            return not self.milestones or self.milestones[0] > 0
        nxt = self.milestones[i] if i < len(self.milestones) else None
        return nxt is None or nxt > self.milestones[i - 1]

    def _key_steps(self) -> list[Any]:
        out: list[Any] = []
        starts = [0, *self.milestones]
        for s, b in zip(self.schedulers, starts, strict=True):
            out += [b + k for k in s.key_steps()]
        return out

    def _pieces(self, bk: Backend) -> list[Schedule]:
        first = self._first_index()
        pieces: list[Schedule] = []
        for i, s in enumerate(self.schedulers):
            if i != first and not self._reached(i):
                pass  # never selected (a milestone listed twice): left as is
            elif i == first and isinstance(s, SequentialLR):
                # Torch steps a nested SequentialLR once when the outer one is built: its switches come
                # one step earlier.
                s = SequentialLR._unchecked(schedulers=s.schedulers,
                                            milestones=tuple(m - 1 for m in s.milestones))
            elif i > first and isinstance(s, MultiplicativeLR):
                m = self.milestones[i - 1]
                prev = Join._unchecked(schedules=tuple(pieces), boundaries=self.milestones[:i - 1])
                before = prev.evaluate(bk, Steps.from_input(bk, m - 1))
                lam0 = _evaluate_factor(bk, s.lr_lambda, Steps.from_input(bk, 0))
                s = with_lr(s, before * lam0)
            elif i > first and isinstance(s, _TorchPort):
                s = s._as_successor(f"schedulers[{i}]")
            pieces.append(s)
        return pieces

    def _formula(self, bk: Backend, t: Steps) -> Array:
        pieces = self._pieces(bk)
        return Join._unchecked(schedules=tuple(pieces), boundaries=self.milestones).evaluate(bk, t)


def _initial_children(s: Schedule) -> list[Schedule]:
    """The leaves that take their first step when a composite is first stepped."""
    if isinstance(s, ChainedScheduler):
        return [leaf for c in s.schedulers for leaf in _initial_children(c)]
    if isinstance(s, SequentialLR):
        return _initial_children(s.schedulers[s._first_index()])
    return [s]


class ChainedScheduler(Schedule, name="compat.torch.ChainedScheduler"):
    r"""``torch.optim.lr_scheduler.ChainedScheduler``: schedulers stepped together, their factors multiply.

    Every chainable torch scheduler multiplies the current LR by the ratio of its own factor between two
    steps, so stepping several of them together gives the base LR times the product of their factors:

    .. math:: s(k) = \text{lr}\prod_i f_i(k), \qquad f_i(k) = s_i(k)/\text{lr}

    (the factors are computed as each port with ``lr = 1``, never by dividing). All schedulers share one
    optimizer, hence one ``lr``. The chain is exact for the multiplicative classes: ``StepLR``,
    ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``, ``PolynomialLR``, ``MultiplicativeLR``
    and ``CosineAnnealingLR`` with ``eta_min=0``, nested chains, and a nested ``SequentialLR`` where its
    switches do not erase another factor (checked: torch *sets* the LR at a milestone, dropping the other
    schedulers' accumulated factors, so the product holds only if those factors are 1 there). Classes that
    set the LR outright (``LambdaLR``, ``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``), or
    ``CosineAnnealingLR`` with ``eta_min != 0`` (an affine update), do not chain as a product and are
    refused. Likewise right after a ``CosineAnnealingLR`` trough (step ``T_max + 1``, then every
    ``2 T_max``) torch adds to the LR instead of multiplying, which drops the other factors: a chain is
    refused unless the other factors are 1 there (e.g. a finished warmup; checked for the first 8 troughs
    of each directly chained cosine).

    Args:
      schedulers: the ports, in torch's stepping order.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import torch as tp
      >>> s = tp.ChainedScheduler([tp.ConstantLR(0.05, factor=0.1, total_iters=2),
      ...                         tp.ExponentialLR(0.05, gamma=0.9)])
      >>> [round(float(s(k)), 6) for k in range(4)]
      [0.005, 0.0045, 0.0405, 0.03645]
    """

    schedulers: Any

    examples = (
        {"schedulers": [{"name": "compat.torch.LinearLR", "lr": 0.1, "start_factor": 0.1,
                         "total_iters": 10},
                        {"name": "compat.torch.ExponentialLR", "lr": 0.1, "gamma": 0.98}]},
    )

    def __check_init__(self) -> None:
        scheds = _children("schedulers", self.schedulers)
        if not scheds:
            raise _torch_error("schedulers", "ChainedScheduler expects at least one scheduler to be "
                               "chained, but got no scheduler.", [])
        self._set("schedulers", scheds)
        for i, s in enumerate(scheds):
            name = f"schedulers[{i}]"
            for leaf in _leaves(s):
                if not isinstance(leaf, _TorchPort):
                    raise v.ScheduleArgumentTypeError(
                        name, "a multiplicative jaxsched.compat.torch port (a native schedule sets the LR "
                        "outright, like LambdaLR)", leaf)
                if not leaf._multiplicative:
                    why = ("an affine update when eta_min != 0" if isinstance(leaf, CosineAnnealingLR)
                           else "it sets the LR instead of multiplying it")
                    raise v.ScheduleArgumentError(
                        name, f"{type(leaf).__name__} does not chain as a product of factors ({why})",
                        leaf, show_value=False)
        lrs: list[Any] = [getattr(leaf, "lr", None) for s in scheds for leaf in _leaves(s)]
        if all(_concrete_float(x) is not None for x in lrs) and len({float(x) for x in lrs}) > 1:
            raise v.ScheduleArgumentError(
                "schedulers", "must all have the same lr (they share one optimizer's base LR)", lrs)
        if all(_concrete_tree(s) for s in scheds):
            self._check_nested_switches()

    def _check_nested_switches(self) -> None:
        """Refuse chains where torch *sets* the LR (a nested SequentialLR switch, a cosine trough) while
        another factor is not 1: torch drops that factor there, which no product of factors reproduces."""
        units = _units(self)
        for j, s in enumerate(units):
            if isinstance(s, SequentialLR):
                first = s._first_index()
                steps = [s.milestones[i - 1] for i in range(first + 1, len(s.schedulers)) if s._reached(i)]
                what = "a nested SequentialLR switching at step {m}"
            elif isinstance(s, CosineAnnealingLR) and len(units) > 1:
                T = int(s.T_max)
                steps = [T + 1 + 2 * T * i for i in range(_TROUGHS_CHECKED)]
                what = ("a CosineAnnealingLR leaving its trough at step {m} (torch adds to the LR there "
                        "instead of multiplying)")
            else:
                continue
            for m in steps:
                before = [self._factor_np(c, m) for c in units[:j]]
                after = [self._factor_np(c, m - 1) for c in units[j + 1:]]
                if not all(np.isclose(f, 1.0, rtol=0, atol=1e-15) for f in before + after):
                    raise v.ScheduleArgumentError(
                        "schedulers", what.format(m=m) + " while another chained factor is not 1 there: "
                        "torch drops that factor at that step, which is not a product of factors",
                        self.schedulers, show_value=False)

    @staticmethod
    def _factor_np(s: Schedule, k: int) -> float:
        return float(_factor(s).numpy(k))

    def _key_steps(self) -> list[Any]:
        return [k for s in self.schedulers for k in s.key_steps()]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        lr = getattr(_leaves(self.schedulers[0])[0], "lr")  # noqa: B009 - leaves are ports with lr
        out = bk.value(lr)
        for s in self.schedulers:
            out = out * _factor(s).evaluate(bk, t)
        return out


_TROUGHS_CHECKED = 8


def _units(chain: ChainedScheduler) -> list[Schedule]:
    """A chain's members with nested chains flattened (stepping a nested chain steps its members)."""
    out: list[Schedule] = []
    for c in chain.schedulers:
        out += _units(c) if isinstance(c, ChainedScheduler) else [c]
    return out


def _factor(s: Schedule) -> Schedule:
    """A port's factor curve: the port with ``lr = 1`` (composites: each leaf's)."""
    if isinstance(s, ChainedScheduler):
        return ChainedScheduler._unchecked(schedulers=tuple(_factor(c) for c in s.schedulers))
    if isinstance(s, SequentialLR):
        return SequentialLR._unchecked(schedulers=tuple(_factor(c) for c in s.schedulers),
                                       milestones=s.milestones)
    return with_lr(s, 1.0)


# -- torch.optim.swa_utils.SWALR ----------------------------------------------------------------------------


class SWALR(Schedule, name="compat.torch.SWALR"):
    r"""``torch.optim.swa_utils.SWALR``: anneal from the LR in use when it starts to ``swa_lr``, then hold.

    With :math:`A` = ``anneal_epochs`` and :math:`L` = ``lr``, after :math:`k` calls of ``step()``

    .. math:: s(k) = L + (\text{swa\_lr} - L)\,\alpha\!\left(\min(k/A, 1)\right), \qquad
              \alpha(t) = \tfrac12(1 - \cos \pi t)\ (\texttt{"cos"}) \ \text{or}\ t\ (\texttt{"linear"})

    and ``swa_lr`` from the start when :math:`A = 0`. torch computes it recursively from the current
    ``group["lr"]`` (it inverts the last step to recover :math:`L`), so :math:`L` is the LR the optimizer
    holds when ``SWALR`` is built, or, in torch's documented pattern (another scheduler stepped until
    ``swa_start``, then ``SWALR``), the LR that scheduler left: compose with ``jaxsched.join([decay,
    SWALR(decay(swa_start), swa_lr)], [swa_start])``. The lowering is one catalog schedule
    (:meth:`lower`): ``warmup_cosine_decay`` from :math:`L` to ``swa_lr`` over :math:`A` steps (no warmup),
    ``linear``, or ``constant``.

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

    lr: Any
    swa_lr: Any
    anneal_epochs: int = static(default=10)
    anneal_strategy: str = static(default="cos")

    examples = (
        {"lr": 0.1, "swa_lr": 0.05, "anneal_epochs": 10},
        {"lr": 0.1, "swa_lr": 0.01, "anneal_epochs": 5, "anneal_strategy": "linear"},
    )

    def __check_init__(self) -> None:
        v.nonnegative("lr", self.lr)
        v.nonnegative("swa_lr", self.swa_lr)
        if self.anneal_strategy not in ("cos", "linear"):
            raise _torch_error("anneal_strategy", "anneal_strategy must be one of 'cos' or 'linear', instead "
                               f"got {self.anneal_strategy}", self.anneal_strategy)
        epochs = self.anneal_epochs
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
            raise _torch_error("anneal_epochs",
                               f"anneal_epochs must be equal or greater than 0, got {epochs}", epochs)
        self._set("anneal_epochs", int(epochs))

    def lower(self) -> Schedule:
        """The catalog schedule this port is."""
        from jaxsched.schedules._cosine import WarmupCosineDecay

        if self.anneal_epochs == 0:
            return Constant(self.swa_lr)
        if self.anneal_strategy == "linear":
            return Linear(self.lr, self.swa_lr, self.anneal_epochs)
        return WarmupCosineDecay(self.lr, self.lr, 0, self.anneal_epochs, end_value=self.swa_lr)

    def _key_steps(self) -> list[Any]:
        return [self.anneal_epochs]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.lower().evaluate(bk, t)


__all__ += ["SWALR"]
