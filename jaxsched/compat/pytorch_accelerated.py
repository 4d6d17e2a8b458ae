"""Ports of ``pytorch_accelerated.schedulers``: ``CosineLrScheduler`` and ``WSDLrScheduler``
(0.1.61).

Both originals are *stateful* schedulers stepped once after every optimizer update. Their
constructor
writes a first LR, and the ``n``-th call of ``step()`` (from 0) writes ``f(n)``. So update :math:`k`
(from
0) runs with the constructor's value at :math:`k = 0` and with :math:`f(k - 1)` afterwards: the
first
value of ``f`` is used twice. The ports reproduce that, and each class's docstring lists where the
original is odd and which native jaxsched schedule does the same job without the quirk.

``lr`` is the param group's base value (``initial_lr``); for several param groups build one port per
group
(``torch_bridge.CosineLrScheduler`` does that).
"""

from __future__ import annotations

import functools
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps
from jaxsched.schedules._cosine import cosine_factor
from jaxsched.schedules._warmup import linear_warmup
from jaxsched.schedules._wsd import fall

__all__ = ["CosineLrScheduler", "WSDLrScheduler", "estimate_checkpoint_steps"]


def _first_twice(bk: Backend, t: Steps, first: Array, f: Any) -> Array:
    """``first`` at update 0, then ``f(k - 1)``: the constructor's value followed by the stepped
    values."""
    return bk.xp.where(t.n == 0, first, f(t.shifted(1)))


