"""torch_bridge and the NumPy path without JAX (API.md section 6; issue 16: torch without JAX).

``import torch_bridge`` does not import JAX; and with JAX made unimportable in a fresh interpreter (as if it
were not installed) the whole torch side works: schedules, ``Schedule.numpy``, configs, the ports,
``ScheduleLR`` stepping and resuming, ``from_torch``, the warmups and the plateau classes. No module of
torch_bridge, nor the modules it shares with the optax side, imports JAX at import time.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JAX_MODULES = ("jax", "jaxlib", "optax", "chex")
BLOCK = """
import sys
for name in ("jax", "jaxlib", "optax", "chex"):
    sys.modules[name] = None  # `import jax` now raises ImportError, as if JAX were not installed
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_import_torch_bridge_does_not_import_jax() -> None:
    proc = _run("""
        import sys
        import torch_bridge
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("jax", "jaxlib", "optax", "chex"))
        assert not loaded, loaded[:5]
        print("ok")
    """)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]


def test_torch_side_works_with_jax_unimportable(tmp_path) -> None:
    proc = _run(
        BLOCK
        + f"""
import json
import numpy as np
import torch
import jaxsched
import torch_bridge
from jaxsched.compat import timm, transformers, torch as tp

s = jaxsched.warmup_cosine_decay(0.0, 1e-3, 10, 100)
assert abs(float(s.numpy(55)) - 0.0005) < 1e-12
assert jaxsched.from_config(s.to_config()) == s
branch = jaxsched.branch(s, 50, 20, 1e-5)
for port in (timm.CosineLRScheduler(0.1, 50, warmup_t=5), transformers.get_cosine_schedule_with_warmup(
        1e-3, 10, 100), tp.OneCycleLR(0.1, 100), tp.ChainedScheduler([tp.StepLR(0.1, 3), tp.ExponentialLR(
        0.1, 0.9)])):
    assert np.all(np.isfinite(port.numpy(np.arange(200))))
opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))], lr=1e-3)
sched = torch_bridge.ScheduleLR(opt, branch)
for _ in range(60):
    opt.step(); sched.step()
assert opt.param_groups[0]["lr"] == float(branch.numpy(60))
state = sched.state_dict()
torch.save(state, {str(tmp_path / "sd.pt")!r})
again = torch_bridge.ScheduleLR(torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))], lr=1e-3), branch)
again.load_state_dict(torch.load({str(tmp_path / "sd.pt")!r}, weights_only=True))
opt2 = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
print(torch_bridge.from_torch(cos))
assert "jax" not in {{k: v for k, v in sys.modules.items() if v is not None}}
print("ok")
"""
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported at import time (module level, or inside module-level if/try blocks)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.If | ast.Try):
                if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                    continue
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return found


SHARED = [ROOT / "jaxsched" / "_plateau.py", ROOT / "jaxsched" / "optax_utils.py"]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "torch_bridge").glob("*.py")) + SHARED, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_no_jax_import_at_module_level(path: Path) -> None:
    assert not _top_level_imports(path) & set(JAX_MODULES)
