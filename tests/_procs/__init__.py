"""Scripts that tests run in fresh subprocesses (a new process, a device count, jax_enable_x64, ranks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def run_script(
    name: str, *args: object, env: dict[str, str] | None = None, timeout: float = 300.0
) -> subprocess.CompletedProcess[str]:
    """Run ``tests/_procs/<name>`` with this interpreter from the repository root; fail with its output."""
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "JAX_PLATFORMS": "cpu",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
        **(env or {}),
    }
    full_env.pop("HYPOTHESIS_PROFILE", None)
    proc = subprocess.run(
        [sys.executable, str(HERE / name), *map(str, args)],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"{name} {args} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}"
            f"\n--- stderr\n{proc.stderr[-8000:]}"
        )
    return proc
