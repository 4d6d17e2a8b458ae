"""timm's own scheduler classes, loaded from the installed timm without importing the rest of timm.

``import timm`` imports its models, which import torchvision; the only torchvision wheel available here is
built for CUDA torch and fails to import against the CPU torch (it also breaks lightning and torchmetrics,
so it is not installed: ``scripts/setup.sh`` installs timm with ``--no-deps``). The scheduler modules need
only torch, so they are loaded straight from the installed package's ``timm/scheduler`` folder under
temporary empty ``timm``/``timm.scheduler`` packages, which are removed from ``sys.modules`` again
afterwards (nothing else in the process sees them). Where ``import timm.scheduler`` works, it is used as is.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import types
from functools import cache
from pathlib import Path
from typing import Any

MODULES = (
    "scheduler",
    "cosine_lr",
    "tanh_lr",
    "poly_lr",
    "step_lr",
    "multistep_lr",
    "wsd_lr",
    "plateau_lr",
    "scheduler_factory",
)


def timm_location() -> Path | None:
    """The installed ``timm`` package folder (found without importing it), or None."""
    try:
        spec = importlib.util.find_spec("timm")
    except ValueError:  # a bare timm package registered without a spec (tests/_timm_import.py used to)
        spec = importlib.machinery.PathFinder.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def timm_version() -> str | None:
    """The installed timm's version, read from its metadata (no import), or None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("timm")
    except PackageNotFoundError:
        return None


@cache
def timm_schedulers() -> dict[str, Any] | None:
    """timm's scheduler classes by name (``CosineLRScheduler``, ...), or None when timm is not installed."""
    root = timm_location()
    if root is None:
        return None
    before = set(sys.modules)
    try:
        import timm.scheduler as real

        return {n: getattr(real, n) for n in dir(real) if _wanted(n)}
    except Exception:
        for k in set(sys.modules) - before:  # the timm modules the failed import left half-initialised
            if k == "timm" or k.startswith("timm."):
                del sys.modules[k]
    saved = {k: v for k, v in sys.modules.items() if k == "timm" or k.startswith("timm.")}
    for k in saved:
        del sys.modules[k]
    try:
        for name, path in (("timm", root), ("timm.scheduler", root / "scheduler")):
            pkg = types.ModuleType(name)
            pkg.__path__ = [str(path)]
            sys.modules[name] = pkg
        out: dict[str, Any] = {}
        for mod in MODULES:
            if (root / "scheduler" / f"{mod}.py").exists():
                m = importlib.import_module(f"timm.scheduler.{mod}")
                out.update({n: getattr(m, n) for n in dir(m) if _wanted(n)})
        return out
    finally:
        for k in [k for k in sys.modules if k == "timm" or k.startswith("timm.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def _wanted(name: str) -> bool:
    return name.endswith("LRScheduler") or name == "create_scheduler_v2"


def timm_class(name: str) -> Any:
    """One of timm's scheduler classes; raises (never skips) when timm is missing."""
    classes = timm_schedulers()
    if classes is None:
        raise ModuleNotFoundError("timm is not installed (scripts/setup.sh installs it)")
    return classes[name]


def optimizer(lr: float = 0.1, groups: int = 1) -> Any:
    """A torch SGD optimizer with ``groups`` one-parameter groups at learning rate ``lr``."""
    import torch

    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for _ in range(groups)]
    return torch.optim.SGD(params, lr=lr)


def timm_curve(name: str, lr: float, kwargs: dict[str, Any], n: int) -> list[float]:
    """The LR timm's ``name`` applies at indices ``0..n-1``: the constructor's value, then ``step(t)`` (or
    ``step_update(t)`` with ``t_in_epochs=False``) for ``t >= 1``, as timm's training loop drives it."""
    opt = optimizer(lr)
    sched = timm_class(name)(opt, **kwargs)
    out = [float(opt.param_groups[0]["lr"])]
    for t in range(1, n):
        if kwargs.get("t_in_epochs", True):
            sched.step(t)
        else:
            sched.step_update(t)
        out.append(float(opt.param_groups[0]["lr"]))
    return out
