"""Schedules from recent papers and the training codebases that introduced them.

- :class:`TriStage`: fairseq's ``tri_stage`` (SpecAugment, Park et al., arXiv 1904.08779).
- :class:`InverseSqrtCooldown`: big_vision's ``rsqrt`` with a linear cooldown (Scaling ViT, Zhai et al.,
  arXiv 2106.04560).
- :class:`WarmupStableDecayCycles`: WSD cycles that re-warm from the previous end (WSD-S, Wen et al.,
  arXiv 2410.05192; levanter's ``cycles``/``rewarmup``).
- :class:`PowerScheduler`: the power scheduler in tokens (Shen et al., arXiv 2408.13359; levanter's
  ``power``).

Linear decay to zero ("Straight to Zero", D2Z, Bergsma et al., arXiv 2502.15938) needs no new schedule:
it is ``jaxsched.warmup_linear_decay(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0)``.

Each is a thin mapping onto catalog formulas where the math is the same.
"""

from __future__ import annotations

import math
from typing import Any

from jaxsched import _validate as v
from jaxsched._combinators import join, multiply
from jaxsched._core import Composite, Schedule
from jaxsched._fields import (
    Real,
    StepCount,
    choice,
    known,
    level,
    static,
    static_int,
    steps,
    steps_seq,
    value,
)
from jaxsched._numerics import MAX_STEP, Array, Backend, Steps
from jaxsched._shapes import DECAY_SHAPES, WARMUP_SHAPES, linear_warmup
from jaxsched.schedules._basic import ExponentialDecay, Linear
from jaxsched.schedules._transformer import InverseSqrt
from jaxsched.schedules._warmup import WarmupConstant
from jaxsched.schedules._wsd import WarmupStableDecay


class TriStage(Composite, name="tri_stage"):
    r"""fairseq's tri-stage schedule (Park et al. 2019, SpecAugment, arXiv 1904.08779).

    With :math:`P` the peak, :math:`W, H, D` the warmup, hold and decay lengths,
    :math:`a` = ``init_lr_scale`` and :math:`z` = ``final_lr_scale``:

    .. math::
        s(k) = \begin{cases}
        aP + (P - aP)\,k/W & k < W \\
        P & W \le k < W + H \\
        P\, z^{(k - W - H)/D} & W + H \le k < W + H + D \\
        zP & k \ge W + H + D \end{cases}

    The decay is fairseq's :math:`P \exp(-\lambda e)` with :math:`\lambda = -\ln(z)/D`, written as a power
    of :math:`z`; it is :func:`jaxsched.warmup_stable_decay` with the ``"exponential"`` decay shape. As in
    fairseq, update ``k`` uses the value ``step_update(k)`` sets (the first update uses :math:`aP`).

    Args:
      peak_value: :math:`P > 0`.
      warmup_steps: :math:`W >= 0`.
      hold_steps: :math:`H >= 0`.
      decay_steps: :math:`D >= 1`.
      init_lr_scale: :math:`a >= 0`, the start of the warmup relative to the peak.
      final_lr_scale: :math:`z > 0`, the end relative to the peak.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.schedules._research import tri_stage
      >>> s = tri_stage(1.0, warmup_steps=2, hold_steps=2, decay_steps=2, final_lr_scale=0.25)
      >>> [round(float(s(k)), 6) for k in range(8)]
      [0.01, 0.505, 1.0, 1.0, 1.0, 0.5, 0.25, 0.25]
    """

    peak_value: Real = value(minimum=0.0, min_open=True)
    warmup_steps: StepCount = steps()
    hold_steps: StepCount = steps()
    decay_steps: StepCount = steps(minimum=1)
    init_lr_scale: Real = level(default=0.01)
    final_lr_scale: Real = value(default=0.01, minimum=0.0, min_open=True)

    examples = (
        {"peak_value": 1e-3, "warmup_steps": 100, "hold_steps": 400, "decay_steps": 500},
        {
            "peak_value": 1e-3,
            "warmup_steps": 0,
            "hold_steps": 50,
            "decay_steps": 200,
            "init_lr_scale": 0.0,
            "final_lr_scale": 0.05,
        },
    )

    def __check_init__(self) -> None:
        if known(self.warmup_steps, self.hold_steps) and self.warmup_steps + self.hold_steps > MAX_STEP:
            raise v.ScheduleArgumentError(
                "hold_steps",
                f"puts the decay past the last step 2**31 - 1 (warmup_steps + hold_steps = "
                f"{self.warmup_steps + self.hold_steps})",
                self.hold_steps,
            )

    def _key_steps(self) -> list[Any]:
        W, H, D = self.warmup_steps, self.hold_steps, self.decay_steps
        return [W, W + H, W + H + D]

    def lower(self) -> Schedule:
        peak = self.peak_value
        # The decay is a piece of its own from W + H on, so a phase ending past 2**31 - 1 stays exact.
        warm = WarmupConstant(peak * self.init_lr_scale, peak, self.warmup_steps)
        decay = ExponentialDecay(
            peak, self.decay_steps, self.final_lr_scale, end_value=peak * self.final_lr_scale
        )
        return join([warm, decay], [self.warmup_steps + self.hold_steps])


