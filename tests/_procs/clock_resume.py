"""A run on the token clock with a ramping batch size, checkpointed mid-run and resumed (tests/test_clock.py).

    python clock_resume.py full OUT N K     # N updates uninterrupted (JAX and torch); checkpoints after K
    python clock_resume.py resume OUT N K   # in a new process: restore each checkpoint, run updates K..N-1

Both sides take the batch size of update k from ``batch_plan()`` (gradient accumulation over micro-batches
of fixed size) and feed the update's tokens to the clock: JAX through
``jaxsched.on_tokens(optax.adamw, ...)`` (``opt.update(..., tokens=n)`` in a jitted step), torch through
``torch_bridge.TokenScheduleLR.step(tokens=n)``. A resumed run finds its place in the batch schedule from
the restored token clock. ``full`` writes ``OUT/full.json``; ``resume`` writes ``OUT/resumed.json``.
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
import torch

import jaxsched
from torch_bridge import TokenScheduleLR

SEQ_LEN = 256
MICRO = 2
TOKENS_PER_STEP = 4096


def schedule() -> jaxsched.Schedule:
    cfg = {
        "name": "warmup_cosine_decay",
        "init_value": 0.0,
        "peak_value": 0.05,
        "warmup_steps": "20k tok",
        "decay_steps": "200k tok",
        "end_value": 1e-4,
    }
    return jaxsched.from_config(cfg, tokens_per_step=TOKENS_PER_STEP)


def batch_sizes() -> jaxsched.BatchSizeSchedule:
    return jaxsched.batch_size_schedule(
        [(0, 4), (40_000, 32)], clock="tokens", increment=4, micro_batch_size=MICRO, seq_len=SEQ_LEN
    )


def plan_from(update: int, tokens_before: int, n: int) -> jaxsched.clock.BatchPlan:
    assert tokens_before % SEQ_LEN == 0
    return batch_sizes().plan(n - update, samples_before=tokens_before // SEQ_LEN, start_update=update)


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 16, MICRO, 4)).astype(np.float32)
    y = (x @ np.asarray([1.0, -2.0, 0.5, 3.0], np.float32) + 0.25).astype(np.float32)
    return x, y


# -- JAX ------------------------------------------------------------------------------------------------


def jax_optimizer() -> optax.GradientTransformationExtraArgs:
    return jaxsched.on_tokens(optax.adamw, tokens_per_step=TOKENS_PER_STEP)(
        learning_rate=schedule(), weight_decay=1e-2
    )


def jax_params() -> dict[str, jax.Array]:
    return {"w": jnp.zeros(4, jnp.float32), "b": jnp.zeros((), jnp.float32)}


def jax_run(
    params: Any, state: Any, start: int, n: int, on_step: Any = None
) -> tuple[Any, Any, list[float], list[int]]:
    opt = jax_optimizer()

    @jax.jit
    def grad(p: Any, x: jax.Array, y: jax.Array) -> Any:
        return jax.grad(lambda q: jnp.mean((x @ q["w"] + q["b"] - y) ** 2))(p)

    @jax.jit
    def apply(p: Any, st: Any, g: Any, tokens: jax.Array) -> tuple[Any, Any, jax.Array]:
        updates, st = opt.update(g, st, p, tokens=tokens)
        return optax.apply_updates(p, updates), st, jaxsched.current(st)

    plan = plan_from(start, int(jaxsched.current(state, "tokens")), n)
    x, y = data(n)
    lrs, clocks = [], []
    for i, k in enumerate(range(start, n)):
        acc = int(plan.accumulation[i])
        total = None
        for j in range(acc):  # gradient accumulation: the mean over the update's micro-batches
            g = grad(params, x[k, j], y[k, j])
            total = g if total is None else jax.tree.map(jnp.add, total, g)
        g = jax.tree.map(lambda a, acc=acc: a / acc, total)
        params, state, lr = apply(params, state, g, jnp.int32(int(plan.batch_size[i]) * SEQ_LEN))
        lrs.append(float(lr))
        clocks.append(int(jaxsched.current(state, "tokens")))
        if on_step is not None:
            on_step(k + 1, params, state)
    return params, state, lrs, clocks


# -- torch ----------------------------------------------------------------------------------------------


def torch_setup() -> tuple[torch.nn.Module, torch.optim.Optimizer, TokenScheduleLR]:
    torch.manual_seed(0)
    m = torch.nn.Linear(4, 1)
    opt = torch.optim.AdamW(m.parameters(), lr=0.123, weight_decay=1e-2)
    return m, opt, TokenScheduleLR(opt, schedule(), tokens_per_step=TOKENS_PER_STEP)


def torch_run(
    m: torch.nn.Module,
    opt: torch.optim.Optimizer,
    sched: TokenScheduleLR,
    start: int,
    n: int,
    on_step: Any = None,
) -> tuple[list[float], list[int]]:
    plan = plan_from(start, sched.tokens, n)
    x, y = data(n)
    lrs, clocks = [], []
    for i, k in enumerate(range(start, n)):
        acc = int(plan.accumulation[i])
        lrs.append(opt.param_groups[0]["lr"])  # the LR update k applies
        opt.zero_grad()
        for j in range(acc):
            xt, yt = torch.from_numpy(x[k, j]), torch.from_numpy(y[k, j])
            (torch.nn.functional.mse_loss(m(xt).squeeze(-1), yt) / acc).backward()
        opt.step()
        sched.step(tokens=int(plan.batch_size[i]) * SEQ_LEN)
        clocks.append(sched.tokens)
        if on_step is not None:
            on_step(k + 1)
    return lrs, clocks


# -- modes ----------------------------------------------------------------------------------------------


def full(out: str, n: int, k: int) -> None:
    def save_jax(done: int, p: Any, st: Any) -> None:
        if done != k:
            return
        with open(os.path.join(out, "jax.pkl"), "wb") as fh:
            pickle.dump({"params": jax.device_get(p), "state": jax.device_get(st)}, fh)
        import orbax.checkpoint as ocp

        ocp.PyTreeCheckpointer().save(os.path.join(out, "orbax"), {"params": p, "state": st})

    params = jax_params()
    params, _, jlrs, jclocks = jax_run(params, jax_optimizer().init(params), 0, n, save_jax)

    m, opt, sched = torch_setup()

    def save_torch(done: int) -> None:
        if done == k:
            torch.save(
                {"model": m.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()},
                os.path.join(out, "torch.pt"),
            )

    tlrs, tclocks = torch_run(m, opt, sched, 0, n, save_torch)
    plan = batch_sizes().plan(n)
    result = {
        "jax_lrs": jlrs,
        "jax_clocks": jclocks,
        "jax_w": np.asarray(params["w"]).tolist(),
        "torch_lrs": tlrs,
        "torch_clocks": tclocks,
        "torch_w": m.weight.detach().numpy().ravel().tolist(),
        "batch_size": plan.batch_size.tolist(),
        "tokens_before": plan.tokens_before.tolist(),
    }
    with open(os.path.join(out, "full.json"), "w") as fh:
        json.dump(result, fh)


def resume(out: str, n: int, k: int) -> None:
    result: dict[str, Any] = {}
    with open(os.path.join(out, "jax.pkl"), "rb") as fh:
        saved = pickle.load(fh)
    import orbax.checkpoint as ocp

    target = {"params": jax_params(), "state": jax_optimizer().init(jax_params())}
    abstract = jax.tree.map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=a.sharding), target)
    restored = ocp.PyTreeCheckpointer().restore(
        os.path.join(out, "orbax"), args=ocp.args.PyTreeRestore(item=abstract)
    )
    for fmt, ckpt in (("pickle", saved), ("orbax", restored)):
        state = ckpt["state"]
        result[f"jax_{fmt}_restored_clock"] = int(jaxsched.current(state, "tokens"))
        params, _, lrs, clocks = jax_run(ckpt["params"], state, k, n)
        result[f"jax_{fmt}_lrs"] = lrs
        result[f"jax_{fmt}_clocks"] = clocks
        result[f"jax_{fmt}_w"] = np.asarray(params["w"]).tolist()

    ckpt = torch.load(os.path.join(out, "torch.pt"), weights_only=True)
    m, opt, sched = torch_setup()
    m.load_state_dict(ckpt["model"])
    sched.load_state_dict(ckpt["sched"])
    opt.load_state_dict(ckpt["opt"])
    result["torch_restored_clock"] = sched.tokens
    lrs, clocks = torch_run(m, opt, sched, k, n)
    result.update(torch_lrs=lrs, torch_clocks=clocks, torch_w=m.weight.detach().numpy().ravel().tolist())
    with open(os.path.join(out, "resumed.json"), "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    mode, out, n, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    {"full": full, "resume": resume}[mode](out, n, k)
