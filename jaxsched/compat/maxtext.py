"""MaxText's learning-rate schedule, built from its config keys (golden-tested against MaxText's source).

MaxText (``AI-Hypercomputer/maxtext``) builds its schedule in ``create_learning_rate_schedule(config)``
(``src/maxtext/utils/maxtext_utils.py``) from the config keys ``learning_rate``, ``lr_schedule_type``
(``cosine`` or ``wsd``), ``warmup_steps_fraction``, ``learning_rate_final_fraction``,
``wsd_decay_steps_fraction``, ``wsd_decay_style`` (``linear`` or ``cosine``),
``learning_rate_schedule_steps`` and ``steps``, as an ``optax.join_schedules`` of pieces. The optimizer
reads it at optax's update count, so update ``k`` uses the schedule at ``k`` (from 0), which is what
:class:`LearningRateSchedule` returns at ``k``.

:func:`from_maxtext_config` takes a MaxText config (a mapping of its keys, or the config object) and
applies MaxText's defaults (``base.yml``) and its ``-1`` rules for ``steps`` and
``learning_rate_schedule_steps``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jaxsched import _validate as v
from jaxsched import constant, join, linear, piecewise_cosine, repeat
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, choice, level, static, static_float, static_int, value
from jaxsched._numerics import MAX_STEP

__all__ = ["DEFAULTS", "LearningRateSchedule", "create_learning_rate_schedule", "from_maxtext_config"]

DEFAULTS: dict[str, Any] = {
    "learning_rate": 3e-5,
    "lr_schedule_type": "cosine",
    "learning_rate_final_fraction": 0.1,
    "wsd_decay_steps_fraction": 0.1,
    "wsd_decay_style": "linear",
    "warmup_steps_fraction": 0.1,
    "learning_rate_schedule_steps": -1,
    "steps": 150_001,
}
"""MaxText's defaults (``src/maxtext/configs/base.yml``) for the keys its schedule reads."""


