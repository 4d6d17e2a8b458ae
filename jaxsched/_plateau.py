r"""Metric-driven schedules: one state machine per original, shared by optax and torch_bridge.

Each machine is written once against an array namespace ``xp``: ``jax.numpy`` for the optax
transformations built here, NumPy float64 for the ``torch_bridge`` classes. One ``transition`` is one call
of the original's ``step(metric)``:

- :class:`TorchPlateau`: ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (also HF's
  ``get_reduce_on_plateau_schedule`` and OpenKiwi's plateau rule);
- :class:`TimmPlateau`: timm's ``PlateauLRScheduler`` (a linear warmup over the first epochs, then torch's
  rule);
- :class:`GreedyPlateau`: HF transformers' ``GreedyLR`` (``get_scheduler("greedy")``): reduces on a plateau,
  *raises* the LR after ``patience`` improvements, optional streaming-average smoothing, and a reset after
  ``reset_start`` reductions at the floor.

torch's rule, for reference (``best`` starts at ``+inf`` for ``min``, ``-inf`` for ``max``):

.. code-block:: text

    better = value < best*(1 - th)   (min, rel)  | value < best - th  (min, abs)
             value > best*(1 + th)   (max, rel)  | value > best + th  (max, abs)
    best, bad = (value, 0) if better else (best, bad + 1)
    if cooldown_left > 0: cooldown_left -= 1; bad = 0
    if bad > patience:    new = max(lr*factor, min_lr); lr = new if lr - new > eps else lr
                          cooldown_left = cooldown; bad = 0

The **windowing** around a machine is shared too, so per-update use cannot collapse the LR:

- ``accumulation_size=n``: the values of ``n`` consecutive calls are averaged and the machine steps once
  with the mean (``optax.contrib.reduce_on_plateau`` does the same); for a per-update training loss.
- ``steps_per_epoch=n`` (optax only): the machine steps only on the first update of each epoch after the
  first (update ``k`` with ``k % n == 0``, ``k > 0``) with the value passed there; for a validation metric
  computed after each epoch and passed on every update of the next one.

This module imports no JAX: the optax transformations import ``jax``/``optax`` when they are built.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NamedTuple

import numpy as np

from jaxsched import _validate as v

__all__ = [
    "GreedyPlateau",
    "PlateauState",
    "TimmPlateau",
    "TorchPlateau",
    "check_plateau_args",
    "greedy_lr",
    "initial_best",
    "reduce_on_plateau",
    "timm_plateau",
]

_INT32_MAX = 2**31 - 1


# -- argument checks --------------------------------------------------------------------------------------


def _count(name: str, value: Any) -> int:
    """A non-negative whole number of calls (Python or NumPy integer)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise v.ScheduleArgumentTypeError(name, "a non-negative int", value)
    if value < 0:
        raise v.ScheduleArgumentError(name, "must be >= 0", value)
    return int(value)


