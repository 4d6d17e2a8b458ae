"""Ports of ``pytorch_accelerated.schedulers``: ``CosineLrScheduler`` and ``WSDLrScheduler`` (0.1.61).

Both originals are *stateful* schedulers stepped once after every optimizer update. Their constructor
writes a first LR, and the ``n``-th call of ``step()`` (from 0) writes ``f(n)``. So update :math:`k` (from
0) runs with the constructor's value at :math:`k = 0` and with :math:`f(k - 1)` afterwards: the first value
of ``f`` is used twice. The ports reproduce that (a :func:`jaxsched.join` of the constructor's value and
the stepped curve, one step late), and each class's docstring lists where the original is odd and which
native jaxsched schedule does the same job without the quirk. Every duration is static: the durations
decide where the catalog pieces join.

``lr`` is the param group's base value (``initial_lr``); for several param groups build one port per group
(``torch_bridge.CosineLrScheduler`` does that).
"""

from __future__ import annotations

import functools
from typing import Any

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, flag, known, level, static, static_float, static_int, steps, value
from jaxsched._numerics import MAX_STEP

__all__ = ["CosineLrScheduler", "WSDLrScheduler", "estimate_checkpoint_steps"]


def _first_twice(first: Any, stepped: Schedule) -> Schedule:
    """The constructor's value at update 0, then the stepped values ``f(k - 1)``: ``f(0)`` is used twice."""
    return jaxsched.join([first, stepped], [1])


def _pieces(segments: list[tuple[int, Any]]) -> Schedule:
    """The pieces ``(start, schedule)`` one after another (the first starts at 0)."""
    return jaxsched.join([p for _, p in segments], [a for a, _ in segments[1:]])


