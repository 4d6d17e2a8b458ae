"""Ports of OLMo-core's learning-rate schedulers (``olmo_core.optim.scheduler``).

OLMo-core sets each param group's LR before the optimizer step from ``get_lr(initial_lr, current,
t_max)``, where ``current`` is the trainer's ``global_step`` (``units="steps"``) or
``global_train_tokens_seen`` (``units="tokens"``), both already advanced for the batch being trained, and
``t_max`` the trainer's ``max_steps`` or ``max_tokens``. Update ``k`` (from 0) therefore uses
``current = k + 1`` in steps: the first update is already one step into the warmup. The ports take the
scheduler's own fields and, as keyword arguments, what the trainer supplies:

- ``initial_lr``: the param group's initial LR;
- ``max_steps`` (steps) or ``max_tokens`` (tokens): the trainer's horizon ``t_max``;
- ``tokens_per_step``: with tokens and a fixed batch, the tokens each update adds;
- ``scheduler_units``: OLMo-core's ``units`` field, ``"steps"`` or ``"tokens"`` (renamed: ``units`` is a
  reserved key of jaxsched configs).

The token clock. With ``units="tokens"`` the port is expressed in steps of ``tokens_per_step`` tokens:
update ``k`` sees ``current = (k + 1) * tokens_per_step``. Every duration in tokens (warmup, decay,
``t_max``, stage and period lengths, ``max_tokens``, and what fractions resolve to) must then be a whole
number of steps; a boundary between two updates is refused (it needs a token clock with fractional
positions, and fractional phase boundaries are not in the catalog yet). With a batch-size ramp, build the
port with ``tokens_per_step`` the unit of the clock and drive it with a token clock.

Past the trainer's horizon (where OLMo-core's formulas go negative or assert) the ports hold their last
value.

>>> from jaxsched.compat import olmo
>>> s = olmo.CosWithWarmup(warmup=2, alpha_f=0.1, initial_lr=1.0, max_steps=6)
>>> [round(float(s(k)), 4) for k in range(6)]
[0.5, 1.0, 0.8682, 0.55, 0.2318, 0.1]
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import (
    Choice,
    Real,
    Static,
    Value,
    known,
    of_role,
    static,
    static_float,
    static_int,
    value,
)
from jaxsched._numerics import MAX_STEP

__all__ = [
    "ComposableScheduler",
    "ConstantScheduler",
    "ConstantWithWarmup",
    "CosWithWarmup",
    "CosWithWarmupAndLinearDecay",
    "ExponentialScheduler",
    "HalfCosWithWarmup",
    "InvSqrtWithWarmup",
    "LinearWithWarmup",
    "OLMoAssertionError",
    "OLMoConfigurationError",
    "OLMoScheduler",
    "OLMoZeroDivisionError",
    "PowerLR",
    "SequentialScheduler",
    "WSD",
    "WSDS",
]


class OLMoConfigurationError(v.ScheduleArgumentError):
    """What OLMo-core refuses with its ``OLMoConfigurationError`` (a ``ValueError`` here)."""


class OLMoAssertionError(v.ScheduleArgumentError, AssertionError):
    """What OLMo-core refuses with ``assert`` (at the first update that reaches it)."""


class OLMoZeroDivisionError(v.ScheduleArgumentError, ZeroDivisionError):
    """A configuration for which OLMo-core divides by zero at some update."""


def _opt_int(minimum: int) -> Any:
    def convert(name: str, x: Any) -> Any:
        return None if x is None else static_int(minimum)(name, x)

    return convert


def _opt_float(minimum: float | None = None, maximum: float | None = None) -> Any:
    conv = static_float(minimum, maximum)

    def convert(name: str, x: Any) -> Any:
        return None if x is None else conv(name, x)

    return convert


class _Struct(Static):
    """Static structured metadata (stages, sub-schedulers) shown and configured as plain dicts/lists."""

    def __init__(self, converter: Any, plain: Any) -> None:
        super().__init__(converter)
        self.plain = plain

    def to_config(self, name: str, x: Any) -> Any:
        return self.plain(x)

    def shown(self, x: Any) -> Any:
        return self.plain(x)


def _dur(default: Any = None) -> Any:
    """A duration in OLMo-core's units (steps or tokens): static, it decides the phases."""
    return static(default=default, converter=_opt_int(0))


def _frac(default: Any = None) -> Any:
    return static(default=default, converter=_opt_float())


def _absolute(pieces: Sequence[Schedule], starts: Sequence[int]) -> Schedule:
    """Pieces written in absolute steps, each used from its start on (a join whose later pieces are
    shifted back to absolute steps)."""
    later = (jaxsched.shift(p, -s) for p, s in zip(pieces[1:], starts, strict=True))
    return jaxsched.join([pieces[0], *later], list(starts))


class OLMoScheduler(Port):
    """A port of an OLMo-core ``Scheduler``: the curve of ``get_lr`` in ``current / tokens_per_step``,
    evaluated at update ``k`` one step ahead (``current = k + 1`` steps)."""

    initial_lr: Real = of_role(Value(minimum=0.0), default=1.0, kw_only=True)
    scheduler_units: str = of_role(Choice(("steps", "tokens")), default="steps", kw_only=True)
    max_steps: int | None = of_role(Static(_opt_int(0)), default=None, kw_only=True)
    max_tokens: int | None = of_role(Static(_opt_int(0)), default=None, kw_only=True)
    tokens_per_step: int | None = of_role(Static(_opt_int(1)), default=None, kw_only=True)

    # -- units -------------------------------------------------------------------------------------------
    def _u(self) -> int:
        if self.scheduler_units == "steps":
            return 1
        if self.tokens_per_step is None:
            raise v.ScheduleArgumentError("tokens_per_step", "is needed with units='tokens'", None)
        return self.tokens_per_step

    def _t_max(self) -> int:
        """The trainer's ``t_max`` in OLMo-core's units."""
        name = "max_steps" if self.scheduler_units == "steps" else "max_tokens"
        t = getattr(self, name)
        if t is None:
            raise OLMoConfigurationError(
                name, f"must be known in the trainer for {self.scheduler_units}-based scheduling", None
            )
        return int(t)

    def _steps(self, name: str, x: int) -> int:
        """A duration in OLMo-core's units as whole steps of the clock."""
        u = self._u()
        if x % u:
            raise v.ScheduleArgumentError(
                name,
                f"is {x} tokens, not a whole number of steps of tokens_per_step={u}: a phase boundary "
                "between two updates needs a token clock",
                x,
            )
        if x // u > MAX_STEP - 2:
            raise v.ScheduleArgumentError(name, "lies past the last step 2**31 - 1", x)
        return x // u

    def _resolve(self, name: str, fixed: int | None, fraction: float | None, t_max: int) -> int:
        """OLMo-core's ``warmup`` / ``round(t_max * warmup_fraction)`` (in its units), in steps."""
        raw = fixed if fixed is not None else round(t_max * fraction)  # type: ignore[operator]
        return self._steps(name, int(raw))

    def _warmup_lr(self, wmin: Any, peak: Any, reachable: bool) -> None:
        """OLMo-core's ``_linear_warmup`` asserts ``0 <= warmup_min_lr < initial_lr``."""
        if reachable and known(wmin, peak) and not 0 <= wmin < peak:
            raise OLMoAssertionError("warmup_min_lr", f"must be in [0, {peak}) (the warmup's peak)", wmin)

    def _decay_lr(self, dmin: Any, start: Any, reachable: bool) -> None:
        """OLMo-core's ``_linear_decay`` asserts ``0 <= decay_min_lr < initial_lr``."""
        if reachable and known(dmin, start) and not 0 <= dmin < start:
            raise OLMoAssertionError("decay_min_lr", f"must be in [0, {start}) (the decay's start)", dmin)

    # -- curve -------------------------------------------------------------------------------------------
    def _curve(self) -> Schedule:
        """``get_lr`` as a function of ``current / tokens_per_step``."""
        raise NotImplementedError

    def lower(self) -> Schedule:
        return jaxsched.shift(self._curve(), -1)


