"""Shared helpers of the golden-recording scripts (not a recorder): fetch a wheel, load one module.

Only the schedule code of the original runs; imports it does not need are stubbed. Nothing of the
original
is committed: the scripts download it into a temporary directory (``pip download --no-deps``), and
the
recorded values go to ``tests/golden/<lib>.json`` next to the script.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
import types
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def wheel_dir(spec: str, *extra: str) -> Path:
    """Download ``spec`` (e.g. ``chemprop==2.0.4``) with ``pip download --no-deps`` and unpack
    it."""
    tmp = Path(tempfile.mkdtemp(prefix="jaxsched-golden-"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "-d",
            str(tmp),
            spec,
            *extra,
        ],
        check=True,
    )
    wheel = next(tmp.glob("*.whl"))
    out = tmp / "unpacked"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(out)
    return out


def load_definitions(path: Path, names: list[str], preamble: str = "") -> dict[str, Any]:
    """Execute only the imports and the named top-level definitions of a source file.

    Imports of the original's own package or of packages absent here are skipped (``preamble`` can
    define
    stand-ins); the module's other code never runs.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    keep: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            mod = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            root = (mod or "").split(".")[0]
            if root in (
                "numpy",
                "torch",
                "math",
                "typing",
                "statistics",
                "functools",
                "collections",
                "contextlib",
                "dataclasses",
                "abc",
                "numbers",
                "logging",
                "pathlib",
            ):
                keep.append(node)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            if node.name in names:
                keep.append(node)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in names for t in node.targets
        ):
            keep.append(node)
    module = types.ModuleType(f"golden_{path.stem}")
    sys.modules[module.__name__] = module  # pydantic resolves annotations through sys.modules
    ns: dict[str, Any] = module.__dict__
    exec(compile(preamble, "<preamble>", "exec"), ns)
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(path), "exec"), ns)
    missing = [n for n in names if n not in ns]
    if missing:
        raise RuntimeError(f"{path}: definitions not found: {missing}")
    return ns


def stub_module(name: str, **attrs: Any) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    sys.modules[name] = mod
    return mod


def write(lib: str, payload: dict[str, Any]) -> Path:
    """Write ``tests/golden/<lib>.json`` compactly: the header, then one line per recorded case."""
    path = HERE / f"{lib}.json"
    head = {k: x for k, x in payload.items() if k != "cases"}
    lines = [json.dumps(c, separators=(",", ":")) for c in payload["cases"]]
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    json.loads(text)  # well-formed
    path.write_text(text, encoding="utf-8")
    return path
