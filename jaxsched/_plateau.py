r"""Reduce-on-plateau, exactly as ``torch.optim.lr_scheduler.ReduceLROnPlateau``, for optax and torch.

The state transition is written once (:func:`plateau_transition`) against an array namespace: ``jax.numpy``
for the optax transformation :func:`reduce_on_plateau`, NumPy float64 for ``torch_bridge.ReduceLROnPlateau``.
One call is one torch ``scheduler.step(metric)``:

.. code-block:: text

    better = value < best*(1 - th)   (min, rel)  | value < best - th  (min, abs)
             value > best*(1 + th)   (max, rel)  | value > best + th  (max, abs)
    best, bad = (value, 0) if better else (best, bad + 1)
    if cooldown_left > 0: cooldown_left -= 1; bad = 0
    if bad > patience:    new = max(lr*factor, min_lr); lr = new if lr - new > eps else lr
                          cooldown_left = cooldown; bad = 0

``best`` starts at ``+inf`` (min) or ``-inf`` (max). As in torch, ``"rel"`` mode is wrong-signed for
negative metrics, and ``eps`` suppresses reductions smaller than it.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from jaxsched import _validate as v

__all__ = ["PlateauState", "check_plateau_args", "plateau_transition", "reduce_on_plateau"]


class PlateauState(NamedTuple):
    """The state of reduce-on-plateau (arrays or floats, depending on the namespace).

    Attributes:
      lr: the current value (one per param group in torch_bridge; a scalar in optax).
      best: the best metric seen so far.
      num_bad_epochs: calls since the last improvement (reset in cooldown and after a reduction).
      cooldown_counter: calls of cooldown left.
      count: calls so far (torch's ``last_epoch``).
    """

    lr: Any
    best: Any
    num_bad_epochs: Any
    cooldown_counter: Any
    count: Any


def check_plateau_args(mode: str, factor: float, patience: int, threshold: float, threshold_mode: str,
                       cooldown: int, min_lr: Any, eps: float) -> None:
    """Torch's checks (its messages), at construction, naming the argument."""
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not math.isfinite(factor):
        raise v.ScheduleArgumentTypeError("factor", "a finite float", factor)
    if factor >= 1.0:
        raise v.ScheduleArgumentError("factor", "Factor should be < 1.0.", factor)
    if mode not in ("min", "max"):
        raise v.ScheduleArgumentError("mode", f"mode {mode} is unknown!", mode, show_value=False)
    if threshold_mode not in ("rel", "abs"):
        raise v.ScheduleArgumentError("threshold_mode", f"threshold mode {threshold_mode} is unknown!",
                                      threshold_mode, show_value=False)
    v.integer("patience", patience, minimum=0)
    v.integer("cooldown", cooldown, minimum=0)
    v.number("threshold", threshold)
    v.nonnegative("eps", eps)
    v.number("min_lr", min_lr)


def initial_best(mode: str) -> float:
    return math.inf if mode == "min" else -math.inf


def plateau_transition(xp: Any, state: PlateauState, value: Any, *, mode: str, factor: Any,
                       patience: Any, threshold: Any, threshold_mode: str, cooldown: Any, min_lr: Any,
                       eps: Any) -> PlateauState:
    """One ``step(metric)`` of torch's ``ReduceLROnPlateau``, in the array namespace ``xp``.

    ``mode`` and ``threshold_mode`` are static; everything else may be an array (``state.lr`` and
    ``min_lr`` broadcast per param group).
    """
    best = state.best
    if mode == "min":
        better = value < (best * (1.0 - threshold) if threshold_mode == "rel" else best - threshold)
    else:
        better = value > (best * (1.0 + threshold) if threshold_mode == "rel" else best + threshold)
    best = xp.where(better, value, best)
    bad = xp.where(better, 0, state.num_bad_epochs + 1)
    in_cooldown = state.cooldown_counter > 0
    cooldown_left = xp.where(in_cooldown, state.cooldown_counter - 1, state.cooldown_counter)
    bad = xp.where(in_cooldown, 0, bad)
    reduce = bad > patience
    lr = state.lr
    new = xp.maximum(lr * factor, min_lr)
    lr = xp.where(reduce & (lr - new > eps), new, lr)
    cooldown_left = xp.where(reduce, cooldown, cooldown_left)
    bad = xp.where(reduce, 0, bad)
    return PlateauState(lr, best, bad, cooldown_left, state.count + 1)


def reduce_on_plateau(lr: float = 1.0, *, mode: str = "min", factor: float = 0.1, patience: int = 10,
                      threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                      min_lr: float = 0.0, eps: float = 1e-8) -> Any:
    r"""Torch's ``ReduceLROnPlateau`` as an optax transformation that scales updates by ``lr_now / lr``.

    The state holds the current LR (``state.lr``, starting at ``lr``), torch's ``best``, ``num_bad_epochs``
    and ``cooldown_counter``. Each ``update(updates, state, params, value=metric)`` first applies one torch
    ``step(metric)`` to the state (see :func:`plateau_transition`), then multiplies the updates by
    ``state.lr / lr``. So after ``k`` updates, ``state.lr`` equals torch's ``get_last_lr()[0]`` after ``k``
    ``step(metric)`` calls with the same metrics (exactly, under ``jax_enable_x64``; in float32 the state is
    float32). Use it after an optimizer with ``learning_rate=lr`` and ``lr=that value`` (then ``state.lr`` is
    the effective LR), or with the default ``lr=1.0`` after any optimizer (then ``state.lr`` is the factor).
    A reduction is applied in the update that receives the metric, i.e. call ``update`` with the metric at
    the granularity torch would call ``step`` (typically once per epoch; pass the same value, or use
    ``optax.apply_every``-style gating, in between).

    .. math:: u_k \leftarrow u_k \cdot \frac{\mathrm{lr}_k}{\mathrm{lr}_0}

    Args:
      lr: the initial LR :math:`\mathrm{lr}_0 > 0` (1.0: the state holds a factor).
      mode: ``"min"`` or ``"max"``.
      factor: multiplicative reduction, ``< 1``.
      patience: calls without improvement tolerated (a reduction when ``num_bad_epochs > patience``).
      threshold: the improvement threshold.
      threshold_mode: ``"rel"`` or ``"abs"``.
      cooldown: calls to wait after a reduction before counting bad calls again.
      min_lr: floor of the LR.
      eps: reductions smaller than this are skipped.

    Returns:
      An ``optax.GradientTransformationExtraArgs``; ``update`` needs the keyword argument ``value``.

    Example:
      >>> import jax.numpy as jnp
      >>> from jaxsched._plateau import reduce_on_plateau
      >>> tx = reduce_on_plateau(0.1, patience=1, factor=0.5)
      >>> state = tx.init(jnp.zeros(2))
      >>> lrs = []
      >>> for metric in [1.0, 1.0, 1.0, 1.0]:
      ...     _, state = tx.update(jnp.ones(2), state, value=metric)
      ...     lrs.append(round(float(state.lr), 6))
      >>> lrs
      [0.1, 0.1, 0.05, 0.05]
    """
    import jax
    import jax.numpy as jnp
    import optax

    check_plateau_args(mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps)
    v.positive("lr", lr)
    static = {"mode": mode, "threshold_mode": threshold_mode}
    consts: dict[str, Any] = {"factor": factor, "patience": patience, "threshold": threshold,
                              "cooldown": cooldown, "min_lr": min_lr, "eps": eps}

    def dtype() -> Any:
        return jnp.result_type(float)  # float64 under jax_enable_x64, else float32

    def init_fn(params: Any) -> PlateauState:
        del params
        f = dtype()
        return PlateauState(lr=jnp.asarray(lr, f), best=jnp.asarray(initial_best(mode), f),
                            num_bad_epochs=jnp.asarray(0, jnp.int32),
                            cooldown_counter=jnp.asarray(0, jnp.int32), count=jnp.asarray(0, jnp.int32))

    def update_fn(updates: Any, state: PlateauState, params: Any = None, *, value: Any,
                  **extra_args: Any) -> tuple[Any, PlateauState]:
        del params, extra_args
        f = dtype()
        new = plateau_transition(jnp, state, jnp.asarray(value, f), **static, **consts)
        new = PlateauState(new.lr.astype(f), new.best.astype(f), new.num_bad_epochs.astype(jnp.int32),
                           new.cooldown_counter.astype(jnp.int32), new.count.astype(jnp.int32))
        scale = new.lr / jnp.asarray(lr, f)
        updates = jax.tree_util.tree_map(lambda u: (u * scale).astype(u.dtype), updates)
        return updates, new

    return optax.GradientTransformationExtraArgs(init_fn, update_fn)