def _alias(self: Any, new: str, old: str) -> None:
    """A deprecated field (``warmup_steps``, ``decay_steps``) moved to its new name, as OLMo-core does."""
    if getattr(self, new) is None and getattr(self, old) is not None:
        warnings.warn(
            f"'{type(self).__name__}.{old}' is deprecated, please use '.{new}' instead.",
            DeprecationWarning,
            stacklevel=4,
        )
        self._set(new, getattr(self, old))
        self._set(old, None)


def _check_warmup(self: Any) -> None:
    _alias(self, "warmup", "warmup_steps")
    if (self.warmup_fraction is None) == (self.warmup is None):
        raise OLMoConfigurationError(
            "warmup", "either 'warmup_fraction' or 'warmup' must be specified", self.warmup
        )
    if self.warmup_fraction is not None and not 0 <= self.warmup_fraction <= 1:
        raise OLMoConfigurationError("warmup_fraction", "must be between 0 and 1", self.warmup_fraction)


def _check_decay(self: Any) -> None:
    _alias(self, "decay", "decay_steps")
    if (self.decay_fraction is None) == (self.decay is None):
        raise OLMoConfigurationError(
            "decay", "either 'decay_fraction' or 'decay' must be specified, never both", self.decay
        )
    if self.decay_fraction is not None and not 0 <= self.decay_fraction <= 1:
        raise OLMoConfigurationError("decay_fraction", "must be between 0 and 1", self.decay_fraction)


_WARMUP_DOC = """
    Args:
      warmup: warmup length in steps or tokens (or ``warmup_fraction`` of ``t_max``, rounded).
      warmup_steps: deprecated name of ``warmup``.
      warmup_fraction: in [0, 1].
      warmup_min_lr: the warmup's start (OLMo-core asserts ``0 <= warmup_min_lr < initial_lr``)."""


class ConstantScheduler(OLMoScheduler, name="compat.olmo.ConstantScheduler"):
    r"""OLMo-core's ``ConstantScheduler``: the initial LR at every update.

    .. math:: s(c) = P

    Example:
      >>> from jaxsched.compat import olmo
      >>> float(olmo.ConstantScheduler(initial_lr=0.5, max_steps=10)(3))
      0.5
    """

    examples = ({"initial_lr": 4e-4, "max_steps": 100},)

    def _curve(self) -> Schedule:
        return jaxsched.constant(self.initial_lr)


class ConstantWithWarmup(OLMoScheduler, name="compat.olmo.ConstantWithWarmup"):
    __doc__ = (
        r"""
    OLMo-core's ``ConstantWithWarmup``: a linear warmup to ``initial_lr`` over ``current <= warmup``,
    then constant.

    .. math:: s(c) = m + (P - m)\,\min(c, W)/W

    with :math:`c = k + 1` (update ``k`` already uses :math:`m + (P - m)/W`). Lowers to
    :func:`jaxsched.linear`.
    """
        + _WARMUP_DOC
        + """

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.ConstantWithWarmup(warmup=4, initial_lr=1.0, max_steps=10)
      >>> [float(s(k)) for k in range(5)]
      [0.25, 0.5, 0.75, 1.0, 1.0]
    """
    )

    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    warmup_min_lr: Real = value(default=0.0)

    examples = (
        {"warmup": 25, "initial_lr": 4e-4, "max_steps": 250},
        {"warmup_fraction": 0.1, "warmup_min_lr": 1e-5, "initial_lr": 4e-4, "max_steps": 200},
    )

    def __check_init__(self) -> None:
        _check_warmup(self)

    def _curve(self) -> Schedule:
        W = self._resolve(
            "warmup", self.warmup, self.warmup_fraction, self._t_max() if self.warmup is None else 0
        )
        self._warmup_lr(self.warmup_min_lr, self.initial_lr, W >= 1)
        if W == 0:
            return jaxsched.constant(self.initial_lr)
        return jaxsched.linear(self.warmup_min_lr, self.initial_lr, W)


