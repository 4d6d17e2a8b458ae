"""Shared helpers of the golden recorders for originals read from a git checkout (not a recorder).

MaxText, levanter/marin, big_vision and t5x are JAX training stacks that cannot be installed here as
packages (their dependency trees are far too heavy), but their schedule code is a few pure ``jax.numpy``
/ ``optax`` functions. A recorder reads the file that defines them from a git checkout at a recorded
commit (``git show <commit>:<path>``), executes only the named top-level definitions (their imports of
jax, optax, numpy and the standard library are kept; everything else is a stub given by the recorder) and
evaluates them at many configurations. Nothing of the originals is committed: only the values, next to
the repository, commit, path and SHA-256 of the file they came from.

The recorders run the original under ``jax_enable_x64`` at int64 steps (float64 arithmetic
throughout), so the goldens hold the original's formulas in float64; each case also records how far the
original's own default float32 run is from that (``float32``: the largest relative error, with a floor of
1e-6 of the peak, and its step).
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FAR = (10**4, 10**5, 10**6, 10**7, 2**24 - 1, 2**24 + 1, 10**8, 10**9, 2**31 - 2, 2**31 - 1)


def git_source(repo: str, commit: str, path: str) -> str:
    """The text of ``path`` at ``commit`` in the git repository (or bare mirror) ``repo``."""
    out = subprocess.run(
        ["git", "-C", repo, "show", f"{commit}:{path}"], check=True, capture_output=True, text=True
    )
    return out.stdout


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_KEEP_MODULES = ("jax", "jax.numpy", "optax", "numpy")
_KEEP_STDLIB = ("math", "typing", "dataclasses", "functools", "abc", "re", "warnings", "enum", "collections")


def load(
    source: str, filename: str, names: Sequence[str], stubs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Execute the imports of jax/optax/numpy/stdlib and the named top-level definitions of ``source``.

    ``stubs`` pre-populates the namespace (stand-ins for the original's own modules, which are not
    imported). Decorators and base classes of the kept definitions must resolve in that namespace.
    """
    tree = ast.parse(source, filename)
    keep: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            mod = (node.module if isinstance(node, ast.ImportFrom) else node.names[0].name) or ""
            if mod in _KEEP_MODULES or mod.split(".")[0] in _KEEP_STDLIB:
                keep.append(node)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in names:
            keep.append(node)
    module = types.ModuleType(f"golden_{Path(filename).stem}")
    sys.modules[module.__name__] = module
    ns: dict[str, Any] = module.__dict__
    ns.update(stubs or {})
    exec(compile(ast.Module(body=keep, type_ignores=[]), filename, "exec"), ns)
    missing = [n for n in names if n not in ns]
    if missing:
        raise RuntimeError(f"{filename}: definitions not found: {missing}")
    return ns


def stub_module(name: str, **attrs: Any) -> types.ModuleType:
    """A stand-in module registered in ``sys.modules`` (for ``import x.y`` inside kept code)."""
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    sys.modules[name] = mod
    return mod


def steps_for(dense: int, extra: Iterable[int]) -> list[int]:
    """``0..dense-1`` plus the extra steps (deduplicated, sorted, within ``[0, 2**31 - 1]``)."""
    more = sorted({int(k) for k in extra if dense <= k <= 2**31 - 1})
    return list(range(dense)) + more


def evaluate(fn: Callable[[Any], Any], steps: Sequence[int], x64: bool) -> list[float]:
    """``fn`` at the steps as Python floats: under ``jax_enable_x64`` at int64 steps (an int32 count
    divided by an int is float32 even under x64, so int64 is what gives the formulas in float64), else
    at int32 steps (optax's count dtype), as in training."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    jax.config.update("jax_enable_x64", x64)
    out = np.asarray(fn(jnp.asarray(steps, dtype=jnp.int64 if x64 else jnp.int32)), dtype=np.float64)
    out = np.broadcast_to(out, (len(steps),))
    return [float(x) for x in out]


def float32_error(
    values32: Sequence[float], values64: Sequence[float], steps: Sequence[int], trained: int | None = None
) -> dict[str, Any]:
    """The original's float32 run against its float64 run: the largest relative error (floor 1e-6 of the
    peak) and its step, over every recorded step and (``trained``) over the steps a training run of that
    many updates applies (``0..trained-1``)."""
    import numpy as np

    def worst(mask: np.ndarray) -> dict[str, Any]:
        a, b, k = np.asarray(values32)[mask], np.asarray(values64)[mask], np.asarray(steps)[mask]
        if not a.size:
            return {"max_rel": 0.0, "at_step": None}
        if not np.all(np.isfinite(a)):
            i = int(np.argmax(~np.isfinite(a)))
            return {"max_rel": "non-finite", "at_step": int(k[i]), "value": repr(float(a[i]))}
        scale = float(np.max(np.abs(b)))
        den = np.maximum(np.abs(b), 1e-6 * scale if scale else 1e-300)
        err = np.abs(a - b) / np.where(den > 0, den, 1.0)
        i = int(np.argmax(err))
        return {"max_rel": float(err[i]), "at_step": int(k[i])}

    everywhere = np.ones(len(steps), bool)
    out = worst(everywhere)
    if trained is not None:
        out["trained"] = worst(np.asarray(steps) < trained)
    return out


def write(name: str, header: dict[str, Any], cases: list[dict[str, Any]]) -> Path:
    """``tests/golden/<name>.json``: the header, then one line per case."""
    path = HERE / f"{name}.json"
    head = json.dumps(header, indent=1)[:-2]
    lines = [json.dumps(c, separators=(",", ":")) for c in cases]
    text = head + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    json.loads(text)
    path.write_text(text, encoding="utf-8")
    return path


def versions() -> dict[str, str]:
    import jax
    import numpy
    import optax

    return {
        "jax": jax.__version__,
        "optax": optax.__version__,
        "numpy": numpy.__version__,
        "python": sys.version.split()[0],
    }
