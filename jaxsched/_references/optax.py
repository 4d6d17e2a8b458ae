"""Reference runners for :mod:`jaxsched.compat.optax`: the same arguments given to optax itself.

optax is evaluated with ``jax_enable_x64`` on, block by block, so the reference values are float64
(optax's formulas are the same in either precision; float64 keeps the comparison about the formula, not
about rounding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import port_kwargs, register_stream

_NAMES = (
    "constant_schedule",
    "polynomial_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "exponential_decay",
    "cosine_decay_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
    "piecewise_interpolate_schedule",
    "linear_onecycle_schedule",
    "cosine_onecycle_schedule",
)


def optax_values(fn_name: str, kwargs: dict[str, Any], n: int | np.ndarray) -> np.ndarray:
    """``optax.<fn_name>(**kwargs)`` evaluated (float64) at counts ``0..n-1`` or at the given counts."""
    import jax
    import jax.numpy as jnp
    import optax

    counts = np.arange(int(n)) if np.ndim(n) == 0 else np.asarray(n)
    with jax.enable_x64(True):
        fn = getattr(optax, fn_name)(**kwargs)
        c = jnp.asarray(counts, jnp.int64)
        if "onecycle" in fn_name or "interpolate" in fn_name:
            out = jax.vmap(fn)(c)  # optax's piecewise interpolation needs vmap for arrays
        else:
            out = fn(c)  # eager on the whole array: no compilation per configuration
        return np.broadcast_to(np.asarray(out, np.float64), counts.shape).copy()


def optax_kwargs(schedule: Schedule) -> dict[str, Any]:
    """The port's constructor arguments, in the form optax takes them (dicts for boundaries)."""
    out = port_kwargs(schedule, exclude=())
    if "boundaries_and_scales" in out:
        out["boundaries_and_scales"] = {int(b): float(s) for b, s in out["boundaries_and_scales"]} or None
    return out


def _runner(fn_name: str) -> Callable[[Schedule, int, int], Iterator[np.ndarray]]:
    def stream(schedule: Schedule, n: int, block: int) -> Iterator[np.ndarray]:
        kwargs = optax_kwargs(schedule)
        for a in range(0, n, block):
            yield optax_values(fn_name, kwargs, np.arange(a, min(a + block, n)))

    stream.__name__ = f"stream_{fn_name}"
    return stream


for _name in _NAMES:
    register_stream(f"compat.optax.{_name}", "optax", module="optax")(_runner(_name))