class LearningRateSchedule(Port, name="compat.maxtext.create_learning_rate_schedule"):
    r"""MaxText's ``create_learning_rate_schedule(config)``: linear warmup, cosine or WSD, then zeros.

    With :math:`L` = ``learning_rate_schedule_steps``, :math:`\eta` = ``learning_rate``,
    :math:`\eta_f = \eta\,` ``learning_rate_final_fraction``, :math:`W = \lfloor L f_w \rfloor`
    (``int(L * warmup_steps_fraction)``) and, for WSD, :math:`D = \lfloor L f_d \rfloor`,
    :math:`S = L - W - D`:

    .. math::
        s(k) = \begin{cases}
        \eta\, k / W & k < W \\
        \eta_f + (\eta - \eta_f)\,\tfrac{1}{2}\left(1 + \cos\tfrac{\pi (k - W)}{L - W - 1}\right)
            & W \le k < L \quad (\text{cosine}) \\
        \eta & W \le k < W + S \quad (\text{wsd}) \\
        \eta + (\eta_f - \eta)\min\left(\tfrac{k - W - S}{D - 1}, 1\right)
            \ \text{or the cosine above over } D & W + S \le k < L \quad (\text{wsd}) \\
        0 & k \ge L \text{ when } \text{steps} > L
        \end{cases}

    Step convention: ``s(k)`` is what MaxText's optimizer applies at update ``k`` (optax's count, from 0).

    Where MaxText is odd (each reproduced):

    - Lengths are *truncated*: ``int(L * fraction)``, in floating point, so ``L=100,
      warmup_steps_fraction=0.29`` gives 28 warmup steps (``100 * 0.29`` is ``28.999999999999996``).
    - The cosine and the WSD decays end one step early: MaxText's cosine divides by ``len - 1`` and the
      linear decay is ``optax.linear_schedule(..., transition_steps=D - 1)``, so :math:`\eta_f` is reached
      at step :math:`L - 1`, not :math:`L`. A one-step decay (``D == 1``) is a zero-length linear ramp,
      which optax turns into a constant: that step uses :math:`\eta`, not :math:`\eta_f`; a one-step
      cosine is :math:`\eta_f`.
    - With ``steps <= learning_rate_schedule_steps`` there is no zero tail, and the last piece goes on
      past :math:`L`: a linear decay holds :math:`\eta_f`, but a cosine keeps going as a full cosine wave
      (back up to :math:`\eta` at :math:`L - 1 + (L - W - 1)`, and so on). Training stops at ``steps``,
      so MaxText never applies those values; they are reproduced anyway (as
      :func:`jaxsched.piecewise_cosine` arcs under :func:`jaxsched.repeat`).
    - With ``steps > learning_rate_schedule_steps`` every update from :math:`L` on uses 0.
    - ``learning_rate_final_fraction`` is not validated by MaxText (a negative one gives negative rates);
      here it must be >= 0. MaxText computes in float32: its ``step / (len - 1)`` and ``cos`` lose the
      last cosine steps of a long decay; the values here are exact.

    Args:
      learning_rate: :math:`\eta >= 0`, the peak.
      steps: the number of training steps (``-1``: ``learning_rate_schedule_steps``).
      lr_schedule_type: ``"cosine"`` or ``"wsd"``.
      learning_rate_final_fraction: :math:`\eta_f / \eta >= 0`.
      wsd_decay_steps_fraction: :math:`f_d \in [0, 1]` (WSD only), with
        ``warmup_steps_fraction + wsd_decay_steps_fraction <= 1``.
      wsd_decay_style: ``"linear"`` or ``"cosine"`` (WSD only).
      warmup_steps_fraction: :math:`f_w \in [0, 1]`.
      learning_rate_schedule_steps: :math:`L` (``-1``: ``steps``).

    Returns:
      A :class:`~jaxsched.Schedule` (a join of catalog pieces).

    Example:
      >>> from jaxsched.compat import maxtext
      >>> s = maxtext.from_maxtext_config({"learning_rate": 1.0, "steps": 12,
      ...     "learning_rate_schedule_steps": 10, "warmup_steps_fraction": 0.2,
      ...     "learning_rate_final_fraction": 0.0, "lr_schedule_type": "wsd",
      ...     "wsd_decay_steps_fraction": 0.3})
      >>> [round(float(s(k)), 4) for k in range(12)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0, 0.0]
    """

    learning_rate: Real = level(default=3e-5)
    steps: int = static(default=150_001, converter=static_int(-1))
    lr_schedule_type: str = choice(("cosine", "wsd"), default="cosine")
    learning_rate_final_fraction: Real = value(default=0.1, minimum=0.0)
    wsd_decay_steps_fraction: float = static(default=0.1, converter=static_float(0.0, 1.0))
    wsd_decay_style: str = choice(("linear", "cosine"), default="linear")
    warmup_steps_fraction: float = static(default=0.1, converter=static_float(0.0, 1.0))
    learning_rate_schedule_steps: int = static(default=-1, converter=static_int(-1))

    examples = (
        {
            "learning_rate": 3e-4,
            "steps": 1000,
            "learning_rate_schedule_steps": 1000,
            "warmup_steps_fraction": 0.05,
            "learning_rate_final_fraction": 0.1,
        },
        {
            "learning_rate": 1e-3,
            "steps": 1200,
            "learning_rate_schedule_steps": 1000,
            "lr_schedule_type": "wsd",
            "warmup_steps_fraction": 0.1,
            "wsd_decay_steps_fraction": 0.2,
            "wsd_decay_style": "cosine",
            "learning_rate_final_fraction": 0.0,
        },
        {
            "learning_rate": 2e-4,
            "steps": 400,
            "learning_rate_schedule_steps": 600,
            "lr_schedule_type": "wsd",
            "warmup_steps_fraction": 0.29,
            "wsd_decay_steps_fraction": 0.5,
        },
    )

    def __check_init__(self) -> None:
        steps, total = self.steps, self.learning_rate_schedule_steps
        if total == -1:  # MaxText: -1 defaults to `steps`, and `steps` -1 to the schedule length
            total = steps
        if steps == -1:
            steps = total
        if total == -1:
            raise v.ScheduleArgumentError(
                "learning_rate_schedule_steps",
                "and steps cannot both be -1",
                self.learning_rate_schedule_steps,
            )
        if total == 0:
            raise v.ScheduleArgumentError(
                "learning_rate_schedule_steps", "must be >= 1 (MaxText's schedule has no piece then)", total
            )
        self._set("steps", steps)
        self._set("learning_rate_schedule_steps", total)
        fw, fd = self.warmup_steps_fraction, self.wsd_decay_steps_fraction
        if self.lr_schedule_type == "wsd" and fw + fd > 1.0:
            raise v.ScheduleArgumentError(
                "warmup_steps_fraction", f"+ wsd_decay_steps_fraction ({fd!r}) must not exceed 1.0", fw
            )

    def _cosine(self, length: int, last: bool) -> Schedule:
        """MaxText's ``make_cos_schedule(lr, final_lr, length)`` over its own steps."""
        lr, final = self.learning_rate, self.learning_rate * self.learning_rate_final_fraction
        if length == 1:  # pct is 1.0 at every step
            return constant(final)
        if not last:
            return piecewise_cosine([(0, lr), (length - 1, final)])
        # The last piece is evaluated past its end: cos(pi * k / (length - 1)) keeps going as a wave.
        period = 2 * (length - 1)
        wave = piecewise_cosine([(0, lr), (length - 1, final), (period, lr)])
        return repeat(wave, period) if period <= MAX_STEP else wave

    def lower(self) -> Schedule:
        total, lr = self.learning_rate_schedule_steps, self.learning_rate
        final = lr * self.learning_rate_final_fraction
        warmup = int(total * self.warmup_steps_fraction)
        zeros = self.steps - total > 0
        # MaxText's pieces, in its order: (kind, length) with the boundary it appends after each.
        plan: list[tuple[str, int]] = []
        if warmup > 0:
            plan.append(("warmup", warmup))
        if self.lr_schedule_type == "cosine":
            if total - warmup > 0:
                plan.append(("cosine", total - warmup))
        else:
            decay = int(total * self.wsd_decay_steps_fraction)
            stable = total - warmup - decay
            if stable > 0:
                plan.append(("stable", stable))
            if decay > 0:
                plan.append(("linear" if self.wsd_decay_style == "linear" else "cosine", decay))
        pieces: list[Schedule] = []
        boundaries: list[int] = []
        end = 0
        for i, (kind, length) in enumerate(plan):
            last = i == len(plan) - 1 and not zeros
            if kind == "warmup":
                pieces.append(linear(0.0, lr, transition_steps=length, transition_begin=0))
            elif kind == "stable":
                pieces.append(constant(lr))
            elif kind == "linear":  # optax.linear_schedule(lr, final, D - 1): a constant for D == 1
                pieces.append(
                    linear(lr, final, transition_steps=length - 1, transition_begin=0)
                    if length > 1
                    else constant(lr)
                )
            else:
                pieces.append(self._cosine(length, last))
            end += length
            boundaries.append(end)
        if zeros:
            pieces.append(constant(0.0))
            boundaries.append(total)
        if len(pieces) == 1:
            return pieces[0]
        # optax.join_schedules zips the boundaries with the pieces after the first: each piece starts
        # where the previous one's boundary says (MaxText appends one boundary per piece).
        return join(pieces, boundaries[: len(pieces) - 1])