class InverseSqrtCooldown(Composite, name="inverse_sqrt_cooldown"):
    r"""Inverse square root with a linear cooldown to 0: big_vision's ``rsqrt`` + ``cooldown``.

    The horizon-free schedule of Scaling ViT (Zhai et al., arXiv 2106.04560): linear warmup, then
    :math:`P/\sqrt{1 + (k - W)/\tau}`, multiplied during the last ``cooldown_steps`` :math:`C` before
    ``total_steps`` :math:`T` by a linear ramp to 0:

    .. math::
        s(k) = \operatorname{inverse\_sqrt}(k)\cdot\operatorname{clip}\left(\frac{T - k}{C}, 0, 1\right),
        \qquad \operatorname{inverse\_sqrt}(k) = \begin{cases} P\,k/W & k < W \\
        P \sqrt{\dfrac{\tau}{\tau + k - W}} & k \ge W \end{cases}

    Any checkpoint of the rsqrt run can be cooled down later with a different :math:`T`. big_vision's
    factor turns negative after :math:`T`; here the value stays 0.

    Args:
      peak_value: :math:`P`.
      warmup_steps: :math:`W >= 0`.
      total_steps: :math:`T`, where the value reaches 0.
      cooldown_steps: :math:`C >= 1`, with :math:`W + C \le T`.
      timescale: :math:`\tau > 0` (big_vision's default 10 000).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.schedules._research import inverse_sqrt_cooldown
      >>> s = inverse_sqrt_cooldown(1.0, warmup_steps=2, total_steps=10, cooldown_steps=4,
      ...                                    timescale=2)
      >>> [round(float(s(k)), 4) for k in (0, 1, 2, 4, 6, 8, 10)]
      [0.0, 0.5, 1.0, 0.7071, 0.5774, 0.25, 0.0]
    """

    peak_value: Real = level()
    warmup_steps: StepCount = steps()
    total_steps: StepCount = steps(minimum=1)
    cooldown_steps: StepCount = steps(minimum=1)
    timescale: Real = value(default=10_000.0, minimum=0.0, min_open=True)

    examples = ({"peak_value": 1e-3, "warmup_steps": 1000, "total_steps": 100_000, "cooldown_steps": 10_000},)

    def __check_init__(self) -> None:
        if known(self.warmup_steps, self.total_steps, self.cooldown_steps):
            v.less(
                "cooldown_steps",
                self.cooldown_steps,
                "total_steps - warmup_steps",
                self.total_steps - self.warmup_steps,
                equal_ok=True,
            )

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.total_steps - self.cooldown_steps, self.total_steps]

    def lower(self) -> Schedule:
        rsqrt = InverseSqrt(self.peak_value, self.warmup_steps, timescale=self.timescale)
        cool = Linear(1.0, 0.0, self.cooldown_steps, transition_begin=self.total_steps - self.cooldown_steps)
        return multiply(rsqrt, cool)


