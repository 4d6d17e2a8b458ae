"""Ports of Megatron-core's ``OptimizerParamScheduler`` (``megatron.core.optimizer_param_scheduler``).

Megatron's scheduler drives two fields of every param group, ``lr`` and ``weight_decay``; here they are two
schedules, :class:`OptimizerParamSchedulerLR` (``get_lr``) and :class:`OptimizerParamSchedulerWD`
(``get_wd``), and :func:`OptimizerParamScheduler` takes the original's full signature and returns both:

>>> from jaxsched.compat import megatron
>>> lr, wd = megatron.OptimizerParamScheduler(
...     init_lr=0.0, max_lr=3e-4, min_lr=3e-5, lr_warmup_steps=100, lr_decay_steps=1000,
...     lr_decay_style="cosine", start_wd=0.0, end_wd=0.1, wd_incr_steps=1000, wd_incr_style="linear")
>>> round(float(lr.numpy(100)), 8), round(float(wd.numpy(500)), 8)
(0.0003, 0.05)

Step convention: Megatron sets the values for ``num_steps = 0`` at construction and advances
``num_steps`` by ``increment`` after each optimizer step, so update ``k`` applies ``get_lr()`` at
``num_steps = k * increment``. The ports count Megatron's ``num_steps``. With ``--train-iters`` Megatron
counts samples (``increment`` = global batch size) but every duration is a multiple of the global batch
size (``lr_decay_steps = lr_decay_iters * global_batch_size``), so the curve per iteration is exactly the
one with the ``*_iters`` values: pass those. With ``--train-samples`` (or a batch-size ramp) the clock is
the sample count: build the ports with the sample counts and drive them with a sample clock.

Megatron validates with ``assert``; the ports raise :class:`MegatronAssertionError` there (a
``ValueError`` and an ``AssertionError``), and :class:`MegatronZeroDivisionError` where Megatron divides by
zero at construction (``wd_incr_steps=0``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jaxsched
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, StepCount, choice, known, steps, value
from jaxsched._numerics import MAX_STEP
from jaxsched._validate import ScheduleArgumentError

__all__ = [
    "LR_DECAY_STYLES",
    "MegatronAssertionError",
    "MegatronSchedules",
    "MegatronZeroDivisionError",
    "OptimizerParamScheduler",
    "OptimizerParamSchedulerLR",
    "OptimizerParamSchedulerWD",
    "WD_INCR_STYLES",
    "WSD_DECAY_STYLES",
]

LR_DECAY_STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_DECAY_STYLES = ("linear", "cosine", "exponential", "minus_sqrt")
WD_INCR_STYLES = ("constant", "linear", "cosine")
_WSD_SHAPES = {"linear": "linear", "cosine": "cosine", "exponential": "2^(1-p)-1", "minus_sqrt": "1-sqrt"}


class MegatronAssertionError(ScheduleArgumentError, AssertionError):
    """An argument Megatron refuses with ``assert``: both a ``ValueError`` and an ``AssertionError``."""


class MegatronZeroDivisionError(ScheduleArgumentError, ZeroDivisionError):
    """An argument for which Megatron divides by zero at construction."""


class OptimizerParamSchedulerLR(Port, name="compat.megatron.OptimizerParamSchedulerLR"):
    r"""The learning rate of Megatron-core's ``OptimizerParamScheduler`` (its ``get_lr``).

    With :math:`W` = ``lr_warmup_steps``, :math:`D` = ``lr_decay_steps``, :math:`n` = ``num_steps``,
    peak :math:`P` = ``max_lr``, floor :math:`E` = ``min_lr`` and :math:`r = (n - W)/(D - W)`:

    .. math::
        s(n) = \begin{cases}
        I + (P - I)\,n/W & 0 < W,\ n \le W \\
        P & \text{constant} \\
        E & n > D \\
        \max\left(E,\ P\sqrt{\max(W,1)/\max(n,1)}\right) & \text{inverse-square-root} \\
        E + (P - E)(1 - r) & \text{linear} \\
        E + (P - E)\,\tfrac{1}{2}(1 + \cos \pi r) & \text{cosine} \\
        E + (P - E)\, f\!\left((n - A)^+ / S\right) & \text{WSD}, \ A = D - S
        \end{cases}

    taken in that order; for WSD, :math:`S` = ``wsd_decay_steps`` and :math:`f` is 1 up to :math:`A`,
    then ``lr_wsd_decay_style``: ``linear`` :math:`1 - p`, ``cosine``, ``exponential``
    :math:`2 \cdot 0.5^{p} - 1`, ``minus_sqrt`` :math:`1 - \sqrt{p}`. Lowers to
    :func:`jaxsched.linear` (warmup) joined with :func:`jaxsched.warmup_cosine_decay`,
    :func:`jaxsched.linear`, :func:`jaxsched.inverse_power` (clipped at ``min_lr``) or
    :func:`jaxsched.warmup_stable_decay` (decay shapes ``linear``, ``cosine``, ``2^(1-p)-1``, ``1-sqrt``).
    Update ``k`` uses :math:`s(k)` (see the module for ``increment``).

    Where the original is odd:

    - ``constant`` ignores ``min_lr`` and ``lr_decay_steps``: ``max_lr`` forever after the warmup.
    - ``inverse-square-root`` drops to ``min_lr`` after ``lr_decay_steps``; with no warmup it is
      :math:`P/\sqrt{n}` from :math:`n = 1` (:math:`P` at 0).
    - WSD with ``wsd_decay_steps > lr_decay_steps - lr_warmup_steps`` starts the decay before the warmup
      ends: the value jumps from ``max_lr`` at the end of the warmup to the decay's value there.
    - The warmup includes its last step (:math:`n = W` gives ``max_lr`` by the warmup formula).
    - An unknown style fails in Megatron at the first step past the warmup (and an invalid
      ``lr_wsd_decay_style`` at the first step of the decay); here, at construction.

    Float64 agrees with Megatron's Python floats within 1e-12 relative, except near the end of a decay,
    where Megatron's ``1 - r`` and ``1 + cos`` lose the last digits and the port is compared with the exact
    value.

    Args:
      init_lr: :math:`I`, the start of the warmup (``--lr-warmup-init``).
      max_lr: :math:`P` (``--lr``; a param group's ``max_lr`` override is another port).
      min_lr: :math:`E` (a param group's ``min_lr`` override likewise).
      lr_warmup_steps: :math:`W >= 0` (static).
      lr_decay_steps: :math:`D > W` (static).
      lr_decay_style: ``constant``, ``linear``, ``cosine``, ``inverse-square-root`` or ``WSD``.
      wsd_decay_steps: :math:`S >= 0`, required by ``WSD`` (static).
      lr_wsd_decay_style: ``linear``, ``cosine``, ``exponential`` or ``minus_sqrt``, required by ``WSD``.

    Example:
      >>> from jaxsched.compat import megatron
      >>> s = megatron.OptimizerParamSchedulerLR(0.0, 1.0, 0.1, 2, 10, "WSD", wsd_decay_steps=4,
      ...                                        lr_wsd_decay_style="linear")
      >>> [round(float(s(k)), 3) for k in range(12)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.775, 0.55, 0.325, 0.1, 0.1]
    """

    init_lr: Real = value()
    max_lr: Real = value()
    min_lr: Real = value()
    lr_warmup_steps: StepCount = steps(static=True)
    lr_decay_steps: StepCount = steps(static=True)
    lr_decay_style: str = choice(LR_DECAY_STYLES)
    wsd_decay_steps: StepCount | None = steps(default=None, static=True)
    lr_wsd_decay_style: str | None = choice(WSD_DECAY_STYLES, default=None)

    examples = (
        {
            "init_lr": 0.0,
            "max_lr": 3e-4,
            "min_lr": 3e-5,
            "lr_warmup_steps": 100,
            "lr_decay_steps": 1000,
            "lr_decay_style": "cosine",
        },
        {
            "init_lr": 1e-5,
            "max_lr": 1e-3,
            "min_lr": 0.0,
            "lr_warmup_steps": 0,
            "lr_decay_steps": 500,
            "lr_decay_style": "linear",
        },
        {
            "init_lr": 0.0,
            "max_lr": 1e-3,
            "min_lr": 2e-4,
            "lr_warmup_steps": 50,
            "lr_decay_steps": 800,
            "lr_decay_style": "inverse-square-root",
        },
        {
            "init_lr": 0.0,
            "max_lr": 1e-3,
            "min_lr": 1e-5,
            "lr_warmup_steps": 20,
            "lr_decay_steps": 600,
            "lr_decay_style": "WSD",
            "wsd_decay_steps": 200,
            "lr_wsd_decay_style": "exponential",
        },
        {
            "init_lr": 0.0,
            "max_lr": 1e-3,
            "min_lr": 0.0,
            "lr_warmup_steps": 100,
            "lr_decay_steps": 300,
            "lr_decay_style": "WSD",
            "wsd_decay_steps": 250,
            "lr_wsd_decay_style": "minus_sqrt",
        },
        {
            "init_lr": 1e-4,
            "max_lr": 1e-3,
            "min_lr": 1e-5,
            "lr_warmup_steps": 10,
            "lr_decay_steps": 200,
            "lr_decay_style": "constant",
        },
    )

    def __check_init__(self) -> None:
        if known(self.min_lr) and not self.min_lr >= 0.0:
            raise MegatronAssertionError("min_lr", "must be >= 0", self.min_lr)
        if known(self.max_lr, self.min_lr) and not self.max_lr >= self.min_lr:
            raise MegatronAssertionError("max_lr", f"must be >= min_lr ({self.min_lr})", self.max_lr)
        if known(self.init_lr, self.max_lr) and not self.init_lr <= self.max_lr:
            raise MegatronAssertionError("init_lr", f"must be <= max_lr ({self.max_lr})", self.init_lr)
        if known(self.init_lr) and self.init_lr < 0:
            raise ScheduleArgumentError(
                "init_lr",
                "must be >= 0 (a negative warmup start gives negative learning rates)",
                self.init_lr,
            )
        if not self.lr_decay_steps > 0:
            raise MegatronAssertionError("lr_decay_steps", "must be > 0", self.lr_decay_steps)
        if not self.lr_warmup_steps < self.lr_decay_steps:
            raise MegatronAssertionError(
                "lr_warmup_steps", f"must be < lr_decay_steps ({self.lr_decay_steps})", self.lr_warmup_steps
            )
        if self.lr_decay_style == "WSD":
            if self.wsd_decay_steps is None:
                raise MegatronAssertionError("wsd_decay_steps", "is required by lr_decay_style='WSD'", None)
            if self.lr_wsd_decay_style is None and self.wsd_decay_steps > 0:
                raise MegatronAssertionError(
                    "lr_wsd_decay_style",
                    f"must be one of {list(WSD_DECAY_STYLES)} with lr_decay_style='WSD'",
                    None,
                )
        if self.lr_decay_steps + 1 > MAX_STEP:
            raise ScheduleArgumentError("lr_decay_steps", "must be <= 2**31 - 2", self.lr_decay_steps)

    def _key_steps(self) -> list[Any]:
        out = [self.lr_warmup_steps, self.lr_decay_steps]
        if self.lr_decay_style == "WSD" and self.wsd_decay_steps is not None:
            out.append(self.lr_decay_steps - self.wsd_decay_steps)
        return out

    def _tail(self) -> Schedule:
        """``get_lr`` past the warmup, in absolute ``num_steps`` (also at 0 when there is no warmup)."""
        W, D, P, E = self.lr_warmup_steps, self.lr_decay_steps, self.max_lr, self.min_lr
        style = self.lr_decay_style
        if style == "constant":
            return jaxsched.constant(P)
        if style == "linear":
            return jaxsched.linear(P, E, D - W, transition_begin=W)
        if style == "cosine":
            return jaxsched.warmup_cosine_decay(P, P, W, D, end_value=E)
        if style == "inverse-square-root":
            tau = max(W, 1)
            decay = jaxsched.clip(jaxsched.inverse_power(P, timescale=tau), min_value=E)
            return jaxsched.join([jaxsched.constant(P), decay, jaxsched.constant(E)], [tau, D + 1])
        S = self.wsd_decay_steps
        assert S is not None and style == "WSD"
        if S == 0:
            return jaxsched.join([jaxsched.constant(P), jaxsched.constant(E)], [D + 1])
        assert self.lr_wsd_decay_style is not None
        decay = jaxsched.warmup_stable_decay(
            P, 0, S, S, end_value=E, decay_shape=_WSD_SHAPES[self.lr_wsd_decay_style]
        )
        return jaxsched.shift(decay, D - S)

    def lower(self) -> Schedule:
        W = self.lr_warmup_steps
        tail = self._tail()
        if W == 0:
            return tail
        warm = jaxsched.linear(self.init_lr, self.max_lr, W)
        return jaxsched.join([warm, jaxsched.shift(tail, -(W + 1))], [W + 1])


class OptimizerParamSchedulerWD(Port, name="compat.megatron.OptimizerParamSchedulerWD"):
    r"""The weight decay of Megatron-core's ``OptimizerParamScheduler`` (its ``get_wd``, times the param
    group's ``wd_mult``).

    With :math:`T` = ``wd_incr_steps``, :math:`r = \min(n, T)/T`:

    .. math::
        s(n) = m\left(W_0 + (W_1 - W_0)\, c(r)\right), \qquad
        c(r) = \begin{cases} 1 & \text{constant} \\ r & \text{linear} \\
        \tfrac{1}{2}\left(1 + \cos \pi (1 - r)\right) & \text{cosine} \end{cases}

    an increase from ``start_wd`` to ``end_wd`` (held after :math:`T`). Lowers to :func:`jaxsched.linear`,
    or :func:`jaxsched.warmup_stable_decay`'s cosine warmup, times ``wd_mult``. Update ``k`` uses
    :math:`s(k)`.

    Where the original is odd: ``constant`` asserts ``start_wd == end_wd`` (at the first step, here at
    construction); a non-constant style with ``wd_incr_steps=0`` divides by zero at construction.

    Args:
      start_wd: :math:`W_0 >= 0` (``--start-weight-decay``).
      end_wd: :math:`W_1 >= W_0` (``--end-weight-decay``).
      wd_incr_steps: :math:`T >= 0` (Megatron passes the training length).
      wd_incr_style: ``constant``, ``linear`` or ``cosine``.
      wd_mult: :math:`m >= 0`, the param group's ``wd_mult`` (1 by default).

    Example:
      >>> from jaxsched.compat import megatron
      >>> s = megatron.OptimizerParamSchedulerWD(0.0, 0.1, 4, "cosine")
      >>> [round(float(s(k)), 4) for k in range(6)]
      [0.0, 0.0146, 0.05, 0.0854, 0.1, 0.1]
    """

    start_wd: Real = value()
    end_wd: Real = value()
    wd_incr_steps: StepCount = steps()
    wd_incr_style: str = choice(WD_INCR_STYLES)
    wd_mult: Real = value(default=1.0, minimum=0.0)

    examples = (
        {"start_wd": 0.01, "end_wd": 0.1, "wd_incr_steps": 1000, "wd_incr_style": "linear"},
        {"start_wd": 0.0, "end_wd": 0.1, "wd_incr_steps": 500, "wd_incr_style": "cosine", "wd_mult": 0.5},
        {"start_wd": 0.1, "end_wd": 0.1, "wd_incr_steps": 0, "wd_incr_style": "constant"},
    )

    def __check_init__(self) -> None:
        if known(self.start_wd) and not self.start_wd >= 0.0:
            raise MegatronAssertionError("start_wd", "must be >= 0", self.start_wd)
        if known(self.start_wd, self.end_wd) and not self.end_wd >= self.start_wd:
            raise MegatronAssertionError("end_wd", f"must be >= start_wd ({self.start_wd})", self.end_wd)
        if self.wd_incr_style == "constant":
            if known(self.start_wd, self.end_wd) and self.start_wd != self.end_wd:
                raise MegatronAssertionError(
                    "end_wd",
                    f"must equal start_wd ({self.start_wd}) with wd_incr_style='constant'",
                    self.end_wd,
                )
        elif known(self.wd_incr_steps):
            if self.wd_incr_steps == 0:
                raise MegatronZeroDivisionError(
                    "wd_incr_steps",
                    f"must be > 0 with wd_incr_style={self.wd_incr_style!r} (Megatron divides by it)",
                    self.wd_incr_steps,
                )
            if self.wd_incr_steps > MAX_STEP - 1:
                raise ScheduleArgumentError("wd_incr_steps", "must be <= 2**31 - 2", self.wd_incr_steps)

    def _key_steps(self) -> list[Any]:
        return [self.wd_incr_steps]

    def lower(self) -> Schedule:
        start, end, T = self.start_wd, self.end_wd, self.wd_incr_steps
        if self.wd_incr_style == "constant":
            ramp: Schedule = jaxsched.constant(end)
        elif self.wd_incr_style == "linear":
            ramp = jaxsched.linear(start, end, T)
        else:  # a cosine rise over T steps, then end_wd
            ramp = jaxsched.warmup_stable_decay(
                end, T, T + 1, 1, init_value=start, end_value=end, warmup_shape="cosine"
            )
        return jaxsched.multiply(ramp, jaxsched.constant(self.wd_mult))


class MegatronSchedules(NamedTuple):
    """The two fields Megatron's ``OptimizerParamScheduler`` drives."""

    learning_rate: OptimizerParamSchedulerLR
    weight_decay: OptimizerParamSchedulerWD


def OptimizerParamScheduler(
    init_lr: Real,
    max_lr: Real,
    min_lr: Real,
    lr_warmup_steps: int,
    lr_decay_steps: int,
    lr_decay_style: str,
    start_wd: Real,
    end_wd: Real,
    wd_incr_steps: int,
    wd_incr_style: str,
    use_checkpoint_opt_param_scheduler: bool | None = True,
    override_opt_param_scheduler: bool | None = False,
    wsd_decay_steps: int | None = None,
    lr_wsd_decay_style: str | None = None,
    *,
    wd_mult: Real = 1.0,
) -> MegatronSchedules:
    """Megatron-core's ``OptimizerParamScheduler`` (minus the optimizer): the learning-rate and the
    weight-decay schedules it applies, as :class:`MegatronSchedules`.

    ``use_checkpoint_opt_param_scheduler`` and ``override_opt_param_scheduler`` only decide what a
    checkpoint's values do on resume; as in Megatron, both set is refused. ``wd_mult`` is a param group's
    multiplier of the weight decay. For several param groups with ``max_lr``/``min_lr``/``start_wd``/
    ``end_wd``/``wd_mult`` overrides, build one pair per group with its values.

    With ``torch_bridge``::

        lr, wd = OptimizerParamScheduler(...)
        torch_bridge.ScheduleLR(optimizer, lr)
        torch_bridge.ScheduleLR(optimizer, wd, field="weight_decay")

    Example:
      >>> from jaxsched.compat import megatron
      >>> s = megatron.OptimizerParamScheduler(0.0, 1.0, 0.0, 1, 3, "linear", 0.0, 0.0, 3, "constant")
      >>> s.learning_rate.numpy([0, 1, 2, 3, 4]).tolist(), float(s.weight_decay.numpy(2))
      ([0.0, 1.0, 0.5, 0.0, 0.0], 0.0)
    """
    if override_opt_param_scheduler and use_checkpoint_opt_param_scheduler:
        raise MegatronAssertionError(
            "override_opt_param_scheduler", "and use_checkpoint_opt_param_scheduler are both set", True
        )
    lr = OptimizerParamSchedulerLR(
        init_lr,
        max_lr,
        min_lr,
        lr_warmup_steps,
        lr_decay_steps,
        lr_decay_style,
        wsd_decay_steps,
        lr_wsd_decay_style,
    )
    wd = OptimizerParamSchedulerWD(start_wd, end_wd, wd_incr_steps, wd_incr_style, wd_mult)
    return MegatronSchedules(lr, wd)
