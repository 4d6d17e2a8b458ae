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

which is :func:`jaxsched.warmup_exponential_decay` with ``end_value=final`` (the bound that holds it from
:math:`T` on), but they apply it at different positions: ``NoamLR`` runs update :math:`k` (from 0) with
:math:`\\mathrm{sched}(k + 1)`, because ``LRScheduler.__init__`` calls its overridden ``step()`` once, so
``sched(0) = init_lr`` is never used and the peak falls at update :math:`W - 1`; ``build_NoamLike_LRSched``
runs update :math:`k` with :math:`\\mathrm{sched}(k)`. None of them is the Noam rule of Vaswani et al.
(chemprop issue #969); that one is :func:`jaxsched.noam`.

Per-param-group arrays become one schedule per group: :func:`noam_lr_groups`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, StepCount, choice, known, level, static, static_float, steps, value
from jaxsched._numerics import MAX_STEP

__all__ = ["NoamLR", "NoamLike", "build_NoamLike_LRSched", "noam_lr_groups"]


def _noam_curve(init: Any, peak: Any, final: Any, W: Any, C: int, end: Any) -> Schedule:
    """``sched(j)`` above with ``T = W + C``: the warmup and the exponential decay bounded by ``final``, or,
    without a decay (``C = 0``), the warmup then ``final`` from position ``end``."""
    if C == 0:
        return jaxsched.join([jaxsched.warmup_constant(init, peak, W), final], [end])
    return jaxsched.warmup_exponential_decay(init, peak, W, C, final / peak, end_value=final)


class NoamLR(Port, name="compat.chemprop.NoamLR"):
    r"""chemprop's ``NoamLR`` (2.0.0-2.0.4, and 1.x with ``version="1"``) for one param group.

    With :math:`W = \lfloor \text{warmup\_epochs} \cdot \text{steps\_per\_epoch} \rfloor` (numpy's
    ``astype(int)``) and :math:`T = \text{total\_epochs} \cdot \text{steps\_per\_epoch}`,

    .. math::
        s(k) = \mathrm{sched}(k + 1), \qquad \mathrm{sched}(j) = \begin{cases}
        \mathrm{init} + j\,(\mathrm{max} - \mathrm{init})/W & j < W \\
        \mathrm{max}\,(\mathrm{final}/\mathrm{max})^{(j - W)/(T - W)} & W \le j < T \\
        \mathrm{final} & j \ge T \end{cases}

    that is :func:`jaxsched.warmup_exponential_decay` one position ahead (:func:`jaxsched.shift` by -1).

    Where the original is odd (reproduced here for parity):

    - ``sched(0) = init_lr`` is never applied: the constructor's hidden ``step()`` moves to position 1,
      so update 0 already runs at ``init + (max - init)/W``, the peak is at update :math:`W - 1` and
      ``final_lr`` is reached at update :math:`T - 1`. The 2.1+ :class:`NoamLike` starts at ``init_lr``.
    - Version 1 differs from 2.0 only when :math:`W = T` (no decay): at position :math:`T` it still gives
      ``max_lr`` where 2.0 gives ``final_lr``.
    - ``step(step)`` of the original sets position ``step``, i.e. this port's update ``step - 1``.
    - The original's length check names ``self.optimizer`` before it exists (AttributeError instead of
      its ValueError), ``W = 0`` or ``W = T`` give numpy division warnings, ``get_last_lr()`` fails; and
      the ``lrs`` array aliases the caller's ``init_lrs``.
    - ``final_lr = 0`` (the LR drops to 0 right after the peak) is refused here.

    :func:`jaxsched.warmup_exponential_decay` is the native schedule (starting at ``init_value``).

    Args:
      warmup_epochs: epochs of linear warmup (may be fractional; :math:`W` is truncated; static).
      total_epochs: epochs in total (:math:`T` must be a whole number of steps, :math:`\ge W`; static).
      steps_per_epoch: updates per epoch (>= 1; static).
      init_lr: the warmup's start (position 0, never applied).
      max_lr: the peak (> 0).
      final_lr: the value from update :math:`T - 1` on (> 0).
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

    warmup_epochs: float = static(converter=static_float(0.0))
    total_epochs: float = static(converter=static_float(0.0))
    steps_per_epoch: int = steps(static=True, minimum=1)
    init_lr: Real = level()
    max_lr: Real = value(minimum=0.0, min_open=True)  # final / max: chemprop gives NaN for max_lr = 0
    final_lr: Real = value(minimum=0.0, min_open=True)  # a decay ratio of 0 is refused (see above)
    version: str = choice(("1", "2.0"), default="2.0")

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
        T = self.total_epochs * self.steps_per_epoch
        if not T.is_integer():
            raise v.ScheduleArgumentError(
                "total_epochs",
                f"times steps_per_epoch ({self.steps_per_epoch}) must be a whole number of steps",
                self.total_epochs,
            )
        if T > MAX_STEP:
            raise v.ScheduleArgumentError(
                "total_epochs", f"gives more than {MAX_STEP} steps (the last step)", self.total_epochs
            )
        if self.warmup_steps > T:
            raise v.ScheduleArgumentError(
                "warmup_epochs",
                f"gives {self.warmup_steps} warmup steps, more than the {int(T)} total steps",
                self.warmup_epochs,
            )

    @property
    def warmup_steps(self) -> int:
        """:math:`W`, truncated as the original's ``(warmup_epochs * steps_per_epoch).astype(int)``."""
        return int(self.warmup_epochs * self.steps_per_epoch)

    def __len__(self) -> int:
        return int(self.total_epochs * self.steps_per_epoch)

    def lower(self) -> Schedule:
        W, T = self.warmup_steps, len(self)
        end = T + 1 if self.version == "1" else T  # version 1 keeps max_lr at position W when W == T
        curve = _noam_curve(self.init_lr, self.max_lr, self.final_lr, W, T - W, end)
        return jaxsched.shift(curve, -1)


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

    A scalar is a one-element array (``numpy.atleast_1d``, as in chemprop), so with several groups every
    array must list each group (``num_groups``, or the longest array), else ``ValueError`` (the message
    chemprop 2.0 meant to raise). ``total_epochs`` is per group in version 1; a scalar applies to all.

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
        if len(arr) != n and not (len(arr) == 1 and name == "total_epochs"):
            raise v.ScheduleArgumentError(
                name,
                "Number of param groups must match number of: 'warmup_epochs', 'init_lr', 'max_lr', "
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


class NoamLike(Port, name="compat.chemprop.build_NoamLike_LRSched"):
    r"""chemprop 2.1+'s ``build_NoamLike_LRSched``: linear warmup, exponential decay, then constant.

    .. math::
        s(k) = \begin{cases}
        \mathrm{init} + k\,(\mathrm{max} - \mathrm{init})/W & k < W \\
        \mathrm{max}\,(\mathrm{final}/\mathrm{max})^{(k - W)/C} & W \le k < W + C \\
        \mathrm{final} & k \ge W + C \end{cases}

    The original is a ``LambdaLR`` whose factor divides by ``init_lr``; on an optimizer whose LR is
    ``init_lr`` (as chemprop's models build it) it applies exactly this, update :math:`k` at position
    :math:`k` (no offset, unlike :class:`NoamLR`). chemprop's models pass
    ``warmup_steps = warmup_epochs * batches`` and ``cooldown_steps = (max_epochs - warmup_epochs) *
    batches``. It equals :func:`jaxsched.warmup_exponential_decay` with ``end_value=final_lr``, which holds
    ``final_lr`` after :math:`W + C`.

    Args:
      warmup_steps: :math:`W >= 0`.
      cooldown_steps: :math:`C >= 0` (0: ``final_lr`` right after the warmup; static).
      init_lr: value at update 0 (> 0: the original divides by it).
      max_lr: value at update :math:`W` (> 0).
      final_lr: value from update :math:`W + C` on (> 0).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat.chemprop import build_NoamLike_LRSched
      >>> s = build_NoamLike_LRSched(4, 4, init_lr=1e-4, max_lr=1e-3, final_lr=1e-4)
      >>> [round(float(x), 7) for x in s.numpy(range(10))]
      [0.0001, 0.000325, 0.00055, 0.000775, 0.001, 0.0005623, 0.0003162, 0.0001778, 0.0001, 0.0001]
    """

    warmup_steps: StepCount = steps()
    cooldown_steps: int = steps(static=True)
    init_lr: Real = value(minimum=0.0, min_open=True)  # the original divides by it
    max_lr: Real = value(minimum=0.0, min_open=True)
    final_lr: Real = value(minimum=0.0, min_open=True)

    examples = (
        {"warmup_steps": 20, "cooldown_steps": 230, "init_lr": 1e-4, "max_lr": 1e-3, "final_lr": 1e-4},
        {"warmup_steps": 0, "cooldown_steps": 200, "init_lr": 1e-3, "max_lr": 1e-3, "final_lr": 1e-5},
        {"warmup_steps": 7, "cooldown_steps": 0, "init_lr": 1e-4, "max_lr": 1e-3, "final_lr": 1e-5},
    )

    def __check_init__(self) -> None:
        if known(self.warmup_steps) and self.warmup_steps + self.cooldown_steps > MAX_STEP:
            raise v.ScheduleArgumentError(
                "cooldown_steps", f"ends the decay past the last step {MAX_STEP}", self.cooldown_steps
            )

    def lower(self) -> Schedule:
        W = self.warmup_steps
        return _noam_curve(self.init_lr, self.max_lr, self.final_lr, W, self.cooldown_steps, W)


build_NoamLike_LRSched = NoamLike  # noqa: N816 - the original name