def _get(config: Any, key: str) -> Any:
    if isinstance(config, Mapping):
        return config.get(key, DEFAULTS[key])
    return getattr(config, key, DEFAULTS[key])


def from_maxtext_config(config: Mapping[str, Any] | Any) -> LearningRateSchedule:
    """The schedule MaxText builds from ``config`` (a mapping of MaxText config keys, or its config object).

    Reads the keys ``create_learning_rate_schedule`` reads (``learning_rate``, ``lr_schedule_type``,
    ``learning_rate_final_fraction``, ``wsd_decay_steps_fraction``, ``wsd_decay_style``,
    ``warmup_steps_fraction``, ``learning_rate_schedule_steps``, ``steps``); a missing key takes MaxText's
    default (:data:`DEFAULTS`), other keys of a full MaxText config are ignored. Enum values (MaxText's
    ``LearningRateScheduleType.WSD``) are read by their value.

    Example:
      >>> from jaxsched.compat import maxtext
      >>> s = maxtext.from_maxtext_config({"learning_rate": 1e-3, "steps": 1000})
      >>> s.learning_rate_schedule_steps, s.numpy([100, 999]).tolist()
      (1000, [0.001, 0.0001])
    """
    kwargs = {key: _get(config, key) for key in DEFAULTS}
    for key in ("lr_schedule_type", "wsd_decay_style"):
        kwargs[key] = getattr(kwargs[key], "value", kwargs[key])
    return LearningRateSchedule(**kwargs)


def create_learning_rate_schedule(config: Mapping[str, Any] | Any) -> LearningRateSchedule:
    """MaxText's name for :func:`from_maxtext_config`."""
    return from_maxtext_config(config)
