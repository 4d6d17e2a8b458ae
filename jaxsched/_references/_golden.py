"""Golden curves recorded from originals that cannot be installed here (MaxText, levanter/marin, big_vision,
t5x): ``tests/golden/<lib>.json``, written by ``tests/golden/record_<lib>.py`` from the original's source
at a recorded commit. A runner returns the recorded values of the recorded configuration equal to the port
(the values at steps ``0..dense-1``); any other configuration raises ``KeyError``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "tests" / "golden"


@functools.lru_cache(maxsize=8)
def golden(lib: str) -> dict[str, Any]:
    """The recorded file of ``lib`` (in a source checkout)."""
    path = GOLDEN_DIR / f"{lib}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: golden curves exist only in a source checkout of jaxsched")
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def recorded(
    lib: str,
    build: Callable[[dict[str, Any]], Schedule],
    schedule: Schedule,
    n: int,
    applied: Callable[[dict[str, Any]], int] | None = None,
) -> np.ndarray:
    """The original's values at ``0..n-1`` for ``schedule``: at most the recorded dense length, and at most
    the ``applied(case)`` updates the original trains with (when given)."""
    for case in golden(lib)["cases"]:
        if build(case) == schedule:
            m = min(n, case["dense"], applied(case) if applied is not None else n)
            return np.asarray(case["values"][:m], dtype=np.float64)
    raise KeyError(f"no {lib} golden curve recorded for {schedule.to_config()}")


def register_golden(
    config_name: str,
    lib: str,
    build: Callable[[dict[str, Any]], Schedule],
    applied: Callable[[dict[str, Any]], int] | None = None,
) -> None:
    """Register the golden runner of ``config_name`` (``build(case)`` makes the port of a recorded case;
    ``applied(case)``, when given, is the number of updates the original applies values at)."""

    def run(schedule: Schedule, n: int) -> np.ndarray:
        return recorded(lib, build, schedule, n, applied)

    register(config_name, f"golden:{lib}")(run)
