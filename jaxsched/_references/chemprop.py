"""Golden references for chemprop (not installable here: rdkit): curves recorded from chemprop's own
code.

``tests/golden/record_chemprop.py`` recorded them (chemprop 1.6.1, 2.0.4, 2.1.0) into
``tests/golden/chemprop.json``; these runners return the recorded curve of the configuration equal
to the
port's. A port configuration that was not recorded raises ``NotRecordedError``.
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


@functools.lru_cache(maxsize=8)
def golden(lib: str) -> dict[str, Any]:
    """The recorded golden file of ``lib`` (``tests/golden/<lib>.json`` in a source checkout)."""
    path = GOLDEN_DIR / f"{lib}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: golden curves exist only in a source checkout of jaxsched")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _same(config: dict[str, Any], kwargs: dict[str, Any]) -> bool:
    # JSON round-trips floats exactly, so equality is the right test.
    return all(config.get(k) == x for k, x in kwargs.items())


def recorded(lib: str, schedule: Schedule, n: int, group: int = 0) -> np.ndarray:
    """The recorded values of ``schedule``'s configuration (param group ``group``): the first ``n``
    updates,
    or fewer when fewer were recorded."""
    config = schedule.to_config()
    for case in golden(lib)["cases"]:
        if case["name"] != config["name"] or "step_args" in case:
            continue
        kwargs = {k: x for k, x in case["kwargs"].items() if not isinstance(x, list)}
        if len(kwargs) == len(case["kwargs"]) and _same(config, kwargs):
            return np.asarray(case["values"][group], dtype=np.float64)[:n]
    raise NotRecordedError(f"no {lib} golden curve recorded for this configuration of {config['name']}")


@register("compat.chemprop.NoamLR", "golden:chemprop")
def noam_lr(schedule: Schedule, n: int) -> np.ndarray:
    return recorded("chemprop", schedule, n)


@register("compat.chemprop.build_NoamLike_LRSched", "golden:chemprop")
def noam_like(schedule: Schedule, n: int) -> np.ndarray:
    return recorded("chemprop", schedule, n)
