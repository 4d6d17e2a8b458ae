"""The public signatures are typed: a type checker refuses a string where a number is expected."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_refuses_a_string_hyperparameter(tmp_path):
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        textwrap.dedent("""
        import jaxsched

        ok = jaxsched.warmup_cosine_decay(0.0, 3e-4, 100, 1000)
        also_ok = jaxsched.join([ok, jaxsched.constant(1e-5)], [1000])
        bad = jaxsched.warmup_cosine_decay(0.0, "3e-4", 100, 1000)
        bad_steps = jaxsched.linear(1.0, 0.0, transition_steps="10")
    """)
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-error-summary",
            "--follow-imports=silent",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(snippet),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in out.stdout.splitlines() if "snippet.py" in line]
    assert len(errors) == 2, out.stdout + out.stderr
    assert ':6: error: Argument 2 to "WarmupCosineDecay" has incompatible type "str"' in errors[0]
    assert ':7: error: Argument "transition_steps" to "Linear" has incompatible type "str"' in errors[1]
