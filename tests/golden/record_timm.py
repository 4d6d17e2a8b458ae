"""Record golden curves from timm's own scheduler code (timm cannot be installed here: torchvision).

Usage (from the repository root; needs only torch, from .venv):

    pip download timm==1.0.31 --no-deps -d /tmp/timm_dl
    mkdir -p /tmp/timm_src
    unzip -o /tmp/timm_dl/timm-1.0.31-py3-none-any.whl 'timm/scheduler/*' -d /tmp/timm_src
    .venv/bin/python tests/golden/record_timm.py /tmp/timm_src

Only five files of ``timm/scheduler/`` are loaded (no other timm code runs); nothing of timm is
committed. For each configuration the scheduler is built on a one-parameter torch SGD and driven the
way timm's training loop drives it: the value for index 0 is what the constructor wrote into the
optimizer, and the value for index ``t >= 1`` is what ``step(t)`` (``t_in_epochs=True``) or
``step_update(t)`` writes. Noise is off (timm's noise comes from torch's generator, which the port
does not reproduce). Each curve goes to ``tests/golden/timm_<Class>.json``.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from pathlib import Path

import torch

TIMM_VERSION = "1.0.31"
N = 160
HERE = Path(__file__).resolve().parent

CONFIGS: dict[str, list[dict]] = {
    "CosineLRScheduler": [
        {"t_initial": 100, "lr_min": 1e-5, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {
            "t_initial": 30,
            "lr_min": 1e-4,
            "cycle_mul": 2.0,
            "cycle_decay": 0.5,
            "cycle_limit": 3,
            "warmup_t": 3,
            "warmup_prefix": True,
            "k_decay": 1.5,
        },
        {
            "t_initial": 20,
            "cycle_mul": 1.5,
            "cycle_decay": 0.7,
            "cycle_limit": 4,
            "warmup_t": 4,
            "warmup_prefix": False,
            "warmup_lr_init": 1e-3,
        },
        {"t_initial": 17, "cycle_limit": 5, "cycle_decay": 0.9, "k_decay": 0.5, "t_in_epochs": False},
        {"t_initial": 40, "cycle_limit": 1, "warmup_t": 10, "warmup_prefix": True, "lr_min": 2e-3},
    ],
    "TanhLRScheduler": [
        {"t_initial": 100, "lr_min": 1e-5, "warmup_t": 5, "warmup_lr_init": 1e-4},
        {
            "t_initial": 20,
            "cycle_mul": 1.5,
            "cycle_decay": 0.8,
            "cycle_limit": 3,
            "warmup_t": 4,
            "warmup_prefix": True,
        },
        {
            "t_initial": 25,
            "lb": -5.0,
            "ub": 5.0,
            "cycle_limit": 4,
            "cycle_mul": 2.0,
            "warmup_t": 6,
            "warmup_prefix": False,
            "warmup_lr_init": 1e-3,
        },
        {"t_initial": 50, "cycle_limit": 0},
    ],
    "PolyLRScheduler": [
        {"t_initial": 100, "power": 0.5, "lr_min": 1e-5, "warmup_t": 5},
        {"t_initial": 25, "power": 2.0, "cycle_limit": 2, "cycle_decay": 0.5, "k_decay": 0.7},
        {
            "t_initial": 15,
            "power": 1.0,
            "cycle_mul": 2.0,
            "cycle_limit": 3,
            "warmup_t": 3,
            "warmup_prefix": True,
            "warmup_lr_init": 1e-3,
            "k_decay": 2.0,
        },
    ],
    "StepLRScheduler": [
        {"decay_t": 30, "decay_rate": 0.1, "warmup_t": 3, "warmup_lr_init": 1e-3},
        {"decay_t": 7, "decay_rate": 0.5, "warmup_t": 5, "warmup_prefix": False},
        {"decay_t": 2.5, "decay_rate": 0.8},
    ],
    "MultiStepLRScheduler": [
        {"decay_t": [30, 60, 80], "decay_rate": 0.1, "warmup_t": 2},
        {"decay_t": [1, 10, 10, 40], "decay_rate": 0.5},
        {
            "decay_t": [5, 20],
            "decay_rate": 0.3,
            "warmup_t": 8,
            "warmup_prefix": False,
            "warmup_lr_init": 1e-3,
        },
    ],
}
LR = 0.1


def load(src: Path) -> dict:
    """Import the five scheduler modules from ``<src>/timm/scheduler``, without any other timm code.

    ``timm`` and ``timm.scheduler`` are registered as empty packages pointing at the unzipped folders,
    so neither ``__init__.py`` (they pull in models and the factory) runs.
    """
    for name, path in (("timm", src / "timm"), ("timm.scheduler", src / "timm" / "scheduler")):
        pkg = types.ModuleType(name)
        pkg.__path__ = [str(path)]
        sys.modules[name] = pkg
    files = ("cosine_lr", "tanh_lr", "poly_lr", "step_lr", "multistep_lr")
    mods = [importlib.import_module(f"timm.scheduler.{f}") for f in files]
    return {n: getattr(m, n) for m in mods for n in dir(m) if n.endswith("LRScheduler")}


def curve(cls, kwargs: dict) -> list[float]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    sched = cls(opt, **kwargs)
    out = [opt.param_groups[0]["lr"]]
    for t in range(1, N):
        if kwargs.get("t_in_epochs", True):
            sched.step(t)
        else:
            sched.step_update(t)
        out.append(opt.param_groups[0]["lr"])
    return out


def main(src: str) -> None:
    classes = load(Path(src))
    for name, configs in CONFIGS.items():
        cls = classes[name]
        cases = [{"kwargs": kw, "values": curve(cls, kw)} for kw in configs]
        doc = {"timm_version": TIMM_VERSION, "class": name, "lr": LR, "n": N, "cases": cases}
        path = HERE / f"timm_{name}.json"
        path.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/timm_src")
