"""One optax train loop with a jaxsched LR, run on 1 device and data-parallel over 8 host devices.

    XLA_FLAGS=--xla_force_host_platform_device_count=8 python jax_devices.py OUT

Runs N updates four ways: a single-device ``jit`` step; ``jit`` over a ``jax.sharding.Mesh`` with the batch
sharded and parameters replicated; ``jax.shard_map`` with a ``pmean`` of the gradients; ``jax.pmap``. The
sharded ways return the LR as seen on every device (shape ``(8,)`` per update). Writes ``OUT/devices.npz``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import jaxsched

N, DEVICES, PER_DEVICE = 12, 8, 2


def schedule() -> jaxsched.Schedule:
    return jaxsched.warmup_cosine_decay(0.0, 0.1, warmup_steps=3, decay_steps=10, end_value=1e-3)


OPT = optax.inject_hyperparams(optax.adamw)(learning_rate=schedule(), weight_decay=1e-2)


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, DEVICES * PER_DEVICE, 4)).astype(np.float32)
    y = (x @ np.asarray([1.0, -2.0, 0.5, 3.0], np.float32)).astype(np.float32)
    return x, y


def loss(p: Any, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)


def init() -> tuple[Any, Any]:
    p = {"w": jnp.zeros(4, jnp.float32), "b": jnp.zeros((), jnp.float32)}
    return p, OPT.init(p)


def apply(p: Any, state: Any, grads: Any) -> tuple[Any, Any, jax.Array]:
    updates, state = OPT.update(grads, state, p)
    return optax.apply_updates(p, updates), state, jaxsched.current(state)


def train_step(p: Any, state: Any, x: jax.Array, y: jax.Array) -> tuple[Any, Any, jax.Array]:
    return apply(p, state, jax.grad(loss)(p, x, y))


single_step = jax.jit(train_step)


def run_single() -> tuple[np.ndarray, Any]:
    p, state = init()
    x, y = data()
    dev = jax.devices()[0]
    p, state = jax.device_put((p, state), dev)
    lrs = []
    for k in range(N):
        p, state, lr = single_step(p, state, x[k], y[k])
        assert lr.devices() == {dev}
        lrs.append(np.asarray(lr))
    return np.stack(lrs), p


def run_mesh_jit(mesh: jax.sharding.Mesh) -> tuple[np.ndarray, Any]:
    replicated, batch = NamedSharding(mesh, P()), NamedSharding(mesh, P("data"))
    p, state = jax.device_put(init(), replicated)
    x, y = data()
    step = jax.jit(train_step, out_shardings=(replicated, replicated, replicated))
    lrs = []
    for k in range(N):
        p, state, lr = step(p, state, jax.device_put(x[k], batch), jax.device_put(y[k], batch))
        assert len(lr.addressable_shards) == DEVICES
        lrs.append(np.stack([np.asarray(s.data) for s in lr.addressable_shards]))
        # The optimizer state itself is replicated: every device holds the same injected LR.
        held = jaxsched.current(state)
        assert held.sharding.is_fully_replicated
    return np.stack(lrs), p


def run_shard_map(mesh: jax.sharding.Mesh) -> tuple[np.ndarray, Any]:
    @jax.jit
    @partial(
        jax.shard_map, mesh=mesh, in_specs=(P(), P(), P("data"), P("data")), out_specs=(P(), P(), P("data"))
    )
    def step(p: Any, state: Any, x: jax.Array, y: jax.Array) -> tuple[Any, Any, jax.Array]:
        grads = jax.lax.pmean(jax.grad(loss)(p, x, y), "data")
        p, state, lr = apply(p, state, grads)
        return p, state, lr[None]  # this device's LR

    replicated, batch = NamedSharding(mesh, P()), NamedSharding(mesh, P("data"))
    p, state = jax.device_put(init(), replicated)
    x, y = data()
    lrs = []
    for k in range(N):
        p, state, lr = step(p, state, jax.device_put(x[k], batch), jax.device_put(y[k], batch))
        lrs.append(np.asarray(lr))
    return np.stack(lrs), p


def run_pmap() -> tuple[np.ndarray, Any]:
    def step(p: Any, state: Any, x: jax.Array, y: jax.Array) -> tuple[Any, Any, jax.Array]:
        grads = jax.lax.pmean(jax.grad(loss)(p, x, y), "data")
        return apply(p, state, grads)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pmap may be deprecated in favour of shard_map
        pstep = jax.pmap(step, axis_name="data")
        p, state = jax.tree.map(lambda a: jnp.stack([a] * DEVICES), init())
        x, y = data()
        lrs = []
        for k in range(N):
            xs = x[k].reshape(DEVICES, PER_DEVICE, 4)
            ys = y[k].reshape(DEVICES, PER_DEVICE)
            p, state, lr = pstep(p, state, xs, ys)
            lrs.append(np.asarray(lr))
    return np.stack(lrs), jax.tree.map(lambda a: a[0], p)


def main(out: str) -> None:
    assert jax.device_count() == DEVICES, jax.devices()
    mesh = jax.make_mesh((DEVICES,), ("data",))
    results: dict[str, Any] = {}
    runs: list[tuple[str, Callable[[], tuple[np.ndarray, Any]]]] = [
        ("single", run_single),
        ("mesh_jit", partial(run_mesh_jit, mesh)),
        ("shard_map", partial(run_shard_map, mesh)),
        ("pmap", run_pmap),
    ]
    for name, fn in runs:
        lrs, p = fn()
        results[f"{name}_lrs"] = lrs
        results[f"{name}_w"] = np.asarray(p["w"])
        results[f"{name}_b"] = np.asarray(p["b"])
    np.savez(f"{out}/devices.npz", **results)


if __name__ == "__main__":
    main(sys.argv[1])
