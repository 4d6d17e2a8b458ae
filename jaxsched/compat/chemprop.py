"""Ports of chemprop's "Noam" learning-rate schedules: linear warmup, then exponential decay.

- :class:`NoamLR`: ``chemprop.schedulers.NoamLR`` of chemprop 2.0.0-2.0.4 (``version="2.0"``) and
  ``chemprop.nn_utils.NoamLR`` of chemprop 1.x (``version="1"``).
- :class:`NoamLike` (``build_NoamLike_LRSched``): chemprop 2.1+, a ``LambdaLR``.

Both follow the same curve over "schedule positions" :math:`j`:

.. math::
    \\mathrm{sched}(j) = \\begin{cases}
    \\mathrm{init} + j\\,(\\mathrm{max} - \\mathrm{init})/W & j < W \\\\
    \\mathrm{max}\\,(\\mathrm{final}/\\mathrm{max})^{(j - W)/(T - W)} & W \\le j < T \\\\
    \\mathrm{final} & j \\ge T \\end{cases}

but they apply it at different positions: ``NoamLR`` runs update :math:`k` (from 0) with
:math:`\\mathrm{sched}(k + 1)`, because ``LRScheduler.__init__`` calls its overridden ``step()``
once, so
``sched(0) = init_lr`` is never used and the peak falls at update :math:`W - 1`;
``build_NoamLike_LRSched``
runs update :math:`k` with :math:`\\mathrm{sched}(k)`. None of them is the Noam rule of Vaswani et
al.
(chemprop issue #969); that one is :func:`jaxsched.noam`.

Per-param-group arrays become one schedule per group: :func:`noam_lr_groups`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps, is_concrete
from jaxsched.schedules._warmup import WarmupExponentialDecay

__all__ = ["NoamLR", "NoamLike", "build_NoamLike_LRSched", "noam_lr_groups"]


def _sched(
    bk: Backend, j: Steps, init: Any, peak: Any, final: Any, W: Array, T: Array, end: Array
) -> Array:
    """``sched(j)`` above: the native warmup + exponential decay, then ``final`` from ``end`` on."""
    xp = bk.xp
    C = T - W
    decay_steps = xp.maximum(C, 1) if bk.is_int(C) else xp.maximum(C, 1.0)
    peak_v = bk.value(peak)
    rate = bk.value(final) / xp.where(peak_v == 0, 1.0, peak_v)
    # Positions past T give final_lr below; clamp them so final/max > 1 cannot overflow the power.
    held = (
        j.map_int(xp.minimum(j.n, T))
        if bk.is_int(T)
        else Steps.from_float(bk, xp.minimum(j.value(), T))
    )
    curve = WarmupExponentialDecay._unchecked(
        init_value=init,
        peak_value=peak,
        warmup_steps=W,
        transition_steps=decay_steps,
        decay_rate=rate,
    ).evaluate(bk, held)
    return xp.where(j.ge(end), bk.value(final), curve)


def _check_lrs(
    init: Any, peak: Any, final: Any, init_name: str, peak_name: str, final_name: str
) -> None:
    v.nonnegative(init_name, init)
    v.positive(peak_name, peak)  # final / max: chemprop gives NaN for max_lr = 0
    v.nonnegative(final_name, final)


class NoamLR(Schedule, name="compat.chemprop.NoamLR"):
    r"""chemprop's ``NoamLR`` (2.0.0-2.0.4, and 1.x with ``version="1"``) for one param group.

    With :math:`W = \lfloor \text{warmup\_epochs} \cdot \text{steps\_per\_epoch} \rfloor` (numpy's
    ``astype(int)``) and :math:`T = \text{total\_epochs} \cdot \text{steps\_per\_epoch}`,

    .. math::
        s(k) = \mathrm{sched}(k + 1), \qquad \mathrm{sched}(j) = \begin{cases}
        \mathrm{init} + j\,(\mathrm{max} - \mathrm{init})/W & j < W \\
        \mathrm{max}\,(\mathrm{final}/\mathrm{max})^{(j - W)/(T - W)} & W \le j < T \\
        \mathrm{final} & j \ge T \end{cases}

    Where the original is odd (reproduced here for parity):

    - ``sched(0) = init_lr`` is never applied: the constructor's hidden ``step()`` moves to position
      1,
      so update 0 already runs at ``init + (max - init)/W``, the peak is at update :math:`W - 1` and
      ``final_lr`` is reached at update :math:`T - 1`. The 2.1+ :class:`NoamLike` starts at
      ``init_lr``.
    - Version 1 differs from 2.0 only when :math:`W = T` (no decay): at position :math:`T` it still
      gives ``max_lr`` where 2.0 gives ``final_lr``.
    - ``step(step)`` of the original sets position ``step``, i.e. this port's update ``step - 1``.
    - The original's length check names ``self.optimizer`` before it exists (AttributeError instead
      of
      its ValueError), ``W = 0`` or ``W = T`` give numpy division warnings, ``get_last_lr()`` fails;
      and
      the ``lrs`` array aliases the caller's ``init_lrs``.

    :func:`jaxsched.warmup_exponential_decay` is the native schedule (starting at ``init_value``).

    Args:
      warmup_epochs: epochs of linear warmup (may be fractional; :math:`W` is truncated).
      total_epochs: epochs in total (:math:`T` must be a whole number of steps, :math:`\ge W`).
      steps_per_epoch: updates per epoch (>= 1).
      init_lr: the warmup's start (position 0, never applied).
      max_lr: the peak (> 0).
      final_lr: the value from update :math:`T - 1` on.
      version: ``"2.0"`` (chemprop 2.0.x) or ``"1"`` (chemprop 1.x).

    Returns:
      A :class:`~jaxsched.Schedule`; ``len(s)`` is :math:`T`, like ``len()`` of the original.

    Example:
      >>> from jaxsched.compat.chemprop import NoamLR
      >>> s = NoamLR(warmup_epochs=4, total_epochs=8, steps_per_epoch=1, init_lr=1e-4, max_lr=1e-3,
      ...            final_lr=1e-4)
      >>> [round(float(x), 7) for x in s.numpy(range(9))]
      [0.000325, 0.00055, 0.000775, 0.001, 0.0005623, 0.0003162, 0.0001778, 0.0001, 0.0001]
    """

    warmup_epochs: Any
    total_epochs: Any
    steps_per_epoch: Any
    init_lr: Any
    max_lr: Any
    final_lr: Any
    version: str = static(default="2.0")

    examples = (
        {
            "warmup_epochs": 2.0,
            "total_epochs": 10,
            "steps_per_epoch": 25,
            "init_lr": 1e-4,
            "max_lr": 1e-3,
            "final_lr": 1e-4,
        },
        {
            "warmup_epochs": 0.5,
            "total_epochs": 8,
            "steps_per_epoch": 30,
            "init_lr": 1e-5,
            "max_lr": 2e-3,
            "final_lr": 1e-5,
            "version": "1",
        },
    )

    def __check_init__(self) -> None:
        v.choice("version", self.version, ("1", "2.0"))
        v.nonnegative("warmup_epochs", self.warmup_epochs)
        self._set("total_epochs", v.steps("total_epochs", self.total_epochs, integer=False))
        self._set("steps_per_epoch", v.steps("steps_per_epoch", self.steps_per_epoch, minimum=1))
        _check_lrs(self.init_lr, self.max_lr, self.final_lr, "init_lr", "max_lr", "final_lr")
        if all(
            is_concrete(x) for x in (self.warmup_epochs, self.total_epochs, self.steps_per_epoch)
        ):
            T = float(self.total_epochs) * float(self.steps_per_epoch)
            if not T.is_integer():
                raise v.ScheduleArgumentError(
                    "total_epochs",
                    f"times steps_per_epoch ({self.steps_per_epoch}) must be a whole number "
                    "of steps",
                    self.total_epochs,
                )
            W = self.warmup_steps
            if W > T:
                raise v.ScheduleArgumentError(
                    "warmup_epochs",
                    f"gives {W} warmup steps, more than the {int(T)} total steps",
                    self.warmup_epochs,
                )

    @property
    def warmup_steps(self) -> Any:
        """:math:`W`, truncated as the original's ``(warmup_epochs *
        steps_per_epoch).astype(int)``."""
        if is_concrete(self.warmup_epochs) and is_concrete(self.steps_per_epoch):
            return int(np.float64(self.warmup_epochs) * np.float64(self.steps_per_epoch))
        return None

    def _counts(self, bk: Backend) -> tuple[Array, Array]:
        concrete = all(
            is_concrete(x) for x in (self.warmup_epochs, self.total_epochs, self.steps_per_epoch)
        )
        if concrete:
            return bk.count(self.warmup_steps), bk.count(
                int(self.total_epochs * self.steps_per_epoch)
            )
        spe = bk.value(self.steps_per_epoch)
        return bk.xp.floor(bk.value(self.warmup_epochs) * spe), bk.value(self.total_epochs) * spe

    def __len__(self) -> int:
        return int(self.total_epochs * self.steps_per_epoch)

    def _key_steps(self) -> list[Any]:
        W = self.warmup_steps
        return [] if W is None else [W - 1, len(self) - 1]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        W, T = self._counts(bk)
        end = T
        if self.version == "1":  # version 1 keeps max_lr at position W when W == T
            end = bk.xp.where(W == T, bk.add(T, bk.count(1)), T)
        return _sched(bk, t.shifted(-1), self.init_lr, self.max_lr, self.final_lr, W, T, end)


def noam_lr_groups(
    warmup_epochs: Any,
    total_epochs: Any,
    steps_per_epoch: Any,
    init_lrs: Any,
    max_lrs: Any,
    final_lrs: Any,
    *,
    version: str = "2.0",
    num_groups: int | None = None,
) -> list[NoamLR]:
    """One :class:`NoamLR` per param group, from the original's per-group arrays.

    A scalar is a one-element array (``numpy.atleast_1d``, as in chemprop), so with several groups
    every
    array must list each group (``num_groups``, or the longest array), else ``ValueError`` (the
    message
    chemprop 2.0 meant to raise). ``total_epochs`` is per group in version 1; a scalar applies to
    all.

    Example:
      >>> from jaxsched.compat.chemprop import noam_lr_groups
      >>> groups = noam_lr_groups([2, 2], 10, 5, [1e-4, 1e-5], [1e-3, 1e-4], [1e-5, 1e-6])
      >>> [g.max_lr for g in groups]
      [0.001, 0.0001]
    """
    arrays = {
        name: np.atleast_1d(np.asarray(value, dtype=object))
        for name, value in (
            ("warmup_epochs", warmup_epochs),
            ("total_epochs", total_epochs),
            ("init_lrs", init_lrs),
            ("max_lrs", max_lrs),
            ("final_lrs", final_lrs),
        )
    }
    for name, arr in arrays.items():
        if arr.ndim != 1:
            raise v.ScheduleArgumentError(name, "must be a number or a 1-d list", arr.tolist())
    n = num_groups if num_groups is not None else max(len(a) for a in arrays.values())
    for name, arr in arrays.items():
        if len(arr) not in (n,) and not (len(arr) == 1 and name in ("total_epochs",)):
            raise v.ScheduleArgumentError(
                name,
                "Number of param groups must match number of: 'warmup_epochs', 'init_lr', "
                f"'max_lr', "
                f"'final_lr'! got: {n} param groups, {len(arr)} {name}",
                arr.tolist(),
            )

    def at(name: str, i: int) -> Any:
        arr = arrays[name]
        x = arr[i if len(arr) > 1 else 0]
        return x.item() if isinstance(x, np.generic) else x

    return [
        NoamLR(
            at("warmup_epochs", i),
            at("total_epochs", i),
            steps_per_epoch,
            at("init_lrs", i),
            at("max_lrs", i),
            at("final_lrs", i),
            version=version,
        )
        for i in range(n)
    ]


class NoamLike(Schedule, name="compat.chemprop.build_NoamLike_LRSched"):
    r"""chemprop 2.1+'s ``build_NoamLike_LRSched``: linear warmup, exponential decay, then constant.

    .. math::
        s(k) = \begin{cases}
        \mathrm{init} + k\,(\mathrm{max} - \mathrm{init})/W & k < W \\
        \mathrm{max}\,(\mathrm{final}/\mathrm{max})^{(k - W)/C} & W \le k < W + C \\
        \mathrm{final} & k \ge W + C \end{cases}

    The original is a ``LambdaLR`` whose factor divides by ``init_lr``; on an optimizer whose LR is
    ``init_lr`` (as chemprop's models build it) it applies exactly this, update :math:`k` at
    position
    :math:`k` (no offset, unlike :class:`NoamLR`). chemprop's models pass
    ``warmup_steps = warmup_epochs * batches`` and ``cooldown_steps = (max_epochs - warmup_epochs) *
    batches``. It equals :func:`jaxsched.warmup_exponential_decay` held at ``final_lr`` after
    :math:`W+C`.

    Args:
      warmup_steps: :math:`W >= 0`.
      cooldown_steps: :math:`C >= 0` (0: ``final_lr`` right after the warmup).
      init_lr: value at update 0 (> 0: the original divides by it).
      max_lr: value at update :math:`W` (> 0).
      final_lr: value from update :math:`W + C` on.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.chemprop import build_NoamLike_LRSched
      >>> s = build_NoamLike_LRSched(4, 4, init_lr=1e-4, max_lr=1e-3, final_lr=1e-4)
      >>> [round(float(x), 7) for x in s.numpy(range(10))]
      [0.0001, 0.000325, 0.00055, 0.000775, 0.001, 0.0005623, 0.0003162, 0.0001778, 0.0001, 0.0001]
    """

    warmup_steps: Any
    cooldown_steps: Any
    init_lr: Any
    max_lr: Any
    final_lr: Any

    examples = (
        {
            "warmup_steps": 20,
            "cooldown_steps": 230,
            "init_lr": 1e-4,
            "max_lr": 1e-3,
            "final_lr": 1e-4,
        },
        {
            "warmup_steps": 0,
            "cooldown_steps": 200,
            "init_lr": 1e-3,
            "max_lr": 1e-3,
            "final_lr": 1e-5,
        },
    )

    def __check_init__(self) -> None:
        self._set("warmup_steps", v.steps("warmup_steps", self.warmup_steps))
        self._set("cooldown_steps", v.steps("cooldown_steps", self.cooldown_steps))
        v.positive("init_lr", self.init_lr)
        _check_lrs(self.init_lr, self.max_lr, self.final_lr, "init_lr", "max_lr", "final_lr")

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.warmup_steps + self.cooldown_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        W = bk.count(self.warmup_steps)
        T = bk.add(W, bk.count(self.cooldown_steps))
        return _sched(bk, t, self.init_lr, self.max_lr, self.final_lr, W, T, T)


build_NoamLike_LRSched = NoamLike  # noqa: N816 - the original name
