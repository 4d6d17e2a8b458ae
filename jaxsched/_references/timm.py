"""Golden references for timm (not installable here: torchvision has no CPU build).

``tests/golden/record_timm.py`` ran timm 1.0.31's own ``timm/scheduler`` code and wrote one file per class,
``tests/golden/timm_<Class>.json``. A runner returns the recorded curve of the recorded configuration
equal to the port (built from ``lr`` and the recorded keyword arguments); any other configuration raises
:class:`~jaxsched._references.NotRecordedError`.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import NotRecordedError, register

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "tests" / "golden"
CLASSES = (
    "CosineLRScheduler",
    "TanhLRScheduler",
    "PolyLRScheduler",
    "StepLRScheduler",
    "MultiStepLRScheduler",
)


@functools.lru_cache(maxsize=8)
def golden(name: str) -> dict[str, Any]:
    """The recorded file of timm class ``name`` (in a source checkout)."""
    path = GOLDEN_DIR / f"timm_{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: golden curves exist only in a source checkout of jaxsched")
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def recorded(schedule: Schedule, n: int) -> np.ndarray:
    """timm's values at indices ``0..n-1`` for ``schedule``'s configuration (at most the recorded length)."""
    from jaxsched.compat import timm

    name = schedule.config_name.rsplit(".", 1)[1]
    doc = golden(name)
    for case in doc["cases"]:
        if getattr(timm, name)(doc["lr"], **case["kwargs"]) == schedule:
            return np.asarray(case["values"], dtype=np.float64)[:n]
    raise NotRecordedError(f"no timm golden curve recorded for this configuration of {name}")


def _run(schedule: Schedule, n: int) -> np.ndarray:
    return recorded(schedule, n)


for _name in CLASSES:
    register(f"compat.timm.{_name}", "golden:timm")(_run)