def _real(name: str, value: Any) -> float:
    """A finite real scalar (Python or NumPy)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise v.ScheduleArgumentTypeError(name, "a finite float", value)
    f = float(value)
    if not math.isfinite(f):
        raise v.ScheduleArgumentError(name, "must be finite", value)
    return f


def _reals(name: str, value: Any) -> Any:
    """A finite real scalar, or a list of them (one per param group) as a float64 array."""
    if isinstance(value, list | tuple):
        return np.asarray([_real(f"{name}[{i}]", x) for i, x in enumerate(value)], dtype=np.float64)
    return _real(name, value)


def _modes(mode: Any, threshold_mode: Any) -> None:
    if mode not in ("min", "max"):
        raise v.ScheduleArgumentError("mode", f"mode {mode} is unknown!", mode, show_value=False)
    if threshold_mode not in ("rel", "abs"):
        raise v.ScheduleArgumentError(
            "threshold_mode", f"threshold mode {threshold_mode} is unknown!", threshold_mode, show_value=False
        )


def check_plateau_args(
    mode: str,
    factor: float,
    patience: int,
    threshold: float,
    threshold_mode: str,
    cooldown: int,
    min_lr: Any,
    eps: float,
) -> None:
    """torch ``ReduceLROnPlateau``'s checks (with torch's messages), naming the argument."""
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not math.isfinite(factor):
        raise v.ScheduleArgumentTypeError("factor", "a finite float", factor)
    if factor >= 1.0:
        raise v.ScheduleArgumentError("factor", "Factor should be < 1.0.", factor)
    if factor < 0.0:
        raise v.ScheduleArgumentError(
            "factor", "must be >= 0 (a negative factor flips the LR's sign)", factor
        )
    _modes(mode, threshold_mode)
    _count("patience", patience)
    _count("cooldown", cooldown)
    _real("threshold", threshold)
    if _real("eps", eps) < 0:
        raise v.ScheduleArgumentError("eps", "must be >= 0", eps)
    v.number("min_lr", min_lr)


def check_window(accumulation_size: Any, steps_per_epoch: Any = None) -> tuple[int, int | None]:
    """``accumulation_size >= 1``; ``steps_per_epoch`` ``None`` or ``>= 1``; not both."""
    if isinstance(accumulation_size, bool) or not isinstance(accumulation_size, numbers.Integral):
        raise v.ScheduleArgumentTypeError("accumulation_size", "a positive int", accumulation_size)
    if accumulation_size < 1:
        raise v.ScheduleArgumentError("accumulation_size", "must be >= 1", accumulation_size)
    if steps_per_epoch is not None:
        if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, numbers.Integral):
            raise v.ScheduleArgumentTypeError("steps_per_epoch", "a positive int or None", steps_per_epoch)
        if steps_per_epoch < 1:
            raise v.ScheduleArgumentError("steps_per_epoch", "must be >= 1", steps_per_epoch)
        if accumulation_size != 1:
            raise v.ScheduleArgumentError(
                "steps_per_epoch",
                "cannot be combined with accumulation_size (use accumulation_size="
                "steps_per_epoch to average a per-update loss over each epoch, or steps_per_epoch alone "
                "for a metric computed once per epoch)",
                steps_per_epoch,
            )
        steps_per_epoch = int(steps_per_epoch)
    return int(accumulation_size), steps_per_epoch


def _div(xp: Any, a: Any, b: Any) -> Any:
    """``a / b``, correctly rounded in JAX too: XLA rewrites a division by a constant into a
    multiplication by its rounded reciprocal (one ulp off), so under JAX the divisor is passed through an
    optimization barrier, at ``a``'s shape (a broadcast scalar divisor is rewritten as well)."""
    if xp is np:
        return a / b
    import jax

    a = xp.asarray(a)
    b = xp.broadcast_to(xp.asarray(b, a.dtype), xp.shape(a))
    return a / jax.lax.optimization_barrier(b)


def initial_best(mode: str) -> float:
    return math.inf if mode == "min" else -math.inf


def _is_better(xp: Any, value: Any, best: Any, mode: str, threshold: float, threshold_mode: str) -> Any:
    if mode == "min":
        return value < (best * (1.0 - threshold) if threshold_mode == "rel" else best - threshold)
    return value > (best * (1.0 + threshold) if threshold_mode == "rel" else best + threshold)


# -- torch: ReduceLROnPlateau -----------------------------------------------------------------------------


class TorchState(NamedTuple):
    """torch ``ReduceLROnPlateau``'s counters."""

    best: Any
    num_bad_epochs: Any
    cooldown_counter: Any


class TorchPlateau:
    """torch ``ReduceLROnPlateau.step(metric)`` (arguments as torch's; ``min_lr`` per group or scalar)."""

    def __init__(
        self,
        *,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: Any = 0.0,
        eps: float = 1e-8,
    ) -> None:
        check_plateau_args(mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps)
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor, self.threshold, self.eps = float(factor), float(threshold), float(eps)
        self.patience, self.cooldown = int(patience), int(cooldown)
        self.min_lr = min_lr

    def init(self, xp: Any, float_dtype: Any = None, int_dtype: Any = None) -> TorchState:
        return TorchState(
            xp.asarray(initial_best(self.mode), float_dtype),
            xp.asarray(0, int_dtype),
            xp.asarray(0, int_dtype),
        )

    def transition(
        self, xp: Any, lr: Any, state: TorchState, value: Any, epoch: Any = None
    ) -> tuple[Any, TorchState]:
        del epoch
        better = _is_better(xp, value, state.best, self.mode, self.threshold, self.threshold_mode)
        best = xp.where(better, value, state.best)
        bad = xp.where(better, 0, state.num_bad_epochs + 1)
        in_cooldown = state.cooldown_counter > 0
        left = xp.where(in_cooldown, state.cooldown_counter - 1, state.cooldown_counter)
        bad = xp.where(in_cooldown, 0, bad)
        reduce = bad > self.patience
        new = xp.maximum(lr * self.factor, self.min_lr)
        lr = xp.where(reduce & (lr - new > self.eps), new, lr)
        left = xp.where(reduce, self.cooldown, left)
        bad = xp.where(reduce, 0, bad)
        return lr, TorchState(best, bad, left)


