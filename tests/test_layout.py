"""The layout shows the architecture: no import cycles between jaxsched's modules (module-level imports),
the core imports no family, and the declared dependencies match what the package imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("jaxsched", "torch_bridge")
KNOWN = {
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for pkg in PACKAGES
    for p in (ROOT / pkg).rglob("*.py")
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported at module level (not inside functions, not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text())
    out: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import submodule` depends on the submodule (every module depends on its
                # package's __init__ implicitly; that is not an edge of the graph).
                subs = {f"{node.module}.{a.name}" for a in node.names}
                known = subs & KNOWN
                out.update(known)
                if len(known) < len(subs):
                    out.add(node.module)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for h in getattr(node, "handlers", []):
                    visit(h.body)

    visit(tree.body)
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _top_level_imports(path) if m in modules and m != name}
    return graph


def test_no_import_cycles():
    graph = _graph()
    # A package's __init__ importing its own submodules is how a package exposes them, not a cycle.
    edges = {
        m: {d for d in deps if not (m == d.rsplit(".", 1)[0] and m in PACKAGES)} for m, deps in graph.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in edges[m]:
            if state.get(d) == 1:
                cycle = [*stack[stack.index(d) :], d]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if d not in state:
                dfs(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            dfs(m)


def test_core_imports_no_family_and_no_jax():
    graph = _graph()
    for core in (
        "jaxsched._core",
        "jaxsched._fields",
        "jaxsched._numerics",
        "jaxsched._validate",
        "jaxsched._jaxhook",
    ):
        deps = graph[core]
        assert not any(d.startswith(("jaxsched.schedules", "jaxsched.compat")) for d in deps), (core, deps)
        assert "jax" not in _top_level_imports(ROOT / (core.replace(".", "/") + ".py"))


def test_declared_dependencies_match_imports():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        d.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip().replace("-", "_").lower()
        for d in meta["dependencies"]
    }
    used = set()
    for path in (ROOT / "jaxsched").rglob("*.py"):
        if "compat" in path.parts or "_references" in path.parts:
            continue  # ports and the parity runners import their originals lazily, declared as extras
        for m in _top_level_imports(path):
            used.add(m.split(".")[0].lower())
    stdlib = set(sys.stdlib_module_names)
    third_party = {m for m in used if m not in stdlib and m not in PACKAGES}
    assert third_party <= declared, f"imported but not declared: {sorted(third_party - declared)}"
    assert "chex" not in declared, "chex is a test dependency"
