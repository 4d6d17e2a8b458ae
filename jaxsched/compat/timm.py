"""timm's ``timm.scheduler`` classes as jaxsched schedules (golden-tested against timm 1.0.31).

timm schedulers are stateless and called at the *end* of each epoch (``step(epoch + 1)``) or update
(``step_update(num_updates)``); the value the optimizer uses at index ``t`` is therefore
``_get_lr(t)`` for ``t >= 1``, and at ``t = 0`` the value the constructor wrote into the optimizer:
``warmup_lr_init`` when there is a warmup, else the base ``lr`` (for ``TanhLRScheduler`` and for a
``MultiStepLRScheduler`` with a milestone at 1 that initial value is *not* ``_get_lr(0)``; the ports
reproduce it).

Time units (``t_in_epochs``): with ``t_in_epochs=True`` timm changes the value once per epoch, so
``s(k)`` reads ``k`` as an epoch index, or, with ``updates_per_epoch=n``, as an update index held
constant within each epoch (``t = k // n``). With ``t_in_epochs=False``, ``k`` is the update index
(``updates_per_epoch`` must then be left unset; convert epoch counts to updates as timm's factory
does).

LR noise (``noise_range_t``): for ``t`` in ``[lo, hi)`` (or ``t >= lo`` for a single number) the value is
multiplied by ``1 + n_t``. timm draws ``n_t`` from ``torch.Generator`` seeded with ``noise_seed + t`` and
resamples a normal until ``|n_t| < noise_pct``. Here ``n_t`` has the same distribution (a normal with
``noise_std`` truncated to ``(-noise_pct, noise_pct)``) and is also a pure function of
``(noise_seed, t)``, but the random stream is a counter-based integer hash (the same bits in JAX and
NumPy, so ``s(k)`` and ``s.numpy(k)`` agree) turned into a truncated normal by the inverse CDF: the
individual draws differ from torch's (:func:`jaxsched.lr_noise`). Goldens are therefore recorded with noise
off. ``noise_pct`` must be at most 1 here (the factor stays positive).

Every port lowers, once, to catalog pieces: the curve after the warmup (:func:`jaxsched.restarts` of a
cosine, tanh or polynomial cycle shape; :func:`jaxsched.step_decay`; :func:`jaxsched.multistep_decay`;
:func:`jaxsched.warmup_stable_decay`), joined after a linear warmup, times :func:`jaxsched.lr_noise`, with
the constructor's value joined in front and :func:`jaxsched.per_epoch` around it all.

``param_group_field``, ``initialize`` and per-group ``lr_scale`` belong to the optimizer side and are
dropped; the base learning rate is the explicit ``lr``.

timm's public helpers are kept with timm's values: ``get_cycle_length(cycles=0)`` (cosine, tanh, poly,
WSD), ``get_curr_decay_steps(t)`` (multi-step), and the attributes ``base_values`` (``[lr]``),
``warmup_steps`` (the per-group warmup increment, ``[1]`` without warmup) and ``noise_type``
(``"normal"``), besides every constructor argument under its own name. Lengths are in ``t`` units
(epochs with ``t_in_epochs=True``, whatever ``updates_per_epoch`` is). The stateful optimizer API
(``step``, ``step_update``, ``update_groups``, ``state_dict``, ``load_state_dict``, ``optimizer``,
``metric``) has no counterpart: a schedule is a pure function of the step.
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from jaxsched import _validate as v
from jaxsched import (
    clip,
    constant,
    inverse_sqrt,
    join,
    linear,
    lr_noise,
    multiply,
    multistep_decay,
    per_epoch,
    restarts,
    shift,
    step_decay,
    warmup_onto,
    warmup_stable_decay,
)
from jaxsched._core import Port, Schedule, _traced_step
from jaxsched._fields import (
    MAX_STEP,
    Real,
    Span,
    StepCount,
    flag,
    known,
    level,
    static,
    static_float,
    static_int,
    steps,
    steps_seq,
    value,
)
from jaxsched._validate import ScheduleArgumentAssertionError as Asserted
from jaxsched.schedules._cosine import check_peak_growth
from jaxsched.schedules._noise import integer_seed, noise
from jaxsched.schedules._restarts import cycles_end

__all__ = [
    "CosineLRScheduler",
    "MultiStepLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "TanhLRScheduler",
    "WSDLRScheduler",
    "noise",
]


# -- argument converters ------------------------------------------------------------------------------------


def _asserted(convert: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    """A static converter whose value refusals are timm's ``AssertionError`` (also a ``ValueError``)."""
    return lambda name, x: v.asserted(convert, name, x)


def _noise_range(name: str, x: Any) -> Any:
    """``noise_range_t``: ``None``, a start, or ``[start, end)``; whole steps >= 0, as a tuple."""
    if x is None:
        return None
    start = static_int(0)
    if isinstance(x, list | tuple):
        if len(x) != 2:
            raise v.ScheduleArgumentError(name, "must be [start, end) or a start", list(x))
        return tuple(start(f"{name}[{i}]", e) for i, e in enumerate(x))
    return start(name, x)


_PCT = static_float(minimum=0.0, maximum=1.0, min_open=True)
_STD = static_float(minimum=0.0, min_open=True)


# -- the common skeleton ------------------------------------------------------------------------------------


class EpochClockWarning(UserWarning):
    """A timm schedule built to count epochs, where optax's step (and ``jaxsched.current``) counts updates."""


