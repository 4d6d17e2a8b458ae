"""Time and peak memory of `jaxsched parity` on one long recipe (issue 13: 10M steps, < 1 min, < 500 MB).

Runs the command in this process (so that the peak resident memory of this process and of its JAX
worker can be told apart) on an HF cosine recipe of ``--steps`` steps, and prints both peaks and the
wall time:

    python benchmarks/parity_memory.py --steps 10000000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10_000_000)
    args = ap.parse_args()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    from jaxsched.cli import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "hf.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(
                "name: compat.transformers.get_cosine_schedule_with_warmup\nlr: 0.001\n"
                "num_warmup_steps: 3000\nnum_training_steps: 100000\n"
            )
        start = time.perf_counter()
        code = cli(["parity", path, "--steps", str(args.steps), "-q"])
        wall = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF)
    worker = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"\n{args.steps} steps: exit {code}, {wall:.1f} s wall; this process (NumPy, torch paths): "
        f"{me.ru_maxrss / 1024:.0f} MB peak, {me.ru_utime + me.ru_stime:.1f} s CPU; the JAX "
        f"worker: {worker.ru_maxrss / 1024:.0f} MB peak, {worker.ru_utime + worker.ru_stime:.1f} s "
        "CPU"
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
