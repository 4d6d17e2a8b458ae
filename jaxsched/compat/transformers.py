"""Hugging Face ``transformers.optimization`` schedules as jaxsched schedules.

Every HF factory returns ``LambdaLR(optimizer, lr_lambda)``: the optimizer's learning rate times a
multiplier. Here the base learning rate ``lr`` is an explicit first argument (the optimizer and
``last_epoch`` are dropped: a jaxsched schedule is a pure function of the step, so resuming needs no
state), and the value at update ``k`` is ``lr * lr_lambda(k)``, exactly what HF's scheduler sets after
``k`` calls of ``scheduler.step()``. The function names, parameter names and defaults are HF's
(transformers 5.x), and :func:`get_scheduler` mirrors HF's ``get_scheduler`` minus the optimizer.

HF's oddities are reproduced, not fixed, and each docstring says where: ``cosine`` is not clamped after
``num_training_steps`` (the value rises again), the denominators are ``max(1, ...)``, and
``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` is shifted by one step.
"""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps, half_cosine, is_concrete
from jaxsched.schedules._basic import Polynomial
from jaxsched.schedules._transformer import InverseSqrt
from jaxsched.schedules._warmup import linear_warmup
from jaxsched.schedules._wsd import fall, rise

__all__ = [
    "get_constant_schedule",
    "get_constant_schedule_with_warmup",
    "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "get_inverse_sqrt_schedule",
    "get_linear_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup",
    "get_reduce_on_plateau_schedule",
    "get_scheduler",
    "get_wsd_schedule",
    "SCHEDULER_TYPES",
]

SCHEDULER_TYPES = (
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
    "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr",
    "warmup_stable_decay", "greedy",
)
"""HF's ``SchedulerType`` values, in HF's order."""


# -- the pieces HF's lambdas share --------------------------------------------------------------------------


def _check_lr_and_warmup(obj: Any) -> None:
    v.number("lr", obj.lr)
    # HF accepts a fractional warmup (OpenKiwi passes 0.25 of the run, e.g. 22.5 steps).
    obj._set("num_warmup_steps", v.steps("num_warmup_steps", obj.num_warmup_steps, integer=False))


def _check_training(obj: Any) -> None:
    obj._set("num_training_steps", v.steps("num_training_steps", obj.num_training_steps))


def _span(bk: Backend, begin: Array, end: Array) -> Array:
    """HF's ``max(1, end - begin)`` (integer when both are)."""
    return bk.xp.maximum(end - begin, 1)


def hf_cosine(bk: Backend, elapsed: Array, length: Array, num_cycles: Any,
              remaining: Array | None = None) -> Array:
    r"""HF's unclamped ``0.5 * (1 + cos(2 pi num_cycles elapsed / length))``, computed stably.

    It is ``half_cosine`` of the stretched position :math:`e' = 2 c\, e`; with ``num_cycles == 0.5`` the
    exact ``remaining = length - elapsed`` may be passed. The identity behind ``half_cosine`` holds for any
    position, so the value past ``length`` rises again, as in HF.
    """
    if remaining is None or not (is_concrete(num_cycles) and float(num_cycles) == 0.5):
        elapsed = 2.0 * bk.value(num_cycles) * elapsed
        remaining = bk.to_float(length) - elapsed
    return half_cosine(bk, elapsed, remaining, length)


def hf_cosine_at(bk: Backend, t: Steps, begin: Array, length: Array, num_cycles: Any,
                 shift: int = 0, length_bound: int | None = None) -> Array:
    r"""HF's unclamped cosine factor at the position :math:`e = k - b + \text{shift}`, exact at any step.

    The factor is periodic past ``length``; for a half-integer ``num_cycles`` :math:`c` (0.5, 1, 1.5, ...)
    the stretched position :math:`2 c\, e` is reduced modulo one period :math:`2L` in integer arithmetic
    and folded into :math:`[0, L]`, so float32 keeps its precision at any step (a float position would
    be off by whole cycles near ``2**31``). Other cases use :func:`hf_cosine` on the float position.
    """
    xp = bk.xp
    m = 2.0 * float(num_cycles) if is_concrete(num_cycles) and not xp.ndim(num_cycles) else 0.5
    # 2 * m * length must fit the integer dtype (a concrete bound, since under jit lengths are traced).
    fits = bk.int_max >= 2**62 or (length_bound is not None and 4 * m * length_bound < bk.int_max)
    exact = t.f is None and m.is_integer() and m >= 1 and bk.is_int(begin) and bk.is_int(length) and fits
    if not exact:
        return hf_cosine(bk, t.since(begin) + shift, length, num_cycles,
                         t.until(bk.add(begin, length)) - shift)
    period = 2 * length
    e = xp.maximum(t.n - begin + shift, 0) % period
    pos = xp.zeros_like(e)
    for _ in range(int(m)):  # m * e modulo the period without overflow
        pos = xp.where(pos >= period - e, pos - (period - e), pos + e)
    folded = xp.where(pos > length, period - pos, pos)
    return half_cosine(bk, bk.to_float(folded), bk.to_float(length - folded), length)


