"""Compiled size and compile time of each schedule with an optax equivalent, jaxsched vs optax.

For a traced int32 step (what a train step passes), per schedule:

* **XLA ops**: instructions of the optimised HLO (``jax.jit(f).lower(x).compile().as_text()``),
over all
  computations, fused ones included, not counting parameters, constants, tuples, bitcasts and the
  fusion/call wrappers themselves: the arithmetic the CPU actually runs.
* **StableHLO ops**: operations of the lowered module before XLA's passes (what tracing emits).
* **trace+lower** and **compile** times: medians over fresh functions, jaxsched and optax
interleaved.

Run alone: ``python benchmarks/bench_compile.py``.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

import jaxsched

ROUNDS = 7
_SKIP = {"parameter", "constant", "tuple", "get-tuple-element", "bitcast", "fusion", "call"}


def pairs() -> dict[str, tuple[Any, Any]]:
    """Equal schedules: (jaxsched, optax)."""
    bounds = {100: 0.5, 200: 0.1, 400: 0.5}
    js_pieces = [jaxsched.cosine_decay(1e-3 / (i + 1), 100) for i in range(16)]
    ox_pieces = [optax.cosine_decay_schedule(1e-3 / (i + 1), 100) for i in range(16)]
    b16 = [100 * (i + 1) for i in range(15)]
    return {
        "linear": (
            jaxsched.linear(1e-3, 1e-5, 1000, 10),
            optax.linear_schedule(1e-3, 1e-5, 1000, 10),
        ),
        "polynomial": (
            jaxsched.polynomial(1e-3, 1e-5, 2.0, 1000, 10),
            optax.polynomial_schedule(1e-3, 1e-5, 2.0, 1000, 10),
        ),
        "exponential_decay": (
            jaxsched.exponential_decay(1e-3, 100, 0.5, 10, False, 1e-6),
            optax.exponential_decay(1e-3, 100, 0.5, 10, False, 1e-6),
        ),
        "cosine_decay": (
            jaxsched.cosine_decay(1e-3, 1000, 0.1),
            optax.cosine_decay_schedule(1e-3, 1000, 0.1),
        ),
        "warmup_constant": (
            jaxsched.warmup_constant(0.0, 1e-3, 100),
            optax.warmup_constant_schedule(0.0, 1e-3, 100),
        ),
        "warmup_cosine_decay": (
            jaxsched.warmup_cosine_decay(0.0, 1e-3, 100, 1000, 1e-5),
            optax.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5),
        ),
        "warmup_exponential_decay": (
            jaxsched.warmup_exponential_decay(0.0, 1e-3, 100, 100, 0.5),
            optax.warmup_exponential_decay_schedule(0.0, 1e-3, 100, 100, 0.5),
        ),
        "piecewise_constant": (
            jaxsched.piecewise_constant(1e-3, bounds),
            optax.piecewise_constant_schedule(1e-3, bounds),
        ),
        "piecewise_interpolate": (
            jaxsched.piecewise_interpolate("cosine", 1e-3, bounds),
            optax.piecewise_interpolate_schedule("cosine", 1e-3, bounds),
        ),
        "join (2 pieces)": (
            jaxsched.join([jaxsched.linear(0.0, 1e-3, 100), jaxsched.cosine_decay(1e-3, 900)], [100]),
            optax.join_schedules(
                [optax.linear_schedule(0.0, 1e-3, 100), optax.cosine_decay_schedule(1e-3, 900)],
                [100],
            ),
        ),
        "join (16 cosine pieces)": (
            jaxsched.join(js_pieces, b16),
            optax.join_schedules(ox_pieces, b16),
        ),
    }


def xla_ops(fn: Callable[[Any], Any], x: Any) -> int:
    text = jax.jit(fn).lower(x).compile().as_text() or ""
    n = 0
    for line in text.splitlines():
        m = re.match(r"\s*(?:ROOT\s+)?%\S+ = \S+ ([\w\-]+)\(", line)
        if m and m.group(1) not in _SKIP:
            n += 1
    return n


def stablehlo_ops(fn: Callable[[Any], Any], x: Any) -> int:
    text = jax.jit(fn).lower(x).as_text()
    return sum(
        1
        for line in text.splitlines()
        if re.search(r"\b(stablehlo|chlo)\.\w+", line) and "func.func" not in line
    )


def _fresh(s: Any) -> Callable[[Any], Any]:
    return lambda k: s(k)  # a new function object: jit traces and compiles it anew


def compile_times(s: Any, x: Any) -> tuple[float, float]:
    t0 = time.perf_counter()
    lowered = jax.jit(_fresh(s)).lower(x)
    t1 = time.perf_counter()
    lowered.compile()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def many_pieces() -> list[str]:
    """Trace+compile of joins of many cosine pieces (one gathered evaluation per structure in jaxsched)."""
    x = jnp.int32(5)
    rows = []
    for n in (1_000, 10_000):
        ours = jaxsched.join(
            [jaxsched.cosine_decay(1e-3 / (i + 1), 100) for i in range(n)],
            [100 * (i + 1) for i in range(n - 1)],
        )
        lo, co = compile_times(ours, x)
        theirs_s = "not measured (optax's chain of selects grows linearly; minutes)"
        if n == 1_000:
            theirs = optax.join_schedules(
                [optax.cosine_decay_schedule(1e-3 / (i + 1), 100) for i in range(n)],
                [100 * (i + 1) for i in range(n - 1)],
            )
            a, b = compile_times(theirs, x)
            theirs_s = f"{(a + b):.2f}"
        rows.append(f"| {n:,} | {lo + co:.2f} | {theirs_s} |")
    return [
        "",
        "Joins of many pieces (one fresh trace+compile each, seconds; target for 1,000 pieces: under 2 s):",
        "",
        "| pieces | jaxsched | optax |",
        "|---|---|---|",
        *rows,
    ]


def main() -> str:
    x = jnp.int32(5)
    rows = []
    over_ops, slower = [], []
    for name, (ours, theirs) in pairs().items():
        # warm both code paths once (imports, caches of jax internals)
        compile_times(ours, x)
        compile_times(theirs, x)
        lo_j, co_j, lo_o, co_o = [], [], [], []
        for _ in range(ROUNDS):
            a, b = compile_times(ours, x)
            c, d = compile_times(theirs, x)
            lo_j.append(a)
            co_j.append(b)
            lo_o.append(c)
            co_o.append(d)
        ops_j, ops_o = xla_ops(_fresh(ours), x), xla_ops(_fresh(theirs), x)
        sh_j, sh_o = stablehlo_ops(_fresh(ours), x), stablehlo_ops(_fresh(theirs), x)
        tot_j = statistics.median([a + b for a, b in zip(lo_j, co_j, strict=True)])
        tot_o = statistics.median([a + b for a, b in zip(lo_o, co_o, strict=True)])
        if ops_j > ops_o:
            over_ops.append(f"{name} (+{ops_j - ops_o})")
        if tot_j > tot_o * 1.05:
            slower.append(f"{name} ({tot_j / tot_o:.2f}x)")
        rows.append(
            f"| {name} | {ops_j} | {ops_o} | {sh_j} | {sh_o} | "
            f"{statistics.median(lo_j) * 1e3:.1f} | {statistics.median(lo_o) * 1e3:.1f} | "
            f"{statistics.median(co_j) * 1e3:.1f} | {statistics.median(co_o) * 1e3:.1f} | "
            f"{tot_j / tot_o:.2f} |"
        )
    out = [
        "## Compiled size and compile time (traced int32 step)",
        "",
        f"XLA ops = instructions of the optimised HLO (fused computations included; parameters, "
        f"constants, tuples and fusion wrappers not counted). Times: median of {ROUNDS} fresh "
        "`jax.jit(lambda k: s(k))` per schedule, jaxsched and optax interleaved, in milliseconds.",
        "",
        "| schedule | XLA ops jaxsched | XLA ops optax | StableHLO jaxsched | StableHLO optax | "
        "trace+lower ms jaxsched | trace+lower ms optax | compile ms jaxsched | compile ms optax | "
        "total time ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "More XLA ops than optax: " + (", ".join(over_ops) if over_ops else "none") + ".",
        "Slower to trace+compile than optax by more than 5%: "
        + (", ".join(slower) if slower else "none")
        + ".",
        "",
        "Why, where jaxsched has more ops (accuracy outranks op count; each is a float32 fix):",
        "",
        "- every schedule: negative steps are clamped to 0 (`max`), and ends are reached through exact "
        "int32 differences (`T - k`, then a `max`/`clip`), instead of optax's float `k/T`. That keeps "
        "the tail relative error ~1e-7 at any horizon where optax's cosine is 21% off at 10k steps.",
        "- cosine: one `sin` of the remaining fraction (`_numerics.half_cosine`; it used to evaluate "
        "both a `cos` and a `sin` branch and select, 16 ops for cosine_decay, now 9-10).",
        "- exponential_decay: the exponent is split into an exact whole number of periods (one int "
        "division) plus a fraction, two `pow`s: a single float32 exponent `k/T` is rounded, which "
        "costs |k/T ln r| x 6e-8 (3e-6 deep in the tail). The 10M-step curve is ~1.6x optax's for the "
        "same reason.",
        "- linear/polynomial rising from a small value (warmup ramps): counted from the start value, "
        "with a select to land exactly on the end value; optax's form loses the start's relative "
        "precision (-1.8e-11 instead of 0 at step 0 of linear(0, 1e-3), and 3e-5 relative error for "
        "linear(1e-6, 1e-3) at step 1). Decaying ramps cost no extra op.",
        "- piecewise_interpolate (cosine): a rising piece is counted from its smaller end (one more "
        "`sin`), the sequential selects are one compare per boundary (optax builds index arrays).",
        "- join: each piece sees `max(k - b, 0)` in int32 (exact) rather than a float subtraction.",
        "",
        "Trace+lower time is Python: `Steps`/`Backend` bookkeeping and `jnp.clip`/`jnp.where` (each "
        "an inner `jit`) per formula. XLA compile time proper is on par with optax.",
        *many_pieces(),
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(main())
