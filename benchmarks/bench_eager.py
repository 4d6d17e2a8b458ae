"""Eager calls: ``s(k)`` on a Python int outside ``jit`` (logging the LR every step), jaxsched vs optax.

jaxsched runs one compiled evaluation cached per schedule; optax dispatches its jnp operations one by one.
Both are called on fresh step values in alternating rounds; medians of per-call times, and the median of
the paired ratios. The first call (which compiles) is reported separately.

Run alone: ``python benchmarks/bench_eager.py``.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import optax

import jaxsched

ROUNDS = 15
CALLS = 200


def pairs() -> dict[str, tuple[Any, Any]]:
    return {
        "warmup_cosine_decay": (
            jaxsched.warmup_cosine_decay(0.0, 1e-3, 100, 10_000, 1e-5),
            optax.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 10_000, 1e-5),
        ),
        "linear": (jaxsched.linear(1e-3, 1e-5, 1000), optax.linear_schedule(1e-3, 1e-5, 1000)),
        "exponential_decay": (
            jaxsched.exponential_decay(1e-3, 100, 0.9),
            optax.exponential_decay(1e-3, 100, 0.9),
        ),
        "piecewise_constant": (
            jaxsched.piecewise_constant(1e-3, {100: 0.5, 200: 0.1}),
            optax.piecewise_constant_schedule(1e-3, {100: 0.5, 200: 0.1}),
        ),
    }


def per_call(s: Any, start: int) -> float:
    t0 = time.perf_counter()
    for k in range(start, start + CALLS):
        float(s(k))  # a logging loop converts to a Python float
    return (time.perf_counter() - t0) / CALLS


def main() -> str:
    rows = []
    for name, (ours, theirs) in pairs().items():
        t0 = time.perf_counter()
        float(ours(0))
        first_j = time.perf_counter() - t0
        t0 = time.perf_counter()
        float(theirs(0))
        first_o = time.perf_counter() - t0
        tj, to, ratio = [], [], []
        for r in range(ROUNDS):
            a = per_call(ours, r * CALLS)
            b = per_call(theirs, r * CALLS)
            tj.append(a)
            to.append(b)
            ratio.append(a / b)
        rows.append(
            f"| {name} | {statistics.median(tj) * 1e6:.0f} | {statistics.median(to) * 1e6:.0f} | "
            f"{statistics.median(ratio):.2f} ({min(ratio):.2f}-{max(ratio):.2f}) | "
            f"{first_j * 1e3:.0f} | {first_o * 1e3:.0f} |"
        )
    return "\n".join(
        [
            "## Eager calls: `float(s(k))` on a Python int, outside jit",
            "",
            f"Median time per call over {ROUNDS} alternating rounds of {CALLS} calls (µs), and the median "
            "(range) of the paired ratios; the first call of each (which compiles, for jaxsched) in ms. "
            "Target: at most optax's time.",
            "",
            "| schedule | jaxsched µs | optax µs | ratio jaxsched/optax | first call ms jaxsched | "
            "first call ms optax |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )


if __name__ == "__main__":
    print(main())