class WarmupStableDecayCycles(Composite, name="warmup_stable_decay_cycles"):
    r"""Repeated warmup-stable-decay cycles, each re-warming from the previous end (WSD-S).

    Wen et al., arXiv 2410.05192 (levanter's ``cycles`` with ``rewarmup``): cycle :math:`i` spans
    :math:`[b_i, b_i + L_i)` with :math:`b_i = \sum_{j<i} L_j` and is a :func:`jaxsched.warmup_stable_decay`
    over its own steps:

    .. math::
        s(k) = \operatorname{wsd}\left(P, W_i, L_i, D;\ I_i \to E\right)(k - b_i), \qquad
        W_0 = \text{warmup\_steps},\ I_0 = \text{init\_value};\quad
        W_i = \text{rewarmup\_steps},\ I_i = E\ (i \ge 1)

    Every cycle decays to ``end_value`` over its last ``decay_steps`` (a checkpoint there is a finished
    model), and the next one rises from that value back to the peak. ``end_value`` is held after the last
    cycle. ``rewarmup_steps=0`` jumps straight back to the peak.

    Args:
      peak_value: :math:`P`.
      cycle_steps: the cycle lengths :math:`L_i` (a list), or one length repeated ``num_cycles`` times.
      warmup_steps: :math:`W_0` of the first cycle.
      decay_steps: :math:`D >= 1` steps at the end of every cycle.
      rewarmup_steps: warmup of the later cycles.
      num_cycles: how many cycles when ``cycle_steps`` is a single length (static).
      init_value: value at step 0.
      end_value: value at the end of every cycle.
      warmup_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      decay_shape: ``"linear"``, ``"cosine"``, ``"1-sqrt"`` or ``"exponential"``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.schedules._research import warmup_stable_decay_cycles
      >>> s = warmup_stable_decay_cycles(1.0, cycle_steps=[6, 5], warmup_steps=2,
      ...                                         decay_steps=2, rewarmup_steps=1, end_value=0.1)
      >>> [round(float(s(k)), 3) for k in range(12)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 0.55, 0.1, 1.0, 1.0, 1.0, 0.55, 0.1]
    """

    peak_value: Real = level()
    cycle_steps: int | tuple[StepCount, ...] = steps_seq(minimum=1, nonempty=True, scalar_ok=True)
    warmup_steps: StepCount = steps()
    decay_steps: StepCount = steps(minimum=1)
    rewarmup_steps: StepCount = steps(default=0)
    num_cycles: int | None = static(default=None, converter=static_int(1, optional=True))
    init_value: Real = level(default=0.0)
    end_value: Real = level(default=0.0)
    warmup_shape: str = choice(WARMUP_SHAPES, default="linear")
    decay_shape: str = choice(DECAY_SHAPES, default="linear")

    examples = (
        {
            "peak_value": 1e-3,
            "cycle_steps": [1000, 500, 500],
            "warmup_steps": 100,
            "decay_steps": 100,
            "rewarmup_steps": 20,
            "end_value": 1e-5,
        },
        {
            "peak_value": 1e-3,
            "cycle_steps": 400,
            "num_cycles": 3,
            "warmup_steps": 50,
            "decay_steps": 80,
            "decay_shape": "1-sqrt",
        },
    )

    def _lengths(self) -> tuple[Any, ...]:
        """The cycle lengths (the field accepts one length with ``num_cycles`` too)."""
        lengths: tuple[Any, ...] = self.cycle_steps  # type: ignore[assignment]
        return lengths

    def __check_init__(self) -> None:
        if len(self._lengths()) == 1 and self.num_cycles is not None:
            self._set("cycle_steps", self._lengths() * self.num_cycles)
            self._set("num_cycles", None)
        elif self.num_cycles is not None:
            raise v.ScheduleArgumentError("num_cycles", "only with a single cycle length", self.num_cycles)
        for i, L in enumerate(self._lengths()):
            W = self.warmup_steps if i == 0 else self.rewarmup_steps
            if known(W, self.decay_steps, L):
                v.less(
                    "warmup_steps" if i == 0 else "rewarmup_steps",
                    W + self.decay_steps,
                    f"cycle_steps[{i}]",
                    L,
                    equal_ok=True,
                )
        lengths = self._lengths()
        if known(*lengths[:-1]) and sum(lengths[:-1]) > MAX_STEP:
            raise v.ScheduleArgumentError(
                "cycle_steps", "start a cycle past the last step 2**31 - 1", list(lengths)
            )

    def lower(self) -> Schedule:
        cycles: list[Schedule] = []
        starts: list[Any] = []
        b: Any = 0
        for i, L in enumerate(self._lengths()):
            cycles.append(
                WarmupStableDecay(
                    peak_value=self.peak_value,
                    warmup_steps=self.warmup_steps if i == 0 else self.rewarmup_steps,
                    total_steps=L,
                    decay_steps=self.decay_steps,
                    init_value=self.init_value if i == 0 else self.end_value,
                    end_value=self.end_value,
                    warmup_shape=self.warmup_shape,
                    decay_shape=self.decay_shape,
                )
            )
            if i:
                starts.append(b)
            b = b + L
        return join(cycles, starts)


