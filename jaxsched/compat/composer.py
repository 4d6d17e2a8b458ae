"""Ports of MosaicML Composer's schedulers (``composer.optim.scheduler``).

A Composer scheduler returns a multiplier of the optimizer's LR from the trainer's timestamp; Composer
wraps it in a ``LambdaLR`` stepped after every batch, so update ``k`` (batch ``k``, from 0) uses
``lr * scheduler(state)`` with the timestamp at the start of that batch: ``k`` batches, ``k`` times the
samples and tokens per batch. The ports take the scheduler's own arguments, times as Composer's time
strings (``"10ep"``, ``"1000ba"``, ``"0.1dur"``, ``"5e8tok"``, ``"20000sp"``), and, as keyword arguments,
what the trainer's state supplies:

- ``lr``: the optimizer's LR (1.0: the port is the multiplier itself);
- ``max_duration`` (required, as Composer asserts it is set): the state's ``max_duration``, after the
  trainer scaled it by ``scale_schedule_ratio``;
- ``dataloader_len``: batches per epoch, for ``ep`` times (and ``dur`` with an epoch ``max_duration``);
- ``tokens_per_batch`` / ``samples_per_batch``: for ``tok`` / ``sp`` times, with a fixed batch;
- ``ssr``: the ``scale_schedule_ratio`` Composer passes to the scheduler.

Times convert as Composer's ``_convert_time`` does: ``ep`` to batches, then ``int(value * ssr)``; ``dur``
to ``int(fraction * max_duration)`` in ``max_duration``'s unit, *without* ``ssr`` (Composer scaled
``max_duration`` already). A ``tok``/``sp`` time must come to a whole number of batches (refused
otherwise: a phase boundary between two batches needs a token clock, and fractional boundaries are not
in the catalog yet).

>>> from jaxsched.compat import composer
>>> s = composer.CosineAnnealingWithWarmupScheduler("10ba", lr=0.1, max_duration="100ba")
>>> round(float(s(5)), 6), round(float(s(55)), 6), float(s(100))
(0.05, 0.05, 0.0)
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, Static, Value, flag, of_role, static, static_float, static_int, value
from jaxsched._numerics import MAX_STEP

__all__ = [
    "ComposerScheduler",
    "ComposerZeroDivisionError",
    "ConstantScheduler",
    "ConstantWithWarmupScheduler",
    "CosineAnnealingScheduler",
    "CosineAnnealingWarmRestartsScheduler",
    "CosineAnnealingWithWarmupScheduler",
    "ExponentialScheduler",
    "LinearScheduler",
    "LinearWithWarmupScheduler",
    "MultiStepScheduler",
    "MultiStepWithWarmupScheduler",
    "PolynomialScheduler",
    "PolynomialWithWarmupScheduler",
    "StepScheduler",
]

UNITS = ("ep", "ba", "sp", "tok", "dur")
_TIME = re.compile(r"^(.+?)(ep|ba|sp|tok|dur|iter|sec)$", re.IGNORECASE)


class ComposerZeroDivisionError(v.ScheduleArgumentError, ZeroDivisionError):
    """A time for which Composer divides by zero."""


def _time(name: str, x: Any) -> str:
    """A Composer time (a time string or a ``composer.core.Time``) as a canonical time string."""
    if hasattr(x, "value") and hasattr(x, "unit") and not isinstance(x, str):
        x = f"{x.value}{getattr(x.unit, 'value', x.unit)}"
    if not isinstance(x, str):
        raise v.ScheduleArgumentTypeError(
            name, "a Composer time string such as '10ep', '1000ba' or '0.1dur'", x
        )
    m = _TIME.match(x.strip())
    if m is None:
        raise v.ScheduleArgumentError(
            name, "is not a Composer time string (a number followed by ep, ba, sp, tok or dur)", x
        )
    unit = m.group(2).lower()
    if unit in ("iter", "sec"):
        raise v.ScheduleArgumentError(
            name, f"unit {unit!r} is not supported by schedulers here (only {list(UNITS)})", x
        )
    try:
        val = float(m.group(1))
    except ValueError:
        raise v.ScheduleArgumentError(name, "is not a Composer time string", x) from None
    if not math.isfinite(val) or val < 0:
        raise v.ScheduleArgumentError(name, "must be a finite time >= 0", x)
    if unit == "dur":
        return f"{val!r}dur"
    if not val.is_integer():
        raise v.ScheduleArgumentTypeError(
            name, f"an integer number of {unit} (Composer: 'Units {unit} require integer values')", x
        )
    return f"{int(val)}{unit}"


def _times(name: str, x: Any) -> tuple[str, ...]:
    if isinstance(x, str) or not isinstance(x, list | tuple):
        raise v.ScheduleArgumentTypeError(name, "a list of Composer times", x)
    return tuple(_time(f"{name}[{i}]", t) for i, t in enumerate(x))


def _split(t: str) -> tuple[float | int, str]:
    m = _TIME.match(t)
    assert m is not None
    unit = m.group(2)
    return (float(m.group(1)) if unit == "dur" else int(m.group(1))), unit


def _opt_int(minimum: int) -> Any:
    def convert(name: str, x: Any) -> Any:
        if x is None:
            return None
        return static_int(minimum)(name, x)

    return convert


class ComposerScheduler(Port):
    """A port of a Composer scheduler: the multiplier times ``lr``, on the batch clock."""

    literal_fields: ClassVar[tuple[str, ...]] = (
        "step_size",
        "milestones",
        "t_max",
        "decay_period",
        "t_0",
        "t_warmup",
        "max_duration",
    )
    """Fields that hold Composer time strings, which configs keep as written (not jaxsched durations)."""

    lr: Real = of_role(Value(minimum=0.0), default=1.0, kw_only=True)
    max_duration: str = of_role(Static(_time), kw_only=True)
    dataloader_len: int | None = of_role(Static(_opt_int(1)), default=None, kw_only=True)
    tokens_per_batch: int | None = of_role(Static(_opt_int(1)), default=None, kw_only=True)
    samples_per_batch: int | None = of_role(Static(_opt_int(1)), default=None, kw_only=True)
    ssr: float = of_role(Static(static_float(minimum=0.0, min_open=True)), default=1.0, kw_only=True)

    # -- Composer's _convert_time, then to batches ------------------------------------------------------
    def _convert(self, name: str, t: str, ssr: float) -> tuple[int, str]:
        """``_convert_time(t, state, ssr)``: ``(value, unit)`` with unit ``ba``, ``sp`` or ``tok``."""
        val, unit = _split(t)
        if unit == "dur":
            mval, munit = _split(self.max_duration)
            if munit == "ep":
                return int(val * self._dataloader_len(name, t) * mval), "ba"
            if munit == "dur":
                raise v.ScheduleArgumentError("max_duration", "must not be in 'dur'", self.max_duration)
            return int(val * mval), munit
        if unit == "ep":
            val, unit = val * self._dataloader_len(name, t), "ba"
        return int(val * ssr), unit

    def _dataloader_len(self, name: str, t: str) -> int:
        if self.dataloader_len is None:
            raise v.ScheduleArgumentError(
                "dataloader_len", f"is needed for the epoch time {name}={t!r}", None
            )
        return self.dataloader_len

    def _batches(self, name: str, t: str, ssr: float | None = None) -> int:
        """The time ``t`` (converted with ``ssr``, the port's own by default) in whole batches."""
        n, unit = self._convert(name, t, self.ssr if ssr is None else ssr)
        per = {"ba": 1, "tok": self.tokens_per_batch, "sp": self.samples_per_batch}[unit]
        if per is None:
            field = "tokens_per_batch" if unit == "tok" else "samples_per_batch"
            raise v.ScheduleArgumentError(field, f"is needed for the time {name}={t!r}", None)
        if n % per:
            raise v.ScheduleArgumentError(
                name,
                f"is {n} {unit}, not a whole number of batches of {per} {unit}: a phase boundary "
                "between two batches needs a token (sample) clock",
                t,
            )
        if n // per > MAX_STEP:
            raise v.ScheduleArgumentError(name, "lies past the last step 2**31 - 1", t)
        return n // per

    def _unit(self, t: str, ssr: float | None = None) -> str:
        return self._convert("", t, self.ssr if ssr is None else ssr)[1]

    def _nonzero(self, name: str, t: str, n: int) -> int:
        if n == 0:
            raise ComposerZeroDivisionError(name, "is 0: Composer divides by it", t)
        return n

    def _scaled(self, factor: Schedule) -> Schedule:
        return jaxsched.multiply(factor, jaxsched.constant(self.lr))


class StepScheduler(ComposerScheduler, name="compat.composer.StepScheduler"):
    r"""Composer's ``StepScheduler``: :math:`\alpha(t) = \gamma^{\lfloor t / \rho \rfloor}`.

    .. math::
        \alpha(t) = \gamma^{\lfloor t / \rho \rfloor}

    Lowers to :func:`jaxsched.step_decay`. ``gamma`` must be in [0, 1] (above 1 the multiplier grows
    without bound); a ``step_size`` of 0 divides by zero in Composer and is refused.

    Args:
      step_size: :math:`\rho`, a Composer time.
      gamma: :math:`\gamma`.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.StepScheduler("2ep", gamma=0.5, max_duration="10ep", dataloader_len=3)
      >>> [float(s(k)) for k in (0, 5, 6, 12)]
      [1.0, 1.0, 0.5, 0.25]
    """

    step_size: str = static(converter=_time)
    gamma: Real = value(default=0.1, minimum=0.0, maximum=1.0)

    examples = (
        {"step_size": "100ba", "gamma": 0.5, "max_duration": "1000ba"},
        {
            "step_size": "2ep",
            "gamma": 0.1,
            "max_duration": "20ep",
            "dataloader_len": 50,
            "ssr": 0.5,
            "lr": 0.1,
        },
    )

    def lower(self) -> Schedule:
        S = self._nonzero("step_size", self.step_size, self._batches("step_size", self.step_size))
        return self._scaled(jaxsched.step_decay(1.0, S, self.gamma))


class MultiStepScheduler(ComposerScheduler, name="compat.composer.MultiStepScheduler"):
    r"""Composer's ``MultiStepScheduler``: :math:`\alpha(t) = \gamma^{\#\{i : t \ge m_i\}}`.

    .. math::
        \alpha(t) = \gamma^{\#\{i \,:\, t \ge m_i\}}

    Lowers to :func:`jaxsched.multistep_decay`.

    Args:
      milestones: Composer times.
      gamma: :math:`\gamma >= 0`.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.MultiStepScheduler(["2ba", "0.5dur"], gamma=0.5, max_duration="10ba")
      >>> [float(s(k)) for k in (0, 2, 5)]
      [1.0, 0.5, 0.25]
    """

    milestones: tuple[str, ...] = static(converter=_times)
    gamma: Real = value(default=0.1, minimum=0.0)

    examples = (
        {"milestones": ["30ep", "60ep", "80ep"], "gamma": 0.1, "max_duration": "90ep", "dataloader_len": 10},
        {"milestones": ["0.5dur", "0.75dur"], "gamma": 0.3, "max_duration": "1000ba"},
    )

    def lower(self) -> Schedule:
        ms = [self._batches(f"milestones[{i}]", m) for i, m in enumerate(self.milestones)]
        return self._scaled(jaxsched.multistep_decay(1.0, tuple(ms), self.gamma))


class ConstantScheduler(ComposerScheduler, name="compat.composer.ConstantScheduler"):
    r"""Composer's ``ConstantScheduler``: :math:`\alpha` before ``t_max``, 1 from then on.

    .. math::
        \alpha(t) = \begin{cases} \alpha & t < t_{max} \\ 1 & t \ge t_{max} \end{cases}

    Args:
      alpha: :math:`\alpha >= 0`.
      t_max: a Composer time.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.ConstantScheduler(0.5, "3ba", max_duration="5ba")
      >>> [float(s(k)) for k in range(5)]
      [0.5, 0.5, 0.5, 1.0, 1.0]
    """

    alpha: Real = value(default=1.0, minimum=0.0)
    t_max: str = static(default="1dur", converter=_time)

    examples = (
        {"alpha": 0.1, "t_max": "200ba", "max_duration": "1000ba"},
        {"alpha": 0.5, "t_max": "0.5dur", "max_duration": "2ep", "dataloader_len": 100},
    )

    def lower(self) -> Schedule:
        T = self._batches("t_max", self.t_max)
        return self._scaled(jaxsched.join([jaxsched.constant(self.alpha), jaxsched.constant(1.0)], [T]))


class LinearScheduler(ComposerScheduler, name="compat.composer.LinearScheduler"):
    r"""Composer's ``LinearScheduler``:
    :math:`\alpha(t) = \alpha_i + (\alpha_f - \alpha_i)\min(1, t/t_{max})`.

    .. math::
        \alpha(t) = \alpha_i + (\alpha_f - \alpha_i)\min(1, t/t_{max})

    Lowers to :func:`jaxsched.linear`.

    Args:
      alpha_i: :math:`\alpha_i >= 0`.
      alpha_f: :math:`\alpha_f >= 0`.
      t_max: a Composer time (0 divides by zero in Composer and is refused).

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.LinearScheduler(1.0, 0.0, "4ba", max_duration="6ba")
      >>> [float(s(k)) for k in range(6)]
      [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    alpha_i: Real = value(default=1.0, minimum=0.0)
    alpha_f: Real = value(default=0.0, minimum=0.0)
    t_max: str = static(default="1dur", converter=_time)

    examples = (
        {"alpha_i": 1.0, "alpha_f": 0.0, "t_max": "1dur", "max_duration": "1000ba"},
        {
            "alpha_i": 0.1,
            "alpha_f": 1.0,
            "t_max": "512000tok",
            "max_duration": "1024000tok",
            "tokens_per_batch": 1024,
        },
    )

    def lower(self) -> Schedule:
        T = self._nonzero("t_max", self.t_max, self._batches("t_max", self.t_max))
        return self._scaled(jaxsched.linear(self.alpha_i, self.alpha_f, T))


class ExponentialScheduler(ComposerScheduler, name="compat.composer.ExponentialScheduler"):
    r"""Composer's ``ExponentialScheduler``: :math:`\alpha(t) = \gamma^{t / \rho}`.

    .. math::
        \alpha(t) = \gamma^{t / \rho}

    Lowers to :func:`jaxsched.exponential_decay`. ``gamma`` must be in (0, 1].

    Args:
      gamma: :math:`\gamma`.
      decay_period: :math:`\rho`, a Composer time (Composer's default ``"1ep"``).

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.ExponentialScheduler(0.5, "2ba", max_duration="4ba")
      >>> [round(float(s(k)), 4) for k in range(4)]
      [1.0, 0.7071, 0.5, 0.3536]
    """

    gamma: Real = value(minimum=0.0, maximum=1.0, min_open=True)
    decay_period: str = static(default="1ep", converter=_time)

    examples = ({"gamma": 0.95, "decay_period": "1ep", "max_duration": "30ep", "dataloader_len": 100},)

    def lower(self) -> Schedule:
        P = self._nonzero("decay_period", self.decay_period, self._batches("decay_period", self.decay_period))
        return self._scaled(jaxsched.exponential_decay(1.0, P, self.gamma))


class CosineAnnealingScheduler(ComposerScheduler, name="compat.composer.CosineAnnealingScheduler"):
    r"""Composer's ``CosineAnnealingScheduler``:
    :math:`\alpha(t) = \alpha_f + (1 - \alpha_f)\,\tfrac{1}{2}\left(1 + \cos(\pi \min(1, t/t_{max}))\right)`.

    .. math::
        \alpha(t) = \alpha_f + (1 - \alpha_f)\,\tfrac{1}{2}\left(1 + \cos(\pi \min(1, t/t_{max}))\right)

    Lowers to :func:`jaxsched.cosine_decay`. Composer's ``1 + cos`` loses the last digits near the end;
    the port's tail is exact (compared with the exact value there).

    Args:
      t_max: a Composer time.
      alpha_f: :math:`\alpha_f >= 0`.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.CosineAnnealingScheduler("4ba", max_duration="4ba")
      >>> [round(float(s(k)), 4) for k in range(5)]
      [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    t_max: str = static(default="1dur", converter=_time)
    alpha_f: Real = value(default=0.0, minimum=0.0)

    examples = ({"t_max": "1dur", "alpha_f": 0.01, "max_duration": "10ep", "dataloader_len": 100},)

    def lower(self) -> Schedule:
        T = self._nonzero("t_max", self.t_max, self._batches("t_max", self.t_max))
        return self._scaled(jaxsched.cosine_decay(1.0, T, alpha=self.alpha_f))


class CosineAnnealingWarmRestartsScheduler(
    ComposerScheduler, name="compat.composer.CosineAnnealingWarmRestartsScheduler"
):
    r"""Composer's ``CosineAnnealingWarmRestartsScheduler``: cosine annealing from 1 to :math:`\alpha_f`
    over cycles of :math:`t_0`, then :math:`\lfloor t_{mult}\, t_i \rfloor` (Composer's
    ``int(t_mult * length)``).

    .. math::
        \alpha(t) = \alpha_f + (1 - \alpha_f)\,\tfrac{1}{2}\left(1 + \cos \pi \tfrac{t - S_i}{t_i}\right),
        \qquad t_{i+1} = \lfloor t_{mult}\, t_i \rfloor

    Lowers to :func:`jaxsched.annealing_cycles`. ``t_mult < 1`` shrinks the cycles to 0, where Composer
    raises a ``ValueError``; it is refused here, as is ``t_0 = 0``. With ``tok``/``sp`` times the cycles
    must stay whole numbers of batches: ``t_mult`` must then be 1.

    Args:
      t_0: the first cycle, a Composer time.
      t_mult: :math:`t_{mult} >= 1` (static).
      alpha_f: :math:`\alpha_f >= 0`.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.CosineAnnealingWarmRestartsScheduler("2ba", t_mult=2.0, max_duration="7ba")
      >>> [round(float(s(k)), 4) for k in range(7)]
      [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]
    """

    t_0: str = static(converter=_time)
    t_mult: float = static(default=1.0, converter=static_float(minimum=1.0))
    alpha_f: Real = value(default=0.0, minimum=0.0)

    examples = (
        {"t_0": "1ep", "t_mult": 2.0, "alpha_f": 0.05, "max_duration": "50ep", "dataloader_len": 30},
        {"t_0": "0.1dur", "max_duration": "1000ba"},
    )

    def lower(self) -> Schedule:
        if self._unit(self.t_0) != "ba" and self.t_mult != 1.0:
            raise v.ScheduleArgumentError(
                "t_mult",
                "must be 1 with a token or sample t_0 (the cycles must stay whole batches)",
                self.t_mult,
            )
        T0 = self._batches("t_0", self.t_0)
        if T0 == 0:
            raise v.ScheduleArgumentError(
                "t_0", "is 0 (Composer: 'Interval between restarts ... has decayed to 0')", self.t_0
            )
        return self._scaled(jaxsched.annealing_cycles(1.0, self.alpha_f, T0, self.t_mult, shape="cos"))


class PolynomialScheduler(ComposerScheduler, name="compat.composer.PolynomialScheduler"):
    r"""Composer's ``PolynomialScheduler``:
    :math:`\alpha(t) = \alpha_f + (1 - \alpha_f)(1 - \min(1, t/t_{max}))^{\kappa}`.

    .. math::
        \alpha(t) = \alpha_f + (1 - \alpha_f)(1 - \min(1, t/t_{max}))^{\kappa}

    Lowers to :func:`jaxsched.polynomial`. ``power`` must be > 0.

    Args:
      power: :math:`\kappa > 0`.
      t_max: a Composer time.
      alpha_f: :math:`\alpha_f >= 0`.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.PolynomialScheduler(2.0, "4ba", max_duration="4ba")
      >>> [float(s(k)) for k in range(5)]
      [1.0, 0.5625, 0.25, 0.0625, 0.0]
    """

    power: Real = value(minimum=0.0, min_open=True)
    t_max: str = static(default="1dur", converter=_time)
    alpha_f: Real = value(default=0.0, minimum=0.0)

    examples = ({"power": 2.0, "t_max": "1dur", "alpha_f": 0.1, "max_duration": "500ba"},)

    def lower(self) -> Schedule:
        T = self._nonzero("t_max", self.t_max, self._batches("t_max", self.t_max))
        return self._scaled(jaxsched.polynomial(1.0, self.alpha_f, self.power, T))


class _WithWarmup(ComposerScheduler):
    """The warmup schedulers: a linear ramp from 0 over ``t_warmup`` (no ``ssr`` unless
    ``scale_warmup``), then the schedule after it."""

    def _warmup(self) -> tuple[int, int]:
        """``(W, ramp)``: the warmup's end in batches (without ``ssr``, as Composer compares) and the
        ramp's length (with ``ssr`` when ``scale_warmup``)."""
        W = self._batches("t_warmup", self.t_warmup, 1.0)  # type: ignore[attr-defined]
        ramp = self._batches(
            "t_warmup",
            self.t_warmup,  # type: ignore[attr-defined]
            self.ssr if self.scale_warmup else 1.0,  # type: ignore[attr-defined]
        )
        if W > 0 and ramp == 0:
            raise ComposerZeroDivisionError(
                "t_warmup",
                f"scaled by ssr is 0 batches while the warmup lasts {W}: Composer divides by it",
                self.t_warmup,  # type: ignore[attr-defined]
            )
        return W, ramp

    def _check_t_max(self) -> tuple[int, int]:
        """Composer's checks on ``t_warmup`` and ``t_max``; returns ``(W, T)`` in batches."""
        t_max = self.t_max  # type: ignore[attr-defined]
        w_unit = self._unit(self.t_warmup, 1.0)  # type: ignore[attr-defined]
        t_val, t_unit = self._convert("t_max", t_max, self.ssr)
        if w_unit != t_unit:
            raise v.ScheduleArgumentError(
                "t_max",
                f"is in {t_unit} but t_warmup in {w_unit}: t_warmup and t_max must use the same units",
                t_max,
            )
        m_val, m_unit = _split(self.max_duration)
        too_short = False
        if m_unit == t_unit:
            too_short = t_val < m_val
        elif t_unit == "ba" and m_unit == "ep" and self.dataloader_len is not None:
            too_short = t_val < m_val * self.dataloader_len
        if too_short:
            raise v.ScheduleArgumentError(
                "t_max", f"must be greater than or equal to max_duration {self.max_duration}", t_max
            )
        return self._batches("t_warmup", self.t_warmup, 1.0), self._batches("t_max", t_max)  # type: ignore[attr-defined]

    def _join(self, target: Any, after: Schedule) -> Schedule:
        W, ramp = self._warmup()
        if W == 0:
            return self._scaled(after)
        return self._scaled(jaxsched.join([jaxsched.linear(0.0, target, ramp), after], [W]))


class MultiStepWithWarmupScheduler(_WithWarmup, name="compat.composer.MultiStepWithWarmupScheduler"):
    r"""Composer's ``MultiStepWithWarmupScheduler``: :math:`t / t_{warmup}` during the warmup, then
    :math:`\gamma^{\#\{i : t \ge m_i\}}` with the milestones counted from the start.

    .. math::
        \alpha(t) = \begin{cases} t / t_w & t < t_w \\
        \gamma^{\#\{i \,:\, t \ge m_i\}} & t \ge t_w \end{cases}

    Lowers to :func:`jaxsched.linear` joined with :func:`jaxsched.multistep_decay`. As in Composer, a
    milestone inside the warmup takes effect only after it, and ``t_warmup`` is not scaled by ``ssr``
    unless ``scale_warmup`` (then only the ramp is: it ends early and holds 1, or is cut short).

    Args:
      t_warmup: a Composer time.
      milestones: Composer times.
      gamma: :math:`\gamma >= 0`.
      scale_warmup: scale the warmup ramp by ``ssr``.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.MultiStepWithWarmupScheduler("2ba", ["4ba"], gamma=0.5, max_duration="6ba")
      >>> [float(s(k)) for k in range(6)]
      [0.0, 0.5, 1.0, 1.0, 0.5, 0.5]
    """

    t_warmup: str = static(converter=_time)
    milestones: tuple[str, ...] = static(converter=_times)
    gamma: Real = value(default=0.1, minimum=0.0)
    scale_warmup: bool = flag(default=False)

    examples = (
        {"t_warmup": "100ba", "milestones": ["500ba", "800ba"], "gamma": 0.1, "max_duration": "1000ba"},
        {
            "t_warmup": "0.05dur",
            "milestones": ["0.5dur"],
            "max_duration": "2000ba",
            "ssr": 0.5,
            "scale_warmup": True,
        },
    )

    def lower(self) -> Schedule:
        W, _ = self._warmup()
        ms = [self._batches(f"milestones[{i}]", m) for i, m in enumerate(self.milestones)]
        after = jaxsched.shift(jaxsched.multistep_decay(1.0, tuple(ms), self.gamma), -W)
        return self._join(1.0, after)


def _post(W: int, T: int, make: Any, flat: Schedule) -> Schedule:
    """After a warmup of W batches: ``make(T - W)`` over the rest, or ``flat`` if ``t_max <= t_warmup``
    (Composer's fraction is then 0)."""
    return make(T - W) if T > W else flat


class LinearWithWarmupScheduler(_WithWarmup, name="compat.composer.LinearWithWarmupScheduler"):
    r"""Composer's ``LinearWithWarmupScheduler``: a ramp :math:`0 \to \alpha_i` over the warmup, then
    :math:`\alpha_i + (\alpha_f - \alpha_i)\,\tau`, :math:`\tau = \min\left(1, \frac{t - t_w}{t_{max} -
    t_w}\right)` (:math:`\tau = 0` when :math:`t_{max} \le t_w`).

    .. math::
        \alpha(t) = \begin{cases} \alpha_i\, t / t_w & t < t_w \\
        \alpha_i + (\alpha_f - \alpha_i)\,\tau & t \ge t_w \end{cases}

    Lowers to :func:`jaxsched.linear` pieces in a :func:`jaxsched.join`. Composer's checks are made at
    construction: ``t_warmup`` and ``t_max`` in the same unit, ``t_max`` not shorter than
    ``max_duration`` (both ``ValueError``).

    Args:
      t_warmup: a Composer time.
      alpha_i: :math:`\alpha_i >= 0`.
      alpha_f: :math:`\alpha_f >= 0`.
      t_max: a Composer time.
      scale_warmup: scale the warmup ramp by ``ssr``.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.LinearWithWarmupScheduler("2ba", t_max="6ba", max_duration="6ba")
      >>> [float(s(k)) for k in range(7)]
      [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """

    t_warmup: str = static(converter=_time)
    alpha_i: Real = value(default=1.0, minimum=0.0)
    alpha_f: Real = value(default=0.0, minimum=0.0)
    t_max: str = static(default="1dur", converter=_time)
    scale_warmup: bool = flag(default=False)

    examples = (
        {"t_warmup": "0.1dur", "max_duration": "1000ba"},
        {
            "t_warmup": "2ep",
            "alpha_i": 1.0,
            "alpha_f": 0.05,
            "t_max": "20ep",
            "max_duration": "20ep",
            "dataloader_len": 30,
        },
    )

    def lower(self) -> Schedule:
        W, T = self._check_t_max()
        a, b = self.alpha_i, self.alpha_f
        after = _post(W, T, lambda L: jaxsched.linear(a, b, L), jaxsched.constant(a))
        return self._join(a, after)


class ConstantWithWarmupScheduler(_WithWarmup, name="compat.composer.ConstantWithWarmupScheduler"):
    r"""Composer's ``ConstantWithWarmupScheduler``: a ramp :math:`0 \to \alpha` over the warmup, then
    :math:`\alpha` (Composer's ``LinearWithWarmupScheduler`` with ``alpha_i = alpha_f = alpha``, with its
    checks).

    .. math::
        \alpha(t) = \alpha \min(1, t / t_w)

    Args:
      t_warmup: a Composer time.
      alpha: :math:`\alpha >= 0`.
      t_max: a Composer time.
      scale_warmup: scale the warmup ramp by ``ssr``.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.ConstantWithWarmupScheduler("4ba", max_duration="10ba")
      >>> [float(s(k)) for k in range(6)]
      [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    t_warmup: str = static(converter=_time)
    alpha: Real = value(default=1.0, minimum=0.0)
    t_max: str = static(default="1dur", converter=_time)
    scale_warmup: bool = flag(default=False)

    examples = ({"t_warmup": "500ba", "max_duration": "10000ba"},)

    def lower(self) -> Schedule:
        self._check_t_max()
        return self._join(self.alpha, jaxsched.constant(self.alpha))


class CosineAnnealingWithWarmupScheduler(
    _WithWarmup, name="compat.composer.CosineAnnealingWithWarmupScheduler"
):
    r"""Composer's ``CosineAnnealingWithWarmupScheduler``: a ramp :math:`0 \to 1`, then
    :math:`\alpha_f + (1 - \alpha_f)\,\tfrac{1}{2}(1 + \cos \pi\tau)` (:math:`\tau` as in
    :class:`LinearWithWarmupScheduler`).

    .. math::
        \alpha(t) = \begin{cases} t / t_w & t < t_w \\
        \alpha_f + (1 - \alpha_f)\,\tfrac{1}{2}(1 + \cos \pi\tau) & t \ge t_w \end{cases}

    Lowers to :func:`jaxsched.linear` joined with :func:`jaxsched.cosine_decay`.

    Args:
      t_warmup: a Composer time.
      t_max: a Composer time.
      alpha_f: :math:`\alpha_f >= 0`.
      scale_warmup: scale the warmup ramp by ``ssr``.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.CosineAnnealingWithWarmupScheduler("2ba", t_max="6ba", max_duration="6ba")
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    t_warmup: str = static(converter=_time)
    t_max: str = static(default="1dur", converter=_time)
    alpha_f: Real = value(default=0.0, minimum=0.0)
    scale_warmup: bool = flag(default=False)

    examples = (
        {"t_warmup": "0.05dur", "alpha_f": 0.1, "max_duration": "4000ba"},
        {
            "t_warmup": "1ep",
            "max_duration": "8ep",
            "dataloader_len": 100,
            "ssr": 2.0,
            "scale_warmup": True,
            "t_max": "4ep",
        },
    )

    def lower(self) -> Schedule:
        W, T = self._check_t_max()
        af = self.alpha_f
        after = _post(W, T, lambda L: jaxsched.cosine_decay(1.0, L, alpha=af), jaxsched.constant(1.0))
        return self._join(1.0, after)


class PolynomialWithWarmupScheduler(_WithWarmup, name="compat.composer.PolynomialWithWarmupScheduler"):
    r"""Composer's ``PolynomialWithWarmupScheduler``: a ramp :math:`0 \to 1`, then
    :math:`\alpha_f + (1 - \alpha_f)(1 - \tau)^{\kappa}` (:math:`\tau` as in
    :class:`LinearWithWarmupScheduler`).

    .. math::
        \alpha(t) = \begin{cases} t / t_w & t < t_w \\
        \alpha_f + (1 - \alpha_f)(1 - \tau)^{\kappa} & t \ge t_w \end{cases}

    Lowers to :func:`jaxsched.linear` joined with :func:`jaxsched.polynomial`.

    Args:
      t_warmup: a Composer time.
      power: :math:`\kappa > 0` (Composer's default 2).
      t_max: a Composer time.
      alpha_f: :math:`\alpha_f >= 0`.
      scale_warmup: scale the warmup ramp by ``ssr``.

    Example:
      >>> from jaxsched.compat import composer
      >>> s = composer.PolynomialWithWarmupScheduler("2ba", t_max="6ba", max_duration="6ba")
      >>> [float(s(k)) for k in range(7)]
      [0.0, 0.5, 1.0, 0.5625, 0.25, 0.0625, 0.0]
    """

    t_warmup: str = static(converter=_time)
    power: Real = value(default=2.0, minimum=0.0, min_open=True)
    t_max: str = static(default="1dur", converter=_time)
    alpha_f: Real = value(default=0.0, minimum=0.0)
    scale_warmup: bool = flag(default=False)

    examples = (
        {"t_warmup": "0.1dur", "max_duration": "1000ba"},
        {
            "t_warmup": "1000000tok",
            "power": 0.5,
            "t_max": "10000000tok",
            "alpha_f": 0.1,
            "max_duration": "10000000tok",
            "tokens_per_batch": 100000,
        },
    )

    def lower(self) -> Schedule:
        W, T = self._check_t_max()
        af, p = self.alpha_f, self.power
        after = _post(W, T, lambda L: jaxsched.polynomial(1.0, af, p, L), jaxsched.constant(1.0))
        return self._join(1.0, after)