class WSD(OLMoScheduler, name="compat.olmo.WSD"):
    __doc__ = (
        r"""
    OLMo-core's ``WSD`` (warmup-stable-decay): warmup over ``current <= warmup``, then ``initial_lr``,
    then a linear decay to ``decay_min_lr`` over the last ``decay`` of ``t_max``.

    .. math::
        s(c) = \begin{cases} m + (P - m)\,c/W & c \le W \\
        E + (P - E)\,\min(T - c, D)/D & c \ge T - D \\ P & \text{otherwise} \end{cases}

    Lowers to :func:`jaxsched.linear` pieces. Where the original is odd: a decay longer than
    ``t_max - warmup`` starts inside the warmup (the value drops when it ends); ``decay = 0`` divides by
    zero at the last update (refused); past ``t_max`` OLMo-core's value goes negative (held here).
    """
        + _WARMUP_DOC
        + """
      decay: decay length (or ``decay_fraction`` of ``t_max``, rounded; OLMo-core's default 0.1).
      decay_steps: deprecated name of ``decay``.
      decay_fraction: in [0, 1].
      decay_min_lr: :math:`E`.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.WSD(warmup=2, decay=4, decay_fraction=None, initial_lr=1.0, max_steps=10)
      >>> [float(s(k)) for k in range(10)]
      [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    )

    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    decay: int | None = _dur()
    decay_steps: int | None = _dur()
    decay_fraction: float | None = _frac(0.1)
    warmup_min_lr: Real = value(default=0.0)
    decay_min_lr: Real = value(default=0.0)

    examples = (
        {"warmup": 25, "initial_lr": 4e-4, "max_steps": 250},
        {
            "warmup_fraction": 0.05,
            "decay": 75,
            "decay_fraction": None,
            "decay_min_lr": 4e-5,
            "initial_lr": 4e-4,
            "max_steps": 250,
        },
        {
            "warmup": 2048,
            "decay": 8192,
            "decay_fraction": None,
            "scheduler_units": "tokens",
            "initial_lr": 1e-3,
            "max_tokens": 204800,
            "tokens_per_step": 1024,
        },
    )

    def __check_init__(self) -> None:
        _check_warmup(self)
        _check_decay(self)

    def _curve(self) -> Schedule:
        Traw = self._t_max()
        T = self._steps("max_steps" if self.scheduler_units == "steps" else "max_tokens", Traw)
        W = self._resolve("warmup", self.warmup, self.warmup_fraction, Traw)
        D = self._resolve("decay", self.decay, self.decay_fraction, Traw)
        P, m, E = self.initial_lr, self.warmup_min_lr, self.decay_min_lr
        self._warmup_lr(m, P, W >= 1)
        if T > W:
            if D == 0:
                raise OLMoZeroDivisionError("decay", "is 0: OLMo-core divides by it at current = t_max", 0)
            self._decay_lr(E, P, True)
        decay = jaxsched.shift(jaxsched.linear(P, E, max(D, 1)), T - D)
        if W == 0:
            return decay
        return _absolute([jaxsched.linear(m, P, W), decay], [W + 1])


class PowerLR(OLMoScheduler, name="compat.olmo.PowerLR"):
    __doc__ = (
        r"""
    OLMo-core's ``PowerLR``: warmup, a power law in ``current / warmup``, and a linear decay tail.

    .. math::
        s(c) = \begin{cases} m + (P - m)\,c/W & c \le W \\
        E + (P\,((T - D)/W)^{b} - E)\,\min(T - c, D)/D & c \ge T - D \\
        P\,(c/W)^{b} & \text{otherwise} \end{cases}

    Lowers to :func:`jaxsched.linear` and :func:`jaxsched.inverse_power` (:math:`\tau = W`,
    :math:`\alpha = -b`); the tail's start factor :math:`((T - D)/W)^{b}` is the catalog power law's value
    there, computed once. ``b`` is static. Where the original is odd: ``warmup = 0`` divides by zero
    (refused).
    """
        + _WARMUP_DOC
        + """
      b: the exponent, < 0.
      decay: tail length (or ``decay_fraction`` of ``t_max``).
      decay_steps: deprecated name of ``decay``.
      decay_fraction: in [0, 1] (default 0.1).
      decay_min_lr: :math:`E`.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.PowerLR(b=-1.0, warmup=2, decay=2, decay_fraction=None, initial_lr=1.0, max_steps=8)
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.5, 1.0, 0.6667, 0.5, 0.4, 0.3333, 0.1667, 0.0]
    """
    )

    b: float = static(default=-0.51, converter=static_float())
    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    warmup_min_lr: Real = value(default=0.0)
    decay: int | None = _dur()
    decay_steps: int | None = _dur()
    decay_fraction: float | None = _frac(0.1)
    decay_min_lr: Real = value(default=0.0)

    examples = (
        {"warmup": 25, "initial_lr": 4e-4, "max_steps": 400},
        {
            "b": -1.0,
            "warmup": 12,
            "decay": 100,
            "decay_fraction": None,
            "decay_min_lr": 1e-6,
            "initial_lr": 1e-3,
            "max_steps": 250,
        },
    )

    def __check_init__(self) -> None:
        _alias(self, "warmup", "warmup_steps")
        _alias(self, "decay", "decay_steps")
        _check_warmup(self)
        _check_decay(self)
        if not self.b < 0:
            raise OLMoConfigurationError("b", "must be negative for a decaying power-law", self.b)

    def _curve(self) -> Schedule:
        Traw = self._t_max()
        T = self._steps("max_steps" if self.scheduler_units == "steps" else "max_tokens", Traw)
        W = self._resolve("warmup", self.warmup, self.warmup_fraction, Traw)
        D = self._resolve("decay", self.decay, self.decay_fraction, Traw)
        P, m, E = self.initial_lr, self.warmup_min_lr, self.decay_min_lr
        self._warmup_lr(m, P, W >= 1)
        if T <= W:
            return jaxsched.linear(m, P, max(W, 1))
        if W == 0:
            raise OLMoZeroDivisionError("warmup", "is 0: OLMo-core divides current by it", 0)
        if D == 0:
            raise OLMoZeroDivisionError("decay", "is 0: OLMo-core divides by it at current = t_max", 0)
        start = T - D
        if start <= 0:
            raise OLMoZeroDivisionError(
                "decay",
                f"reaches back to current = {start}, where OLMo-core raises "
                "0 (or a negative number) to the power b",
                D,
            )
        # The tail starts from P ((T - D)/W)**b: the catalog power law's value there.
        if start >= W:
            K = float(jaxsched.inverse_power(1.0, W, -self.b).numpy(start - W))
        else:
            K = 1.0 / float(jaxsched.inverse_power(1.0, start, -self.b).numpy(W - start))
        self._decay_lr(E, P * K if known(P) else None, True)
        law = jaxsched.shift(jaxsched.inverse_power(P, W, -self.b), W)
        tail = jaxsched.shift(jaxsched.linear(P * K, E, D), start)
        return _absolute([jaxsched.linear(m, P, W), law, tail], [W + 1, max(start, W + 1)])


class LinearWithWarmup(OLMoScheduler, name="compat.olmo.LinearWithWarmup"):
    __doc__ = (
        r"""
    OLMo-core's ``LinearWithWarmup``: warmup over ``current < warmup``, then a linear decay from
    ``initial_lr`` to ``alpha_f * initial_lr`` at ``t_max`` (its own ``t_max`` if set, else the trainer's).

    .. math:: s(c) = P - (P - \alpha_f P)\,\frac{c - W}{T - W}, \qquad W \le c < T

    Lowers to :func:`jaxsched.linear` pieces.
    """
        + _WARMUP_DOC
        + """
      alpha_f: the final value as a fraction of ``initial_lr``.
      t_max: overrides the trainer's ``t_max``.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.LinearWithWarmup(warmup=2, alpha_f=0.0, initial_lr=1.0, max_steps=6)
      >>> [float(s(k)) for k in range(6)]
      [0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """
    )

    alpha_f: Real = value(default=0.1, minimum=0.0)
    t_max: int | None = _dur()
    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    warmup_min_lr: Real = value(default=0.0)

    examples = (
        {"warmup": 25, "initial_lr": 4e-4, "max_steps": 250},
        {"warmup": 0, "alpha_f": 0.0, "t_max": 300, "initial_lr": 4e-4, "max_steps": 250},
    )

    def __check_init__(self) -> None:
        _check_warmup(self)

    def _curve(self) -> Schedule:
        Traw = self.t_max if self.t_max is not None else self._t_max()
        T = self._steps("t_max", Traw)
        W = self._resolve("warmup", self.warmup, self.warmup_fraction, Traw)
        P = self.initial_lr
        eta = P * self.alpha_f
        self._warmup_lr(self.warmup_min_lr, P, W >= 2)
        after = jaxsched.linear(P, eta, T - W, transition_begin=W) if T > W else jaxsched.constant(eta)
        if W == 0:
            return after
        return _absolute([jaxsched.linear(self.warmup_min_lr, P, W), after], [W])


class InvSqrtWithWarmup(OLMoScheduler, name="compat.olmo.InvSqrtWithWarmup"):
    __doc__ = (
        r"""
    OLMo-core's ``InvSqrtWithWarmup``: warmup over ``current < warmup``, then an inverse square root
    towards :math:`\eta = \alpha_f P` (no horizon).

    .. math:: s(c) = \eta + (P - \eta)\sqrt{W/c}, \qquad c \ge W

    Lowers to :func:`jaxsched.inverse_power` (:math:`\tau = W`). Where the original is odd: with
    ``warmup = 0`` it is :math:`\eta` from the first update.
    """
        + _WARMUP_DOC
        + """
      alpha_f: the asymptote as a fraction of ``initial_lr``.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.InvSqrtWithWarmup(warmup=4, alpha_f=0.0, initial_lr=1.0, max_steps=100)
      >>> [float(s(k)) for k in (0, 3, 15)]
      [0.25, 1.0, 0.5]
    """
    )

    alpha_f: Real = value(default=0.1, minimum=0.0)
    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    warmup_min_lr: Real = value(default=0.0)

    examples = ({"warmup": 25, "initial_lr": 4e-4, "max_steps": 400},)

    def __check_init__(self) -> None:
        _check_warmup(self)

    def _curve(self) -> Schedule:
        W = self._resolve(
            "warmup", self.warmup, self.warmup_fraction, self._t_max() if self.warmup is None else 0
        )
        P = self.initial_lr
        eta = P * self.alpha_f
        self._warmup_lr(self.warmup_min_lr, P, W >= 2)
        if W == 0:
            return jaxsched.constant(eta)
        law = jaxsched.shift(jaxsched.inverse_power(P, W, 0.5, end_value=eta), W)
        return _absolute([jaxsched.linear(self.warmup_min_lr, P, W), law], [W])


def _cos_with_warmup(self: Any) -> tuple[Schedule, int, int]:
    """``CosWithWarmup``'s curve, its warmup and its ``t_max`` in steps."""
    Traw = self.t_max if self.t_max is not None else self._t_max()
    T = self._steps("t_max", Traw)
    W = self._resolve("warmup", self.warmup, self.warmup_fraction, Traw)
    P, m = self.initial_lr, self.warmup_min_lr
    eta = P * self.alpha_f
    self._warmup_lr(m, P, W >= 2)
    if T > W:
        return jaxsched.warmup_cosine_decay(m, P, W, T, end_value=eta), W, T
    if W == 0:
        return jaxsched.constant(eta), W, T
    return _absolute([jaxsched.linear(m, P, W), jaxsched.constant(eta)], [W]), W, T


class CosWithWarmup(OLMoScheduler, name="compat.olmo.CosWithWarmup"):
    __doc__ = (
        r"""
    OLMo-core's ``CosWithWarmup``: warmup over ``current < warmup``, then a cosine from ``initial_lr``
    to :math:`\eta = \alpha_f P` at ``t_max`` (its own if set, else the trainer's).

    .. math:: s(c) = \eta + (P - \eta)\,\tfrac{1}{2}\left(1 + \cos\pi\tfrac{c - W}{T - W}\right)

    Lowers to :func:`jaxsched.warmup_cosine_decay`. OLMo-core's ``1 + cos`` loses the last digits near the
    end when :math:`\eta = 0`; the port is compared with the exact value there.
    """
        + _WARMUP_DOC
        + """
      alpha_f: the final value as a fraction of ``initial_lr``.
      t_max: overrides the trainer's ``t_max``.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.CosWithWarmup(warmup=0, alpha_f=0.0, initial_lr=1.0, max_steps=4)
      >>> [round(float(s(k)), 4) for k in range(4)]
      [0.8536, 0.5, 0.1464, 0.0]
    """
    )

    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    alpha_f: Real = value(default=0.1, minimum=0.0)
    t_max: int | None = _dur()
    warmup_min_lr: Real = value(default=0.0)

    examples = (
        {"warmup": 25, "initial_lr": 4e-4, "max_steps": 250},
        {"warmup_fraction": 0.02, "alpha_f": 0.0, "initial_lr": 6e-4, "max_steps": 400, "t_max": 500},
    )

    def __check_init__(self) -> None:
        _check_warmup(self)

    def _curve(self) -> Schedule:
        return _cos_with_warmup(self)[0]


class HalfCosWithWarmup(OLMoScheduler, name="compat.olmo.HalfCosWithWarmup"):
    __doc__ = (
        r"""
    OLMo-core's ``HalfCosWithWarmup``: the second half of a cosine over twice ``t_max - warmup``,
    after a warmup to its midpoint :math:`\eta + (P - \eta)/2`.

    .. math:: s(c) = \eta + (P - \eta)\,\tfrac{1}{2}\left(1 + \cos\pi\tfrac{c - W + L}{2L}\right),
        \qquad L = T - W

    Lowers to :func:`jaxsched.cosine_decay` over :math:`2L`, advanced by :math:`L`.
    """
        + _WARMUP_DOC
        + """
      alpha_f: the final value as a fraction of ``initial_lr``.
      t_max: overrides the trainer's ``t_max``.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.HalfCosWithWarmup(warmup=1, alpha_f=0.0, initial_lr=1.0, max_steps=5)
      >>> [round(float(s(k)), 4) for k in range(5)]
      [0.5, 0.3087, 0.1464, 0.0381, 0.0]
    """
    )

    warmup: int | None = _dur()
    warmup_steps: int | None = _dur()
    warmup_fraction: float | None = _frac()
    alpha_f: Real = value(default=0.1, minimum=0.0)
    t_max: int | None = _dur()
    warmup_min_lr: Real = value(default=0.0)

    examples = ({"warmup": 25, "initial_lr": 4e-4, "max_steps": 250},)

    def __check_init__(self) -> None:
        _check_warmup(self)

    def _curve(self) -> Schedule:
        Traw = self.t_max if self.t_max is not None else self._t_max()
        T = self._steps("t_max", Traw)
        W = self._resolve("warmup", self.warmup, self.warmup_fraction, Traw)
        P, m = self.initial_lr, self.warmup_min_lr
        eta = P * self.alpha_f
        half = eta + (P - eta) / 2
        self._warmup_lr(m, half, W >= 2)
        if T > W:
            L = T - W
            after: Schedule = jaxsched.shift(jaxsched.cosine_decay(P, 2 * L, alpha=self.alpha_f), -L)
        else:
            after = jaxsched.constant(eta)
        if W == 0:
            return after
        return jaxsched.join([jaxsched.linear(m, half, W), after], [W])


class CosWithWarmupAndLinearDecay(CosWithWarmup, name="compat.olmo.CosWithWarmupAndLinearDecay"):
    __doc__ = (
        r"""
    OLMo-core's ``CosWithWarmupAndLinearDecay``: :class:`CosWithWarmup` cut at ``t_max - decay`` (the
    trainer's ``t_max``) and decayed linearly from its value there to ``decay_min_lr`` at ``t_max``.

    .. math:: s(c) = E + (\operatorname{cos}(T - D) - E)\,\frac{\min(T - c, D)}{D}, \qquad c \ge T - D

    Lowers to :class:`CosWithWarmup`'s pieces and a :func:`jaxsched.linear` tail whose start is the cosine
    factor there (computed once from the catalog) times the leaves.
    """
        + _WARMUP_DOC
        + """
      alpha_f: the cosine's final value as a fraction of ``initial_lr``.
      t_max: overrides the trainer's ``t_max`` for the cosine only.
      decay: tail length (or ``decay_fraction`` of the trainer's ``t_max``; default 0.1).
      decay_steps: deprecated name of ``decay``.
      decay_fraction: in [0, 1].
      decay_min_lr: the final value.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.CosWithWarmupAndLinearDecay(warmup=0, alpha_f=0.0, decay=2, decay_fraction=None,
      ...                                      initial_lr=1.0, max_steps=4)
      >>> [round(float(s(k)), 4) for k in range(4)]
      [0.8536, 0.5, 0.25, 0.0]
    """
    )

    decay: int | None = _dur()
    decay_steps: int | None = _dur()
    decay_fraction: float | None = _frac(0.1)
    decay_min_lr: Real = value(default=0.0)

    examples = ({"warmup": 25, "initial_lr": 4e-4, "max_steps": 250},)  # type: ignore[assignment]

    def __check_init__(self) -> None:
        _check_decay(self)

    def _curve(self) -> Schedule:
        cos, W, Tc = _cos_with_warmup(self)
        Traw = self._t_max()
        T = self._steps("max_steps" if self.scheduler_units == "steps" else "max_tokens", Traw)
        D = self._resolve("decay", self.decay, self.decay_fraction, Traw)
        if D == 0:
            raise OLMoZeroDivisionError("decay", "is 0: OLMo-core divides by it at current = t_max", 0)
        x = T - D
        if x < 0:
            raise v.ScheduleArgumentError("decay", f"is longer than t_max ({T} steps)", D)
        P, m = self.initial_lr, self.warmup_min_lr
        # The cosine's value at x, from its leaves and a factor of the catalog's cosine there.
        if x < W:
            start = m + (P - m) * (x / W)
        elif Tc > W:
            C = float(jaxsched.cosine_decay(1.0, Tc - W).numpy(x - W))
            start = P * (self.alpha_f + (1.0 - self.alpha_f) * C)
        else:
            start = P * self.alpha_f
        self._decay_lr(self.decay_min_lr, start if known(start) else None, True)
        tail = jaxsched.shift(jaxsched.linear(start, self.decay_min_lr, D), x)
        if x <= 1:
            return tail
        return _absolute([cos, tail], [x])


def _interpolate(shape: str, start: Any, end: Any, duration: int) -> Schedule:
    """OLMo-core's ``_interpolate_lr`` from ``start`` to ``end`` over ``duration`` steps (linear, or
    ``end + (start - end)(1 + cos)/2``)."""
    if shape == "linear":
        return jaxsched.linear(start, end, duration)
    return jaxsched.warmup_cosine_decay(start, start, 0, duration, end_value=end)


_STAGE_KEYS = ("duration", "shape", "start_lr", "start_lr_fraction", "end_lr", "end_lr_fraction")


def _stage(name: str, x: Any, override: bool = False) -> dict[str, Any]:
    """A ``ComposableSchedulerStage`` or ``OverrideDecay`` (a mapping or the dataclass), checked as
    OLMo-core checks it."""
    if isinstance(x, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in x):
        x = dict(x)  # already normalised (a replace() passes stored values again)
    if not isinstance(x, Mapping):
        if dataclasses.is_dataclass(x):
            x = {f.name: getattr(x, f.name) for f in dataclasses.fields(x)}
        else:
            raise v.ScheduleArgumentTypeError(name, "a mapping of the stage's fields", x)
    keys = ("start", *_STAGE_KEYS[:2], *_STAGE_KEYS[4:]) if override else _STAGE_KEYS
    unknown = sorted(set(x) - set(keys))
    if unknown:
        raise v.ScheduleArgumentError(name, f"has unknown keys {unknown}", dict(x))
    out: dict[str, Any] = {}
    for key in keys:
        val = x.get(key)
        if key == "shape":
            val = str(getattr(val, "value", val or "linear"))
            if val not in ("linear", "cosine"):
                raise v.ScheduleArgumentError(f"{name}.shape", "must be 'linear' or 'cosine'", val)
        elif key in ("duration", "start"):
            val = static_int()(f"{name}.{key}", val)
        elif val is not None:
            val = Value().convert(f"{name}.{key}", val)
        out[key] = val
    if out["duration"] <= 0:
        raise OLMoConfigurationError(f"{name}.duration", "must be > 0", out["duration"])
    if override and out["start"] < 0:
        raise OLMoConfigurationError(f"{name}.start", "must be >= 0", out["start"])
    if not override and out["start_lr"] is not None and out["start_lr_fraction"] is not None:
        raise OLMoConfigurationError(
            name, "specify at most one of 'start_lr' or 'start_lr_fraction'", dict(x)
        )
    if (out["end_lr"] is None) == (out["end_lr_fraction"] is None):
        raise OLMoConfigurationError(name, "specify exactly one of 'end_lr' or 'end_lr_fraction'", dict(x))
    for key in ("start_lr", "start_lr_fraction", "end_lr", "end_lr_fraction"):
        if out.get(key) is not None and out[key] < 0:
            raise OLMoConfigurationError(f"{name}.{key}", "must be >= 0", out[key])
    return out


def _stages(name: str, x: Any) -> tuple[tuple[tuple[str, Any], ...], ...]:
    if isinstance(x, str | bytes | Mapping) or not isinstance(x, Sequence):
        raise v.ScheduleArgumentTypeError(name, "a list of stages", x)
    if not x:
        raise OLMoConfigurationError(name, "must be specified and non-empty", list(x))
    return tuple(tuple(_stage(f"{name}[{i}]", s).items()) for i, s in enumerate(x))


def _override(name: str, x: Any) -> tuple[tuple[str, Any], ...] | None:
    return None if x is None else tuple(_stage(name, x, override=True).items())


class _WithOverride(OLMoScheduler):
    """The ``override_decay`` of ``ComposableScheduler`` and ``SequentialScheduler``."""

    def _main(self) -> Schedule:
        raise NotImplementedError

    def _main_at(self, main: Schedule, x: int) -> Any:
        """The main schedule's value at step ``x`` (host), an expression in ``initial_lr``."""
        raise NotImplementedError

    def _curve(self) -> Schedule:
        main = self._main()
        od = dict(self.override_decay) if self.override_decay else None  # type: ignore[attr-defined]
        if od is None:
            return main
        start = self._steps("override_decay.start", od["start"])
        dur = self._steps("override_decay.duration", od["duration"])
        P = self.initial_lr
        end = od["end_lr"] if od["end_lr"] is not None else P * od["end_lr_fraction"]
        decay = jaxsched.shift(_interpolate(od["shape"], self._main_at(main, start), end, dur), start)
        if start == 0:
            return decay
        return _absolute([main, decay], [start])


class ComposableScheduler(_WithOverride, name="compat.olmo.ComposableScheduler"):
    r"""OLMo-core's ``ComposableScheduler``: stages of given durations, each linear or cosine from its start
    LR (given, a fraction of ``initial_lr``, or the previous stage's end) to its end LR; the last end is held.
    ``override_decay`` replaces the schedule from ``start`` on by a decay from the value it had there.

    .. math::
        s(c) = a_i + (b_i - a_i)\,f\left(\frac{c - S_i}{d_i}\right), \qquad S_i \le c < S_i + d_i,
        \qquad f(x) = x \text{ or } \tfrac{1}{2}(1 - \cos \pi x)

    Lowers to a :func:`jaxsched.join` of :func:`jaxsched.linear` / :func:`jaxsched.warmup_cosine_decay`
    pieces. The stages are static metadata (their LRs are not leaves; ``initial_lr`` is); the override's
    start value is the main schedule's value there, :math:`aP + b` with :math:`a, b` from the catalog
    curves at :math:`P = 1` and :math:`P = 0`. OLMo-core ignores ``t_max`` here.

    Args:
      stages: ``[{"duration", "shape", "start_lr" | "start_lr_fraction", "end_lr" | "end_lr_fraction"}]``
        (or OLMo-core's ``ComposableSchedulerStage`` objects).
      override_decay: ``{"start", "duration", "shape", "end_lr" | "end_lr_fraction"}`` or None.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.ComposableScheduler([{"duration": 2, "start_lr": 0.0, "end_lr_fraction": 1.0},
      ...                               {"duration": 2, "end_lr": 0.0}], initial_lr=1.0, max_steps=5)
      >>> [float(s(k)) for k in range(5)]
      [0.5, 1.0, 0.5, 0.0, 0.0]
    """

    stages: tuple[Any, ...] = of_role(_Struct(_stages, lambda x: [dict(st) for st in x]))
    override_decay: Any = of_role(_Struct(_override, lambda x: None if x is None else dict(x)), default=None)

    examples = (
        {
            "stages": [
                {"duration": 25, "shape": "linear", "start_lr": 0.0, "end_lr_fraction": 1.0},
                {"duration": 175, "shape": "cosine", "end_lr_fraction": 0.1},
            ],
            "initial_lr": 4e-4,
            "max_steps": 250,
        },
        {
            "stages": [
                {"duration": 12, "start_lr_fraction": 0.0, "end_lr": 1e-3},
                {"duration": 125, "end_lr": 1e-3},
            ],
            "override_decay": {"start": 75, "duration": 25, "shape": "cosine", "end_lr_fraction": 0.0},
            "initial_lr": 1e-3,
            "max_steps": 150,
        },
    )

    def _main_for(self, P: Any) -> Schedule:
        pieces, starts, at, prev = [], [], 0, P
        for st in map(dict, self.stages):
            d = self._steps("stages.duration", st["duration"])
            if st["start_lr"] is not None:
                a = st["start_lr"]
            elif st["start_lr_fraction"] is not None:
                a = P * st["start_lr_fraction"]
            else:
                a = prev
            b = st["end_lr"] if st["end_lr"] is not None else P * st["end_lr_fraction"]
            pieces.append(_interpolate(st["shape"], a, b, d))
            if pieces[1:]:
                starts.append(at)
            at, prev = at + d, b
        pieces.append(jaxsched.constant(prev))
        starts.append(at)
        if at > MAX_STEP:
            raise v.ScheduleArgumentError("stages", "last past the last step 2**31 - 1", at)
        return jaxsched.join(pieces, starts)

    def _main(self) -> Schedule:
        return self._main_for(self.initial_lr)

    def _main_at(self, main: Schedule, x: int) -> Any:
        b = float(self._main_for(0.0).numpy(x))
        a = float(self._main_for(1.0).numpy(x)) - b
        return a * self.initial_lr + b


_TYPES = {
    "constant": "ConstantScheduler",
    "constant_with_warmup": "ConstantWithWarmup",
    "wsd": "WSD",
    "power_lr": "PowerLR",
    "linear_with_warmup": "LinearWithWarmup",
    "inv_sqrt_with_warmup": "InvSqrtWithWarmup",
    "cos_with_warmup": "CosWithWarmup",
    "half_cos_with_warmup": "HalfCosWithWarmup",
    "cos_with_warmup_and_linear_decay": "CosWithWarmupAndLinearDecay",
    "composable": "ComposableScheduler",
    "sequential": "SequentialScheduler",
    "wsds": "WSDS",
    "exponential": "ExponentialScheduler",
}
_CONTEXT = ("initial_lr", "scheduler_units", "max_steps", "max_tokens", "tokens_per_step")


def _sub(name: str, x: Any) -> tuple[tuple[str, Any], ...]:
    """A scheduler of a ``SequentialScheduler``: a port (its trainer fields are replaced), or a mapping
    ``{"type": <OLMo-core name or class name>, **fields}``."""
    if isinstance(x, tuple) and x and x[0][:1] == ("type",):
        x = dict(x)  # already normalised
    kind: str
    if isinstance(x, OLMoScheduler):
        cfg = x.to_config()
        kind = type(x).__name__
        fields = {k: val for k, val in cfg.items() if k != "name" and k not in _CONTEXT}
    elif isinstance(x, Mapping) and "type" in x:
        kind = str(_TYPES.get(x["type"], x["type"]))
        fields = {k: val for k, val in x.items() if k not in ("type", "units") and k not in _CONTEXT}
    else:
        raise v.ScheduleArgumentTypeError(name, "an OLMo-core port or {'type': ..., **fields}", x)
    if kind not in __all__ or kind in ("SequentialScheduler",) or not kind[0].isupper():
        raise v.ScheduleArgumentError(f"{name}.type", f"must be one of {sorted(_TYPES)}", kind)
    cls = globals()[kind]
    for f in dataclasses.fields(cls):  # the defaults spelled out: one form per configuration
        missing = f.name not in fields and f.default is not dataclasses.MISSING
        if f.init and f.name not in _CONTEXT and missing:
            fields[f.name] = f.default
    unknown = sorted(set(fields) - {f.name for f in dataclasses.fields(cls)})
    if unknown:
        raise v.ScheduleArgumentError(name, f"has fields that {kind} does not take: {unknown}", dict(x))
    return (("type", kind), *sorted(fields.items()))


def _subs(name: str, x: Any) -> tuple[Any, ...]:
    if isinstance(x, str | bytes | Mapping) or not isinstance(x, Sequence):
        raise v.ScheduleArgumentTypeError(name, "a list of schedulers", x)
    return tuple(_sub(f"{name}[{i}]", s) for i, s in enumerate(x))


def _ints(name: str, x: Any) -> tuple[int, ...] | None:
    if x is None:
        return None
    if isinstance(x, str | bytes) or not isinstance(x, Sequence):
        raise v.ScheduleArgumentTypeError(name, "a list of integers", x)
    return tuple(static_int(0)(f"{name}[{i}]", e) for i, e in enumerate(x))


class SequentialScheduler(_WithOverride, name="compat.olmo.SequentialScheduler"):
    r"""OLMo-core's ``SequentialScheduler``: scheduler :math:`i` runs for ``schedulers_max[i]`` (the last
    to the end) on its own clock, with ``t_max`` the smaller of what remains and its own length, and
    starts from the previous one's final LR as its ``initial_lr``.

    .. math:: s(c) = g_i\left(P_i,\ c - M_i,\ \min(T - M_i, m_i)\right), \qquad M_i < c \le M_i + m_i,
        \qquad P_{i+1} = g_i(P_i, m_i, m_i)

    The chained initial LRs (each the previous scheduler's value at its end) are computed once, at
    construction, from the catalog curves: they are static here (no gradient through them), so the
    schedule must be built from concrete numbers. ``override_decay`` as in :class:`ComposableScheduler`.

    Args:
      schedulers: OLMo-core ports (their ``initial_lr``/``max_steps``/... are replaced) or
        ``{"type": "cos_with_warmup", **fields}`` mappings.
      schedulers_max: the length of each scheduler but the last (a value for the last is dropped).
      schedulers_max_steps: deprecated name of ``schedulers_max``.
      override_decay: see :class:`ComposableScheduler`.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.SequentialScheduler([{"type": "constant_with_warmup", "warmup": 2},
      ...                               {"type": "linear_with_warmup", "warmup": 0, "alpha_f": 0.0}],
      ...                              schedulers_max=[2], initial_lr=1.0, max_steps=6)
      >>> [float(s(k)) for k in range(6)]
      [0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """

    schedulers: tuple[Any, ...] = of_role(_Struct(_subs, lambda x: [dict(sub) for sub in x]))
    schedulers_max: tuple[int, ...] | None = static(default=None, converter=_ints)
    schedulers_max_steps: tuple[int, ...] | None = static(default=None, converter=_ints)
    override_decay: Any = of_role(_Struct(_override, lambda x: None if x is None else dict(x)), default=None)
    _initial_lrs: tuple[float, ...] = static(default=(), init=False)
    _override_start: float | None = static(default=None, init=False)

    examples = (
        {
            "schedulers": [
                {"type": "constant_with_warmup", "warmup": 100},
                {"type": "cos_with_warmup", "warmup": 0, "alpha_f": 0.1},
            ],
            "schedulers_max": [75],
            "initial_lr": 4e-4,
            "max_steps": 250,
        },
    )

    def __check_init__(self) -> None:
        _alias(self, "schedulers_max", "schedulers_max_steps")
        if self.schedulers_max is None:
            raise OLMoConfigurationError("schedulers_max", "must be specified", None)
        maxes = list(self.schedulers_max)
        if len(maxes) == len(self.schedulers):
            maxes.pop()
            self._set("schedulers_max", tuple(maxes))
        if len(maxes) + 1 != len(self.schedulers):
            raise OLMoConfigurationError(
                "schedulers_max", "must be set for all schedulers except the last", list(maxes)
            )
        if not known(self.initial_lr):
            raise v.ScheduleArgumentTypeError(
                "initial_lr",
                "a concrete number (the chained initial LRs are computed at construction)",
                self.initial_lr,
            )
        lrs, P = [], self.initial_lr
        for sub, smax in zip(self.schedulers, maxes, strict=False):
            lrs.append(P)
            P = float(self._sub(sub, P, smax)._curve().numpy(self._steps("schedulers_max", smax)))
        lrs.append(P)
        self._set("_initial_lrs", tuple(lrs))
        if self.override_decay is not None:  # the main schedule's value where the override starts
            start = self._steps("override_decay.start", dict(self.override_decay)["start"])
            self._set("_override_start", float(self._main().numpy(start)))

    def _sub(self, sub: Any, P: Any, t_max: int) -> OLMoScheduler:
        fields = dict(sub)
        cls = globals()[fields.pop("type")]
        ctx = {
            "initial_lr": P,
            "scheduler_units": self.scheduler_units,
            "tokens_per_step": self.tokens_per_step,
            ("max_steps" if self.scheduler_units == "steps" else "max_tokens"): t_max,
        }
        return cls(**fields, **ctx)

    def _main(self) -> Schedule:
        Traw = self._t_max()
        assert self.schedulers_max is not None
        pieces: list[Schedule] = []
        starts: list[int] = []
        at = 0
        for i, sub in enumerate(self.schedulers):
            P = self.initial_lr if i == 0 else self._initial_lrs[i]
            if i < len(self.schedulers_max):
                smax = self.schedulers_max[i]
                curve = self._sub(sub, P, min(Traw - at, smax))._curve()
            else:
                if not Traw - at > 0:
                    raise OLMoAssertionError(
                        "schedulers_max",
                        f"leave no steps for the last scheduler (t_max {Traw})",
                        list(self.schedulers_max),
                    )
                curve = self._sub(sub, P, Traw - at)._curve()
            if i:
                pieces.append(jaxsched.shift(curve, -1))
                starts.append(self._steps("schedulers_max", at) + 1)
            else:
                pieces.append(curve)
            if i < len(self.schedulers_max):
                at += self.schedulers_max[i]
        return jaxsched.join(pieces, starts)

    def _main_at(self, main: Schedule, x: int) -> Any:
        return self._override_start


def _floats_or_none(name: str, x: Any) -> tuple[float, ...] | None:
    """None, or a sequence of finite floats (each checked under its own index)."""
    return None if x is None else tuple(float(Value().convert(f"{name}[{i}]", e)) for i, e in enumerate(x))


class WSDS(OLMoScheduler, name="compat.olmo.WSDS"):
    __doc__ = (
        r"""
    OLMo-core's ``WSDS`` (warmup-stable-decay-simplified, Wen et al., arXiv 2410.05192): periods of
    given lengths at peak ``initial_lr * period_lr_multipliers[i]``, each ending with a linear decay to
    ``decay_min_lr`` over ``decay`` (or ``decay_fraction`` of the period); a warmup takes the start of the
    first period.

    .. math:: s = E + (P_i - E)\,\frac{\min(L_i - e, D_i)}{D_i} \text{ at position } e \text{ of period } i

    Lowers to a :func:`jaxsched.join` of :func:`jaxsched.linear` pieces. As in OLMo-core, a later period
    starts one step after the previous one reaches ``decay_min_lr``; ``decay_min_lr`` is held after the
    last. Where the original is odd: a decay of 0 divides by zero at the end of every period but the last
    (refused).
    """
        + _WARMUP_DOC
        + """
      period_lengths: the period lengths.
      period_lr_multipliers: one factor on ``initial_lr`` per period, or None.
      decay: each period's decay (or ``decay_fraction`` of the period, rounded).
      decay_fraction: in [0, 1].
      decay_min_lr: the end of every decay.

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.WSDS([4, 3], warmup=1, decay=2, initial_lr=1.0, max_steps=8)
      >>> [float(s(k)) for k in range(8)]
      [1.0, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, 0.0]
    """
    )

    period_lengths: tuple[int, ...] = static(default=(), converter=_ints)
    period_lr_multipliers: tuple[float, ...] | None = static(default=None, converter=_floats_or_none)
    warmup: int | None = _dur()
    warmup_fraction: float | None = _frac()
    decay: int | None = _dur()
    decay_fraction: float | None = _frac()
    warmup_min_lr: Real = value(default=0.0)
    decay_min_lr: Real = value(default=0.0)

    examples = (
        {"period_lengths": [100, 75, 75], "warmup": 12, "decay": 15, "initial_lr": 1e-3, "max_steps": 250},
        {
            "period_lengths": [125, 125],
            "period_lr_multipliers": [1.0, 0.5],
            "warmup_fraction": 0.1,
            "decay_fraction": 0.2,
            "decay_min_lr": 1e-5,
            "initial_lr": 1e-3,
            "max_steps": 250,
        },
    )

    def __check_init__(self) -> None:
        L = self.period_lengths
        if not L:
            raise OLMoConfigurationError("period_lengths", "must be provided and non-empty", [])
        if any(p <= 0 for p in L):
            raise OLMoConfigurationError("period_lengths", "entries must all be > 0", list(L))
        m = self.period_lr_multipliers
        if m is not None:
            if len(m) != len(L):
                raise OLMoConfigurationError(
                    "period_lr_multipliers", "length must match period_lengths", list(m)
                )
            if any(x <= 0 for x in m):
                raise OLMoConfigurationError("period_lr_multipliers", "entries must all be > 0", list(m))
        if (self.warmup is None) == (self.warmup_fraction is None):
            raise OLMoConfigurationError(
                "warmup", "exactly one of 'warmup' or 'warmup_fraction' must be specified", self.warmup
            )
        if self.warmup_fraction is not None and not 0 <= self.warmup_fraction <= 1:
            raise OLMoConfigurationError("warmup_fraction", "must be in [0, 1]", self.warmup_fraction)
        if (self.decay is None) == (self.decay_fraction is None):
            raise OLMoConfigurationError(
                "decay", "exactly one of 'decay' or 'decay_fraction' must be specified", self.decay
            )
        if self.decay_fraction is not None and not 0 <= self.decay_fraction <= 1:
            raise OLMoConfigurationError("decay_fraction", "must be in [0, 1]", self.decay_fraction)
        if known(self.decay_min_lr) and self.decay_min_lr < 0:
            raise OLMoConfigurationError("decay_min_lr", "must be >= 0", self.decay_min_lr)
        W = self._warmup_raw()
        if W + self._decay_raw(L[0]) > L[0]:
            raise OLMoConfigurationError(
                "warmup",
                f"({W}) + decay ({self._decay_raw(L[0])}) exceeds the first period length ({L[0]})",
                W,
            )
        for i, p in enumerate(L[1:], start=1):
            if self._decay_raw(p) > p:
                raise OLMoConfigurationError(
                    "decay", f"({self._decay_raw(p)}) exceeds period {i}'s length ({p})", self.decay
                )

    def _warmup_raw(self) -> int:
        if self.warmup is not None:
            return int(self.warmup)
        assert self.warmup_fraction is not None
        return round(self.warmup_fraction * self.period_lengths[0])

    def _decay_raw(self, p: int) -> int:
        if self.decay is not None:
            return int(self.decay)
        assert self.decay_fraction is not None
        return round(self.decay_fraction * p)

    def _curve(self) -> Schedule:
        P, m, E = self.initial_lr, self.warmup_min_lr, self.decay_min_lr
        mult = self.period_lr_multipliers or (1.0,) * len(self.period_lengths)
        W = self._steps("warmup", self._warmup_raw())
        peaks = [P * x for x in mult]
        self._warmup_lr(m, peaks[0], W >= 2)
        pieces: list[Schedule] = []
        starts: list[int] = []
        end = 0
        last = len(self.period_lengths) - 1
        for i, raw in enumerate(self.period_lengths):
            L = self._steps("period_lengths", raw) - (W if i == 0 else 0)
            D = self._steps("decay", self._decay_raw(raw))
            if D == 0:
                if i < last:
                    raise OLMoZeroDivisionError(
                        "decay", f"is 0 for period {i}: OLMo-core divides by it at the period's end", 0
                    )
                piece: Schedule = jaxsched.constant(peaks[i])
            else:
                self._decay_lr(E, peaks[i], True)
                piece = jaxsched.linear(peaks[i], E, D, transition_begin=L - D)
            if i:
                pieces.append(jaxsched.shift(piece, -1))  # a later period starts at its position 1
                starts.append(end + 1)
            else:
                pieces.append(piece)
            end += L
        pieces.append(jaxsched.constant(E))
        starts.append(end)
        periods = jaxsched.join(pieces, starts)
        if W == 0:
            return periods
        return jaxsched.join([jaxsched.linear(m, peaks[0], W), periods], [W])


class ExponentialScheduler(OLMoScheduler, name="compat.olmo.ExponentialScheduler"):
    r"""OLMo-core's ``ExponentialScheduler``: exponential growth from ``lr_min`` to ``initial_lr`` at
    ``t_max``, then ``initial_lr``.

    .. math:: s(c) = \ell\,(P/\ell)^{\min(c, T)/T}

    Lowers to :func:`jaxsched.exponential_decay` with rate :math:`P/\ell` and ``end_value`` :math:`P`.

    Args:
      lr_min: :math:`\ell > 0` (the value at ``current = 0``, which no update uses).

    Example:
      >>> from jaxsched.compat import olmo
      >>> s = olmo.ExponentialScheduler(lr_min=0.01, initial_lr=1.0, max_steps=2)
      >>> s.numpy([0, 1, 2]).tolist()
      [0.1, 1.0, 1.0]
    """

    lr_min: Real = value(default=1e-9)

    examples = ({"lr_min": 1e-7, "initial_lr": 1e-2, "max_steps": 200},)

    def __check_init__(self) -> None:
        if known(self.lr_min) and not self.lr_min > 0:
            raise OLMoConfigurationError("lr_min", "must be positive", self.lr_min)
        if known(self.initial_lr) and self.initial_lr == 0:
            raise v.ScheduleArgumentError(
                "initial_lr", "must be > 0 (the growth rate initial_lr / lr_min)", 0.0
            )

    def _curve(self) -> Schedule:
        T = self._steps("max_steps" if self.scheduler_units == "steps" else "max_tokens", self._t_max())
        P = self.initial_lr
        if T == 0:
            return jaxsched.constant(P)
        return jaxsched.exponential_decay(self.lr_min, T, P / self.lr_min, end_value=P)
