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
individual draws differ from torch's. Goldens are therefore recorded with noise off.

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
import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from jaxsched import _validate as v
from jaxsched._combinators import Join, Multiply
from jaxsched._core import Schedule, static
from jaxsched._numerics import Array, Backend, Steps, geometric_cycles, numpy_backend
from jaxsched.schedules._basic import Linear, MultistepDecay
from jaxsched.schedules._cosine import TanhDecay, cosine_factor
from jaxsched.schedules._transformer import InverseSqrt
from jaxsched.schedules._warmup import linear_warmup
from jaxsched.schedules._wsd import WarmupStableDecay

__all__ = ["CosineLRScheduler", "MultiStepLRScheduler", "PolyLRScheduler", "StepLRScheduler",
           "TanhLRScheduler", "WSDLRScheduler", "noise"]

# -- noise: a counter-based hash both backends compute bit for bit ----------------------------------------

_M1, _M2 = 0x7FEB352D, 0x846CA68B  # "lowbias32" multipliers (Wellons' integer hash)


def _mix(bk: Backend, x: Array) -> Array:
    xp = bk.xp
    u32 = xp.uint32
    x = x ^ (x >> u32(16))
    x = x * u32(_M1)
    x = x ^ (x >> u32(15))
    x = x * u32(_M2)
    return x ^ (x >> u32(16))


def _erfinv(bk: Backend, x: Array) -> Array:
    """Inverse error function on (-1, 1) (Giles 2010, single-precision coefficients, rel. error ~4e-7)."""
    xp = bk.xp
    w = -xp.log((1.0 - x) * (1.0 + x))
    a = w - 2.5
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p1 = c + p1 * a
    b = xp.sqrt(xp.maximum(w, 5.0)) - 3.0
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p2 = c + p2 * b
    return xp.where(w < 5.0, p1, p2) * x


def noise(bk: Backend, t: Steps, seed: int, pct: float, std: float) -> Array:
    r"""timm's LR noise :math:`n_t`: a normal(0, ``std``) truncated to ``(-pct, pct)``, pure in (seed, t).

    A uniform :math:`u \in (0, 1)` comes from the 32-bit hash of ``(seed, t)`` (24 bits, exact in
    float32), and :math:`n_t = \sqrt 2\,\sigma\,\operatorname{erfinv}\left((2u - 1)\,
    \operatorname{erf}(\text{pct}/(\sqrt 2 \sigma))\right)`.
    """
    xp = bk.xp
    with np.errstate(over="ignore"):
        key = _mix(bk, xp.asarray(np.uint32(seed % 2**32)))
        h = _mix(bk, xp.asarray(t.n).astype(xp.uint32) ^ key)
    u = (bk.to_float(h >> xp.uint32(8)) + 0.5) * 2.0**-24
    edge = math.erf(pct / (math.sqrt(2.0) * std))
    return math.sqrt(2.0) * std * _erfinv(bk, (2.0 * u - 1.0) * edge)


# -- the common skeleton ------------------------------------------------------------------------------------