def _cosine(bk: Backend, t: Steps, s: Any, shift: int = 0) -> Array:
    """The cosine factor of HF's ``cosine`` lambdas after the warmup, from a port's fields."""
    W, T = bk.count(s.num_warmup_steps), bk.count(s.num_training_steps)
    concrete = all(isinstance(x, int) for x in (s.num_warmup_steps, s.num_training_steps))
    bound = max(s.num_training_steps - s.num_warmup_steps, 1) if concrete else None
    return hf_cosine_at(bk, t, W, _span(bk, W, T), s.num_cycles, shift, bound)


class _MinLr:
    """``min_lr`` / ``min_lr_rate`` as HF resolves them: exactly one of the two, the ratio used."""

    @staticmethod
    def check(obj: Any) -> None:
        if (obj.min_lr is None) == (obj.min_lr_rate is None):
            raise v.ScheduleArgumentError(
                "min_lr", "exactly one of min_lr and min_lr_rate must be given (HF raises too)",
                (obj.min_lr, obj.min_lr_rate))
        if obj.min_lr is not None:
            v.nonnegative("min_lr", obj.min_lr)
        else:
            v.nonnegative("min_lr_rate", obj.min_lr_rate)

    @staticmethod
    def rate(bk: Backend, obj: Any) -> Array:
        if obj.min_lr_rate is not None:
            return bk.value(obj.min_lr_rate)
        return bk.value(obj.min_lr) / bk.value(obj.lr)


# -- the schedules ------------------------------------------------------------------------------------------


class ConstantSchedule(Schedule, name="compat.transformers.get_constant_schedule"):
    r"""HF ``get_constant_schedule``: the base learning rate.

    .. math:: s(k) = \text{lr}

    Args:
      lr: the optimizer's learning rate.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> float(hf.get_constant_schedule(0.5)(1000))
      0.5
    """

    lr: Any

    examples = ({"lr": 1e-3},)

    def __check_init__(self) -> None:
        v.number("lr", self.lr)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return bk.value(self.lr)


