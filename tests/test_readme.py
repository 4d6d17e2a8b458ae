"""The README's Python code blocks run as pasted, each in a fresh interpreter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_readme_has_a_hello_world():
    blocks = python_blocks()
    assert len(blocks) >= 3
    assert "pip install jaxsched" in README.read_text(encoding="utf-8")
    text = "\n".join(blocks)
    for name in ("from_torch", "get_scheduler", "reduce_on_plateau", "ScheduleLR", "jaxsched.current"):
        assert name in text, name


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_block_runs_as_pasted(index, tmp_path):
    code = python_blocks()[index]
    env = {
        **os.environ,
        "JAX_PLATFORMS": "cpu",
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    # A fresh interpreter in an empty folder: nothing from the test session leaks in.
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, (
        f"README block {index} failed:\n{code}\n--- stderr ---\n{proc.stderr[-3000:]}"
    )
    assert proc.stdout.strip(), "every README block prints what it shows"
