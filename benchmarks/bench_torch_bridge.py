"""ScheduleLR.step() against torch's own CosineAnnealingLR.step() and OneCycleLR.step(), and its memory.

Run ``python benchmarks/bench_torch_bridge.py``; ``main()`` returns the markdown section for
``benchmarks/RESULTS.md``. Each timing is the median over repeats of the mean time of one ``step()`` in a
loop of ``scheduler.step()`` calls (no optimizer work), all measured in the same process, interleaved.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

if __name__ == "__main__":  # run as a script from anywhere: the repository's packages first
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jaxsched
from jaxsched.compat import torch as tp
from torch_bridge import ScheduleLR

STEPS = 20_000
REPEATS = 9
MEMORY_STEPS = 1_000_000


def _optimizer(groups: int = 1) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p]} for p in params], lr=0.1, momentum=0.9)


def _factories(total: int) -> dict[str, Callable[[], Any]]:
    cos = jaxsched.cosine_decay(0.1, decay_steps=total)
    wcd = jaxsched.warmup_cosine_decay(0.0, 0.1, warmup_steps=total // 20, decay_steps=total)
    one = tp.OneCycleLR(0.1, total_steps=total)
    ls = torch.optim.lr_scheduler
    return {
        "torch CosineAnnealingLR": lambda: ls.CosineAnnealingLR(_optimizer(), T_max=total),
        "torch OneCycleLR": lambda: ls.OneCycleLR(_optimizer(), max_lr=0.1, total_steps=total),
        "ScheduleLR(cosine_decay)": lambda: ScheduleLR(_optimizer(), cos),
        "ScheduleLR(warmup_cosine_decay)": lambda: ScheduleLR(_optimizer(), wcd),
        "ScheduleLR(compat OneCycleLR)": lambda: ScheduleLR(_optimizer(), one),
        "ScheduleLR(4 groups, 2 schedules)": lambda: ScheduleLR(_optimizer(4), [cos, wcd, cos, wcd]),
    }


def _time_steps(make: Callable[[], Any], steps: int) -> float:
    sched = make()
    sched.optimizer.step()  # so that no scheduler warns about the call order
    step = sched.step
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def timings(steps: int = STEPS, repeats: int = REPEATS) -> dict[str, float]:
    """Median seconds per ``step()`` for each scheduler, repeats interleaved."""
    makers = _factories(steps + 10)
    samples: dict[str, list[float]] = {k: [] for k in makers}
    for _ in range(repeats):
        for name, make in makers.items():
            samples[name].append(_time_steps(make, steps))
    return {k: statistics.median(v) for k, v in samples.items()}


def memory(steps: int = MEMORY_STEPS) -> dict[str, float]:
    """``tracemalloc`` over ``steps`` calls of ``ScheduleLR.step()``: net growth and peak, in bytes."""
    sched = ScheduleLR(_optimizer(), jaxsched.warmup_cosine_decay(0.0, 0.1, 1000, steps + 10))
    sched.optimizer.step()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    warm = steps // 2  # many cache blocks later: growth over the second half is per-step growth
    for _ in range(warm):
        sched.step()
    start, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    for _ in range(steps - warm):
        sched.step()
    end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"growth": float(end - start), "peak": float(peak - base), "held": float(end - base)}


def main(steps: int = STEPS, repeats: int = REPEATS, memory_steps: int = MEMORY_STEPS) -> str:
    """Run the benchmark and return a markdown section."""
    t = timings(steps, repeats)
    ref = t["torch CosineAnnealingLR"]
    lines = [
        "## torch_bridge: `ScheduleLR.step()` vs torch's own schedulers",
        "",
        f"Median of {repeats} repeats of {steps:,} `step()` calls each (no optimizer work), one process, "
        f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}.",
        "",
        "| scheduler | µs per step() | vs CosineAnnealingLR |",
        "|---|---:|---:|",
    ]
    for name, sec in t.items():
        lines.append(f"| {name} | {sec * 1e6:.2f} | {sec / ref:.2f}x |")
    m = memory(memory_steps)
    lines += [
        "",
        f"Memory (`tracemalloc` over {memory_steps:,} `ScheduleLR.step()` calls): growth over the second "
        f"half {m['growth'] / 1024:.1f} KiB; held at the end {m['held'] / 1024:.1f} KiB and peak "
        f"{m['peak'] / 1024:.1f} KiB, i.e. the cached block of 2,048 steps (two while refilling).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