class ConstantScheduleWithWarmup(Schedule, name="compat.transformers.get_constant_schedule_with_warmup"):
    r"""HF ``get_constant_schedule_with_warmup``: linear warmup from 0, then constant.

    .. math:: s(k) = \text{lr}\cdot\min\left(1, \frac{k}{\max(1, W)}\right)

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> [float(hf.get_constant_schedule_with_warmup(1.0, 4)(k)) for k in range(6)]
      [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    lr: Any
    num_warmup_steps: Any

    examples = ({"lr": 1e-3, "num_warmup_steps": 100},)

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        lr = bk.value(self.lr)
        return linear_warmup(bk, t, 0.0, lr, bk.count(self.num_warmup_steps), lr)


class LinearScheduleWithWarmup(Schedule, name="compat.transformers.get_linear_schedule_with_warmup"):
    r"""HF ``get_linear_schedule_with_warmup``: linear warmup from 0, then linear decay to 0.

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \max\left(0, \dfrac{T - k}{\max(1, T - W)}\right) & k \ge W \end{cases}

    As in HF, ``num_training_steps <= num_warmup_steps`` is accepted (the value drops to 0 after the
    warmup).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_linear_schedule_with_warmup(1.0, 2, 6)
      >>> [float(s(k)) for k in range(8)]
      [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    lr: Any
    num_warmup_steps: Any
    num_training_steps: Any

    examples = ({"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000},)

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        _check_training(self)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps, self.num_training_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W, T = bk.count(self.num_warmup_steps), bk.count(self.num_training_steps)
        lr = bk.value(self.lr)
        decay = lr * xp.maximum(t.until(T), 0.0) / bk.to_float(_span(bk, W, T))
        return linear_warmup(bk, t, 0.0, lr, W, decay)


class CosineScheduleWithWarmup(Schedule, name="compat.transformers.get_cosine_schedule_with_warmup"):
    r"""HF ``get_cosine_schedule_with_warmup``: linear warmup from 0, then cosine.

    With :math:`p = (k - W)/\max(1, T - W)` and :math:`c` = ``num_cycles``:

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \tfrac12\left(1 + \cos(2\pi c\, p)\right) & k \ge W \end{cases}

    HF's oddity, reproduced: :math:`p` is not clamped, so after ``num_training_steps`` the value rises
    again (back to ``lr`` at :math:`p = 2` with the default half cycle).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: :math:`c >= 0`, number of cosine waves (0.5: down to 0 once).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_schedule_with_warmup(1.0, 2, 6)
      >>> [round(float(s(k)), 4) for k in (0, 1, 2, 4, 6, 8, 10)]
      [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0]
    """

    lr: Any
    num_warmup_steps: Any
    num_training_steps: Any
    num_cycles: Any = 0.5

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000},
        {"lr": 1e-3, "num_warmup_steps": 0, "num_training_steps": 1000, "num_cycles": 2.0},
    )

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        _check_training(self)
        v.nonnegative("num_cycles", self.num_cycles)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps, self.num_training_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        lr = bk.value(self.lr)
        return linear_warmup(bk, t, 0.0, lr, bk.count(self.num_warmup_steps), lr * _cosine(bk, t, self))


class CosineWithHardRestartsScheduleWithWarmup(
        Schedule, name="compat.transformers.get_cosine_with_hard_restarts_schedule_with_warmup"):
    r"""HF ``get_cosine_with_hard_restarts_schedule_with_warmup``: warmup, then equal cosine cycles.

    With :math:`p = (k - W)/\max(1, T - W)` and :math:`c` = ``num_cycles``:

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \tfrac12\left(1 + \cos(\pi \operatorname{frac}(c\,p))\right) & W \le k,\ p < 1 \\
        0 & p \ge 1 \end{cases}

    The position inside a cycle is exact integer arithmetic when ``num_cycles`` is a whole number. HF
    computes ``(num_cycles * progress) % 1.0`` in float64, which for some lengths lands just below 1 at an
    exact restart (e.g. 49 cycles): there HF applies about 0 where this applies the restart peak ``lr``.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: :math:`c > 0`, the number of cycles.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 8, num_cycles=2)
      >>> [round(float(s(k)), 4) for k in range(10)]
      [1.0, 0.8536, 0.5, 0.1464, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    lr: Any
    num_warmup_steps: Any
    num_training_steps: Any
    num_cycles: Any = 1

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "num_cycles": 3},
    )

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        _check_training(self)
        v.positive("num_cycles", self.num_cycles)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps, self.num_training_steps]

    def _exact(self, bk: Backend) -> bool:
        """Whole cycles over concrete whole steps whose product fits the integer type."""
        c, W, T = self.num_cycles, self.num_warmup_steps, self.num_training_steps
        if not all(isinstance(x, int | float) and float(x).is_integer() for x in (c, W, T)):
            return False
        return int(c) * max(int(T) - int(W), 1) <= bk.int_max

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W, T = bk.count(self.num_warmup_steps), bk.count(self.num_training_steps)
        L = _span(bk, W, T)
        Lf = bk.to_float(L)
        c = self.num_cycles
        e = xp.maximum(t.since(W), 0.0)
        if self._exact(bk):
            # (c * (k - W)) mod L exactly, then the fractional step: no float drift at the restarts.
            n = xp.maximum(t.n - W, 0) % L
            pos = bk.to_float((int(c) * n) % L)
            if t.f is not None:
                pos = pos + float(c) * t.f
            pos = xp.where(pos >= Lf, pos - Lf, pos)
        else:
            x = bk.value(c) * (e / Lf)
            pos = (x - xp.floor(x)) * Lf
        cyc = half_cosine(bk, pos, Lf - pos, Lf)
        lr = bk.value(self.lr)
        decay = xp.where(e >= Lf, 0.0, lr * cyc)
        return linear_warmup(bk, t, 0.0, lr, W, decay)


class PolynomialDecayScheduleWithWarmup(
        Schedule, name="compat.transformers.get_polynomial_decay_schedule_with_warmup"):
    r"""HF ``get_polynomial_decay_schedule_with_warmup``: warmup from 0, polynomial decay to ``lr_end``.

    .. math::
        s(k) = \begin{cases} \text{lr}\cdot k / \max(1, W) & k < W \\
        (\text{lr} - \text{lr\_end})\left(\frac{T - k}{T - W}\right)^{p} + \text{lr\_end} & W \le k \le T \\
        \text{lr\_end} & k > T \end{cases}

    HF reads the base rate from ``optimizer.defaults["lr"]``; here it is ``lr``. As in HF,
    ``lr > lr_end`` is required, and ``num_training_steps < num_warmup_steps`` is accepted (``lr_end``
    right after the warmup). ``num_training_steps == num_warmup_steps`` is an error here (HF divides by
    zero at that step).

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T \ne W`.
      lr_end: the final learning rate.
      power: :math:`p >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_polynomial_decay_schedule_with_warmup(1.0, 2, 6, lr_end=0.2, power=2.0)
      >>> [round(float(s(k)), 4) for k in range(8)]
      [0.0, 0.5, 1.0, 0.65, 0.4, 0.25, 0.2, 0.2]
    """

    lr: Any
    num_warmup_steps: Any
    num_training_steps: Any
    lr_end: Any = 1e-7
    power: Any = 1.0

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000},
        {"lr": 1e-3, "num_warmup_steps": 10, "num_training_steps": 500, "lr_end": 1e-5, "power": 2.0},
    )

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        _check_training(self)
        v.number("lr_end", self.lr_end)
        v.nonnegative("power", self.power)
        if is_concrete(self.lr) and is_concrete(self.lr_end) and not self.lr > self.lr_end:
            raise v.ScheduleArgumentError(
                "lr_end", f"must be smaller than lr ({self.lr!r}), as HF requires", self.lr_end)
        if self.num_training_steps == self.num_warmup_steps:
            raise v.ScheduleArgumentError(
                "num_training_steps", "must differ from num_warmup_steps (HF divides by zero)",
                self.num_training_steps)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps, self.num_training_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W, T = bk.count(self.num_warmup_steps), bk.count(self.num_training_steps)
        end = bk.value(self.lr_end)
        decay = Polynomial._unchecked(
            init_value=self.lr, end_value=self.lr_end, power=self.power,
            transition_steps=xp.maximum(T - W, 1), transition_begin=W,
        ).evaluate(bk, t)
        decay = xp.where((T > W) & (t.until(T) >= 0), decay, end)  # HF: lr_end strictly after T
        return linear_warmup(bk, t, 0.0, bk.value(self.lr), W, decay)


class InverseSqrtSchedule(Schedule, name="compat.transformers.get_inverse_sqrt_schedule"):
    r"""HF ``get_inverse_sqrt_schedule``: linear warmup from 0, then inverse square root.

    With :math:`\tau` = ``timescale`` (default ``num_warmup_steps``, or 10 000 when that is 0):

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        \sqrt{\tau / (k + \tau - W)} & k \ge W \end{cases}

    This is :func:`jaxsched.inverse_sqrt` with ``init_value = 0``.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      timescale: :math:`\tau > 0` or ``None``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_inverse_sqrt_schedule(1.0, 100)
      >>> float(s(50)), float(s(100)), round(float(s(400)), 6)
      (0.5, 1.0, 0.5)
    """

    lr: Any
    num_warmup_steps: Any
    timescale: Any = None

    examples = ({"lr": 1e-3, "num_warmup_steps": 100},
                {"lr": 1e-3, "num_warmup_steps": 0, "timescale": 500})

    def __check_init__(self) -> None:
        w = self.num_warmup_steps
        if self.timescale is None and is_concrete(w) and isinstance(w, int | float) and w < 0:
            # HF's timescale is then num_warmup_steps itself and its first value divides by zero
            raise v.ScheduleArgumentZeroDivisionError(
                "num_warmup_steps", "must be >= 0 (HF divides by zero at step 0 when it is negative and "
                "timescale is None)", w)
        _check_lr_and_warmup(self)
        if self.timescale is not None:
            v.positive("timescale", self.timescale)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return InverseSqrt._unchecked(
            peak_value=self.lr, warmup_steps=self.num_warmup_steps, timescale=self.timescale,
            init_value=0.0,
        ).evaluate(bk, t)


class CosineWithMinLrScheduleWithWarmup(
        Schedule, name="compat.transformers.get_cosine_with_min_lr_schedule_with_warmup"):
    r"""HF ``get_cosine_with_min_lr_schedule_with_warmup``: warmup from 0, cosine down to a floor.

    With :math:`r` = ``min_lr_rate`` (or ``min_lr / lr``) and the cosine factor :math:`c(k)` of
    :class:`CosineScheduleWithWarmup`:

    .. math::
        s(k) = \text{lr}\cdot\begin{cases} k / \max(1, W) & k < W \\
        c(k)\,(1 - r) + r & k \ge W \end{cases}

    Exactly one of ``min_lr`` and ``min_lr_rate`` (HF's check). Like HF's ``cosine``, the progress is
    not clamped: after ``num_training_steps`` the value rises again.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: number of cosine waves.
      min_lr: the floor as a learning rate.
      min_lr_rate: the floor as a fraction of ``lr``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_with_min_lr_schedule_with_warmup(1.0, 0, 4, min_lr_rate=0.1)
      >>> [round(float(s(k)), 4) for k in range(5)]
      [1.0, 0.8682, 0.55, 0.2318, 0.1]
    """

    lr: Any
    num_warmup_steps: Any
    num_training_steps: Any
    num_cycles: Any = 0.5
    min_lr: Any = None
    min_lr_rate: Any = None

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr_rate": 0.1},
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr": 1e-5},
    )

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        _check_training(self)
        v.nonnegative("num_cycles", self.num_cycles)
        _MinLr.check(self)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps, self.num_training_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        c = _cosine(bk, t, self)
        r = _MinLr.rate(bk, self)
        lr = bk.value(self.lr)
        decay = lr * bk.xp.maximum(c * (1.0 - r) + r, 0.0)
        return linear_warmup(bk, t, 0.0, lr, bk.count(self.num_warmup_steps), decay)


class CosineWithMinLrScheduleWithWarmupLrRate(
        Schedule, name="compat.transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate"):
    r"""HF ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (``cosine_warmup_with_min_lr``).

    HF's shifted-by-one variant: with :math:`w` = ``warmup_lr_rate``, :math:`r` the floor ratio and
    :math:`p = (k - W + 1)/\max(1, T - W)`,

    .. math::
        s(k) = \text{lr}\cdot\begin{cases}
        (k + 1)/\max(1, W) & k < W,\ w \text{ unset} \\
        w + (1 - w)\, k / \max(1, W - 1) & k < W,\ w \text{ set} \\
        \max\left(0,\ \tfrac12(1 + \cos 2\pi c p)\,(1 - r) + r\right) & k \ge W \end{cases}

    so the warmup reaches ``lr`` at :math:`k = W - 1` and the decay starts one step in. Like HF's cosine,
    :math:`p` is not clamped.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_training_steps: :math:`T >= 0`.
      num_cycles: number of cosine waves.
      min_lr: the floor as a learning rate.
      min_lr_rate: the floor as a fraction of ``lr``.
      warmup_lr_rate: :math:`w`, the first warmup value as a fraction of ``lr``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 2, 6, min_lr_rate=0.0)
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464]
    """

    lr: Any
    num_warmup_steps: Any
    num_training_steps: Any
    num_cycles: Any = 0.5
    min_lr: Any = None
    min_lr_rate: Any = None
    warmup_lr_rate: Any = None

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr_rate": 0.1},
        {"lr": 1e-3, "num_warmup_steps": 100, "num_training_steps": 1000, "min_lr": 1e-5,
         "warmup_lr_rate": 0.01},
    )

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        _check_training(self)
        v.nonnegative("num_cycles", self.num_cycles)
        _MinLr.check(self)
        if self.warmup_lr_rate is not None:
            v.not_text("warmup_lr_rate", self.warmup_lr_rate)  # HF's float() raises ValueError for text
            v.nonnegative("warmup_lr_rate", self.warmup_lr_rate)

    def _key_steps(self) -> list[Any]:
        return [self.num_warmup_steps, self.num_training_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W = bk.count(self.num_warmup_steps)
        tv = t.value()
        if self.warmup_lr_rate is None:
            warm = (tv + 1.0) / bk.to_float(xp.maximum(W, 1))
        else:
            w = bk.value(self.warmup_lr_rate)
            warm = w + (1.0 - w) * tv / bk.to_float(xp.maximum(W - 1, 1))
        c = _cosine(bk, t, self, shift=1)
        r = _MinLr.rate(bk, self)
        lr = bk.value(self.lr)
        return lr * xp.where(t.ge(W), xp.maximum(c * (1.0 - r) + r, 0.0), warm)


class WsdSchedule(Schedule, name="compat.transformers.get_wsd_schedule"):
    r"""HF ``get_wsd_schedule``: warmup, stable, decay (WSD; MiniCPM, arXiv 2404.06395).

    With :math:`r` = ``min_lr_ratio``, :math:`S` = ``num_stable_steps`` (default
    :math:`T - W - D`), shapes :math:`f_w` (0 to 1) and :math:`f_d` (1 to 0):

    .. math::
        s(k) = \text{lr}\cdot\begin{cases}
        r + (1 - r)\,f_w\!\left(k/\max(1, W)\right) & k < W \\
        1 & W \le k < W + S \\
        r + (1 - r)\,f_d\!\left((k - W - S)/\max(1, D)\right) & W + S \le k < W + S + D \\
        r & k \ge W + S + D \end{cases}

    Shapes: ``linear``, ``cosine`` (the decay's cosine is HF's :math:`\tfrac12(1 + \cos 2\pi c p)` with
    :math:`c` = ``num_cycles``), ``1-sqrt``. As HF: when both ``num_training_steps`` and
    ``num_stable_steps`` are given, ``num_stable_steps`` wins (HF warns); a ``num_training_steps``
    shorter than :math:`W + D` gives a negative stable phase, so the decay starts part-way.

    Args:
      lr: the optimizer's learning rate.
      num_warmup_steps: :math:`W >= 0`.
      num_decay_steps: :math:`D >= 0`.
      num_training_steps: :math:`T` (or give ``num_stable_steps``).
      num_stable_steps: :math:`S`.
      warmup_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      decay_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      min_lr_ratio: :math:`r >= 0`, the start of the warmup and the end of the decay, relative to lr.
      num_cycles: :math:`c` of the cosine decay.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_wsd_schedule(1.0, 2, 4, num_training_steps=10, decay_type="linear")
      >>> [float(s(k)) for k in range(11)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """

    lr: Any
    num_warmup_steps: Any
    num_decay_steps: Any
    num_training_steps: Any = None
    num_stable_steps: Any = None
    warmup_type: str = static(default="linear")
    decay_type: str = static(default="cosine")
    min_lr_ratio: Any = 0
    num_cycles: Any = 0.5

    examples = (
        {"lr": 1e-3, "num_warmup_steps": 100, "num_decay_steps": 200, "num_training_steps": 1000},
        {"lr": 1e-3, "num_warmup_steps": 100, "num_decay_steps": 200, "num_stable_steps": 500,
         "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.1},
    )

    def __check_init__(self) -> None:
        _check_lr_and_warmup(self)
        self._set("num_decay_steps", v.steps("num_decay_steps", self.num_decay_steps))
        if self.num_training_steps is None and self.num_stable_steps is None:
            raise v.ScheduleArgumentError(
                "num_training_steps", "either num_training_steps or num_stable_steps must be given",
                None)
        if self.num_training_steps is not None:
            _check_training(self)
        if self.num_stable_steps is not None:
            self._set("num_stable_steps",
                      v.steps("num_stable_steps", self.num_stable_steps, minimum=-(2**31)))
        v.choice("warmup_type", self.warmup_type, ("linear", "cosine", "1-sqrt"))
        v.choice("decay_type", self.decay_type, ("linear", "cosine", "1-sqrt"))
        v.nonnegative("min_lr_ratio", self.min_lr_ratio)
        v.nonnegative("num_cycles", self.num_cycles)

    def _stable(self) -> Any:
        if self.num_stable_steps is not None:
            return self.num_stable_steps
        return self.num_training_steps - self.num_warmup_steps - self.num_decay_steps

    def _key_steps(self) -> list[Any]:
        W, S, D = self.num_warmup_steps, self._stable(), self.num_decay_steps
        return [W, max(W + S, 0), max(W + S + D, 0)]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W, D, S = bk.count(self.num_warmup_steps), bk.count(self.num_decay_steps), bk.count(self._stable())
        r = bk.value(self.min_lr_ratio)
        warm = rise(bk, self.warmup_type, t.value(), t.until(W), bk.to_float(W))
        start = W + S
        L = bk.to_float(xp.maximum(D, 1))
        e = xp.clip(t.since(start), 0.0, L)  # only read inside the decay phase
        if self.decay_type == "cosine":
            f = hf_cosine(bk, e, L, self.num_cycles, L - e)
        else:
            f = fall(bk, self.decay_type, e, L - e, L)
        factor = xp.where(
            ~t.ge(W), r + (1.0 - r) * warm,
            xp.where(~t.ge(start), 1.0,
                     xp.where(~t.ge(start + D), xp.maximum(r + (1.0 - r) * f, 0.0), r)))
        return bk.value(self.lr) * factor


def get_reduce_on_plateau_schedule(lr: Any, **kwargs: Any) -> Any:
    """HF ``get_reduce_on_plateau_schedule``: torch ``ReduceLROnPlateau`` semantics, metric-driven.

    A plateau schedule depends on the monitored metric, so it is not a pure function of the step: this
    returns jaxsched's optax transformation ``reduce_on_plateau(lr, **kwargs)`` (torch semantics:
    ``mode``, ``factor``, ``patience``, ``threshold``, ``threshold_mode``, ``cooldown``, ``min_lr``,
    ``eps``; ``update`` takes the metric as ``value=``), imported lazily. Chain it after an optimizer
    whose learning rate is ``lr``; its ``state.lr`` is then the learning rate torch would report.

    Args:
      lr: the optimizer's learning rate.
      **kwargs: torch ``ReduceLROnPlateau`` arguments.

    Returns:
      The plateau transformation.
    """
    from jaxsched._plateau import reduce_on_plateau

    return reduce_on_plateau(lr, **kwargs)


def get_scheduler(name: str, lr: Any, num_warmup_steps: int | None = None,
                  num_training_steps: int | None = None,
                  scheduler_specific_kwargs: dict[str, Any] | None = None) -> Any:
    """HF ``get_scheduler``: a schedule by ``SchedulerType`` name, with HF's argument routing.

    As HF (transformers 5.x): ``constant`` ignores every other argument; ``constant_with_warmup`` ignores
    ``scheduler_specific_kwargs``; ``inverse_sqrt`` and ``warmup_stable_decay`` ignore
    ``num_training_steps`` unless it is needed (WSD uses it for its stable phase);
    ``reduce_lr_on_plateau`` and ``greedy`` take only ``scheduler_specific_kwargs`` (both are metric-driven
    and return optax transformations: :func:`get_reduce_on_plateau_schedule`, :func:`GreedyLR`); the rest
    need both step counts. A missing count raises ``ValueError`` naming it, as HF does.

    Args:
      name: one of :data:`SCHEDULER_TYPES`.
      lr: the optimizer's learning rate.
      num_warmup_steps: warmup steps.
      num_training_steps: total training steps.
      scheduler_specific_kwargs: extra keyword arguments for the schedule.

    Returns:
      A :class:`~jaxsched.Schedule` (an optax transformation for ``reduce_lr_on_plateau`` and ``greedy``).

    Example:
      >>> from jaxsched.compat import transformers as hf
      >>> s = hf.get_scheduler("cosine", 1e-3, num_warmup_steps=10, num_training_steps=100)
      >>> type(s).__name__, round(float(s(55)), 8)
      ('CosineScheduleWithWarmup', 0.0005)
    """
    name = getattr(name, "value", name)
    if name not in SCHEDULER_TYPES:
        raise v.ScheduleArgumentError("name", f"must be one of {list(SCHEDULER_TYPES)}", name)
    kwargs = dict(scheduler_specific_kwargs or {})
    if name == "constant":
        return ConstantSchedule(lr)
    if name == "reduce_lr_on_plateau":
        return get_reduce_on_plateau_schedule(lr, **kwargs)
    if name == "greedy":
        return GreedyLR(lr, **kwargs)
    if num_warmup_steps is None:
        raise v.ScheduleArgumentError("num_warmup_steps", f"{name} requires num_warmup_steps", None)
    if name == "constant_with_warmup":
        return ConstantScheduleWithWarmup(lr, num_warmup_steps)
    if name == "inverse_sqrt":
        return InverseSqrtSchedule(lr, num_warmup_steps, **kwargs)
    if name == "warmup_stable_decay":
        return WsdSchedule(lr, num_warmup_steps=num_warmup_steps,
                           num_training_steps=num_training_steps, **kwargs)
    if num_training_steps is None:
        raise v.ScheduleArgumentError("num_training_steps", f"{name} requires num_training_steps",
                                      None)
    cls = _BY_NAME[name]
    return cls(lr, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps, **kwargs)


get_constant_schedule = ConstantSchedule
get_constant_schedule_with_warmup = ConstantScheduleWithWarmup
get_linear_schedule_with_warmup = LinearScheduleWithWarmup
get_cosine_schedule_with_warmup = CosineScheduleWithWarmup
get_cosine_with_hard_restarts_schedule_with_warmup = CosineWithHardRestartsScheduleWithWarmup
get_polynomial_decay_schedule_with_warmup = PolynomialDecayScheduleWithWarmup
get_inverse_sqrt_schedule = InverseSqrtSchedule
get_cosine_with_min_lr_schedule_with_warmup = CosineWithMinLrScheduleWithWarmup
get_cosine_with_min_lr_schedule_with_warmup_lr_rate = CosineWithMinLrScheduleWithWarmupLrRate
get_wsd_schedule = WsdSchedule

_BY_NAME: dict[str, Any] = {
    "linear": LinearScheduleWithWarmup,
    "cosine": CosineScheduleWithWarmup,
    "cosine_with_restarts": CosineWithHardRestartsScheduleWithWarmup,
    "polynomial": PolynomialDecayScheduleWithWarmup,
    "cosine_with_min_lr": CosineWithMinLrScheduleWithWarmup,
    "cosine_warmup_with_min_lr": CosineWithMinLrScheduleWithWarmupLrRate,
}


# -- metric-driven: GreedyLR (an optax transformation, not a Schedule) -------------------------------------


def GreedyLR(lr: float, mode: str = "min", factor: float = 0.95, patience: int = 10, threshold: float = 1e-6,
             threshold_mode: str = "abs", cooldown: int = 0, warmup: int = 0, min_lr: float = 1e-3,
             max_lr: float = 1.0, eps: float = 1e-8, verbose: bool = False, smooth: bool = False,
             window_size: int = 50, reset_start: int = 500, *, steps_per_epoch: int | None = None,
             accumulation_size: int = 1) -> Any:
    r"""HF ``GreedyLR`` (``get_scheduler("greedy")``, transformers >= 5.0) as an optax transformation.

    Metric-driven, so not a Schedule. Each step of the rule with metric :math:`m` (the mean of the last
    ``window_size`` metrics with ``smooth=True``), outside ``cooldown``/``warmup`` rests: an improvement
    (beyond ``threshold``, ``threshold_mode`` as torch's plateau rule) counts a good step, anything else a
    bad one; more than ``patience`` good steps in a row raise the LR,

    .. math:: \mathrm{lr} \leftarrow \min(\mathrm{lr} / \text{factor}, \text{max\_lr})

    (then ``warmup`` steps of rest), more than ``patience`` bad ones lower it,
    :math:`\mathrm{lr} \leftarrow \max(\mathrm{lr} \cdot \text{factor}, \text{min\_lr})` (then ``cooldown``
    steps of rest); changes of at most ``eps`` are skipped. After ``reset_start`` reductions at the floor
    the LR, the best metric and the counters restart from the beginning.

    ``update(updates, state, params, value=metric)`` multiplies the updates by ``state.scale =
    state.lr / lr``: chain it after an optimizer with ``learning_rate=lr`` (``min_lr``/``max_lr`` are
    absolute LRs, as in HF). Without windowing, every ``update`` is one ``step(metric)`` of HF's class;
    ``steps_per_epoch`` and ``accumulation_size`` window the metrics as in
    :func:`jaxsched.reduce_on_plateau`. ``torch_bridge.GreedyLR`` is the torch side; both equal HF's class
    for the same metrics (``state.lr`` exactly under ``jax_enable_x64``).

    Args:
      lr: the optimizer's learning rate (HF's initial LR).
      mode, factor, patience, threshold, threshold_mode, cooldown, warmup, min_lr, max_lr, eps, smooth,
        window_size, reset_start: as HF's ``GreedyLR`` (``factor`` in ``(0, 1)``).
      verbose: accepted; nothing is printed inside a traced update.
      steps_per_epoch: step the rule only on the first update of each epoch.
      accumulation_size: values averaged per step of the rule.

    Returns:
      An ``optax.GradientTransformationExtraArgs`` (state: :class:`jaxsched.PlateauState`).

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxsched.compat import transformers as hf
      >>> tx = hf.GreedyLR(0.1, factor=0.5, patience=1, min_lr=0.01)
      >>> state = tx.init(jnp.zeros(1))
      >>> lrs = []
      >>> for loss in [1.0, 0.9, 0.9, 0.9]:  # two improvements raise the LR, two plateaus lower it
      ...     _, state = tx.update(jnp.ones(1), state, value=loss)
      ...     lrs.append(round(float(state.lr), 6))
      >>> lrs
      [0.1, 0.2, 0.2, 0.1]
    """
    from jaxsched._plateau import greedy_lr

    v.boolean("verbose", verbose)
    return greedy_lr(lr, mode=mode, factor=factor, patience=patience, threshold=threshold,
                     threshold_mode=threshold_mode, cooldown=cooldown, warmup=warmup, min_lr=min_lr,
                     max_lr=max_lr, eps=eps, smooth=smooth, window_size=window_size, reset_start=reset_start,
                     steps_per_epoch=steps_per_epoch, accumulation_size=accumulation_size)


def get_greedy_schedule(lr: float, **kwargs: Any) -> Any:
    """HF ``get_greedy_schedule``: :func:`GreedyLR` with HF's keyword arguments."""
    return GreedyLR(lr, **kwargs)


__all__ += ["GreedyLR", "get_greedy_schedule"]