# -- timm: PlateauLRScheduler -----------------------------------------------------------------------------


class TimmState(NamedTuple):
    """timm ``PlateauLRScheduler``'s state: its inner torch plateau's counters."""

    plateau: TorchState


class TimmPlateau:
    """timm ``PlateauLRScheduler.step(epoch, metric)``: warmup for ``epoch <= warmup_t``, then torch's rule.

    ``base`` is the base LR (per group or scalar), ``lr_scale`` timm's per-group ``lr_scale`` (the warmup
    values are multiplied by it, as timm's ``update_groups`` does).
    """

    def __init__(
        self,
        base: Any,
        *,
        decay_rate: float = 0.1,
        patience_t: int = 10,
        threshold: float = 1e-4,
        cooldown_t: int = 0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        lr_min: Any = 0.0,
        mode: str = "max",
        lr_scale: Any = 1.0,
    ) -> None:
        self.torch = TorchPlateau(
            mode=mode,
            factor=decay_rate,
            patience=patience_t,
            threshold=threshold,
            threshold_mode="rel",
            cooldown=cooldown_t,
            min_lr=lr_min,
            eps=1e-8,
        )
        self.warmup_t = _count("warmup_t", warmup_t)
        self.warmup_lr_init = _real("warmup_lr_init", warmup_lr_init)
        if self.warmup_lr_init < 0:
            raise v.ScheduleArgumentError("warmup_lr_init", "must be >= 0", warmup_lr_init)
        self.base = base
        self.lr_scale = lr_scale

    def warmup_step(self, xp: Any) -> Any:
        """timm's ``warmup_steps``: ``(base - warmup_lr_init) / warmup_t``, or 1 without warmup."""
        if self.warmup_t:
            return _div(xp, xp.asarray(self.base) - self.warmup_lr_init, float(self.warmup_t))
        return xp.ones_like(xp.asarray(self.base))

    def initial_lr(self, xp: Any) -> Any:
        """The LR after construction: ``warmup_lr_init`` with a warmup, else the base (times ``lr_scale``)."""
        first = self.warmup_lr_init if self.warmup_t else xp.asarray(self.base)
        return first * xp.asarray(self.lr_scale)

    def init(self, xp: Any, float_dtype: Any = None, int_dtype: Any = None) -> TimmState:
        return TimmState(self.torch.init(xp, float_dtype, int_dtype))

    def transition(self, xp: Any, lr: Any, state: TimmState, value: Any, epoch: Any) -> tuple[Any, TimmState]:
        """``value=None`` (torch side only) steps the warmup but not the plateau, as timm does."""
        in_warmup = epoch <= self.warmup_t
        warm = (self.warmup_lr_init + epoch * self.warmup_step(xp)) * xp.asarray(self.lr_scale)
        if value is None:
            return xp.where(in_warmup, warm, lr), state
        new_lr, new_st = self.torch.transition(xp, lr, state.plateau, value)
        plateau = TorchState(*(xp.where(in_warmup, a, b) for a, b in zip(state.plateau, new_st, strict=True)))
        return xp.where(in_warmup, warm, new_lr), TimmState(plateau)


# -- transformers: GreedyLR -------------------------------------------------------------------------------


class GreedyState(NamedTuple):
    """HF ``GreedyLR``'s state (the streaming-average window as a ring buffer of ``window_size``)."""

    best: Any
    num_bad_epochs: Any
    num_good_epochs: Any
    cooldown_counter: Any
    warmup_counter: Any
    reset_start: Any
    window: Any
    window_sum: Any
    window_len: Any
    window_pos: Any


