"""Whole curves: 10M steps in one jitted vectorised call, jaxsched vs optax; vs stepping torch's
``CosineAnnealingLR`` in a Python loop; and ``s.numpy()`` (float64, no JAX) on 10M steps.

* JAX: ``jax.jit(lambda k: s(k))`` on a ready int32 array of 10M steps (compiled first; the time is
the
  call plus ``block_until_ready``), jaxsched and optax alternating, median over rounds.
* torch: ``CosineAnnealingLR`` stepped ``TORCH_STEPS`` times reading ``get_last_lr()`` each time;
the
  per-step cost is multiplied up to 10M steps (stepping 10M times would take minutes).
* NumPy: ``s.numpy(np.arange(10M))`` time and its peak traced memory (``tracemalloc``), next to the
  80 MB the float64 result itself needs.

Run alone: ``python benchmarks/bench_curves.py``.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jaxsched

N = 10_000_000
ROUNDS = 7
TORCH_STEPS = 20_000


def _time(f: object) -> float:
    t0 = time.perf_counter()
    jax.block_until_ready(f())  # type: ignore[operator]
    return time.perf_counter() - t0


def jax_curves() -> list[str]:
    steps = jnp.arange(N, dtype=jnp.int32)
    cases = {
        "cosine_decay": (jaxsched.cosine_decay(1e-3, N), optax.cosine_decay_schedule(1e-3, N)),
        "warmup_cosine_decay": (
            jaxsched.warmup_cosine_decay(0.0, 1e-3, N // 100, N, 1e-5),
            optax.warmup_cosine_decay_schedule(0.0, 1e-3, N // 100, N, 1e-5),
        ),
        "exponential_decay": (
            jaxsched.exponential_decay(1e-3, N // 10, 0.5),
            optax.exponential_decay(1e-3, N // 10, 0.5),
        ),
        "linear": (jaxsched.linear(1e-3, 0.0, N), optax.linear_schedule(1e-3, 0.0, N)),
    }
    rows = []
    for name, (ours, theirs) in cases.items():
        fj = jax.jit(lambda k, s=ours: s(k))
        fo = jax.jit(lambda k, s=theirs: s(k))
        _time(lambda f=fj: f(steps))
        _time(lambda f=fo: f(steps))
        tj, to, ratios = [], [], []
        for _ in range(ROUNDS):
            a = _time(lambda f=fj: f(steps))
            b = _time(lambda f=fo: f(steps))
            tj.append(a)
            to.append(b)
            ratios.append(a / b)
        rows.append(
            f"| {name} | {statistics.median(tj) * 1e3:.1f} | {statistics.median(to) * 1e3:.1f} | "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f} - {max(ratios):.2f}) |"
        )
    return rows


def torch_loop(T: int) -> float:
    """Seconds per step of CosineAnnealingLR in a Python loop (reading the LR each step)."""
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T)
    out = np.empty(TORCH_STEPS)
    t0 = time.perf_counter()
    for i in range(TORCH_STEPS):
        out[i] = sched.get_last_lr()[0]
        opt.step()
        sched.step()
    return (time.perf_counter() - t0) / TORCH_STEPS


def numpy_curve() -> tuple[float, float]:
    s = jaxsched.warmup_cosine_decay(0.0, 1e-3, N // 100, N, 1e-5)
    steps = np.arange(N)
    s.numpy(steps[:10])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        s.numpy(steps)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    s.numpy(steps)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> str:
    rows = jax_curves()
    per_step = torch_loop(N)
    steps = jnp.arange(N, dtype=jnp.int32)
    s = jaxsched.cosine_decay(1e-3, N)
    f = jax.jit(lambda k: s(k))
    _time(lambda: f(steps))
    t_js = statistics.median(_time(lambda: f(steps)) for _ in range(ROUNDS))
    t_torch = per_step * N
    t_np, peak = numpy_curve()
    return "\n".join(
        [
            "## Whole curves: 10M steps",
            "",
            f"One jitted vectorised call on a ready int32 array of {N:,} steps, compiled "
            f"beforehand; median of {ROUNDS} alternating rounds, ratio = median of per-round "
            "ratios "
            "(min - max).",
            "",
            "| schedule | jaxsched ms | optax ms | jaxsched / optax |",
            "|---|---|---|---|",
            *rows,
            "",
            f"torch `CosineAnnealingLR` stepped in a Python loop: {per_step * 1e6:.1f} us/step "
            f"(measured over {TORCH_STEPS:,} steps), i.e. {t_torch:.0f} s for 10M steps; jaxsched "
            f"`cosine_decay` in one call: {t_js * 1e3:.1f} ms, **{t_torch / t_js:,.0f}x faster**.",
            "",
            f"`warmup_cosine_decay(...).numpy(np.arange(10M))` (float64, no JAX): "
            f"{t_np * 1e3:.0f} ms, peak traced memory {peak:.0f} MiB (the float64 result alone is "
            f"{N * 8 / 2**20:.0f} MiB, the "
            f"int64 input {N * 8 / 2**20:.0f} MiB, not counted).",
        ]
    )


if __name__ == "__main__":
    print(main())