class CosineLrScheduler(Port, name="compat.pytorch_accelerated.CosineLrScheduler"):
    r"""``pytorch_accelerated.schedulers.CosineLrScheduler`` (adapted from timm), for one param group.

    With :math:`T`, :math:`W`, :math:`C` the total, warmup and cooldown updates (epochs times
    ``num_update_steps_per_epoch``), :math:`m` the floor (``lr_min``, or ``min_lr_ratio * lr``), :math:`s`
    the warmup start (``warmup_starting_lr``, or ``warmup_starting_lr_ratio * lr``) and
    :math:`w` = ``warmup_starting_lr``, the original's stepped values are

    .. math::
        f(n) = \begin{cases}
        s + n\,(\mathrm{lr} - w)/W & n < W \\
        m + (\mathrm{lr} - m)\,\dfrac{1 + \cos\left(\pi\,(n - W)^{\kappa} / L^{\kappa}\right)}{2}
          & W \le n < T - W - C \\
        m & n \ge T - W - C \end{cases}, \qquad L = T - W - C

    and update :math:`k` uses :math:`f(k - 1)`; update 0 uses the constructor's value (``lr``, or
    ``warmup_starting_lr`` when there is a warmup). The pieces are :func:`jaxsched.linear`,
    :func:`jaxsched.warmup_cosine_decay` (with ``k_decay``) over :math:`L` steps cut where :math:`n`
    reaches :math:`L`, and the floor.

    Where the original is odd (reproduced here for parity):

    - the first value is used twice (constructor value, then :math:`f(0)`);
    - *truncated cosine*: the cosine branch ends at the un-shifted :math:`n = T - W - C`, but its progress
      is :math:`(n - W)/L`, so with a warmup it is cut off :math:`W` updates early and jumps to :math:`m`
      before reaching it (T=10, W=2, C=2: ``f = [.001, .0055, .01, .0093, .0075, .005, 0, ...]``);
    - without warmup the floor is reached only at :math:`n = T - C`, one update after the last cosine
      value;
    - with ``warmup_starting_lr_ratio`` the warmup starts at ``ratio * lr`` but its slope still uses the
      absolute ``warmup_starting_lr``, so the warmup ends off target; and the constructor writes the
      absolute ``warmup_starting_lr``. Where that slope would end the warmup below 0 the port refuses
      the configuration (the original applies negative LRs).

    :func:`jaxsched.warmup_cosine_decay` (with ``decay_steps = T - C``) is the schedule this intends.

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

    lr: Real = level()
    # The original asserts these (AssertionError, also a ValueError here).
    total_num_epochs: int = steps(static=True, minimum=1, refusal=v.ScheduleArgumentAssertionError)
    num_update_steps_per_epoch: int = steps(static=True, minimum=1, refusal=v.ScheduleArgumentAssertionError)
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)
    lr_min: Real = level(default=1e-6, refusal=v.ScheduleArgumentAssertionError)
    min_lr_ratio: Real | None = level(default=None)
    num_warmup_epochs: int = steps(default=0, static=True)
    warmup_starting_lr: Real = level(default=1e-6)
    warmup_starting_lr_ratio: Real | None = level(default=None)
    num_cooldown_epochs: int = steps(default=0, static=True)

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
        T, W, _ = self._counts()
        if T > MAX_STEP:
            raise v.ScheduleArgumentError(
                "total_num_epochs",
                f"times num_update_steps_per_epoch is beyond the last step {MAX_STEP}",
                self.total_num_epochs,
            )
        start = self._warmup_start()
        if W and known(start, self.lr, self.warmup_starting_lr) and start + self.lr < self.warmup_starting_lr:
            raise v.ScheduleArgumentError(
                "warmup_starting_lr",
                "is so far above lr that the warmup ends below 0 "
                "(its slope uses warmup_starting_lr even when warmup_starting_lr_ratio sets its start)",
                self.warmup_starting_lr,
            )

    def _counts(self) -> tuple[int, int, int]:
        """Total, warmup and cooldown updates."""
        spe = self.num_update_steps_per_epoch
        return self.total_num_epochs * spe, self.num_warmup_epochs * spe, self.num_cooldown_epochs * spe

    def _warmup_start(self) -> Any:
        ratio = self.warmup_starting_lr_ratio
        return self.warmup_starting_lr if ratio is None else ratio * self.lr

    def lower(self) -> Schedule:
        T, W, C = self._counts()
        L = T - W - C
        floor = self.lr_min if self.min_lr_ratio is None else self.min_lr_ratio * self.lr
        segments: list[tuple[int, Any]] = []
        if W:
            # The warmup's slope uses the absolute start even when a ratio sets the first value.
            start = self._warmup_start()
            segments.append((0, jaxsched.linear(start, start + self.lr - self.warmup_starting_lr, W)))
        if L > W:  # the cosine over L updates from W on, cut off where n reaches L (W updates early)
            segments.append(
                (
                    W,
                    jaxsched.warmup_cosine_decay(
                        init_value=self.lr,
                        peak_value=self.lr,
                        warmup_steps=0,
                        decay_steps=L,
                        end_value=floor,
                        k_decay=self.k_decay,
                    ),
                )
            )
        segments.append((max(W, L), floor))
        return _first_twice(self.warmup_starting_lr if W else self.lr, _pieces(segments))


def estimate_checkpoint_steps(total_steps: int, num_checkpoints: int = 3) -> list[int]:
    """The original's checkpoint placement: ``[T]``, or ``T // 4`` doubled at every checkpoint, capped at
    ``T`` (stopping there).

    With too few checkpoints to reach ``T`` the last one lies before it (``T=100, n=2 -> [25, 50]``).

    Example:
      >>> from jaxsched.compat.pytorch_accelerated import estimate_checkpoint_steps
      >>> estimate_checkpoint_steps(200_000, 3), estimate_checkpoint_steps(100, 2)
      ([50000, 100000, 200000], [25, 50])
    """
    if num_checkpoints == 1:
        return [total_steps]
    step = total_steps // 4
    out = []
    for _ in range(num_checkpoints):
        cp = min(step, total_steps)
        out.append(cp)
        if cp == total_steps:
            break
        step += step  # T // 4, doubled at every checkpoint
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


def _checkpoints(name: str, x: Any) -> int:
    """The original's ``num_checkpoints``: a fraction fails in ``range()`` (TypeError), a count below 1 its
    ``assert``."""
    if isinstance(x, float) and not x.is_integer():
        raise v.ScheduleArgumentTypeError(name, "an integer", x)
    return int(v.asserted(static_int(1), name, x))


class WSDLrScheduler(Port, name="compat.pytorch_accelerated.WSDLrScheduler"):
    r"""``pytorch_accelerated.schedulers.WSDLrScheduler`` (warmup-stable-decay with checkpoints), one
    group.

    Checkpoints are ``[T]`` or :math:`\lfloor T/4 \rfloor 2^i` (see :func:`estimate_checkpoint_steps`). In
    each period :math:`[a, b)` the last :math:`D = \lfloor (b - a)\rho \rfloor` steps decay, from
    :math:`d = b - D`. The original's stepped values are, with base LR :math:`\eta`, floor fraction
    :math:`m` and :math:`r = \min((n - d)/D, 1)`,

    .. math::
        f(n) = \begin{cases}
        w + (n / W)(\eta - w) & n < W \text{ (not in continuation mode)} \\
        \eta & n < d \\
        \eta\,\left(m + (1 - m)(1 - \sqrt{r})\right) & n \ge d,\ \text{use\_inverse\_sqrt\_decay} \\
        \eta / \left(r/m + 1 - r\right) & n \ge d,\ \text{otherwise} \end{cases}

    and update :math:`k` uses :math:`f(k - 1)`, update 0 the constructor's value :math:`\eta`. The pieces
    are :func:`jaxsched.linear` (warmup), constants (stable phases), and per period the ``"1-sqrt"`` decay
    of :func:`jaxsched.warmup_stable_decay` or :func:`jaxsched.inverse_time_decay` with rate
    :math:`1/m - 1` (which is :math:`\eta / (r/m + 1 - r)`), joined at the period bounds.

    Where the original is odd (reproduced here for parity):

    - ``use_inverse_sqrt_decay=True`` is a *square-root* decay :math:`1 - \sqrt{r}`;
    - with several checkpoints, at step :math:`n = b` of an intermediate checkpoint the LR snaps back to
      :math:`\eta` (the next period's stable phase): intermediate decays stop at :math:`r = (D-1)/D` and
      never reach :math:`m\eta`;
    - past the last checkpoint (or before ``T`` when the checkpoints do not reach it) the lookup falls
      back to the first period, which gives :math:`r = 1`: the floor :math:`m\eta`;
    - ``num_warmup_steps=None`` means ``int(0.01 * T)`` (its docstring says 10%);
    - when the first period's decay has zero length (``int(length * ratio) == 0``) the original divides
      by zero at every step that falls back to it (past the last checkpoint); the port gives the floor;
    - it rejects ``warmup_starting_lr`` above the *largest* group LR; a port is one group, so that check
      is ``torch_bridge.WSDLrScheduler``'s;
    - ``state_dict()`` drops ``_num_updates``, so a resumed original restarts its count from 0: a run
      resumed at update :math:`r` applies ``jaxsched.shift(port, r)``. This port (and
      ``torch_bridge.WSDLrScheduler``, whose state holds the step) keep counting.
    - the inverse-proportional decay (``use_inverse_sqrt_decay=False``) with ``lr_min > 1`` would rise
      from ``lr``; it is refused here, as is ``lr_min = 0`` (the original divides by it).

    :func:`jaxsched.warmup_stable_decay` with ``decay_shape="1-sqrt"`` is the native schedule without
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

    lr: Real = level()
    num_epochs: int | None = steps(default=None, static=True, minimum=1)
    num_update_steps_per_epoch: int | None = steps(default=None, static=True, minimum=1)
    total_steps: int | None = steps(
        default=None, static=True, minimum=1, refusal=v.ScheduleArgumentAssertionError
    )
    num_warmup_steps: int | None = steps(default=0, static=True, optional=True)
    decay_phase_ratio: float = static(default=0.1, converter=static_float())
    lr_min: Real = level(default=1e-6, refusal=v.ScheduleArgumentAssertionError)
    warmup_starting_lr: Real = level(default=1e-6)
    use_inverse_sqrt_decay: bool = flag(default=True)
    num_checkpoints: int = static(default=1, converter=_checkpoints)
    is_continuation_from_checkpoint: bool = flag(default=False)

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
        epochs, per_epoch, T = self.num_epochs, self.num_update_steps_per_epoch, self.total_steps
        if epochs is not None and per_epoch is not None and T is not None:
            raise v.ScheduleArgumentError(
                "total_steps",
                "Only num_epochs and num_update_steps_per_epoch, or total_steps should be provided",
                T,
            )
        if epochs is not None and per_epoch is not None:
            T = epochs * per_epoch
        elif T is None:
            raise v.ScheduleArgumentError(
                "total_steps", "give total_steps, or num_epochs and num_update_steps_per_epoch", None
            )
        if T > MAX_STEP:
            raise v.ScheduleArgumentError("total_steps", f"must be <= {MAX_STEP} (the last step)", T)
        # Normalised to total_steps (the config then names it alone).
        self._set("total_steps", T)
        self._set("num_epochs", None)
        self._set("num_update_steps_per_epoch", None)
        if self.num_warmup_steps is None:
            self._set("num_warmup_steps", int(0.01 * T))
        ratio, n = self.decay_phase_ratio, self.num_checkpoints
        if not 0.0 <= ratio <= 1.0:
            raise v.ScheduleArgumentAssertionError("decay_phase_ratio", "must be between 0 and 1", ratio)
        if n > 1 and ratio > 1 / 3:
            raise v.ScheduleArgumentError(
                "decay_phase_ratio",
                f"is too large and may cause overlapping decay phases; the maximum "
                f"safe ratio is 0.33 with {n} checkpoints using geometric progression",
                ratio,
            )
        if n > 1 and T // 4 == 0:
            raise v.ScheduleArgumentError(
                "total_steps", f"must be >= 4 with num_checkpoints={n} (the original divides by zero)", T
            )
        if not self.use_inverse_sqrt_decay and known(self.lr_min) and not 0 < self.lr_min <= 1:
            raise v.ScheduleArgumentError(
                "lr_min",
                "must be in (0, 1] with use_inverse_sqrt_decay=False (the original divides by it; "
                "a floor above lr would make the decay rise)",
                self.lr_min,
            )

    def _steps(self) -> tuple[int, int]:
        """``total_steps`` and ``num_warmup_steps``, both set by the checks."""
        T, W = self.total_steps, self.num_warmup_steps
        assert T is not None and W is not None
        return T, W

    def checkpoint_steps(self) -> list[int]:
        """The checkpoints, as ``get_checkpoint_steps()`` of the original."""
        return estimate_checkpoint_steps(self._steps()[0], self.num_checkpoints)

    def _decay(self, D: int) -> Schedule:
        """The decay over a period's last ``D`` steps, from ``lr`` towards ``lr_min * lr``."""
        if self.use_inverse_sqrt_decay:  # 1 - sqrt(r): the "1-sqrt" shape of the catalog's WSD
            return jaxsched.warmup_stable_decay(
                self.lr, 0, D, D, end_value=self.lr_min * self.lr, decay_shape="1-sqrt"
            )
        # lr / (r / m + 1 - r) = lr / (1 + (1/m - 1) r): an inverse-time decay.
        return jaxsched.inverse_time_decay(self.lr, D, 1.0 / self.lr_min - 1.0)

    def lower(self) -> Schedule:
        T, W = self._steps()
        periods = _periods(T, self.num_checkpoints, self.decay_phase_ratio)
        warm = not self.is_continuation_from_checkpoint and W > 0
        lo = W if warm else 0
        segments: list[tuple[int, Any]] = []
        if warm:
            segments.append((0, jaxsched.linear(self.warmup_starting_lr, self.lr, lo)))
        for start, end, d, D in periods:
            if end <= lo:
                continue
            if d > max(start, lo):  # the stable phase of the period
                segments.append((max(start, lo), self.lr))
            if end > max(d, lo) and D:  # its decay, stopped at r = (D - 1)/D by the next period
                segments.append((max(d, lo), jaxsched.shift(self._decay(D), d - max(d, lo))))
        # Past the last checkpoint the original falls back to the first period at r = 1: the floor.
        segments.append((max(periods[-1][1], lo), self.lr_min * self.lr))
        return _first_twice(self.lr, _pieces(segments))