class GreedyPlateau:
    """HF ``GreedyLR.step(metric)`` (transformers >= 5.0), arguments as HF's.

    ``init_lr`` is each group's LR at construction (what a reset restores).
    """

    def __init__(
        self,
        init_lr: Any,
        *,
        mode: str = "min",
        factor: float = 0.95,
        patience: int = 10,
        threshold: float = 1e-6,
        threshold_mode: str = "abs",
        cooldown: int = 0,
        warmup: int = 0,
        min_lr: Any = 1e-3,
        max_lr: Any = 1.0,
        eps: float = 1e-8,
        smooth: bool = False,
        window_size: int = 50,
        reset_start: int = 500,
    ) -> None:
        f = _real("factor", factor)
        if f >= 1.0:
            raise v.ScheduleArgumentError("factor", "Factor should be < 1.0.", factor)
        if f <= 0.0:
            raise v.ScheduleArgumentError(
                "factor", "must be > 0 (GreedyLR divides the LR by it to raise it)", factor
            )
        _modes(mode, threshold_mode)
        self.mode, self.threshold_mode, self.factor = mode, threshold_mode, f
        self.patience = _count("patience", patience)
        self.cooldown = _count("cooldown", cooldown)
        self.warmup = _count("warmup", warmup)
        self.threshold = _real("threshold", threshold)
        self.eps = _real("eps", eps)
        if self.eps < 0:
            raise v.ScheduleArgumentError("eps", "must be >= 0", eps)
        self.min_lr = _reals("min_lr", min_lr)
        self.max_lr = _reals("max_lr", max_lr)
        v.boolean("smooth", smooth)
        self.smooth = bool(smooth)
        if isinstance(window_size, bool) or not isinstance(window_size, numbers.Integral):
            raise v.ScheduleArgumentTypeError("window_size", "a positive int", window_size)
        if self.smooth and window_size < 1:
            raise v.ScheduleArgumentError("window_size", "must be >= 1 with smooth=True", window_size)
        self.window_size: int = int(window_size)
        if isinstance(reset_start, bool) or not isinstance(reset_start, numbers.Integral):
            raise v.ScheduleArgumentTypeError("reset_start", "an int", reset_start)
        if abs(reset_start) > _INT32_MAX:
            raise v.ScheduleArgumentError("reset_start", f"must be within +-{_INT32_MAX}", reset_start)
        self.reset_start: int = int(reset_start)
        self.init_lr: Any = init_lr

    def init(self, xp: Any, float_dtype: Any = None, int_dtype: Any = None) -> GreedyState:
        size = self.window_size if self.smooth else 1
        zero = xp.asarray(0, int_dtype)
        return GreedyState(
            best=xp.asarray(initial_best(self.mode), float_dtype),
            num_bad_epochs=zero,
            num_good_epochs=zero,
            cooldown_counter=zero,
            warmup_counter=zero,
            reset_start=xp.asarray(self.reset_start, int_dtype),
            window=xp.zeros(size, float_dtype),
            window_sum=xp.asarray(0.0, float_dtype),
            window_len=zero,
            window_pos=zero,
        )

    def transition(
        self, xp: Any, lr: Any, st: GreedyState, value: Any, epoch: Any = None
    ) -> tuple[Any, GreedyState]:
        del epoch
        window, total, length, pos = st.window, st.window_sum, st.window_len, st.window_pos
        current = value
        if self.smooth:
            size = self.window_size
            full = xp.asarray(length >= size)
            total = total + value
            total = xp.where(full, total - window[pos], total)
            window = xp.where(xp.arange(size) == pos, value, window)
            pos = (pos + 1) % size
            length = xp.minimum(length + 1, size)
            current = _div(xp, total, length)
        in_cooldown = xp.asarray(st.cooldown_counter > 0)
        in_warmup = ~in_cooldown & xp.asarray(st.warmup_counter > 0)
        normal = ~in_cooldown & ~in_warmup
        better = xp.asarray(_is_better(xp, current, st.best, self.mode, self.threshold, self.threshold_mode))
        best = xp.where(normal & better, current, st.best)
        bad = xp.where(normal & ~better, st.num_bad_epochs + 1, 0)
        good = xp.where(normal & better, st.num_good_epochs + 1, 0)
        cooldown = xp.where(in_cooldown, st.cooldown_counter - 1, st.cooldown_counter)
        warm = xp.where(in_warmup, st.warmup_counter - 1, st.warmup_counter)
        increase = normal & xp.asarray(good > self.patience)
        reduce = normal & ~increase & xp.asarray(bad > self.patience)
        # increase: lr / factor, capped at max_lr; reduce: lr * factor, floored at min_lr (eps: HF's)
        up = xp.minimum(_div(xp, lr, self.factor), self.max_lr)
        raised = xp.where(up - lr > self.eps, up, lr)
        down = xp.maximum(lr * self.factor, self.min_lr)
        lowered = xp.where(lr - down > self.eps, down, lr)
        at_floor = xp.all(~(lowered > xp.asarray(self.min_lr)))
        left = xp.where(reduce & at_floor, st.reset_start - 1, st.reset_start)
        reset = reduce & at_floor & xp.asarray(left <= 0)
        new_lr = xp.where(increase, raised, xp.where(reduce, xp.where(reset, self.init_lr, lowered), lr))
        left = xp.where(increase | reset, self.reset_start, left)
        warm = xp.where(increase, self.warmup, xp.where(reset, 0, warm))
        good = xp.where(increase | reset, 0, good)
        best = xp.where(reset, initial_best(self.mode), best)
        cooldown = xp.where(reduce, self.cooldown, cooldown)  # set after a reset too, as HF does
        bad = xp.where(reduce, 0, bad)
        if self.smooth:  # a reset starts a new window
            window = xp.where(reset, xp.zeros_like(window), window)
            total = xp.where(reset, xp.zeros_like(total), total)
            length = xp.where(reset, 0, length)
            pos = xp.where(reset, 0, pos)
        return new_lr, GreedyState(best, bad, good, cooldown, warm, left, window, total, length, pos)


