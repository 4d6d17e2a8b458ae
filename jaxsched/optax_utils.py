"""Helpers around ``optax.inject_hyperparams``: read the current value of a scheduled hyperparameter."""

from __future__ import annotations

from typing import Any

import jax


def _is_inject_state(x: Any) -> bool:
    return hasattr(x, "hyperparams") and isinstance(getattr(x, "hyperparams", None), dict) and hasattr(
        x, "inner_state")


def current(opt_state: Any, name: str = "learning_rate") -> Any:
    """The value of hyperparameter ``name`` injected anywhere in an optax state.

    Works on any nesting of ``optax.chain``, ``optax.multi_transform``, ``optax.masked`` and friends: it
    finds every ``optax.inject_hyperparams`` state and reads ``hyperparams[name]``. After ``n >= 1``
    updates that is the value used by the most recent update, ``s(n - 1)``; after ``init`` it is ``s(0)``.

    Args:
      opt_state: an optimizer state.
      name: the hyperparameter, e.g. ``"learning_rate"``, ``"weight_decay"``, ``"b1"``.

    Returns:
      The value (a JAX array).

    Raises:
      KeyError: if no injected state has ``name``, or if more than one has (the message lists their paths;
        pass the sub-state you mean).

    Example:
      >>> import jax.numpy as jnp, optax, jaxsched
      >>> opt = optax.inject_hyperparams(optax.adam)(learning_rate=jaxsched.linear(1.0, 0.0, 10))
      >>> state = opt.init({"w": jnp.zeros(3)})
      >>> float(jaxsched.current(state))
      1.0
    """
    found: list[tuple[str, Any]] = []
    leaves, _ = jax.tree_util.tree_flatten_with_path(opt_state, is_leaf=_is_inject_state)
    for path, leaf in leaves:
        if _is_inject_state(leaf) and name in leaf.hyperparams:
            found.append((jax.tree_util.keystr(path) or "<root>", leaf.hyperparams[name]))
    if not found:
        raise KeyError(
            f"no injected hyperparameter {name!r} in this optimizer state; wrap the optimizer with "
            f"optax.inject_hyperparams to record it")
    if len(found) > 1:
        paths = ", ".join(p for p, _ in found)
        raise KeyError(f"hyperparameter {name!r} is injected in several places ({paths}); "
                       f"pass the sub-state you mean")
    return found[0][1]
