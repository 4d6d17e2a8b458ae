"""An optax loop with a jaxsched learning rate, checkpointed mid-run and resumed (tests/test_resume.py).

    python optax_resume.py full OUT N K     # N updates uninterrupted; after K of them, write checkpoints
    python optax_resume.py resume OUT N K   # in a new process: restore each checkpoint, run updates K..N-1

``full`` writes ``OUT/full.npz`` (the LR after every update, ``jaxsched.current(state)``, and the final
parameters), ``OUT/schedule.json`` (the schedule's config), ``OUT/state.pkl`` (pickle of the schedule,
parameters and optimizer state) and, when orbax-checkpoint is installed, ``OUT/orbax`` (parameters and
optimizer state). ``resume`` rebuilds the optimizer from those and writes ``OUT/resumed_<format>.npz``.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jaxsched


def schedule() -> jaxsched.Schedule:
    warm = jaxsched.warmup_cosine_decay(0.0, 0.05, warmup_steps=4, decay_steps=24, end_value=1e-4)
    return jaxsched.join([warm, jaxsched.cyclic(1e-3, 1e-2, step_size_up=3)], boundaries=[24])


def optimizer(s: jaxsched.Schedule) -> optax.GradientTransformation:
    return optax.inject_hyperparams(optax.adamw)(learning_rate=s, weight_decay=1e-2)


def batches(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 16, 4)).astype(np.float32)
    y = (x @ np.asarray([1.0, -2.0, 0.5, 3.0], np.float32) + 0.25).astype(np.float32)
    return x, y


def init_params() -> dict[str, jax.Array]:
    return {"w": jnp.zeros(4, jnp.float32), "b": jnp.zeros((), jnp.float32)}


def make_step(opt: optax.GradientTransformation) -> Any:
    def loss(p: Any, x: jax.Array, y: jax.Array) -> jax.Array:
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    @jax.jit
    def step(p: Any, state: Any, x: jax.Array, y: jax.Array) -> tuple[Any, Any, jax.Array]:
        grads = jax.grad(loss)(p, x, y)
        updates, state = opt.update(grads, state, p)
        return optax.apply_updates(p, updates), state, jaxsched.current(state)

    return step


def run(
    opt: optax.GradientTransformation, params: Any, state: Any, start: int, stop: int, on_step: Any = None
) -> tuple[Any, Any, list[np.ndarray]]:
    step = make_step(opt)
    x, y = batches(stop)
    lrs = []
    for k in range(start, stop):
        params, state, lr = step(params, state, x[k], y[k])
        lrs.append(np.asarray(lr))
        if on_step is not None:
            on_step(k + 1, params, state)
    return params, state, lrs


def save(out: str, params: Any, state: Any, s: jaxsched.Schedule) -> None:
    with open(os.path.join(out, "schedule.json"), "w") as fh:
        json.dump(s.to_config(), fh)
    with open(os.path.join(out, "state.pkl"), "wb") as fh:
        pickle.dump({"schedule": s, "params": jax.device_get(params), "state": jax.device_get(state)}, fh)
    try:
        import orbax.checkpoint as ocp
    except ImportError:
        return
    ocp.PyTreeCheckpointer().save(os.path.join(out, "orbax"), {"params": params, "state": state})


def full(out: str, n: int, k: int) -> None:
    s = schedule()
    opt = optimizer(s)
    params = init_params()

    def checkpoint(done: int, p: Any, st: Any) -> None:
        if done == k:
            save(out, p, st, s)

    params, _, lrs = run(opt, params, opt.init(params), 0, n, checkpoint)
    np.savez(os.path.join(out, "full.npz"), lrs=np.stack(lrs), w=params["w"], b=params["b"])


def resume(out: str, n: int, k: int) -> None:
    formats = ["pickle"]
    if os.path.isdir(os.path.join(out, "orbax")):
        formats.append("orbax")
    for fmt in formats:
        if fmt == "pickle":
            with open(os.path.join(out, "state.pkl"), "rb") as fh:
                saved = pickle.load(fh)
            s, params, state = saved["schedule"], saved["params"], saved["state"]
        else:
            import orbax.checkpoint as ocp

            with open(os.path.join(out, "schedule.json")) as fh:
                s = jaxsched.from_config(json.load(fh))
            params = init_params()
            target = {"params": params, "state": optimizer(s).init(params)}
            abstract = jax.tree.map(
                lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=a.sharding), target
            )
            restored = ocp.PyTreeCheckpointer().restore(
                os.path.join(out, "orbax"), args=ocp.args.PyTreeRestore(item=abstract)
            )
            params, state = restored["params"], restored["state"]
        assert s == schedule(), s
        # The restored state reports the LR of the last update before the checkpoint.
        before = np.asarray(jaxsched.current(state))
        params, _, lrs = run(optimizer(s), params, state, k, n)
        np.savez(
            os.path.join(out, f"resumed_{fmt}.npz"),
            lrs=np.stack(lrs),
            w=params["w"],
            b=params["b"],
            before=before,
            restored_type=type(state).__name__,
        )


if __name__ == "__main__":
    mode, out, n, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    {"full": full, "resume": resume}[mode](out, n, k)