class _Timm:
    """A mixin in front of :class:`~jaxsched._core.Port`: what the timm ports share: the time unit, the
    constructor's value at index 0, the warmup and the noise around each class's curve after the warmup
    (:meth:`_main`, in ``t`` units)."""

    noise_type: ClassVar[str] = "normal"
    """timm's ``noise_type``: its schedulers always draw normal noise."""

    if TYPE_CHECKING:  # the fields every timm port declares (in its own signature order)
        lr: Any
        warmup_t: int
        warmup_lr_init: Any
        warmup_prefix: bool
        t_in_epochs: bool
        noise_range_t: Any
        noise_pct: float
        noise_std: float
        noise_seed: int
        updates_per_epoch: int | None

    @property
    def base_values(self) -> list[Any]:
        """timm's ``base_values``: the base learning rate of each param group (here one, ``lr``)."""
        return [self.lr]

    @property
    def warmup_steps(self) -> list[Any]:
        """timm's ``warmup_steps``: the LR increment per ``t`` of the warmup (``[1]`` without one)."""
        if not self.warmup_t:
            return [1]
        return [(self._warm_target() - self.warmup_lr_init) / self.warmup_t]

    def __check_init__(self) -> None:
        if self.updates_per_epoch is not None and not self.t_in_epochs:
            raise v.ScheduleArgumentError(
                "updates_per_epoch",
                "only applies with t_in_epochs=True (t already counts updates)",
                self.updates_per_epoch,
            )

    def __call__(self, step: Any) -> Any:
        # A traced step is what optax feeds (its update count): loud when this port counts epochs.
        if self.t_in_epochs and self.updates_per_epoch is None and _traced_step(step):
            warnings.warn(
                f"compat.timm.{type(self).__name__} counts epochs (t_in_epochs=True) and is evaluated on a "
                "traced step, as optax does once per update: give updates_per_epoch=<batches per epoch> "
                "(or build it with create_scheduler_v2) unless the step fed is the epoch index",
                EpochClockWarning,
                stacklevel=2,
            )
        return super().__call__(step)  # type: ignore[misc]

    def _main(self) -> Schedule:
        """The curve from the end of the warmup on (seeing ``t - warmup_t`` with a prefix warmup)."""
        raise NotImplementedError

    def _warm_target(self) -> Any:
        return self.lr

    def _warmed(self, main: Schedule) -> Schedule:
        """A linear warmup to ``lr`` in front of the curve, or over it (it then jumps onto the curve)."""
        warm = linear(self.warmup_lr_init, self.lr, self.warmup_t)
        return join([warm, main if self.warmup_prefix else shift(main, -self.warmup_t)], [self.warmup_t])

    def lower(self) -> Schedule:
        main = self._main()
        body = self._warmed(main) if self.warmup_t else main
        r = self.noise_range_t
        if r is not None:
            start, end = r if isinstance(r, tuple) else (r, None)
            body = multiply(body, lr_noise(start, end, self.noise_pct, self.noise_std, self.noise_seed))
        # Index 0 runs with what the constructor wrote (no noise, not _get_lr(0)).
        first = constant(self.warmup_lr_init if self.warmup_t else self.lr)
        out = join([first, shift(body, -1)], [1])
        return out if self.updates_per_epoch is None else per_epoch(out, self.updates_per_epoch)


