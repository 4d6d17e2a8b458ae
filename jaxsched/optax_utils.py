"""Helpers around optax states: read the current value of a scheduled hyperparameter.

Importing this module imports no JAX (``current`` does, when called).
"""

from __future__ import annotations

from typing import Any

from jaxsched._plateau import PlateauState

__all__ = ["current"]

PLATEAU_SCALE = "plateau_scale"


def _is_inject_state(x: Any) -> bool:
    return (
        hasattr(x, "hyperparams")
        and isinstance(getattr(x, "hyperparams", None), dict)
        and hasattr(x, "inner_state")
    )


def _is_leaf(x: Any) -> bool:
    return _is_inject_state(x) or isinstance(x, PlateauState)


def _one(found: list[tuple[str, Any]], what: str) -> Any:
    if len(found) > 1:
        paths = ", ".join(p for p, _ in found)
        raise KeyError(f"{what} is found in several places ({paths}); pass the sub-state you mean")
    return found[0][1]


def current(opt_state: Any, name: str = "learning_rate") -> Any:
    """The value of hyperparameter ``name`` injected anywhere in an optax state, times any plateau scale.

    Works on any nesting of ``optax.chain``, ``optax.multi_transform``, ``optax.masked`` and friends: it
    finds every ``optax.inject_hyperparams`` state and reads ``hyperparams[name]``. After ``n >= 1``
    updates that is the value used by the most recent update, ``s(n - 1)``; after ``init`` it is ``s(0)``.

    For ``name="learning_rate"``, a :func:`jaxsched.reduce_on_plateau` state (or another metric-driven
    transformation of :mod:`jaxsched._plateau`) in the same optimizer multiplies the updates by its
    ``scale``, so the result is the injected learning rate times that scale: the LR the last update used.
    ``name="plateau_scale"`` returns the plateau's scale alone (the ratio of the current LR to the initial
    one).

    Args:
      opt_state: an optimizer state.
      name: the hyperparameter, e.g. ``"learning_rate"``, ``"weight_decay"``, ``"b1"``, or
        ``"plateau_scale"``.

    Returns:
      The value (a JAX array).

    Raises:
      KeyError: if no injected state has ``name`` (for a state whose learning rate is scaled by a plateau
        transformation but not injected, the message gives the scale and how to read it), or if more than
        one state has it (the message lists their paths; pass the sub-state you mean).

    Example:
      >>> import jax.numpy as jnp, optax, jaxsched
      >>> opt = optax.inject_hyperparams(optax.adam)(learning_rate=jaxsched.linear(1.0, 0.0, 10))
      >>> state = opt.init({"w": jnp.zeros(3)})
      >>> float(jaxsched.current(state))
      1.0
      >>> opt = optax.chain(opt, jaxsched.reduce_on_plateau(factor=0.5, patience=0))
      >>> state = opt.init({"w": jnp.zeros(3)})
      >>> for loss in [1.0, 2.0]:
      ...     _, state = opt.update({"w": jnp.ones(3)}, state, value=loss)
      >>> round(float(jaxsched.current(state)), 6)  # linear(1.0, 0.0, 10) at update 1, times the scale 0.5
      0.45
    """
    import jax

    injected: list[tuple[str, Any]] = []
    plateaus: list[tuple[str, Any]] = []
    leaves, _ = jax.tree_util.tree_flatten_with_path(opt_state, is_leaf=_is_leaf)
    for path, leaf in leaves:
        where = jax.tree_util.keystr(path) or "<root>"
        if isinstance(leaf, PlateauState):
            plateaus.append((where, leaf.scale))
        elif _is_inject_state(leaf) and name in leaf.hyperparams:
            injected.append((where, leaf.hyperparams[name]))
    if name == PLATEAU_SCALE:
        if not plateaus:
            raise KeyError(
                "no reduce_on_plateau state in this optimizer state (plateau_scale is the scale "
                "of jaxsched.reduce_on_plateau and the other metric-driven transformations)"
            )
        return _one(plateaus, "a plateau state")
    if not injected:
        if plateaus and name == "learning_rate":
            scale = _one(plateaus, "a plateau state")
            raise KeyError(
                f"no injected 'learning_rate' in this optimizer state; it holds a plateau state whose scale "
                f"is {float(scale):.6g} (the updates are multiplied by it, so the LR in use is the "
                f"optimizer's learning rate times it): read the scale with jaxsched.current(state, "
                f"'plateau_scale'), or inject the learning rate with optax.inject_hyperparams to get the "
                f"product from jaxsched.current(state)"
            )
        raise KeyError(
            f"no injected hyperparameter {name!r} in this optimizer state; wrap the optimizer with "
            f"optax.inject_hyperparams to record it"
        )
    value = _one(injected, f"hyperparameter {name!r}")
    if name == "learning_rate" and plateaus:
        value = value * _one(plateaus, "a plateau state")
    return value