class _Timm:
    """Evaluation shared by the timm ports (a mixin before :class:`Schedule`): time unit, initial
    value, warmup, noise, cycles."""

    if TYPE_CHECKING:  # the fields every port declares (cycle ones only on the cyclic ports)
        lr: Any
        warmup_t: Any
        warmup_lr_init: Any
        warmup_prefix: bool
        t_in_epochs: bool
        noise_range_t: Any
        noise_pct: float
        noise_std: float
        noise_seed: int
        updates_per_epoch: int | None
        t_initial: Any
        lr_min: Any
        cycle_mul: float
        cycle_decay: Any
        cycle_limit: int

        def _set(self, name: str, value: Any) -> None: ...

    noise_type: ClassVar[str] = "normal"
    """timm's ``noise_type``: its schedulers always draw normal noise."""

    @property
    def base_values(self) -> list[Any]:
        """timm's ``base_values``: the base learning rate of each param group (here one, ``lr``)."""
        return [self.lr]

    @property
    def warmup_steps(self) -> list[float]:
        """timm's ``warmup_steps``: the LR increment per ``t`` of the warmup (``[1]`` without one)."""
        W = self.warmup_t
        if not W:
            return [1]
        target = float(np.asarray(self._warm_target(numpy_backend())))
        return [(target - float(self.warmup_lr_init)) / W]

    def _check_common(self) -> None:
        v.number("lr", self.lr)
        self._set("warmup_t", v.steps("warmup_t", self.warmup_t))
        v.nonnegative("warmup_lr_init", self.warmup_lr_init)
        v.boolean("warmup_prefix", self.warmup_prefix)
        v.boolean("t_in_epochs", self.t_in_epochs)
        if self.updates_per_epoch is not None:
            if not self.t_in_epochs:
                raise v.ScheduleArgumentError(
                    "updates_per_epoch", "only applies with t_in_epochs=True (t already counts "
                    "updates)", self.updates_per_epoch)
            self._set("updates_per_epoch",
                      v.integer("updates_per_epoch", self.updates_per_epoch, minimum=1))
        r = self.noise_range_t
        if r is not None:
            if isinstance(r, list | tuple):
                r = tuple(v.integer(f"noise_range_t[{i}]", x, minimum=0) for i, x in enumerate(r))
                if len(r) != 2:
                    raise v.ScheduleArgumentError("noise_range_t", "must be [start, end) or a start",
                                                  list(r))
            else:
                r = v.integer("noise_range_t", r, minimum=0)
            self._set("noise_range_t", r)
            self._set("noise_pct", v.finite_float("noise_pct", self.noise_pct))
            self._set("noise_std", v.finite_float("noise_std", self.noise_std))
            v.positive("noise_pct", self.noise_pct)
            v.positive("noise_std", self.noise_std)
            self._set("noise_seed", v.integer("noise_seed", self.noise_seed))

    def _epoch(self, bk: Backend, t: Steps) -> Steps:
        if self.updates_per_epoch is None:
            return t
        return Steps(bk, t.n // self.updates_per_epoch)

    def _main(self, bk: Backend, t: Steps) -> Array:
        raise NotImplementedError

    def _warm_target(self, bk: Backend) -> Array:
        return bk.value(self.lr)

    def _get_lr(self, bk: Backend, t: Steps) -> Array:
        """timm's ``_get_lr(t)``: linear warmup, then the main curve (shifted with ``warmup_prefix``)."""
        W = bk.count(self.warmup_t)
        main = self._main(bk, t.shifted(W) if self.warmup_prefix else t)
        return linear_warmup(bk, t, bk.value(self.warmup_lr_init), self._warm_target(bk), W, main)

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        e = self._epoch(bk, t)
        out = self._get_lr(bk, e)
        r = self.noise_range_t
        if r is not None:
            lo, hi = (r[0], r[1]) if isinstance(r, tuple) else (r, None)
            inside = e.ge(lo) if hi is None else e.ge(lo) & ~e.ge(hi)
            n = noise(bk, e, self.noise_seed, self.noise_pct, self.noise_std)
            out = xp.where(inside, out * (1.0 + n), out)
        W = bk.count(self.warmup_t)
        first = xp.where(W > 0, bk.value(self.warmup_lr_init), bk.value(self.lr))
        return xp.where(e.n == 0, first, out)

    def _cycles(self, bk: Backend, t: Steps) -> tuple[Array, Array, Array, Array, Array]:
        """(peak of the cycle, elapsed, remaining, length, inside the cycle limit) at ``t``."""
        i, e, r, L = geometric_cycles(bk, t, bk.count(self.t_initial), self.cycle_mul)
        peak = bk.value(self.lr) * bk.value(self.cycle_decay) ** bk.to_float(i)
        return peak, e, r, L, i < self.cycle_limit

    def _check_cycles(self) -> None:
        # timm asserts t_initial > 0 and lr_min >= 0: refused as an AssertionError (and ValueError) too.
        v.asserted(v.value, "t_initial", self.t_initial, minimum=0, strict=True)
        self._set("t_initial", v.steps("t_initial", self.t_initial, minimum=1))
        v.asserted(v.nonnegative, "lr_min", self.lr_min)
        mult = v.finite_float("cycle_mul", self.cycle_mul)
        if mult < 1:
            raise v.ScheduleArgumentError("cycle_mul", "must be >= 1 (timm's log fails below)",
                                          self.cycle_mul)
        self._set("cycle_mul", mult)
        v.nonnegative("cycle_decay", self.cycle_decay)
        self._set("cycle_limit", v.integer("cycle_limit", self.cycle_limit, minimum=0))

    def _key_steps(self) -> list[Any]:
        n = self.updates_per_epoch or 1
        return [x * n for x in self._t_keys()]

    def _t_keys(self) -> list[Any]:
        return [self.warmup_t]


class _CycleLength:
    """timm's ``get_cycle_length`` of the cyclic schedulers (cosine, tanh, poly)."""

    if TYPE_CHECKING:
        t_initial: Any
        cycle_mul: float
        cycle_limit: int
        warmup_t: Any
        warmup_prefix: bool

    def get_cycle_length(self, cycles: int = 0) -> int:
        """timm's ``get_cycle_length``: the ``t`` at which ``cycles`` cycles (default ``cycle_limit``, at
        least 1) end, counting the warmup when it is a prefix. Computed as timm does (its ``floor`` of the
        geometric sum with ``cycle_mul != 1``)."""
        n = max(1, cycles or self.cycle_limit)
        T = int(self.t_initial)
        if self.cycle_mul == 1.0:
            t = T * n
        else:
            t = math.floor(-T * (self.cycle_mul ** n - 1) / (1 - self.cycle_mul))
        return t + int(self.warmup_t) if self.warmup_prefix else t


class CosineLRScheduler(_CycleLength, _Timm, Schedule, name="compat.timm.CosineLRScheduler"):
    r"""timm ``CosineLRScheduler``: cosine with restarts, warmup, cycle growth and decay, k-decay.

    Cycle :math:`i` has length :math:`T_i = T_0 m^i` and peak :math:`\text{lr}\,\delta^i`; at position
    :math:`e` in it, for :math:`i <` ``cycle_limit``,

    .. math:: s = \text{lr\_min} + (\text{peak}_i - \text{lr\_min})\,
              \tfrac12\left(1 + \cos\left(\pi\,e^{k}/T_i^{k}\right)\right)

    and ``lr_min`` from the ``cycle_limit``-th cycle on. A warmup (``warmup_t > 0``) rises linearly from
    ``warmup_lr_init`` to ``lr``; without ``warmup_prefix`` it overlaps the curve, which then jumps to
    the already-decayed value at ``warmup_t`` (timm's behaviour). See the module docstring for
    ``t = 0``, units and noise.

    Args:
      lr: the base learning rate.
      t_initial: :math:`T_0 >= 1`.
      lr_min: the floor.
      cycle_mul: :math:`m >= 1`.
      cycle_decay: :math:`\delta`.
      cycle_limit: number of cycles before holding ``lr_min``.
      k_decay: :math:`k > 0` (arXiv 2004.05909).
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.CosineLRScheduler(1.0, t_initial=4, warmup_t=2, warmup_lr_init=0.1)
      >>> [round(float(s(k)), 4) for k in range(6)]
      [0.1, 0.55, 0.5, 0.1464, 0.0, 0.0]
    """

    lr: Any
    t_initial: Any
    lr_min: Any = 0.0
    cycle_mul: float = static(default=1.0)
    cycle_decay: Any = 1.0
    cycle_limit: int = static(default=1)
    warmup_t: Any = 0
    warmup_lr_init: Any = 0.0
    warmup_prefix: bool = static(default=False)
    t_in_epochs: bool = static(default=True)
    noise_range_t: Any = static(default=None)
    noise_pct: float = static(default=0.67)
    noise_std: float = static(default=1.0)
    noise_seed: int = static(default=42)
    k_decay: Any = 1.0
    updates_per_epoch: int | None = static(default=None)

    examples = (
        {"lr": 0.1, "t_initial": 100, "lr_min": 1e-5, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {"lr": 0.1, "t_initial": 30, "lr_min": 1e-4, "cycle_mul": 2.0, "cycle_decay": 0.5,
         "cycle_limit": 3, "warmup_t": 3, "warmup_prefix": True, "k_decay": 1.5},
    )

    def __check_init__(self) -> None:
        self._check_common()
        self._check_cycles()
        v.positive("k_decay", self.k_decay)

    def _main(self, bk: Backend, t: Steps) -> Array:
        peak, e, r, L, on = self._cycles(bk, t)
        low = bk.value(self.lr_min)
        c = cosine_factor(bk, e, r, L, self.k_decay)
        return bk.xp.where(on, low + (peak - low) * c, low)


class TanhLRScheduler(_CycleLength, _Timm, Schedule, name="compat.timm.TanhLRScheduler"):
    r"""timm ``TanhLRScheduler``: hyperbolic-tangent decay (arXiv 1806.01593) with cycles and warmup.

    With :math:`r = e/T_i` inside cycle :math:`i` (cycles as :class:`CosineLRScheduler`),

    .. math:: s = \text{lr\_min} + (\text{peak}_i - \text{lr\_min})\,
              \tfrac12\left(1 - \tanh\left(lb\,(1 - r) + ub\,r\right)\right)

    Unlike the cosine port, a non-prefix warmup rises to the curve's value at ``warmup_t`` (no jump), as
    timm does. At ``t = 0`` without warmup timm applies ``lr`` itself (not the tanh curve's
    :math:`\approx 0.999999\,\text{lr}`); so does this port.

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
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.TanhLRScheduler(1.0, t_initial=10)
      >>> [round(float(s(k)), 4) for k in (0, 1, 7, 10)]
      [1.0, 1.0, 0.5, 0.0]
    """

    lr: Any
    t_initial: Any
    lb: Any = -7.0
    ub: Any = 3.0
    lr_min: Any = 0.0
    cycle_mul: float = static(default=1.0)
    cycle_decay: Any = 1.0
    cycle_limit: int = static(default=1)
    warmup_t: Any = 0
    warmup_lr_init: Any = 0.0
    warmup_prefix: bool = static(default=False)
    t_in_epochs: bool = static(default=True)
    noise_range_t: Any = static(default=None)
    noise_pct: float = static(default=0.67)
    noise_std: float = static(default=1.0)
    noise_seed: int = static(default=42)
    updates_per_epoch: int | None = static(default=None)

    examples = (
        {"lr": 0.1, "t_initial": 100, "lr_min": 1e-5, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {"lr": 0.1, "t_initial": 20, "cycle_mul": 1.5, "cycle_decay": 0.8, "cycle_limit": 3,
         "warmup_t": 4, "warmup_prefix": True},
    )

    def __check_init__(self) -> None:
        # timm asserts these (AssertionError); the port's refusals of them are AssertionErrors too.
        v.asserted(v.value, "warmup_t", self.warmup_t, minimum=0)
        v.asserted(v.nonnegative, "warmup_lr_init", self.warmup_lr_init)
        v.asserted(v.value, "cycle_limit", self.cycle_limit, minimum=0)
        v.asserted(v.number, "lb", self.lb)
        v.asserted(v.number, "ub", self.ub)
        v.asserted(v.less, "lb", self.lb, "ub", self.ub)
        self._check_common()
        self._check_cycles()

    def _main(self, bk: Backend, t: Steps) -> Array:
        peak, e, _, L, on = self._cycles(bk, t)
        curve = TanhDecay._unchecked(
            init_value=peak, decay_steps=1.0, end_value=self.lr_min, lower=self.lb, upper=self.ub,
        ).evaluate(bk, Steps.from_float(bk, e / L))
        return bk.xp.where(on, curve, bk.value(self.lr_min))

    def _warm_target(self, bk: Backend) -> Array:
        if self.warmup_prefix:
            return bk.value(self.lr)
        W = bk.count(self.warmup_t)
        return self._main(bk, Steps(bk, bk.xp.asarray(W)))


class PolyLRScheduler(_CycleLength, _Timm, Schedule, name="compat.timm.PolyLRScheduler"):
    r"""timm ``PolyLRScheduler``: polynomial decay with cycles, warmup and k-decay.

    .. math:: s = \text{lr\_min} + (\text{peak}_i - \text{lr\_min})\left(1 - e^{k}/T_i^{k}\right)^{p}

    inside cycle :math:`i` (cycles, warmup, ``t = 0``, units and noise as :class:`CosineLRScheduler`).

    Args:
      lr: the base learning rate.
      t_initial: :math:`T_0 >= 1`.
      power: :math:`p >= 0` (timm's default 0.5).
      lr_min: the floor.
      cycle_mul: :math:`m >= 1`.
      cycle_decay: peak factor per cycle.
      cycle_limit: number of cycles before holding ``lr_min``.
      k_decay: :math:`k > 0`.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.PolyLRScheduler(1.0, t_initial=4, power=1.0)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    lr: Any
    t_initial: Any
    power: Any = 0.5
    lr_min: Any = 0.0
    cycle_mul: float = static(default=1.0)
    cycle_decay: Any = 1.0
    cycle_limit: int = static(default=1)
    warmup_t: Any = 0
    warmup_lr_init: Any = 0.0
    warmup_prefix: bool = static(default=False)
    t_in_epochs: bool = static(default=True)
    noise_range_t: Any = static(default=None)
    noise_pct: float = static(default=0.67)
    noise_std: float = static(default=1.0)
    noise_seed: int = static(default=42)
    k_decay: Any = 1.0
    updates_per_epoch: int | None = static(default=None)

    examples = (
        {"lr": 0.1, "t_initial": 100, "power": 0.5, "lr_min": 1e-5, "warmup_t": 5},
        {"lr": 0.1, "t_initial": 25, "power": 2.0, "cycle_limit": 2, "cycle_decay": 0.5,
         "k_decay": 0.7},
    )

    def __check_init__(self) -> None:
        self._check_common()
        self._check_cycles()
        v.nonnegative("power", self.power)
        v.positive("k_decay", self.k_decay)

    def _main(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        peak, _, r, L, on = self._cycles(bk, t)
        q = r / bk.to_float(L)
        if isinstance(self.k_decay, int | float) and float(self.k_decay) == 1.0:
            left = q
        else:  # 1 - (e/L)**k = 1 - (1 - q)**k, accurate near the end of the cycle
            inside = xp.where(q >= 1.0, 0.0, q)
            left = xp.where(q >= 1.0, 1.0, -xp.expm1(bk.value(self.k_decay) * xp.log1p(-inside)))
        low = bk.value(self.lr_min)
        return xp.where(on, low + (peak - low) * left ** bk.value(self.power), low)


class StepLRScheduler(_Timm, Schedule, name="compat.timm.StepLRScheduler"):
    r"""timm ``StepLRScheduler``: decay by ``decay_rate`` every ``decay_t``.

    .. math:: s = \text{lr}\cdot\text{decay\_rate}^{\lfloor t'/\text{decay\_t} \rfloor}

    with :math:`t' = t - W` (``warmup_prefix=True`` is timm's default here) or :math:`t`.

    Args:
      lr: the base learning rate.
      decay_t: the period (may be fractional, as timm's ``float`` annotation).
      decay_rate: the factor.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.StepLRScheduler(1.0, decay_t=2, decay_rate=0.5)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    lr: Any
    decay_t: Any
    decay_rate: Any = 1.0
    warmup_t: Any = 0
    warmup_lr_init: Any = 0.0
    warmup_prefix: bool = static(default=True)
    t_in_epochs: bool = static(default=True)
    noise_range_t: Any = static(default=None)
    noise_pct: float = static(default=0.67)
    noise_std: float = static(default=1.0)
    noise_seed: int = static(default=42)
    updates_per_epoch: int | None = static(default=None)

    examples = ({"lr": 0.1, "decay_t": 30, "decay_rate": 0.1, "warmup_t": 3, "warmup_lr_init": 1e-3},)

    def __check_init__(self) -> None:
        self._check_common()
        v.positive("decay_t", self.decay_t)
        if isinstance(self.decay_t, float) and self.decay_t.is_integer():
            self._set("decay_t", int(self.decay_t))
        v.nonnegative("decay_rate", self.decay_rate)

    def _main(self, bk: Backend, t: Steps) -> Array:
        d = bk.count(self.decay_t)
        k = bk.to_float(t.n // d) if bk.is_int(d) else bk.xp.floor(t.value() / d)
        return bk.value(self.lr) * bk.value(self.decay_rate) ** k


class MultiStepLRScheduler(_Timm, Schedule, name="compat.timm.MultiStepLRScheduler"):
    r"""timm ``MultiStepLRScheduler``: decay by ``decay_rate`` at each milestone, one step early.

    .. math:: s = \text{lr}\cdot\text{decay\_rate}^{\#\{m \in \text{decay\_t}:\ m \le t' + 1\}}

    timm counts with ``bisect_right(decay_t, t + 1)``, so milestone :math:`m` applies from
    :math:`t' = m - 1` (one earlier than torch's ``MultiStepLR``), on purpose (timm #2745). ``decay_t``
    must be sorted, as timm assumes.

    Args:
      lr: the base learning rate.
      decay_t: sorted milestones.
      decay_rate: the factor.
      warmup_t: linear warmup length :math:`W` (in ``t`` units).
      warmup_lr_init: value at ``t = 0`` of the warmup.
      warmup_prefix: run the main curve after the warmup (``t - W``) instead of under it.
      t_in_epochs: whether ``t`` counts epochs (see the module docstring).
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import timm
      >>> s = timm.MultiStepLRScheduler(1.0, decay_t=[3, 5], decay_rate=0.5)
      >>> [float(s(k)) for k in range(6)]
      [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    lr: Any
    decay_t: Any
    decay_rate: Any = 1.0
    warmup_t: Any = 0
    warmup_lr_init: Any = 0.0
    warmup_prefix: bool = static(default=True)
    t_in_epochs: bool = static(default=True)
    noise_range_t: Any = static(default=None)
    noise_pct: float = static(default=0.67)
    noise_std: float = static(default=1.0)
    noise_seed: int = static(default=42)
    updates_per_epoch: int | None = static(default=None)

    examples = ({"lr": 0.1, "decay_t": [30, 60, 80], "decay_rate": 0.1, "warmup_t": 2},)

    def __check_init__(self) -> None:
        self._check_common()
        ms = v.sequence("decay_t", self.decay_t)
        ms = tuple(v.steps(f"decay_t[{i}]", m) for i, m in enumerate(ms))
        v.sorted_steps("decay_t", ms)
        self._set("decay_t", ms)
        v.nonnegative("decay_rate", self.decay_rate)

    def _t_keys(self) -> list[Any]:
        return [self.warmup_t, *(self.warmup_t * self.warmup_prefix + m - 1 for m in self.decay_t)]

    def get_curr_decay_steps(self, t: int) -> int:
        """timm's ``get_curr_decay_steps``: how many milestones apply at (post-warmup) ``t``, i.e. those
        ``<= t + 1``."""
        return bisect.bisect_right(self.decay_t, t + 1)

    def _main(self, bk: Backend, t: Steps) -> Array:
        return MultistepDecay._unchecked(
            init_value=self.lr, milestones=tuple(max(m - 1, 0) for m in self.decay_t),
            decay_rate=self.decay_rate,
        ).evaluate(bk, t)


_STABLE_FNS = ("constant", "rsqrt", "power")
_DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")


def _timm_error(argument: str, message: str, value: Any) -> v.ScheduleArgumentError:
    """A construction error with timm's own message (timm raises ``ValueError`` for these)."""
    return v.ScheduleArgumentError(argument, message, value, show_value=False)


class WSDLRScheduler(_Timm, Schedule, name="compat.timm.WSDLRScheduler"):
    r"""timm ``WSDLRScheduler`` (timm >= 1.0.31): warmup, a stable phase, then a decay to ``lr_min``.

    With :math:`W` = ``warmup_t``, :math:`T` = ``t_initial`` (stable + decay, after the warmup, which is
    always a prefix), :math:`D` = ``decay_t``, :math:`t_s = t - W` and the decay progress
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
    :func:`jaxsched.warmup_stable_decay` (times :func:`jaxsched.inverse_sqrt` for ``"rsqrt"``).

    Refused (no catalog piece yet; timm accepts them): ``decay_fn="exp"`` and other ``decay_power``
    values, other ``stable_power`` values, ``"rsqrt"`` with ``lr_min > 0``, and a callable ``decay_fn``.
    Index 0, units, ``updates_per_epoch`` and noise are as in the module docstring; timm's checks
    (``ValueError``) are reproduced at construction.

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
      updates_per_epoch: with ``t_in_epochs``, read steps as updates and hold each epoch's value.
      noise_range_t: ``[start, end)`` or ``start`` of the LR noise, or ``None`` (off).
      noise_pct: noise bound; noise_std: its standard deviation; noise_seed: its seed.

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

    lr: Any
    t_initial: Any
    decay_t: Any
    lr_min: Any = 0.0
    stable_fn: str = static(default="constant")
    stable_timescale: Any = None
    stable_power: float = static(default=0.5)
    decay_fn: str = static(default="1-sqrt")
    decay_power: float = static(default=0.5)
    decay_ratio: Any = 0.1
    warmup_t: Any = 0
    warmup_lr_init: Any = 0.0
    t_in_epochs: bool = static(default=True)
    noise_range_t: Any = static(default=None)
    noise_pct: float = static(default=0.67)
    noise_std: float = static(default=1.0)
    noise_seed: int = static(default=42)
    updates_per_epoch: int | None = static(default=None)

    warmup_prefix: bool = static(default=True, init=False)
    """timm's WSD warmup is always a prefix of ``t_initial`` (not an argument)."""

    examples = (
        {"lr": 0.1, "t_initial": 100, "decay_t": 20, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {"lr": 0.1, "t_initial": 60, "decay_t": 15, "lr_min": 1e-3, "decay_fn": "cosine", "warmup_t": 3},
        {"lr": 0.1, "t_initial": 80, "decay_t": 30, "stable_fn": "rsqrt", "decay_fn": "linear",
         "warmup_t": 10},
    )

    def __check_init__(self) -> None:
        self._check_common()
        v.nonnegative("lr", self.lr)
        self._set("t_initial", v.steps("t_initial", self.t_initial, minimum=0))
        T = self.t_initial
        if isinstance(T, int) and T <= 0:
            raise _timm_error("t_initial", f"Invalid t_initial ({T}), must be > 0.", T)
        self._set("decay_t", v.steps("decay_t", self.decay_t, minimum=0))
        D = self.decay_t
        if isinstance(T, int) and isinstance(D, int) and not 0 < D <= T:
            raise _timm_error("decay_t", f"Invalid decay_t ({D}), must be in (0, t_initial] w/ "
                              f"t_initial={T}.", D)
        v.nonnegative("lr_min", self.lr_min)
        if callable(self.decay_fn):
            raise v.ScheduleArgumentTypeError(
                "decay_fn", f"one of {list(_DECAY_FNS[:4])} (an arbitrary Python function has no formula "
                "that JAX can trace)", self.decay_fn)
        if self.stable_fn not in _STABLE_FNS:
            raise _timm_error("stable_fn", f"Invalid stable_fn ({self.stable_fn}), must be one of "
                              f"{_STABLE_FNS}.", self.stable_fn)
        if self.decay_fn not in _DECAY_FNS:
            raise _timm_error("decay_fn", f"Invalid decay_fn ({self.decay_fn}), must be one of "
                              f"{_DECAY_FNS} or a callable.", self.decay_fn)
        ratio = v.number("decay_ratio", self.decay_ratio)
        if ratio is not None and not np.all((ratio > 0) & (ratio < 1)):
            raise _timm_error("decay_ratio", f"Invalid decay_ratio ({self.decay_ratio}), must be in "
                              "(0, 1).", self.decay_ratio)
        for name in ("decay_power", "stable_power"):
            x = v.finite_float(name, getattr(self, name))
            if x <= 0:
                raise _timm_error(name, f"Invalid {name} ({x}), must be > 0.", x)
            self._set(name, x)
        if self.stable_fn != "constant":
            if self.stable_timescale is None:  # timm's default, stored as timm stores it
                self._set("stable_timescale", self.warmup_t)
            tau = self.stable_timescale
            arr = v.number("stable_timescale", tau)
            if arr is not None and not np.all(arr > 0):
                raise _timm_error(
                    "stable_timescale", f"stable_fn={self.stable_fn} requires a positive stable_timescale, "
                    f"it defaults to warmup_t ({self.warmup_t}), set it explicitly when there is no warmup.",
                    tau)
        # What has no catalog piece yet (timm accepts these).
        if self._decay_shape() is None:
            what = ("decay_fn='exp'" if self.decay_fn == "exp"
                    else f"decay_fn='power' with decay_power={self.decay_power}")
            raise v.ScheduleArgumentError(
                "decay_fn", f"{what} is not ported (no catalog decay shape for it yet); decay_fn='linear', "
                "'1-sqrt', 'cosine' and 'power' with decay_power 0.5 or 1 are", self.decay_fn,
                show_value=False)
        if self.stable_fn == "power" and self.stable_power != 0.5:
            raise v.ScheduleArgumentError(
                "stable_power", "stable_fn='power' is ported only with stable_power=0.5 (= 'rsqrt'; no "
                "catalog piece for other exponents yet)", self.stable_power)
        if self.stable_fn != "constant":
            floor = v.number("lr_min", self.lr_min)
            if floor is not None and np.any(floor != 0):
                raise v.ScheduleArgumentError(
                    "lr_min", f"stable_fn={self.stable_fn!r} is ported only with lr_min=0 (its floor and "
                    "affine decay have no catalog piece yet)", self.lr_min)

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

    def _t_keys(self) -> list[Any]:
        W, T, D = self.warmup_t, self.t_initial, self.decay_t
        return [W, W + T - D, W + T]

    def _lowered(self, bk: Backend) -> Schedule:
        """The catalog pieces: a linear warmup joined with the stable-decay part (``t - W`` inside)."""
        shape = self._decay_shape()
        assert shape is not None  # refused at construction
        W, T, D = self.warmup_t, self.t_initial, self.decay_t
        if self.stable_fn == "constant":
            peak = bk.xp.maximum(bk.value(self.lr), bk.value(self.lr_min))  # timm's floor at lr_min
            rest: Schedule = WarmupStableDecay._unchecked(
                peak_value=peak, warmup_steps=0, total_steps=T, decay_steps=D, init_value=peak,
                end_value=self.lr_min, decay_shape=shape)
        else:
            tau = self.stable_timescale
            rest = Multiply._unchecked(schedules=(
                InverseSqrt._unchecked(peak_value=self.lr, warmup_steps=0, timescale=tau, init_value=0.0),
                WarmupStableDecay._unchecked(peak_value=1.0, warmup_steps=0, total_steps=T, decay_steps=D,
                                             init_value=1.0, end_value=0.0, decay_shape=shape)))
        warm = Linear._unchecked(init_value=self.warmup_lr_init, end_value=self.lr, transition_steps=W,
                                 transition_begin=0)
        return Join._unchecked(schedules=(warm, rest), boundaries=(W,))

    def _get_lr(self, bk: Backend, t: Steps) -> Array:
        return self._lowered(bk).evaluate(bk, t)
# -- metric-driven: PlateauLRScheduler (an optax transformation, not a Schedule) ---------------------------


def PlateauLRScheduler(lr: float, decay_rate: float = 0.1, patience_t: int = 10, threshold: float = 1e-4,
                       cooldown_t: int = 0, warmup_t: int = 0, warmup_lr_init: float = 0.0,
                       lr_min: float = 0.0,
                       mode: str = "max", noise_range_t: Any = None, noise_type: str = "normal",
                       noise_pct: float = 0.67, noise_std: float = 1.0, noise_seed: int | None = None,
                       *, steps_per_epoch: int | None = None, accumulation_size: int = 1) -> Any:
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
            "noise_range_t", "LR noise is not reproduced by the plateau port (timm draws it from torch's "
            "generator); leave it None", noise_range_t)
    if noise_type not in ("normal", "uniform"):
        raise v.ScheduleArgumentError("noise_type", "must be 'normal' or 'uniform'", noise_type)
    return timm_plateau(lr, decay_rate=decay_rate, patience_t=patience_t, threshold=threshold,
                        cooldown_t=cooldown_t, warmup_t=warmup_t, warmup_lr_init=warmup_lr_init,
                        lr_min=lr_min, mode=mode, accumulation_size=accumulation_size,
                        steps_per_epoch=steps_per_epoch)


__all__ += ["PlateauLRScheduler"]
