"""Run code as soon as JAX is imported, without importing it ourselves.

Schedules are JAX pytrees, but the NumPy path and ``torch_bridge`` must work without loading JAX (or with
JAX not installed at all). Pytree registrations therefore wait here: they run at once if JAX is already
imported, or right after ``import jax`` completes, whenever and by whomever that happens.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_pending: list[Callable[[], None]] = []
_lock = threading.RLock()
_installed = False


def _jax_ready() -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and hasattr(jax, "tree_util") and hasattr(jax, "config")


def when_jax_imported(callback: Callable[[], None]) -> None:
    """Call ``callback()`` now if JAX is imported, else right after JAX's import finishes."""
    with _lock:
        if _jax_ready():
            callback()
            return
        _pending.append(callback)
        _install()


def _run_pending() -> None:
    with _lock:
        todo = list(_pending)
        _pending.clear()
    for cb in todo:
        cb()


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _run_pending()

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, ...
        return getattr(self.inner, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``jax`` with the other finders and wraps its loader to run the pending callbacks."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "jax":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and not isinstance(spec.loader, _Loader):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


def _install() -> None:
    global _installed
    if not _installed:
        sys.meta_path.insert(0, _Finder())
        _installed = True