class PowerScheduler(Schedule, name="power_scheduler"):
    r"""The power scheduler in tokens (Shen et al., arXiv 2408.13359; levanter's ``power``).

    With :math:`n = k \cdot \beta \cdot \ell` tokens seen after :math:`k` updates of batch size
    :math:`\beta` and sequence length :math:`\ell`:

    .. math::
        s(k) = \begin{cases} \eta\, k / W & k < W \\
        \min\left(\eta,\ \beta\, a\, n^{b}\right) & k \ge W \end{cases}

    The curve is a power law in tokens, so the same :math:`(a, b)` transfer across batch sizes and
    token budgets (the paper's default :math:`a = 4.6`, :math:`b = -0.51`). At :math:`k = 0` the power
    law is infinite and the value is :math:`\eta`. A warmup that ends after the power law has fallen below
    :math:`\eta` ends with a drop, as in levanter.

    Args:
      peak_value: :math:`\eta`, the cap.
      batch_size: :math:`\beta > 0` sequences per update.
      seq_length: :math:`\ell > 0` tokens per sequence.
      a: :math:`a > 0`.
      b: :math:`b < 0`.
      warmup_steps: :math:`W >= 0`.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.schedules._research import power_scheduler
      >>> s = power_scheduler(0.02, batch_size=1024, seq_length=4096)
      >>> [float(f"{float(s(k)):.4g}") for k in (0, 1000, 100_000)]
      [0.02, 0.02, 0.005565]
    """

    peak_value: Real = level()
    batch_size: Real = value(minimum=0.0, min_open=True)
    seq_length: Real = value(minimum=0.0, min_open=True)
    a: Real = value(default=4.6, minimum=0.0, min_open=True)
    b: Real = value(default=-0.51, maximum=0.0, max_open=True)
    warmup_steps: StepCount = steps(default=0)

    examples = ({"peak_value": 0.02, "batch_size": 1024, "seq_length": 4096, "warmup_steps": 500},)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        peak, bs = bk.value(self.peak_value), bk.value(self.batch_size)
        k = xp.maximum(t.value(), 1.0)
        # bs * a * (k bs l)**b, in logs: the token count overflows float32 long before 2**31 updates.
        log = xp.log(bs * bk.value(self.a)) + bk.value(self.b) * (
            xp.log(k) + xp.log(bs) + xp.log(bk.value(self.seq_length))
        )
        raw = xp.exp(xp.minimum(log, math.log(3e38)))
        consts = (self.batch_size, self.a, self.b, self.seq_length)
        if all(bk.plain(c) is not None for c in consts):
            # Concrete constants: A * k**b with A = bs * a * (bs l)**b on the host in float64. pow is
            # accurate to an ulp; the float32 sum of logs above is not (1.6e-6 at 2e9 steps).
            bs_, a_, b_, l_ = (float(c) for c in consts)
            A = math.exp(math.log(bs_ * a_) + b_ * math.log(bs_ * l_))
            if 1e-30 < A < 1e30:
                raw = bk.value(A) * k ** bk.value(b_)
        law = xp.where(t.value() > 0, xp.minimum(peak, raw), peak)
        return linear_warmup(bk, t, 0.0, peak, bk.count(self.warmup_steps), law)


tri_stage = TriStage
inverse_sqrt_cooldown = InverseSqrtCooldown
warmup_stable_decay_cycles = WarmupStableDecayCycles
power_scheduler = PowerScheduler

__all__ = [
    "InverseSqrtCooldown",
    "PowerScheduler",
    "TriStage",
    "WarmupStableDecayCycles",
    "inverse_sqrt_cooldown",
    "power_scheduler",
    "tri_stage",
    "warmup_stable_decay_cycles",
]
