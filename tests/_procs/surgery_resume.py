"""Resume across a branch, in a fresh process (tests/test_surgery.py).

    python surgery_resume.py run OUT K        # the running schedule for K updates; checkpoint to OUT
    python surgery_resume.py branch OUT K N   # a new process: resume from OUT with
                                              # jaxsched.branch(running, at=K, ...), run N more updates

Both sides run: optax (inject_hyperparams(sgd), the opt state pickled) and torch (SGD + ScheduleLR, the
state dicts saved with torch.save). ``branch`` writes OUT/branched.json: the LR each resumed update used on
each side, the value the branch gives there, and the scheduler's recorded surgery.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import optax
import torch

import jaxsched
from torch_bridge import ScheduleLR


def running() -> jaxsched.Schedule:
    return jaxsched.warmup_stable_decay(0.05, warmup_steps=10, total_steps=10_000, decay_steps=2_000)


def branched(k: int) -> jaxsched.Schedule:
    return jaxsched.branch(running(), at=k, decay_steps=20, end_value=1e-4, decay_shape="1-sqrt")


def optax_opt(s: jaxsched.Schedule) -> optax.GradientTransformation:
    return optax.inject_hyperparams(optax.sgd)(learning_rate=s)


def torch_parts(s: jaxsched.Schedule) -> tuple[torch.optim.Optimizer, ScheduleLR]:
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([p], lr=0.05)
    return opt, ScheduleLR(opt, s, warn_on_override=False)


def main() -> None:
    mode, out, k = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    params = {"w": jnp.ones(3)}
    grad = jax.grad(lambda p: jnp.sum(p["w"] ** 2))
    if mode == "run":
        tx = optax_opt(running())
        state = tx.init(params)
        for _ in range(k):
            updates, state = tx.update(grad(params), state, params)
            params = optax.apply_updates(params, updates)
        (out / "optax.pkl").write_bytes(pickle.dumps(jax.device_get((params, state))))
        opt, sched = torch_parts(running())
        for _ in range(k):
            opt.step()
            sched.step()
        torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, out / "torch.pt")
        return
    n = int(sys.argv[4])
    new = branched(k)
    params, state = pickle.loads((out / "optax.pkl").read_bytes())
    tx = optax_opt(new)  # the same optimizer with the branched schedule: the count carries on
    jax_lrs = []
    step = jax.jit(lambda p, s: tx.update(grad(p), s, p))
    for _ in range(n):
        updates, state = step(params, state)
        jax_lrs.append(float(jaxsched.current(state)))
        params = optax.apply_updates(params, updates)
    saved = torch.load(out / "torch.pt", weights_only=True)
    opt, sched = torch_parts(new)
    opt.load_state_dict(saved["opt"])
    sched.load_state_dict(saved["sched"])
    torch_lrs = []
    for _ in range(n):
        torch_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    (out / "branched.json").write_text(
        json.dumps(
            {
                "jax": jax_lrs,
                "torch": torch_lrs,
                "want": new.numpy(range(k, k + n)).tolist(),
                "running_at_k": float(running().numpy(k)),
                "surgery": sched.state_dict()["surgery"],
            }
        )
    )


if __name__ == "__main__":
    main()
