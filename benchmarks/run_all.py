"""Run every ``benchmarks/bench_*.py`` defining ``main() -> str``; write ``benchmarks/RESULTS.md``.

Each benchmark runs in its own Python process (so one's JAX/torch state or flags never leak into
another) and returns a Markdown section; this script adds the machine, the versions and the load around
each run.

    python benchmarks/run_all.py            # all of them, writes benchmarks/RESULTS.md
    python benchmarks/run_all.py compile    # only bench_*compile*.py, printed (RESULTS.md untouched)
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 900

PREAMBLE = """\
Benchmarks are scripts, not tests: each `benchmarks/bench_*.py` has a `main()` returning its section,
and `python benchmarks/run_all.py` regenerates this file. Every comparison is measured side by side in
one run (alternating or shuffled rounds, medians, spread given). The machine is shared with other
processes, so the load average is recorded around each section; ratios of paired rounds are more
robust than absolute times.
"""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions() -> str:
    code = (
        "import sys, jax, jaxlib, optax, numpy\n"
        "try:\n import torch; tv = torch.__version__\nexcept Exception: tv = 'not installed'\n"
        "print(f'python {sys.version.split()[0]}, jax {jax.__version__}, "
        "jaxlib {jaxlib.__version__}, "
        "optax {optax.__version__}, torch {tv}, numpy {numpy.__version__}; "
        "JAX backend {jax.default_backend()} ({jax.devices()[0].device_kind})')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def benchmarks(pattern: str = "") -> list[Path]:
    return sorted(p for p in HERE.glob("bench_*.py") if pattern in p.stem)


def run_one(path: Path) -> str:
    """Import ``path`` in this process and return its ``main()`` (used by the child process)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    main = getattr(module, "main", None)
    if main is None:
        return ""
    return str(main())


def accuracy_section() -> str:
    """Float32 accuracy of every registered schedule, measured with tests/test_accuracy.py's helpers."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax
    import test_accuracy as acc

    import jaxsched

    rows, worst_native, worst_name = [], 0.0, ""
    for name, cls in sorted(jaxsched.registry().items()):
        errs = []
        for example in cls.examples:
            s = jaxsched.from_config({"name": name, **example})
            steps = acc.probe_steps(s)
            errs.append(float(acc.errors(acc.f32_values(s, steps), acc.extended_values(s, steps)).max()))
        err = max(errs) if errs else float("nan")
        if not name.startswith("compat.") and err > worst_native:
            worst_native, worst_name = err, name
        if err > acc.RTOL:
            rows.append(f"| {name} | {err:.2g} |")
    long_rows = []
    for name, T, s, ref in acc.LONG:
        if T in (10**4, 10**9):
            steps = acc.horizon_steps(T, T // 100)
            exact = np.array([ref(int(k)) for k in steps], dtype=np.longdouble)
            e = float(acc.errors(acc.f32_values(s, steps), exact).max())
            long_rows.append(f"{name} @ {T:.0e}: {e:.1e}")
    T = 10_000
    exact_tail = float(acc._cos_half(T - 1, T))
    theirs = float(jax.jit(optax.cosine_decay_schedule(1.0, T))(jnp.int32(T - 1)))
    ours = float(jax.jit(jaxsched.cosine_decay(1.0, T))(jnp.int32(T - 1)))
    return "\n".join(
        [
            "## Float32 accuracy",
            "",
            "Largest relative error of the float32 JAX value (inside jit, int32 steps) against an exact "
            "value, over dense steps, +-3 around every key step, 200 log-spaced steps and the int32 edges up "
            "to 2**31-1; absolute floor 2**-100 where the exact value is below it (XLA on CPU flushes "
            "subnormal intermediates). "
            "Exact = the same formula in 80-bit extended precision at the hyperparameters as given "
            "(float64), checked against mpmath evaluations of the documented formulas at 1e4..1e9-step "
            "horizons (tests/test_accuracy.py, which asserts all of this). A decay rate such as 0.999 is "
            "judged as written, not as its float32 rounding: `_numerics.power` undoes the rounding with a "
            "host-side float64 constant (without it, 0.999**k is off by k*1.3e-8, 1.3e-4 at k=1e4).",
            "",
            f"- Worst native schedule or combinator: {worst_native:.2g} ({worst_name}); target 1e-6.",
            f"- Long horizons vs mpmath: {'; '.join(long_rows)}.",
            f"- optax `cosine_decay_schedule(1.0, 10_000)` at step 9999: relative error "
            f"{abs(theirs - exact_tail) / exact_tail:.1%}; jaxsched `cosine_decay`: "
            f"{abs(ours - exact_tail) / exact_tail:.1e}.",
            "",
            "Registered schedules above 1e-6 (ports owned elsewhere are listed with their reasons in "
            "tests/test_accuracy.py `KNOWN_MISSES`; `tanh_decay` misses by a few percent because its "
            "logistic argument, up to 7 in size, is itself rounded in float32):",
            "",
            "| schedule | worst relative error |",
            "|---|---|",
            *(rows or ["| (none) | |"]),
        ]
    )


def run_child(path: Path) -> tuple[str, float]:
    out_file = HERE / f".{path.stem}.md.tmp"
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    try:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(path), str(out_file)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            env=env,
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            return (
                f"## {path.stem}\n\n**Failed** (exit {proc.returncode}):\n\n```\n{tail}\n```",
                elapsed,
            )
        return out_file.read_text(), elapsed
    except subprocess.TimeoutExpired:
        return f"## {path.stem}\n\n**Timed out** after {TIMEOUT_S} s.", time.perf_counter() - t0
    finally:
        out_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        text = accuracy_section() if argv[1] == "accuracy" else run_one(Path(argv[1]))
        Path(argv[2]).write_text(text)
        return 0
    pattern = argv[0] if argv else ""
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    header = [
        "# jaxsched benchmark results",
        "",
        PREAMBLE,
        f"- Run: {started}, `python benchmarks/run_all.py`",
        f"- Machine: {_cpu_model()}, {cores} cores available ({os.cpu_count()} online), "
        f"{platform.system()} {platform.release()}",
        f"- Versions: {_versions()}",
        "",
    ]
    sections = []
    paths = benchmarks(pattern) + ([Path("accuracy")] if pattern in ("", "accuracy") else [])
    for path in paths:
        before = _load()
        text, elapsed = run_child(path)
        if not text:
            continue
        sections.append(
            f"{text.rstrip()}\n\n_{path.name}: {elapsed:.0f} s; load average (1/5/15 min) "
            f"before {before}, after {_load()}._\n"
        )
        print(f"{path.name}: {elapsed:.0f} s", file=sys.stderr)
    doc = "\n".join(header) + "\n" + "\n".join(sections)
    if pattern:
        print(doc)
    else:
        (HERE / "RESULTS.md").write_text(doc)
        print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