# -- the optax side ---------------------------------------------------------------------------------------


class PlateauState(NamedTuple):
    """The state of the metric-driven optax transformations of this module.

    Attributes:
      lr: the current value :math:`\\mathrm{lr}_0 \\cdot` ``scale`` (torch's ``get_last_lr()[0]`` when
        ``lr`` was the optimizer's learning rate).
      scale: the factor the updates are multiplied by, ``lr / lr_0`` (what :func:`jaxsched.current`
        multiplies an injected learning rate by).
      machine: the machine's own state (torch's ``best``, ``num_bad_epochs``, ``cooldown_counter``; see
        :class:`TorchPlateau`, :class:`TimmPlateau`, :class:`GreedyPlateau`).
      acc_sum: the sum of the values of the current accumulation window.
      acc_count: how many values that window holds.
      count: updates so far (saturates at ``2**31 - 1``).
      transitions: machine steps so far (torch's ``last_epoch``).
    """

    lr: Any
    scale: Any
    machine: Any
    acc_sum: Any
    acc_count: Any
    count: Any
    transitions: Any


def _transformation(
    machine: Any, lr: float, initial: float | None, accumulation_size: int, steps_per_epoch: int | None
) -> Any:
    """An optax transformation stepping ``machine`` on the metric windows (see the module docstring)."""
    import jax
    import jax.numpy as jnp
    import optax

    def dtype() -> Any:
        return jnp.result_type(float)  # float64 under jax_enable_x64, else float32

    def init_fn(params: Any) -> PlateauState:
        del params
        f = dtype()
        start = jnp.asarray(lr if initial is None else initial, f)
        zero = jnp.asarray(0, jnp.int32)
        return PlateauState(
            lr=start,
            scale=_div(jnp, start, lr),
            machine=machine.init(jnp, f, jnp.int32),
            acc_sum=jnp.asarray(0.0, f),
            acc_count=zero,
            count=zero,
            transitions=zero,
        )

    def update_fn(
        updates: Any, state: PlateauState, params: Any = None, *, value: Any, **extra_args: Any
    ) -> tuple[Any, PlateauState]:
        del params, extra_args
        f = dtype()
        value = jnp.asarray(value, f)
        if value.ndim:
            raise ValueError(f"value: must be a scalar metric, got an array of shape {value.shape}")
        acc_sum = state.acc_sum + value
        acc_count = state.acc_count + 1
        if steps_per_epoch is not None:
            ready = (state.count % steps_per_epoch == 0) & (state.count > 0)
            metric = value
        else:
            ready = acc_count >= accumulation_size
            metric = _div(jnp, acc_sum, float(accumulation_size)) if accumulation_size > 1 else acc_sum
        epoch = state.transitions + 1
        new_lr, new_machine = machine.transition(jnp, state.lr, state.machine, metric, epoch)
        keep = jax.tree_util.tree_map(
            lambda a, b: jnp.where(ready, a, b).astype(jnp.asarray(b).dtype), new_machine, state.machine
        )
        new_lr = jnp.where(ready, new_lr, state.lr).astype(f)
        scale = _div(jnp, new_lr, lr)
        new = PlateauState(
            lr=new_lr,
            scale=scale,
            machine=keep,
            acc_sum=jnp.where(ready, jnp.zeros_like(acc_sum), acc_sum),
            acc_count=jnp.where(ready, 0, acc_count).astype(jnp.int32),
            count=(jnp.minimum(state.count, _INT32_MAX - 1) + 1).astype(jnp.int32),
            transitions=(state.transitions + ready.astype(jnp.int32)).astype(jnp.int32),
        )
        updates = jax.tree_util.tree_map(lambda u: (u * scale).astype(u.dtype), updates)
        return updates, new

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)