class CosineLrScheduler(Schedule, name="compat.pytorch_accelerated.CosineLrScheduler"):
    r"""``pytorch_accelerated.schedulers.CosineLrScheduler`` (adapted from timm), for one param
    group.

    With :math:`T`, :math:`W`, :math:`C` the total, warmup and cooldown updates (epochs times
    ``num_update_steps_per_epoch``), :math:`m` the floor (``lr_min``, or ``min_lr_ratio * lr``),
    :math:`s`
    the warmup start (``warmup_starting_lr``, or ``warmup_starting_lr_ratio * lr``) and
    :math:`w` = ``warmup_starting_lr``, the original's stepped values are

    .. math::
        f(n) = \begin{cases}
        s + n\,(\mathrm{lr} - w)/W & n < W \\
        m + (\mathrm{lr} - m)\,\dfrac{1 + \cos\left(\pi\,(n - W)^{\kappa} / L^{\kappa}\right)}{2}
          & W \le n < T - W - C \\
        m & n \ge T - W - C \end{cases}, \qquad L = T - W - C

    and update :math:`k` uses :math:`f(k - 1)`; update 0 uses the constructor's value (``lr``, or
    ``warmup_starting_lr`` when there is a warmup).

    Where the original is odd (reproduced here for parity):

    - the first value is used twice (constructor value, then :math:`f(0)`);
    - **truncated cosine**: the cosine branch ends at the un-shifted :math:`n = T - W - C`, but its
      progress is :math:`(n - W)/L`, so with a warmup it is cut off :math:`W` updates early and
      jumps to
      :math:`m` before reaching it (T=10, W=2, C=2: ``f = [.001, .0055, .01, .0093, .0075, .005, 0,
      ...]``);
    - without warmup the floor is reached only at :math:`n = T - C`, one update after the last
      cosine value;
    - with ``warmup_starting_lr_ratio`` the warmup starts at ``ratio * lr`` but its slope still uses
      the
      absolute ``warmup_starting_lr``, so the warmup ends off target; and the constructor writes the
      absolute ``warmup_starting_lr``.

    :func:`jaxsched.warmup_cosine_decay` (with ``decay_steps = T - C``) is the schedule this
    intends.

    Args:
      lr: the param group's base LR (``initial_lr``).
      total_num_epochs: epochs in total, warmup and cooldown included (> 0).
      num_update_steps_per_epoch: optimizer updates per epoch (> 0).
      k_decay: :math:`\kappa > 0`, timm's k-decay exponent.
      lr_min: absolute floor :math:`\ge 0`.
      min_lr_ratio: floor as a fraction of ``lr`` (takes precedence over ``lr_min``).
      num_warmup_epochs: warmup epochs (>= 0).
      warmup_starting_lr: absolute warmup start.
      warmup_starting_lr_ratio: warmup start as a fraction of ``lr`` (takes precedence for the
        start).
      num_cooldown_epochs: epochs held at the floor at the end (>= 0).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_accelerated import CosineLrScheduler
      >>> s = CosineLrScheduler(0.01, total_num_epochs=10, num_update_steps_per_epoch=1,
      ...                       num_warmup_epochs=2, num_cooldown_epochs=2, lr_min=0.0,
      ...                       warmup_starting_lr=0.001)
      >>> [round(float(x), 5) for x in s.numpy(range(9))]
      [0.001, 0.001, 0.0055, 0.01, 0.00933, 0.0075, 0.005, 0.0, 0.0]
    """

    lr: Any
    total_num_epochs: Any
    num_update_steps_per_epoch: Any
    k_decay: Any = 1.0
    lr_min: Any = 1e-6
    min_lr_ratio: Any = None
    num_warmup_epochs: Any = 0
    warmup_starting_lr: Any = 1e-6
    warmup_starting_lr_ratio: Any = None
    num_cooldown_epochs: Any = 0

    examples = (
        {"lr": 0.01, "total_num_epochs": 10, "num_update_steps_per_epoch": 100},
        {
            "lr": 0.01,
            "total_num_epochs": 20,
            "num_update_steps_per_epoch": 50,
            "k_decay": 2.0,
            "min_lr_ratio": 0.05,
            "num_warmup_epochs": 2,
            "warmup_starting_lr": 1e-4,
            "num_cooldown_epochs": 3,
        },
        {
            "lr": 0.01,
            "total_num_epochs": 20,
            "num_update_steps_per_epoch": 50,
            "lr_min": 1e-5,
            "num_warmup_epochs": 3,
            "warmup_starting_lr_ratio": 0.1,
        },
    )

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        for name in ("total_num_epochs", "num_update_steps_per_epoch"):
            v.asserted(v.value, name, getattr(self, name), minimum=0, strict=True)  # the original asserts
            self._set(name, v.steps(name, getattr(self, name), minimum=1))
        for name in ("num_warmup_epochs", "num_cooldown_epochs"):
            self._set(name, v.steps(name, getattr(self, name)))
        v.positive("k_decay", self.k_decay)
        v.asserted(v.nonnegative, "lr_min", self.lr_min)
        if self.min_lr_ratio is not None:
            v.number("min_lr_ratio", self.min_lr_ratio)
        v.number("warmup_starting_lr", self.warmup_starting_lr)
        if self.warmup_starting_lr_ratio is not None:
            v.number("warmup_starting_lr_ratio", self.warmup_starting_lr_ratio)

    def _counts(self, bk: Backend) -> tuple[Array, Array, Array]:
        spe = bk.count(self.num_update_steps_per_epoch)
        return (
            bk.count(self.total_num_epochs) * spe,
            bk.count(self.num_warmup_epochs) * spe,
            bk.count(self.num_cooldown_epochs) * spe,
        )

    def _key_steps(self) -> list[Any]:
        spe = self.num_update_steps_per_epoch
        T, W, C = (
            x * spe
            for x in (self.total_num_epochs, self.num_warmup_epochs, self.num_cooldown_epochs)
        )
        return [W + 1, T - W - C + 1, T - C + 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        T, W, C = self._counts(bk)
        L = T - W - C
        lr = bk.value(self.lr)
        floor = (
            bk.value(self.lr_min) if self.min_lr_ratio is None else bk.value(self.min_lr_ratio) * lr
        )
        w_abs = bk.value(self.warmup_starting_lr)
        start = (
            w_abs
            if self.warmup_starting_lr_ratio is None
            else bk.value(self.warmup_starting_lr_ratio) * lr
        )
        Lf = bk.to_float(xp.maximum(L, 1))

        def f(n: Steps) -> Array:
            elapsed = xp.clip(n.since(W), 0.0, Lf)
            remaining = xp.clip(n.until(bk.add(W, L)), 0.0, Lf)
            cos = floor + (lr - floor) * cosine_factor(bk, elapsed, remaining, Lf, self.k_decay)
            rest = xp.where(n.ge(L), floor, cos)
            # The warmup's slope uses the absolute start even when a ratio sets the first value.
            ramp = start + (lr - w_abs) * (n.value() / bk.to_float(xp.maximum(W, 1)))
            return xp.where(n.ge(W), rest, ramp)

        first = xp.where(W > 0, w_abs, lr)
        return _first_twice(bk, t, first, f)


def estimate_checkpoint_steps(total_steps: int, num_checkpoints: int = 3) -> list[int]:
    """The original's checkpoint placement: ``[T]``, or ``T//4 * 2**i`` capped at ``T`` (stops at
    ``T``).

    With too few checkpoints to reach ``T`` the last one lies before it (``T=100, n=2 -> [25,
    50]``).

    Example:
      >>> from jaxsched.compat.pytorch_accelerated import estimate_checkpoint_steps
      >>> estimate_checkpoint_steps(200_000, 3), estimate_checkpoint_steps(100, 2)
      ([50000, 100000, 200000], [25, 50])
    """
    if num_checkpoints == 1:
        return [total_steps]
    first = total_steps // 4
    out = []
    for i in range(num_checkpoints):
        cp = min(first * 2**i, total_steps)
        out.append(cp)
        if cp == total_steps:
            break
    return out


@functools.lru_cache(maxsize=256)
def _periods(total_steps: int, num_checkpoints: int, ratio: float) -> tuple[tuple[int, ...], ...]:
    """Per period: (start, end, decay_start, decay_steps) in absolute steps, as the original
    computes them."""
    cps = estimate_checkpoint_steps(total_steps, num_checkpoints)
    out = []
    for i, cp in enumerate(cps):
        start = 0 if i == 0 else cps[i - 1]
        length = cp - start
        decay = int(length * ratio)
        out.append((start, cp, start + length - decay, decay))
    return tuple(out)


class WSDLrScheduler(Schedule, name="compat.pytorch_accelerated.WSDLrScheduler"):
    r"""``pytorch_accelerated.schedulers.WSDLrScheduler`` (warmup-stable-decay with checkpoints),
    one group.

    Checkpoints are ``[T]`` or ``T//4 * 2**i`` (see :func:`estimate_checkpoint_steps`). In each
    period
    :math:`[a, b)` the last :math:`D = \lfloor (b - a)\rho \rfloor` steps decay, from :math:`d = b -
    D`.
    The original's stepped values are, with base LR :math:`\eta`, floor fraction :math:`m` and
    :math:`r = \min((n - d)/D, 1)`,

    .. math::
        f(n) = \begin{cases}
        w + (n / W)(\eta - w) & n < W \text{ (not in continuation mode)} \\
        \eta & n < d \\
        \eta\,\left(m + (1 - m)(1 - \sqrt{r})\right) & n \ge d,\ \text{use\_inverse\_sqrt\_decay} \\
        \eta / \left(r/m + 1 - r\right) & n \ge d,\ \text{otherwise} \end{cases}

    and update :math:`k` uses :math:`f(k - 1)`, update 0 the constructor's value :math:`\eta`.

    Where the original is odd (reproduced here for parity):

    - ``use_inverse_sqrt_decay=True`` is a *square-root* decay :math:`1 - \sqrt{r}`;
    - with several checkpoints, at step :math:`n = b` of an intermediate checkpoint the LR snaps
      back to
      :math:`\eta` (the next period's stable phase): intermediate decays stop at :math:`r = (D-1)/D`
      and
      never reach :math:`m\eta`;
    - past the last checkpoint (or before ``T`` when the checkpoints do not reach it) the lookup
      falls
      back to the first period, which gives :math:`r = 1`: the floor :math:`m\eta`;
    - ``num_warmup_steps=None`` means ``int(0.01 * T)`` (its docstring says 10%);
    - when the first period's decay has zero length (``int(length * ratio) == 0``) the original divides
      by zero at every step that falls back to it (past the last checkpoint); the port gives the floor;
    - it rejects ``warmup_starting_lr`` above the *largest* group LR; a port is one group, so that
      check
      is ``torch_bridge.WSDLrScheduler``'s;
    - ``state_dict()`` drops ``_num_updates``, so a resumed original restarts its count from 0: a
      run
      resumed at update :math:`r` applies ``jaxsched.shift(port, r)``. This port (and
      ``torch_bridge.WSDLrScheduler``, whose state holds the step) keep counting.

    :func:`jaxsched.warmup_stable_decay` with ``decay_shape="1-sqrt"`` is the native schedule
    without
    these quirks.

    Args:
      lr: the param group's base LR.
      num_epochs: epochs (with ``num_update_steps_per_epoch``), or give ``total_steps``.
      num_update_steps_per_epoch: updates per epoch.
      total_steps: total updates :math:`T > 0`.
      num_warmup_steps: :math:`W >= 0`, or ``None`` for ``int(0.01 * T)``.
      decay_phase_ratio: :math:`\rho \in [0, 1]` (at most 1/3 with several checkpoints).
      lr_min: the floor :math:`m` as a fraction of ``lr`` (> 0 for the inverse-proportional decay).
      warmup_starting_lr: :math:`w`, absolute, at most ``lr``.
      use_inverse_sqrt_decay: square-root decay (True) or the paper's inverse-proportional one.
      num_checkpoints: number of checkpoints (>= 1).
      is_continuation_from_checkpoint: skip the warmup (a continued run).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.pytorch_accelerated import WSDLrScheduler
      >>> s = WSDLrScheduler(1.0, total_steps=20, num_warmup_steps=2, decay_phase_ratio=0.2,
      ...                    lr_min=0.1, warmup_starting_lr=0.0)
      >>> [round(float(x), 4) for x in s.numpy([0, 1, 2, 3, 17, 18, 19, 20, 21])]
      [1.0, 0.0, 0.5, 1.0, 1.0, 0.55, 0.3636, 0.2206, 0.1]
    """

    lr: Any
    num_epochs: int | None = static(default=None)
    num_update_steps_per_epoch: int | None = static(default=None)
    total_steps: int | None = static(default=None)
    num_warmup_steps: Any = 0
    decay_phase_ratio: float = static(default=0.1)
    lr_min: Any = 1e-6
    warmup_starting_lr: Any = 1e-6
    use_inverse_sqrt_decay: bool = static(default=True)
    num_checkpoints: int = static(default=1)
    is_continuation_from_checkpoint: bool = static(default=False)

    examples = (
        {"lr": 1e-3, "total_steps": 1000, "num_warmup_steps": 50},
        {
            "lr": 1e-3,
            "num_epochs": 10,
            "num_update_steps_per_epoch": 100,
            "num_warmup_steps": 20,
            "decay_phase_ratio": 0.2,
            "lr_min": 0.01,
            "use_inverse_sqrt_decay": False,
            "num_checkpoints": 3,
        },
    )

    def __check_init__(self) -> None:
        v.number("lr", self.lr)
        given = [
            x is not None
            for x in (self.num_epochs, self.num_update_steps_per_epoch, self.total_steps)
        ]
        if all(given):
            raise v.ScheduleArgumentError(
                "total_steps",
                "Only num_epochs and num_update_steps_per_epoch, or total_steps should be provided",
                self.total_steps,
            )
        if given[0] and given[1]:
            ne = v.integer("num_epochs", self.num_epochs, minimum=1)
            spe = v.integer(
                "num_update_steps_per_epoch", self.num_update_steps_per_epoch, minimum=1
            )
            self._set("total_steps", ne * spe)
        elif self.total_steps is None:  # the original's assert compares None with 0: TypeError
            raise v.ScheduleArgumentTypeValueError(
                "total_steps", "an int (or give num_epochs and num_update_steps_per_epoch)", None
            )
        # Normalised to total_steps (the config then names it alone).
        self._set("num_epochs", None)
        self._set("num_update_steps_per_epoch", None)
        v.asserted(v.value, "total_steps", self.total_steps, minimum=0, strict=True)  # asserted
        T = v.integer("total_steps", self.total_steps, minimum=1)
        self._set("total_steps", T)
        if self.num_warmup_steps is None:
            self._set("num_warmup_steps", int(0.01 * T))
        self._set("num_warmup_steps", v.steps("num_warmup_steps", self.num_warmup_steps))
        v.asserted(v.value, "decay_phase_ratio", self.decay_phase_ratio, minimum=0.0, maximum=1.0)
        ratio = v.finite_float("decay_phase_ratio", self.decay_phase_ratio)
        self._set("decay_phase_ratio", ratio)
        v.asserted(v.nonnegative, "lr_min", self.lr_min)
        v.number("warmup_starting_lr", self.warmup_starting_lr)
        v.boolean("use_inverse_sqrt_decay", self.use_inverse_sqrt_decay)
        v.boolean("is_continuation_from_checkpoint", self.is_continuation_from_checkpoint)
        v.asserted(v.value, "num_checkpoints", self.num_checkpoints, minimum=0, strict=True)  # asserted
        n = v.integer("num_checkpoints", self.num_checkpoints, minimum=1)
        self._set("num_checkpoints", n)
        if n > 1 and ratio > 1 / 3:
            raise v.ScheduleArgumentError(
                "decay_phase_ratio",
                f"is too large and may cause overlapping decay phases; the maximum "
                f"safe ratio is 0.33 with {n} checkpoints using geometric progression",
                ratio,
            )
        if n > 1 and T // 4 == 0:
            raise v.ScheduleArgumentError(
                "total_steps",
                f"must be >= 4 with num_checkpoints={n} (the original divides by zero)",
                T,
            )
        if not self.use_inverse_sqrt_decay:
            lm = v.number("lr_min", self.lr_min)
            if lm is not None and float(lm) == 0.0:
                raise v.ScheduleArgumentError(
                    "lr_min",
                    "must be > 0 with use_inverse_sqrt_decay=False (the original divides by it)",
                    self.lr_min,
                )

    def checkpoint_steps(self) -> list[int]:
        """The checkpoints, as ``get_checkpoint_steps()`` of the original."""
        return estimate_checkpoint_steps(int(self.total_steps or 0), self.num_checkpoints)

    def _key_steps(self) -> list[Any]:
        out: list[Any] = [self.num_warmup_steps + 1]
        for _, end, d, _ in _periods(
            self.total_steps, self.num_checkpoints, self.decay_phase_ratio
        ):
            out += [d + 1, end + 1]
        return out

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        periods = _periods(self.total_steps, self.num_checkpoints, self.decay_phase_ratio)
        eta = bk.value(self.lr)
        m = bk.value(self.lr_min)

        def f(n: Steps) -> Array:
            # The period n falls in (the first with n < end); past the last one, the first period.
            start, d, D = (xp.zeros_like(n.n) + periods[0][i] for i in (0, 2, 3))
            for p_start, p_end, p_d, p_D in reversed(periods):
                inside = (n.n < p_end) & n.ge(p_start)
                start, d, D = (
                    xp.where(inside, new, old)
                    for new, old in ((p_start, start), (p_d, d), (p_D, D))
                )
            # A zero-length decay is reached only by the fallback to the first period (the original
            # divides by zero there); it gives the floor, as r = 1.
            Df = bk.to_float(xp.maximum(D, 1))
            elapsed = xp.where(D == 0, Df, xp.clip(n.since(d), 0.0, Df))
            remaining = Df - elapsed
            if self.use_inverse_sqrt_decay:
                decay = eta * (m + (1.0 - m) * fall(bk, "1-sqrt", elapsed, remaining, Df))
            else:
                r = elapsed / Df
                decay = eta / (r / m + (1.0 - r))
            out = xp.where(n.ge(d), decay, eta)
            if self.is_continuation_from_checkpoint:
                return out
            W = bk.count(self.num_warmup_steps)
            return linear_warmup(bk, n, bk.value(self.warmup_starting_lr), eta, W, out)

        return _first_twice(bk, t, eta, f)
