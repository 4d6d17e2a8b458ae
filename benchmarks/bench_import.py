"""What ``import torch_bridge`` adds to ``import torch``: wall time and peak RSS, in fresh processes.

Side by side in alternating rounds: ``python -c "import torch"`` and ``python -c "import torch;
import torch_bridge"``; medians and the difference. Also whether JAX ended up imported (it must not).
Target: at most +0.15 s and +20 MB.

Run alone: ``python benchmarks/bench_import.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

ROUNDS = 9
PROBE = (
    "import resource, sys, time\n"
    "t0 = time.perf_counter()\n"
    "{imports}\n"
    "dt = time.perf_counter() - t0\n"
    "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
    "print(dt, rss, 'jax' in sys.modules)\n"
)


def run(imports: str) -> tuple[float, float, bool]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), out[2] == "True"


def main() -> str:
    run("import torch")  # warm the file cache
    run("import torch; import torch_bridge")
    base_t, base_m, bridge_t, bridge_m, jax_loaded = [], [], [], [], False
    for _ in range(ROUNDS):
        t, m, _ = run("import torch")
        base_t.append(t)
        base_m.append(m)
        t, m, j = run("import torch; import torch_bridge")
        bridge_t.append(t)
        bridge_m.append(m)
        jax_loaded |= j
    dt = statistics.median(b - a for a, b in zip(base_t, bridge_t, strict=True))
    dm = statistics.median(b - a for a, b in zip(base_m, bridge_m, strict=True))
    return "\n".join(
        [
            "## `import torch_bridge` on top of `import torch`",
            "",
            f"Fresh processes, {ROUNDS} alternating rounds; medians. Target: at most +0.15 s and +20 MB.",
            "",
            "| | wall s | peak RSS MB |",
            "|---|---|---|",
            f"| import torch | {statistics.median(base_t):.2f} | {statistics.median(base_m):.0f} |",
            f"| import torch; import torch_bridge | {statistics.median(bridge_t):.2f} | "
            f"{statistics.median(bridge_m):.0f} |",
            f"| difference (median of paired rounds) | +{dt:.2f} | +{dm:.0f} |",
            "",
            f"JAX imported by `import torch_bridge`: {'yes' if jax_loaded else 'no'}.",
        ]
    )


if __name__ == "__main__":
    print(main())