def reduce_on_plateau(
    lr: float = 1.0,
    *,
    mode: str = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_lr: float = 0.0,
    eps: float = 1e-8,
    accumulation_size: int = 1,
    steps_per_epoch: int | None = None,
) -> Any:
    r"""torch's ``ReduceLROnPlateau`` as an optax transformation that scales updates by ``lr_now / lr``.

    Each ``update(updates, state, params, value=metric)`` feeds one metric value. The torch rule (see
    :mod:`jaxsched._plateau`) steps once per *window*, and the updates are multiplied by
    ``state.scale = state.lr / lr``:

    .. math:: u_k \leftarrow u_k \cdot \frac{\mathrm{lr}_k}{\mathrm{lr}_0}

    **What works** (one torch ``step`` per epoch, whatever the number of updates per epoch):

    * a validation metric computed after each epoch: ``steps_per_epoch=n`` and pass the latest metric on
      every update; the rule steps on the first update of each epoch after the first (update ``k`` with
      ``k % n == 0``, ``k > 0``), so ``state.lr`` during epoch ``e`` is torch's LR after ``e``
      ``step(metric)`` calls with the same metrics;
    * a per-update training loss: ``accumulation_size=n`` (e.g. the updates per epoch); the rule steps with
      the mean of every ``n`` consecutive values (as ``optax.contrib.reduce_on_plateau``), and the new scale
      applies from the update that completes the window.

    Feeding a value on every update with neither (the default, ``accumulation_size=1``) steps torch's rule
    on *every update*: ``patience`` then counts updates, and a value repeated between epochs, or the noise of
    a per-update loss, counts as no improvement, so the LR collapses within a few epochs. Use that only when
    ``update`` is called once per epoch.

    After ``e`` steps of the rule, ``state.lr`` equals torch's ``get_last_lr()[0]`` after ``e``
    ``step(metric)`` calls with the same (window-mean) metrics: exactly under ``jax_enable_x64``, in float32
    otherwise (XLA flushes subnormal values to zero, so an LR below the smallest normal float, which only a
    factor near 1e-300 or ``eps=0`` can reach, is 0 here). Use it after an optimizer with
    ``learning_rate=lr`` and pass that value as ``lr`` (then ``state.lr`` is the effective LR), or keep
    ``lr=1.0`` after any optimizer (then ``state.lr`` is the factor). :func:`jaxsched.current` multiplies
    an injected learning rate by ``state.scale``.

    Args:
      lr: the initial LR :math:`\mathrm{lr}_0 > 0` (1.0: the state holds a factor).
      mode: ``"min"`` or ``"max"``.
      factor: multiplicative reduction in ``[0, 1)``.
      patience: steps of the rule without improvement tolerated (a reduction when ``num_bad_epochs >
        patience``).
      threshold: the improvement threshold.
      threshold_mode: ``"rel"`` or ``"abs"``.
      cooldown: steps of the rule to wait after a reduction before counting bad ones again.
      min_lr: floor of the LR.
      eps: reductions smaller than this are skipped.
      accumulation_size: values averaged per step of the rule (``>= 1``).
      steps_per_epoch: step the rule only on the first update of each epoch (``None``: no gating); not
        combined with ``accumulation_size``.

    Returns:
      An ``optax.GradientTransformationExtraArgs`` whose state is a :class:`PlateauState`; ``update`` needs
      the keyword argument ``value``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxsched import reduce_on_plateau
      >>> tx = reduce_on_plateau(0.1, patience=1, factor=0.5, steps_per_epoch=2)
      >>> state = tx.init(jnp.zeros(2))
      >>> lrs = []
      >>> for metric in [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:  # val. metric of the last epoch
      ...     _, state = tx.update(jnp.ones(2), state, value=metric)
      ...     lrs.append(round(float(state.lr), 6))
      >>> lrs
      [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]
    """
    if _real("lr", lr) <= 0:
        raise v.ScheduleArgumentError("lr", "must be > 0", lr)
    machine = TorchPlateau(
        mode=mode,
        factor=factor,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,
        cooldown=cooldown,
        min_lr=_real("min_lr", min_lr),
        eps=eps,
    )
    size, per_epoch = check_window(accumulation_size, steps_per_epoch)
    return _transformation(machine, float(lr), None, size, per_epoch)