class _Cycles(_Timm):  # (a mixin, as _Timm)
    """The cyclic timm schedulers (cosine, tanh, poly): a cycle shape restarted by
    :func:`jaxsched.restarts` with timm's ``cycle_mul``, ``cycle_decay`` and ``cycle_limit``."""

    if TYPE_CHECKING:
        t_initial: int
        lr_min: Any
        cycle_mul: float
        cycle_decay: Any
        cycle_limit: int

    def __check_init__(self) -> None:
        if self.cycle_limit:
            check_peak_growth(self.lr, self.cycle_decay, self.cycle_limit, ("cycle_decay", "cycle_limit"))

    def _restarts(self, **kwargs: Any) -> Schedule:
        """:func:`jaxsched.restarts` with timm's cycles and the class's shape (``kwargs``)."""
        if not self.cycle_limit:  # timm: i < cycle_limit never holds, lr_min throughout
            return constant(self.lr_min)
        return restarts(
            self.lr, self.t_initial, self.cycle_mul, self.cycle_decay, self.lr_min, self.cycle_limit, **kwargs
        )

    def get_cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length``: the ``t`` at which ``cycles`` cycles (default ``cycle_limit``, at
        least 1) end, counting the warmup when it is a prefix (timm's ``floor`` of the geometric sum)."""
        t = cycles_end(self.t_initial, self.cycle_mul, max(1, cycles or self.cycle_limit))
        return t + self.warmup_t if self.warmup_prefix else t


class CosineLRScheduler(_Cycles, Port, name="compat.timm.CosineLRScheduler"):
    r"""timm ``CosineLRScheduler`` (counts epochs unless ``updates_per_epoch``): cosine with restarts.

    Cycle :math:`i` has length :math:`T_i = T_0 m^i` and peak :math:`\text{lr}\,\delta^i`; at position
    :math:`e` in it, for :math:`i <` ``cycle_limit``,

    .. math:: s = \text{lr\_min} + (\text{peak}_i - \text{lr\_min})\,
              \tfrac12\left(1 + \cos\left(\pi\,e^{k}/T_i^{k}\right)\right)

    and ``lr_min`` from the ``cycle_limit``-th cycle on (``cycle_limit=0``: ``lr_min`` throughout, as
    timm). It lowers to :func:`jaxsched.restarts` with the cosine shape. A warmup
    (``warmup_t > 0``) rises linearly from ``warmup_lr_init`` to ``lr``; without ``warmup_prefix`` it
    overlaps the curve, which then jumps to the already-decayed value at ``warmup_t`` (timm's behaviour).
    timm locates a cycle with a float ``log``, which can put an exact cycle start one cycle early; the port
    locates cycles from their exact starts. See the module docstring for ``t = 0``, units and noise.

    Args:
      lr: the base learning rate.
      t_initial: :math:`T_0 >= 1`.
      lr_min: the floor.
      cycle_mul: :math:`m >= 1`.
      cycle_decay: :math:`\delta`.
      cycle_limit: number of cycles before holding ``lr_min``.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.
      k_decay: :math:`k > 0` (arXiv 2004.05909).
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.CosineLRScheduler(1.0, t_initial=4, warmup_t=2, warmup_lr_init=0.1)
      >>> [round(float(s(k)), 4) for k in range(6)]
      [0.1, 0.55, 0.5, 0.1464, 0.0, 0.0]
    """

    lr: Real = level()
    t_initial: int = steps(minimum=1, static=True, refusal=Asserted)
    lr_min: Real = level(default=0.0, refusal=Asserted)
    cycle_mul: float = static(default=1.0, converter=static_float(minimum=1.0))
    cycle_decay: Real = value(default=1.0, minimum=0.0)
    cycle_limit: int = static(default=1, converter=static_int(0))
    warmup_t: int = steps(default=0, static=True)
    warmup_lr_init: Real = level(default=0.0)
    warmup_prefix: bool = flag(default=False)
    t_in_epochs: bool = flag(default=True)
    noise_range_t: Any = static(default=None, converter=_noise_range)
    noise_pct: float = static(default=0.67, converter=_PCT)
    noise_std: float = static(default=1.0, converter=_STD)
    noise_seed: int = static(default=42, converter=integer_seed)
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)
    updates_per_epoch: int | None = steps(default=None, minimum=1, static=True)

    examples = (
        {"lr": 0.1, "t_initial": 100, "lr_min": 1e-5, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {
            "lr": 0.1,
            "t_initial": 30,
            "lr_min": 1e-4,
            "cycle_mul": 2.0,
            "cycle_decay": 0.5,
            "cycle_limit": 3,
            "warmup_t": 3,
            "warmup_prefix": True,
            "k_decay": 1.5,
        },
        {
            "lr": 0.1,
            "t_initial": 20,
            "cycle_mul": 1.5,
            "cycle_decay": 0.7,
            "cycle_limit": 4,
            "warmup_t": 4,
            "warmup_prefix": False,
            "warmup_lr_init": 0.001,
        },
    )

    def _main(self) -> Schedule:
        return self._restarts(shape="cosine", k_decay=self.k_decay)


class TanhLRScheduler(_Cycles, Port, name="compat.timm.TanhLRScheduler"):
    r"""timm ``TanhLRScheduler`` (counts epochs unless ``updates_per_epoch``): tanh decay with cycles.

    The tanh schedule of arXiv 1806.01593. With :math:`r = e/T_i` inside cycle :math:`i` (cycles as
    :class:`CosineLRScheduler`),

    .. math:: s = \text{lr\_min} + (\text{peak}_i - \text{lr\_min})\,
              \tfrac12\left(1 - \tanh\left(lb\,(1 - r) + ub\,r\right)\right)

    It lowers to :func:`jaxsched.restarts` with the tanh shape. Unlike the cosine port,
    a non-prefix warmup rises to the curve's value at ``warmup_t`` (no jump), as timm does
    (:func:`jaxsched.warmup_onto`). At ``t = 0`` without warmup timm applies ``lr`` itself (not the tanh
    curve's :math:`\approx 0.999999\,\text{lr}`); so does this port. timm asserts its arguments: the
    port's refusals of them are ``AssertionError``\ s (and ``ValueError``\ s).

    Args:
      lr: the base learning rate.
      t_initial: :math:`T_0 >= 1`.
      lb: lower bound :math:`lb < ub`.
      ub: upper bound.
      lr_min: the floor.
      cycle_mul: :math:`m >= 1`.
      cycle_decay: peak factor per cycle.
      cycle_limit: number of cycles before holding ``lr_min``.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.TanhLRScheduler(1.0, t_initial=10)
      >>> [round(float(s(k)), 4) for k in (0, 1, 7, 10)]
      [1.0, 1.0, 0.5, 0.0]
    """

    lr: Real = level()
    t_initial: int = steps(minimum=1, static=True, refusal=Asserted)
    lb: Real = value(default=-7.0, refusal=Asserted)
    ub: Real = value(default=3.0, refusal=Asserted)
    lr_min: Real = level(default=0.0, refusal=Asserted)
    cycle_mul: float = static(default=1.0, converter=static_float(minimum=1.0))
    cycle_decay: Real = value(default=1.0, minimum=0.0)
    cycle_limit: int = static(default=1, converter=_asserted(static_int(0)))
    warmup_t: int = steps(default=0, static=True, refusal=Asserted)
    warmup_lr_init: Real = level(default=0.0, refusal=Asserted)
    warmup_prefix: bool = flag(default=False)
    t_in_epochs: bool = flag(default=True)
    noise_range_t: Any = static(default=None, converter=_noise_range)
    noise_pct: float = static(default=0.67, converter=_PCT)
    noise_std: float = static(default=1.0, converter=_STD)
    noise_seed: int = static(default=42, converter=integer_seed)
    updates_per_epoch: int | None = steps(default=None, minimum=1, static=True)

    examples = (
        {"lr": 0.1, "t_initial": 100, "lr_min": 1e-5, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {
            "lr": 0.1,
            "t_initial": 20,
            "cycle_mul": 1.5,
            "cycle_decay": 0.8,
            "cycle_limit": 3,
            "warmup_t": 4,
            "warmup_prefix": True,
        },
    )

    def __check_init__(self) -> None:
        v.asserted(v.less, "lb", self.lb, "ub", self.ub)

    def _main(self) -> Schedule:
        return self._restarts(shape="tanh", lower=self.lb, upper=self.ub)

    def _warm_target(self) -> Any:
        if self.warmup_prefix:
            return self.lr
        return float(self._main().numpy(self.warmup_t))  # timm's _get_lr(warmup_t)

    def _warmed(self, main: Schedule) -> Schedule:
        if self.warmup_prefix:
            return super()._warmed(main)
        return warmup_onto(main, self.warmup_t, self.warmup_lr_init)


class PolyLRScheduler(_Cycles, Port, name="compat.timm.PolyLRScheduler"):
    r"""timm ``PolyLRScheduler`` (counts epochs unless ``updates_per_epoch``): polynomial decay with cycles.

    .. math:: s = \text{lr\_min} + (\text{peak}_i - \text{lr\_min})\left(1 - e^{k}/T_i^{k}\right)^{p}

    inside cycle :math:`i` (cycles, warmup, ``t = 0``, units and noise as :class:`CosineLRScheduler`). It
    lowers to :func:`jaxsched.restarts` with the polynomial shape. ``power = 0`` (timm: ``lr`` for the
    whole cycle) is refused: the catalog's polynomial fall needs :math:`p > 0`.

    Args:
      lr: the base learning rate.
      t_initial: :math:`T_0 >= 1`.
      power: :math:`p > 0` (timm's default 0.5).
      lr_min: the floor.
      cycle_mul: :math:`m >= 1`.
      cycle_decay: peak factor per cycle.
      cycle_limit: number of cycles before holding ``lr_min``.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.
      k_decay: :math:`k > 0`.
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.PolyLRScheduler(1.0, t_initial=4, power=1.0)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    lr: Real = level()
    t_initial: int = steps(minimum=1, static=True, refusal=Asserted)
    power: Real = value(default=0.5, minimum=0.0, min_open=True)
    lr_min: Real = level(default=0.0, refusal=Asserted)
    cycle_mul: float = static(default=1.0, converter=static_float(minimum=1.0))
    cycle_decay: Real = value(default=1.0, minimum=0.0)
    cycle_limit: int = static(default=1, converter=static_int(0))
    warmup_t: int = steps(default=0, static=True)
    warmup_lr_init: Real = level(default=0.0)
    warmup_prefix: bool = flag(default=False)
    t_in_epochs: bool = flag(default=True)
    noise_range_t: Any = static(default=None, converter=_noise_range)
    noise_pct: float = static(default=0.67, converter=_PCT)
    noise_std: float = static(default=1.0, converter=_STD)
    noise_seed: int = static(default=42, converter=integer_seed)
    k_decay: Real = value(default=1.0, minimum=0.0, min_open=True)
    updates_per_epoch: int | None = steps(default=None, minimum=1, static=True)

    examples = (
        {"lr": 0.1, "t_initial": 100, "power": 0.5, "lr_min": 1e-5, "warmup_t": 5},
        {"lr": 0.1, "t_initial": 25, "power": 2.0, "cycle_limit": 2, "cycle_decay": 0.5, "k_decay": 0.7},
    )

    def _main(self) -> Schedule:
        return self._restarts(shape="polynomial", power=self.power, k_decay=self.k_decay)


class StepLRScheduler(_Timm, Port, name="compat.timm.StepLRScheduler"):
    r"""timm ``StepLRScheduler`` (counts epochs unless ``updates_per_epoch``): decay every ``decay_t``.

    .. math:: s = \text{lr}\cdot\text{decay\_rate}^{\lfloor t'/\text{decay\_t} \rfloor}

    with :math:`t' = t - W` (``warmup_prefix=True`` is timm's default here) or :math:`t`. It lowers to
    :func:`jaxsched.step_decay`. A ``decay_rate`` above 1 (a value growing without bound) is refused.

    Args:
      lr: the base learning rate.
      decay_t: the period :math:`\ge 1` (may be fractional, as timm's ``float`` annotation).
      decay_rate: the factor, in ``[0, 1]``.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.StepLRScheduler(1.0, decay_t=2, decay_rate=0.5)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    lr: Real = level()
    decay_t: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(default=1.0, minimum=0.0, maximum=1.0)
    warmup_t: int = steps(default=0, static=True)
    warmup_lr_init: Real = level(default=0.0)
    warmup_prefix: bool = flag(default=True)
    t_in_epochs: bool = flag(default=True)
    noise_range_t: Any = static(default=None, converter=_noise_range)
    noise_pct: float = static(default=0.67, converter=_PCT)
    noise_std: float = static(default=1.0, converter=_STD)
    noise_seed: int = static(default=42, converter=integer_seed)
    updates_per_epoch: int | None = steps(default=None, minimum=1, static=True)

    examples = ({"lr": 0.1, "decay_t": 30, "decay_rate": 0.1, "warmup_t": 3, "warmup_lr_init": 1e-3},)

    def _main(self) -> Schedule:
        return step_decay(self.lr, self.decay_t, self.decay_rate)


class MultiStepLRScheduler(_Timm, Port, name="compat.timm.MultiStepLRScheduler"):
    r"""timm ``MultiStepLRScheduler`` (counts epochs unless ``updates_per_epoch``): decay at milestones.

    .. math:: s = \text{lr}\cdot\text{decay\_rate}^{\#\{m \in \text{decay\_t}:\ m \le t' + 1\}}

    timm counts with ``bisect_right(decay_t, t + 1)``, so milestone :math:`m` applies from
    :math:`t' = m - 1` (one earlier than torch's ``MultiStepLR``), on purpose (timm #2745): the port is
    :func:`jaxsched.multistep_decay` shifted one step earlier. ``decay_t`` must be sorted, as timm assumes.

    Args:
      lr: the base learning rate.
      decay_t: sorted milestones.
      decay_rate: the factor.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.MultiStepLRScheduler(1.0, decay_t=[3, 5], decay_rate=0.5)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    lr: Real = level()
    decay_t: tuple[StepCount, ...] = steps_seq()
    decay_rate: Real = value(default=1.0, minimum=0.0)
    warmup_t: int = steps(default=0, static=True)
    warmup_lr_init: Real = level(default=0.0)
    warmup_prefix: bool = flag(default=True)
    t_in_epochs: bool = flag(default=True)
    noise_range_t: Any = static(default=None, converter=_noise_range)
    noise_pct: float = static(default=0.67, converter=_PCT)
    noise_std: float = static(default=1.0, converter=_STD)
    noise_seed: int = static(default=42, converter=integer_seed)
    updates_per_epoch: int | None = steps(default=None, minimum=1, static=True)

    examples = ({"lr": 0.1, "decay_t": [30, 60, 80], "decay_rate": 0.1, "warmup_t": 2},)

    def __check_init__(self) -> None:
        v.sorted_steps("decay_t", self.decay_t)

    def get_curr_decay_steps(self, t: int) -> int:
        """timm's ``get_curr_decay_steps``: how many milestones apply at (post-warmup) ``t``, i.e. those
        ``<= t + 1``."""
        return bisect.bisect_right(self.decay_t, t + 1)

    def _main(self) -> Schedule:
        return shift(multistep_decay(self.lr, self.decay_t, self.decay_rate), -1)


_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def _timm_error(argument: str, message: str, value: Any) -> v.ScheduleArgumentError:
    """A construction error with timm's own message (timm raises ``ValueError`` for these)."""
    return v.ScheduleArgumentError(argument, message, value, show_value=False)


def _one_of(options: tuple[str, ...], extra: str = "") -> Callable[[str, Any], Any]:
    """A static converter to one of ``options`` with timm's message (a ``ValueError``; a callable
    ``decay_fn`` is a ``TypeError``: no formula JAX can trace)."""

    def convert(name: str, x: Any) -> Any:
        if callable(x):
            raise v.ScheduleArgumentTypeError(
                name,
                f"one of {list(options[:4])} (an arbitrary Python function has no formula that JAX "
                "can trace)",
                x,
            )
        if not isinstance(x, str) or x not in options:
            raise _timm_error(name, f"Invalid {name} ({x}), must be one of {options}{extra}.", x)
        return x

    return convert


def _positive_float(name: str, x: Any) -> Any:
    """A static power ``> 0`` with timm's message."""
    f = static_float()(name, x)
    if f <= 0:
        raise _timm_error(name, f"Invalid {name} ({f}), must be > 0.", f)
    return f


class WSDLRScheduler(_Timm, Port, name="compat.timm.WSDLRScheduler"):
    r"""timm ``WSDLRScheduler`` (counts epochs unless ``updates_per_epoch``): warmup, stable, decay.

    timm >= 1.0.31. With :math:`W` = ``warmup_t``, :math:`T` = ``t_initial`` (stable + decay, after the
    warmup, which is always a prefix), :math:`D` = ``decay_t``, :math:`t_s = t - W` and the decay progress
    :math:`f = \min\left(\max(t_s - (T - D), 0)/D,\ 1\right)`:

    .. math::
        s(t) = \begin{cases} \text{warmup\_lr\_init} + (\text{lr} - \text{warmup\_lr\_init})\,t/W & t < W\\
        \text{lr\_min} + \left(\max(\text{lr}\,g(t_s), \text{lr\_min}) - \text{lr\_min}\right) d(f)
        & t \ge W \end{cases}

    with the stable factor :math:`g` = 1 (``"constant"``) or :math:`(1 + t_s/\tau)^{-1/2}` (``"rsqrt"``,
    :math:`\tau` = ``stable_timescale``, default :math:`W`), and the decay :math:`d(f)` = :math:`1 - f`
    (``"linear"``), :math:`1 - \sqrt f` (``"1-sqrt"``, timm's default) or
    :math:`\tfrac12(1 + \cos \pi f)` (``"cosine"``); ``"power"`` with ``stable_power``/``decay_power``
    0.5 or 1 is the same as those. ``lr_min`` is reached at :math:`t = W + T` (``get_cycle_length()``)
    and held. The port lowers to catalog pieces: a linear warmup joined with
    :func:`jaxsched.warmup_stable_decay` (kept at or above ``lr_min`` by :func:`jaxsched.clip`, as timm
    keeps the stable value there), or, for ``"rsqrt"``, its product with :func:`jaxsched.inverse_sqrt`.

    Refused (no catalog piece yet; timm accepts them): ``decay_fn="exp"`` and other ``decay_power``
    values, other ``stable_power`` values, ``"rsqrt"`` with ``lr_min > 0``, and a callable ``decay_fn``.
    Index 0, units, ``updates_per_epoch`` and noise are as in the module docstring; timm's checks
    (``ValueError``, timm's messages) are reproduced at construction.

    Args:
      lr: the base learning rate (>= 0).
      t_initial: :math:`T >= 1`, the length of the stable and decay phases.
      decay_t: :math:`D`, with :math:`0 < D \le T`.
      lr_min: the final value (>= 0).
      stable_fn: ``"constant"``, ``"rsqrt"`` or ``"power"``.
      stable_timescale: :math:`\tau > 0` of ``"rsqrt"``/``"power"`` (default ``warmup_t``).
      stable_power: exponent of ``"power"`` (0.5 supported).
      decay_fn: ``"linear"``, ``"1-sqrt"``, ``"cosine"`` or ``"power"``.
      decay_power: exponent of ``"power"`` (0.5 or 1 supported).
      decay_ratio: the ``"exp"`` decay's ratio, in (0, 1) (checked as timm does; ``"exp"`` is refused).
      warmup_t: linear warmup length :math:`W >= 0` (in ``t`` units), a prefix.
      warmup_lr_init: value at ``t = 0`` of the warmup.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.WSDLRScheduler(1.0, t_initial=8, decay_t=4, warmup_t=2, decay_fn="linear")
      >>> [float(s(k)) for k in range(12)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
      >>> s.get_cycle_length()
      10
    """

    lr: Real = level()
    t_initial: StepCount = steps(minimum=-MAX_STEP)
    decay_t: StepCount = steps(minimum=-MAX_STEP)
    lr_min: Real = value(default=0.0)
    stable_fn: str = static(default="constant", converter=_one_of(_STABLE_FNS))
    stable_timescale: Real | None = value(default=None)
    stable_power: float = static(default=0.5, converter=_positive_float)
    decay_fn: str = static(default="1-sqrt", converter=_one_of(_DECAY_FNS, " or a callable"))
    decay_power: float = static(default=0.5, converter=_positive_float)
    decay_ratio: Real = value(default=0.1)
    warmup_t: int = steps(default=0, static=True)
    warmup_lr_init: Real = level(default=0.0)
    t_in_epochs: bool = flag(default=True)
    noise_range_t: Any = static(default=None, converter=_noise_range)
    noise_pct: float = static(default=0.67, converter=_PCT)
    noise_std: float = static(default=1.0, converter=_STD)
    noise_seed: int = static(default=42, converter=integer_seed)
    updates_per_epoch: int | None = steps(default=None, minimum=1, static=True)

    warmup_prefix: bool = static(default=True, init=False)
    """timm's WSD warmup is always a prefix of ``t_initial`` (not an argument)."""

    examples = (
        {"lr": 0.1, "t_initial": 100, "decay_t": 20, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {"lr": 0.1, "t_initial": 60, "decay_t": 15, "lr_min": 1e-3, "decay_fn": "cosine", "warmup_t": 3},
        {
            "lr": 0.1,
            "t_initial": 80,
            "decay_t": 30,
            "stable_fn": "rsqrt",
            "decay_fn": "linear",
            "warmup_t": 10,
        },
    )

    def __check_init__(self) -> None:
        T, D = self.t_initial, self.decay_t
        if known(T) and T <= 0:
            raise _timm_error("t_initial", f"Invalid t_initial ({T}), must be > 0.", T)
        if known(T, D) and not 0 < D <= T:
            raise _timm_error(
                "decay_t", f"Invalid decay_t ({D}), must be in (0, t_initial] w/ t_initial={T}.", D
            )
        if known(self.lr_min) and self.lr_min < 0:
            raise _timm_error("lr_min", f"Invalid lr_min ({self.lr_min}), must be >= 0.", self.lr_min)
        ratio = self.decay_ratio
        if known(ratio) and not 0 < ratio < 1:
            raise _timm_error("decay_ratio", f"Invalid decay_ratio ({ratio}), must be in (0, 1).", ratio)
        if self.stable_fn != "constant":
            if self.stable_timescale is None:  # timm's default, stored as timm stores it
                self._set("stable_timescale", float(self.warmup_t))
            tau = self.stable_timescale
            if tau is not None and known(tau) and tau <= 0:
                raise _timm_error(
                    "stable_timescale",
                    f"stable_fn={self.stable_fn} requires a positive stable_timescale, "
                    f"it defaults to warmup_t ({self.warmup_t}), set it explicitly when there is no warmup.",
                    tau,
                )
        # What has no catalog piece yet (timm accepts these).
        if self._decay_shape() is None:
            what = (
                "decay_fn='exp'"
                if self.decay_fn == "exp"
                else f"decay_fn='power' with decay_power={self.decay_power}"
            )
            raise v.ScheduleArgumentError(
                "decay_fn",
                f"{what} is not ported (no catalog decay shape for it yet); decay_fn='linear', "
                "'1-sqrt', 'cosine' and 'power' with decay_power 0.5 or 1 are",
                self.decay_fn,
                show_value=False,
            )
        if self.stable_fn == "power" and self.stable_power != 0.5:
            raise v.ScheduleArgumentError(
                "stable_power",
                "stable_fn='power' is ported only with stable_power=0.5 (= 'rsqrt'; no "
                "catalog piece for other exponents yet)",
                self.stable_power,
            )
        if self.stable_fn != "constant" and not (known(self.lr_min) and self.lr_min == 0):
            raise v.ScheduleArgumentError(
                "lr_min",
                f"stable_fn={self.stable_fn!r} is ported only with lr_min=0 (its floor and affine "
                "decay have no catalog piece yet)",
                self.lr_min,
            )

    def _decay_shape(self) -> str | None:
        if self.decay_fn in ("linear", "1-sqrt", "cosine"):
            return self.decay_fn
        if self.decay_fn == "power":
            return {0.5: "1-sqrt", 1.0: "linear"}.get(self.decay_power)
        return None

    def get_cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length``: ``warmup_t + t_initial``, where ``lr_min`` is reached (``cycles``
        is ignored, as timm does)."""
        del cycles
        return int(self.warmup_t) + int(self.t_initial)

    def _main(self) -> Schedule:
        shape = self._decay_shape()
        assert shape is not None  # the others are refused at construction
        T, D = self.t_initial, self.decay_t
        if self.stable_fn == "constant":  # timm keeps the stable value at or above lr_min
            wsd = warmup_stable_decay(
                self.lr, 0, T, D, init_value=self.lr, end_value=self.lr_min, decay_shape=shape
            )
            return clip(wsd, min_value=self.lr_min)
        factor = warmup_stable_decay(1.0, 0, T, D, init_value=1.0, end_value=0.0, decay_shape=shape)
        return multiply(inverse_sqrt(self.lr, 0, timescale=self.stable_timescale), factor)


# -- metric-driven: PlateauLRScheduler (an optax transformation, not a Schedule) ---------------------------


def PlateauLRScheduler(
    lr: float,
    decay_rate: float = 0.1,
    patience_t: int = 10,
    threshold: float = 1e-4,
    cooldown_t: int = 0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    lr_min: float = 0.0,
    mode: str = "max",
    noise_range_t: Any = None,
    noise_type: str = "normal",
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int | None = None,
    *,
    steps_per_epoch: int | None = None,
    accumulation_size: int = 1,
) -> Any:
    r"""timm ``PlateauLRScheduler`` as an optax transformation (metric-driven, so not a Schedule).

    timm's loop calls ``step(epoch + 1, metric)`` after each epoch. The :math:`e`-th step of the rule here
    (``e = 1, 2, ...``) is that call with ``epoch = e``: for :math:`e \le` ``warmup_t`` the LR is

    .. math:: \text{warmup\_lr\_init} + e\,\frac{\text{lr} - \text{warmup\_lr\_init}}{\text{warmup\_t}}

    (the metric is ignored), after that torch's reduce-on-plateau rule with ``factor=decay_rate``,
    ``patience=patience_t``, ``cooldown=cooldown_t``, ``min_lr=lr_min``, a relative ``threshold`` and
    ``eps=1e-8`` (see :func:`jaxsched.reduce_on_plateau`). Before the first step the LR is
    ``warmup_lr_init`` with a warmup, else ``lr``. Note timm's default ``mode="max"`` (an accuracy).

    ``update(updates, state, params, value=metric)`` multiplies the updates by ``state.scale =
    state.lr / lr``: chain it after an optimizer with ``learning_rate=lr``. With ``steps_per_epoch=n`` (the
    way to use it with per-update ``update`` calls) the rule steps on the first update of each epoch after
    the first, with the metric passed there (pass the last epoch's validation metric on every update); with
    ``accumulation_size=n`` it steps with the mean of every ``n`` values. Without either, every ``update``
    is one epoch. ``torch_bridge.PlateauLRScheduler`` is the torch side; both equal timm's class for the
    same metrics. LR noise is refused (timm draws it from torch's generator).

    Args:
      lr: the base learning rate.
      decay_rate, patience_t, threshold, cooldown_t, warmup_t, warmup_lr_init, lr_min, mode: as timm.
      noise_range_t: must be ``None``; noise_type, noise_pct, noise_std, noise_seed: accepted, unused.
      steps_per_epoch: gate the rule to epoch boundaries (see above).
      accumulation_size: values averaged per step of the rule.

    Returns:
      An ``optax.GradientTransformationExtraArgs`` (state: :class:`jaxsched.PlateauState`).

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxsched.compat import timm
      >>> tx = timm.PlateauLRScheduler(0.1, decay_rate=0.5, patience_t=0, warmup_t=2)
      >>> state = tx.init(jnp.zeros(1))
      >>> lrs = [round(float(state.lr), 6)]
      >>> for acc in [0.5, 0.6, 0.7, 0.6]:
      ...     _, state = tx.update(jnp.ones(1), state, value=acc)
      ...     lrs.append(round(float(state.lr), 6))
      >>> lrs
      [0.0, 0.05, 0.1, 0.1, 0.05]
    """
    from jaxsched._plateau import timm_plateau

    if noise_range_t is not None:
        raise v.ScheduleArgumentError(
            "noise_range_t",
            "LR noise is not reproduced by the plateau port (timm draws it from torch's "
            "generator); leave it None",
            noise_range_t,
        )
    if noise_type not in ("normal", "uniform"):
        raise v.ScheduleArgumentError("noise_type", "must be 'normal' or 'uniform'", noise_type)
    return timm_plateau(
        lr,
        decay_rate=decay_rate,
        patience_t=patience_t,
        threshold=threshold,
        cooldown_t=cooldown_t,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        lr_min=lr_min,
        mode=mode,
        accumulation_size=accumulation_size,
        steps_per_epoch=steps_per_epoch,
    )


__all__ += ["PlateauLRScheduler"]


# -- timm's factory -----------------------------------------------------------------------------------------


def create_scheduler_v2(
    lr: float,
    sched: str = "cosine",
    num_epochs: int = 300,
    decay_epochs: float | None = None,
    decay_milestones: tuple[int, ...] | list[int] = (90, 180, 270),
    cooldown_epochs: int = 0,
    patience_epochs: int = 10,
    decay_rate: float = 0.1,
    min_lr: float = 0.0,
    warmup_lr: float = 1e-5,
    warmup_epochs: int = 0,
    warmup_prefix: bool = False,
    noise: float | list[float] | None = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    cycle_mul: float = 1.0,
    cycle_decay: float = 0.1,
    cycle_limit: int = 1,
    k_decay: float = 1.0,
    decay_fn: str | None = None,
    stable_timescale: float | None = None,
    plateau_mode: str = "max",
    step_on_epochs: bool = True,
    updates_per_epoch: int = 0,
) -> tuple[Any, int]:
    r"""Per-update schedules from timm's ``create_scheduler_v2`` arguments: ``(schedule, num_epochs)``.

    The same arguments as timm's factory (the optimizer replaced by its base ``lr``), building the same
    scheduler class with the same values, and timm's total ``num_epochs`` (cycles, warmup prefix and
    cooldown included). What differs is the clock: an optax step counts **updates**, so give
    ``updates_per_epoch`` (the number of batches per epoch). Then:

    - ``step_on_epochs=True`` (timm's default): the value changes once per epoch, as in timm's epoch loop,
      and ``s(k)`` holds the value of epoch :math:`\lfloor k / \text{updates\_per\_epoch} \rfloor` during
      its updates;
    - ``step_on_epochs=False``: timm's per-update schedule: every length is multiplied by
      ``updates_per_epoch`` (as timm does) and ``s(k)`` is the value of update ``k``.

    With ``updates_per_epoch=0`` and ``step_on_epochs=True`` the schedule counts epochs, as timm's class
    does: an :class:`EpochClockWarning` says so (feeding it optax's update count would run a 300-epoch
    recipe over 300 updates). ``sched="plateau"`` gives the metric-driven :func:`PlateauLRScheduler` (an
    optax transformation), ``sched="none"`` gives ``None``.

    The other arguments (``sched``, ``num_epochs``, ``decay_epochs``, ``decay_milestones``,
    ``cooldown_epochs``, ``patience_epochs``, ``decay_rate``, ``min_lr``, ``warmup_lr``, ``warmup_epochs``,
    ``warmup_prefix``, ``noise``, ``noise_pct``, ``noise_std``, ``noise_seed``, ``cycle_mul``,
    ``cycle_decay``, ``cycle_limit``, ``k_decay``, ``decay_fn``, ``stable_timescale``, ``plateau_mode``,
    ``step_on_epochs``, ``updates_per_epoch``) are timm's ``create_scheduler_v2`` arguments.

    Args:
      lr: the base learning rate (timm's optimizer LR).

    Returns:
      ``(schedule, num_epochs)``: a :class:`~jaxsched.Schedule` counting updates (see above), and the number
      of epochs to train.

    Example:
      >>> from jaxsched.compat import timm
      >>> s, epochs = timm.create_scheduler_v2(0.1, "cosine", num_epochs=300, warmup_epochs=5,
      ...                                      updates_per_epoch=100)
      >>> epochs, round(float(s.numpy(300 * 100 - 1)), 8), round(float(s.numpy(150 * 100)), 6)
      (300, 2.74e-06, 0.05)
    """
    import warnings

    if decay_epochs is None:
        decay_epochs = 0.2 if sched in ("wsd", "rsqrt") else 90
    if updates_per_epoch < 0 or isinstance(updates_per_epoch, bool):
        raise v.ScheduleArgumentError("updates_per_epoch", "must be >= 0", updates_per_epoch)
    if not step_on_epochs and updates_per_epoch <= 0:
        raise v.ScheduleArgumentAssertionError(
            "updates_per_epoch",
            "must be set to the number of batches per epoch with step_on_epochs=False",
            updates_per_epoch,
        )
    n = updates_per_epoch
    scale = 1 if step_on_epochs else n
    t_initial, warmup_t, decay_t, cooldown_t = (
        num_epochs * scale,
        warmup_epochs * scale,
        decay_epochs * scale,
        cooldown_epochs * scale,
    )
    milestones = [d * scale for d in decay_milestones]
    timescale_t = None if stable_timescale is None else stable_timescale * scale
    clock: dict[str, Any] = {"t_in_epochs": step_on_epochs}
    if step_on_epochs and n:
        clock["updates_per_epoch"] = n
    elif step_on_epochs and sched not in ("none", "plateau"):
        warnings.warn(
            "create_scheduler_v2: with step_on_epochs=True and no updates_per_epoch the schedule counts "
            "epochs, but optax's step counts updates: pass updates_per_epoch=<batches per epoch>",
            EpochClockWarning,
            stacklevel=2,
        )
    noise_range: Any
    if noise is None:
        noise_range = None
    elif isinstance(noise, list | tuple):
        noise_range = [x * t_initial for x in noise]
        noise_range = noise_range[0] if len(noise_range) == 1 else noise_range
    else:
        noise_range = noise * t_initial
    warm: dict[str, Any] = {"warmup_lr_init": warmup_lr, "warmup_t": warmup_t, "warmup_prefix": warmup_prefix}
    noisy: dict[str, Any] = {
        "noise_range_t": noise_range,
        "noise_pct": noise_pct,
        "noise_std": noise_std,
        "noise_seed": noise_seed,
    }
    cycles: dict[str, Any] = {"cycle_mul": cycle_mul, "cycle_decay": cycle_decay, "cycle_limit": cycle_limit}
    out: Any
    if sched == "cosine":
        out = CosineLRScheduler(
            lr, t_initial, lr_min=min_lr, **cycles, **warm, **noisy, k_decay=k_decay, **clock
        )
    elif sched == "tanh":
        out = TanhLRScheduler(lr, t_initial, lr_min=min_lr, **cycles, **warm, **noisy, **clock)
    elif sched in ("step", "constant"):
        size, rate = (decay_t, decay_rate) if sched == "step" else (1, 1.0)
        out = StepLRScheduler(lr, size, decay_rate=rate, **warm, **noisy, **clock)
    elif sched == "multistep":
        out = MultiStepLRScheduler(lr, tuple(milestones), decay_rate=decay_rate, **warm, **noisy, **clock)
    elif sched == "plateau":
        if not step_on_epochs:
            raise v.ScheduleArgumentAssertionError(
                "step_on_epochs", "Plateau LR only supports step per epoch", step_on_epochs
            )
        out = PlateauLRScheduler(
            lr,
            decay_rate=decay_rate,
            patience_t=patience_epochs,
            cooldown_t=0,
            warmup_t=warmup_t,
            warmup_lr_init=warmup_lr,
            lr_min=min_lr,
            mode=plateau_mode,
            steps_per_epoch=n or None,
        )
    elif sched == "poly":
        out = PolyLRScheduler(
            lr,
            t_initial,
            power=decay_rate,
            lr_min=min_lr,
            k_decay=k_decay,
            **cycles,
            **warm,
            **noisy,
            **clock,
        )
    elif sched in ("wsd", "rsqrt"):
        t_sched = t_initial if warmup_prefix else t_initial - warmup_t
        if 0 < decay_epochs < 1:
            decay_t = decay_epochs * t_sched
        decay_t = round(decay_t)
        if not 0 < decay_t <= t_sched:
            raise v.ScheduleArgumentError(
                "decay_epochs",
                f"{sched} needs 0 < decay_epochs <= epochs"
                f"{'' if warmup_prefix else ' - warmup_epochs'} (decay {decay_t}, stable + decay {t_sched})",
                decay_epochs,
            )
        out = WSDLRScheduler(
            lr,
            t_sched,
            decay_t,
            lr_min=min_lr,
            stable_fn="rsqrt" if sched == "rsqrt" else "constant",
            stable_timescale=timescale_t,
            decay_fn=decay_fn or ("linear" if sched == "rsqrt" else "1-sqrt"),
            warmup_t=warmup_t,
            warmup_lr_init=warmup_lr,
            **noisy,
            **clock,
        )
    elif sched == "none":
        out = None
    else:
        raise v.ScheduleArgumentError("sched", "unknown scheduler", sched)
    if hasattr(out, "get_cycle_length"):
        total = out.get_cycle_length() + cooldown_t
        num_epochs = total if step_on_epochs else total // n
    elif warmup_prefix:
        num_epochs += warmup_epochs
    return out, num_epochs


__all__ += ["EpochClockWarning", "create_scheduler_v2"]
