"""levanter's (and marin's) learning-rate schedule: ``OptimizerConfig.lr_scheduler(num_train_steps)``.

levanter (``stanford-crfm/levanter``, now developed inside ``marin-community/marin`` as ``lib/levanter``)
builds its schedule in ``src/levanter/optim/config.py`` from the ``OptimizerConfig`` fields
``learning_rate``, ``min_lr_ratio``, ``warmup``, ``decay``, ``rewarmup``, ``cooldown``, ``cycle_length``,
``cycles``, ``haps`` and ``lr_schedule`` (a name, or an ``LrSchedule`` object with its own parameters), as
an ``optax.join_schedules`` of per-cycle pieces. The optimizer is ``optax.inject_hyperparams(...)(
learning_rate=schedule)``, so update ``k`` uses the schedule at ``k`` (from 0), which is what
:class:`LrScheduler` returns at ``k``. marin's training configs (``SimpleTrainConfig``) pass the same fields
through, so this port covers marin too.

:func:`from_levanter_config` takes an ``OptimizerConfig`` (the object, or a mapping of its fields as in a
YAML config) and ``num_train_steps``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from jaxsched import _validate as v
from jaxsched import (
    clip,
    constant,
    cosine_decay,
    inverse_time_decay,
    join,
    linear,
    linear_from,
    polynomial,
    power_scheduler,
    rsqrt_decay,
    shift,
)
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, choice, known, level, static, static_int, value
from jaxsched._numerics import MAX_STEP

__all__ = ["SHAPES", "LrScheduler", "from_levanter_config"]

SHAPES = ("constant", "cosine", "linear", "inv_sqrt", "inv", "polynomial", "inv_sqrt_decay", "power")
"""The names of levanter's ``LrSchedule`` registry (``lr_schedule: <name>``)."""

_SHAPE_PARAMS = {
    "exponent": ("cosine", 1.0),
    "timescale": ("inv_sqrt", 10000.0),
    "power": ("polynomial", 2.0),
    "decay_constant": ("inv_sqrt_decay", 28.6),
    "batch_size": ("power", None),
    "seq_length": ("power", None),
    "a": ("power", 4.6),
    "b": ("power", -0.51),
}
_CLASSES = {
    "ConstantLrSchedule": "constant",
    "CosineLrSchedule": "cosine",
    "LinearLrSchedule": "linear",
    "InvSqrtLrSchedule": "inv_sqrt",
    "InvLrSchedule": "inv",
    "PolynomialLrSchedule": "polynomial",
    "InvSqrtDecayLrSchedule": "inv_sqrt_decay",
    "PowerLrSchedule": "power",
}


def _frac_or_steps(optional: bool = False) -> Any:
    """levanter's ``int | float`` durations: a number <= 1 is a fraction (``1`` is *all* the steps), a larger
    one a whole number of steps. Stored as a float fraction or an int number of steps."""

    def convert(name: str, x: Any) -> Any:
        if x is None and optional:
            return None
        if isinstance(x, bool) or (not isinstance(x, int | float) and not hasattr(x, "dtype")):
            raise v.ScheduleArgumentTypeError(name, "a fraction <= 1 or a whole number of steps", x)
        f = v.finite_float(name, x)
        if f < 0.0 or (f > 1.0 and not f.is_integer()):
            raise v.ScheduleArgumentError(
                name, "must be a fraction in [0, 1] or a whole number of steps > 1", x
            )
        if f > MAX_STEP:
            raise v.ScheduleArgumentError(name, "must be <= 2**31 - 1 steps", x)
        return f if f <= 1.0 else int(f)

    return convert


def _cycle_length(name: str, x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, list | tuple):
        return tuple(static_int(1)(f"{name}[{i}]", e) for i, e in enumerate(x))
    return _frac_or_steps()(name, x)