def timm_plateau(
    lr: float,
    *,
    decay_rate: float = 0.1,
    patience_t: int = 10,
    threshold: float = 1e-4,
    cooldown_t: int = 0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    lr_min: float = 0.0,
    mode: str = "max",
    accumulation_size: int = 1,
    steps_per_epoch: int | None = None,
) -> Any:
    """timm's ``PlateauLRScheduler`` as an optax transformation (see
    :func:`jaxsched.compat.timm.PlateauLRScheduler`, the public name)."""
    if _real("lr", lr) <= 0:
        raise v.ScheduleArgumentError("lr", "must be > 0", lr)
    machine = TimmPlateau(
        float(lr),
        decay_rate=decay_rate,
        patience_t=patience_t,
        threshold=threshold,
        cooldown_t=cooldown_t,
        warmup_t=warmup_t,
        warmup_lr_init=warmup_lr_init,
        lr_min=_real("lr_min", lr_min),
        mode=mode,
    )
    size, per_epoch = check_window(accumulation_size, steps_per_epoch)
    return _transformation(machine, float(lr), float(machine.initial_lr(np)), size, per_epoch)


def greedy_lr(
    lr: float,
    *,
    mode: str = "min",
    factor: float = 0.95,
    patience: int = 10,
    threshold: float = 1e-6,
    threshold_mode: str = "abs",
    cooldown: int = 0,
    warmup: int = 0,
    min_lr: float = 1e-3,
    max_lr: float = 1.0,
    eps: float = 1e-8,
    smooth: bool = False,
    window_size: int = 50,
    reset_start: int = 500,
    accumulation_size: int = 1,
    steps_per_epoch: int | None = None,
) -> Any:
    """HF's ``GreedyLR`` as an optax transformation (see :func:`jaxsched.compat.transformers.GreedyLR`,
    the public name)."""
    if _real("lr", lr) <= 0:
        raise v.ScheduleArgumentError("lr", "must be > 0", lr)
    for name, x in (("min_lr", min_lr), ("max_lr", max_lr)):
        if isinstance(x, list | tuple):
            raise v.ScheduleArgumentTypeError(name, "a float (one param group in optax)", x)
    machine = GreedyPlateau(
        float(lr),
        mode=mode,
        factor=factor,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,
        cooldown=cooldown,
        warmup=warmup,
        min_lr=min_lr,
        max_lr=max_lr,
        eps=eps,
        smooth=smooth,
        window_size=window_size,
        reset_start=reset_start,
    )
    size, per_epoch = check_window(accumulation_size, steps_per_epoch)
    return _transformation(machine, float(lr), None, size, per_epoch)