def _endpoints(name: str, x: Any) -> Any:
    """``cycles``: a number of cycles (an int >= 1) or a list of cycle endpoints (non-decreasing steps)."""
    if x is None:
        return None
    if isinstance(x, list | tuple):
        out = tuple(static_int(0)(f"{name}[{i}]", e) for i, e in enumerate(x))
        if any(b < a for a, b in itertools.pairwise(out)):
            raise v.ScheduleArgumentError(name, "must be non-decreasing cycle endpoints", list(x))
        return out
    return static_int(1)(name, x)


def _convert(frac_or_steps: float | int, steps: int) -> int:
    """levanter's ``_convert_frac_or_steps`` (the argument already checked)."""
    if frac_or_steps <= 1.0:
        return int(frac_or_steps * steps)
    return int(frac_or_steps)


class LrScheduler(Port, name="compat.levanter.lr_scheduler"):
    r"""levanter's ``OptimizerConfig.lr_scheduler(num_train_steps)``: (re)warmup, stable, decay, per cycle.

    The training steps (minus a deprecated ``cooldown``) are cut into cycles at the points given by
    ``cycle_length`` or ``cycles`` (one cycle by default). Cycle :math:`c` of :math:`N_c` steps has a warmup
    of :math:`W_c` = ``warmup`` (first cycle) or ``rewarmup`` (later ones) steps, a decay of :math:`D_c` =
    ``decay`` steps (default: the rest of the cycle), and a stable phase in between:

    .. math::
        s(k) = \begin{cases}
        e_{c-1} + (\eta - e_{c-1})\,(k - b_c)/W_c & b_c \le k < b_c + W_c \\
        \eta & \text{stable} \\
        g(k - b_c - W_c - S_c) & \text{decay}
        \end{cases}

    with :math:`\eta` = ``learning_rate``, :math:`e_{-1} = 0`, :math:`e_c = g_c(D_c)` the value the cycle's
    decay reaches (each re-warmup starts where the previous cycle ended), :math:`\eta_{min} = \eta\,`
    ``min_lr_ratio`` and the decay :math:`g` of ``lr_schedule`` over its own steps :math:`j`:

    - ``constant``: :math:`\eta`; ``cosine``: optax's :math:`\eta((1 - r)\,(\tfrac{1 + \cos(\pi
      \min(j, D)/D)}{2})^{q} + r)` (``exponent`` :math:`q`, ``r`` = ``min_lr_ratio``);
      ``linear`` / ``polynomial``: optax's from :math:`\eta` to :math:`\eta_{min}` (``power``);
    - ``inv_sqrt``: :math:`\max(\eta\min(1, \sqrt{\tau/\max(j + W_c, 1)}), \eta_{min})` (``timescale``
      :math:`\tau`); ``inv_sqrt_decay``: :math:`\max(\eta_{min}, \eta/\sqrt{1 + C j / D})`
      (``decay_constant`` :math:`C`);
    - ``inv``: :math:`\max(\eta\min(1, 1/((\eta/\eta_{min} - 1)\max(j, 1)/D + 1)), \eta_{min})`;
    - ``power``: :math:`\min(\eta, \beta a\,(j\beta\ell)^{b})` (``batch_size`` :math:`\beta`,
      ``seq_length`` :math:`\ell`), the power scheduler of Shen et al. (arXiv 2408.13359).

    The pieces are catalog schedules: :func:`jaxsched.linear`, :func:`jaxsched.linear_from` (a re-warmup or
    cooldown from where the previous piece ended), :func:`jaxsched.cosine_decay`,
    :func:`jaxsched.polynomial`, :func:`jaxsched.rsqrt_decay`, :func:`jaxsched.inverse_time_decay`,
    :func:`jaxsched.power_scheduler` under :func:`jaxsched.clip`, joined by :func:`jaxsched.join`.

    Step convention: ``s(k)`` is what levanter's optimizer applies at update ``k`` (optax's count, from 0).

    Where levanter is odd (each reproduced):

    - Durations are fractions when <= 1 and steps when > 1, so ``warmup=1`` is the *whole* cycle, not one
      step; fractions are truncated (``int(0.01 * 150)`` = 1).
    - ``cycle_length`` that does not divide the steps makes the *last* cycle longer (levanter's warning says
      shorter); ``cycles=n`` puts the cycle ends at ``int(T / n * i)``, so with more cycles than steps some
      cycles have no steps, and a zero-length cycle ends at :math:`\eta` (its decay is a constant), so the
      next re-warmup starts from :math:`\eta`; a ``cycles`` list starting at 0 makes the first real cycle
      use ``rewarmup``.
    - The decay of each piece counts its own steps: ``power`` restarts its token count at the decay (after
      warmup and stable), ``inv_sqrt`` reads :math:`j + W_c`, and ``inv`` uses :math:`\max(j, 1)` (its first
      two steps are equal).
    - Past the last cycle the last decay goes on by its formula (``inv_sqrt`` and ``power`` keep falling
      until their floors; the others hold).
    - levanter computes in float32 with int32 counts: ``power``'s token count ``step * batch_size *
      seq_length`` overflows int32 (NaN learning rates) once it passes 2**31 (step 2048 at 1M tokens per
      step); the values here are exact (what levanter computes under ``jax_enable_x64``).
    - Refused here, accepted by levanter: ``min_lr_ratio`` 0 (or above 1) with ``inv`` (a division by
      zero at construction, or a negative denominator); ``power``, ``decay_constant``, ``timescale`` <= 0;
      ``cycles`` < 1; ``haps`` together with ``cycles`` (levanter silently ignores ``cycles``); a shape
      parameter that the chosen ``lr_schedule`` does not read; a ``cooldown`` of all the steps (levanter
      fails on it).

    Args:
      num_train_steps: the total number of training steps.
      learning_rate: :math:`\eta` (levanter's ``override_lr`` replaces it).
      min_lr_ratio: :math:`\eta_{min}/\eta >= 0`.
      warmup: the first cycle's warmup, a fraction of the cycle (<= 1) or whole steps.
      decay: each cycle's decay (fraction or steps); ``None``: the rest of the cycle.
      rewarmup: the later cycles' warmup (fraction or steps).
      cooldown: deprecated: a linear ramp to :math:`\eta_{min}` after the cycles (fraction or steps).
      cycle_length: a cycle length (fraction or steps), or a list of cycle lengths.
      cycles: a number of cycles, or a list of cycle end points.
      haps: deprecated: a list of cycle end points.
      lr_schedule: one of :data:`SHAPES`.
      exponent: ``cosine``'s exponent.
      timescale: ``inv_sqrt``'s timescale.
      power: ``polynomial``'s power.
      decay_constant: ``inv_sqrt_decay``'s constant.
      batch_size: ``power``'s batch size (required for ``power``).
      seq_length: ``power``'s sequence length (required for ``power``).
      a: ``power``'s amplitude (> 0).
      b: ``power``'s exponent (< 0).

    Returns:
      A :class:`~jaxsched.Schedule` (a join of catalog pieces).

    Example:
      >>> from jaxsched.compat import levanter
      >>> s = levanter.LrScheduler(12, learning_rate=1.0, min_lr_ratio=0.0, warmup=2, decay=0.5,
      ...                          lr_schedule="linear", cycles=2, rewarmup=0.5)
      >>> [round(float(s(k)), 3) for k in range(13)]
      [0.0, 0.5, 1.0, 1.0, 0.667, 0.333, 0.0, 0.333, 0.667, 1.0, 0.667, 0.333, 0.0]
    """

    num_train_steps: int = static(converter=static_int(1))
    learning_rate: Real = level(default=6e-4)
    min_lr_ratio: Real = value(default=0.1, minimum=0.0)
    warmup: float | int = static(default=0.01, converter=_frac_or_steps())
    decay: float | int | None = static(default=None, converter=_frac_or_steps(optional=True))
    rewarmup: float | int = static(default=0.0, converter=_frac_or_steps())
    cooldown: float | int | None = static(default=None, converter=_frac_or_steps(optional=True))
    cycle_length: float | int | tuple[int, ...] | None = static(default=None, converter=_cycle_length)
    cycles: int | tuple[int, ...] | None = static(default=None, converter=_endpoints)
    haps: tuple[int, ...] | None = static(default=None, converter=_endpoints)
    lr_schedule: str = choice(SHAPES, default="cosine")
    exponent: Real = value(default=1.0, minimum=0.0, min_open=True)
    timescale: Real = value(default=10000.0, minimum=0.0, min_open=True)
    power: Real = value(default=2.0, minimum=0.0, min_open=True)
    decay_constant: Real = value(default=28.6, minimum=0.0, min_open=True)
    batch_size: Real | None = value(default=None, minimum=0.0, min_open=True)
    seq_length: Real | None = value(default=None, minimum=0.0, min_open=True)
    a: Real = value(default=4.6, minimum=0.0, min_open=True)
    b: Real = value(default=-0.51, maximum=0.0, max_open=True)

    examples = (
        {"num_train_steps": 1000, "learning_rate": 3e-4, "warmup": 0.1, "lr_schedule": "cosine"},
        {
            "num_train_steps": 1200,
            "learning_rate": 1e-3,
            "min_lr_ratio": 0.0,
            "warmup": 50,
            "decay": 0.2,
            "rewarmup": 0.05,
            "cycles": 3,
            "lr_schedule": "linear",
        },
        {
            "num_train_steps": 900,
            "learning_rate": 2e-3,
            "warmup": 0.05,
            "lr_schedule": "inv_sqrt",
            "timescale": 100.0,
            "cycle_length": [300, 300],
            "rewarmup": 20,
        },
        {
            "num_train_steps": 800,
            "learning_rate": 1e-2,
            "warmup": 40,
            "decay": 0.5,
            "lr_schedule": "power",
            "batch_size": 4,
            "seq_length": 16,
            "a": 0.05,
            "cycles": [300],
            "rewarmup": 0.1,
        },
    )

    def __check_init__(self) -> None:
        uses = self.lr_schedule
        for name, (shape, default) in _SHAPE_PARAMS.items():
            val = getattr(self, name)
            if shape != uses and val is not None and known(val) and val != default:
                raise v.ScheduleArgumentError(
                    name, f"applies only to lr_schedule={shape!r}, not {uses!r}", val
                )
        if uses == "power":
            for name in ("batch_size", "seq_length"):
                if getattr(self, name) is None:
                    raise v.ScheduleArgumentTypeError(
                        name, "a number (required by lr_schedule='power')", None
                    )
        if uses == "inv" and known(self.learning_rate) and self.learning_rate == 0:
            raise v.ScheduleArgumentError(
                "learning_rate", "must be > 0 for lr_schedule='inv' (levanter divides by it)", 0.0
            )
        if uses == "inv" and known(self.min_lr_ratio) and not 0.0 < self.min_lr_ratio <= 1.0:
            raise v.ScheduleArgumentError(
                "min_lr_ratio",
                "must be in (0, 1] for lr_schedule='inv' (levanter divides by it)",
                self.min_lr_ratio,
            )
        if self.cycle_length is not None and self.cycles is not None:
            raise v.ScheduleArgumentError("cycle_length", "cannot be used with cycles", self.cycle_length)
        if self.haps is not None and (self.cycle_length is not None or self.cycles is not None):
            raise v.ScheduleArgumentError(
                "haps", "cannot be used with cycle_length or cycles", list(self.haps)
            )
        main = self._main_steps()
        if main < 1:
            raise v.ScheduleArgumentError("cooldown", "must leave at least one step before it", self.cooldown)
        if isinstance(self.cycle_length, tuple) and sum(self.cycle_length) > main:
            raise v.ScheduleArgumentError(
                "cycle_length", f"lengths exceed the total number of steps ({main})", list(self.cycle_length)
            )
        if isinstance(self.cycle_length, int | float) and _convert(self.cycle_length, main) == 0:
            raise v.ScheduleArgumentError("cycle_length", f"is 0 steps of {main}", self.cycle_length)
        points = self.haps if self.haps is not None else self.cycles
        if isinstance(points, tuple) and points and points[-1] > main:
            raise v.ScheduleArgumentError(
                "haps" if self.haps is not None else "cycles",
                f"must end by the last step ({main})",
                list(points),
            )

    def _main_steps(self) -> int:
        cool = 0 if self.cooldown is None else _convert(self.cooldown, self.num_train_steps)
        return self.num_train_steps - cool

    def _cycle_points(self, total: int) -> list[int]:
        """levanter's ``_get_cycle_minima``: the cycle end points, from 0 to ``total``."""
        if self.cycle_length is not None:
            if isinstance(self.cycle_length, tuple):
                points, acc = [], 0
                for length in self.cycle_length:
                    acc += length
                    points.append(acc)
            else:
                length = _convert(self.cycle_length, total)
                points = [i * length for i in range(1, total // length)]
        elif self.haps is not None:
            points = list(self.haps)
        elif isinstance(self.cycles, int):
            points = [int(total / self.cycles * (i + 1)) for i in range(self.cycles - 1)]
        elif isinstance(self.cycles, tuple):
            points = list(self.cycles)
        else:
            points = []
        points.insert(0, 0)
        if points[-1] != total:
            points.append(total)
        return points

    def _decay(self, decay_steps: int, warmup_steps: int) -> Schedule:
        """The cycle's decay over its own steps (levanter's ``LrSchedule.build``)."""
        lr, ratio = self.learning_rate, self.min_lr_ratio
        min_lr = lr * ratio
        shape = self.lr_schedule
        if shape == "constant":
            return constant(lr)
        if shape == "cosine":
            return cosine_decay(lr, decay_steps, alpha=ratio, exponent=self.exponent)
        if shape == "linear":
            return linear(lr, min_lr, decay_steps, transition_begin=0)
        if shape == "polynomial":
            return polynomial(lr, min_lr, self.power, decay_steps, transition_begin=0)
        if shape == "inv_sqrt":  # max(lr * min(1, sqrt(tau / max(j + W, 1))), min_lr)
            decay = rsqrt_decay(lr, self.timescale, begin=-warmup_steps, min_steps=1.0)
            return clip(clip(decay, max_value=lr), min_value=min_lr)
        if shape == "inv_sqrt_decay":  # max(min_lr, lr / sqrt(1 + C j / D)): tau = D / C
            tau = decay_steps / self.decay_constant
            return clip(rsqrt_decay(lr, tau, begin=-tau, min_steps=tau), min_value=min_lr)
        if shape == "inv":  # max(lr / ((lr / min_lr - 1) max(j, 1) / D + 1), min_lr), at max(j, 1)
            curve = inverse_time_decay(lr, decay_steps, lr / min_lr - 1.0)
            return clip(shift(shift(curve, -1), 1), min_value=min_lr)
        assert self.batch_size is not None and self.seq_length is not None  # (checked for 'power')
        return power_scheduler(lr, self.batch_size, self.seq_length, self.a, self.b, warmup_steps=0)

    def lower(self) -> Schedule:
        lr = self.learning_rate
        main = self._main_steps()
        points = self._cycle_points(main)
        pieces: list[Schedule] = []
        boundaries: list[int] = []
        previous: tuple[Schedule, int] | None = None  # the last piece of the previous cycle and its length
        for cycle, (start, end) in enumerate(itertools.pairwise(points)):
            steps = end - start
            warmup = _convert(self.warmup if cycle == 0 else self.rewarmup, steps)
            warmup = min(warmup, steps)
            if warmup != 0:
                if previous is None:
                    pieces.append(linear(0.0, lr, warmup, transition_begin=0))
                else:
                    pieces.append(linear_from(previous[0], previous[1], lr, warmup))
                boundaries.append(start + warmup)
            most = max(steps - warmup, 0)
            wanted = _convert(self.decay, steps) if self.decay is not None else most
            decay = min(max(wanted, 0), most)
            stable = steps - warmup - decay
            if stable > 0:
                pieces.append(constant(lr))
                boundaries.append(start + warmup + stable)
            last = self._decay(decay, warmup) if decay > 0 else constant(lr)
            pieces.append(last)
            boundaries.append(end)
            previous = (last, decay)
        if self.cooldown is not None and main != self.num_train_steps:
            assert previous is not None
            pieces.append(
                linear_from(previous[0], previous[1], lr * self.min_lr_ratio, self.num_train_steps - main)
            )
        if len(pieces) == 1:
            return pieces[0]
        return join(pieces, boundaries[: len(pieces) - 1])


def _shape_from(lr_schedule: Any) -> dict[str, Any]:
    """``lr_schedule`` as a name, a mapping (``{"type": "cosine", "exponent": 2.0}``) or an ``LrSchedule``
    object: the port's ``lr_schedule`` and shape parameters."""
    if isinstance(lr_schedule, str):
        return {"lr_schedule": lr_schedule}
    if isinstance(lr_schedule, Mapping):
        params = dict(lr_schedule)
        name = params.pop("type", params.pop("name", None))
        if name is None:
            raise v.ScheduleArgumentError("lr_schedule", "a mapping needs its 'type'", dict(lr_schedule))
        return {"lr_schedule": name, **params}
    cls = type(lr_schedule).__name__
    if cls not in _CLASSES:
        raise v.ScheduleArgumentTypeError(
            "lr_schedule", f"a name, a mapping or one of {sorted(_CLASSES)}", lr_schedule
        )
    params = {k: getattr(lr_schedule, k) for k in _SHAPE_PARAMS if hasattr(lr_schedule, k)}
    return {"lr_schedule": _CLASSES[cls], **params}


_FIELDS = (
    "learning_rate",
    "min_lr_ratio",
    "warmup",
    "decay",
    "rewarmup",
    "cooldown",
    "cycle_length",
    "cycles",
    "haps",
)


def from_levanter_config(
    config: Mapping[str, Any] | Any, num_train_steps: int, override_lr: float | None = None
) -> LrScheduler:
    """The schedule ``config.lr_scheduler(num_train_steps, override_lr)`` builds.

    ``config`` is a levanter ``OptimizerConfig`` (``AdamConfig``, ...) or a mapping of its fields (a YAML
    ``optimizer:`` section); fields that are not about the schedule (``weight_decay``, ``beta1``, ...) are
    ignored, missing ones take levanter's defaults. ``lr_schedule`` may be a name, a mapping with a
    ``type`` (``{"type": "power", "batch_size": 256, "seq_length": 4096}``) or an ``LrSchedule`` object.

    Example:
      >>> from jaxsched.compat import levanter
      >>> s = levanter.from_levanter_config({"learning_rate": 1e-3, "warmup": 0.1, "weight_decay": 0.1,
      ...                                    "lr_schedule": {"type": "cosine", "exponent": 2.0}}, 1000)
      >>> s.lr_schedule, s.exponent, s.numpy([0, 100, 1000]).tolist()
      ('cosine', 2.0, [0.0, 0.001, 0.0001])
    """
    get = config.get if isinstance(config, Mapping) else (lambda k, d=None: getattr(config, k, d))
    kwargs: dict[str, Any] = {k: get(k) for k in _FIELDS if get(k) is not None}
    for key in ("cycle_length", "cycles", "haps"):
        if isinstance(kwargs.get(key), Sequence):
            kwargs[key] = list(kwargs[key])
    shape = get("lr_schedule")
    if shape is not None:
        kwargs.update(_shape_from(shape))
    if override_lr is not None:
        kwargs["learning_rate"] = override_lr
    return LrScheduler(num_train_steps=num_train_steps, **kwargs)
